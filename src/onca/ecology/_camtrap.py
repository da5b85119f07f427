"""Camtrap DP (the TDWG standard for camera-trap data, Bubnicki et al. 2023): deployments and
observations, as the ecology analyses need them.

A package is a folder with ``datapackage.json``, ``deployments.csv`` and ``observations.csv``
(``media.csv`` is not read). From it this module builds *stations* (``locationID``, or the
deployment when there is none) with coordinates projected to metres (UTM zone of the
survey's centre unless a CRS is given), *occasions* of a chosen length from the first
deployment's day, the *effort* of each station on each occasion (the share of the occasion
its cameras were running) and the *detections* of one species, per station and occasion.
Field names are Camtrap DP 1.0's (``deploymentStart``, ``eventStart``...), with 0.x's
(``start``, ``timestamp``) accepted.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from onca.ecology._coords import read_lat_lon
from onca.errors import InputFileError, OncaWarning, ParameterError

F64 = npt.NDArray[np.float64]
UTC = dt.UTC


@dataclass(frozen=True)
class Detection:
    """One observation of the species: where, when, which animal (None if not identified)."""

    observation_id: str
    station: int
    occasion: int
    time: dt.datetime
    individual: str | None
    sex: str | None
    count: int


@dataclass(frozen=True)
class CamtrapSurvey:
    """A Camtrap DP package read for one species (see the module docstring).

    ``stations`` (K,) ids; ``xy`` (K, 2) projected metres in ``crs``; ``lonlat`` (K, 2);
    ``effort`` (K, S): the share of each occasion each station was running (0 to 1, more when
    two cameras ran at one station); ``occasion_start`` (S,) UTC; ``detections``; ``skipped``:
    observations left out and why (reason -> count)."""

    folder: Path
    species: str
    stations: tuple[str, ...]
    xy: F64
    lonlat: F64
    crs: str
    effort: F64
    occasion_start: tuple[dt.datetime, ...]
    occasion_days: float
    detections: tuple[Detection, ...]
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def occasions(self) -> int:
        return len(self.occasion_start)


def _read_csv(
    path: Path, required: tuple[str, ...], alternatives: dict[str, str]
) -> list[dict[str, str]]:
    if not path.is_file():
        raise InputFileError(f"{path}: not found (a Camtrap DP package needs it)")
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
            columns = set(reader.fieldnames or [])
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise InputFileError(f"{path}: cannot read it: {e}") from None
    for old, new in alternatives.items():  # Camtrap DP 0.x names
        if new not in columns and old in columns:
            for r in rows:
                r[new] = r.pop(old)
            columns.add(new)
    missing = [c for c in required if c not in columns]
    if missing:
        raise InputFileError(f"{path}: missing column(s) {', '.join(missing)}")
    return rows


def _time(text: str, path: Path, line: int, column: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputFileError(
            f"{path} line {line}: {column} {text!r} is not an ISO 8601 date-time"
        ) from None
    if value.tzinfo is None:
        raise InputFileError(
            f"{path} line {line}: {column} {text!r} has no UTC offset (Camtrap DP requires one)"
        )
    return value.astimezone(UTC)


def _species_names(folder: Path) -> dict[str, str]:
    """vernacular or scientific name (lower case) -> scientific name, from datapackage.json."""
    names: dict[str, str] = {}
    meta = folder / "datapackage.json"
    if not meta.is_file():
        return names
    try:
        package = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputFileError(f"{meta}: not valid JSON: {e}") from None
    for taxon in package.get("taxonomic", []) or []:
        scientific = str(taxon.get("scientificName", ""))
        if not scientific:
            continue
        names[scientific.lower()] = scientific
        for vernacular in (taxon.get("vernacularNames") or {}).values():
            names[str(vernacular).lower()] = scientific
    return names


def utm_crs(lon: float, lat: float) -> str:
    """The EPSG code of the UTM zone holding (lon, lat)."""
    zone = min(int((lon + 180) // 6) + 1, 60)
    return f"EPSG:{(32700 if lat < 0 else 32600) + zone}"


def read_camtrap_dp(
    folder: Path | str,
    species: str,
    *,
    occasion_days: float = 1.0,
    crs: str | None = None,
) -> CamtrapSurvey:
    """Read ``species`` (scientific or vernacular name) from a Camtrap DP package."""
    root = Path(folder)
    if not root.is_dir():
        raise InputFileError(f"{root}: not a folder (a Camtrap DP package is a folder)")
    if not occasion_days > 0:
        raise ParameterError(
            f"occasion length: expected a positive number of days, got {occasion_days}"
        )
    dep_path = root / "deployments.csv"
    deployments = _read_csv(
        dep_path,
        ("deploymentID", "latitude", "longitude", "deploymentStart", "deploymentEnd"),
        {"start": "deploymentStart", "end": "deploymentEnd"},
    )
    if not deployments:
        raise InputFileError(f"{dep_path}: no deployments")
    stations: dict[str, int] = {}
    station_of: dict[str, int] = {}
    lonlat: list[tuple[float, float]] = []
    periods: list[tuple[int, dt.datetime, dt.datetime]] = []
    for line, row in enumerate(deployments, start=2):
        name = (row.get("locationID") or "").strip() or row["deploymentID"]
        lat, lon = read_lat_lon(row["latitude"], row["longitude"], f"{dep_path} line {line}")
        if name not in stations:
            stations[name] = len(stations)
            lonlat.append((lon, lat))
        start = _time(row["deploymentStart"], dep_path, line, "deploymentStart")
        end = _time(row["deploymentEnd"], dep_path, line, "deploymentEnd")
        if end <= start:
            raise InputFileError(
                f"{dep_path} line {line}: deploymentEnd is not after deploymentStart"
            )
        station_of[row["deploymentID"]] = stations[name]
        periods.append((stations[name], start, end))
    ll = np.asarray(lonlat, dtype=np.float64)
    centre = ll.mean(axis=0)
    use_crs = crs or utm_crs(float(centre[0]), float(centre[1]))
    from pyproj import Transformer

    try:
        transformer = Transformer.from_crs("EPSG:4326", use_crs, always_xy=True)
    except Exception as e:  # pyproj raises its own CRSError
        raise ParameterError(
            f"crs: {use_crs!r} is not a coordinate reference system: {e}"
        ) from None
    x, y = transformer.transform(ll[:, 0], ll[:, 1])
    t0 = min(p[1] for p in periods).replace(hour=0, minute=0, second=0, microsecond=0)
    t_end = max(p[2] for p in periods)
    length = dt.timedelta(days=occasion_days)
    n_occ = max(1, math.ceil((t_end - t0) / length))
    starts = tuple(t0 + s * length for s in range(n_occ))
    effort = np.zeros((len(stations), n_occ))
    for k, start, end in periods:
        first = int((start - t0) // length)
        last = min(int((end - t0) // length), n_occ - 1)
        for s in range(first, last + 1):
            lo, hi = max(start, starts[s]), min(end, starts[s] + length)
            effort[k, s] += max((hi - lo) / length, 0.0)
    detections, skipped = _observations(root, species, station_of, periods, t0, length, n_occ)
    return CamtrapSurvey(
        root,
        detections[1],
        tuple(stations),
        np.column_stack([x, y]),
        ll,
        use_crs,
        effort,
        starts,
        occasion_days,
        tuple(detections[0]),
        skipped,
    )


def _observations(
    root: Path,
    species: str,
    station_of: dict[str, int],
    periods: list[tuple[int, dt.datetime, dt.datetime]],
    t0: dt.datetime,
    length: dt.timedelta,
    n_occ: int,
) -> tuple[tuple[list[Detection], str], dict[str, int]]:
    path = root / "observations.csv"
    rows = _read_csv(
        path,
        ("observationID", "deploymentID", "eventStart", "scientificName"),
        {"timestamp": "eventStart"},
    )
    names = _species_names(root)
    wanted = names.get(species.strip().lower(), species.strip())
    found = Counter(r["scientificName"] for r in rows if r.get("scientificName"))
    match = {n for n in found if n.lower() == wanted.lower()}
    if not match:
        listed = ", ".join(f"{n} ({c})" for n, c in found.most_common(12)) or "none"
        raise ParameterError(
            f"species {species!r}: no observations of it in {path}; species observed: {listed}"
        )
    skipped: Counter[str] = Counter()
    detections = []
    own: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    for k, start, end in periods:
        own.setdefault(k, []).append((start, end))
    for line, row in enumerate(rows, start=2):
        if row["scientificName"] not in match:
            continue
        if (row.get("observationType") or "animal") != "animal":
            skipped["not an animal observation"] += 1
            continue
        deployment = row["deploymentID"]
        if deployment not in station_of:
            raise InputFileError(
                f"{path} line {line}: deploymentID {deployment!r} is not in deployments.csv"
            )
        when = _time(row["eventStart"], path, line, "eventStart")
        station = station_of[deployment]
        if not any(a <= when <= b for a, b in own[station]):
            warnings.warn(
                f"{path} line {line}: observation {row['observationID']} at {when:%Y-%m-%d %H:%M}"
                " falls outside its camera's deployment period",
                OncaWarning,
                stacklevel=3,
            )
        occasion = int((when - t0) // length)
        if not 0 <= occasion < n_occ:
            skipped["outside the survey's occasions"] += 1
            continue
        individual = (row.get("individualID") or "").strip() or None
        sex = (row.get("sex") or "").strip() or None
        try:
            count = int(float(row.get("count") or 1))
        except ValueError:
            count = 1
        detections.append(
            Detection(row["observationID"], station, occasion, when, individual, sex, count)
        )
    return (detections, sorted(match)[0]), dict(skipped)
