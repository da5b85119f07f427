"""Several sessions in one likelihood: secr's multi-session SCR models.

Sessions (years, seasons, sites) are independent samples: the log-likelihood is the sum of each
session's (:class:`._likelihood.Prepared`, its own detectors, occasions, mask and animals, and
its own Poisson number of animals), with coefficients shared across sessions unless a formula
says otherwise. Two terms name the session, as in secr, and session covariates describe it:

- ``session``: a factor, one level per session (the first the reference): ``D ~ session`` gives
  each session its own density, ``g0 ~ session`` its own detection intercept.
- ``Session``: the session's number from 0, a number: ``D ~ Session`` is a log-linear trend.
- a session covariate (``Sessions.covariates``, CLI ``--session-covs``): one number per
  session, e.g. the year's rainfall: ``D ~ rain``.

A session term is constant within a session, so it shifts the intercept of that parameter in
that session: each session's coefficient vector is a linear map of the shared one,
``beta_s = A_s beta`` (gradient ``sum_s A_s' grad_s``, covariance ``A_s V A_s'``). Terms other
than these (mask covariates, individual covariates, ``b``) keep their meaning within sessions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from onca.ecology._design import Columns
from onca.ecology.scr._data import Sessions
from onca.ecology.scr._likelihood import Prepared, Spec
from onca.ecology.scr._mask import Mask
from onca.errors import ParameterError

F64 = npt.NDArray[np.float64]
SESSION_TERMS = ("session", "Session")


def session_terms(spec: Spec) -> list[str]:
    """The session terms a model uses (to refuse them for a single session)."""
    return [t for t in spec.d_terms + spec.p0_terms + spec.sigma_terms if t in SESSION_TERMS]


class SessionsPrepared:
    """The multi-session log-likelihood as a function of the shared coefficients (module
    docstring); ``parts`` are the sessions' :class:`Prepared`, ``names`` the coefficients."""

    def __init__(self, sessions: Sessions, masks: Sequence[Mask], spec: Spec) -> None:
        if len(masks) != len(sessions):
            raise ParameterError(
                f"mask: {len(masks)} masks for {len(sessions)} sessions; give one mask for"
                " every session or one per session"
            )
        if spec.conditional and spec.d_terms:
            raise ParameterError(
                "model for D: the conditional likelihood has no density model; fit D by"
                " session with the full likelihood"
            )
        self.sessions, self.spec = sessions, spec
        self.session_level = (*SESSION_TERMS, *sessions.covariates)
        local = Spec(
            spec.detectfn,
            self._within(spec.d_terms),
            self._within(spec.p0_terms),
            self._within(spec.sigma_terms),
            spec.conditional,
            spec.binom_n,
        )
        self.parts = [
            Prepared(ch, m, local, allow_empty=True) for ch, m in zip(sessions, masks, strict=True)
        ]
        if sessions.n == 0:
            raise ParameterError("no session has an animal: nothing to estimate")
        first = self.parts[0]
        for name, part in zip(sessions.names, self.parts, strict=True):
            if part.names != first.names:
                raise ParameterError(
                    f"session {name}: its coefficients ({', '.join(part.names)}) differ from"
                    f" session {sessions.names[0]}'s ({', '.join(first.names)}): a text"
                    " covariate needs the same levels in every session"
                )
        blocks = [] if spec.conditional else [(first.d_cols, spec.d_terms)]
        blocks += [(first.p0_cols, spec.p0_terms), (first.sigma_cols, spec.sigma_terms)]
        self.names, self.maps = self._design(blocks)
        self.detector = first.detector

    def _design(
        self, blocks: list[tuple[Columns, tuple[str, ...]]]
    ) -> tuple[tuple[str, ...], list[F64]]:
        """Shared coefficient names and, per session, the map A_s to its own coefficients."""
        r = len(self.sessions)
        levels = self.sessions.names
        names: list[str] = []
        entries: list[tuple[int, int, F64]] = []  # (local row, global column, per-session value)
        row = 0
        for cols, terms in blocks:
            intercept = row
            for name in cols.names:
                entries.append((row, len(names), np.ones(r)))
                names.append(name)
                row += 1
            for term in terms:
                if term == "Session":
                    entries.append((intercept, len(names), np.arange(r, dtype=np.float64)))
                    names.append(f"{cols.parameter}.Session")
                elif term == "session":
                    for level in levels[1:]:
                        value = (np.asarray(levels) == level).astype(np.float64)
                        entries.append((intercept, len(names), value))
                        names.append(f"{cols.parameter}.session{level}")
                elif term in self.sessions.covariates:
                    entries.append((intercept, len(names), self.sessions.covariates[term]))
                    names.append(f"{cols.parameter}.{term}")
        maps = []
        for s in range(r):
            a = np.zeros((row, len(names)))
            for i, j, value in entries:
                a[i, j] = value[s]
            maps.append(a)
        return tuple(names), maps

    def _within(self, terms: tuple[str, ...]) -> tuple[str, ...]:
        """The terms that vary within a session (those of a session's own likelihood)."""
        return tuple(t for t in terms if t not in self.session_level)

    def local(self, beta: F64) -> list[F64]:
        """Each session's own coefficient vector."""
        return [a @ beta for a in self.maps]

    def local_vcov(self, vcov: F64) -> list[F64]:
        return [a @ vcov @ a.T for a in self.maps]

    def loglik(self, beta: F64) -> float:
        return self.evaluate(beta, gradient=False)[0]

    def evaluate(self, beta: F64, *, gradient: bool = True) -> tuple[float, F64 | None]:
        """(log-likelihood summed over sessions, its gradient or None)."""
        beta = np.asarray(beta, dtype=np.float64)
        total, grad = 0.0, np.zeros(beta.size)
        for a, part in zip(self.maps, self.parts, strict=True):
            value, g = part.evaluate(a @ beta, gradient=gradient)
            if not np.isfinite(value):
                return -np.inf, None
            total += value
            if gradient:
                if g is None:
                    return -np.inf, None
                grad += a.T @ g
        return total, (grad if gradient else None)

    def esa(self, beta: F64) -> F64:
        """(n,) effective sampling area (hectares) of every animal, session by session."""
        return np.concatenate([p.esa(b) for p, b in zip(self.parts, self.local(beta), strict=True)])
