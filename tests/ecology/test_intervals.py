"""Honest uncertainty for the maximum-likelihood models: a parameter at a boundary gets no SE
from an inverted singular Hessian but a warning and a profile interval open at the boundary;
on well-behaved fits the profile interval is close to the Wald one; a parametric bootstrap
gives derived quantities an interval."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy.special import expit

from onca.ecology._intervals import profile_ci
from onca.ecology.occupancy import DetectionHistory, Occupancy, read_history_csv
from onca.ecology.scr import SCR, CaptureHistory
from onca.errors import OncaWarning, ParameterError

UNMARKED = Path(__file__).resolve().parent / "data" / "unmarked"


def _boundary_history() -> DetectionHistory:
    """40 sites, 4 occasions; every forest site was detected (psi for forest -> 1), savanna
    sites at about 0.4. On fits like this unmarked prints what the inverse of a nearly singular
    Hessian gives (the issue quotes SEs of 121 and 1156); the likelihood itself only says that
    psi(forest) is above about 0.91."""
    rng = np.random.default_rng(1)
    habitat = np.array(["forest"] * 20 + ["savanna"] * 20)
    z = np.where(habitat == "forest", True, rng.random(40) < 0.4)
    y = (rng.random((40, 4)) < 0.5) * z[:, None]
    for i in range(20):
        if y[i].sum() == 0:
            y[i, rng.integers(4)] = 1
    return DetectionHistory(
        tuple(f"s{i}" for i in range(40)), y.astype(np.float64), {"habitat": habitat}
    )


def test_a_parameter_at_a_boundary_has_no_wald_se_but_a_profile_interval_open_there() -> None:
    with pytest.warns(OncaWarning, match=r"no SE or Wald interval for psi at a boundary"):
        m = Occupancy(psi="~ habitat").fit(_boundary_history())
    assert set(m.se_missing_) == {"psi", "psi.habitatsavanna"}
    assert "psi -> +infinity" in m.se_missing_["psi"]
    assert math.isnan(m.coef_["psi"][1]) and math.isnan(m.vcov_[0, 0])
    assert m.coef_["p"][1] == pytest.approx(0.2007, abs=2e-3)  # the rest keep their SEs
    summary = m.to_dict()
    json.dumps(summary, allow_nan=False)  # missing is null, not NaN
    assert summary["coefficients"]["psi"]["se"] is None
    assert "at a boundary" in summary["coefficients"]["psi"]["note"]
    forest = profile_ci(m, "psi")  # forest is the reference level
    assert forest.upper_open and not forest.lower_open and forest.ucl == math.inf
    assert expit(forest.lcl) == pytest.approx(0.9084, abs=2e-3)
    real = forest.through("logit")
    assert real.ucl == 1.0 and real.to_dict()["upper_open"]
    savanna = profile_ci(m, "psi.habitatsavanna")
    assert savanna.lower_open and not savanna.upper_open


def test_a_constant_probability_at_one_has_no_se_and_a_profile_interval_to_one() -> None:
    y = np.ones((20, 3))
    y[:5] = 0  # every site where it was seen, it was seen every time: p -> 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OncaWarning)
        m = Occupancy().fit(DetectionHistory(tuple(f"s{i}" for i in range(20)), y))
    p = m.estimates_["p"]
    assert p.estimate == pytest.approx(1.0, abs=1e-5) and math.isnan(p.se) and p.note
    assert p.to_dict()["se"] is None and "at a boundary" in p.to_dict()["note"]
    interval = m.profile_intervals()["estimates"]["p"]
    assert interval.upper_open and interval.ucl == 1.0 and 0.8 < interval.lcl < 0.99
    psi = m.estimates_["psi"]
    assert psi.se == pytest.approx(math.sqrt(0.75 * 0.25 / 20), rel=1e-3)  # sqrt(psi(1-psi)/n)


def test_profile_intervals_are_close_to_wald_on_the_crossbill_fit() -> None:
    folder = UNMARKED / "crossbill2001"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OncaWarning)
        m = Occupancy(psi="~ elev").fit(
            read_history_csv(folder / "y.csv", site_covs=folder / "site_covs.csv")
        )
    assert m.se_missing_ == {}
    for row in m.coef_table():
        interval = m.profile_ci(row["name"])
        assert not (interval.lower_open or interval.upper_open)
        width = row["ucl"] - row["lcl"]
        assert interval.lcl == pytest.approx(row["lcl"], abs=0.05 * width), row["name"]
        assert interval.ucl == pytest.approx(row["ucl"], abs=0.05 * width), row["name"]


@pytest.mark.slow
def test_a_profile_interval_for_density_on_captdata(captdata: CaptureHistory) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OncaWarning)
        m = SCR(buffer=100).fit(captdata)
    assert m.se_missing_ == {}
    d = m.profile_ci("D").through("log")
    wald = m.estimates_["D"]  # 4.3516 - 6.9006 (secr); profile 4.315 - 6.847
    assert d.lcl == pytest.approx(4.315, abs=0.005) and d.ucl == pytest.approx(6.847, abs=0.005)
    assert d.lcl == pytest.approx(wald.lcl, rel=0.02) and d.ucl == pytest.approx(wald.ucl, rel=0.02)
    boot = m.bootstrap(2, seed=1)  # surveys simulated on the mask and refitted
    assert boot.failed == 0 and set(boot.estimates) == {"D", "esa_ha", "expected_n"}
    assert boot.estimates["D"].estimate == wald.estimate and boot.estimates["D"].se > 0


def test_a_parametric_bootstrap_of_the_proportion_occupied() -> None:
    folder = UNMARKED / "crossbill2001"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OncaWarning)
        m = Occupancy().fit(read_history_csv(folder / "y.csv"))
    seen: list[int] = []
    result = m.bootstrap(20, seed=3, progress=lambda done, total: seen.append(done))
    assert seen == list(range(1, 21)) and result.failed == 0
    share = result.estimates["proportion_occupied"]
    assert share.estimate == pytest.approx(m.site_occupancy_.mean())
    assert share.lcl < share.estimate < share.ucl and 0 < share.se < 0.1
    assert m.bootstrap(20, seed=3).to_dict() == result.to_dict()  # the same seed, the same draws
    with pytest.raises(ParameterError, match="at least 2 replicates"):
        m.bootstrap(1)
    with pytest.raises(ParameterError, match="no coefficient 'q'"):
        profile_ci(m, "q")
