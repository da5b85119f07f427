"""Detection functions: how the chance of detecting an animal falls with the distance d between
its activity centre and a detector.

Probability forms (secr's HN and EX): g(d) = g0 exp(-d^2 / (2 sigma^2)) and g0 exp(-d / sigma);
their hazard is h = -log(1 - g). Hazard forms (HHN and HEX): h(d) = lambda0 exp(-d^2 /
(2 sigma^2)) and lambda0 exp(-d / sigma), so g = 1 - exp(-h). Every likelihood here works with
the hazard h (per unit of usage) and its logarithm, computed without underflow far from the
detector.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from onca.ecology.scr._kernels import hazard_matrix
from onca.errors import ParameterError

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class DetectFn:
    """One detection function: ``name``, the name and link of its intercept parameter
    (``g0``, logit; or ``lambda0``, log), and whether distance enters squared."""

    name: str
    intercept: str
    link: str
    squared: bool
    title: str

    def log_kernel(self, d2: F64, d: F64, sigma: float) -> F64:
        """log of the shape (1 at d = 0)."""
        return -d2 / (2.0 * sigma * sigma) if self.squared else -d / sigma

    def hazard(self, d2: F64, d: F64, p0: float, sigma: float) -> tuple[F64, F64]:
        """(h, log h) at every distance: the hazard per unit of usage."""
        if d2.ndim == 2 and d2.flags.c_contiguous:
            distance = d2 if self.squared else d
            scale = 1.0 / (2.0 * sigma * sigma) if self.squared else 1.0 / sigma
            return hazard_matrix(distance, scale, math.log(p0), self.intercept == "g0")
        log_k = self.log_kernel(d2, d, sigma)
        if self.intercept == "lambda0":
            log_h = np.log(p0) + log_k
            return np.exp(log_h), log_h
        log_g = np.log(p0) + log_k
        g = np.exp(log_g)
        h = -np.log1p(-g)
        ratio = np.divide(h, g, out=np.ones_like(g), where=g > 1e-300)  # -> 1 as g -> 0
        return h, log_g + np.log(ratio)

    def probability(self, d: F64, p0: float, sigma: float) -> F64:
        """g(d): the chance of at least one detection in one occasion of full usage."""
        d = np.asarray(d, dtype=np.float64)
        h, _ = self.hazard(d * d, d, p0, sigma)
        return -np.expm1(-h)


DETECTFNS = {
    "HN": DetectFn("HN", "g0", "logit", True, "half-normal"),
    "EX": DetectFn("EX", "g0", "logit", False, "negative exponential"),
    "HHN": DetectFn("HHN", "lambda0", "log", True, "hazard half-normal"),
    "HEX": DetectFn("HEX", "lambda0", "log", False, "hazard negative exponential"),
}


def detectfn(name: str) -> DetectFn:
    key = str(name).upper()
    if key not in DETECTFNS:
        raise ParameterError(f"detectfn: expected one of {', '.join(DETECTFNS)}, got {name!r}")
    return DETECTFNS[key]
