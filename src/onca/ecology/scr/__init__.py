"""Spatial capture-recapture (SCR): animal density from detections of identified individuals
(camera traps, hair snares, live traps), validated against the R package secr.

>>> from onca.ecology.scr import SCR, read_secr
>>> ch = read_secr("trap.txt", "capt.txt", detector="single")  # doctest: +SKIP
>>> SCR(detectfn="HN", buffer=100).fit(ch).estimates_["D"]     # doctest: +SKIP
Estimate(estimate=5.4798, se=0.6467, lcl=4.3516, ucl=6.9005)

See docs/density.md.
"""

from onca.ecology._intervals import ProfileInterval, parametric_bootstrap, profile_ci
from onca.ecology._mle import Estimate
from onca.ecology.scr._buffer import auto_buffer, rpsv
from onca.ecology.scr._camtrap import camtrap_capthist, read_camtrap_capthist
from onca.ecology.scr._captures import parse_occasions, read_secr, read_session_covariates
from onca.ecology.scr._data import DETECTORS, CaptureHistory, Sessions, Traps, read_traps
from onca.ecology.scr._detectfn import DETECTFNS, DetectFn, detectfn
from onca.ecology.scr._fit import SCR, compare_models
from onca.ecology.scr._habitat import habitat_mask, raster_covariates, read_mask, read_region
from onca.ecology.scr._mask import MASK_TYPES, Mask, add_mask_covariates, make_mask

__all__ = [
    "DETECTFNS",
    "DETECTORS",
    "MASK_TYPES",
    "SCR",
    "CaptureHistory",
    "DetectFn",
    "Estimate",
    "Mask",
    "ProfileInterval",
    "Sessions",
    "Traps",
    "add_mask_covariates",
    "auto_buffer",
    "camtrap_capthist",
    "compare_models",
    "detectfn",
    "habitat_mask",
    "make_mask",
    "parametric_bootstrap",
    "parse_occasions",
    "profile_ci",
    "raster_covariates",
    "read_camtrap_capthist",
    "read_mask",
    "read_region",
    "read_secr",
    "read_session_covariates",
    "read_traps",
    "rpsv",
]
