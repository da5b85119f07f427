"""Window arithmetic for temporal motifs: sorted payments, range queries, distinct counts in a
window, merged windows and instances, all vectorised with NumPy.

An *item* is anything with a group (an account, or a pair of accounts) and a time (int64
seconds). :class:`SortedItems` sorts items by (group, time) and answers "which items of group g
have a time in [lo, hi]?" for many queries at once by binary search on one composite int64 key
(``group * width + time - t_min + 1``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from onca.errors import ParameterError

I64 = npt.NDArray[np.int64]
_NEVER = np.iinfo(np.int64).min


class SortedItems:
    """Items sorted by (group, time). ``order``: the permutation that sorts them; ``group``,
    ``time``: sorted; ``edge``: ``ids[order]`` (the payment index of each sorted item when the
    items are payments)."""

    def __init__(self, group: I64, time: I64, t_min: int, t_max: int, ids: I64 | None = None):
        self.order = np.lexsort((time, group)).astype(np.int64)
        self.group = group[self.order]
        self.time = time[self.order]
        self.t_min, self.t_max = int(t_min), int(t_max)
        self.width = self.t_max - self.t_min + 3
        top = int(self.group.max(initial=0)) + 1
        if top > np.iinfo(np.int64).max // self.width:
            raise ParameterError(
                f"too many groups ({top:,}) over a time span of {self.width:,} s for int64 keys"
            )
        self.key = self._key(self.group, self.time)
        self.edge = (ids if ids is not None else np.arange(group.size, dtype=np.int64))[self.order]

    def _key(self, group: I64, time: I64) -> I64:
        clipped = np.clip(time, self.t_min - 1, self.t_max + 1)
        return group.astype(np.int64) * self.width + (clipped - self.t_min + 1)

    def ranges(self, group: I64, lo: I64, hi: I64) -> tuple[I64, I64]:
        """For each query i: positions [a_i, b_i) of the items of ``group[i]`` with
        ``lo[i] <= time <= hi[i]`` (an empty range where hi < lo)."""
        a = np.searchsorted(self.key, self._key(group, lo), side="left").astype(np.int64)
        b = np.searchsorted(self.key, self._key(group, hi), side="right").astype(np.int64)
        return a, np.maximum(a, b)


def distinct_in_windows(
    items: SortedItems, key: I64, group: I64, lo: I64, hi: I64, cap: int
) -> tuple[I64, bool]:
    """For each query i: how many distinct ``key`` values the items of ``group[i]`` with a time
    in [lo[i], hi[i]] carry (``key``: one per sorted item). An item counts when the previous
    item with its group and key is older than ``lo[i]``, so each key counts once. At most
    ``cap`` items are read per window: (counts, whether some window held more)."""
    a, b = items.ranges(group, lo, hi)
    length = b - a
    n = np.minimum(length, cap)
    by_key = np.lexsort((items.time, key, items.group))
    prev = np.full(items.time.size, _NEVER, dtype=np.int64)
    if by_key.size > 1:
        same = (items.group[by_key[1:]] == items.group[by_key[:-1]]) & (
            key[by_key[1:]] == key[by_key[:-1]]
        )
        prev[by_key[1:][same]] = items.time[by_key[:-1][same]]
    counts = np.zeros(a.size, dtype=np.int64)
    active = np.flatnonzero(n > 0)
    step = 0
    while active.size:
        counts[active] += prev[a[active] + step] < lo[active]
        step += 1
        active = active[n[active] > step]
    return counts, bool((length > cap).any())


def merge_windows(group: I64, time: I64, delta: int) -> tuple[I64, I64, I64]:
    """Windows [time, time + delta] of the same group that overlap, merged into one: (group,
    start, end) per merged window. Inputs are sorted by (group, time)."""
    if group.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    new = np.ones(group.size, dtype=bool)
    new[1:] = (group[1:] != group[:-1]) | (time[1:] > time[:-1] + delta)
    first = np.flatnonzero(new)
    last = np.append(first[1:], group.size) - 1
    return group[first], time[first], time[last] + delta


def spans(lo: I64, hi: I64) -> I64:
    """All positions lo[i] <= j < hi[i], concatenated in order of i."""
    size = np.maximum(hi - lo, 0)
    total = int(size.sum())
    start = np.repeat(np.cumsum(size) - size, size)
    return np.repeat(lo, size) + np.arange(total, dtype=np.int64) - start


@dataclass(frozen=True)
class Instances:
    """Instances of one motif. m instances; ``hub``: (m,) the account at the centre (fan hub,
    cycle origin, scatter-gather source, gather-scatter middle, first source of a block);
    ``start``, ``end``: (m,) first and last payment times (int64 s); ``txns``: payment indices
    of instance i are ``txns[txn_offsets[i]:txn_offsets[i + 1]]``; likewise ``accounts``."""

    kind: str
    hub: I64
    start: I64
    end: I64
    txn_offsets: I64
    txns: I64
    account_offsets: I64
    accounts: I64

    def __len__(self) -> int:
        return int(self.hub.size)

    def txns_of(self, i: int) -> I64:
        return self.txns[self.txn_offsets[i] : self.txn_offsets[i + 1]]

    def accounts_of(self, i: int) -> I64:
        return self.accounts[self.account_offsets[i] : self.account_offsets[i + 1]]

    def account_counts(self, n_accounts: int) -> I64:
        """(n_accounts,) how many instances each account takes part in."""
        return np.bincount(self.accounts, minlength=n_accounts).astype(np.int64)

    def txn_counts(self, n_txns: int) -> I64:
        """(n_txns,) how many instances each payment belongs to."""
        return np.bincount(self.txns, minlength=n_txns).astype(np.int64)


@dataclass(frozen=True)
class EdgeSet:
    """Payments as arrays (n_txns each) and the ones that can be in a motif (``valid``: both
    sides present and different), sorted by (payer, time) and by (payee, time)."""

    src: I64
    dst: I64
    ts: I64
    amount: npt.NDArray[np.float64]
    valid: I64
    n_accounts: int
    by_src: SortedItems
    by_dst: SortedItems

    @property
    def n_txns(self) -> int:
        return int(self.src.size)

    @classmethod
    def build(
        cls,
        src: npt.ArrayLike,
        dst: npt.ArrayLike,
        ts: npt.ArrayLike,
        amount: npt.ArrayLike,
        *,
        n_accounts: int | None = None,
    ) -> EdgeSet:
        arrays = [np.asarray(x) for x in (src, dst, ts, amount)]
        names = ("src", "dst", "ts", "amount")
        for name, x in zip(names, arrays, strict=True):
            if x.ndim != 1 or x.size != arrays[0].size:
                raise ParameterError(
                    f"{name}: expected a 1-d array of {arrays[0].size} elements (as src),"
                    f" got shape {x.shape}"
                )
            if name != "amount" and x.size and not np.issubdtype(x.dtype, np.integer):
                raise ParameterError(f"{name}: expected integers, got dtype {x.dtype}")
        s, d, t = (x.astype(np.int64) for x in arrays[:3])
        top = int(max(s.max(initial=-1), d.max(initial=-1))) + 1
        n = top if n_accounts is None else int(n_accounts)
        if n < top:
            raise ParameterError(f"n_accounts: {n} is less than the largest index + 1 ({top})")
        valid = np.flatnonzero((s >= 0) & (d >= 0) & (s != d)).astype(np.int64)
        t_min = int(t[valid].min(initial=0))
        t_max = int(t[valid].max(initial=0))
        by_src = SortedItems(s[valid], t[valid], t_min, t_max, valid)
        by_dst = SortedItems(d[valid], t[valid], t_min, t_max, valid)
        amt = arrays[3].astype(np.float64)
        return cls(s, d, t, amt, valid, n, by_src, by_dst)


def pack_instances(
    kind: str,
    g: EdgeSet,
    hub: I64,
    member_inst: I64,
    member_edge: I64,
    max_instances: int,
    max_txns: int,
) -> tuple[Instances, bool]:
    """Instances from (instance, payment) membership pairs: duplicates dropped, at most
    ``max_instances`` kept (the earliest) and ``max_txns`` payments each (the earliest). Returns
    the instances and whether a cap dropped something."""
    cut = False
    m = int(hub.size)
    pair = np.unique(member_inst.astype(np.int64) * max(g.n_txns, 1) + member_edge)
    inst, edge = pair // max(g.n_txns, 1), pair % max(g.n_txns, 1)
    first_ts = np.full(m, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_ts, inst, g.ts[edge])
    keep_inst = np.flatnonzero(first_ts < np.iinfo(np.int64).max)
    if keep_inst.size > max_instances:
        keep_inst = keep_inst[np.argsort(first_ts[keep_inst], kind="stable")[:max_instances]]
        keep_inst.sort()
        cut = True
    renumber = np.full(m, -1, dtype=np.int64)
    renumber[keep_inst] = np.arange(keep_inst.size)
    inst = renumber[inst]
    edge = edge[inst >= 0]
    inst = inst[inst >= 0]
    # Earliest payments first within each instance, then cap.
    order = np.lexsort((edge, g.ts[edge], inst))
    inst, edge = inst[order], edge[order]
    size = np.bincount(inst, minlength=keep_inst.size)
    rank = np.arange(inst.size) - np.repeat(np.cumsum(size) - size, size)
    if (rank >= max_txns).any():
        cut = True
        inst, edge = inst[rank < max_txns], edge[rank < max_txns]
        size = np.minimum(size, max_txns)
    offsets = np.concatenate([[0], np.cumsum(size)]).astype(np.int64)
    times = g.ts[edge]
    start = np.minimum.reduceat(times, offsets[:-1]) if edge.size else times
    end = np.maximum.reduceat(times, offsets[:-1]) if edge.size else times
    n_acc = max(g.n_accounts, 1)
    accs = np.unique(np.concatenate([inst * n_acc + g.src[edge], inst * n_acc + g.dst[edge]]))
    acc_inst, acc = accs // n_acc, accs % n_acc
    acc_offsets = np.concatenate([[0], np.cumsum(np.bincount(acc_inst, minlength=size.size))])
    instances = Instances(
        kind=kind,
        hub=hub[keep_inst].astype(np.int64),
        start=start.astype(np.int64),
        end=end.astype(np.int64),
        txn_offsets=offsets,
        txns=edge.astype(np.int64),
        account_offsets=acc_offsets.astype(np.int64),
        accounts=acc.astype(np.int64),
    )
    return instances, cut
