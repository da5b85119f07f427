"""How wide the habitat mask must be: a first sigma from the data, the default buffer built on
it, and the relative bias of D that truncating the mask at a buffer predicts."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from onca.ecology.scr._data import CaptureHistory, Sessions
from onca.ecology.scr._likelihood import Prepared, Spec
from onca.ecology.scr._mask import make_mask

F64 = npt.NDArray[np.float64]
BIAS_LIMIT = 0.01  # predicted relative bias of D above which a fit warns (as secr)


def rpsv(ch: CaptureHistory | Sessions) -> float | None:
    """Root pooled spatial variance of each animal's detection locations (metres), halved as
    an estimate of sigma for a half-normal (pooled over sessions); None when no animal was
    detected twice."""
    total, dof = 0.0, 0
    for history in ch if isinstance(ch, Sessions) else [ch]:
        xy = history.traps.xy
        for i in range(history.n):
            s, k = np.nonzero(history.counts[i])
            w = history.counts[i][s, k].astype(np.float64)
            if w.sum() < 2:
                continue
            pts = xy[k]
            centre = (pts * w[:, None]).sum(axis=0) / w.sum()
            total += float((w * ((pts - centre) ** 2).sum(axis=1)).sum())
            dof += int(w.sum()) - 1
    return math.sqrt(total / (2 * dof)) if dof else None


def auto_buffer(ch: CaptureHistory | Sessions) -> float:
    """A mask buffer (metres) for ``ch``: 4 x a first sigma estimate (:func:`rpsv`), or a
    quarter of the detector array's span when no animal was detected twice, rounded to two
    significant figures."""
    first_sigma = rpsv(ch)
    if first_sigma is None:
        xy = np.vstack([h.traps.xy for h in ch]) if isinstance(ch, Sessions) else ch.traps.xy
        span = float(np.ptp(xy, axis=0).max()) if len(xy) > 1 else 100.0
        first_sigma = max(span / 4, 1.0)
    value = 4 * first_sigma
    digits = -math.floor(math.log10(value)) + 1
    return float(round(value, digits))


def buffer_bias(prep: Prepared, beta: F64, sigma: float) -> float | None:
    """Predicted relative bias of D from truncating the mask at its buffer: the effective
    sampling area on a mask widened until detection is negligible (8 ``sigma`` more), over that
    on the fitted mask, minus one (uniform density assumed; secr's ``bias.D`` asks the same
    question). None when the mask was not built by ``make_mask`` around the detectors (a
    habitat polygon, or made by hand): its buffer is not known; or when no animal was caught."""
    mask = prep.mask
    if mask.buffer is None or prep.ch.n == 0:
        return None
    wide = make_mask(
        prep.ch.traps,
        buffer=max(mask.buffer, 0.0) + 8 * sigma,
        spacing=mask.spacing,
        type=mask.type or "trapbuffer",
    )
    wider = Prepared(
        prep.ch,
        wide,
        Spec(
            prep.spec.detectfn,
            (),
            prep.spec.p0_terms,
            prep.spec.sigma_terms,
            True,
            prep.spec.binom_n,
        ),
    )
    j = 0 if prep.spec.conditional else len(prep.d_cols.names)
    a_small = float(prep.esa(beta).mean())
    a_wide = float(wider.esa(beta[j:]).mean())
    return a_wide / a_small - 1.0
