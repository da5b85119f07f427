"""Dynamic (multi-season) occupancy, MacKenzie et al. (2003): unmarked's ``colext``.

Site i is occupied in the first season with probability psi_i (logit-linear in site
covariates). Between seasons t and t + 1 an empty site is colonised with probability
gamma_it and an occupied one goes extinct with probability epsilon_it (logit-linear in site and
yearly-site covariates of season t: the T - 1 transitions use the covariates of seasons 1 to
T - 1, as unmarked does). In each season an occupied site is detected on occasion j with
probability p_itj (logit-linear in site, yearly-site and observation covariates); an empty site
never is. The likelihood of a site is the forward algorithm of this two-state hidden Markov
chain,

    L_i = 1' diag(e_i1) pi_i  Phi_i1 diag(e_i2) ... Phi_i,T-1 diag(e_iT) 1,

with pi_i = (1 - psi_i, psi_i), Phi_it = [[1 - gamma, gamma], [epsilon, 1 - epsilon]] and
e_it = (P(y_it | empty), P(y_it | occupied)): (1 or 0, prod_j p^y (1-p)^(1-y)) over the surveyed
occasions (both 1 for a season not surveyed). It is computed for all sites at once, season by
season, each step rescaled so that long surveys cannot underflow. The gradient is exact: by
Fisher's identity it is the posterior expectation of the complete-data score, whose weights
(P(z_it | y_i) and the pairwise P(z_it, z_i,t+1 | y_i)) come from the backward pass.

Derived occupancy per season (as unmarked): ``projected_`` is the population-level
psi_t = psi_t-1 (1 - epsilon_t-1) + (1 - psi_t-1) gamma_t-1 averaged over the sites, with a
delta-method SE (exact Jacobian) and a logit-scale 95% interval; ``smoothed_`` is the
finite-sample share of the sites occupied, the mean over the sites of the fit of
P(z_it = 1 | y_i)
(Weir et al. 2009; unmarked's ``smoothed``), which unmarked gives without an SE (its
bootstrap, ``nonparboot``, is not reproduced here).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from scipy.special import expit, logit

from onca.ecology._mle import Z95, Estimate, MaximumLikelihood
from onca.ecology._params import Constraint, InstanceOf
from onca.ecology.occupancy._seasons import SeasonalHistory
from onca.ecology.occupancy._terms import (
    TermColumns,
    as_text,
    check_values,
    empty_levels,
    make_columns,
    parse_terms,
)
from onca.errors import OncaWarning, ParameterError

F64 = npt.NDArray[np.float64]
PARTS = ("psi", "gamma", "epsilon", "p")


@dataclass(frozen=True)
class DynamicDesign:
    """Design arrays: ``psi`` (S, a); ``gamma`` and ``epsilon`` (S, T-1, .); ``p`` (S, T, J, .);
    ``cols``: each part's :class:`TermColumns`."""

    cols: dict[str, TermColumns]
    psi: F64
    gamma: F64
    epsilon: F64
    p: F64

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for part in PARTS for n in self.cols[part].names)

    def slices(self) -> dict[str, slice]:
        out, start = {}, 0
        for part in PARTS:
            width = len(self.cols[part].names)
            out[part] = slice(start, start + width)
            start += width
        return out


def transition_levels(h: SeasonalHistory) -> dict[str, tuple[str, ...]]:
    """Factor levels for colonisation and extinction: those found in seasons 1 to T - 1 (of all
    sites, before any is dropped), as unmarked's ``drop_final_year`` leaves them."""
    out: dict[str, tuple[str, ...]] = {}
    for name, levels in h.factors.items():
        if name in h.yearly_covs:
            held = set(as_text(np.asarray(h.yearly_covs[name])[:, :-1]).ravel().tolist())
        elif name in h.site_covs:
            held = set(as_text(h.site_covs[name]).tolist())
        else:
            continue
        out[name] = tuple(level for level in levels if level in held)
    return out


def build_dynamic_design(
    h: SeasonalHistory,
    formulas: dict[str, str],
    trans_factors: dict[str, tuple[str, ...]],
) -> DynamicDesign:
    """The design of a dynamic model (module docstring); warns about factor levels with no
    data."""
    n, t, j = h.y.shape
    sites = h.sites
    messages: list[str] = []
    cols: dict[str, TermColumns] = {}

    terms, intercept = parse_terms(formulas["psi"], "psi")
    cols["psi"] = make_columns("psi", terms, intercept, h.site_covs, h.factors, where="site")
    everywhere = np.ones(n, dtype=bool)
    check_values(
        cols["psi"], h.site_covs, everywhere, describe=lambda i: f"site {sites[i]}", where="site"
    )
    messages += empty_levels(cols["psi"], h.site_covs, everywhere)
    psi = cols["psi"].stack(h.site_covs, (n,))

    seasonal: dict[str, npt.ArrayLike] = {
        k: np.broadcast_to(np.asarray(v)[:, None], (n, t)) for k, v in h.site_covs.items()
    }
    seasonal.update(h.yearly_covs)
    before_last = {k: np.asarray(v)[:, : t - 1] for k, v in seasonal.items()}
    transitions = np.ones((n, t - 1), dtype=bool)
    arrays: dict[str, F64] = {}
    for part in ("gamma", "epsilon"):
        terms, intercept = parse_terms(formulas[part], part)
        cols[part] = make_columns(
            part, terms, intercept, before_last, trans_factors, where="site or yearly-site"
        )
        check_values(
            cols[part],
            before_last,
            transitions,
            describe=lambda i, s: f"site {sites[i]} season {s + 1}",
            where="yearly-site",
        )
        messages += empty_levels(cols[part], before_last, transitions)
        arrays[part] = cols[part].stack(before_last, (n, t - 1))

    occasions: dict[str, npt.ArrayLike] = {
        k: np.broadcast_to(np.asarray(v)[:, :, None], (n, t, j)) for k, v in seasonal.items()
    }
    occasions.update(h.obs_covs)
    factors = dict(h.factors)
    if "obsNum" not in occasions:  # unmarked's obsNum: the occasion's number over all seasons
        labels = np.asarray([str(k + 1) for k in range(t * j)], dtype=object).reshape(t, j)
        occasions["obsNum"] = np.broadcast_to(labels, (n, t, j))
        factors["obsNum"] = tuple(str(k + 1) for k in range(t * j))
    terms, intercept = parse_terms(formulas["p"], "p")
    cols["p"] = make_columns(
        "p", terms, intercept, occasions, factors, where="site, yearly-site or observation"
    )
    check_values(
        cols["p"],
        occasions,
        h.surveyed,
        describe=lambda i, s, k: f"site {sites[i]} season {s + 1} occasion {k + 1}",
        where="observation",
    )
    messages += empty_levels(cols["p"], occasions, h.surveyed)
    p = cols["p"].stack(occasions, (n, t, j))
    for message in messages:
        warnings.warn(message, OncaWarning, stacklevel=3)
    return DynamicDesign(cols, psi, arrays["gamma"], arrays["epsilon"], p)


class ColextLikelihood:
    """The dynamic-occupancy log-likelihood, its exact gradient and the posterior of each
    site's occupancy per season (module docstring)."""

    def __init__(self, h: SeasonalHistory, d: DynamicDesign) -> None:
        self.m = h.surveyed.astype(np.float64)
        self.y = np.nan_to_num(h.y) * self.m
        self.detected = self.y.sum(axis=2) > 0  # (S, T)
        self.e0 = (~self.detected).astype(np.float64)  # P(y_it | empty)
        self.d = d
        self.s = d.slices()

    def probabilities(self, beta: F64) -> tuple[F64, F64, F64, F64]:
        """psi (S,), gamma and epsilon (S, T-1), p (S, T, J)."""
        d, s = self.d, self.s
        return (
            expit(d.psi @ beta[s["psi"]]),
            expit(d.gamma @ beta[s["gamma"]]),
            expit(d.epsilon @ beta[s["epsilon"]]),
            expit(d.p @ beta[s["p"]]),
        )

    def _passes(self, beta: F64) -> tuple[float, dict[str, F64]]:
        d, s = self.d, self.s
        eta_psi = d.psi @ beta[s["psi"]]
        eta_gam = d.gamma @ beta[s["gamma"]]
        eta_eps = d.epsilon @ beta[s["epsilon"]]
        # each probability and its complement from the linear predictor, so that neither
        # rounds to 0 before the other is within 1e-300 of 1
        psi, psi_c = expit(eta_psi), expit(-eta_psi)
        gam, gam_c = expit(eta_gam), expit(-eta_gam)
        eps, eps_c = expit(eta_eps), expit(-eta_eps)
        eta = d.p @ beta[s["p"]]
        log_p, log_q = -np.logaddexp(0, -eta), -np.logaddexp(0, eta)
        ll1 = (self.m * (self.y * log_p + (1 - self.y) * log_q)).sum(axis=2)  # (S, T)
        shift = np.where(self.detected, ll1, 0.0)  # rescale seasons with detections to 1
        e1 = np.exp(ll1 - shift)
        e0 = self.e0
        n_sites, n_seasons = e1.shape
        a0 = np.empty((n_sites, n_seasons))
        a1 = np.empty((n_sites, n_seasons))
        norm = np.empty((n_sites, n_seasons))
        u0, u1 = psi_c * e0[:, 0], psi * e1[:, 0]
        for t in range(n_seasons):
            if t:
                g, gc, x, xc = gam[:, t - 1], gam_c[:, t - 1], eps[:, t - 1], eps_c[:, t - 1]
                p0, p1 = a0[:, t - 1], a1[:, t - 1]
                u0 = (p0 * gc + p1 * x) * e0[:, t]
                u1 = (p0 * g + p1 * xc) * e1[:, t]
            total = u0 + u1
            if not (total > 0).all():
                return -np.inf, {}
            norm[:, t] = total
            a0[:, t], a1[:, t] = u0 / total, u1 / total
        loglik = float(np.log(norm).sum() + shift.sum())
        b0 = np.ones((n_sites, n_seasons))
        b1 = np.ones((n_sites, n_seasons))
        for t in range(n_seasons - 2, -1, -1):
            f0 = e0[:, t + 1] * b0[:, t + 1] / norm[:, t + 1]
            f1 = e1[:, t + 1] * b1[:, t + 1] / norm[:, t + 1]
            b0[:, t] = gam_c[:, t] * f0 + gam[:, t] * f1
            b1[:, t] = eps[:, t] * f0 + eps_c[:, t] * f1
        nxt0 = e0[:, 1:] * b0[:, 1:] / norm[:, 1:]
        nxt1 = e1[:, 1:] * b1[:, 1:] / norm[:, 1:]
        parts = {
            "psi": psi,
            "gamma": gam,
            "epsilon": eps,
            "p": expit(eta),
            "post1": a1 * b1,  # P(z_it = 1 | y_i)
            "post0": a0 * b0,
            "xi01": a0[:, :-1] * gam * nxt1,  # P(z_it = 0, z_i,t+1 = 1 | y_i)
            "xi10": a1[:, :-1] * eps * nxt0,
        }
        return loglik, parts

    def value_grad(self, beta: F64) -> tuple[float, F64]:
        loglik, q = self._passes(beta)
        if not np.isfinite(loglik):
            return -np.inf, np.zeros_like(beta)
        d = self.d
        g_psi = d.psi.T @ (q["post1"][:, 0] - q["psi"])
        g_gam = np.einsum("stk,st->k", d.gamma, q["xi01"] - q["gamma"] * q["post0"][:, :-1])
        g_eps = np.einsum("stk,st->k", d.epsilon, q["xi10"] - q["epsilon"] * q["post1"][:, :-1])
        w = q["post1"][:, :, None] * self.m * (self.y - q["p"])
        g_p = np.einsum("stjk,stj->k", d.p, w)
        return loglik, np.concatenate([g_psi, g_gam, g_eps, g_p])

    def negative(self, beta: F64) -> tuple[float, F64]:
        v, g = self.value_grad(beta)
        return (-v, -g) if np.isfinite(v) else (1e300, np.zeros_like(beta))

    def scale(self) -> F64:
        """Each coefficient's column scale (root mean square over the cells that enter the
        likelihood): covariates in their own units (forest in percent, dates in days) make the
        problem so ill-conditioned that BFGS stalls; on scaled columns it does not."""
        d, used = self.d, self.m.astype(bool)
        blocks = [
            d.psi,
            d.gamma.reshape(-1, d.gamma.shape[-1]),
            d.epsilon.reshape(-1, d.epsilon.shape[-1]),
            d.p[used],
        ]
        rms = np.concatenate([np.sqrt((b**2).mean(axis=0)) for b in blocks])
        return np.where(rms > 0, rms, 1.0)

    def prefit(self, start: F64) -> F64:
        """The maximum found by BFGS on scaled coefficients (then L-BFGS-B if BFGS stalls short
        of it), from ``start``; ``start`` itself if neither improves on it."""
        scale = self.scale()

        def scaled(b: F64) -> tuple[float, F64]:
            v, g = self.negative(b / scale)
            return v, g / scale

        best, best_value = start, self.negative(start)[0]
        result = minimize(
            scaled, start * scale, jac=True, method="BFGS", options={"gtol": 1e-7, "maxiter": 5000}
        )
        if not result.success and float(np.max(np.abs(result.jac), initial=0.0)) > 1e-4:
            result = minimize(
                scaled,
                result.x,
                jac=True,
                method="L-BFGS-B",
                options={"ftol": 1e-13, "gtol": 1e-7, "maxiter": 5000},
            )
        if np.all(np.isfinite(result.x)) and result.fun < best_value:
            best = np.asarray(result.x, dtype=np.float64) / scale
        return best

    def posterior(self, beta: F64) -> F64:
        """(S, T): P(site occupied in season t | its data)."""
        return self._passes(beta)[1]["post1"]

    def projected(self, beta: F64) -> tuple[F64, F64, F64]:
        """Projected occupancy per site and season (S, T), ignoring the detections (unmarked's
        ``projected``); its mean over sites (T,) and that mean's Jacobian in beta (T, K)."""
        d, s = self.d, self.s
        psi, gam, eps, _ = self.probabilities(beta)
        n_sites, n_seasons = self.e0.shape
        jac = np.zeros((n_sites, beta.size))
        jac[:, s["psi"]] = (psi * (1 - psi))[:, None] * d.psi
        now = psi
        sites, jacs = [now], [jac.mean(axis=0)]
        for t in range(n_seasons - 1):
            g, x = gam[:, t], eps[:, t]
            nxt = jac * (1 - g - x)[:, None]
            nxt[:, s["gamma"]] += ((1 - now) * g * (1 - g))[:, None] * d.gamma[:, t]
            nxt[:, s["epsilon"]] -= (now * x * (1 - x))[:, None] * d.epsilon[:, t]
            now = now * (1 - x) + (1 - now) * g
            jac = nxt
            sites.append(now)
            jacs.append(jac.mean(axis=0))
        each = np.column_stack(sites)
        return each, each.mean(axis=0), np.asarray(jacs)


def logit_interval(value: float, se: float) -> Estimate:
    """A probability with its delta-method SE and a 95% interval symmetric on the logit scale."""
    if not 0 < value < 1 or not np.isfinite(se):
        return Estimate(value, se, value, value)
    spread = Z95 * se / (value * (1 - value))
    centre = float(logit(value))
    return Estimate(value, se, float(expit(centre - spread)), float(expit(centre + spread)))


class DynamicOccupancy(MaximumLikelihood):
    """Dynamic occupancy (unmarked's ``colext``), scikit-learn style. ``psi``: formula for
    first-season occupancy (site covariates); ``gamma`` (colonisation) and ``epsilon``
    (extinction): formulas in site and yearly-site covariates; ``p``: detection, in site,
    yearly-site and observation covariates. ``~ season - 1`` gives one coefficient per season
    (unmarked's ``~ year - 1``).

    After ``fit``: what every maximum-likelihood model has (``coef_``, ``beta_``, ``vcov_``,
    ``loglik_``, ``aic_``, ``aicc_`` with n = sites, ``n_params_``, ``converged_``,
    ``warnings_``, ``fit_seconds_``), ``estimates_`` (real scale for the constant parts),
    ``projected_`` and ``smoothed_`` (occupancy per season, module docstring),
    ``site_projected_`` (S, T) each site's projected occupancy, ``site_occupancy_`` (S, T)
    P(occupied | data), ``n_sites_``, ``history_`` and ``design_``."""

    _parameter_constraints: ClassVar[dict[str, list[Constraint | None]]] = {
        "psi": [InstanceOf(str, "a formula such as '~1' or '~ forest'")],
        "gamma": [InstanceOf(str, "a formula such as '~1' or '~ season - 1'")],
        "epsilon": [InstanceOf(str, "a formula such as '~1' or '~ forest_loss'")],
        "p": [InstanceOf(str, "a formula such as '~1' or '~ season + date'")],
    }

    def __init__(
        self, *, psi: str = "~1", gamma: str = "~1", epsilon: str = "~1", p: str = "~1"
    ) -> None:
        self.psi = psi
        self.gamma = gamma
        self.epsilon = epsilon
        self.p = p

    def fit(self, h: SeasonalHistory, *, start: npt.ArrayLike | None = None) -> DynamicOccupancy:
        """Fit to ``h``; ``start``: starting coefficients (default all 0, as unmarked)."""
        with self._fitting():
            if not isinstance(h, SeasonalHistory):
                raise ParameterError(
                    "expected a SeasonalHistory (onca.ecology.occupancy.read_seasons_csv)"
                )
            trans = transition_levels(h)
            h = h.drop_unsurveyed()
            formulas = {"psi": self.psi, "gamma": self.gamma, "epsilon": self.epsilon, "p": self.p}
            design = build_dynamic_design(h, formulas, trans)
            self.history_ = h
            self.design_ = design
            fun = ColextLikelihood(h, design)
            k = len(design.names)
            beta0 = np.zeros(k) if start is None else np.asarray(start, dtype=np.float64)
            if beta0.shape != (k,):
                raise ParameterError(
                    f"start: expected {k} coefficients ({', '.join(design.names)}), got"
                    f" {beta0.size}"
                )
            beta0 = fun.prefit(beta0)
            self._maximise(
                fun.negative,
                beta0,
                lambda b: fun.value_grad(b)[1],
                names=design.names,
                n_obs=h.n_sites,
                rel_step=1e-5,
                gtol=1e-4,  # met at once after the prefit: BFGS only confirms the optimum
                maxiter=5000,
            )
            self._likelihood = fun
            self.n_sites_ = h.n_sites
            self.site_occupancy_ = fun.posterior(self.beta_)
            self.smoothed_ = self.site_occupancy_.mean(axis=0)
            self.site_projected_, means, jac = fun.projected(self.beta_)
            variance = np.einsum("tk,kl,tl->t", jac, self.vcov_, jac)
            self.projected_ = [
                logit_interval(float(m), float(np.sqrt(max(v, 0.0))))
                for m, v in zip(means, variance, strict=True)
            ]
            se = np.sqrt(np.clip(np.diag(self.vcov_), 0, None))
            self.estimates_ = {}
            for part, where in design.slices().items():
                cols = design.cols[part]
                if cols.intercept and len(cols.names) == 1:
                    b = where.start
                    self.estimates_[part] = self._real(
                        part, float(self.beta_[b]), float(se[b]), "logit"
                    )
        return self

    def predict(self, part: str, covariates: dict[str, npt.ArrayLike] | None = None) -> F64:
        """``part`` (psi, gamma, epsilon or p) for covariate values (each a sequence of equal
        length; factors by level): an (n, 4) array of estimate, SE (delta method), and the 95%
        interval from the logit scale, as unmarked's ``predict``."""
        if part not in PARTS:
            raise ParameterError(f"part: expected one of {', '.join(PARTS)}, got {part!r}")
        cols = self.design_.cols[part]
        values = {k: np.asarray(v) for k, v in (covariates or {}).items()}
        missing = [t for t in cols.terms if t not in values]
        if missing:
            raise ParameterError(f"predict {part}: give a value for {', '.join(missing)}")
        rows = len(next(iter(values.values()))) if values else 1
        X = cols.stack(values, (rows,))
        where = self.design_.slices()[part]
        eta = X @ self.beta_[where]
        V = self.vcov_[where, where]
        se = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", X, V, X), 0, None))
        est = expit(eta)
        return np.column_stack(
            [est, est * (1 - est) * se, expit(eta - Z95 * se), expit(eta + Z95 * se)]
        )

    def to_dict(self) -> dict[str, Any]:
        """What the CLI prints with --json."""
        h = self.history_
        return {
            "model": "colext",
            "formulas": {
                "psi": self.psi,
                "gamma": self.gamma,
                "epsilon": self.epsilon,
                "p": self.p,
            },
            **self._fit_summary(),
            "n_sites": self.n_sites_,
            "n_seasons": h.n_seasons,
            "occasions_per_season": h.n_occasions,
            "seasons": [
                {
                    "season": label,
                    "sites_surveyed": int(h.surveyed[:, t].any(axis=1).sum()),
                    "sites_detected": int((np.nansum(h.y[:, t], axis=1) > 0).sum()),
                    "naive_occupancy": naive,
                    "projected": self.projected_[t].to_dict(),
                    "smoothed": float(self.smoothed_[t]),
                }
                for t, (label, naive) in enumerate(zip(h.seasons, h.naive_occupancy(), strict=True))
            ],
        }
