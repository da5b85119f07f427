"""The two element-wise passes of an SCR likelihood evaluation, compiled with Numba: hazards
over every (mask point, detector) pair, and a log-sum-exp per animal over mask points. In
NumPy each is several passes over an (M, K) array; fused, an evaluation on secr's captdata
(3,936 points x 100 traps) takes about a third of the time."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit, prange

F64 = npt.NDArray[np.float64]


@njit(cache=True, parallel=True)
def hazard_matrix(distance: F64, scale: float, log_p0: float, probability: bool) -> tuple[F64, F64]:
    """(h, log h) for each entry of ``distance`` (squared distance for half-normal shapes,
    with scale = 1 / (2 sigma^2); distance for exponential ones, scale = 1 / sigma).
    ``probability``: g = p0 * kernel and h = -log(1 - g) (HN, EX); else h = p0 * kernel."""
    rows, cols = distance.shape
    h = np.empty((rows, cols))
    log_h = np.empty((rows, cols))
    for m in prange(rows):
        for k in range(cols):
            log_k = log_p0 - distance[m, k] * scale
            if probability:
                g = math.exp(log_k)
                if g < 1e-8:  # -log(1 - g) = g (1 + g/2 + ...)
                    h[m, k] = g * (1.0 + 0.5 * g)
                    log_h[m, k] = log_k + math.log1p(0.5 * g)
                else:
                    v = -math.log1p(-g)
                    h[m, k] = v
                    log_h[m, k] = math.log(v)
            else:
                h[m, k] = math.exp(log_k)
                log_h[m, k] = log_k
    return h, log_h


CUT = -60.0  # exp(-60) ~ 1e-26: smaller terms change no sum, and denormals are slow


@njit(cache=True, parallel=True)
def logsumexp_rows(values: F64, offset: F64) -> F64:
    """(n,): log sum_m exp(values[i, m] + offset[m])."""
    rows, cols = values.shape
    out = np.empty(rows)
    for i in prange(rows):
        top = -np.inf
        for m in range(cols):
            v = values[i, m] + offset[m]
            if v > top:
                top = v
        if top == -np.inf:
            out[i] = -np.inf
            continue
        total = 0.0
        for m in range(cols):
            d = values[i, m] + offset[m] - top
            if d > CUT:
                total += math.exp(d)
        out[i] = top + math.log(total)
    return out


@njit(cache=True, parallel=True)
def posterior_rows(values: F64, offset: F64, norm: F64) -> F64:
    """(n, M): exp(values[i, m] + offset[m] - norm[i]), terms below exp(CUT) set to 0."""
    rows, cols = values.shape
    out = np.zeros((rows, cols))
    for i in prange(rows):
        for m in range(cols):
            d = values[i, m] + offset[m] - norm[i]
            if d > CUT:
                out[i, m] = math.exp(d)
    return out
