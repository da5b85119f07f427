"""Intervals that do not lean on the inverse Hessian: profile likelihood and parametric bootstrap,
for every maximum-likelihood ecology model (``onca.ecology._mle``: SCR, occupancy).

**Profile likelihood.** For a coefficient b_j the profile log-likelihood is the maximum over the
other coefficients with b_j held fixed; the 95% interval is where 2 (loglik_max -
loglik_profile(b_j)) = 3.84 (the chi-square quantile with 1 df). Each side is searched outwards
from the estimate in doubling steps (from 2 SE, or 1 link unit when there is no SE) until the
deviance passes 3.84, then the crossing is found by Brent's method. A side whose deviance never
gets there within ``REACH`` link units (and ``REACH`` SEs) is open: the data do not exclude the
boundary (a probability of 1, a density of 0). A real parameter that is a monotone function of
one coefficient (a constant psi, p, D, g0, sigma) takes the interval through its link.

**Parametric bootstrap.** Data sets simulated from the fitted model (the model's
``bootstrap_data``) are refitted, and each refit's derived quantities (``derived()``: density,
effective sampling area, expected animals in the mask for SCR; the proportion and number of
sites occupied for occupancy) make the distribution: the SE is their standard deviation and the
95% interval their 2.5% and 97.5% percentiles. Refits that fail are counted, not hidden.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import brentq, minimize
from scipy.special import expit
from scipy.stats import chi2

from onca.ecology._mle import Estimate, MaximumLikelihood, finite_or_none
from onca.errors import OncaWarning, ParameterError

F64 = npt.NDArray[np.float64]
REACH = 40.0  # link units (and SEs) searched on each side before an interval is called open
LIMITS = {"logit": (0.0, 1.0), "log": (0.0, math.inf), "cloglog": (0.0, 1.0)}


@dataclass(frozen=True)
class ProfileInterval:
    """A profile-likelihood interval: ``lcl``/``ucl`` (-inf/+inf on the link scale, or the
    parameter's limit on the real scale, where the interval is open at a boundary)."""

    name: str
    estimate: float
    lcl: float
    ucl: float
    lower_open: bool
    upper_open: bool
    level: float = 0.95

    def to_dict(self) -> dict[str, Any]:
        return {
            "estimate": finite_or_none(self.estimate),
            "lcl": None if math.isinf(self.lcl) else finite_or_none(self.lcl),
            "ucl": None if math.isinf(self.ucl) else finite_or_none(self.ucl),
            "lower_open": self.lower_open,
            "upper_open": self.upper_open,
            "level": self.level,
            "method": "profile likelihood",
        }

    def through(self, link: str, name: str | None = None) -> ProfileInterval:
        """The interval of the real parameter ``link``^-1(coefficient)."""
        inverse = _inverse(link)
        low, high = LIMITS[link]
        return ProfileInterval(
            name or self.name,
            inverse(self.estimate),
            low if self.lower_open else inverse(self.lcl),
            high if self.upper_open else inverse(self.ucl),
            self.lower_open,
            self.upper_open,
            self.level,
        )


def _inverse(link: str) -> Callable[[float], float]:
    if link == "logit":
        return lambda b: float(expit(b))
    if link == "log":
        return lambda b: math.exp(b) if b < 709 else math.inf
    return lambda b: -math.expm1(-math.exp(b)) if b < 709 else 1.0


def _fitted(model: Any) -> MaximumLikelihood:
    if not isinstance(model, MaximumLikelihood) or not hasattr(model, "beta_"):
        raise ParameterError("profile_ci: expected a fitted SCR or Occupancy model")
    return model


def profile_ci(model: Any, name: str, level: float = 0.95) -> ProfileInterval:
    """The profile-likelihood interval of coefficient ``name`` (link scale) of a fitted model;
    see the module docstring."""
    model = _fitted(model)
    if name not in model.names_:
        raise ParameterError(
            f"profile_ci: no coefficient {name!r} (coefficients: {', '.join(model.names_)})"
        )
    if not 0 < level < 1:
        raise ParameterError(f"level: expected a number between 0 and 1, got {level}")
    j = model.names_.index(name)
    beta = model.beta_
    target = float(chi2.ppf(level, 1))
    negative = model._objective
    rest = np.array([i for i in range(beta.size) if i != j], dtype=int)
    best = -model.loglik_

    options = dict(model._optimiser)

    def deviance(b: float, start: F64) -> tuple[float, F64]:
        """2 (loglik_max - profile loglik at b_j = b), and the other coefficients there."""
        if rest.size == 0:
            value = float(negative(np.array([b]))[0])
            return 2 * (value - best), start
        full = beta.copy()
        full[j] = b

        def partial(x: F64) -> tuple[float, F64]:
            full[rest] = x
            value, grad = negative(full)
            return value, np.asarray(grad)[rest]

        result = minimize(partial, start, jac=True, method="BFGS", options=options)
        value = float(result.fun)
        return (2 * (value - best) if math.isfinite(value) and value < 1e299 else math.inf), (
            np.asarray(result.x, dtype=np.float64)
        )

    se = model.coef_[name][1]
    unit = se if math.isfinite(se) and se > 0 else 1.0
    ends: list[float] = []
    opened: list[bool] = []
    for sign in (-1.0, 1.0):
        # the other coefficients are started where the last two profile points point (they
        # may run off with this one, as an intercept and a contrast both at a boundary do)
        inner, inner_x = float(beta[j]), beta[rest].copy()
        before: tuple[float, F64] | None = None
        step = 2 * unit
        end, is_open = sign * math.inf, True
        while step <= REACH * unit:
            b = float(beta[j]) + sign * step
            guess = inner_x
            if before is not None:
                guess = inner_x + (inner_x - before[1]) * (b - inner) / (inner - before[0])
            dev, x = deviance(b, guess)
            if dev >= target:
                lo, lo_x, hi_x = inner, inner_x, x
                # the signed root of the deviance is close to linear in b: few steps find it
                found = brentq(
                    lambda t, lo=lo, lo_x=lo_x, hi=b, hi_x=hi_x: (
                        math.sqrt(
                            max(
                                min(
                                    deviance(t, lo_x + (hi_x - lo_x) * (t - lo) / (hi - lo))[0], 1e6
                                ),
                                0.0,
                            )
                        )
                        - math.sqrt(target)
                    ),
                    inner,
                    b,
                    xtol=1e-4 * unit,
                )
                end, is_open = float(found), False
                break
            before = (inner, inner_x)
            inner, inner_x = b, x
            step *= 2
        ends.append(end)
        opened.append(is_open)
    return ProfileInterval(name, float(beta[j]), ends[0], ends[1], opened[0], opened[1], level)


def profile_intervals(model: Any, level: float = 0.95) -> dict[str, dict[str, ProfileInterval]]:
    """Profile intervals of every coefficient (``coefficients``) and of each real estimate that
    is one coefficient through its link (``estimates``; a derived one, such as density under the
    conditional likelihood, has none: use :func:`parametric_bootstrap`)."""
    model = _fitted(model)
    coefficients = {n: profile_ci(model, n, level) for n in model.names_}
    estimates = {
        name: coefficients[coef].through(link, name)
        for name, (coef, link) in getattr(model, "real_links_", {}).items()
        if coef in coefficients
    }
    return {"coefficients": coefficients, "estimates": estimates}


@dataclass(frozen=True)
class BootstrapResult:
    """Derived quantities with parametric-bootstrap SEs and percentile intervals."""

    estimates: dict[str, Estimate]
    replicates: int
    failed: int
    seed: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "estimates": {k: v.to_dict() for k, v in self.estimates.items()},
            "replicates": self.replicates,
            "failed": self.failed,
            "seed": self.seed,
            "method": "parametric bootstrap (percentile intervals)",
        }


def parametric_bootstrap(
    model: Any,
    replicates: int = 200,
    seed: int = 0,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> BootstrapResult:
    """Simulate ``replicates`` data sets from the fitted ``model``, refit each, and summarise
    its derived quantities (see the module docstring); ``progress(done, total)`` after each."""
    model = _fitted(model)
    if replicates < 2:
        raise ParameterError(f"bootstrap: expected at least 2 replicates, got {replicates}")
    model.bootstrap_data(np.random.default_rng(seed))  # a model it cannot simulate says so here
    rng = np.random.default_rng(seed)
    base = model.derived()
    draws: dict[str, list[float]] = {k: [] for k in base}
    failed = 0
    for r in range(replicates):
        try:
            data = model.bootstrap_data(rng)
            refit = type(model)(**model.get_params())
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", OncaWarning)
                refit.fit(*data)
            values = refit.derived()
        except Exception:  # a replicate that cannot be fitted (no animal seen) is counted
            failed += 1
        else:
            for k in base:
                draws[k].append(values[k])
        if progress is not None:
            progress(r + 1, replicates)
    estimates = {}
    for k, value in base.items():
        arr = np.asarray(draws[k], dtype=np.float64)
        arr = arr[np.isfinite(arr)]
        if arr.size < 2:
            estimates[k] = Estimate(value, math.nan, math.nan, math.nan, "no replicate refitted")
            continue
        lo, hi = np.percentile(arr, [2.5, 97.5])
        estimates[k] = Estimate(value, float(arr.std(ddof=1)), float(lo), float(hi))
    return BootstrapResult(estimates, replicates, failed, seed)
