"""R's default random numbers (Mersenne-Twister with set.seed's scrambling; Inversion normals),
so that tests can rebuild the data of unmarked's examples that R simulates (test_colext.R's
covariates, the colext vignette's data set) instead of shipping them. Checked against R's own
``set.seed(123); rnorm(6)`` in test_colext.py."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.special import ndtri

F64 = npt.NDArray[np.float64]
BIG = 134217728.0  # 2^27, R's norm_rand (INVERSION)


class RRandom:
    """``RRandom(123)`` draws what R draws after ``set.seed(123)``."""

    def __init__(self, seed: int) -> None:
        s = seed & 0xFFFFFFFF
        for _ in range(50):  # RNG_Init's initial scrambling
            s = (69069 * s + 1) & 0xFFFFFFFF
        words = []
        for _ in range(625):  # dummy[0] (mti, reset to 624 by FixupSeeds), then mt[624]
            s = (69069 * s + 1) & 0xFFFFFFFF
            words.append(s)
        self._mt = np.random.MT19937()
        self._mt.state = {
            "bit_generator": "MT19937",
            "state": {"key": np.asarray(words[1:], dtype=np.uint32), "pos": 624},
        }

    def unif(self) -> float:
        u = float(self._mt.random_raw()) * 2.3283064365386963e-10
        if u <= 0.0:  # R's fixup: strictly inside (0, 1)
            return 0.5 * 2.328306437080797e-10
        if 1.0 - u <= 0.0:
            return 1.0 - 0.5 * 2.328306437080797e-10
        return u

    def runif(self, n: int, low: float = 0.0, high: float = 1.0) -> F64:
        return np.asarray([low + (high - low) * self.unif() for _ in range(n)])

    def rnorm(self, n: int) -> F64:
        out = []
        for _ in range(n):
            u = self.unif()
            u = int(BIG * u) + self.unif()
            out.append(float(ndtri(u / BIG)))
        return np.asarray(out)

    def rbinom1(self, p: float) -> int:
        """``rbinom(1, 1, p)``: R's inversion for small n p (no draw when p is 0 or 1)."""
        if p == 0.0:
            return 0
        if p == 1.0:
            return 1
        small = min(p, 1.0 - p)
        x = 0 if self.unif() < 1.0 - small else 1
        return 1 - x if p > 0.5 else x
