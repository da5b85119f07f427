"""Where tracing reads money movements from: arrays in memory, or SQL on an engine.

A *flow source* answers one question per hop of a trace: which transactions leave (or enter) these
accounts after (or before) a given time? Both sources answer it identically, so a trace gives the
same edges on NumPy arrays (fast, for graphs that fit in memory), on DuckDB and on Spark (for
graphs that do not). Amounts are in US dollars (the screening list ``fx_units_per_usd``);
transactions in a currency without a rate, or without both accounts, are not traced.

Times are whole seconds since 1970-01-01 UTC (``int``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
import pyarrow as pa

from onca.engines import SUPPORTED, Engine, check_engine, open_engine
from onca.finance._lists import load_lists
from onca.sql import quote_text
from onca.sql import usd as sql_usd
from onca.workspace import Workspace

Direction = Literal["forward", "backward"]
NEVER = np.iinfo(np.int64).min // 4  # "no bound" for times; far from overflow when shifted
ALWAYS = np.iinfo(np.int64).max // 4


@dataclass(frozen=True)
class Edges:
    """A batch of transactions: parallel arrays, one element per transaction."""

    txn_id: list[str]
    src: list[str]
    dst: list[str]
    ts: np.ndarray  # int64 seconds
    amount: np.ndarray  # float64 US dollars

    def __len__(self) -> int:
        return len(self.txn_id)

    @classmethod
    def empty(cls) -> Edges:
        return cls([], [], [], np.empty(0, np.int64), np.empty(0, np.float64))


@dataclass(frozen=True)
class HopLimits:
    """What one hop may take: transactions with ``since <= ts <= until`` (seconds since 1970)
    and ``amount >= min_amount`` (US dollars), at most ``limit`` of them (the largest)."""

    since: int
    until: int
    min_amount: float
    limit: int


class FlowSource(Protocol):
    name: str

    def step(
        self,
        frontier: Mapping[str, int],
        direction: Direction,
        limits: HopLimits,
    ) -> Edges:
        """Transactions one hop from ``frontier`` (at most ``limit``: the largest amounts).

        forward: leaving a frontier account strictly after its time (money arrived there then);
        backward: entering a frontier account strictly before its time (money left it then).
        Only transactions within ``limits`` (:class:`HopLimits`).
        """
        ...


def usd_sql(amount: str = "t.amount", currency: str = "t.currency") -> str:
    """SQL for an amount in US dollars, NULL for a currency without a rate."""
    fx = load_lists()["fx_units_per_usd"].values
    if not isinstance(fx, dict):
        raise TypeError("the list fx_units_per_usd must map currency codes to rates")
    return str(sql_usd(amount, currency, fx))


def _flow_sql(where: str = "") -> str:
    return f"""
        SELECT t.txn_id, t.from_account AS src, t.to_account AS dst,
               CAST(epoch(t.ts) AS BIGINT) AS ts, {usd_sql()} AS amount
        FROM transactions AS t
        WHERE t.from_account IS NOT NULL AND t.to_account IS NOT NULL {where}"""


class ArrayFlows:
    """Every transaction of a workspace in NumPy arrays (rows in txn_id order), sorted twice (by sender then time, and
    by receiver then time) so that one hop is a binary search per frontier account.

    Memory: about 60 bytes per transaction plus the ids (10 million transactions: about 1.2 GB).
    """

    name = "memory"

    def __init__(
        self,
        accounts: pa.Array,
        txn_id: pa.Array,
        src: np.ndarray,
        dst: np.ndarray,
        ts: np.ndarray,
        amount: np.ndarray,
    ) -> None:
        self.accounts = accounts
        self.index = {a: i for i, a in enumerate(accounts.to_pylist())}
        self.txn_id = txn_id
        self.src, self.dst, self.ts, self.amount = src, dst, ts, amount
        self.t0 = int(ts.min()) - 1 if len(ts) else 0
        span = int(ts.max()) - self.t0 + 2 if len(ts) else 2
        self._shift = max(1, int(span).bit_length())
        self.by_src = np.lexsort((ts, src))
        self.by_dst = np.lexsort((ts, dst))
        self.src_key = self._key(src[self.by_src], ts[self.by_src])
        self.dst_key = self._key(dst[self.by_dst], ts[self.by_dst])

    def _key(self, node: np.ndarray, ts: np.ndarray) -> np.ndarray:
        return (node.astype(np.int64) << self._shift) | (ts - self.t0)

    def _bound(self, node: np.ndarray, ts: np.ndarray) -> np.ndarray:
        return self._key(node, np.clip(ts, self.t0, self.t0 + (1 << self._shift) - 1))

    @classmethod
    def from_workspace(cls, ws: Workspace) -> ArrayFlows:
        """Load every priced transaction of ``ws`` (one SQL query, then two sorts)."""
        db = ws.db.cursor()  # its own result set: the caller may hold one open on ws.db
        table = db.arrow(
            f"""
            WITH f AS ({_flow_sql()}),
            ids AS (
              SELECT account_id, CAST(row_number() OVER (ORDER BY account_id) - 1 AS INTEGER) AS i
              FROM (SELECT src AS account_id FROM f UNION SELECT dst FROM f)
            )
            SELECT f.txn_id, s.i AS src, d.i AS dst, f.ts, f.amount
            FROM f JOIN ids AS s ON s.account_id = f.src JOIN ids AS d ON d.account_id = f.dst
            WHERE f.amount IS NOT NULL
            ORDER BY f.txn_id
            """
        )
        accounts = db.arrow(
            f"""WITH f AS ({_flow_sql()})
            SELECT account_id FROM (SELECT src AS account_id FROM f UNION SELECT dst FROM f)
            ORDER BY account_id"""
        )
        return cls(
            accounts.column(0).combine_chunks(),
            table.column("txn_id").combine_chunks(),
            table.column("src").to_numpy().astype(np.int32),
            table.column("dst").to_numpy().astype(np.int32),
            table.column("ts").to_numpy().astype(np.int64),
            table.column("amount").to_numpy().astype(np.float64),
        )

    @classmethod
    def from_records(
        cls, txn_id: list[str], src: list[str], dst: list[str], ts: list[int], amount: list[float]
    ) -> ArrayFlows:
        """From plain lists: account ids as text, times in seconds, amounts in US dollars."""
        names = sorted(set(src) | set(dst))
        index = {a: i for i, a in enumerate(names)}
        rows = sorted(range(len(txn_id)), key=txn_id.__getitem__)
        return cls(
            pa.array(names, pa.string()),
            pa.array([txn_id[r] for r in rows], pa.string()),
            np.array([index[src[r]] for r in rows], np.int32),
            np.array([index[dst[r]] for r in rows], np.int32),
            np.array([ts[r] for r in rows], np.int64),
            np.array([amount[r] for r in rows], np.float64),
        )

    def __len__(self) -> int:
        return len(self.ts)

    def step_rows(
        self,
        node: np.ndarray,
        at: np.ndarray,
        direction: Direction,
        limits: HopLimits,
    ) -> np.ndarray:
        """:meth:`step` on account indices ``node`` with their times ``at`` (int64 arrays):
        the rows (int64, ascending) of the transactions one hop away."""
        if direction == "forward":
            keys, order = self.src_key, self.by_src
            lo = np.searchsorted(keys, self._bound(node, np.maximum(at + 1, limits.since)), "left")
            hi = np.searchsorted(keys, self._bound(node, np.full_like(at, limits.until)), "right")
        else:
            keys, order = self.dst_key, self.by_dst
            lo = np.searchsorted(keys, self._bound(node, np.full_like(at, limits.since)), "left")
            hi = np.searchsorted(keys, self._bound(node, np.minimum(at - 1, limits.until)), "right")
        lengths = np.maximum(hi - lo, 0)
        total = int(lengths.sum())
        if total == 0:
            return np.empty(0, np.int64)
        starts = np.repeat(lo - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
        rows = order[starts + np.arange(total)]
        rows = rows[self.amount[rows] >= limits.min_amount]
        rows.sort()  # rows are in txn_id order: ties below break as in SQL's ORDER BY
        if len(rows) > limits.limit:
            rows = np.sort(rows[np.argsort(-self.amount[rows], kind="stable")[: limits.limit]])
        return rows.astype(np.int64, copy=False)

    def step(
        self,
        frontier: Mapping[str, int],
        direction: Direction,
        limits: HopLimits,
    ) -> Edges:
        known = [(self.index[a], t) for a, t in frontier.items() if a in self.index]
        if not known:
            return Edges.empty()
        node = np.fromiter((k for k, _ in known), np.int64, len(known))
        at = np.fromiter((t for _, t in known), np.int64, len(known))
        rows = self.step_rows(node, at, direction, limits)
        names = self.accounts
        return Edges(
            txn_id=self.txn_id.take(pa.array(rows)).to_pylist(),
            src=names.take(pa.array(self.src[rows])).to_pylist(),
            dst=names.take(pa.array(self.dst[rows])).to_pylist(),
            ts=self.ts[rows],
            amount=self.amount[rows],
        )


class SqlFlows:
    """One SQL query per hop on an engine (DuckDB or Spark): the frontier travels as VALUES."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.name = engine.name

    def step(
        self,
        frontier: Mapping[str, int],
        direction: Direction,
        limits: HopLimits,
    ) -> Edges:
        if not frontier:
            return Edges.empty()
        values = ", ".join(f"({quote_text(a)}, {int(t)})" for a, t in sorted(frontier.items()))
        if direction == "forward":
            join, op = "t.from_account", ">"
        else:
            join, op = "t.to_account", "<"
        seconds = "CAST(epoch(t.ts) AS BIGINT)"
        sql = f"""
            WITH f(node, bound) AS (VALUES {values}),
            hop AS (
              SELECT t.txn_id, t.from_account AS src, t.to_account AS dst,
                     {seconds} AS ts, {usd_sql()} AS amount
              FROM transactions AS t JOIN f ON {join} = f.node
              WHERE t.from_account IS NOT NULL AND t.to_account IS NOT NULL
                AND {seconds} {op} f.bound
                AND {seconds} BETWEEN {int(limits.since)} AND {int(limits.until)})
            SELECT * FROM hop WHERE amount >= {float(limits.min_amount)!r}
            ORDER BY amount DESC, txn_id
            LIMIT {int(limits.limit)}"""
        rows = self.engine.query(sql)
        return Edges(
            txn_id=[str(r["txn_id"]) for r in rows],
            src=[str(r["src"]) for r in rows],
            dst=[str(r["dst"]) for r in rows],
            ts=np.array([int(r["ts"]) for r in rows], np.int64),
            amount=np.array([float(r["amount"]) for r in rows], np.float64),
        )


TRACE_ENGINES = SUPPORTED["trace"]
"""Where a trace can follow money: an engine (SQL per hop) or ``memory`` (NumPy arrays)."""


@contextmanager
def open_flows(ws: Workspace, engine: str = "duckdb") -> Iterator[FlowSource]:
    """A flow source over ``ws``: ``duckdb`` (SQL per hop), ``memory`` (NumPy arrays) or
    ``spark`` (SQL per hop on Spark over a Parquet copy of the transactions)."""
    check_engine(engine, TRACE_ENGINES)
    if engine == "memory":
        yield ArrayFlows.from_workspace(ws)
        return
    with open_engine(ws, engine, tables=["transactions"]) as runner:
        yield SqlFlows(runner)
