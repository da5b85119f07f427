"""secr's capture file: detections of identified animals, by session, read into capture
histories.

Each line is ``session animalID occasion x y [covariates...]`` (fmt XY: the detector by its
coordinates) or ``session animalID occasion trapID [covariates...]`` (fmt trapID), as secr's
``read.capthist`` reads them:

- **Sessions.** The first column names the session (a year, a season, a site). One session
  gives a :class:`CaptureHistory`; several give :class:`Sessions`, in numeric order when every
  name is a number, else alphabetical (secr's order). A session with no captures is a line with
  animalID ``NONE`` (its occasion counts towards the session's occasions).
- **Deaths and removals.** A negative occasion marks the animal's last detection: it died or was
  removed then, and is not available on later occasions (a detection after it is an error).
- **Occasions.** Per session, the number of occasions is what was declared (``occasions=``), or
  else the number of usage columns of the session's trap file, or else the last occasion with a
  detection: a session whose last occasions caught nothing then has too few, and its detection
  probability comes out too high. With several sessions this is warned about when a session
  takes its count from its last detection and another has more, and when a count given for all
  sessions at once (one number, one trap file's usage) leaves a session's last occasions empty.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from onca.ecology.scr._data import (
    CaptureHistory,
    Sessions,
    Traps,
    _is_number,
    _lines,
    _number,
    read_traps,
)
from onca.errors import InputFileError, OncaWarning, ParameterError

NONCAPT = "NONE"  # secr's animalID of a line that declares a session with no captures
TrapsSource = Path | str | Traps
Occasions = int | Sequence[int] | Mapping[str, int]


class Record(NamedTuple):
    line: int
    animal: str
    occasion: int  # from 1
    detector: int  # index into the traps; -1 for a NONE line
    extra: list[str]
    removed: bool  # a negative occasion: died or removed on it


def parse_occasions(text: str) -> Occasions:
    """The CLI's ``--occasions``: ``10`` (every session), ``9,10,10`` (one per session, in
    session order) or ``2005=9,2006=10`` (by session name)."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    try:
        if parts and all("=" in p for p in parts):
            pairs = [p.split("=", 1) for p in parts]
            return {name.strip(): int(value) for name, value in pairs}
        if parts and not any("=" in p for p in parts):
            values = [int(p) for p in parts]
            return values[0] if len(values) == 1 else values
    except ValueError:
        pass
    raise ParameterError(
        f"--occasions: expected a whole number (10), one per session (9,10,10) or"
        f" SESSION=N pairs (2005=9,2006=10), got {text!r}"
    )


def read_secr(
    traps: TrapsSource | Sequence[TrapsSource] | Mapping[str, TrapsSource],
    captures: Path | str,
    *,
    detector: str = "multi",
    occasions: Occasions | None = None,
    covnames: tuple[str, ...] | None = None,
    fmt: str = "auto",
) -> CaptureHistory | Sessions:
    """Capture histories from secr's text files (see the module docstring): a
    :class:`CaptureHistory` for one session, :class:`Sessions` for several.

    ``traps``: the trap file (or :class:`Traps`) of every session, or one per session (a list in
    session order, or a dict by session name). ``detector``: what the detectors are. 'single'
    (single-catch traps) is read as such and fitted with the multi-catch likelihood, as secr
    does. ``occasions``: the number of occasions, for every session (an int) or per session (a
    list in session order, or a dict by name); default: the trap file's usage columns, else the
    last occasion with a detection. ``covnames``: names of the columns after the detector
    (default cov1, cov2, ...; numeric columns become numbers). ``fmt``: 'XY' (detector
    coordinates), 'trapID' or 'auto'.

    Bad rows are named: a detector not in the trap file, an occasion out of range or a detection
    after an animal's death is an error; a second detection of an animal on one occasion at
    multi-catch or single-catch traps is dropped with a warning (as secr does); a detection
    while the detector was not operating (usage 0) is kept and warned about (the likelihood
    ignores it, as secr's does).
    """
    p = Path(captures)
    rows = _lines(p)
    if not rows:
        raise InputFileError(f"{p}: no detections (expected 'session animalID occasion x y')")
    by_session: dict[str, list[tuple[int, list[str]]]] = {}
    for line, cols in rows:
        by_session.setdefault(cols[0], []).append((line, cols))
    names = list(by_session)
    if all(_is_number(n) for n in names):
        names.sort(key=float)
    else:
        names.sort()
    trap_of = _per_session(traps, names, "traps")
    declared = _per_session(occasions, names, "occasions")
    shared_traps = not _given_per_session(traps)
    read: dict[int, Traps] = {}
    histories, counts_from = [], []
    for name in names:
        source = trap_of[name]
        if not isinstance(source, Traps):
            key = id(source)
            if key not in read:
                read[key] = read_traps(Path(str(source)), detector)
            source = read[key]
        tr = (
            source
            if source.detector == detector
            else Traps(source.ids, source.xy, detector, source.usage)
        )
        records = _records(by_session[name], tr, fmt, p)
        n_occ, origin = _occasion_count(tr, records, declared[name], p, name, len(names))
        histories.append(_assemble(tr, records, n_occ, covnames, p))
        counts_from.append((origin, _last_detection(records)))
    if len(names) == 1:
        return histories[0]
    shared_count = isinstance(occasions, int) or (occasions is None and shared_traps)
    _warn_occasions(names, histories, counts_from, shared_count)
    return Sessions(tuple(names), tuple(histories))


def _given_per_session(value: object) -> bool:
    return isinstance(value, Mapping) or (
        isinstance(value, Sequence) and not isinstance(value, (str, Path, Traps))
    )


def _per_session(value: object, names: list[str], what: str) -> dict[str, object]:
    """``value`` for each session: the same for all, or from a list (session order) or a dict."""
    if isinstance(value, Mapping):
        value = {str(k): v for k, v in value.items()}
        missing = [n for n in names if n not in value]
        extra = [str(k) for k in value if k not in names]
        if missing or extra:
            raise ParameterError(
                f"{what}: expected one for each session ({', '.join(names)}); "
                + (f"missing {', '.join(missing)}" if missing else f"no session {', '.join(extra)}")
            )
        return {n: value[n] for n in names}
    if _given_per_session(value):
        seq = list(value)  # type: ignore[call-overload]  # a Sequence, checked above
        if len(seq) != len(names):
            raise ParameterError(
                f"{what}: {len(seq)} given for {len(names)} sessions ({', '.join(names)});"
                " give one per session, in session order, or one for all"
            )
        return dict(zip(names, seq, strict=True))
    return dict.fromkeys(names, value)


def _records(rows: list[tuple[int, list[str]]], tr: Traps, fmt: str, p: Path) -> list[Record]:
    index = {t: k for k, t in enumerate(tr.ids)}
    at_xy = {(float(x), float(y)): k for k, (x, y) in enumerate(tr.xy.tolist())}
    use_xy = fmt == "XY" or (fmt == "auto" and _looks_xy(rows, index))
    width = 5 if use_xy else 4
    records = []
    for line, cols in rows:
        if cols[1] == NONCAPT and len(cols) >= 3:
            occasion = _number(cols[2], p, line, "occasion")
            records.append(Record(line, NONCAPT, int(abs(occasion)), -1, [], False))
            continue
        if len(cols) < width:
            expected = "session animalID occasion " + ("x y" if use_xy else "trapID")
            raise InputFileError(f"{p} line {line}: expected '{expected}', got {' '.join(cols)!r}")
        occasion = _number(cols[2], p, line, "occasion")
        if occasion != int(occasion) or occasion == 0:
            raise InputFileError(
                f"{p} line {line}: occasion must be a whole number from 1 (negative: the animal"
                f" died or was removed then), got {cols[2]!r}"
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
        records.append(Record(line, cols[1], int(abs(occasion)), k, cols[width:], occasion < 0))
    return records


def _looks_xy(rows: list[tuple[int, list[str]]], index: dict[str, int]) -> bool:
    """XY when the first detection has two numbers after the occasion that are not a detector
    id."""
    cols = next((c for _, c in rows if c[1] != NONCAPT), rows[0][1])
    if len(cols) >= 4 and cols[3] in index and (len(cols) < 5 or not _is_number(cols[4])):
        return False
    return len(cols) >= 5 and _is_number(cols[3]) and _is_number(cols[4])


def _last_detection(records: list[Record]) -> int:
    return max((r.occasion for r in records if r.detector >= 0), default=0)


def _occasion_count(
    tr: Traps, records: list[Record], declared: object, p: Path, session: str, sessions: int
) -> tuple[int, str]:
    """(S, where it came from: 'declared', 'usage' or 'detections') for one session."""
    label = f"session {session}: " if sessions > 1 else ""
    usage = None if tr.usage is None else int(tr.usage.shape[1])
    if declared is not None:
        if not isinstance(declared, int) or isinstance(declared, bool) or declared < 1:
            raise ParameterError(
                f"occasions: {label}expected a whole number >= 1, got {declared!r}"
            )
        if usage is not None and usage != declared:
            raise ParameterError(
                f"occasions: {label}{declared} declared, but the trap file's usage has {usage}"
                " occasions; the usage columns fix the number of occasions"
            )
        n_occ, origin = declared, "declared"
    elif usage is not None:
        n_occ, origin = usage, "usage"
    else:
        n_occ, origin = max(r.occasion for r in records), "detections"
    bad = [r for r in records if r.occasion > n_occ]
    if bad:
        why = {"declared": "declared", "usage": "from the trap file's usage"}.get(origin, "")
        raise InputFileError(
            f"{p} line {bad[0].line}: occasion {bad[0].occasion} is out of range ({label}the"
            f" survey has {n_occ} occasions{' ' + why if why else ''})"
        )
    return n_occ, origin


def _warn_occasions(
    names: list[str],
    histories: list[CaptureHistory],
    counts_from: list[tuple[str, int]],
    shared_count: bool,
) -> None:
    """The two ways a session can get the wrong number of occasions without an error (module
    docstring)."""
    most = max(ch.occasions for ch in histories)
    for name, ch, (origin, last) in zip(names, histories, counts_from, strict=True):
        if origin == "detections" and ch.occasions < most:
            warnings.warn(
                f"session {name}: its {ch.occasions} occasions are taken from its last"
                f" detection, and another session has {most}. If the survey of {name} ran more"
                " occasions with no captures at the end, declare them (occasions= in Python,"
                f" --occasions on the command line, e.g. {name}={most}, or usage columns in the"
                " trap file); otherwise its detection probability comes out too high",
                OncaWarning,
                stacklevel=3,
            )
        elif shared_count and origin != "detections" and last < ch.occasions:
            source = "the number given" if origin == "declared" else "the trap file's usage"
            warnings.warn(
                f"session {name}: no detections after occasion {last} of {ch.occasions}; the"
                f" {ch.occasions} occasions come from {source} for every session. If {name}"
                f" ran only {last} occasions, declare its own number (e.g. --occasions"
                f" {name}={last},... or a trap file per session); if the last"
                f" {ch.occasions - last} caught nothing, this is right",
                OncaWarning,
                stacklevel=3,
            )


def _assemble(
    tr: Traps,
    records: list[Record],
    n_occ: int,
    covnames: tuple[str, ...] | None,
    path: Path,
) -> CaptureHistory:
    records = [r for r in records if r.detector >= 0]
    names = list(dict.fromkeys(r.animal for r in records))
    if all(_is_number(a) for a in names):
        names.sort(key=float)
    row = {a: i for i, a in enumerate(names)}
    counts = np.zeros((len(names), n_occ, len(tr)), dtype=np.int64)
    removed = np.full(len(names), -1, dtype=np.int64)
    removed_line: dict[int, int] = {}
    effort = tr.effort(n_occ)
    exclusive = tr.detector in ("multi", "single")
    first: dict[tuple[int, int], int] = {}
    covs: dict[int, list[str]] = {}
    for r in records:
        i, s = row[r.animal], r.occasion - 1
        if r.removed:
            if removed[i] >= 0 and removed[i] != s:
                raise InputFileError(
                    f"{path} line {r.line}: animal {r.animal} died or was removed on occasion"
                    f" {removed[i] + 1} (line {removed_line[i]}), so cannot be again on occasion"
                    f" {r.occasion}"
                )
            removed[i], removed_line[i] = s, r.line
        if exclusive and (i, s) in first:
            warnings.warn(
                f"{path} line {r.line}: animal {r.animal} was already detected on occasion"
                f" {r.occasion} (line {first[(i, s)]}); {tr.detector}-catch traps hold one"
                " detection per animal and occasion, so this one is dropped",
                OncaWarning,
                stacklevel=3,
            )
            continue
        first.setdefault((i, s), r.line)
        if effort[r.detector, s] == 0:
            warnings.warn(
                f"{path} line {r.line}: detection of animal {r.animal} on occasion {r.occasion} at"
                f" detector {tr.ids[r.detector]}, which was not operating then (usage 0); the"
                " likelihood ignores it",
                OncaWarning,
                stacklevel=3,
            )
        counts[i, s, r.detector] += 1
        if r.extra:
            covs.setdefault(i, r.extra)
    late = [r for r in records if 0 <= removed[row[r.animal]] < r.occasion - 1]
    if late:
        r = late[0]
        raise InputFileError(
            f"{path} line {r.line}: animal {r.animal} is detected on occasion {r.occasion}, after"
            f" it died or was removed on occasion {removed[row[r.animal]] + 1} (line"
            f" {removed_line[row[r.animal]]})"
        )
    if tr.detector == "proximity":
        counts = np.minimum(counts, 1)
    return CaptureHistory(
        tr,
        tuple(names),
        counts,
        _covariates(covs, len(names), covnames),
        removed if (removed >= 0).any() else None,
    )


def _covariates(
    covs: dict[int, list[str]], n: int, covnames: tuple[str, ...] | None
) -> dict[str, npt.NDArray[np.generic]]:
    covariates: dict[str, npt.NDArray[np.generic]] = {}
    width = max((len(v) for v in covs.values()), default=0)
    labels = covnames or tuple(f"cov{j + 1}" for j in range(width))
    for j, name in enumerate(labels[:width]):
        values = [covs[i][j] if i in covs and j < len(covs[i]) else "" for i in range(n)]
        if all(_is_number(v) for v in values):
            covariates[name] = np.asarray([float(v) for v in values])
        else:
            covariates[name] = np.asarray(values, dtype=object)
    return covariates


def read_session_covariates(path: Path | str, sessions: Sessions) -> Sessions:
    """``sessions`` with the session covariates of a CSV file: a ``session`` column naming
    every session once, and one numeric column per covariate (e.g. ``session,rain``)."""
    import csv

    p = Path(path)
    try:
        with p.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
    except OSError as e:
        raise InputFileError(f"{p}: cannot read the session covariates ({e.strerror})") from e
    if not rows or "session" not in [c.strip() for c in rows[0]]:
        raise InputFileError(
            f"{p}: line 1: expected a header with a 'session' column and one column per"
            " covariate (e.g. session,rain)"
        )
    header = [c.strip() for c in rows[0]]
    at = header.index("session")
    names = [c for i, c in enumerate(header) if i != at]
    if not names:
        raise InputFileError(f"{p}: line 1: no covariate column beside 'session'")
    values: dict[str, dict[str, float]] = {name: {} for name in names}
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise InputFileError(
                f"{p}: line {line}: {len(row)} fields, the header has {len(header)}"
            )
        session = row[at].strip()
        if session not in sessions.names:
            raise InputFileError(
                f"{p}: line {line}: no session {session!r} in the captures (sessions:"
                f" {', '.join(sessions.names)})"
            )
        if session in values[names[0]]:
            raise InputFileError(f"{p}: line {line}: session {session!r} given twice")
        cells = [c for i, c in enumerate(row) if i != at]
        for name, cell in zip(names, cells, strict=True):
            try:
                number = float(cell)
            except ValueError:
                number = float("nan")
            if not np.isfinite(number):
                raise InputFileError(
                    f"{p}: line {line}, column {name!r}: expected a number, got {cell[:40]!r}"
                )
            values[name][session] = number
    missing = [s for s in sessions.names if s not in values[names[0]]]
    if missing:
        raise InputFileError(f"{p}: no row for session {', '.join(missing)}")
    return sessions.with_covariates(
        {name: [by[s] for s in sessions.names] for name, by in values.items()}
    )
