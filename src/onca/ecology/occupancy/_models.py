"""Site-occupancy models by maximum likelihood.

``occu`` (MacKenzie et al. 2002): site i is occupied with probability psi_i (logit-linear in
site covariates); if occupied, the species is detected on occasion j with probability p_ij
(logit-linear in site and observation covariates); unsurveyed occasions are left out:
    L_i = psi_i prod_j p_ij^y (1 - p_ij)^(1 - y) + (1 - psi_i) [no detection at i].
``rn`` (Royle and Nichols 2003): site i holds N_i ~ Poisson(lambda_i) animals (log-linear), each
detected with probability r_ij, so p_ij = 1 - (1 - r_ij)^N_i; the likelihood sums N from 0 to
K. Occupancy is then psi_i = 1 - exp(-lambda_i).

Coefficients are on the link scale with SEs from the inverse Hessian (``onca.ecology._mle``,
shared with SCR); real-scale estimates of constant models are back-transformed with
delta-method SEs and link-scale intervals, as unmarked's ``backTransform`` does.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
from scipy.special import expit, gammaln, logsumexp

from onca.ecology._mle import Z95, Estimate, MaximumLikelihood, hessian_from_gradient
from onca.ecology._params import Constraint, InstanceOf, Interval, Options
from onca.ecology.occupancy._data import DetectionHistory
from onca.ecology.occupancy._terms import (
    TermColumns,
    check_values,
    empty_levels,
    make_columns,
    parse_terms,
)
from onca.errors import OncaWarning

F64 = npt.NDArray[np.float64]
MODELS = ("occu", "rn")


@dataclass(frozen=True)
class Design:
    """Design matrices: ``state`` (S, a) for psi or lambda; ``detect`` (S, J, b) for p or r."""

    state_cols: TermColumns
    detect_cols: TermColumns
    state: F64
    detect: F64


def obs_num(shape: tuple[int, ...]) -> npt.NDArray[np.object_]:
    """unmarked's ``obsNum``: the factor of the occasion's number (1 to J), on every site."""
    labels = np.asarray([str(j + 1) for j in range(shape[-1])], dtype=object)
    return np.asarray(np.broadcast_to(labels, shape), dtype=object)


def build_design(
    h: DetectionHistory,
    state_formula: str,
    detect_formula: str,
    state_name: str,
    detect_name: str,
) -> Design:
    """The design of a single-season model; warns about factor levels with no data."""
    terms, intercept = parse_terms(state_formula, state_name)
    state_cols = make_columns(state_name, terms, intercept, h.site_covs, h.factors, where="site")
    every_site = np.ones(h.n_sites, dtype=bool)
    check_values(
        state_cols, h.site_covs, every_site, describe=lambda i: f"site {h.sites[i]}", where="site"
    )
    state = state_cols.stack(h.site_covs, (h.n_sites,))
    available: dict[str, npt.ArrayLike] = {
        k: np.broadcast_to(np.asarray(v)[:, None], h.y.shape) for k, v in h.site_covs.items()
    }
    available.update(h.obs_covs)
    factors = dict(h.factors)
    if "obsNum" not in available:
        available["obsNum"] = obs_num(h.y.shape)
        factors["obsNum"] = tuple(str(j + 1) for j in range(h.n_occasions))
    terms, intercept = parse_terms(detect_formula, detect_name)
    detect_cols = make_columns(
        detect_name, terms, intercept, available, factors, where="site or observation"
    )
    check_values(
        detect_cols,
        available,
        h.surveyed,
        describe=lambda i, j: f"site {h.sites[i]} occasion {j + 1}",
        where="observation",
    )
    detect = detect_cols.stack(available, h.y.shape)
    for message in empty_levels(state_cols, h.site_covs, every_site) + empty_levels(
        detect_cols, available, h.surveyed
    ):
        warnings.warn(message, OncaWarning, stacklevel=3)
    return Design(state_cols, detect_cols, state, detect)


class Occupancy(MaximumLikelihood):
    """Single-season occupancy (``model='occu'``) or Royle-Nichols (``model='rn'``), scikit-learn
    style. ``psi`` and ``p``: formulas (``~1``, ``~ forest + elev``); for 'rn' they model lambda
    and r. ``K``: the largest abundance summed over in 'rn' (default: the largest count any
    site could reasonably hold, see :func:`default_k`).

    After ``fit``: what every maximum-likelihood model has (``coef_``, ``beta_``, ``vcov_``,
    ``loglik_``, ``aic_``, ``aicc_`` with n = sites, ``n_params_``, ``converged_``,
    ``warnings_``, ``fit_seconds_``; see ``onca.ecology._mle``), ``estimates_`` (real scale for
    constant parts: psi and p, or lambda, r and psi), ``site_occupancy_`` (empirical Bayes
    P(occupied | data) per site), ``n_sites_``, ``k_``, ``history_`` and ``design_``."""

    _parameter_constraints: ClassVar[dict[str, list[Constraint | None]]] = {
        "model": [Options(MODELS)],
        "psi": [InstanceOf(str, "a formula such as '~1' or '~ forest'")],
        "p": [InstanceOf(str, "a formula such as '~1' or '~ effort'")],
        "K": [None, Interval(int, 1, None)],
    }

    def __init__(
        self, *, model: str = "occu", psi: str = "~1", p: str = "~1", K: int | None = None
    ) -> None:
        self.model = model
        self.psi = psi
        self.p = p
        self.K = K

    def _design(self, h: DetectionHistory) -> Design:
        state_name, detect_name = ("psi", "p") if self.model == "occu" else ("lambda", "r")
        return build_design(h, self.psi, self.p, state_name, detect_name)

    def fit(self, h: DetectionHistory) -> Occupancy:
        with self._fitting():
            h = h.drop_unsurveyed()
            design = self._design(h)
            self.history_ = h
            self.design_ = design
            a = design.state.shape[1]
            k = self.K if self.K is not None else default_k(h)
            self.k_ = k
            fun = _OccuLik(h, design) if self.model == "occu" else _RNLik(h, design, k)
            self._maximise(
                fun.negative,
                np.zeros(a + design.detect.shape[2]),
                lambda b: fun.value_grad(b)[1],
                names=design.state_cols.names + design.detect_cols.names,
                n_obs=h.n_sites,
                rel_step=1e-5,
                gtol=1e-7,
                maxiter=1000,
            )
            self.n_sites_ = h.n_sites
            self.site_occupancy_ = fun.posterior(self.beta_)
            se = np.sqrt(np.clip(np.diag(self.vcov_), 0, None))
            self.estimates_ = self._estimates(self.beta_, se, a)
            if isinstance(fun, _RNLik) and fun.tail(self.beta_) > 1e-4:
                warnings.warn(
                    f"K = {k}: some site's abundance may exceed K (posterior P(N = K) ="
                    f" {fun.tail(self.beta_):.1e}); raise K",
                    OncaWarning,
                    stacklevel=2,
                )
        return self

    def _estimates(self, beta: F64, se: F64, a: int) -> dict[str, Estimate]:
        out: dict[str, Estimate] = {}
        if len(self.design_.state_cols.names) == 1:
            b, s = float(beta[0]), float(se[0])
            if self.model == "occu":
                out["psi"] = self._real("psi", b, s, "logit")
            else:
                out["lambda"] = self._real("lambda", b, s, "log")
                out["psi"] = self._real("psi", b, s, "cloglog", coef=self.names_[0])
        if len(self.design_.detect_cols.names) == 1:
            name = "p" if self.model == "occu" else "r"
            out[name] = self._real(name, float(beta[a]), float(se[a]), "logit")
        return out

    def predict_state(self, site_covs: dict[str, npt.ArrayLike]) -> tuple[F64, F64, F64]:
        """psi (occu) or lambda (rn) for new sites given their covariates: (estimate, lcl, ucl)."""
        cols = self.design_.state_cols
        values = {k: np.asarray(v) for k, v in site_covs.items()}
        rows = len(next(iter(values.values()))) if values else 1
        X = cols.matrix(values, rows)
        b = self.beta_[: X.shape[1]]
        V = self.vcov_[: X.shape[1], : X.shape[1]]
        eta = X @ b
        se = np.sqrt(np.einsum("ij,jk,ik->i", X, V, X))
        inv = expit if self.model == "occu" else np.exp
        return inv(eta), inv(eta - Z95 * se), inv(eta + Z95 * se)

    def derived(self) -> dict[str, float]:
        """What a parametric bootstrap summarises (``onca.ecology._intervals``): the proportion
        and the number of the surveyed sites occupied, given the data (empirical Bayes)."""
        return {
            "proportion_occupied": float(self.site_occupancy_.mean()),
            "occupied_sites": float(self.site_occupancy_.sum()),
        }

    def bootstrap_data(self, rng: np.random.Generator) -> tuple[DetectionHistory]:
        """Detections simulated from the fit on the same sites, covariates and surveyed
        occasions, for a parametric bootstrap; the arguments of ``fit``."""
        from onca.ecology.occupancy._gof import simulate

        h = self.history_
        y = simulate(self, self.beta_, rng)
        return (DetectionHistory(h.sites, y, h.site_covs, h.obs_covs, h.xy),)

    def to_dict(self) -> dict[str, Any]:
        """What the CLI prints with --json."""
        return {
            "model": self.model,
            "formulas": {
                "psi" if self.model == "occu" else "lambda": self.psi,
                "p" if self.model == "occu" else "r": self.p,
            },
            **self._fit_summary(),
            "n_sites": self.n_sites_,
            "n_occasions": self.history_.n_occasions,
            "sites_detected": int((np.nansum(self.history_.y, axis=1) > 0).sum()),
            "naive_occupancy": self.history_.naive_occupancy(),
            "occupied_sites_expected": float(self.site_occupancy_.sum()),
            "K": self.k_ if self.model == "rn" else None,
        }


def default_k(h: DetectionHistory) -> int:
    """Royle-Nichols: the largest abundance summed over, 25 as in unmarked's ``occuRN``; a fit
    warns when the posterior still puts weight on N = K."""
    return 25


class _Likelihood:
    """A log-likelihood with its analytic gradient (``value_grad``), as the optimiser and the
    Hessian need it."""

    def value_grad(self, beta: F64) -> tuple[float, F64]:
        raise NotImplementedError

    def negative(self, beta: F64) -> tuple[float, F64]:
        v, g = self.value_grad(beta)
        return (-v, -g) if np.isfinite(v) else (1e300, np.zeros_like(beta))

    def hessian(self, beta: F64) -> F64:
        return hessian_from_gradient(lambda b: self.value_grad(b)[1], beta)


class _OccuLik(_Likelihood):
    """The occu log-likelihood with its analytic gradient."""

    def __init__(self, h: DetectionHistory, d: Design) -> None:
        self.m = h.surveyed.astype(np.float64)
        self.y = np.nan_to_num(h.y)
        self.detected = (self.y * self.m).sum(axis=1) > 0
        self.Xs, self.Xd = d.state, d.detect
        self.a = d.state.shape[1]

    def parts(self, beta: F64) -> tuple[F64, F64, F64]:
        eta_psi = self.Xs @ beta[: self.a]
        eta_p = self.Xd @ beta[self.a :]
        log_p, log_q = -np.logaddexp(0, -eta_p), -np.logaddexp(0, eta_p)
        ll_det = (self.m * (self.y * log_p + (1 - self.y) * log_q)).sum(axis=1)
        return eta_psi, eta_p, ll_det

    def value_grad(self, beta: F64) -> tuple[float, F64]:
        eta_psi, eta_p, ll_det = self.parts(beta)
        log_psi, log_1m = -np.logaddexp(0, -eta_psi), -np.logaddexp(0, eta_psi)
        occupied = log_psi + ll_det
        log_l = np.where(self.detected, occupied, np.logaddexp(occupied, log_1m))
        w = np.exp(occupied - log_l)  # P(occupied | y); 1 where detected
        psi, p = expit(eta_psi), expit(eta_p)
        g_state = w - psi
        g_detect = w[:, None] * self.m * (self.y - p)
        grad = np.concatenate([self.Xs.T @ g_state, np.einsum("ijk,ij->k", self.Xd, g_detect)])
        return float(log_l.sum()), grad

    def posterior(self, beta: F64) -> F64:
        eta_psi, _, ll_det = self.parts(beta)
        occupied = -np.logaddexp(0, -eta_psi) + ll_det
        log_l = np.logaddexp(occupied, -np.logaddexp(0, eta_psi))
        return np.where(self.detected, 1.0, np.exp(occupied - log_l))


class _RNLik(_Likelihood):
    """The Royle-Nichols log-likelihood with its analytic gradient."""

    def __init__(self, h: DetectionHistory, d: Design, k: int) -> None:
        self.m = h.surveyed.astype(np.float64)
        self.y = np.nan_to_num(h.y)
        self.Xs, self.Xd = d.state, d.detect
        self.a = d.state.shape[1]
        self.n = np.arange(k + 1, dtype=np.float64)
        self.hit = self.m * self.y  # (S, J)
        self.miss = self.m * (1 - self.y)

    def _terms(self, beta: F64) -> tuple[F64, F64, F64, F64]:
        """(S, K+1) log Pois(N; lambda) + log Pr(y | N); and log lambda, r, log(1 - r)."""
        log_lam = self.Xs @ beta[: self.a]
        eta_r = self.Xd @ beta[self.a :]
        log_q = -np.logaddexp(0, eta_r)  # log(1 - r)
        n = self.n
        terms = n[None, :] * (np.einsum("ij,ij->i", self.miss, log_q)[:, None] + log_lam[:, None])
        terms -= np.exp(log_lam)[:, None] + gammaln(n + 1)[None, :]
        rows, cols = np.nonzero(self.hit)
        if rows.size:  # log(1 - q^N) at each detection; -inf at N = 0
            x = -log_q[rows, cols][:, None] * n[None, :]
            with np.errstate(divide="ignore"):
                log_hit = np.where(x > 0, np.log(-np.expm1(-np.where(x > 0, x, 1.0))), -np.inf)
            np.add.at(terms, rows, log_hit)
        return terms, log_lam, expit(eta_r), log_q

    def value_grad(self, beta: F64) -> tuple[float, F64]:
        terms, log_lam, r, log_q = self._terms(beta)
        norm = logsumexp(terms, axis=1)
        value = float(norm.sum())
        if not np.isfinite(value):
            return -np.inf, np.zeros_like(beta)
        w = np.exp(terms - norm[:, None])  # P(N | y_i)
        mean_n = w @ self.n
        g_state = mean_n - np.exp(log_lam)
        g_detect = -self.miss * r * mean_n[:, None]
        rows, cols = np.nonzero(self.hit)
        if rows.size:
            n = self.n[None, :]
            qn = np.exp(log_q[rows, cols][:, None] * n)  # q^N
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(n > 0, n * qn / (1 - qn), 0.0)
            g_detect[rows, cols] += r[rows, cols] * np.einsum("dn,dn->d", w[rows], ratio)
        grad = np.concatenate([self.Xs.T @ g_state, np.einsum("ijk,ij->k", self.Xd, g_detect)])
        return value, grad

    def posterior(self, beta: F64) -> F64:
        """P(N_i > 0 | y_i)."""
        terms = self._terms(beta)[0]
        return 1.0 - np.exp(terms[:, 0] - logsumexp(terms, axis=1))

    def tail(self, beta: F64) -> float:
        """The largest posterior probability that N_i = K: K is too small when it is not tiny."""
        terms = self._terms(beta)[0]
        return float(np.exp(terms[:, -1] - logsumexp(terms, axis=1)).max())
