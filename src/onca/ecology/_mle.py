"""What the ecology estimators fitted by maximum likelihood share: the optimiser run, the
covariance from the Hessian, back-transforms to the real scale, AIC and AICc, and the warnings
a fit owes its user (not converged, a variance that cannot be computed, an estimate at the edge
of its range).

Coefficients live on a link scale (log, logit or complementary log-log); their SEs come from
the inverse of the Hessian of the negative log-likelihood (central differences of the analytic
gradient). :func:`back_transform` takes a coefficient and its SE to the real scale: the 95%
interval is the link-scale interval back-transformed; the SE is the delta method's (unmarked's
``backTransform``) or, for log links, the log-normal one secr's ``predict`` gives,
exp(b) sqrt(exp(se^2) - 1).

After ``fit`` every :class:`MaximumLikelihood` estimator has ``coef_`` (name -> (beta, se),
link scale), ``beta_`` (the coefficient vector), ``names_``, ``vcov_``, ``loglik_``, ``aic_``,
``aicc_``, ``n_params_``, ``converged_``, ``n_iter_``, ``estimates_`` (name -> :class:`Estimate`,
real scale), ``warnings_`` and ``fit_seconds_``; ``coef_table()`` lists the coefficients with
their 95% intervals.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from scipy.special import expit

from onca.ecology._params import Estimator
from onca.errors import OncaWarning, ParameterError

F64 = npt.NDArray[np.float64]
Z95 = 1.959963984540054  # qnorm(0.975)
LINKS = ("log", "logit", "cloglog")
GRAD_TOL = 1e-3  # largest |d loglik / d beta| of an unconverged fit that is not warned about
EDGE = 11.5  # |logit| beyond this puts a probability within 1e-5 of 0 or 1


@dataclass(frozen=True)
class Estimate:
    """A parameter on its real scale: estimate, standard error, 95% interval."""

    estimate: float
    se: float
    lcl: float
    ucl: float

    def to_dict(self) -> dict[str, float]:
        return {"estimate": self.estimate, "se": self.se, "lcl": self.lcl, "ucl": self.ucl}

    def scaled(self, factor: float) -> Estimate:
        """The same estimate in other units (e.g. animals per hectare times an area)."""
        return Estimate(
            self.estimate * factor, self.se * factor, self.lcl * factor, self.ucl * factor
        )


def back_transform(beta: float, se: float, link: str, *, se_method: str = "delta") -> Estimate:
    """A link-scale coefficient ``beta`` with standard error ``se`` on the real scale.

    ``link``: 'logit' (p = expit(b)), 'log' (exp(b)) or 'cloglog' (1 - exp(-exp(b)), Royle-
    Nichols occupancy from log lambda). ``se_method``: 'delta' (|dg/db| se) or, for log links,
    'lognormal' (exp(b) sqrt(exp(se^2) - 1), as secr)."""
    if link == "logit":
        p = float(expit(beta))
        return Estimate(
            p, float(p * (1 - p) * se), float(expit(beta - Z95 * se)), float(expit(beta + Z95 * se))
        )
    if link == "log":
        value = math.exp(beta)
        spread = value * math.sqrt(math.expm1(se * se)) if se_method == "lognormal" else value * se
        return Estimate(value, spread, math.exp(beta - Z95 * se), math.exp(beta + Z95 * se))
    if link == "cloglog":
        lam = math.exp(beta)
        return Estimate(
            -math.expm1(-lam),
            math.exp(-lam) * lam * se,
            -math.expm1(-math.exp(beta - Z95 * se)),
            -math.expm1(-math.exp(beta + Z95 * se)),
        )
    raise ParameterError(f"link: expected one of {', '.join(LINKS)}, got {link!r}")


def lognormal_estimate(value: float, se: float) -> Estimate:
    """A derived positive quantity with its SE and a log-normal 95% interval (secr's
    ``derived``)."""
    c = math.exp(Z95 * math.sqrt(math.log1p((se / value) ** 2))) if value > 0 else 1.0
    return Estimate(value, se, value / c, value * c)


def information_criteria(loglik: float, k: int, n: int) -> tuple[float, float]:
    """(AIC, AICc) for ``k`` parameters and sample size ``n``; AICc is infinite when n <= k + 1."""
    aic = -2 * loglik + 2 * k
    return aic, aic + (2 * k * (k + 1) / (n - k - 1) if n - k - 1 > 0 else math.inf)


def hessian_from_gradient(
    grad: Callable[[F64], F64 | None], beta: F64, *, rel_step: float = 1e-5
) -> F64:
    """Hessian of the negative log-likelihood at ``beta``, by central differences of the
    log-likelihood's analytic gradient ``grad`` (step ``rel_step`` x max(|beta_j|, 1))."""
    k = beta.size
    out = np.empty((k, k))
    for j in range(k):
        step = rel_step * max(abs(float(beta[j])), 1.0)
        e = np.zeros(k)
        e[j] = step
        up, down = grad(beta + e), grad(beta - e)
        if up is None or down is None:
            raise ParameterError("the likelihood is not finite next to the estimate")
        out[:, j] = -(up - down) / (2 * step)
    return (out + out.T) / 2


def invert(hessian: F64) -> F64:
    """The covariance of the estimates: the inverse Hessian (pseudo-inverse when singular)."""
    try:
        return np.asarray(np.linalg.inv(hessian))
    except np.linalg.LinAlgError:
        return np.asarray(np.linalg.pinv(hessian))


class MaximumLikelihood(Estimator):
    """Base of the estimators fitted by maximising a log-likelihood with BFGS (the module
    docstring lists what a fit leaves behind)."""

    estimates_: dict[str, Estimate]

    def _maximise(
        self,
        negative: Callable[[F64], tuple[float, F64]],
        start: F64,
        gradient: Callable[[F64], F64 | None],
        *,
        names: tuple[str, ...],
        n_obs: int,
        rel_step: float,
        gtol: float,
        maxiter: int,
    ) -> None:
        """Minimise ``negative`` (the negative log-likelihood and its gradient) from ``start``;
        the covariance from the Hessian of central differences of ``gradient`` (the
        log-likelihood's); AICc with ``n_obs`` observations (animals, sites)."""
        result = minimize(
            negative, start, jac=True, method="BFGS", options={"gtol": gtol, "maxiter": maxiter}
        )
        beta = np.asarray(result.x, dtype=np.float64)
        vcov = invert(hessian_from_gradient(gradient, beta, rel_step=rel_step))
        variance = np.diag(vcov)
        se = np.sqrt(np.clip(variance, 0, None))
        self.beta_ = beta
        self.vcov_ = vcov
        self.names_ = names
        self.coef_ = {n: (float(b), float(s)) for n, b, s in zip(names, beta, se, strict=True)}
        self.loglik_ = -float(result.fun)
        self.n_params_ = int(beta.size)
        self.aic_, self.aicc_ = information_criteria(self.loglik_, self.n_params_, n_obs)
        self.converged_ = bool(result.success)
        self.n_iter_ = int(result.nit)
        label = type(self).__name__
        # BFGS often ends on "precision loss" at the optimum itself: warn only when the
        # gradient there is not small
        if not self.converged_ and float(np.max(np.abs(result.jac), initial=0.0)) > GRAD_TOL:
            warnings.warn(
                f"{label}: the optimiser stopped before converging ({result.message}); the"
                " estimates may not be the maximum-likelihood ones",
                OncaWarning,
                stacklevel=3,
            )
        bad = [n for n, v in zip(names, variance, strict=True) if not (np.isfinite(v) and v > 0)]
        if bad:
            warnings.warn(
                f"{label}: no variance for {', '.join(bad)} (the Hessian is singular there): a"
                " parameter at the edge of its range or not identifiable; those SEs are not"
                " reliable",
                OncaWarning,
                stacklevel=3,
            )

    def _real(self, name: str, beta: float, se: float, link: str, **how: str) -> Estimate:
        """:func:`back_transform`, warning when a probability is at the edge of its range."""
        if link == "logit" and abs(beta) > EDGE:
            warnings.warn(
                f"{type(self).__name__}: {name} is at the edge of its range"
                f" ({float(expit(beta)):.6f}); its SE and interval are not reliable",
                OncaWarning,
                stacklevel=3,
            )
        return back_transform(beta, se, link, **how)

    def coef_table(self) -> list[dict[str, Any]]:
        """The coefficients on the link scale: name, beta, se and the 95% interval."""
        return [
            {"name": n, "beta": b, "se": s, "lcl": b - Z95 * s, "ucl": b + Z95 * s}
            for n, (b, s) in self.coef_.items()
        ]

    def _fit_summary(self) -> dict[str, Any]:
        """The parts of ``to_dict()`` every model shares."""
        return {
            "estimates": {k: v.to_dict() for k, v in self.estimates_.items()},
            "coefficients": {k: {"beta": b, "se": s} for k, (b, s) in self.coef_.items()},
            "loglik": self.loglik_,
            "aic": self.aic_,
            "aicc": self.aicc_,
            "n_parameters": self.n_params_,
            "converged": self.converged_,
            "warnings": list(self.warnings_),
            "seconds": round(self.fit_seconds_, 3),
        }
