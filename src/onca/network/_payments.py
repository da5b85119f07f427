"""The workspace's transactions as arrays for the network's NumPy code (motifs, features).

Accounts are numbered 0..n-1 in the order of their IDs; a transaction without an account on
one side (a cash deposit or withdrawal) has -1 there. Amounts are in US dollars, converted with
the screening list ``fx_units_per_usd`` (the same rates as screening's ``usd()``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from onca.finance._lists import load_lists
from onca.sql import usd as sql_usd
from onca.workspace import Workspace

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Payments:
    """The workspace's transactions as motif input, ordered by (ts, txn_id): ``txn_id`` (n,),
    ``src``/``dst`` (n,) int64 indices into ``account_id`` (-1: no account), ``ts`` (n,) int64
    seconds since 1970 UTC, ``usd`` (n,) float64 US dollars (NaN: no rate for the currency)."""

    txn_id: npt.NDArray[np.object_]
    src: I64
    dst: I64
    ts: I64
    usd: npt.NDArray[np.float64]
    account_id: npt.NDArray[np.object_]

    def __len__(self) -> int:
        return int(self.ts.size)


def usd_sql(amount: str, currency: str) -> str:
    """SQL for an amount in US dollars (the screening list ``fx_units_per_usd``; NULL for a
    currency without a rate)."""
    fx = load_lists()["fx_units_per_usd"].values
    rates = fx if isinstance(fx, dict) else {}
    return str(sql_usd(amount, currency, rates))


ACCOUNT_INDEX_SQL = """
WITH ids AS (
  SELECT account_id FROM accounts
  UNION SELECT from_account FROM transactions WHERE from_account IS NOT NULL
  UNION SELECT to_account FROM transactions WHERE to_account IS NOT NULL
), idx AS (
  SELECT account_id, row_number() OVER (ORDER BY account_id) - 1 AS i FROM ids
)
"""
PAYMENTS_SQL = """
SELECT t.txn_id, coalesce(f.i, -1) AS src, coalesce(o.i, -1) AS dst,
       epoch_ms(t.ts) // 1000 AS ts, {usd} AS usd
FROM transactions t
LEFT JOIN idx f ON f.account_id = t.from_account
LEFT JOIN idx o ON o.account_id = t.to_account
ORDER BY t.ts, t.txn_id
"""


def load_payments(ws: Workspace) -> Payments:
    """Every transaction of ``ws`` as :class:`Payments`, accounts numbered in the order of
    their IDs (two SQL statements, read as Arrow)."""
    sql = ACCOUNT_INDEX_SQL + PAYMENTS_SQL.format(usd=usd_sql("t.amount", "t.currency"))
    table = ws.db.arrow(sql, table="transactions")
    accounts = ws.db.arrow(ACCOUNT_INDEX_SQL + "SELECT account_id FROM idx ORDER BY i")
    account_id = accounts.column(0).to_pylist()

    def column(name: str) -> npt.NDArray[np.float64]:
        return np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype=np.float64)

    return Payments(
        txn_id=np.asarray(table.column("txn_id").to_pylist(), dtype=object),
        src=column("src").astype(np.int64),
        dst=column("dst").astype(np.int64),
        ts=column("ts").astype(np.int64),
        usd=column("usd"),
        account_id=np.asarray(account_id, dtype=object),
    )
