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
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from onca.errors import ParameterError
from onca.network._coded import CodedEdges, CodedSource, coded
from onca.network._flows import ALWAYS, NEVER, Direction, FlowSource, HopLimits
from onca.network._trail_kernels import fifo_attribution, widest_paths

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

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


@dataclass(frozen=True)
class _Traced:
    """The traced payments as arrays (m,), in the order they were traced, with their codes."""

    source: CodedSource
    key: I64
    src: I64
    dst: I64
    ts: I64
    amount: F64
    hop: I64
    attributed: F64

    @classmethod
    def empty(cls, source: CodedSource) -> _Traced:
        i, f = np.empty(0, np.int64), np.empty(0, np.float64)
        return cls(source, i, i, i, i, f, i, f)

    def time_order(self) -> I64:
        """Payment numbers by time, then transaction id."""
        return np.lexsort((self.source.txn_rank(self.key), self.ts))

    def payments(self, rows: I64, direction: Direction) -> list[TracedPayment]:
        ids = self.source.txn_names(self.key[rows])
        src = self.source.account_names(self.src[rows])
        dst = self.source.account_names(self.dst[rows])
        columns = (
            self.ts[rows].tolist(),
            self.amount[rows].tolist(),
            self.hop[rows].tolist(),
            self.attributed[rows].tolist(),
        )
        return [
            TracedPayment(t, a, b, ts, amount, hop, direction, share)
            for t, a, b, ts, amount, hop, share in zip(ids, src, dst, *columns, strict=True)
        ]


@dataclass
class MoneyTrail:
    """What one trace in one direction found. ``payments`` (every traced transaction, by time)
    is built when first read: a trace of a million transactions does not make a million
    objects unless asked to."""

    direction: Direction
    start: tuple[str, ...]
    reached: dict[str, tuple[int, int]]  # account -> (hop, time of earliest arrival/latest send)
    paths: list[TracedPath]
    received: dict[str, float] = field(default_factory=dict)  # attributed money in, per account
    sent: dict[str, float] = field(default_factory=dict)  # attributed money out, per account
    truncated: bool = False
    notes: list[str] = field(default_factory=list)
    traced: _Traced | None = field(default=None, repr=False)
    start_total: float = 0.0
    _payments: list[TracedPayment] | None = field(default=None, repr=False)

    @property
    def payments(self) -> list[TracedPayment]:
        """Every traced transaction, by time then id, with its attributed amount."""
        if self._payments is None:
            t = self.traced
            self._payments = [] if t is None else t.payments(t.time_order(), self.direction)
        return self._payments

    def __len__(self) -> int:
        """Transactions traced."""
        return 0 if self.traced is None else int(self.traced.key.size)

    def pass_through(self, account: str) -> float | None:
        """Attributed out over attributed in (None for the start and for accounts with no in)."""
        got = self.received.get(account, 0.0)
        if account in self.start or got <= 0:
            return None
        return self.sent.get(account, 0.0) / got

    @property
    def total(self) -> float:
        """Traced money leaving the start (forward) or reaching it (backward), in US dollars."""
        return self.start_total


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
    source = coded(flows)
    reach = _Reach(source, source.accounts(origins), NEVER if forward else ALWAYS)
    found: list[CodedEdges] = []
    taken = 0
    truncated = False
    for hop in range(1, hops + 1):
        batch = source.step(
            reach.frontier,
            reach.frontier_at,
            direction,
            HopLimits(lo, hi, max(min_amount, SMALLEST_AMOUNT), max_edges + 1),
        )
        truncated = truncated or len(batch) > max_edges
        batch = batch.take(np.argsort(-batch.amount, kind="stable"))  # the budget keeps the largest
        reach.grow()
        batch = batch.take(~reach.seen[batch.key] & (batch.src != batch.dst))
        if len(batch) > max_edges - taken:
            truncated = True
            batch = batch.take(np.arange(max_edges - taken))
        reach.seen[batch.key] = True
        found.append(batch)
        taken += len(batch)
        reach.advance(batch.dst if forward else batch.src, batch.ts, hop, forward)
        if truncated or reach.frontier.size == 0:
            break
    traced = _concat(source, found)
    trail = MoneyTrail(direction, origins, {}, [], truncated=truncated, traced=traced)
    near, far = (traced.src, traced.dst) if forward else (traced.dst, traced.src)
    is_start = reach.is_start()
    follow = _follow_order(traced, forward)
    attributed, sent, received = fifo_attribution(
        follow, near, far, traced.ts, traced.amount, is_start
    )
    traced.attributed[:] = attributed
    trail.start_total = float(attributed[is_start[near]].sum())
    touched = np.unique(np.concatenate([near, far]))
    names = source.account_names(touched)
    trail.sent = dict(zip(names, sent[touched].tolist(), strict=True))
    trail.received = dict(zip(names, received[touched].tolist(), strict=True))
    trail.reached = reach.reached(origins, received)  # some traced money got there
    trail.paths = _widest_paths(traced, follow, near, far, is_start, forward, hops, top_paths)
    if truncated:
        trail.notes.append(
            f"cut short at {max_edges:,} transactions (--max-edges): raise it, narrow the time "
            "window or raise --min-amount to see the rest"
        )
    if len(trail) == 0:
        trail.notes.append(
            "no money moved "
            + ("out of" if forward else "into")
            + " the start in the window (after --min-amount)"
        )
    return trail


class _Reach:
    """Which accounts a trace reached, at which hop and time, as arrays over account codes
    (grown as a source hands out new codes). Forward, an account's time is the earliest
    arrival of money; backward, the latest moment it sent money on towards the start."""

    def __init__(self, source: CodedSource, origins: I64, open_time: int) -> None:
        self.source = source
        self.origins = origins
        self.open_time = open_time
        self.hop = np.full(source.n_accounts, -1, np.int64)
        self.time = np.zeros(source.n_accounts, np.int64)
        self.seen = np.zeros(source.n_keys, bool)
        self.grow()
        self.hop[origins] = 0
        self.time[origins] = open_time
        self.frontier, self.frontier_at = origins, np.full(origins.size, open_time, np.int64)

    def grow(self) -> None:
        n, m = self.source.n_accounts, self.source.n_keys
        if n > self.hop.size:
            self.hop = np.concatenate([self.hop, np.full(n - self.hop.size, -1, np.int64)])
            self.time = np.concatenate([self.time, np.zeros(n - self.time.size, np.int64)])
        if m > self.seen.size:
            self.seen = np.concatenate([self.seen, np.zeros(m - self.seen.size, bool)])

    def is_start(self) -> npt.NDArray[np.bool_]:
        self.grow()
        flags = np.zeros(self.hop.size, bool)
        flags[self.origins] = True
        return flags

    def advance(self, far: I64, ts: I64, hop: int, forward: bool) -> None:
        """The next frontier: accounts the hop's payments reach earlier (forward) or later
        (backward) than known; payments back into the start are not followed."""
        follow = self.hop[far] != 0
        far, ts = far[follow], ts[follow]
        accounts, inverse = np.unique(far, return_inverse=True)
        if forward:
            best = np.full(accounts.size, ALWAYS, np.int64)
            np.minimum.at(best, inverse, ts)
        else:
            best = np.full(accounts.size, NEVER, np.int64)
            np.maximum.at(best, inverse, ts)
        known = self.hop[accounts] >= 0
        then = self.time[accounts]
        better = ~known | ((best < then) if forward else (best > then))
        self.hop[accounts[better & ~known]] = hop
        self.time[accounts[better]] = best[better]
        self.frontier, self.frontier_at = accounts[better], best[better]

    def reached(self, origins: tuple[str, ...], received: F64) -> dict[str, tuple[int, int]]:
        """Account -> (hop, time): the start, and accounts some traced money got to."""
        out = {a: (0, self.open_time) for a in origins}
        codes = np.flatnonzero((self.hop > 0) & (received[: self.hop.size] > 0))
        names = self.source.account_names(codes)
        hops, times = self.hop[codes].tolist(), self.time[codes].tolist()
        out.update((a, (h, t)) for a, h, t in zip(names, hops, times, strict=True))
        return out


def _concat(source: CodedSource, found: list[CodedEdges]) -> _Traced:
    if not found:
        return _Traced.empty(source)
    hop = np.concatenate([np.full(len(b), h, np.int64) for h, b in enumerate(found, start=1)])
    return _Traced(
        source,
        np.concatenate([b.key for b in found]),
        np.concatenate([b.src for b in found]),
        np.concatenate([b.dst for b in found]),
        np.concatenate([b.ts for b in found]),
        np.concatenate([b.amount for b in found]),
        hop,
        np.zeros(hop.size),
    )


def _follow_order(traced: _Traced, forward: bool) -> I64:
    """Payment numbers in the order money is followed: by time (latest first backward), then id."""
    rank = traced.source.txn_rank(traced.key)
    return np.lexsort((rank, traced.ts if forward else -traced.ts)).astype(np.int64)


def _widest_paths(
    traced: _Traced,
    follow: I64,
    near: I64,
    far: I64,
    is_start: npt.NDArray[np.bool_],
    forward: bool,
    hops: int,
    top: int,
) -> list[TracedPath]:
    """For each reached account, the widest path of at most ``hops`` payments from the start;
    the ``top`` widest (ties: fewer payments, then account id)."""
    if traced.key.size == 0:
        return []
    best, via, step_payment, step_before = widest_paths(
        follow, near, far, traced.ts, traced.attributed, is_start, hops
    )
    widths = best[:, 1:]
    k = np.argmax(widths, axis=1)  # the first of equal widths: the fewest payments
    width = widths[np.arange(widths.shape[0]), k]
    ends = np.flatnonzero((width > 0) & ~is_start)
    if ends.size == 0:
        return []
    names = np.array(traced.source.account_names(ends.astype(np.int64)), dtype=object)
    ends = ends[np.lexsort((names, k[ends], -width[ends]))][:top]
    direction: Direction = "forward" if forward else "backward"
    paths = []
    for account in ends.tolist():
        rows = []
        step = int(via[account, k[account] + 1])
        while step >= 0:
            rows.append(int(step_payment[step]))
            step = int(step_before[step])
        if forward:
            rows.reverse()
        chain = tuple(traced.payments(np.array(rows, np.int64), direction))
        accounts = (chain[0].src, *(p.dst for p in chain))
        paths.append(TracedPath(direction, accounts, chain, float(width[account])))
    return paths
