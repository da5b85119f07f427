"""Fellegi-Sunter match weights on comparison levels, estimated by EM without labels.

Each candidate pair has one level per comparison (``gamma``: 0 = strongest agreement, ...,
-1 = a value missing on either side, which weighs nothing). A level's weight is
``log2(m / u)``: ``m`` the chance of that level for a true match, ``u`` for a non-match.

What is measured, not guessed: how often each level occurs among *all* pairs of the two files
(``observed``: random pairs for Bloom filters, exact counts for tokens). That is a mixture,
``observed = lambda * m + (1 - lambda) * u``, with ``lambda`` the share of all pairs that
match. Expectation-maximisation over the candidate pairs (Winkler 1988; as Splink trains m
with u measured) estimates ``m`` and ``lambda``; ``u`` follows from the mixture at every
step. Taking u straight from random pairs, as is common, would count the true matches among
them as chance agreement, and under-weigh an ID number that agrees (on FEBRL4, 12 bits
instead of 24). Pairs that blocking left out are taken as non-matches; no u falls below one
chance agreement in the whole cross product. Prior counts pull ``m`` towards ``m_prior``, so
that a small file still gets sensible weights. As with any latent-class model, at least three
comparisons are needed for the two classes to be told apart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

_EPS = 1e-6


def _patterns(
    gamma: npt.NDArray[np.int8],
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int64]]:
    """The distinct rows of ``gamma`` and how many pairs show each (rows as mixed-radix
    numbers, counted with bincount: one pass, whatever the number of pairs)."""
    radix = [int(gamma[:, c].max(initial=-1)) + 2 for c in range(gamma.shape[1])]
    code = np.zeros(gamma.shape[0], dtype=np.int64)
    for c, base in enumerate(radix):
        code = code * base + (gamma[:, c].astype(np.int64) + 1)
    counts = np.bincount(code)
    present = np.flatnonzero(counts)
    patterns = np.empty((present.size, gamma.shape[1]), dtype=np.int8)
    rest = present.copy()
    for c in range(gamma.shape[1] - 1, -1, -1):
        patterns[:, c] = rest % radix[c] - 1
        rest //= radix[c]
    return patterns, counts[present]


class FellegiSunter:
    """Match and non-match level probabilities by EM (scikit-learn style: ``fit`` returns
    the estimator, learned values end in ``_``).

    ``m_prior``: one sequence of level probabilities per comparison; ``prior_pairs``: how
    many matched pairs' worth of weight the prior carries. After ``fit``: ``m_``, ``u_``
    (one array per comparison), ``lambda_``, ``n_iter_``, ``pairs_compared_`` (candidates
    with both values present, per comparison) and ``log_likelihood_`` (log2-likelihood of the
    candidates at each step; u moves with m, so it need not rise at every step)."""

    def __init__(
        self,
        *,
        m_prior: Sequence[Sequence[float]],
        prior_pairs: float = 20.0,
        max_iter: int = 50,
        tol: float = 1e-5,
    ) -> None:
        self.m_prior = m_prior
        self.prior_pairs = prior_pairs
        self.max_iter = max_iter
        self.tol = tol

    def fit(
        self,
        gamma: npt.NDArray[np.int8],
        observed: Sequence[npt.NDArray[np.float64]],
        *,
        total_pairs: int,
        lambda_start: float,
    ) -> FellegiSunter:
        """Estimate ``m_``, ``u_`` and ``lambda_`` from the candidate pairs' levels ``gamma``
        (pairs x comparisons), the level frequencies ``observed`` among all pairs, and
        ``total_pairs``, the size of the full cross product."""
        if (
            gamma.ndim != 2
            or gamma.shape[1] != len(self.m_prior)
            or len(observed) != gamma.shape[1]
        ):
            raise ValueError(
                f"gamma: expected (pairs, {len(self.m_prior)}) levels with as many frequency"
                f" arrays, got {gamma.shape} and {len(observed)}"
            )
        self.observed_ = [np.asarray(x, dtype=np.float64) for x in observed]
        self.pairs_compared_ = [
            int(np.count_nonzero(gamma[:, c] >= 0)) for c in range(len(observed))
        ]
        # EM runs on the distinct comparison patterns, weighted by how many pairs show each
        patterns, counts = _patterns(gamma)
        floor = 1.0 / max(total_pairs, 1)
        m = [np.asarray(p, dtype=np.float64) / np.sum(p) for p in self.m_prior]
        lam = float(np.clip(lambda_start, 1e-12, 0.5))
        self.log_likelihood_: list[float] = []
        self.n_iter_ = 0
        for _ in range(self.max_iter):
            self.n_iter_ += 1
            self.m_, self.lambda_ = m, lam
            self.u_ = self._non_match(m, lam, floor)
            posterior, log_lik = self._posterior(patterns, counts)
            self.log_likelihood_.append(log_lik)
            expected = posterior * counts  # expected matches among the pairs of each pattern
            new_m = []
            for c, prior in enumerate(self.m_prior):
                levels = patterns[:, c]
                seen = levels >= 0
                found = np.bincount(levels[seen], weights=expected[seen], minlength=len(prior))
                smoothed = found + self.prior_pairs * np.asarray(prior) / np.sum(prior)
                new_m.append(np.clip(smoothed / smoothed.sum(), _EPS, 1.0))
            new_lam = float(np.clip(expected.sum() / total_pairs, 1e-12, 0.5))
            change = max(
                abs(new_lam - lam) / lam,
                *(float(np.max(np.abs(a - b))) for a, b in zip(new_m, m, strict=True)),
            )
            m, lam = new_m, new_lam
            if change < self.tol:
                break
        self.m_, self.lambda_ = m, lam
        self.u_ = self._non_match(m, lam, floor)
        return self

    def _non_match(
        self, m: Sequence[npt.NDArray[np.float64]], lam: float, floor: float
    ) -> list[npt.NDArray[np.float64]]:
        """u from the all-pairs frequencies, less the matches in them:
        ``observed = lam * m + (1 - lam) * u``."""
        out = []
        for o, mc in zip(self.observed_, m, strict=True):
            u = np.clip((o - lam * mc) / (1.0 - lam), floor, 1.0)
            out.append(u / u.sum())
        return out

    def level_weights(self) -> list[npt.NDArray[np.float64]]:
        """log2(m / u) of every level of every comparison."""
        return [np.log2(m / u) for m, u in zip(self.m_, self.u_, strict=True)]

    def match_weight(self, gamma: npt.NDArray[np.int8]) -> npt.NDArray[np.float64]:
        """Sum of the level weights of each pair (missing levels weigh 0), in bits."""
        total = np.zeros(gamma.shape[0], dtype=np.float64)
        for c, weights in enumerate(self.level_weights()):
            levels = gamma[:, c]
            observed = levels >= 0
            total[observed] += weights[levels[observed]]
        return total

    def prior_weight(self) -> float:
        """log2 of the prior odds that two records picked at random match."""
        return math.log2(self.lambda_ / (1.0 - self.lambda_))

    def predict_proba(self, gamma: npt.NDArray[np.int8]) -> npt.NDArray[np.float64]:
        """Probability that each pair is a match."""
        return self._posterior(gamma)[0]

    def _posterior(
        self, gamma: npt.NDArray[np.int8], counts: npt.NDArray[np.int64] | None = None
    ) -> tuple[npt.NDArray[np.float64], float]:
        """Match probability of each row of ``gamma`` and the log2-likelihood of all of them
        (each row standing for ``counts`` pairs)."""
        log_odds = self.match_weight(gamma) + self.prior_weight()
        posterior = 1.0 / (1.0 + np.exp2(-np.clip(log_odds, -200, 200)))
        n = np.ones(gamma.shape[0]) if counts is None else counts.astype(np.float64)
        # log2((1 - lambda) u(gamma)) + log2(1 + odds), summed over pairs
        per_row = np.logaddexp2(log_odds, 0.0) + math.log2(1.0 - self.lambda_)
        for c, u in enumerate(self.u_):
            levels = gamma[:, c]
            seen = levels >= 0
            per_row[seen] += np.log2(u)[levels[seen]]
        return posterior, float(np.sum(per_row * n))
