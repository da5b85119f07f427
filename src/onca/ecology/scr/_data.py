"""Detectors and capture histories for spatial capture-recapture, and secr's text formats.

A :class:`Traps` is K detectors with coordinates in metres, one detector type and optional usage
(effort) per detector and occasion. A :class:`CaptureHistory` is what n identified animals did on
S occasions at those K detectors: ``counts[i, s, k]`` detections of animal i on occasion s at
detector k (0/1 for multi-catch and proximity detectors, a count for count detectors), plus
individual covariates (sex, ...) and, for animals that died or were removed (secr's negative
occasion), the occasion after which each was no longer available. :class:`Sessions` holds several
capture histories fitted together (years, seasons, sites), as secr's multi-session capthist.

The trap file is secr's (Efford's R package): ``trapID x y [usage] [/ covariates]`` lines, the
usage one digit per occasion (``11011``, or ``1 1 0 1 1``), or one decimal number per occasion
(``1 1 0 0.5 1``).
``#`` starts a comment. Capture files are read by :mod:`._captures`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from onca.errors import InputFileError, OncaWarning, ParameterError

DETECTORS = ("multi", "single", "proximity", "count")
F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Traps:
    """K detectors: ``ids`` (K,), ``xy`` (K, 2) metres, ``detector`` (one of :data:`DETECTORS`),
    ``usage`` (K, S) effort per detector and occasion (None: every detector worked every
    occasion; 0: not operating; a camera working half the night: 0.5)."""

    ids: tuple[str, ...]
    xy: F64
    detector: str = "multi"
    usage: F64 | None = None

    def __post_init__(self) -> None:
        if self.detector not in DETECTORS:
            raise ParameterError(
                f"detector: expected one of {', '.join(DETECTORS)}, got {self.detector!r}"
            )
        if self.xy.ndim != 2 or self.xy.shape != (len(self.ids), 2) or not len(self.ids):
            raise ParameterError(
                f"traps: expected K >= 1 ids and (K, 2) coordinates, got {len(self.ids)} ids"
                f" and {self.xy.shape}"
            )
        if not np.isfinite(self.xy).all():
            raise ParameterError("traps: every detector needs finite x and y coordinates")
        if len(set(self.ids)) != len(self.ids):
            dup = sorted({t for t in self.ids if self.ids.count(t) > 1})
            raise ParameterError(f"traps: detector ids must be unique; repeated: {dup[:5]}")
        if self.usage is not None and (
            self.usage.ndim != 2 or self.usage.shape[0] != len(self.ids) or (self.usage < 0).any()
        ):
            raise ParameterError(
                f"usage: expected (K={len(self.ids)}, S) non-negative effort, got"
                f" {self.usage.shape}"
            )

    def __len__(self) -> int:
        return len(self.ids)

    def effort(self, occasions: int) -> F64:
        """(K, S) usage, ones where none was given."""
        if self.usage is None:
            return np.ones((len(self), occasions))
        if self.usage.shape[1] != occasions:
            raise ParameterError(
                f"usage: has {self.usage.shape[1]} occasions, the captures {occasions}"
            )
        return self.usage


@dataclass(frozen=True)
class CaptureHistory:
    """n animals x S occasions x K detectors (see the module docstring). ``removed``: (n,) the
    occasion (from 0) on which each animal died or was removed, -1 for none (None: no animal
    was); a removed animal was detected on that occasion, and cannot be on any later one."""

    traps: Traps
    animals: tuple[str, ...]
    counts: npt.NDArray[np.int64]
    covariates: dict[str, npt.NDArray[np.generic]] = field(default_factory=dict)
    removed: npt.NDArray[np.int64] | None = None

    def __post_init__(self) -> None:
        c = self.counts
        if c.ndim != 3 or c.shape[0] != len(self.animals) or c.shape[2] != len(self.traps):
            raise ParameterError(
                f"counts: expected (n={len(self.animals)}, S, K={len(self.traps)}), got {c.shape}"
            )
        if c.shape[1] < 1:
            raise ParameterError("counts: a capture history needs at least one occasion")
        if (c < 0).any():
            raise ParameterError("counts: detections cannot be negative")
        if self.traps.detector != "count" and (c > 1).any():
            raise ParameterError(
                f"counts: {self.traps.detector} detectors record 0 or 1 per animal, occasion"
                " and detector; use detector 'count' for counts"
            )
        for name, values in self.covariates.items():
            if len(values) != len(self.animals):
                raise ParameterError(f"covariate {name!r}: expected one value per animal")
        if self.removed is not None:
            self._check_removed(np.asarray(self.removed))

    def _check_removed(self, removed: npt.NDArray[np.int64]) -> None:
        occasions = self.counts.shape[1]
        if removed.shape != (self.n,) or removed.dtype.kind not in "iu":
            raise ParameterError(
                f"removed: expected one whole number per animal (n={self.n}), got shape"
                f" {removed.shape}"
            )
        if ((removed < -1) | (removed >= occasions)).any():
            raise ParameterError(
                f"removed: occasions run from 0 to {occasions - 1} (-1: not removed), got"
                f" {int(removed.min())}..{int(removed.max())}"
            )
        later = self.counts.sum(axis=2) * (~self._available(removed))
        if later.any():
            i, s = (int(v[0]) for v in np.nonzero(later))
            raise ParameterError(
                f"animal {self.animals[i]} was detected on occasion {s + 1}, after it died or was"
                f" removed on occasion {int(removed[i]) + 1}"
            )

    def _available(self, removed: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        last = np.where(removed < 0, self.counts.shape[1], removed)
        return np.asarray(np.arange(self.counts.shape[1])[None, :] <= last[:, None])

    @property
    def available(self) -> npt.NDArray[np.bool_]:
        """(n, S): whether animal i could be detected on occasion s (not after the occasion it
        died or was removed on)."""
        if self.removed is None:
            return np.ones((self.n, self.occasions), dtype=bool)
        return self._available(np.asarray(self.removed))

    @property
    def n(self) -> int:
        return len(self.animals)

    @property
    def occasions(self) -> int:
        return int(self.counts.shape[1])

    @property
    def detections(self) -> int:
        return int(self.counts.sum())

    def effort(self) -> F64:
        return self.traps.effort(self.occasions)

    def with_detector(self, detector: str) -> CaptureHistory:
        traps = Traps(self.traps.ids, self.traps.xy, detector, self.traps.usage)
        return CaptureHistory(traps, self.animals, self.counts, self.covariates, self.removed)


@dataclass(frozen=True)
class Sessions:
    """Capture histories fitted together (secr's multi-session capthist): one per session (a
    year, a season, a site), each with its own detectors, occasions and animals; an animal of
    one session is not linked to one of another. Parameters are shared across sessions or not
    by formula (``D ~ session``: a density per session; ``D ~ Session``: a log-linear trend;
    ``D ~ rain``: a session covariate, one number per session in ``covariates``)."""

    names: tuple[str, ...]
    histories: tuple[CaptureHistory, ...]
    covariates: dict[str, F64] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.names or len(self.names) != len(self.histories):
            raise ParameterError(
                f"sessions: expected one name per capture history, got {len(self.names)} names"
                f" and {len(self.histories)} histories"
            )
        if len(set(self.names)) != len(self.names):
            raise ParameterError(f"sessions: names must be unique, got {list(self.names)}")
        if len({ch.traps.detector for ch in self.histories}) != 1:
            raise ParameterError("sessions: every session needs the same detector type")
        for name, raw in self.covariates.items():
            try:
                values = np.asarray(raw, dtype=np.float64).reshape(-1)
            except (TypeError, ValueError):
                raise ParameterError(
                    f"session covariate {name!r}: expected numbers, got {raw!r}"
                ) from None
            self.covariates[name] = values
            if name in ("session", "Session"):
                raise ParameterError(
                    f"session covariate {name!r}: the name is taken by the session itself"
                )
            if len(values) != len(self.names) or not np.isfinite(values).all():
                raise ParameterError(
                    f"session covariate {name!r}: expected one number per session"
                    f" ({len(self.names)}), got {list(values)}"
                )

    def with_covariates(self, covariates: Mapping[str, Sequence[float]]) -> Sessions:
        """The same sessions with session covariates (name -> one number per session, in
        session order)."""
        values = {k: np.asarray(v, dtype=np.float64) for k, v in covariates.items()}
        return Sessions(self.names, self.histories, {**self.covariates, **values})

    def __len__(self) -> int:
        return len(self.names)

    def __iter__(self) -> Iterator[CaptureHistory]:
        return iter(self.histories)

    def __getitem__(self, key: str | int) -> CaptureHistory:
        if isinstance(key, str):
            if key not in self.names:
                raise KeyError(f"no session {key!r} (sessions: {', '.join(self.names)})")
            return self.histories[self.names.index(key)]
        return self.histories[key]

    @property
    def n(self) -> int:
        """Animals detected, all sessions together."""
        return sum(ch.n for ch in self.histories)

    @property
    def detections(self) -> int:
        return sum(ch.detections for ch in self.histories)

    @property
    def occasions(self) -> tuple[int, ...]:
        return tuple(ch.occasions for ch in self.histories)


def _lines(path: Path) -> list[tuple[int, list[str]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputFileError(f"{path}: cannot read it: {e}") from None
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split("#", 1)[0].strip()
        if content:
            rows.append((number, content.replace(",", " ").split()))
    return rows


def _number(text: str, path: Path, line: int, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputFileError(f"{path} line {line}: {what} must be a number, got {text!r}") from None
    if not np.isfinite(value):
        raise InputFileError(f"{path} line {line}: {what} must be finite, got {text!r}")
    return value


def read_traps(path: Path | str, detector: str = "multi") -> Traps:
    """secr's trap file: ``trapID x y [usage] [/ covariates]`` per line. Usage (its columns fix
    the number of occasions): one digit per occasion (``11011`` or ``1 1 0 1 1``, as secr), or
    decimal numbers separated by blanks (``1 1 0 0.5 1``: effort per occasion); what follows a
    ``/`` (detector covariates) is not read."""
    p = Path(path)
    rows = _lines(p)
    if not rows:
        raise InputFileError(f"{p}: no detectors (expected lines 'trapID x y')")
    ids, xy, usage = [], [], []
    for line, cols in rows:
        if len(cols) < 3:
            raise InputFileError(f"{p} line {line}: expected 'trapID x y', got {' '.join(cols)!r}")
        ids.append(cols[0])
        xy.append((_number(cols[1], p, line, "x"), _number(cols[2], p, line, "y")))
        before = " ".join(cols[3:]).partition("/")[0].split()
        if before and _is_number(before[0]):
            usage.append(_usage(before, p, line))
        elif usage:
            raise InputFileError(f"{p} line {line}: usage is missing (other detectors have it)")
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        for line, cols in rows:
            if cols[0] in seen:
                raise InputFileError(f"{p} line {line}: detector {cols[0]!r} is listed twice")
            seen.add(cols[0])
    use = None
    if usage:
        if len({len(u) for u in usage}) != 1:
            raise InputFileError(
                f"{p}: usage has different numbers of occasions on different lines"
                f" ({', '.join(str(n) for n in sorted({len(u) for u in usage}))})"
            )
        use = np.asarray(usage, dtype=np.float64)
    return Traps(tuple(ids), np.asarray(xy, dtype=np.float64), detector, use)


def _usage(tokens: list[str], path: Path, line: int) -> list[float]:
    """One detector's usage: digits, one occasion each, blanks between them ignored (``11011``
    or ``1 1 0 1 1``, as secr reads usage), or numbers with a decimal point, one per occasion
    (``1 0.5 1``)."""
    if all(t.isdigit() for t in tokens):
        return [float(ch) for ch in "".join(tokens)]
    values = []
    for t in tokens:
        try:
            values.append(float(t))
        except ValueError:
            raise InputFileError(
                f"{path} line {line}: usage must be a string of digits (11011) or one number per"
                f" occasion (1 1 0 0.5 1), got {' '.join(tokens)!r}; put detector covariates"
                " after a '/'"
            ) from None
    if not all(np.isfinite(v) and v >= 0 for v in values):
        raise InputFileError(f"{path} line {line}: usage must be 0 or more, got {tokens}")
    return values


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def warn_off_effort(ch: CaptureHistory) -> int:
    """Warn (once, naming the first few) about detections at detectors whose usage was 0 on
    that occasion; the likelihood ignores them, as secr's does. Returns how many there are."""
    effort = ch.effort()
    i, s, k = np.nonzero(ch.counts > 0)
    off = effort[k, s] == 0
    if off.any():
        listed = ", ".join(
            f"animal {ch.animals[a]} occasion {b + 1} detector {ch.traps.ids[c]}"
            for a, b, c in list(zip(i[off], s[off], k[off], strict=True))[:3]
        )
        warnings.warn(
            f"{int(off.sum())} detections at detectors that were not operating (usage 0):"
            f" {listed}{', ...' if off.sum() > 3 else ''}; the likelihood ignores them",
            OncaWarning,
            stacklevel=3,
        )
    return int(off.sum())
