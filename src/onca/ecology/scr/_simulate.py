"""Simulating SCR surveys from the model, for simulation studies, tests and the demo.

Activity centres: a Poisson number with mean D x area, uniform over the cells of a mask (each
centre uniform within its cell). Detection follows the same model the likelihood assumes
(:mod:`._likelihood`): competing hazards at multi-catch traps, independent Bernoulli (or
binomial) trials at proximity detectors and binomial counts, Poisson counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from onca.ecology.scr._data import CaptureHistory, Traps
from onca.ecology.scr._detectfn import detectfn
from onca.ecology.scr._mask import Mask
from onca.errors import ParameterError

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Simulated:
    """A simulated survey: the capture history of the detected animals, every activity centre
    ((N, 2) metres) and which of them were detected (N,)."""

    capthist: CaptureHistory
    centres: F64
    detected: npt.NDArray[np.bool_]

    @property
    def population(self) -> int:
        return int(self.centres.shape[0])


def simulate_population(region: Mask, density: float, rng: np.random.Generator) -> F64:
    """Activity centres: Poisson(D x area) of them, uniform over the region's cells."""
    if not density >= 0:
        raise ParameterError(f"density: expected animals per hectare >= 0, got {density}")
    n = int(rng.poisson(density * region.area_ha))
    cells = rng.integers(0, len(region), n)
    jitter = (rng.random((n, 2)) - 0.5) * region.spacing
    return np.asarray(region.xy[cells] + jitter, dtype=np.float64)


def simulate_captures(
    traps: Traps,
    centres: F64,
    *,
    detectfn_name: str = "HN",
    p0: float,
    sigma: float,
    occasions: int,
    rng: np.random.Generator,
    binom_n: int = 0,
    covariates: dict[str, npt.NDArray[np.generic]] | None = None,
) -> Simulated:
    """Detections of the animals centred at ``centres`` by ``traps`` over ``occasions``."""
    if occasions < 1:
        raise ParameterError(f"occasions: expected at least 1, got {occasions}")
    fn = detectfn(detectfn_name)
    diff = centres[:, None, :] - traps.xy[None, :, :]
    d2 = (diff**2).sum(axis=2)
    h, _ = fn.hazard(np.ascontiguousarray(d2), np.sqrt(d2), p0, sigma)  # (N, K)
    u = traps.effort(occasions)  # (K, S)
    n_animals, k_count = h.shape
    counts = np.zeros((n_animals, occasions, k_count), dtype=np.int64)
    for s in range(occasions):
        rate = h * u[:, s][None, :]  # (N, K) hazard on this occasion
        if traps.detector in ("multi", "single"):
            total = rate.sum(axis=1)
            caught = rng.random(n_animals) < -np.expm1(-total)
            for i in np.flatnonzero(caught):
                counts[i, s, rng.choice(k_count, p=rate[i] / total[i])] = 1
        elif traps.detector == "proximity":
            counts[:, s, :] = rng.random((n_animals, k_count)) < -np.expm1(-rate)
        elif binom_n >= 1:
            counts[:, s, :] = rng.binomial(binom_n, -np.expm1(-rate))
        else:
            counts[:, s, :] = rng.poisson(rate)
    seen = counts.sum(axis=(1, 2)) > 0
    covs = {k: np.asarray(v)[seen] for k, v in (covariates or {}).items()}
    ch = CaptureHistory(
        traps, tuple(f"A{i + 1:04d}" for i in np.flatnonzero(seen)), counts[seen], covs
    )
    return Simulated(ch, centres, seen)


def trap_grid(nx: int, ny: int, spacing: float, detector: str = "multi") -> Traps:
    """A rectangular grid of nx x ny detectors ``spacing`` metres apart, ids 1, 2, ..."""
    xy = np.array([[i * spacing, j * spacing] for j in range(ny) for i in range(nx)], float)
    return Traps(tuple(str(i + 1) for i in range(nx * ny)), xy, detector)
