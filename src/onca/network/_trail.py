"""Time-respecting follow-the-money tracing over a flow source.

A trace starts from a set of accounts and moves one hop at a time:

- **forward**: money can only move on after it arrived. The start accounts hold money from the
  start of the window; an account reached at time t (its earliest arrival) passes money on only in
  transactions strictly after t.
- **backward**: where did the money come from? An account reached at time t (the latest moment it
  sent money on towards the start) can only have received it strictly before t.

Reachability is exact and bounded: at most ``hops`` hops, within ``[since, until]``, transactions of
at least ``min_amount`` US dollars, and at most ``max_edges`` transactions in all (the trace says it
was cut short when that bound is hit). Cycles cannot make it loop: time only moves one way.

**Amounts are attributed** after reachability, in time order, first in, first out: every account
keeps a balance of traced money; a transaction carries ``min(amount, balance)`` of it on (the start
accounts have no limit). So the attributed amount is conserved along every path: an account never
passes on more traced money than reached it. Backward, the same runs in reverse time on demands.
An account's pass-through ratio is what it passed on over what it received.

**Paths** are the widest time-respecting paths (largest bottleneck of attributed amounts) from the
start to each reached account within the hop bound; the trail keeps the ``top_paths`` widest.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from onca.errors import ParameterError
from onca.network._flows import ALWAYS, NEVER, Direction, FlowSource

SMALLEST_AMOUNT = 0.01  # US dollars: transactions of zero move no money and are not traced


@dataclass(frozen=True, slots=True)
class TracedPayment:
    """One traced transaction: ``hop`` is its distance from the start (1 = touches the start)."""

    txn_id: str
    src: str
    dst: str
    ts: int
    amount: float
    hop: int
    direction: Direction
    attributed: float = 0.0


@dataclass(frozen=True)
class TracedPath:
    """A path of payments, in the order the money moved (from source to destination)."""

    direction: Direction
    accounts: tuple[str, ...]
    payments: tuple[TracedPayment, ...]
    amount: float  # the bottleneck: smallest attributed amount along the path

    @property
    def hops(self) -> int:
        return len(self.payments)


@dataclass
class MoneyTrail:
    """What one trace in one direction found."""

    direction: Direction
    start: tuple[str, ...]
    payments: list[TracedPayment]
    reached: dict[str, tuple[int, int]]  # account -> (hop, time of earliest arrival/latest send)
    paths: list[TracedPath]
    received: dict[str, float] = field(default_factory=dict)  # attributed money in, per account
    sent: dict[str, float] = field(default_factory=dict)  # attributed money out, per account
    truncated: bool = False
    notes: list[str] = field(default_factory=list)

    def pass_through(self, account: str) -> float | None:
        """Attributed out over attributed in (None for the start and for accounts with no in)."""
        got = self.received.get(account, 0.0)
        if account in self.start or got <= 0:
            return None
        return self.sent.get(account, 0.0) / got

    @property
    def total(self) -> float:
        """Traced money leaving the start (forward) or reaching it (backward), in US dollars."""
        return sum(p.attributed for p in self.payments if _origin(p) in self.start)


def _origin(p: TracedPayment) -> str:
    """The end of a payment nearer the start of the trace."""
    return p.src if p.direction == "forward" else p.dst


def _far(p: TracedPayment) -> str:
    return p.dst if p.direction == "forward" else p.src


def _check(hops: int, since: int, until: int, min_amount: float, max_edges: int) -> None:
    if not 1 <= hops <= 20:
        raise ParameterError(f"--hops: expected 1 to 20, got {hops}")
    if since > until:
        raise ParameterError("--since is after --until: the time window is empty")
    if not math.isfinite(min_amount) or min_amount < 0:
        raise ParameterError(f"--min-amount: expected zero or more US dollars, got {min_amount}")
    if max_edges < 1:
        raise ParameterError(f"--max-edges: expected at least 1, got {max_edges}")


def trace_flows(
    flows: FlowSource,
    start: Iterable[str],
    direction: Direction,
    *,
    hops: int = 4,
    since: int | None = None,
    until: int | None = None,
    min_amount: float = 0.0,
    max_edges: int = 50_000,
    top_paths: int = 25,
) -> MoneyTrail:
    """Trace money from (forward) or to (backward) the ``start`` accounts. See the module doc."""
    lo = NEVER if since is None else int(since)
    hi = ALWAYS if until is None else int(until)
    _check(hops, lo, hi, min_amount, max_edges)
    origins = tuple(sorted(set(start)))
    forward = direction == "forward"
    open_time = NEVER if forward else ALWAYS
    known = {a: (0, open_time) for a in origins}
    frontier = {a: open_time for a in origins}
    cols = _Columns()
    truncated = False
    for hop in range(1, hops + 1):
        batch = flows.step(
            frontier,
            direction,
            since=lo,
            until=hi,
            min_amount=max(min_amount, SMALLEST_AMOUNT),
            limit=max_edges + 1,
        )
        truncated = truncated or len(batch) > max_edges
        better: dict[str, int] = {}
        order = np.argsort(-batch.amount, kind="stable")  # the budget keeps the largest
        for i, ts, amount in zip(
            order.tolist(), batch.ts[order].tolist(), batch.amount[order].tolist(), strict=True
        ):
            txn, src, dst = batch.txn_id[i], batch.src[i], batch.dst[i]
            if txn in cols.seen or src == dst:
                continue
            if len(cols.ids) >= max_edges:
                truncated = True
                break
            cols.add(txn, src, dst, ts, amount, hop)
            far = dst if forward else src
            if far in origins:  # back at the start: recorded, not followed again
                continue
            seen = better.get(far, known[far][1] if far in known else None)
            if seen is None or (ts < seen if forward else ts > seen):
                better[far] = ts
        for account, ts in better.items():
            known[account] = (known[account][0] if account in known else hop, ts)
        frontier = better
        if truncated or not frontier:
            break
    trail = MoneyTrail(direction, origins, [], known, [], truncated=truncated)
    follow = cols.follow_order(forward)
    attributed = _attribute(cols, follow, set(origins), forward, trail)
    trail.payments = [
        TracedPayment(
            cols.ids[i],
            cols.src[i],
            cols.dst[i],
            cols.ts[i],
            cols.amount[i],
            cols.hop[i],
            direction,
            attributed[i],
        )
        for i in cols.follow_order(True)
    ]
    trail.reached = {  # reached = some traced money got there, not just a payment
        a: v for a, v in known.items() if a in origins or trail.received.get(a, 0.0) > 0
    }
    trail.paths = _widest_paths(
        trail.payments, cols, follow, attributed, set(origins), forward, hops, top_paths
    )
    if truncated:
        trail.notes.append(
            f"cut short at {max_edges:,} transactions (--max-edges): raise it, narrow the time "
            "window or raise --min-amount to see the rest"
        )
    if not trail.payments:
        trail.notes.append(
            "no money moved "
            + ("out of" if forward else "into")
            + " the start in the window (after --min-amount)"
        )
    return trail


@dataclass
class _Columns:
    """Traced transactions as parallel lists (cheaper than objects while tracing)."""

    ids: list[str] = field(default_factory=list)
    src: list[str] = field(default_factory=list)
    dst: list[str] = field(default_factory=list)
    ts: list[int] = field(default_factory=list)
    amount: list[float] = field(default_factory=list)
    hop: list[int] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def add(self, txn: str, src: str, dst: str, ts: int, amount: float, hop: int) -> None:
        self.seen.add(txn)
        self.ids.append(txn)
        self.src.append(src)
        self.dst.append(dst)
        self.ts.append(ts)
        self.amount.append(amount)
        self.hop.append(hop)

    def follow_order(self, forward: bool) -> list[int]:
        """Row numbers in the order money is followed: by time (latest first backward), then id."""
        if not self.ids:
            return []
        ts = np.asarray(self.ts, np.int64)
        return np.lexsort((np.asarray(self.ids), ts if forward else -ts)).tolist()


def _attribute(
    cols: _Columns, follow: list[int], start: set[str], forward: bool, trail: MoneyTrail
) -> list[float]:
    """First in, first out attribution (module doc), per row; fills trail.received and .sent."""
    near_of, far_of = (cols.src, cols.dst) if forward else (cols.dst, cols.src)
    balance: defaultdict[str, float] = defaultdict(float)
    sent: defaultdict[str, float] = defaultdict(float)
    received: defaultdict[str, float] = defaultdict(float)
    attributed = [0.0] * len(cols.ids)
    arriving: list[tuple[str, float]] = []
    second = None
    for i in follow:
        if cols.ts[i] != second:  # money arriving in one second moves on from the next one
            for far, share in arriving:
                balance[far] += share
            arriving.clear()
            second = cols.ts[i]
        near, amount = near_of[i], cols.amount[i]
        if near in start:
            share = amount
        else:
            have = balance[near]
            share = amount if amount < have else have
            balance[near] = have - share
        attributed[i] = share
        sent[near] += share
        received[far_of[i]] += share
        arriving.append((far_of[i], share))
    trail.sent, trail.received = dict(sent), dict(received)
    return attributed


def _apply(
    updates: list[tuple[str, int, float, _Step]],
    best: dict[str, list[float]],
    via: dict[str, list[_Step | None]],
) -> None:
    for far, k, width, step in updates:
        if width > best[far][k]:
            best[far][k] = width
            via[far][k] = step
    updates.clear()


@dataclass(frozen=True, slots=True)
class _Step:
    """A payment on a widest path and the step before it (None at the start)."""

    payment: TracedPayment
    before: _Step | None


def _widest_paths(
    payments: list[TracedPayment],
    cols: _Columns,
    follow: list[int],
    attributed: list[float],
    start: set[str],
    forward: bool,
    hops: int,
    top: int,
) -> list[TracedPath]:
    """For each reached account, the widest path of at most ``hops`` payments from the start."""
    by_id = {p.txn_id: p for p in payments}
    near_of, far_of = (cols.src, cols.dst) if forward else (cols.dst, cols.src)
    # best[a][k]: the widest bottleneck reaching a in exactly k payments; via[a][k]: how
    opening = [math.inf] + [0.0] * hops
    best: dict[str, list[float]] = defaultdict(lambda: [0.0] * (hops + 1))
    via: dict[str, list[_Step | None]] = defaultdict(lambda: [None] * (hops + 1))
    for account in start:
        best[account] = list(opening)
    updates: list[tuple[str, int, float, _Step]] = []
    second = None
    for i in follow:
        if cols.ts[i] != second:  # arrivals count from the next second on
            _apply(updates, best, via)
            second = cols.ts[i]
        near, far, share = near_of[i], far_of[i], attributed[i]
        if share <= 0 or far in start:
            continue
        widths = best[near]
        for k in range(1, hops + 1):
            width = share if share < widths[k - 1] else widths[k - 1]
            if width > 0:
                updates.append((far, k, width, _Step(by_id[cols.ids[i]], via[near][k - 1])))
    _apply(updates, best, via)
    ends: list[tuple[float, int, str]] = []
    for account, widths in best.items():
        if account in start:
            continue
        k = max(range(1, hops + 1), key=lambda i: (widths[i], -i))
        if widths[k] > 0:
            ends.append((widths[k], k, account))
    ends.sort(key=lambda e: (-e[0], e[1], e[2]))
    paths = []
    for width, k, account in ends[:top]:
        chain: list[TracedPayment] = []
        node = via[account][k]
        while node is not None:
            chain.append(node.payment)
            node = node.before
        if forward:
            chain.reverse()
        accounts = (chain[0].src, *(p.dst for p in chain))
        paths.append(
            TracedPath("forward" if forward else "backward", accounts, tuple(chain), width)
        )
    return paths
