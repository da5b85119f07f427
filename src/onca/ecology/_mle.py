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
real scale), ``se_missing_`` (coefficient -> why it has no SE), ``warnings_`` and
``fit_seconds_``; ``coef_table()`` lists the coefficients with their 95% intervals.

**Honest uncertainty.** When an estimate sits at the boundary of its range (an occupancy of 1
for some level, a detection probability of 0) its coefficient runs off towards +/- infinity
and the Hessian is nearly singular: inverting it gives SEs that mean nothing (tiny or huge
depending on where the optimiser stopped). :func:`diagnose` looks for such directions: along
each coefficient, and along each eigenvector of the Hessian whose curvature is small, it moves
the coefficients ``FLAT_STEP`` units further on the link scale; where the log-likelihood falls
by less than ``FLAT_DROP`` the likelihood is flat towards a boundary (one way) or the
coefficients are not identifiable (both ways). Those coefficients get no SE and no Wald
interval (NaN in Python, null in JSON, with the reason in ``se_missing_`` and in the warning);
the others' covariance is the inverse of the rest of the Hessian (the flat ones held at their
estimates). What remains of the data's information about them is in a profile-likelihood
interval (``onca.ecology._intervals.profile_ci``), which may be open at the boundary.
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
FLAT_STEP = 5.0  # link-scale units a coefficient is moved to see whether the likelihood is flat
FLAT_DROP = 0.05  # a move that lowers the log-likelihood by less than this is flat
# only directions whose quadratic approximation drops by less than ten times FLAT_DROP over
# FLAT_STEP are tried (a curvature d'Hd above this cannot be flat near the estimate)
FLAT_CURVATURE = 2 * 10 * FLAT_DROP / FLAT_STEP**2
LOADING = 0.1  # a coefficient takes part in a direction when its share is at least this
RCOND = 1e-12  # smallest eigenvalue over the largest under which the Hessian is singular


@dataclass(frozen=True)
class Estimate:
    """A parameter on its real scale: estimate, standard error, 95% interval. A value that
    cannot be computed honestly is NaN, and ``note`` says why (a parameter at a boundary)."""

    estimate: float
    se: float
    lcl: float
    ucl: float
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The numbers (None for a missing one, so that JSON stays valid) and any note."""
        out: dict[str, Any] = {
            "estimate": finite_or_none(self.estimate),
            "se": finite_or_none(self.se),
            "lcl": finite_or_none(self.lcl),
            "ucl": finite_or_none(self.ucl),
        }
        if self.note:
            out["note"] = self.note
        return out

    def scaled(self, factor: float) -> Estimate:
        """The same estimate in other units (e.g. animals per hectare times an area)."""
        return Estimate(
            self.estimate * factor,
            self.se * factor,
            self.lcl * factor,
            self.ucl * factor,
            self.note,
        )


def finite_or_none(value: float) -> float | None:
    """``value``, or None when it is NaN (missing); infinities stay (an open interval)."""
    return None if value is None or math.isnan(value) else float(value)


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


def flat_directions(
    loglik: Callable[[F64], float], beta: F64, hessian: F64, names: tuple[str, ...]
) -> dict[str, str]:
    """Coefficients along which the log-likelihood ``loglik`` is flat at ``beta`` (the module
    docstring says how they are found): name -> the reason, 'at a boundary (... -> +infinity on
    the link scale)' or 'not identifiable (...)'."""
    k = beta.size
    _, vectors = np.linalg.eigh(hessian)
    directions = [np.eye(k)[j] for j in range(k)]
    directions += [vectors[:, i] / np.abs(vectors[:, i]).max() for i in range(k)]
    best = loglik(beta)
    notes: dict[str, str] = {}
    for d in directions:
        if float(d @ hessian @ d) > FLAT_CURVATURE:
            continue
        # flat one way: at FLAT_STEP, and as far again as the coefficients are from 0 (an
        # estimate already far out, say at logit 20, is still at the boundary 5 units in)
        far = FLAT_STEP + float(np.abs(beta[np.abs(d) >= LOADING]).max())
        flat = []
        for sign in (1.0, -1.0):
            lls = [loglik(beta + sign * step * d) for step in (FLAT_STEP, far)]
            if all(np.isfinite(v) and best - v < FLAT_DROP for v in lls):
                flat.append(sign)
        if not flat:
            continue
        for j in np.flatnonzero(np.abs(d) >= LOADING):
            if names[j] in notes:
                continue
            if len(flat) == 2:
                notes[names[j]] = "not identifiable (the log-likelihood is flat along it)"
            else:
                way = "+" if flat[0] * d[j] > 0 else "-"
                notes[names[j]] = f"at a boundary ({names[j]} -> {way}infinity on the link scale)"
    return notes


def diagnose(
    loglik: Callable[[F64], float], beta: F64, hessian: F64, names: tuple[str, ...]
) -> tuple[F64, dict[str, str]]:
    """The covariance of the estimates at ``beta`` and the coefficients that get no variance,
    with why (name -> reason). Coefficients at a boundary or not identifiable
    (:func:`flat_directions`) and those on an eigenvector of the rest of the Hessian whose
    eigenvalue is not positive, or below ``RCOND`` times the largest, have NaN rows and columns;
    the others' covariance is the inverse of their own block of the Hessian."""
    k = beta.size
    vcov = np.full((k, k), np.nan)
    if not np.isfinite(hessian).all():
        return vcov, dict.fromkeys(names, "(the Hessian could not be computed there)")
    notes = flat_directions(loglik, beta, hessian, names)
    keep = [j for j in range(k) if names[j] not in notes]
    while keep:
        block = hessian[np.ix_(keep, keep)]
        values, vectors = np.linalg.eigh(block)
        scale = max(float(np.abs(values).max()), np.finfo(float).tiny)
        bad = np.flatnonzero(values <= RCOND * scale)
        if bad.size == 0:
            vcov[np.ix_(keep, keep)] = np.linalg.inv(block)
            break
        for i in bad:
            v = np.abs(vectors[:, i])
            reason = (
                "not identifiable (the Hessian is singular there)"
                if values[i] > -RCOND * scale
                else "not at a maximum (the Hessian is not positive definite there)"
            )
            for j in np.flatnonzero(v >= LOADING * v.max()):
                notes.setdefault(names[keep[j]], reason)
        keep = [j for j in keep if names[j] not in notes]
    return vcov, {n: notes[n] for n in names if n in notes}


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

        def loglik(b: F64) -> float:
            value = -float(negative(b)[0])
            return value if value > -1e299 else -math.inf  # the likelihoods' 1e300: not finite

        try:
            hessian = hessian_from_gradient(gradient, beta, rel_step=rel_step)
        except ParameterError:
            hessian = np.full((beta.size, beta.size), np.nan)
        vcov, missing = diagnose(loglik, beta, hessian, names)
        se = np.sqrt(np.diag(vcov))
        self.beta_ = beta
        self.vcov_ = vcov
        self.names_ = names
        self.se_missing_ = missing
        self.real_links_: dict[str, tuple[str, str]] = {}  # estimate -> (coefficient, link)
        # what a profile-likelihood interval or a bootstrap needs to maximise again
        self._objective = negative
        self._optimiser = {"gtol": gtol, "maxiter": maxiter}
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
        if missing:
            reasons = "; ".join(f"{n} {why}" for n, why in missing.items())
            held = (
                "; the other SEs hold them at their estimates" if len(missing) < len(names) else ""
            )
            warnings.warn(
                f"{label}: no SE or Wald interval for {reasons}{held}. A profile-likelihood"
                " interval (profile_ci, --ci profile) shows how far the data bound them",
                OncaWarning,
                stacklevel=3,
            )

    def _real(
        self,
        name: str,
        beta: float,
        se: float,
        link: str,
        *,
        coef: str | None = None,
        se_method: str = "delta",
    ) -> Estimate:
        """:func:`back_transform` of coefficient ``coef`` (default ``name``), warning when a
        probability is at the edge of its range; a coefficient with no SE gives an estimate with
        no SE or interval and the reason as its note. Remembers the link, so that a profile
        interval of the coefficient can be given on the real scale too."""
        coef = coef or name
        self.real_links_[name] = (coef, link)
        missing = getattr(self, "se_missing_", {})
        if link == "logit" and abs(beta) > EDGE:
            warnings.warn(
                f"{type(self).__name__}: {name} is at the edge of its range"
                f" ({float(expit(beta)):.6f}); "
                + (
                    "no SE or Wald interval (a profile interval can be open there)"
                    if coef in missing
                    else "its SE and interval are not reliable"
                ),
                OncaWarning,
                stacklevel=3,
            )
        estimate = back_transform(beta, se, link, se_method=se_method)
        if coef in missing or not math.isfinite(se):
            note = missing.get(coef, "no standard error")
            return Estimate(estimate.estimate, math.nan, math.nan, math.nan, note)
        return estimate

    def profile_ci(self, name: str, level: float = 0.95) -> Any:
        """The profile-likelihood interval of coefficient ``name``
        (:func:`onca.ecology._intervals.profile_ci`; open at a boundary)."""
        from onca.ecology._intervals import profile_ci

        return profile_ci(self, name, level)

    def profile_intervals(self, level: float = 0.95) -> Any:
        """Profile intervals of every coefficient and of the real estimates that are one
        coefficient through its link (:func:`onca.ecology._intervals.profile_intervals`)."""
        from onca.ecology._intervals import profile_intervals

        return profile_intervals(self, level)

    def bootstrap(
        self,
        replicates: int = 200,
        seed: int = 0,
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> Any:
        """Parametric-bootstrap SEs and intervals of the model's derived quantities
        (:func:`onca.ecology._intervals.parametric_bootstrap`)."""
        from onca.ecology._intervals import parametric_bootstrap

        return parametric_bootstrap(self, replicates, seed, progress=progress)

    def derived(self) -> dict[str, float]:
        """The quantities a parametric bootstrap summarises (each model says which)."""
        raise NotImplementedError

    def bootstrap_data(self, rng: np.random.Generator) -> tuple[Any, ...]:
        """The arguments of ``fit`` for a data set simulated from this fit (each model)."""
        raise NotImplementedError

    def coef_table(self) -> list[dict[str, Any]]:
        """The coefficients on the link scale: name, beta, se and the 95% interval."""
        return [
            {"name": n, "beta": b, "se": s, "lcl": b - Z95 * s, "ucl": b + Z95 * s}
            for n, (b, s) in self.coef_.items()
        ]

    def _fit_summary(self) -> dict[str, Any]:
        """The parts of ``to_dict()`` every model shares (a missing SE is None, with a note)."""
        coefficients: dict[str, dict[str, Any]] = {}
        for name, (b, s) in self.coef_.items():
            coefficients[name] = {"beta": b, "se": finite_or_none(s)}
            if name in self.se_missing_:
                coefficients[name]["note"] = self.se_missing_[name]
        return {
            "estimates": {k: v.to_dict() for k, v in self.estimates_.items()},
            "coefficients": coefficients,
            "loglik": self.loglik_,
            "aic": self.aic_,
            "aicc": self.aicc_,
            "n_parameters": self.n_params_,
            "converged": self.converged_,
            "warnings": list(self.warnings_),
            "seconds": round(self.fit_seconds_, 3),
        }
