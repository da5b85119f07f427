"""secr's captdata: Onca's SCR gives secr's numbers.

References (shared/data/secr-captdata/README.md unless noted): secr 5.x ``secr.fit(captdata,
buffer = 100)`` (HN, full likelihood, multi-catch likelihood for the single-catch traps) and
``predict``; secr's tests/testthat/test-initial.R (log-likelihood at fixed values),
test-derived.R (``derived(secrdemo.CL)``); the fits stored in secr's data/secrdemo.RData
(secrdemo.0, secrdemo.b, secrdemo.CL: ``fit$value``, coefficients); the SECR book's chapter on
detection models (usage set to 0 for traps 14 and 15 on occasions 1-3).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from onca.ecology.scr import SCR, CaptureHistory, Traps, make_mask
from onca.errors import OncaWarning

REL = 1e-3  # the tolerance; most values agree far more closely


def fit(ch: CaptureHistory, **kwargs: object) -> SCR:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OncaWarning)
        return SCR(**kwargs).fit(ch)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def null_model(captdata: CaptureHistory) -> SCR:
    return fit(captdata)


def test_captdata_reads_as_secr_does(captdata: CaptureHistory) -> None:
    assert (captdata.n, captdata.occasions, len(captdata.traps)) == (76, 5, 100)
    assert captdata.detections == 235
    assert captdata.traps.detector == "single"
    assert sorted(set(captdata.covariates["sex"].tolist())) == [1.0, 2.0]


def test_default_mask_is_secrs(captdata: CaptureHistory) -> None:
    mask = make_mask(captdata.traps, buffer=100)
    assert len(mask) == 3936
    assert mask.spacing == pytest.approx(470 / 64)
    assert mask.cell_ha == pytest.approx(0.00539306640625)
    assert mask.area_ha == pytest.approx(21.227109375)
    assert mask.xy.min(axis=0) == pytest.approx([268.671875, 268.671875])


def test_loglik_at_fixed_values(captdata: CaptureHistory) -> None:
    with pytest.warns(OncaWarning, match="multi-catch likelihood used for single-catch traps"):
        value = SCR().loglik(captdata, {"D": 5.4798, "g0": 0.2732, "sigma": 29.3658})
    assert value == pytest.approx(-759.02575, abs=1e-4)


@pytest.mark.parametrize(
    ("name", "estimate", "se", "lcl", "ucl"),
    [
        ("D", 5.47980, 0.646741, 4.35162, 6.90047),
        ("g0", 0.27319, 0.027051, 0.22348, 0.32927),
        ("sigma", 29.36583, 1.304938, 26.91757, 32.03677),
    ],
)
def test_null_model_matches_secr(
    null_model: SCR, name: str, estimate: float, se: float, lcl: float, ucl: float
) -> None:
    got = null_model.estimates_[name]
    assert got.estimate == pytest.approx(estimate, rel=REL)
    assert got.se == pytest.approx(se, rel=REL)
    assert got.lcl == pytest.approx(lcl, rel=REL)
    assert got.ucl == pytest.approx(ucl, rel=REL)


def test_null_model_likelihood_and_information(null_model: SCR) -> None:
    assert null_model.loglik_ == pytest.approx(-759.0257457315051, rel=1e-6)  # secrdemo.0
    assert null_model.aic_ == pytest.approx(1524.051, abs=1e-3)
    assert null_model.aicc_ == pytest.approx(1524.385, abs=1e-3)
    assert null_model.converged_
    assert null_model.n_animals_ == 76 and null_model.n_detections_ == 235
    assert "multi-catch likelihood used for single-catch traps" in null_model.warnings_[0]
    secr_beta = [1.7010691499857131, -0.978494143655482, 3.379831898920274]
    assert [b for b, _ in null_model.coef_.values()] == pytest.approx(secr_beta, rel=1e-5)


def test_conditional_likelihood_and_derived_density(captdata: CaptureHistory) -> None:
    cl = fit(captdata, conditional=True)
    assert cl.loglik_ == pytest.approx(-755.9403440431739, rel=1e-7)  # secrdemo.CL
    d = cl.estimates_["D"]  # derived(secrdemo.CL)['D', ]
    assert [d.estimate, d.se, d.lcl, d.ucl] == pytest.approx(
        [5.4798074, 0.6445541, 4.3549957, 6.8951365], rel=1e-4
    )
    assert cl.estimates_["g0"].estimate == pytest.approx(0.27319, rel=REL)
    assert "D" not in cl.coef_


def test_learned_response(captdata: CaptureHistory) -> None:
    b = fit(captdata, model={"g0": "~ b"})
    assert b.loglik_ == pytest.approx(-759.0164229410219, rel=1e-7)  # secrdemo.b
    beta = [b.coef_[n][0] for n in ("D", "g0", "g0.b", "sigma")]
    assert beta == pytest.approx([1.6981397, -0.9537308, -0.0320081, 3.3798669], abs=2e-5)


def test_usage_as_in_the_secr_book(captdata: CaptureHistory) -> None:
    usage = np.ones((100, 5))
    usage[13:15, 0:3] = 0  # traps 14 and 15 not set on occasions 1-3
    traps = Traps(captdata.traps.ids, captdata.traps.xy, "multi", usage)
    ch = CaptureHistory(traps, captdata.animals, captdata.counts, captdata.covariates)
    model = fit(ch)
    e = model.estimates_
    assert e["D"].estimate == pytest.approx(5.47346, rel=REL)
    assert e["D"].se == pytest.approx(0.645991, rel=REL)
    assert e["g0"].estimate == pytest.approx(0.27473, rel=REL)
    assert e["sigma"].estimate == pytest.approx(29.39668, rel=REL)


def test_hazard_half_normal(captdata: CaptureHistory) -> None:
    """secr.fit(captdata, detectfn = 14): D 5.484609 (SE 0.6470283, 4.355869-6.90584), as
    printed by a published secr script; lambda0 and sigma are Onca's own."""
    hhn = fit(captdata, detectfn="HHN")
    d = hhn.estimates_["D"]
    assert [d.estimate, d.se, d.lcl, d.ucl] == pytest.approx(
        [5.484609, 0.6470283, 4.355869, 6.90584], rel=REL
    )
    assert set(hhn.estimates_) == {"D", "lambda0", "sigma"}


def test_every_detection_function_fits_and_ranks(captdata: CaptureHistory) -> None:
    """On captdata the half-normal forms fit far better than the exponential ones."""
    aic = {fn: fit(captdata, detectfn=fn).aic_ for fn in ("HN", "EX", "HHN", "HEX")}
    assert min(aic, key=aic.__getitem__) == "HHN"
    assert aic["EX"] - aic["HN"] > 10 and aic["HEX"] - aic["HHN"] > 10


def test_buffer_check(captdata: CaptureHistory, null_model: SCR) -> None:
    assert 0 <= null_model.buffer_bias_ < 0.01  # secr: no warning at buffer 100
    with pytest.warns(OncaWarning, match="relative bias of D from the mask buffer"):
        small = SCR(buffer=30).fit(captdata)
    assert small.buffer_bias_ > 0.05
    assert small.estimates_["D"].estimate > null_model.estimates_["D"].estimate
