"""Goodness of fit: the MacKenzie-Bailey (2004) chi-square by parametric bootstrap.

Sites are grouped into cohorts that share which occasions were surveyed. Within a cohort of
at most ``max_enumerate`` surveyed occasions, the statistic compares the observed number of
sites with each possible detection history to the number the fitted model expects,
sum (O - E)^2 / E. With more occasions (2^J histories), histories are collapsed to the number
of detections (0..J), whose probabilities per site follow from the model by convolution. The
statistic's distribution comes from ``B`` data sets simulated from the fitted model and refitted;
the p-value is (1 + #(T* >= T)) / (B + 1) and c-hat = T / mean(T*) (overdispersion when > 1).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import expit, gammaln

from onca.ecology.occupancy._data import DetectionHistory

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class GofResult:
    statistic: float
    p_value: float
    c_hat: float
    bootstrap_mean: float
    replicates: int
    failed: int

    def to_dict(self) -> dict[str, float | int]:
        return dict(self.__dict__)


def _components(model: Any, beta: F64) -> tuple[F64, F64]:
    """Mixture weights (S, C) and detection probabilities (S, J, C) of each site's history."""
    d = model.design_
    a = d.state.shape[1]
    state = d.state @ beta[:a]
    detect = expit(d.detect @ beta[a:])
    if model.model == "occu":
        psi = expit(state)
        weights = np.column_stack([psi, 1 - psi])
        probs = np.stack([detect, np.zeros_like(detect)], axis=2)
    else:
        n = np.arange(model.k_ + 1, dtype=np.float64)
        lam = np.exp(state)
        weights = np.exp(n[None, :] * np.log(lam)[:, None] - lam[:, None] - gammaln(n + 1)[None, :])
        probs = 1 - (1 - detect[:, :, None]) ** n[None, None, :]
    return weights, probs


def statistic(model: Any, beta: F64, y: F64, *, max_enumerate: int = 10) -> float:
    """The MacKenzie-Bailey chi-square of data ``y`` (S, J; NaN unsurveyed) under ``beta``."""
    weights, probs = _components(model, beta)
    surveyed = ~np.isnan(y)
    total = 0.0
    patterns, cohort = np.unique(surveyed, axis=0, return_inverse=True)
    for c, pattern in enumerate(patterns):
        sites = np.flatnonzero(np.asarray(cohort).reshape(-1) == c)
        cols = np.flatnonzero(pattern)
        yy = y[np.ix_(sites, cols)]
        pp = probs[np.ix_(sites, cols, np.arange(probs.shape[2]))]
        w = weights[sites]
        if cols.size <= max_enumerate:
            histories = np.array(list(itertools.product((0.0, 1.0), repeat=cols.size)))
            # P(site i has history h) = sum_c w_ic prod_j p^h (1 - p)^(1 - h)
            like = np.exp(
                np.einsum("hj,ijc->ihc", histories, np.log(np.clip(pp, 1e-300, 1)))
                + np.einsum("hj,ijc->ihc", 1 - histories, np.log(np.clip(1 - pp, 1e-300, 1)))
            )
            expected = np.einsum("ic,ihc->h", w, like)
            index = (yy @ (2 ** np.arange(cols.size)[::-1])).astype(int)
            observed = np.bincount(index, minlength=histories.shape[0])
        else:
            dist = _count_distribution(pp)  # (i, k, c)
            expected = np.einsum("ic,ikc->k", w, dist)
            observed = np.bincount(yy.sum(axis=1).astype(int), minlength=cols.size + 1)
        keep = expected > 1e-12
        total += float((((observed - expected) ** 2)[keep] / expected[keep]).sum())
    return total


def _count_distribution(p: F64) -> F64:
    """(S, J, C) detection probabilities -> (S, J+1, C): P(k detections) (Poisson-binomial)."""
    s, j, c = p.shape
    dist = np.zeros((s, j + 1, c))
    dist[:, 0, :] = 1.0
    for t in range(j):
        pt = p[:, t, :][:, None, :]
        shifted = np.concatenate([np.zeros((s, 1, c)), dist[:, :-1, :]], axis=1)
        dist = dist * (1 - pt) + shifted * pt
    return dist


def simulate(model: Any, beta: F64, rng: np.random.Generator) -> F64:
    """A detection history from the fitted model, with the data's surveyed occasions."""
    weights, probs = _components(model, beta)
    y = model.history_.y
    cum = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    comp = (rng.random((y.shape[0], 1)) > cum).sum(axis=1)
    comp = np.minimum(comp, probs.shape[2] - 1)
    p = probs[np.arange(y.shape[0]), :, comp]
    sim = (rng.random(y.shape) < p).astype(np.float64)
    return np.where(np.isnan(y), np.nan, sim)


def mb_gof(model: Any, replicates: int = 100, seed: int = 0) -> GofResult:
    """The parametric-bootstrap MacKenzie-Bailey test of a fitted occupancy model."""
    from onca.ecology.occupancy._models import Occupancy

    rng = np.random.default_rng(seed)
    observed = statistic(model, model.beta_, model.history_.y)
    stats, failed = [], 0
    h = model.history_
    for _ in range(replicates):
        y = simulate(model, model.beta_, rng)
        refit = Occupancy(model=model.model, psi=model.psi, p=model.p, K=model.k_)
        try:
            refit.fit(DetectionHistory(h.sites, y, h.site_covs, h.obs_covs, h.xy, h.factors))
        except Exception:  # a replicate that cannot be fitted is counted, not hidden
            failed += 1
            continue
        stats.append(statistic(refit, refit.beta_, y))
    arr = np.asarray(stats)
    mean = float(arr.mean()) if arr.size else float("nan")
    return GofResult(
        observed,
        float((1 + (arr >= observed).sum()) / (arr.size + 1)),
        observed / mean if arr.size else float("nan"),
        mean,
        replicates,
        failed,
    )
