"""Temporal motifs: the AMLSim laundering typologies as time-respecting patterns of payments.

AMLSim (Suzumura and Kanezashi 2021; used by Weber et al. 2018) and the IBM synthetic AML data
(Altman et al., NeurIPS 2023) plant fan-out, fan-in, cycle, scatter-gather, gather-scatter,
bipartite, stack and random patterns. Each but ``random`` is found here as a temporal motif in
the sense of Paranjape, Benson and Leskovec (WSDM 2017): edges that occur in a given order
within a window ``delta``. Cycles follow the time-respecting definition of Kumar and Calders
(2SCENT, VLDB 2018): each payment leaves an account after the money arrived, and the last one
returns to the origin at most ``delta`` after the first left it.

Input: parallel arrays, one element per transaction: ``src`` and ``dst`` (int64 account
indices, -1 where a side is missing, e.g. cash), ``ts`` (int64 seconds since 1970 UTC) and
``amount`` (float64, US dollars). Transactions without both sides or from an account to itself
take part in no motif. Everything is NumPy, vectorised; every search is bounded by a cap in
:class:`MotifParams`, and a result says which caps were reached (its counts are then lower
bounds). The window arithmetic lives in :mod:`onca.network._windows`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from onca.errors import ParameterError
from onca.network._bipartite import bipartite_blocks, stacks
from onca.network._payments import Payments, load_payments
from onca.network._windows import (
    EdgeSet,
    Instances,
    SortedItems,
    distinct_in_windows,
    merge_windows,
    pack_instances,
    spans,
)
from onca.workspace import Workspace

DAY = 86_400
KINDS = ("fan_out", "fan_in", "cycle", "scatter_gather", "gather_scatter", "bipartite", "stack")
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class MotifParams:
    """What counts as a motif, and the caps that bound the work (defaults in brackets).

    ``delta_s`` [14 days]: the window, in seconds. ``min_fan`` [5]: distinct payees (fan-out)
    or payers (fan-in) within ``delta_s``. ``max_cycle_length`` [5]: longest cycle searched
    (2 is a round trip). ``min_width`` [3]: intermediaries of a scatter-gather, and payers and
    payees of a gather-scatter. ``min_bipartite`` [2]: targets that two sources must share to
    form a bipartite block (and accounts two blocks share to stack). Caps: ``max_branch``
    [20] payments followed from one account per step; ``max_window_edges`` [1000] payments
    read per window (a count past it is a lower bound); ``max_paths`` [2,000,000] partial
    paths held at once; ``max_instances`` [100,000] instances kept per motif;
    ``max_instance_txns`` [500] payments listed per instance. ``pass_ratio`` [(0.5, 1.05)]:
    when (low, high), a payment that passes money on in a cycle or a scatter-gather must carry
    between low and high times the payment before it (AMLSim's launderers pass on most of what
    they receive: (0.5, 1.05) keeps them and drops most chance patterns among busy accounts)."""

    delta_s: int = 14 * DAY
    min_fan: int = 5
    max_cycle_length: int = 5
    min_width: int = 3
    min_bipartite: int = 2
    max_branch: int = 20
    max_window_edges: int = 1_000
    max_paths: int = 2_000_000
    max_instances: int = 100_000
    max_instance_txns: int = 500
    pass_ratio: tuple[float, float] | None = (0.5, 1.05)

    def __post_init__(self) -> None:
        lowest = {"max_cycle_length": 2, "min_fan": 2, "min_width": 2, "min_bipartite": 2}
        ratio = self.pass_ratio
        if ratio is not None and not (
            isinstance(ratio, tuple) and len(ratio) == 2 and 0 <= ratio[0] <= ratio[1]
        ):
            raise ParameterError(
                f"pass_ratio: expected (low, high) with 0 <= low <= high, or None; got {ratio!r}"
            )
        for f in fields(self):
            if f.name == "pass_ratio":
                continue
            value = getattr(self, f.name)
            least = lowest.get(f.name, 1)
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                raise ParameterError(f"{f.name}: expected an integer, got {value!r}")
            if value < least:
                raise ParameterError(f"{f.name}: expected at least {least}, got {value}")
        if self.max_cycle_length > 8:
            raise ParameterError(
                f"max_cycle_length: expected at most 8 (the search grows as branch^length),"
                f" got {self.max_cycle_length}"
            )


@dataclass(frozen=True)
class MotifResult:
    """Motifs found in one set of transactions.

    ``instances[kind]``: the instances of each motif (:class:`Instances`: hub, start, end,
    transactions and accounts of each). ``account_counts[kind]``: (n_accounts,) int64, the
    instances each account takes part in. ``txn_counts[kind]``: (n_txns,) int64, the
    instances each transaction belongs to. ``truncated``: the motifs for which a cap was
    reached (their counts are lower bounds)."""

    params: MotifParams
    instances: dict[str, Instances]
    account_counts: dict[str, I64]
    txn_counts: dict[str, I64]
    truncated: set[str] = field(default_factory=set)

    def counts(self) -> dict[str, int]:
        """Instances per motif kind."""
        return {kind: len(self.instances[kind]) for kind in KINDS}


def _members(lo: I64, hi: I64, payload: I64) -> tuple[I64, I64]:
    """(instance, payment) pairs for instances whose items sit at positions [lo, hi) of
    ``payload`` (1-d: one payment per item; 2-d: several)."""
    pos = spans(lo, hi)
    inst = np.repeat(np.arange(lo.size, dtype=np.int64), np.maximum(hi - lo, 0))
    rows = payload[pos].reshape(pos.size, 1 if payload.ndim == 1 else payload.shape[1])
    return np.repeat(inst, rows.shape[1]), rows.ravel()


def _pack(
    kind: str, g: EdgeSet, p: MotifParams, hub: I64, inst: I64, edge: I64
) -> tuple[Instances, bool]:
    return pack_instances(kind, g, hub, inst, edge, p.max_instances, p.max_instance_txns)


def _fan(g: EdgeSet, p: MotifParams, side: str) -> tuple[Instances, bool]:
    """Fan-out (``side='out'``: one account pays >= min_fan distinct accounts within delta) or
    fan-in (``'in'``: one account is paid by >= min_fan distinct accounts within delta)."""
    items, other = (g.by_src, g.dst) if side == "out" else (g.by_dst, g.src)
    counts, saturated = distinct_in_windows(
        items,
        other[items.edge],
        items.group,
        items.time,
        items.time + p.delta_s,
        p.max_window_edges,
    )
    hit = counts >= p.min_fan
    hub, start, end = merge_windows(items.group[hit], items.time[hit], p.delta_s)
    inst, edge = _members(*items.ranges(hub, start, end), items.edge)
    found, cut = _pack("fan_out" if side == "out" else "fan_in", g, p, hub, inst, edge)
    return found, saturated or cut


def _follow(g: EdgeSet, p: MotifParams, last: I64, until: I64) -> tuple[I64, I64, bool]:
    """Payments made by the payee of each payment ``last`` after it and no later than
    ``until``, at most ``max_branch`` per payment and ``max_paths`` in all: (row of ``last``,
    next payment, whether a cap was reached)."""
    lo, hi = g.by_src.ranges(g.dst[last], g.ts[last] + 1, until)
    take = np.minimum(hi - lo, p.max_branch)
    cut = bool((hi - lo > p.max_branch).any())
    if int(take.sum()) > p.max_paths:
        take = np.where(np.cumsum(take) <= p.max_paths, take, 0)
        cut = True
    row = np.repeat(np.arange(last.size, dtype=np.int64), take)
    nxt = g.by_src.edge[spans(lo, lo + take)]
    if p.pass_ratio is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = g.amount[nxt] / g.amount[last[row]]
        keep = (ratio >= p.pass_ratio[0]) & (ratio <= p.pass_ratio[1])
        row, nxt = row[keep], nxt[keep]
    return row, nxt, cut


def _cycles(g: EdgeSet, p: MotifParams) -> tuple[Instances, bool]:
    """Simple time-respecting cycles of 2..max_cycle_length payments, the last returning to the
    origin at most delta after the first left it: a breadth-first search over partial paths
    (rows of payment indices), each step following at most ``max_branch`` later payments."""
    path = g.valid[:, None]
    origin, t0 = g.src[g.valid], g.ts[g.valid]
    found: list[I64] = []
    truncated = False
    for _length in range(2, p.max_cycle_length + 1):
        row, nxt, cut = _follow(g, p, path[:, -1], t0 + p.delta_s)
        truncated |= cut
        path = np.concatenate([path[row], nxt[:, None]], axis=1)
        origin, t0, head = origin[row], t0[row], g.dst[nxt]
        closed = head == origin
        found.append(path[closed])
        fresh = ~closed  # simple cycles: the next account is new to the path
        for col in range(path.shape[1] - 1):
            fresh &= head != g.dst[path[:, col]]
        path, origin, t0 = path[fresh], origin[fresh], t0[fresh]
        if path.shape[0] == 0:
            break
    sizes = np.cumsum([0, *(c.shape[0] for c in found)])
    inst = np.concatenate(
        [
            np.repeat(np.arange(c.shape[0]) + s, c.shape[1])
            for c, s in zip(found, sizes, strict=False)
        ]
    )
    edge = np.concatenate([c.ravel() for c in found])
    hub = np.concatenate([g.src[c[:, 0]] for c in found])
    result, cut = _pack("cycle", g, p, hub, inst.astype(np.int64), edge)
    return result, truncated or cut


def _scatter_gather(g: EdgeSet, p: MotifParams) -> tuple[Instances, bool]:
    """A pays >= min_width distinct intermediaries within delta, each of which pays the same B
    (not A) within delta of being paid: the whole spans at most two windows."""
    row, second, cut = _follow(g, p, g.valid, g.ts[g.valid] + p.delta_s)
    first = g.valid[row]
    ok = g.dst[second] != g.src[first]
    first, second = first[ok], second[ok]
    pairs, pair_of = np.unique(g.src[first] * g.n_accounts + g.dst[second], return_inverse=True)
    items = SortedItems(pair_of.astype(np.int64), g.ts[first], g.by_src.t_min, g.by_src.t_max)
    middle = g.dst[first][items.order]
    counts, saturated = distinct_in_windows(
        items, middle, items.group, items.time, items.time + p.delta_s, p.max_window_edges
    )
    hit = counts >= p.min_width
    group, start, end = merge_windows(items.group[hit], items.time[hit], p.delta_s)
    both = np.stack([first[items.order], second[items.order]], axis=1)
    inst, edge = _members(*items.ranges(group, start, end), both)
    found, capped = _pack("scatter_gather", g, p, pairs[group] // g.n_accounts, inst, edge)
    return found, cut or saturated or capped


def _gather_scatter(g: EdgeSet, p: MotifParams) -> tuple[Instances, bool]:
    """C is paid by >= min_width distinct accounts within delta before a payment it makes, and
    pays >= min_width distinct accounts within delta from that payment on."""
    out, into = g.by_src, g.by_dst
    payees, sat_out = distinct_in_windows(
        out, g.dst[out.edge], out.group, out.time, out.time + p.delta_s, p.max_window_edges
    )
    payers, sat_in = distinct_in_windows(
        into,
        g.src[into.edge],
        out.group,
        out.time - p.delta_s,
        out.time - 1,
        p.max_window_edges,
    )
    hit = (payees >= p.min_width) & (payers >= p.min_width)
    hub, start, end = merge_windows(out.group[hit], out.time[hit], p.delta_s)
    # Paid in the window before the last qualifying payment out; paid out from the first on.
    in_inst, in_edge = _members(
        *into.ranges(hub, start - p.delta_s, end - p.delta_s - 1), into.edge
    )
    out_inst, out_edge = _members(*out.ranges(hub, start, end), out.edge)
    inst = np.concatenate([in_inst, out_inst])
    found, cut = _pack("gather_scatter", g, p, hub, inst, np.concatenate([in_edge, out_edge]))
    return found, sat_out or sat_in or cut


def find_motifs(
    src: npt.ArrayLike,
    dst: npt.ArrayLike,
    ts: npt.ArrayLike,
    amount: npt.ArrayLike,
    *,
    params: MotifParams | None = None,
    n_accounts: int | None = None,
) -> MotifResult:
    """Every motif of :data:`KINDS` in the transactions given as parallel arrays (see the
    module docstring for units). ``n_accounts`` sizes the per-account counts (default: the
    largest account index + 1)."""
    p = params or MotifParams()
    g = EdgeSet.build(src, dst, ts, amount, n_accounts=n_accounts)
    found: dict[str, Instances] = {}
    truncated: set[str] = set()
    runs = {
        "fan_out": lambda: _fan(g, p, "out"),
        "fan_in": lambda: _fan(g, p, "in"),
        "cycle": lambda: _cycles(g, p),
        "scatter_gather": lambda: _scatter_gather(g, p),
        "gather_scatter": lambda: _gather_scatter(g, p),
        "bipartite": lambda: bipartite_blocks(g, p),
    }
    for kind, run in runs.items():
        found[kind], cut = run()
        if cut:
            truncated.add(kind)
    found["stack"], cut = stacks(g, found["bipartite"], p)
    if cut:
        truncated.add("stack")
    return MotifResult(
        params=p,
        instances=found,
        account_counts={k: v.account_counts(g.n_accounts) for k, v in found.items()},
        txn_counts={k: v.txn_counts(g.n_txns) for k, v in found.items()},
        truncated=truncated,
    )


# -- from a workspace --------------------------------------------------------------------------


INSTANCE_SCHEMA = pa.schema(
    [
        ("kind", pa.string()),
        ("instance", pa.int64()),
        ("hub_account", pa.string()),
        ("start", pa.timestamp("s")),
        ("end", pa.timestamp("s")),
        ("txns", pa.int64()),
        ("accounts", pa.int64()),
        ("usd", pa.float64()),
        ("account_ids", pa.list_(pa.string())),
        ("txn_ids", pa.list_(pa.string())),
    ]
)


def instances_table(result: MotifResult, payments: Payments) -> pa.Table:
    """One row per instance (:data:`INSTANCE_SCHEMA`), for an analyst: kind, instance (number
    within the kind), hub_account, start and end (UTC), txns and accounts (how many), usd (the
    total of its payments), account_ids and txn_ids (payments in time order)."""
    rows: dict[str, list[object]] = {name: [] for name in INSTANCE_SCHEMA.names}
    for kind in KINDS:
        found = result.instances[kind]
        for i in range(len(found)):
            txns, accounts = found.txns_of(i), found.accounts_of(i)
            values = (
                kind,
                i,
                payments.account_id[found.hub[i]],
                int(found.start[i]),
                int(found.end[i]),
                int(txns.size),
                int(accounts.size),
                float(np.nansum(payments.usd[txns])),
                payments.account_id[accounts].tolist(),
                payments.txn_id[txns].tolist(),
            )
            for name, value in zip(INSTANCE_SCHEMA.names, values, strict=True):
                rows[name].append(value)
    arrays = [
        pa.array(rows[f.name], pa.int64()).cast(f.type)
        if f.name in ("start", "end")
        else pa.array(rows[f.name], f.type)
        for f in INSTANCE_SCHEMA
    ]
    return pa.Table.from_arrays(arrays, schema=INSTANCE_SCHEMA)


def account_table(result: MotifResult, payments: Payments) -> pa.Table:
    """One row per account in at least one instance: account_id and, per motif kind, the
    instances it takes part in."""
    counts = np.column_stack([result.account_counts[k] for k in KINDS])
    rows = np.flatnonzero(counts.sum(axis=1) > 0)
    columns = {"account_id": pa.array(payments.account_id[rows].tolist(), pa.string())}
    for j, kind in enumerate(KINDS):
        columns[kind] = pa.array(counts[rows, j], pa.int64())
    return pa.table(columns)


def workspace_motifs(
    ws: Workspace, *, params: MotifParams | None = None
) -> tuple[MotifResult, Payments]:
    """The motifs of every transaction in ``ws`` (amounts in US dollars) and the payments they
    index into; :func:`instances_table` turns them into rows for an analyst."""
    payments = load_payments(ws)
    result = find_motifs(
        payments.src,
        payments.dst,
        payments.ts,
        np.nan_to_num(payments.usd),
        params=params,
        n_accounts=int(payments.account_id.size),
    )
    return result, payments
