"""Fitting SCR models by maximum likelihood: the :class:`SCR` estimator and its results.

Coefficients live on the link scale (log D, logit g0 or log lambda0, log sigma); the
likelihood is maximised with BFGS on its analytic gradient (``onca.ecology._mle``, shared with
occupancy), and the standard errors come from the inverse of the Hessian (central differences of
the gradient). Real-scale estimates, SEs and 95% intervals follow secr (``predict.secr``): the
interval is the link-scale estimate +/- 1.96 SE back-transformed; the SE is exp(b)
sqrt(exp(se^2) - 1) for log links and p (1 - p) se for logit.
Under the conditional likelihood density is derived as D = sum_i 1 / a_i (Huggins-Alho, as
secr's ``derived``), with variance sum_i 1 / a_i^2 + g' V g.
Several sessions (:class:`Sessions`) are fitted in one likelihood (:mod:`._sessions`), with
estimates for each session.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
from scipy.special import logit
from threadpoolctl import threadpool_limits

from onca.ecology._design import parse_formula
from onca.ecology._mle import Estimate, MaximumLikelihood, lognormal_estimate
from onca.ecology._params import Boolean, Constraint, InstanceOf, Interval, Options
from onca.ecology.scr._buffer import BIAS_LIMIT, buffer_bias, rpsv
from onca.ecology.scr._data import CaptureHistory, Sessions, warn_off_effort
from onca.ecology.scr._detectfn import DETECTFNS, DetectFn, detectfn
from onca.ecology.scr._likelihood import Prepared, Spec
from onca.ecology.scr._mask import MASK_TYPES, Mask, make_mask
from onca.ecology.scr._sessions import SessionsPrepared, session_terms
from onca.errors import OncaWarning, ParameterError

F64 = npt.NDArray[np.float64]
Masks = Mask | Sequence[Mask] | Mapping[str, Mask]


def _spacing(ch: CaptureHistory) -> float:
    xy = ch.traps.xy
    if len(xy) < 2:
        return 100.0
    diff = xy[:, None, :] - xy[None, :, :]
    d = np.sqrt((diff**2).sum(axis=2))
    d[d == 0] = np.inf
    return float(np.median(d.min(axis=1)))


class SCR(MaximumLikelihood):
    """Spatial capture-recapture by maximum likelihood (scikit-learn style: the constructor only
    stores its arguments, ``fit`` checks them and returns the estimator, learned values end in
    ``_``).

    ``detectfn``: HN, EX, HHN or HEX. ``model``: formulas per parameter, e.g.
    ``{"D": "~ forest", "g0": "~ b", "sigma": "~ sex"}`` (default all ``~1``); with several
    sessions also ``session`` (one level per session) and ``Session`` (a trend), as in secr.
    ``conditional``: the conditional likelihood (density derived); needed for individual
    covariates. ``buffer``, ``nx``, ``spacing``, ``mask_type``: the mask built when ``fit`` is
    given none (secr's defaults: 100 m, 64, trapbuffer). ``binom_n``: count detectors, 0 for
    Poisson counts, N for binomial counts of size N. ``start``: link-scale start values by
    coefficient name (defaults from the data).

    After ``fit``: what every maximum-likelihood model has (``coef_``, ``beta_``, ``vcov_``,
    ``loglik_``, ``aic_``, ``aicc_``, ``n_params_``, ``converged_``, ``warnings_``,
    ``fit_seconds_``; see ``onca.ecology._mle``), ``estimates_`` (name -> :class:`Estimate`,
    real scale, at the baseline levels), ``n_animals_``, ``n_detections_``, ``mask_``, ``esa_``
    (hectares) and ``buffer_bias_`` (predicted relative bias of D from the mask's buffer; None
    for a mask not built by ``make_mask`` around the detectors). Fitted to :class:`Sessions`:
    ``estimates_`` are the first session's, ``session_estimates_`` every session's (name ->
    parameter -> :class:`Estimate`), ``buffer_bias_`` the largest of the sessions'.
    """

    _parameter_constraints: ClassVar[dict[str, list[Constraint | None]]] = {
        "detectfn": [Options(tuple(DETECTFNS), ignore_case=True)],
        "model": [None, InstanceOf(dict, "a dict of parameter -> formula")],
        "conditional": [Boolean()],
        "buffer": [Interval(float, 0, None)],
        "nx": [Interval(int, 1, None)],
        "spacing": [None, Interval(float, 0, None, closed="neither")],
        "mask_type": [Options(MASK_TYPES)],
        "binom_n": [Interval(int, 0, None)],
        "start": [None, InstanceOf(dict, "a dict of coefficient -> link-scale value")],
    }

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
        return Spec(
            fn,
            parse_formula(model.get("D"), "D"),
            parse_formula(model.get(fn.intercept), fn.intercept),
            parse_formula(model.get("sigma"), "sigma"),
            self.conditional,
            self.binom_n,
        )

    def prepare(
        self, ch: CaptureHistory | Sessions, mask: Masks | None = None
    ) -> Prepared | SessionsPrepared:
        """The data and mask ready for the likelihood (the mask built if not given; with
        sessions, one mask for all or one per session, a list or a dict by name)."""
        histories = list(ch) if isinstance(ch, Sessions) else [ch]
        if histories[0].traps.detector == "single":
            warnings.warn(
                "multi-catch likelihood used for single-catch traps (as secr does)",
                OncaWarning,
                stacklevel=3,
            )
        for history in histories:
            warn_off_effort(history)
        spec = self.spec()
        if isinstance(ch, Sessions):
            return SessionsPrepared(ch, self._masks(ch, mask), spec)
        if session_terms(spec):
            raise ParameterError(
                f"model: {session_terms(spec)[0]!r} needs several sessions (a capture file"
                " whose first column names more than one session)"
            )
        if mask is not None and not isinstance(mask, Mask):
            raise ParameterError("mask: one capture history takes one Mask")
        return Prepared(ch, mask or self._mask(ch), spec)

    def _mask(self, ch: CaptureHistory) -> Mask:
        return make_mask(
            ch.traps, buffer=self.buffer, nx=self.nx, spacing=self.spacing, type=self.mask_type
        )

    def _masks(self, sessions: Sessions, mask: Masks | None) -> list[Mask]:
        if mask is None:
            return [self._mask(ch) for ch in sessions]
        if isinstance(mask, Mask):
            return [mask] * len(sessions)
        if isinstance(mask, Mapping):
            missing = [n for n in sessions.names if n not in mask]
            if missing:
                raise ParameterError(f"mask: none for session {', '.join(missing)}")
            return [mask[n] for n in sessions.names]
        return list(mask)

    def _start(self, prep: Prepared | SessionsPrepared) -> F64:
        fn = prep.spec.detectfn
        data = prep.sessions if isinstance(prep, SessionsPrepared) else prep.ch
        first = data.histories[0] if isinstance(data, Sessions) else data
        sigma = rpsv(data) or _spacing(first)
        if not fn.squared:
            sigma = sigma / 1.5
        beta = np.zeros(len(prep.names))
        name_index = {n: i for i, n in enumerate(prep.names)}
        beta[name_index[fn.intercept]] = logit(0.2) if fn.link == "logit" else math.log(0.2)
        beta[name_index["sigma"]] = math.log(max(sigma, 1e-6))
        if not prep.spec.conditional:
            esa = float(prep.esa(beta).mean()) if data.n else 1.0
            beta[name_index["D"]] = math.log(max(data.n / max(esa, 1e-12), 1e-12))
        for name, value in (self.start or {}).items():
            if name not in name_index:
                raise ParameterError(
                    f"start: no coefficient {name!r} (coefficients: {', '.join(prep.names)})"
                )
            beta[name_index[name]] = float(value)
        return beta

    # -- fitting --------------------------------------------------------------------------------
    def fit(self, ch: CaptureHistory | Sessions, mask: Masks | None = None) -> SCR:
        """Maximise the likelihood for ``ch`` (one capture history or several sessions) on
        ``mask`` (built from ``buffer`` when None; with sessions, one or one per session)."""
        # BLAS threads spin after each product and starve the compiled kernels: one is faster
        with self._fitting(), threadpool_limits(1, user_api="blas"):
            prep = self.prepare(ch, mask)
            self._maximise(
                lambda b: _negate(prep.evaluate(b)),
                self._start(prep),
                lambda b: prep.evaluate(b)[1],
                names=prep.names,
                n_obs=ch.n,
                rel_step=1e-4,
                gtol=1e-6,
                maxiter=500,
            )
            self._store(prep)
            self._check_buffer(prep)
        return self

    def _store(self, prep: Prepared | SessionsPrepared) -> None:
        self.prepared_ = prep
        self.esa_ = float(prep.esa(self.beta_).mean())
        if isinstance(prep, SessionsPrepared):
            parts = zip(
                prep.parts, prep.local(self.beta_), prep.local_vcov(self.vcov_), strict=True
            )
            self.session_estimates_ = {
                name: self._estimates(part, beta, vcov)
                for name, (part, beta, vcov) in zip(prep.sessions.names, parts, strict=True)
            }
            self.estimates_ = self.session_estimates_[prep.sessions.names[0]]
            self.n_animals_ = prep.sessions.n
            self.n_detections_ = prep.sessions.detections
            self.mask_ = prep.parts[0].mask
            return
        self.estimates_ = self._estimates(prep, self.beta_, self.vcov_)
        self.n_animals_ = prep.ch.n
        self.n_detections_ = prep.ch.detections
        self.mask_ = prep.mask

    def _estimates(self, prep: Prepared, beta: F64, vcov: F64) -> dict[str, Estimate]:
        """Real-scale estimates at the baseline levels from one session's coefficients."""
        fn = prep.spec.detectfn
        se = np.sqrt(np.clip(np.diag(vcov), 0, None))
        index = {name: i for i, name in enumerate(prep.names)}

        def real(name: str, link: str) -> Estimate:
            j = index[name]
            return self._real(name, beta[j], se[j], link, se_method="lognormal")

        estimates: dict[str, Estimate] = {}
        if prep.spec.conditional:
            estimates["D"] = derived_density(prep, beta, vcov)
        else:
            estimates["D"] = real("D", "log")
        estimates[fn.intercept] = real(fn.intercept, fn.link)
        estimates["sigma"] = real("sigma", "log")
        return estimates

    def _check_buffer(self, prep: Prepared | SessionsPrepared) -> None:
        """``buffer_bias_`` (with sessions, the largest), and a warning when it is above 1%."""
        if isinstance(prep, SessionsPrepared):
            biases = [
                buffer_bias(part, beta, self.session_estimates_[name]["sigma"].estimate)
                for name, part, beta in zip(
                    prep.sessions.names, prep.parts, prep.local(self.beta_), strict=True
                )
            ]
            known = [b for b in biases if b is not None]
            bias = max(known) if known else None
            mask = prep.parts[int(np.argmax([b if b is not None else -1 for b in biases]))].mask
        else:
            bias = buffer_bias(prep, self.beta_, self.estimates_["sigma"].estimate)
            mask = prep.mask
        self.buffer_bias_ = bias
        if bias is not None and bias > BIAS_LIMIT:
            warnings.warn(
                f"{prep.spec.detectfn.name}: predicted relative bias of D from the mask buffer"
                f" is {bias:.3f} (> {BIAS_LIMIT:g}) with buffer = {mask.buffer:g} m;"
                " widen the buffer",
                OncaWarning,
                stacklevel=3,
            )

    # -- evaluation ----------------------------------------------------------------------------
    def loglik(
        self, ch: CaptureHistory | Sessions, values: dict[str, float], mask: Masks | None = None
    ) -> float:
        """The log-likelihood at fixed real values (e.g. {"D": 5.48, "g0": 0.273, "sigma":
        29.4}) of a model with constant parameters, without fitting."""
        self._validate_params()
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
        return self.estimates_["D"].scaled(region.area_ha)

    def derived(self) -> dict[str, float]:
        """What a parametric bootstrap summarises (``onca.ecology._intervals``): D (animals per
        hectare, derived under the conditional likelihood), the effective sampling area
        ``esa_ha`` and the expected number of activity centres in the mask ``expected_n``."""
        return {
            "D": self.estimates_["D"].estimate,
            "esa_ha": self.esa_,
            "expected_n": self.expected_n().estimate,
        }

    def bootstrap_data(self, rng: np.random.Generator) -> tuple[CaptureHistory, Mask]:
        """A survey simulated from the fit, for a parametric bootstrap: activity centres
        Poisson in each mask cell at the fitted density, detections by the same detectors,
        occasions and usage; the arguments of ``fit``."""
        from onca.ecology.scr._simulate import simulate_captures

        prep = self.prepared_
        if not isinstance(prep, Prepared):
            raise ParameterError("bootstrap: SCR with several sessions cannot be simulated yet")
        if prep.spec.p0_terms or prep.spec.sigma_terms:
            raise ParameterError(
                "bootstrap: only SCR models with constant detection (no covariates or learned"
                " response on g0, lambda0 or sigma) can be simulated; use profile intervals"
            )
        mask = prep.mask
        if prep.spec.conditional:
            density = np.full(len(mask), self.estimates_["D"].estimate)
        else:
            density = prep.density(self.beta_)
        cells = np.repeat(np.arange(len(mask)), rng.poisson(density * mask.cell_ha))
        centres = mask.xy[cells] + (rng.random((cells.size, 2)) - 0.5) * mask.spacing
        p0, sigma = prep.class_values(self.beta_)
        simulated = simulate_captures(
            prep.ch.traps,
            centres,
            detectfn_name=prep.spec.detectfn.name,
            p0=float(p0[0]),
            sigma=float(sigma[0]),
            occasions=prep.ch.occasions,
            rng=rng,
            binom_n=prep.spec.binom_n,
        )
        return simulated.capthist, mask

    def to_dict(self) -> dict[str, Any]:
        """What the CLI prints with --json."""
        return {
            "detectfn": self._fn().name,
            "detector": self._first().detector,
            "likelihood": "conditional" if self.conditional else "full",
            "model": {k: v for k, v in (self.model or {}).items()},
            **self._fit_summary(),
            "n_animals": self.n_animals_,
            "n_detections": self.n_detections_,
            "n_occasions": self._first().ch.occasions,
            "n_detectors": len(self._first().ch.traps),
            "mask": {
                "points": len(self.mask_),
                "spacing_m": self.mask_.spacing,
                "area_ha": self.mask_.area_ha,
            },
            "esa_ha": self.esa_,
            "buffer_bias": self.buffer_bias_,
            **(
                {"sessions": self._sessions_dict()}
                if isinstance(self.prepared_, SessionsPrepared)
                else {}
            ),
        }

    def _first(self) -> Prepared:
        prep = self.prepared_
        return prep.parts[0] if isinstance(prep, SessionsPrepared) else prep

    def _sessions_dict(self) -> list[dict[str, Any]]:
        """Per session: what was observed and the estimates (with sessions)."""
        prep = self.prepared_
        assert isinstance(prep, SessionsPrepared)
        rows = []
        for name, part in zip(prep.sessions.names, prep.parts, strict=True):
            e = self.session_estimates_[name]
            rows.append(
                {
                    "session": name,
                    "n_animals": part.ch.n,
                    "n_detections": part.ch.detections,
                    "n_occasions": part.ch.occasions,
                    "n_detectors": len(part.ch.traps),
                    "mask_points": len(part.mask),
                    "estimates": {k: v.to_dict() for k, v in e.items()},
                    "expected_n_in_mask": e["D"].scaled(part.mask.area_ha).to_dict(),
                }
            )
        return rows


def _negate(pair: tuple[float, F64 | None]) -> tuple[float, F64]:
    value, grad = pair
    if not np.isfinite(value) or grad is None:
        return 1e300, np.zeros(1) if grad is None else -grad
    return -value, -grad


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
    return lognormal_estimate(value, math.sqrt(max(var, 0.0)))


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
            "n_parameters": m.n_params_,
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
