"""Simulating detection histories from occupancy models, for simulation studies and the demo."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.special import expit

from onca.ecology.occupancy._data import DetectionHistory

F64 = npt.NDArray[np.float64]


def simulate_occu(
    psi: F64,
    p: F64,
    rng: np.random.Generator,
    *,
    surveyed: npt.NDArray[np.bool_] | None = None,
    site_covs: dict[str, npt.NDArray[np.generic]] | None = None,
    obs_covs: dict[str, F64] | None = None,
) -> tuple[DetectionHistory, npt.NDArray[np.bool_]]:
    """Occupancy ``z ~ Bernoulli(psi)`` (S,) and detections ``y ~ Bernoulli(z p)`` (S, J);
    NaN where not ``surveyed``. Returns the history and the true z."""
    z = rng.random(psi.shape) < psi
    y = (rng.random(p.shape) < p * z[:, None]).astype(np.float64)
    if surveyed is not None:
        y = np.where(surveyed, y, np.nan)
    sites = tuple(f"S{i + 1:04d}" for i in range(len(psi)))
    return DetectionHistory(sites, y, dict(site_covs or {}), dict(obs_covs or {})), z


def simulate_rn(
    lam: F64, r: F64, rng: np.random.Generator
) -> tuple[DetectionHistory, npt.NDArray[np.int64]]:
    """Royle-Nichols: N ~ Poisson(lambda) (S,), y ~ Bernoulli(1 - (1 - r)^N) (S, J)."""
    n = rng.poisson(lam)
    p = 1.0 - (1.0 - r) ** n[:, None]
    y = (rng.random(r.shape) < p).astype(np.float64)
    return DetectionHistory(tuple(f"S{i + 1:04d}" for i in range(len(lam))), y), n


def logistic(x: F64) -> F64:
    return np.asarray(expit(x), dtype=np.float64)
