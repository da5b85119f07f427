"""Bipartite blocks and stacks: the two AMLSim typologies with several payers on each side.

A *bipartite block* is a set of >= 2 payers that each pay every one of a set of >= k payees
(``min_bipartite``), within the window: a complete bipartite subgraph in time. It is built
from its smallest cores: two payers who both pay the same account at most ``delta`` apart form
a *co-payment*; a pair of payers with co-payments to >= k distinct accounts in a window is a
K(2, k) core; cores over the same payees that overlap in time merge into one block with every
payer of them. A *stack* is two blocks in layers (payers -> middle -> payees): the payees of
the first include >= k payers of the second, which starts after the first and no later than
``delta`` after the first ends. Every count here is bounded by the caps of
:class:`onca.network._motifs.MotifParams`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from onca.network._windows import (
    EdgeSet,
    Instances,
    SortedItems,
    distinct_in_windows,
    merge_windows,
    pack_instances,
    spans,
)

if TYPE_CHECKING:
    from onca.network._motifs import MotifParams

I64 = npt.NDArray[np.int64]


def _co_payments(g: EdgeSet, p: MotifParams) -> tuple[I64, I64]:
    """Pairs of payments to one account by two different payers at most delta apart: (first,
    second). A payee paid more than ``max_branch`` times within delta of a payment (a shop, a
    utility) is a hub there, and that payment pairs with none."""
    into = g.by_dst
    lo, hi = into.ranges(into.group, into.time, into.time + p.delta_s)
    busy = hi - lo - 1 > p.max_branch
    n = into.time.size
    first: list[I64] = []
    second: list[I64] = []
    for step in range(1, min(n, p.max_branch + 1)):
        i = np.arange(n - step)
        j = i + step
        ok = (into.group[j] == into.group[i]) & (into.time[j] - into.time[i] <= p.delta_s)
        if not ok.any():
            break  # a pair further apart in the sorted order is further apart in time
        ok &= ~busy[i] & ~busy[j]
        i, j = i[ok], j[ok]
        differ = g.src[into.edge[i]] != g.src[into.edge[j]]
        first.append(into.edge[i[differ]])
        second.append(into.edge[j[differ]])
    empty = np.empty(0, dtype=np.int64)
    return np.concatenate([empty, *first]), np.concatenate([empty, *second])


def _cores(g: EdgeSet, p: MotifParams) -> tuple[Instances, bool]:
    """K(2, k) cores: two payers with co-payments to >= min_bipartite distinct accounts, the
    co-payments starting within delta of each other."""
    first, second = _co_payments(g, p)
    a, b = g.src[first], g.src[second]
    pairs, pair_of = np.unique(
        np.minimum(a, b) * g.n_accounts + np.maximum(a, b), return_inverse=True
    )
    items = SortedItems(pair_of.astype(np.int64), g.ts[first], g.by_src.t_min, g.by_src.t_max)
    target = g.dst[first][items.order]
    counts, saturated = distinct_in_windows(
        items, target, items.group, items.time, items.time + p.delta_s, p.max_window_edges
    )
    hit = counts >= p.min_bipartite
    group, start, end = merge_windows(items.group[hit], items.time[hit], p.delta_s)
    lo, hi = items.ranges(group, start, end)
    pos = spans(lo, hi)
    inst = np.repeat(np.arange(group.size, dtype=np.int64), hi - lo)
    edges = np.stack([first[items.order][pos], second[items.order][pos]], axis=1)
    cores, capped = pack_instances(
        "bipartite",
        g,
        pairs[group] // g.n_accounts,
        np.repeat(inst, 2),
        edges.ravel(),
        p.max_instances,
        p.max_instance_txns,
    )
    return cores, saturated or capped


def bipartite_blocks(g: EdgeSet, p: MotifParams) -> tuple[Instances, bool]:
    """Bipartite blocks: cores over the same payees that overlap in time, merged."""
    cores, cut = _cores(g, p)
    by_payees: dict[tuple[int, ...], list[int]] = {}
    for i in range(len(cores)):
        payees = tuple(sorted(set(g.dst[cores.txns_of(i)].tolist())))
        by_payees.setdefault(payees, []).append(i)
    blocks: list[list[int]] = []
    for members in by_payees.values():
        members.sort(key=lambda i: int(cores.start[i]))
        current, reach = [members[0]], int(cores.end[members[0]])
        for i in members[1:]:
            if int(cores.start[i]) <= reach:
                current.append(i)
                reach = max(reach, int(cores.end[i]))
            else:
                blocks.append(current)
                current, reach = [i], int(cores.end[i])
        blocks.append(current)
    return _repack("bipartite", g, p, cores, blocks, cut)


def _repack(
    kind: str, g: EdgeSet, p: MotifParams, parts: Instances, groups: list[list[int]], cut: bool
) -> tuple[Instances, bool]:
    """Instances made of the payments of groups of ``parts``' instances."""
    inst: list[I64] = []
    edge: list[I64] = []
    hub = np.empty(len(groups), dtype=np.int64)
    for k, group in enumerate(groups):
        txns = np.concatenate([parts.txns_of(i) for i in group])
        inst.append(np.full(txns.size, k, dtype=np.int64))
        edge.append(txns)
        hub[k] = int(g.src[txns].min())
    empty = np.empty(0, dtype=np.int64)
    found, capped = pack_instances(
        kind,
        g,
        hub,
        np.concatenate([empty, *inst]),
        np.concatenate([empty, *edge]),
        p.max_instances,
        p.max_instance_txns,
    )
    return found, cut or capped


def stacks(g: EdgeSet, blocks: Instances, p: MotifParams) -> tuple[Instances, bool]:
    """Two blocks in layers: >= min_bipartite payees of the first pay in the second, which
    starts after the first starts and at most delta after it ends."""
    payers = [set(g.src[blocks.txns_of(i)].tolist()) for i in range(len(blocks))]
    payees = [set(g.dst[blocks.txns_of(i)].tolist()) for i in range(len(blocks))]
    paying: dict[int, list[int]] = {}
    for i, accounts in enumerate(payers):
        for account in accounts:
            paying.setdefault(account, []).append(i)
    found: list[list[int]] = []
    cut = False
    for i in range(len(blocks)):
        later: set[int] = set()
        for account in payees[i]:
            options = paying.get(account, [])
            cut |= len(options) > p.max_branch
            later.update(options[: p.max_branch])
        for j in sorted(later):
            in_time = blocks.start[i] < blocks.start[j] <= blocks.end[i] + p.delta_s
            if j != i and in_time and len(payees[i] & payers[j]) >= p.min_bipartite:
                found.append([i, j])
        if len(found) >= p.max_instances:
            cut = True
            break
    return _repack("stack", g, p, blocks, found, cut)
