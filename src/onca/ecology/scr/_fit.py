"""Fitting SCR models by maximum likelihood: the :class:`SCR` estimator and its results.

Coefficients live on the link scale (log D, logit g0 or log lambda0, log sigma); the
likelihood is maximised with BFGS on its analytic gradient, and the standard errors come from
the inverse of the Hessian (central differences of the gradient). Real-scale estimates, SEs and
95% intervals follow secr (``predict.secr``): the interval is the link-scale estimate +/- 1.96 SE
back-transformed; the SE is exp(b) sqrt(exp(se^2) - 1) for log links and p (1 - p) se for logit.
Under the conditional likelihood density is derived as D = sum_i 1 / a_i (Huggins-Alho, as
secr's ``derived``), with variance sum_i 1 / a_i^2 + g' V g.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from scipy.special import expit, logit
from threadpoolctl import threadpool_limits

from onca.ecology._mle import hessian_from_gradient, invert
from onca.ecology.scr._data import CaptureHistory, warn_off_effort
from onca.ecology.scr._design import parse_formula
from onca.ecology.scr._detectfn import DetectFn, detectfn
from onca.ecology.scr._likelihood import Prepared, Spec
from onca.ecology.scr._mask import Mask, make_mask
from onca.errors import OncaWarning, ParameterError

F64 = npt.NDArray[np.float64]
Z95 = 1.959963984540054  # qnorm(0.975)


@dataclass(frozen=True)
class Estimate:
    """A parameter on its real scale: estimate, standard error, 95% interval."""

    estimate: float
    se: float
    lcl: float
    ucl: float

    def as_dict(self) -> dict[str, float]:
        return {"estimate": self.estimate, "se": self.se, "lcl": self.lcl, "ucl": self.ucl}


def _real(beta: float, se: float, link: str) -> Estimate:
    if link == "logit":
        p = float(expit(beta))
        return Estimate(
            p, float(p * (1 - p) * se), float(expit(beta - Z95 * se)), float(expit(beta + Z95 * se))
        )
    value = math.exp(beta)
    return Estimate(
        value,
        value * math.sqrt(math.expm1(se * se)),
        math.exp(beta - Z95 * se),
        math.exp(beta + Z95 * se),
    )


def _lognormal(value: float, se: float) -> Estimate:
    c = math.exp(Z95 * math.sqrt(math.log1p((se / value) ** 2))) if value > 0 else 1.0
    return Estimate(value, se, value / c, value * c)


def rpsv(ch: CaptureHistory) -> float | None:
    """Root pooled spatial variance of each animal's detection locations (metres), halved as
    an estimate of sigma for a half-normal; None when no animal was detected twice."""
    xy = ch.traps.xy
    total, dof = 0.0, 0
    for i in range(ch.n):
        s, k = np.nonzero(ch.counts[i])
        w = ch.counts[i][s, k].astype(np.float64)
        if w.sum() < 2:
            continue
        pts = xy[k]
        centre = (pts * w[:, None]).sum(axis=0) / w.sum()
        total += float((w * ((pts - centre) ** 2).sum(axis=1)).sum())
        dof += int(w.sum()) - 1
    return math.sqrt(total / (2 * dof)) if dof else None


def _spacing(ch: CaptureHistory) -> float:
    xy = ch.traps.xy
    if len(xy) < 2:
        return 100.0
    diff = xy[:, None, :] - xy[None, :, :]
    d = np.sqrt((diff**2).sum(axis=2))
    d[d == 0] = np.inf
    return float(np.median(d.min(axis=1)))


class SCR:
    """Spatial capture-recapture by maximum likelihood (scikit-learn style: the constructor only
    stores its arguments, ``fit`` returns the estimator, learned values end in ``_``).

    ``detectfn``: HN, EX, HHN or HEX. ``model``: formulas per parameter, e.g.
    ``{"D": "~ forest", "g0": "~ b", "sigma": "~ sex"}`` (default all ``~1``).
    ``conditional``: the conditional likelihood (density derived); needed for individual
    covariates. ``buffer``, ``nx``, ``spacing``, ``mask_type``: the mask built when ``fit`` is
    given none (secr's defaults: 100 m, 64, trapbuffer). ``binom_n``: count detectors, 0 for
    Poisson counts, N for binomial counts of size N. ``start``: link-scale start values by
    coefficient name (defaults from the data).

    After ``fit``: ``coef_`` (name -> (beta, se)), ``estimates_`` (name -> :class:`Estimate`,
    real scale, at the baseline levels), ``loglik_``, ``aic_``, ``aicc_``, ``n_animals_``,
    ``n_detections_``, ``vcov_``, ``mask_``, ``esa_`` (hectares), ``converged_``, ``seconds_``,
    ``warnings_`` (what the fit warned about).
    """

    def __init__(
        self,
        *,
        detectfn: str = "HN",
        model: dict[str, str] | None = None,
        conditional: bool = False,
        buffer: float = 100.0,
        nx: int = 64,
        spacing: float | None = None,
        mask_type: str = "trapbuffer",
        binom_n: int = 0,
        start: dict[str, float] | None = None,
    ) -> None:
        self.detectfn = detectfn
        self.model = model
        self.conditional = conditional
        self.buffer = buffer
        self.nx = nx
        self.spacing = spacing
        self.mask_type = mask_type
        self.binom_n = binom_n
        self.start = start

    # -- set-up -------------------------------------------------------------------------------
    def _fn(self) -> DetectFn:
        return detectfn(self.detectfn)

    def spec(self) -> Spec:
        fn = self._fn()
        model = dict(self.model or {})
        known = {"D", fn.intercept, "sigma"}
        unknown = sorted(set(model) - known)
        if unknown:
            raise ParameterError(
                f"model: no parameter {unknown[0]!r} with detectfn {fn.name} (parameters:"
                f" {', '.join(sorted(known))})"
            )
        if self.binom_n < 0:
            raise ParameterError(
                f"binom_n: expected 0 (Poisson) or a size >= 1, got {self.binom_n}"
            )
        return Spec(
            fn,
            parse_formula(model.get("D"), "D"),
            parse_formula(model.get(fn.intercept), fn.intercept),
            parse_formula(model.get("sigma"), "sigma"),
            self.conditional,
            self.binom_n,
        )

    def prepare(self, ch: CaptureHistory, mask: Mask | None = None) -> Prepared:
        """The data and mask ready for the likelihood (the mask built if not given)."""
        if ch.traps.detector == "single":
            warnings.warn(
                "multi-catch likelihood used for single-catch traps (as secr does)",
                OncaWarning,
                stacklevel=3,
            )
        warn_off_effort(ch)
        use = mask or make_mask(
            ch.traps, buffer=self.buffer, nx=self.nx, spacing=self.spacing, type=self.mask_type
        )
        return Prepared(ch, use, self.spec())

    def _start(self, prep: Prepared) -> F64:
        fn = prep.spec.detectfn
        sigma = rpsv(prep.ch) or _spacing(prep.ch)
        if not fn.squared:
            sigma = sigma / 1.5
        beta = np.zeros(len(prep.names))
        name_index = {n: i for i, n in enumerate(prep.names)}
        beta[name_index[fn.intercept]] = logit(0.2) if fn.link == "logit" else math.log(0.2)
        beta[name_index["sigma"]] = math.log(max(sigma, 1e-6))
        if not prep.spec.conditional:
            esa = float(prep.esa(beta).mean())
            beta[name_index["D"]] = math.log(max(prep.ch.n / max(esa, 1e-12), 1e-12))
        for name, value in (self.start or {}).items():
            if name not in name_index:
                raise ParameterError(
                    f"start: no coefficient {name!r} (coefficients: {', '.join(prep.names)})"
                )
            beta[name_index[name]] = float(value)
        return beta

    # -- fitting --------------------------------------------------------------------------------
    def fit(self, ch: CaptureHistory, mask: Mask | None = None) -> SCR:
        """Maximise the likelihood for ``ch`` on ``mask`` (built from ``buffer`` when None)."""
        started = time.perf_counter()
        # BLAS threads spin after each product and starve the compiled kernels: one is faster
        with threadpool_limits(1, user_api="blas"), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", OncaWarning)
            prep = self.prepare(ch, mask)
            beta0 = self._start(prep)
            result = minimize(
                lambda b: _negate(prep.evaluate(b)),
                beta0,
                jac=True,
                method="BFGS",
                options={"gtol": 1e-6, "maxiter": 500},
            )
            beta = np.asarray(result.x, dtype=np.float64)
            hessian = numeric_hessian(prep, beta)
            vcov = invert(hessian)
            self._store(prep, beta, vcov, -float(result.fun), bool(result.success))
            if mask is None:
                self.buffer_bias_ = buffer_bias(self, prep)
                if self.buffer_bias_ > 0.01:
                    warnings.warn(
                        f"predicted relative bias of D from the mask buffer is"
                        f" {self.buffer_bias_:.3f} (> 0.01) with buffer = {self.buffer:g} m;"
                        " widen the buffer",
                        OncaWarning,
                        stacklevel=2,
                    )
        self.warnings_ = [str(w.message) for w in caught if issubclass(w.category, OncaWarning)]
        for w in caught:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        self.seconds_ = time.perf_counter() - started
        return self

    def _store(self, prep: Prepared, beta: F64, vcov: F64, loglik: float, converged: bool) -> None:
        fn = prep.spec.detectfn
        se = np.sqrt(np.clip(np.diag(vcov), 0, None))
        self.prepared_ = prep
        self.beta_ = beta
        self.vcov_ = vcov
        self.names_ = prep.names
        self.coef_ = {n: (float(b), float(s)) for n, b, s in zip(prep.names, beta, se, strict=True)}
        self.loglik_ = loglik
        self.converged_ = converged
        k = beta.size
        n = prep.ch.n
        self.n_parameters_ = k
        self.aic_ = -2 * loglik + 2 * k
        self.aicc_ = self.aic_ + (2 * k * (k + 1) / (n - k - 1) if n - k - 1 > 0 else math.inf)
        self.n_animals_ = n
        self.n_detections_ = prep.ch.detections
        self.mask_ = prep.mask
        self.esa_ = float(prep.esa(beta).mean())
        estimates: dict[str, Estimate] = {}
        index = {name: i for i, name in enumerate(prep.names)}
        if prep.spec.conditional:
            estimates["D"] = derived_density(prep, beta, vcov)
        else:
            estimates["D"] = _real(beta[index["D"]], se[index["D"]], "log")
        estimates[fn.intercept] = _real(beta[index[fn.intercept]], se[index[fn.intercept]], fn.link)
        estimates["sigma"] = _real(beta[index["sigma"]], se[index["sigma"]], "log")
        self.estimates_ = estimates

    # -- evaluation ----------------------------------------------------------------------------
    def loglik(
        self, ch: CaptureHistory, values: dict[str, float], mask: Mask | None = None
    ) -> float:
        """The log-likelihood at fixed real values (e.g. {"D": 5.48, "g0": 0.273, "sigma":
        29.4}) of a model with constant parameters, without fitting."""
        prep = self.prepare(ch, mask)
        fn = prep.spec.detectfn
        need = [n for n in prep.names]
        if set(need) != set(values) or any("." in n for n in need):
            raise ParameterError(
                f"fixed: give every parameter of a constant model: {', '.join(need)} (got"
                f" {', '.join(sorted(values)) or 'none'})"
            )
        beta = []
        for name in prep.names:
            v = float(values[name])
            link = "log" if name in ("D", "sigma") else fn.link
            if not (v > 0 and (link == "log" or v < 1)):
                raise ParameterError(f"fixed {name}: {v} is out of range for a {link} link")
            beta.append(math.log(v) if link == "log" else float(logit(v)))
        return prep.loglik(np.asarray(beta))

    def expected_n(self, region_mask: Mask | None = None) -> Estimate:
        """Expected number of activity centres in a region (a mask; default the fitted one)."""
        region = region_mask or self.mask_
        d = self.estimates_["D"]
        area = region.area_ha
        return Estimate(d.estimate * area, d.se * area, d.lcl * area, d.ucl * area)

    def summary(self) -> dict[str, Any]:
        """What the CLI prints with --json."""
        return {
            "detectfn": self._fn().name,
            "detector": self.prepared_.detector,
            "likelihood": "conditional" if self.conditional else "full",
            "model": {k: v for k, v in (self.model or {}).items()},
            "estimates": {k: v.as_dict() for k, v in self.estimates_.items()},
            "coefficients": {k: {"beta": b, "se": s} for k, (b, s) in self.coef_.items()},
            "loglik": self.loglik_,
            "aic": self.aic_,
            "aicc": self.aicc_,
            "n_parameters": self.n_parameters_,
            "n_animals": self.n_animals_,
            "n_detections": self.n_detections_,
            "n_occasions": self.prepared_.ch.occasions,
            "n_detectors": len(self.prepared_.ch.traps),
            "mask": {
                "points": len(self.mask_),
                "spacing_m": self.mask_.spacing,
                "area_ha": self.mask_.area_ha,
            },
            "esa_ha": self.esa_,
            "converged": self.converged_,
            "warnings": list(self.warnings_),
            "seconds": round(self.seconds_, 3),
        }


def _negate(pair: tuple[float, F64 | None]) -> tuple[float, F64]:
    value, grad = pair
    if not np.isfinite(value) or grad is None:
        return 1e300, np.zeros(1) if grad is None else -grad
    return -value, -grad


def numeric_hessian(prep: Prepared, beta: F64) -> F64:
    """Hessian of -loglik at ``beta`` by central differences of the analytic gradient."""
    return hessian_from_gradient(lambda b: prep.evaluate(b)[1], beta, rel_step=1e-4)


def derived_density(prep: Prepared, beta: F64, vcov: F64) -> Estimate:
    """Density under the conditional likelihood: sum_i 1/a_i, SE from sum_i 1/a_i^2 + g'Vg
    (g by central differences; secr's ``derived``), log-normal interval."""

    def total(b: F64) -> float:
        return float((1.0 / prep.esa(b)).sum())

    value = total(beta)
    grad = np.empty(beta.size)
    for j in range(beta.size):
        step = abs(beta[j]) * 6.055454e-6 or 6.055454e-6
        e = np.zeros(beta.size)
        e[j] = step
        grad[j] = (total(beta + e) - total(beta - e)) / (2 * step)
    esa = prep.esa(beta)
    var = float((1.0 / esa**2).sum() + grad @ vcov @ grad)
    return _lognormal(value, math.sqrt(max(var, 0.0)))


def buffer_bias(fitted: SCR, prep: Prepared) -> float:
    """Predicted relative bias of D from truncating the mask at the buffer: the effective
    sampling area on a mask widened until detection is negligible, over that on the fitted
    mask, minus one (uniform density assumed; secr's ``bias.D`` asks the same question)."""
    sigma = fitted.estimates_["sigma"].estimate
    wide = make_mask(
        prep.ch.traps,
        buffer=max(fitted.buffer, 0.0) + 8 * sigma,
        spacing=prep.mask.spacing,
        type=fitted.mask_type,
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
    detection = fitted.beta_[j:]
    a_small = float(prep.esa(fitted.beta_).mean())
    a_wide = float(wider.esa(detection).mean())
    return a_wide / a_small - 1.0


def compare_models(models: dict[str, SCR]) -> list[dict[str, Any]]:
    """A model-comparison table, best first: parameters, log-likelihood, AIC, AICc, delta AICc
    and AICc weight (Burnham and Anderson 2002), and each model's D. The models must be fitted
    to the same animals (the likelihoods are otherwise not comparable)."""
    if not models:
        raise ParameterError("compare_models: no models given")
    counts = {m.n_animals_ for m in models.values()}
    if len(counts) != 1:
        raise ParameterError(
            f"compare_models: the models were fitted to different numbers of animals ({sorted(counts)})"
        )
    best = min(m.aicc_ for m in models.values())
    weights = {k: math.exp(-(m.aicc_ - best) / 2) for k, m in models.items()}
    total = sum(weights.values())
    rows = [
        {
            "model": name,
            "n_parameters": m.n_parameters_,
            "loglik": m.loglik_,
            "aic": m.aic_,
            "aicc": m.aicc_,
            "delta_aicc": m.aicc_ - best,
            "weight": weights[name] / total,
            "D": m.estimates_["D"].estimate,
        }
        for name, m in models.items()
    ]
    return sorted(rows, key=lambda r: r["aicc"])
