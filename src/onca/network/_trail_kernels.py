"""The two sequential passes of a trace, compiled with Numba: first-in-first-out attribution and
widest time-respecting paths. Both walk the traced payments in the order money is followed and
cannot be vectorised (each step reads balances or path widths the steps before it wrote).

Inputs are parallel arrays over the m traced payments: ``near`` and ``far`` (int64 account
codes: the end nearer the start of the trace and the other end), ``ts`` (int64 seconds) and
``amount`` (float64 US dollars); ``order`` is the follow order (m,) and ``is_start`` (n,) marks
the start accounts among the n account codes. Money arriving in one second moves on from the
next second on, so updates made within a second are applied when the second changes.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


@njit(cache=True, nogil=True)
def fifo_attribution(
    order: I64,
    near: I64,
    far: I64,
    ts: I64,
    amount: F64,
    is_start: npt.NDArray[np.bool_],
) -> tuple[F64, F64, F64]:
    """(attributed (m,), sent (n,), received (n,)): each payment carries min(amount, balance of
    traced money at its near end); the start accounts have no limit."""
    n = is_start.size
    balance = np.zeros(n)
    sent = np.zeros(n)
    received = np.zeros(n)
    attributed = np.zeros(near.size)
    pending_far = np.empty(order.size, np.int64)
    pending_share = np.empty(order.size)
    waiting = 0
    second = 0
    for step in range(order.size):
        i = order[step]
        if step == 0 or ts[i] != second:
            for j in range(waiting):
                balance[pending_far[j]] += pending_share[j]
            waiting = 0
            second = ts[i]
        a = near[i]
        if is_start[a]:
            share = amount[i]
        else:
            have = balance[a]
            share = amount[i] if amount[i] < have else have
            balance[a] = have - share
        attributed[i] = share
        sent[a] += share
        received[far[i]] += share
        pending_far[waiting] = far[i]
        pending_share[waiting] = share
        waiting += 1
    return attributed, sent, received


@njit(cache=True, nogil=True)
def widest_paths(
    order: I64,
    near: I64,
    far: I64,
    ts: I64,
    share: F64,
    is_start: npt.NDArray[np.bool_],
    hops: int,
) -> tuple[F64, I64, I64, I64]:
    """Widest paths of exactly k payments (k = 1..hops) to every account.

    Returns ``best`` (n, hops + 1): the largest bottleneck (smallest ``share`` on the path)
    reaching each account in k payments (0: none); ``via`` (n, hops + 1): the step that ends
    that path (-1: none); ``step_payment`` and ``step_before``: per step, its payment and the
    step before it on the path (-1 at the start). Payments with no share or into a start account
    extend no path; of equal widths the first found is kept."""
    n = is_start.size
    best = np.zeros((n, hops + 1))
    via = np.full((n, hops + 1), -1, np.int64)
    for a in range(n):
        if is_start[a]:
            best[a, 0] = np.inf
    capacity = 1024
    step_payment = np.empty(capacity, np.int64)
    step_before = np.empty(capacity, np.int64)
    steps = 0
    pend_far = np.empty(capacity, np.int64)
    pend_k = np.empty(capacity, np.int64)
    pend_width = np.empty(capacity)
    pend_step = np.empty(capacity, np.int64)
    waiting = 0
    second = 0
    for s in range(order.size + 1):
        last = s == order.size
        i = order[s] if not last else 0
        if last or s == 0 or ts[i] != second:
            for j in range(waiting):
                f, k = pend_far[j], pend_k[j]
                if pend_width[j] > best[f, k]:
                    best[f, k] = pend_width[j]
                    via[f, k] = pend_step[j]
            waiting = 0
            if last:
                break
            second = ts[i]
        a, b, w = near[i], far[i], share[i]
        if w <= 0 or is_start[b]:
            continue
        for k in range(1, hops + 1):
            width = w if w < best[a, k - 1] else best[a, k - 1]
            if width <= 0 or width <= best[b, k]:
                continue  # cannot win: best only grows until the second changes
            if steps == step_payment.size:
                step_payment = np.concatenate((step_payment, np.empty(steps, np.int64)))
                step_before = np.concatenate((step_before, np.empty(steps, np.int64)))
            if waiting == pend_far.size:
                pend_far = np.concatenate((pend_far, np.empty(waiting, np.int64)))
                pend_k = np.concatenate((pend_k, np.empty(waiting, np.int64)))
                pend_width = np.concatenate((pend_width, np.empty(waiting)))
                pend_step = np.concatenate((pend_step, np.empty(waiting, np.int64)))
            step_payment[steps] = i
            step_before[steps] = via[a, k - 1]
            pend_far[waiting], pend_k[waiting] = b, k
            pend_width[waiting], pend_step[waiting] = width, steps
            steps += 1
            waiting += 1
    return best, via, step_payment[:steps], step_before[:steps]
