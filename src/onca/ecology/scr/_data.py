"""Detectors and capture histories for spatial capture-recapture, and secr's text formats.

A :class:`Traps` is K detectors with coordinates in metres, one detector type and optional usage
(effort) per detector and occasion. A :class:`CaptureHistory` is what n identified animals did on
S occasions at those K detectors: ``counts[i, s, k]`` detections of animal i on occasion s at
detector k (0/1 for multi-catch and proximity detectors, a count for count detectors), plus
individual covariates (sex, ...).

The text formats are secr's (Efford's R package): a trap file of ``trapID x y`` lines
(optionally a usage string of 0/1 per occasion after the coordinates) and a capture file of
``session animalID occasion x y [covariates...]`` lines (fmt XY) or ``session animalID occasion
trapID [covariates...]`` (fmt trapID). ``#`` starts a comment.
"""

from __future__ import annotations

import warnings
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
    """n animals x S occasions x K detectors (see the module docstring)."""

    traps: Traps
    animals: tuple[str, ...]
    counts: npt.NDArray[np.int64]
    covariates: dict[str, npt.NDArray[np.generic]] = field(default_factory=dict)

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
        return CaptureHistory(traps, self.animals, self.counts, self.covariates)


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
    """secr's trap file: ``trapID x y [usage]`` per line; usage is a string of 0/1 (or digits)
    per occasion, optionally after a ``/``."""
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
        rest = [c for c in cols[3:] if c != "/"]
        if rest and rest[0].isdigit():
            usage.append([float(ch) for ch in rest[0]])
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
            raise InputFileError(f"{p}: usage strings have different numbers of occasions")
        use = np.asarray(usage, dtype=np.float64)
    return Traps(tuple(ids), np.asarray(xy, dtype=np.float64), detector, use)


def read_secr(
    traps: Path | str | Traps,
    captures: Path | str,
    *,
    detector: str = "multi",
    occasions: int | None = None,
    covnames: tuple[str, ...] | None = None,
    fmt: str = "auto",
) -> CaptureHistory:
    """A capture history from secr's text files (see the module docstring).

    ``detector``: what the detectors are. 'single' (single-catch traps) is read as such and
    fitted with the multi-catch likelihood, as secr does. ``occasions``: S (default: the largest
    occasion seen, or the usage's). ``covnames``: names of the columns after the detector
    (default cov1, cov2, ...; numeric columns become numbers). ``fmt``: 'XY' (detector
    coordinates), 'trapID' or 'auto'.

    Bad rows are named: a detector not in the trap file or an occasion out of range is an
    error; a second detection of an animal on one occasion at multi-catch or single-catch
    traps is dropped with a warning (as secr does); a detection while the detector was not
    operating (usage 0) is kept and warned about (the likelihood ignores it, as secr's does).
    """
    tr = traps if isinstance(traps, Traps) else read_traps(traps, detector)
    if tr.detector != detector:
        tr = Traps(tr.ids, tr.xy, detector, tr.usage)
    p = Path(captures)
    rows = _lines(p)
    if not rows:
        raise InputFileError(f"{p}: no detections (expected 'session animalID occasion x y')")
    index = {t: k for k, t in enumerate(tr.ids)}
    at_xy = {(float(x), float(y)): k for k, (x, y) in enumerate(tr.xy.tolist())}
    use_xy = fmt == "XY" or (fmt == "auto" and _looks_xy(rows, index))
    width = 5 if use_xy else 4
    records = []
    for line, cols in rows:
        if len(cols) < width:
            expected = "session animalID occasion " + ("x y" if use_xy else "trapID")
            raise InputFileError(f"{p} line {line}: expected '{expected}', got {' '.join(cols)!r}")
        occasion = _number(cols[2], p, line, "occasion")
        if occasion != int(occasion) or occasion == 0:
            raise InputFileError(
                f"{p} line {line}: occasion must be a whole number from 1, got {cols[2]!r}"
            )
        if use_xy:
            key = (_number(cols[3], p, line, "x"), _number(cols[4], p, line, "y"))
            k = at_xy.get(key)
            where = f"x={cols[3]} y={cols[4]}"
        else:
            k = index.get(cols[3])
            where = f"detector {cols[3]!r}"
        if k is None:
            raise InputFileError(
                f"{p} line {line}: {where} is not a detector in the trap file ({len(tr)} detectors)"
            )
        records.append((line, cols[1], int(abs(occasion)), k, cols[width:]))
    s_max = max(r[2] for r in records)
    n_occ = occasions or (tr.usage.shape[1] if tr.usage is not None else s_max)
    bad = [r for r in records if r[2] > n_occ]
    if bad:
        raise InputFileError(
            f"{p} line {bad[0][0]}: occasion {bad[0][2]} is out of range (the survey has"
            f" {n_occ} occasions)"
        )
    return _assemble(tr, records, n_occ, covnames, p)


def _looks_xy(rows: list[tuple[int, list[str]]], index: dict[str, int]) -> bool:
    """XY when the first row has two numbers after the occasion that are not a detector id."""
    cols = rows[0][1]
    if len(cols) >= 4 and cols[3] in index and (len(cols) < 5 or not _is_number(cols[4])):
        return False
    return len(cols) >= 5 and _is_number(cols[3]) and _is_number(cols[4])


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _assemble(
    tr: Traps,
    records: list[tuple[int, str, int, int, list[str]]],
    n_occ: int,
    covnames: tuple[str, ...] | None,
    path: Path,
) -> CaptureHistory:
    names = list(dict.fromkeys(r[1] for r in records))
    if all(_is_number(a) for a in names):
        names.sort(key=float)
    row = {a: i for i, a in enumerate(names)}
    counts = np.zeros((len(names), n_occ, len(tr)), dtype=np.int64)
    effort = tr.effort(n_occ)
    exclusive = tr.detector in ("multi", "single")
    first: dict[tuple[int, int], int] = {}
    covs: dict[int, list[str]] = {}
    for line, animal, occasion, k, extra in records:
        i, s = row[animal], occasion - 1
        if exclusive and (i, s) in first:
            warnings.warn(
                f"{path} line {line}: animal {animal} was already detected on occasion"
                f" {occasion} (line {first[(i, s)]}); {tr.detector}-catch traps hold one"
                " detection per animal and occasion, so this one is dropped",
                OncaWarning,
                stacklevel=3,
            )
            continue
        first.setdefault((i, s), line)
        if effort[k, s] == 0:
            warnings.warn(
                f"{path} line {line}: detection of animal {animal} on occasion {occasion} at"
                f" detector {tr.ids[k]}, which was not operating then (usage 0); the"
                " likelihood ignores it",
                OncaWarning,
                stacklevel=3,
            )
        counts[i, s, k] += 1
        if extra:
            covs.setdefault(i, extra)
    if tr.detector == "proximity":
        counts = np.minimum(counts, 1)
    covariates: dict[str, npt.NDArray[np.generic]] = {}
    width = max((len(v) for v in covs.values()), default=0)
    labels = covnames or tuple(f"cov{j + 1}" for j in range(width))
    for j, name in enumerate(labels[:width]):
        values = [
            covs.get(i, [""] * width)[j] if j < len(covs.get(i, [])) else ""
            for i in range(len(names))
        ]
        if all(_is_number(v) for v in values):
            covariates[name] = np.asarray([float(v) for v in values])
        else:
            covariates[name] = np.asarray(values, dtype=object)
    return CaptureHistory(tr, tuple(names), counts, covariates)


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
