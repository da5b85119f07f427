"""Onca's occupancy models give unmarked's results on unmarked's own examples
(tests/ecology/data/unmarked/README.md has the sources)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from onca.ecology.occupancy import Occupancy, read_history_csv
from onca.errors import OncaWarning

DATA = Path(__file__).resolve().parents[1] / "data" / "unmarked"


def test_crossbill_occu_elevation() -> None:
    """unmarked vignette powerAnalysis.Rmd: occu(~1 ~ elev) on the 2001 crossbill survey printed
    psi(Int) -1.223 (SE 0.168), psi(elev) 0.594 (0.166), p(Int) 0.326 (0.186), AIC 480.8533,
    7 sites removed; full precision from unmarked itself."""
    folder = DATA / "crossbill2001"
    with pytest.warns(OncaWarning, match=r"7 site\(s\) have no survey effort at all"):
        m = Occupancy(psi="~ elev").fit(
            read_history_csv(folder / "y.csv", site_covs=folder / "site_covs.csv")
        )
    assert m.n_sites_ == 260
    expected = {
        "psi": (-1.22348172890468, 0.168304718171445),
        "psi.elev": (0.59392844442827, 0.165596074249104),
        "p": (0.326075120580245, 0.186155879235148),
    }
    for name, (beta, se) in expected.items():
        assert m.coef_[name][0] == pytest.approx(beta, rel=1e-3), name
        assert m.coef_[name][1] == pytest.approx(se, rel=1e-3), name
    assert m.aic_ == pytest.approx(480.853283252693, rel=1e-6)
    assert m.loglik_ == pytest.approx(-237.426641626346, rel=1e-7)


def test_woodthrush_royle_nichols() -> None:
    """unmarked tests/testthat/test_occuRN.R: occuRN(~ obsNum ~ 1) (tolerance 1e-3 there); the
    negative log-likelihood 306.138532 from unmarked with K = 25."""
    folder = DATA / "woodthrush"
    dummies = {f"obsNum{k}": folder / f"obs_obsNum{k}.csv" for k in range(2, 12)}
    h = read_history_csv(folder / "y.csv", obs_covs=dummies)
    m = Occupancy(model="rn", p="~ " + " + ".join(dummies)).fit(h)
    assert m.loglik_ == pytest.approx(-306.138532332572, rel=1e-6)
    expected = [
        0.7921122,
        -1.8328867,
        0.4268205,
        -0.1442194,
        0.4634105,
        0.7787513,
        0.8008794,
        1.0569827,
        0.8048578,
        0.877966,
        0.9374874,
        0.7064848,
    ]
    got = [b for b, _ in m.coef_.values()]
    assert got == pytest.approx(expected, abs=1e-3)
    assert m.estimates_["lambda"].estimate == pytest.approx(math.exp(0.7921122), rel=1e-3)


def test_woodthrush_obsnum_factor_as_unmarked_writes_it() -> None:
    """The same model written as unmarked writes it, ``~ obsNum``: Onca's obsNum factor gives
    the same fit as the hand-made indicators, with R's names (p.obsNum2 ... p.obsNum11)."""
    folder = DATA / "woodthrush"
    m = Occupancy(model="rn", p="~ obsNum").fit(read_history_csv(folder / "y.csv"))
    assert m.loglik_ == pytest.approx(-306.138532332572, rel=1e-6)
    assert list(m.coef_)[:4] == ["lambda", "r", "r.obsNum2", "r.obsNum3"]
    assert list(m.coef_)[-1] == "r.obsNum11"  # numeric order, as R's factor(1:11)
