"""The maximum-likelihood base shared by SCR and occupancy: back-transforms, information
criteria, one set of fitted attribute names, and the warnings a fit owes its user."""

from __future__ import annotations

import math
import warnings
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import pytest
from scipy.special import expit
from scipy.stats import norm

from onca.ecology._mle import (
    Z95,
    MaximumLikelihood,
    back_transform,
    information_criteria,
    lognormal_estimate,
)
from onca.ecology._params import Constraint, Interval
from onca.ecology.occupancy import DetectionHistory, Occupancy
from onca.ecology.scr import SCR, CaptureHistory
from onca.errors import OncaWarning, ParameterError

F64 = npt.NDArray[np.float64]
SHARED = (
    "coef_",
    "beta_",
    "names_",
    "vcov_",
    "loglik_",
    "aic_",
    "aicc_",
    "n_params_",
    "converged_",
    "n_iter_",
    "estimates_",
    "warnings_",
    "fit_seconds_",
)


class NormalMean(MaximumLikelihood):
    """A toy model: y ~ Normal(mu, exp(log_sd)); the MLE is the sample mean and the sample SD
    with divisor n, and SE(mu) = sd / sqrt(n)."""

    _parameter_constraints: ClassVar[dict[str, list[Constraint | None]]] = {
        "maxiter": [Interval(int, 0, None)]
    }

    def __init__(self, *, maxiter: int = 200) -> None:
        self.maxiter = maxiter

    def fit(self, y: F64) -> NormalMean:
        with self._fitting():

            def value_grad(b: F64) -> tuple[float, F64]:
                mu, log_sd = b
                z = (y - mu) / math.exp(log_sd)
                value = float(norm.logpdf(y, mu, math.exp(log_sd)).sum())
                return value, np.array([z.sum() / math.exp(log_sd), (z * z - 1).sum()])

            def negative(b: F64) -> tuple[float, F64]:
                v, g = value_grad(b)
                return -v, -g

            self._maximise(
                negative,
                np.array([0.0, 0.0]),
                lambda b: value_grad(b)[1],
                names=("mu", "sd"),
                n_obs=y.size,
                rel_step=1e-5,
                gtol=1e-8,
                maxiter=self.maxiter,
            )
            self.estimates_ = {"sd": self._real("sd", *self.coef_["sd"], "log")}
        return self


def test_a_toy_model_gets_the_closed_form() -> None:
    y = np.random.default_rng(0).normal(3.0, 2.0, size=400)
    m = NormalMean().fit(y)
    sd = float(y.std())
    assert m.coef_["mu"][0] == pytest.approx(y.mean(), abs=1e-6)
    assert m.coef_["mu"][1] == pytest.approx(sd / math.sqrt(y.size), rel=1e-5)
    assert m.estimates_["sd"].estimate == pytest.approx(sd, rel=1e-6)
    loglik = float(norm.logpdf(y, y.mean(), sd).sum())
    assert m.loglik_ == pytest.approx(loglik, rel=1e-10)
    assert (m.aic_, m.aicc_) == pytest.approx((-2 * loglik + 4, -2 * loglik + 4 + 12 / 397))
    assert m.converged_ and m.n_params_ == 2 and m.warnings_ == [] and m.fit_seconds_ > 0
    row = m.coef_table()[0]
    assert row["name"] == "mu" and row["lcl"] == pytest.approx(row["beta"] - Z95 * row["se"])


def test_an_unconverged_fit_warns() -> None:
    y = np.random.default_rng(1).normal(30.0, 2.0, size=50)
    with pytest.warns(OncaWarning, match="NormalMean: the optimiser stopped before converging"):
        m = NormalMean(maxiter=1).fit(y)
    assert not m.converged_ and "stopped before converging" in m.warnings_[0]


def test_back_transforms() -> None:
    p = back_transform(0.4, 0.2, "logit")
    assert p.estimate == pytest.approx(expit(0.4))
    assert p.se == pytest.approx(expit(0.4) * (1 - expit(0.4)) * 0.2)
    assert (p.lcl, p.ucl) == pytest.approx((expit(0.4 - Z95 * 0.2), expit(0.4 + Z95 * 0.2)))
    delta = back_transform(1.0, 0.3, "log")
    secr = back_transform(1.0, 0.3, "log", se_method="lognormal")
    assert delta.se == pytest.approx(math.e * 0.3)
    assert secr.se == pytest.approx(math.e * math.sqrt(math.exp(0.09) - 1))
    assert (
        (delta.lcl, delta.ucl)
        == (secr.lcl, secr.ucl)
        == pytest.approx((math.exp(1 - Z95 * 0.3), math.exp(1 + Z95 * 0.3)))
    )
    psi = back_transform(0.2, 0.1, "cloglog")  # Royle-Nichols: psi = 1 - exp(-lambda)
    lam = math.exp(0.2)
    assert psi.estimate == pytest.approx(1 - math.exp(-lam))
    assert psi.se == pytest.approx(math.exp(-lam) * lam * 0.1)
    assert psi.lcl == pytest.approx(1 - math.exp(-math.exp(0.2 - Z95 * 0.1)))
    with pytest.raises(ParameterError, match="link: expected one of log, logit, cloglog"):
        back_transform(0.0, 1.0, "probit")
    derived = lognormal_estimate(5.0, 0.5)
    c = math.exp(Z95 * math.sqrt(math.log(1 + 0.01)))
    assert (derived.lcl, derived.ucl) == pytest.approx((5 / c, 5 * c))
    assert derived.scaled(2.0).to_dict() == pytest.approx(
        {"estimate": 10.0, "se": 1.0, "lcl": 10 / c, "ucl": 10 * c}
    )


def test_information_criteria() -> None:
    assert information_criteria(-100.0, 3, 20) == pytest.approx((206.0, 206.0 + 24 / 16))
    assert information_criteria(-100.0, 3, 4)[1] == math.inf


def _fitted(model: Any, *data: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OncaWarning)
        return model.fit(*data)


def test_scr_and_occupancy_share_their_fitted_names(captdata: CaptureHistory) -> None:
    y = np.random.default_rng(2).random((40, 4)) < 0.3
    h = DetectionHistory(tuple(f"S{i}" for i in range(40)), y.astype(np.float64))
    for model in (_fitted(SCR(), captdata), _fitted(Occupancy(), h)):
        missing = [a for a in SHARED if not hasattr(model, a)]
        assert not missing, (type(model).__name__, missing)
        assert list(model.coef_) == list(model.names_)
        assert model.vcov_.shape == (model.n_params_, model.n_params_)
        summary = model.to_dict()
        assert {"loglik", "aic", "aicc", "n_parameters", "converged", "seconds"} <= set(summary)


def test_an_estimate_at_the_edge_of_its_range_warns() -> None:
    y = np.ones((20, 3))
    y[:5] = 0  # every site where it was seen, it was seen every time: p -> 1
    with pytest.warns(OncaWarning, match=r"Occupancy: p is at the edge of its range \(1\.0"):
        m = Occupancy().fit(DetectionHistory(tuple(f"s{i}" for i in range(20)), y))
    assert any("edge of its range" in w for w in m.warnings_)
