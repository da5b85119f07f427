"""The SCR log-likelihood, vectorised over animals, occasions, detectors and mask points.

Notation: n animals, S occasions, K detectors, M mask points of A hectares; u[k, s] usage;
h[m, k] the hazard at mask point m for detector k (:mod:`._detectfn`). Animals fall into
*classes* that share detection parameters: their covariate group and, with a learned response
(``b``), whether they have been detected before that occasion.

- Multi-catch traps (and single-catch, fitted the same way as secr does): on occasion s the
  hazards compete, H[m, s] = sum_k u[k, s] h[m, k]; caught in k with probability
  (u h[m, k] / H) (1 - exp(-H)), not caught with exp(-H).
- Proximity and binomial counts (size N per occasion): Bernoulli/binomial with
  g' = 1 - (1 - g)^u, i.e. log(1 - g') = -u h.
- Poisson counts: mean u h per occasion.

In every case the chance of never being detected from m is exp(-N_size * sum_k h[m, k] U[k])
with U = the usage summed over occasions (N_size = 1 but for binomial counts).

An animal that died or was removed (secr's negative occasion) was detected on that occasion and
contributes nothing to Pr(w_i | m) on later ones, as in secr's prwi: multi-catch traps stop after
the capture, proximity and count detectors after the whole occasion (every detector's term).

Full likelihood (Poisson number of animals, Borchers and Efford 2008):
    sum_i log sum_m pi_m Pr(w_i | m) + n log N(D) - N(D) pbar - sum_h log f_h!
with pi_m = D_m / sum D, N(D) = A sum_m D_m, pbar = sum_m pi_m p.(m) and f_h the number of
animals sharing each distinct capture history. Conditional likelihood:
    sum_i log sum_m Pr(w_i | m) / M - sum_i log pbar_i + log n! - sum_h log f_h!
These are secr's (R/generalsecrloglik.R), constants included, so values can be compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import expit, gammaln

from onca.ecology._design import columns_for
from onca.ecology.scr._data import CaptureHistory
from onca.ecology.scr._detectfn import DetectFn
from onca.ecology.scr._kernels import logsumexp_rows, posterior_rows
from onca.ecology.scr._mask import Mask
from onca.errors import ParameterError

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


def log1mexp(x: F64) -> F64:
    """log(1 - exp(-x)) for x > 0, accurate for small and large x."""
    x = np.asarray(x, dtype=np.float64)
    small = x < 0.6931
    out = np.empty_like(x)
    with np.errstate(divide="ignore"):
        out[small] = np.log(-np.expm1(-x[small]))
        out[~small] = np.log1p(-np.exp(-x[~small]))
    return out


@dataclass(frozen=True)
class Spec:
    """What is modelled: the detection function, the terms of each parameter, full or
    conditional likelihood, and for count detectors the binomial size (0: Poisson)."""

    detectfn: DetectFn
    d_terms: tuple[str, ...] = ()
    p0_terms: tuple[str, ...] = ()
    sigma_terms: tuple[str, ...] = ()
    conditional: bool = False
    binom_n: int = 0


class Prepared:
    """Everything about the data that does not depend on the parameters, and the
    log-likelihood as a function of the link-scale coefficients ``beta``."""

    def __init__(
        self, ch: CaptureHistory, mask: Mask, spec: Spec, *, allow_empty: bool = False
    ) -> None:
        """``allow_empty``: accept a capture history with no animals (a session that caught
        none, under the full likelihood: it contributes -N(D) pbar)."""
        if ch.n == 0 and not (allow_empty and not spec.conditional):
            raise ParameterError("the capture history has no animals: nothing to estimate")
        self.ch, self.mask, self.spec = ch, mask, spec
        fn = spec.detectfn
        diff = mask.xy[:, None, :] - ch.traps.xy[None, :, :]
        self.d2 = np.einsum("mkj,mkj->mk", diff, diff)
        self.d = np.sqrt(self.d2) if not fn.squared else self.d2
        self.usage = ch.effort()
        self.detector = ch.traps.detector
        if spec.d_terms and spec.conditional:
            raise ParameterError(
                "model for D: the conditional likelihood has no density model; fit D"
                " covariates with the full likelihood"
            )
        individual = [t for t in spec.p0_terms + spec.sigma_terms if t != "b"]
        if individual and not spec.conditional:
            raise ParameterError(
                f"individual covariates ({', '.join(individual)}) need the conditional"
                " likelihood (conditional=True, CLI --conditional), as in secr"
            )
        self.d_cols = columns_for("D", spec.d_terms, mask.covariates, where="mask")
        self.p0_cols = columns_for(
            fn.intercept, spec.p0_terms, ch.covariates, where="individual", special=("b",)
        )
        self.sigma_cols = columns_for("sigma", spec.sigma_terms, ch.covariates, where="individual")
        self.names = (
            (() if spec.conditional else self.d_cols.names)
            + self.p0_cols.names
            + self.sigma_cols.names
        )
        self.d_design = self.d_cols.matrix(mask.covariates, len(mask))
        self._classes()
        self._statistics()

    # -- classes: who shares detection parameters, on which occasions --------------------------
    def _classes(self) -> None:
        ch, spec = self.ch, self.spec
        covs = dict(ch.covariates)
        learned = "b" in spec.p0_terms
        covs["b"] = np.zeros(ch.n)
        p0_rows = self.p0_cols.matrix(covs, ch.n)
        sigma_rows = self.sigma_cols.matrix(covs, ch.n)
        joint = np.column_stack([p0_rows, sigma_rows])
        if ch.n == 0:  # no animals: one class, the baseline's (full likelihood: no covariates)
            joint = np.column_stack([self.p0_cols.matrix({"b": np.zeros(1)}, 1), np.ones((1, 1))])
        groups, group_of = np.unique(joint, axis=0, return_inverse=True)
        group_of = np.asarray(group_of).reshape(-1)
        b_col = self.p0_cols.names.index(f"{self.p0_cols.parameter}.b") if learned else None
        p0_width = p0_rows.shape[1]
        rows_p0, rows_sigma = [], []
        for g in range(groups.shape[0]):
            for b in (0, 1) if learned else (0,):
                row = groups[g, :p0_width].copy()
                if b_col is not None:
                    row[b_col] = b
                rows_p0.append(row)
                rows_sigma.append(groups[g, p0_width:])
        self.class_p0 = np.asarray(rows_p0)
        self.class_sigma = np.asarray(rows_sigma)
        per_group = 2 if learned else 1
        detected = ch.counts.sum(axis=2) > 0  # (n, S)
        if learned:
            first = np.where(detected.any(axis=1), detected.argmax(axis=1), ch.occasions)
            after = np.arange(ch.occasions)[None, :] > first[:, None]
        else:
            after = np.zeros(detected.shape, dtype=bool)
        self.class_of = group_of[:, None] * per_group + after.astype(np.int64)  # (n, S)
        self.naive_class = (group_of * per_group)[: ch.n]  # (n,)
        self.full_class = int(group_of[0] * per_group)  # every animal's under the full likelihood
        self.n_classes = self.class_p0.shape[0]

    # -- data summaries per class -----------------------------------------------------------------
    def _statistics(self) -> None:
        ch, u = self.ch, self.usage
        y = ch.counts.astype(np.float64)  # (n, S, K)
        operating = u > 0  # (K, S)
        alive = ch.available  # (n, S): not after a death or removal
        self.u_total = u.sum(axis=1)  # (K,)
        n_size = self.spec.binom_n if self.detector == "count" else 1
        self.size = float(max(n_size, 1))
        constant = 0.0
        self.per_class: list[dict[str, Any]] = []
        if self.detector in ("multi", "single"):
            k_of = y.argmax(axis=2)  # (n, S) the detector of a capture
            caught = y.sum(axis=2) > 0
            at_work = operating[k_of, np.arange(ch.occasions)[None, :]]
            counted = caught & at_work  # a capture at a detector with no usage is ignored
            skipped = caught & ~at_work
            log_u = np.log(np.where(counted, u[k_of, np.arange(ch.occasions)[None, :]], 1.0))
            constant += float(log_u.sum())
            for c in range(self.n_classes):
                here = (self.class_of == c) & alive
                by_trap = np.zeros((ch.n, len(ch.traps)))
                rows, occ = np.nonzero(counted & here)
                np.add.at(by_trap, (rows, k_of[rows, occ]), 1.0)
                self.per_class.append(
                    {
                        "miss": ((~caught & ~skipped) & here).astype(np.float64),
                        "hit": (counted & here).astype(np.float64),
                        "by_trap": by_trap,
                    }
                )
        elif self.detector == "proximity" or n_size >= 1:
            levels = np.unique(u[operating])
            constant += float(
                np.sum(gammaln(self.size + 1) - gammaln(y + 1) - gammaln(self.size - y + 1))
            )
            for c in range(self.n_classes):
                here = ((self.class_of == c) & alive)[:, :, None] & operating.T[None, :, :]
                miss = np.einsum("isk,ks->ik", (self.size - y) * here, u)
                hits = [
                    (float(v), np.einsum("isk->ik", y * here * (u.T[None] == v))) for v in levels
                ]
                self.per_class.append({"miss_weight": miss, "hits": hits})
        else:  # Poisson counts
            with np.errstate(divide="ignore"):
                log_u = np.where(u > 0, np.log(np.where(u > 0, u, 1.0)), 0.0)
            constant += float(np.einsum("isk,ks->", y, log_u) - gammaln(y + 1).sum())
            for c in range(self.n_classes):
                here = ((self.class_of == c) & alive)[:, :, None] & operating.T[None, :, :]
                self.per_class.append(
                    {
                        "count": np.einsum("isk->ik", y * here),
                        "exposure": np.einsum("isk,ks->ik", here.astype(np.float64), u),
                    }
                )
        flat = ch.counts.reshape(ch.n, ch.occasions * len(ch.traps))
        if ch.removed is not None:  # secr's histories differ by the sign of a death
            flat = np.column_stack([flat, ch.removed])
        _, multiplicity = np.unique(flat, axis=0, return_counts=True)
        self.log_mult = -float(gammaln(multiplicity + 1.0).sum())
        if self.spec.conditional:
            self.log_mult += float(gammaln(ch.n + 1.0))
        self.constant = constant

    # -- parameters ----------------------------------------------------------------------------
    def split(self, beta: F64) -> tuple[F64 | None, F64, F64]:
        """(density coefficients or None for CL, p0 coefficients, sigma coefficients)."""
        j = 0 if self.spec.conditional else len(self.d_cols.names)
        k = j + len(self.p0_cols.names)
        return (None if self.spec.conditional else beta[:j]), beta[j:k], beta[k:]

    def class_values(self, beta: F64) -> tuple[F64, F64]:
        """Per class: the detection intercept (g0 or lambda0) and sigma, real scale."""
        _, b_p0, b_sigma = self.split(beta)
        eta = self.class_p0 @ b_p0
        p0 = expit(eta) if self.spec.detectfn.link == "logit" else np.exp(eta)
        return p0, np.exp(self.class_sigma @ b_sigma)

    def density(self, beta: F64) -> F64:
        """(M,) animals per hectare at each mask point (full likelihood only)."""
        b_d, _, _ = self.split(beta)
        if b_d is None:
            raise ParameterError("the conditional likelihood estimates no density surface")
        return np.exp(self.d_design @ b_d)

    def hazards(self, beta: F64) -> list[tuple[F64, F64]]:
        p0, sigma = self.class_values(beta)
        fn = self.spec.detectfn
        return [
            fn.hazard(self.d2, self.d, float(p), float(s)) for p, s in zip(p0, sigma, strict=True)
        ]

    def pdot(self, hazards: list[tuple[F64, F64]]) -> F64:
        """(classes, M): the chance of at least one detection from each mask point."""
        return np.stack([-np.expm1(-self.size * (h @ self.u_total)) for h, _ in hazards])

    def log_pr(self, hazards: list[tuple[F64, F64]]) -> F64:
        """(n, M): log Pr(capture history of animal i | activity centre at m)."""
        out = np.zeros((self.ch.n, len(self.mask)))
        for stats, (h, log_h) in zip(self.per_class, hazards, strict=True):
            if self.detector in ("multi", "single"):
                H = h @ self.usage  # (M, S)
                tiny = H < 1e-8  # log((1 - exp(-H)) / H) -> -H/2 as H -> 0
                safe = np.where(tiny, 1.0, H)
                caught = np.where(tiny, -H / 2, log1mexp(safe) - np.log(safe))
                out -= stats["miss"] @ H.T
                out += stats["hit"] @ caught.T
                out += stats["by_trap"] @ log_h.T
            elif "hits" in stats:
                out -= stats["miss_weight"] @ h.T
                for v, hits in stats["hits"]:
                    if hits.any():
                        x = v * h  # log(1 - exp(-x)) = log x for tiny x, finite far away
                        tiny = x < 1e-12
                        log_g = np.where(tiny, np.log(v) + log_h, log1mexp(np.where(tiny, 1.0, x)))
                        out += hits @ log_g.T
            else:
                out += stats["count"] @ log_h.T - stats["exposure"] @ h.T
        return out

    def loglik(self, beta: F64) -> float:
        """The log-likelihood at link-scale coefficients ``beta`` (see the module docstring)."""
        return self.evaluate(beta, gradient=False)[0]

    def evaluate(self, beta: F64, *, gradient: bool = True) -> tuple[float, F64 | None]:
        """(log-likelihood, its gradient with respect to ``beta`` or None)."""
        beta = np.asarray(beta, dtype=np.float64)
        if not np.isfinite(beta).all():
            return -np.inf, None
        hazards = self.hazards(beta)
        log_pr = self.log_pr(hazards)
        pdot = self.pdot(hazards)
        n, size = self.ch.n, len(self.mask)
        if self.spec.conditional:
            log_pi = np.full(size, -np.log(size))
            pbar = pdot.mean(axis=1)
            norm = logsumexp_rows(log_pr, log_pi)
            value = float(norm.sum() - np.log(pbar[self.naive_class]).sum())
        else:
            dens = self.density(beta)
            total = float(dens.sum())
            log_pi = np.log(dens / total)
            p_naive = pdot[self.full_class]
            pbar_full = float((dens / total) @ p_naive)
            expected = total * self.mask.cell_ha
            norm = logsumexp_rows(log_pr, log_pi)
            value = float(norm.sum() + n * np.log(expected) - expected * pbar_full)
        value += self.log_mult + self.constant
        if not np.isfinite(value):
            return -np.inf, None
        if not gradient:
            return value, None
        weights = posterior_rows(log_pr, log_pi, norm)  # (n, M) posteriors
        grad_log_h = self._grad_log_h(weights, hazards)
        q = [np.exp(-self.size * (h @ self.u_total)) for h, _ in hazards]  # never detected
        if self.spec.conditional:
            for c in np.unique(self.naive_class):
                n_c = float(np.sum(self.naive_class == c))
                scale = n_c / (pbar[c] * size) * self.size
                grad_log_h[c] -= hazards[c][0] * np.outer(scale * q[c], self.u_total)
        else:
            c0 = self.full_class
            scale = self.mask.cell_ha * dens * self.size
            grad_log_h[c0] -= hazards[c0][0] * np.outer(scale * q[c0], self.u_total)
        grad = self._chain(beta, hazards, grad_log_h)
        if not self.spec.conditional:
            d_log_d = weights.sum(axis=0) - self.mask.cell_ha * dens * p_naive
            grad[: len(self.d_cols.names)] = self.d_design.T @ d_log_d
        return value, grad

    def _grad_log_h(self, weights: F64, hazards: list[tuple[F64, F64]]) -> list[F64]:
        """Per class, d(sum_i log sum_m pi_m Pr_im) / d log h[m, k]."""
        out = []
        wt = weights.T
        for stats, (h, _) in zip(self.per_class, hazards, strict=True):
            if self.detector in ("multi", "single"):
                H = h @ self.usage
                tiny = H < 1e-4
                safe = np.where(tiny, 1.0, H)
                dphi = np.where(tiny, -0.5 + H / 12.0, 1.0 / np.expm1(safe) - 1.0 / safe)
                g_H = -(wt @ stats["miss"]) + (wt @ stats["hit"]) * dphi
                out.append(wt @ stats["by_trap"] + h * (g_H @ self.usage.T))
            elif "hits" in stats:
                g = -h * (wt @ stats["miss_weight"])
                for v, hits in stats["hits"]:
                    x = v * h
                    ratio = np.where(x < 1e-8, 1.0, x / np.expm1(np.where(x < 1e-8, 1.0, x)))
                    g = g + (wt @ hits) * ratio
                out.append(g)
            else:
                out.append(wt @ stats["count"] - h * (wt @ stats["exposure"]))
        return out

    def _chain(self, beta: F64, hazards: list[tuple[F64, F64]], grad_log_h: list[F64]) -> F64:
        """From d/d log h per class to d/d beta (detection coefficients)."""
        fn = self.spec.detectfn
        p0, sigma = self.class_values(beta)
        d_eta = np.zeros(self.n_classes)
        d_log_sigma = np.zeros(self.n_classes)
        shape = self.d2 if fn.squared else self.d
        for c, ((h, _), g) in enumerate(zip(hazards, grad_log_h, strict=True)):
            if fn.intercept == "g0":  # d log h / d log g = expm1(h) / h
                tiny = h < 1e-10
                g = g * np.where(tiny, 1.0, np.expm1(h) / np.where(tiny, 1.0, h))
                d_eta[c] = float(g.sum()) * (1.0 - p0[c])
            else:
                d_eta[c] = float(g.sum())
            power = 2.0 if fn.squared else 1.0
            d_log_sigma[c] = float(np.einsum("mk,mk->", g, shape)) / sigma[c] ** power
        grad = np.zeros(beta.size)
        j = 0 if self.spec.conditional else len(self.d_cols.names)
        k = j + len(self.p0_cols.names)
        grad[j:k] = self.class_p0.T @ d_eta
        grad[k:] = self.class_sigma.T @ d_log_sigma
        return grad

    def esa(self, beta: F64) -> F64:
        """(n,) effective sampling area of each animal's class, hectares: pbar * M * A."""
        pdot = self.pdot(self.hazards(beta))
        return pdot.mean(axis=1)[self.naive_class] * self.mask.area_ha
