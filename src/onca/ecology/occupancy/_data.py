"""Detection histories for occupancy models: sites x occasions of 1 (detected), 0 (not
detected) and missing (no survey effort), with site and observation covariates.

From CSV: one row per site, ``site_id`` then one column per occasion holding 1, 0 or empty;
counts (2, 3, ...) are truncated to 1 with a warning saying how many cells, as unmarked's
``truncateToBinary`` does. Site covariates in a second CSV keyed by ``site_id``; each
observation covariate in a CSV of the same shape as the history. A covariate holding text is a
factor; ``factors`` declares numeric codes factors too (onca.ecology.occupancy._terms says how
factors are coded). From Camtrap DP: camera stations are sites, occasions have a chosen length,
an occasion with no camera running is missing, and the share of the occasion the camera ran
becomes the observation covariate ``effort``.
"""

from __future__ import annotations

import csv
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from onca.ecology.occupancy._terms import MISSING, as_text, is_missing, sorted_levels
from onca.errors import InputFileError, OncaWarning, ParameterError

F64 = npt.NDArray[np.float64]


def truncate_counts(y: F64, where: Callable[..., str]) -> F64:
    """Detections from a history that may hold counts: values above 1 become 1 with a warning
    saying how many cells (unmarked's ``truncateToBinary``); a negative or fractional value is
    an error naming the cell as ``where(*index)`` does."""
    values = np.asarray(y, dtype=np.float64)
    present = ~np.isnan(values)
    bad = present & ((values < 0) | (values != np.round(values)))
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ParameterError(
            f"{where(*first)}: a detection history holds 1, 0 or nothing (counts above 1"
            f" are read as a detection), got {values[first]:g}"
        )
    above = present & (values > 1)
    if not above.any():
        return values
    warnings.warn(
        f"{int(above.sum())} cell(s) of the detection history hold counts above 1 (largest"
        f" {values[above].max():g}); they were truncated to 1 (detected), as unmarked does",
        OncaWarning,
        stacklevel=4,
    )
    return np.where(above, 1.0, values)


def factor_levels(
    covariates: dict[str, npt.NDArray[np.generic]], declared: dict[str, tuple[str, ...]]
) -> tuple[dict[str, npt.NDArray[np.generic]], dict[str, tuple[str, ...]]]:
    """Covariates with their factors as text labels, and every factor's levels: those
    ``declared`` (levels given, or () to find them), and every covariate holding text."""
    values = dict(covariates)
    levels: dict[str, tuple[str, ...]] = {}
    for name, raw in covariates.items():
        arr = np.asarray(raw)
        if name not in declared and arr.dtype.kind in "fiub":
            continue
        found = sorted_levels(arr)
        given = tuple(declared.get(name) or ())
        if given:
            extra = sorted(set(found) - set(given))
            if extra:
                raise ParameterError(
                    f"covariate {name!r}: value {extra[0]!r} is not one of its levels"
                    f" ({', '.join(given)})"
                )
            found = given
        values[name] = as_text(arr)
        levels[name] = found
    return values, levels


@dataclass(frozen=True)
class DetectionHistory:
    """``y`` (S, J): 1, 0 or NaN (not surveyed; counts above 1 are truncated to 1 with a
    warning); ``sites`` (S,) ids; ``site_covs`` name -> (S,); ``obs_covs`` name -> (S, J);
    ``xy`` (S, 2) site coordinates in metres when known; ``factors``: covariate -> its levels
    (first = reference; () to have them found), for numeric codes that are factors. Text
    covariates are factors whether listed or not; after construction ``factors`` lists every
    factor with its levels, and factor values are text labels."""

    sites: tuple[str, ...]
    y: F64
    site_covs: dict[str, npt.NDArray[np.generic]] = field(default_factory=dict)
    obs_covs: dict[str, npt.NDArray[np.generic]] = field(default_factory=dict)
    xy: F64 | None = None
    factors: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.y.ndim != 2 or self.y.shape[0] != len(self.sites) or self.y.shape[0] == 0:
            raise ParameterError(
                f"y: expected (sites={len(self.sites)}, occasions), got {self.y.shape}"
            )
        sites = self.sites
        object.__setattr__(
            self,
            "y",
            truncate_counts(self.y, lambda i, j: f"site {sites[i]} occasion {j + 1}"),
        )
        for name, values in self.site_covs.items():
            if len(values) != len(self.sites):
                raise ParameterError(f"site covariate {name!r}: expected one value per site")
        for name, values in self.obs_covs.items():
            if np.shape(values) != self.y.shape:
                raise ParameterError(
                    f"observation covariate {name!r}: expected {self.y.shape} (sites, occasions),"
                    f" got {np.shape(values)}"
                )
        overlap = set(self.site_covs) & set(self.obs_covs)
        if overlap:
            raise ParameterError(
                f"covariate {sorted(overlap)[0]!r} is both a site and an observation covariate"
            )
        unknown = set(self.factors) - set(self.site_covs) - set(self.obs_covs)
        if unknown:
            raise ParameterError(f"factor {sorted(unknown)[0]!r}: no covariate of that name")
        site, site_levels = factor_levels(dict(self.site_covs), self.factors)
        obs, obs_levels = factor_levels(dict(self.obs_covs), self.factors)
        object.__setattr__(self, "site_covs", site)
        object.__setattr__(self, "obs_covs", obs)
        object.__setattr__(self, "factors", {**site_levels, **obs_levels})

    @property
    def n_sites(self) -> int:
        return len(self.sites)

    @property
    def n_occasions(self) -> int:
        return int(self.y.shape[1])

    @property
    def surveyed(self) -> npt.NDArray[np.bool_]:
        return ~np.isnan(self.y)

    def naive_occupancy(self) -> float:
        """Share of surveyed sites with at least one detection."""
        seen = np.nansum(self.y, axis=1) > 0
        return float(seen.mean())

    def drop_unsurveyed(self) -> DetectionHistory:
        """Without the sites that have no surveyed occasion (warned, naming them)."""
        keep = np.asarray(self.surveyed.any(axis=1), dtype=bool)
        if keep.all():
            return self
        dropped = [s for s, k in zip(self.sites, keep.tolist(), strict=True) if not k]
        warnings.warn(
            f"{len(dropped)} site(s) have no survey effort at all and are left out:"
            f" {', '.join(dropped[:5])}{', ...' if len(dropped) > 5 else ''}",
            OncaWarning,
            stacklevel=2,
        )
        if not keep.any():
            raise ParameterError("no site has a surveyed occasion: there is nothing to fit")
        return DetectionHistory(
            tuple(s for s, k in zip(self.sites, keep.tolist(), strict=True) if k),
            self.y[keep],
            {k: v[keep] for k, v in self.site_covs.items()},
            {k: v[keep] for k, v in self.obs_covs.items()},
            None if self.xy is None else self.xy[keep],
            self.factors,
        )


def _rows(path: Path, what: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            rows = [(n, r) for n, r in enumerate(reader, start=2) if any(c.strip() for c in r)]
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise InputFileError(f"{path}: cannot read the {what}: {e}") from None
    if not header:
        raise InputFileError(f"{path}: empty (expected a header starting with site_id)")
    header = [h.strip() for h in header]
    if header[0] != "site_id":
        raise InputFileError(f"{path}: the first column must be site_id, found {header[0]!r}")
    return header, rows


def _matrix(path: Path, what: str, binary: bool) -> tuple[list[str], npt.NDArray[np.generic]]:
    """Sites and a (sites, occasions) matrix: whole numbers >= 0 when ``binary`` (a detection
    history: counts are truncated later), numbers, or text labels when any cell holds text (a
    factor: missing cells are '')."""
    header, rows = _rows(path, what)
    width = len(header) - 1
    if width < 1:
        raise InputFileError(f"{path}: no occasion columns after site_id")
    sites, cells = [], []
    for line, row in rows:
        if len(row) != len(header):
            raise InputFileError(
                f"{path} line {line}: site {row[0]!r} has {len(row) - 1} occasions, the header"
                f" {width} (every site needs the same occasions; leave unsurveyed ones empty)"
            )
        sites.append(row[0].strip())
        cells.append([c.strip() for c in row[1:]])
    if not sites:
        raise InputFileError(f"{path}: no sites")
    if len(set(sites)) != len(sites):
        dup = next(s for s in sites if sites.count(s) > 1)
        raise InputFileError(f"{path}: site {dup!r} appears twice")
    numbers = np.full((len(sites), width), math.nan)
    text = False
    for i, row in enumerate(cells):
        for j, cell in enumerate(row):
            if cell in MISSING:
                continue
            try:
                v = float(cell)
            except ValueError:
                if binary:
                    raise InputFileError(
                        f"{path} line {rows[i][0]}: site {sites[i]!r}, {header[j + 1]}: expected"
                        f" 1, 0, a count or empty, got {cell!r}"
                    ) from None
                text = True
                continue
            if binary and (v < 0 or v != round(v)):
                raise InputFileError(
                    f"{path} line {rows[i][0]}: site {sites[i]!r}, {header[j + 1]}: expected 1,"
                    f" 0, a count or empty, got {cell!r}"
                )
            numbers[i, j] = v
    if text:
        labels = np.asarray(cells, dtype=object)
        labels[np.isin(labels, MISSING)] = ""
        return sites, labels
    return sites, numbers


def read_history_csv(
    path: Path | str,
    *,
    site_covs: Path | str | None = None,
    obs_covs: dict[str, Path | str] | None = None,
    factors: tuple[str, ...] | list[str] = (),
) -> DetectionHistory:
    """A detection history and its covariates from CSV files (module docstring); ``factors``
    names numeric covariates to treat as factors."""
    p = Path(path)
    sites, y = _matrix(p, "detection history", binary=True)
    covs: dict[str, npt.NDArray[np.generic]] = {}
    if site_covs is not None:
        covs = _site_covariates(Path(site_covs), sites)
    observed = {
        name: _obs_covariate(Path(file), name, sites, np.asarray(y, dtype=np.float64))
        for name, file in (obs_covs or {}).items()
    }
    return DetectionHistory(
        tuple(sites), np.asarray(y, dtype=np.float64), covs, observed, None, _declared(factors)
    )


def _declared(factors: tuple[str, ...] | list[str]) -> dict[str, tuple[str, ...]]:
    return {name: () for name in factors}


def _obs_covariate(
    file: Path,
    name: str,
    sites: list[str],
    y: F64,
    *,
    occasion: Callable[[int], str] = lambda c: f"occasion {c + 1}",
) -> npt.NDArray[np.generic]:
    """An observation covariate shaped like the history ``y`` (sites, columns), present wherever
    y is; ``occasion(column)`` names a column (from 0) in messages."""
    cov_sites, values = _matrix(file, f"observation covariate {name}", binary=False)
    if cov_sites != sites or values.shape != y.shape:
        raise InputFileError(
            f"{file}: observation covariate {name!r} must list the history's sites in the same"
            f" order with {y.shape[1]} columns"
        )
    missing = is_missing(values) & ~np.isnan(y)
    if missing.any():
        i, j = np.argwhere(missing)[0]
        raise InputFileError(
            f"{file}: observation covariate {name!r} is missing for site {sites[i]!r}"
            f" {occasion(int(j))}, which was surveyed"
        )
    return values


def _site_covariates(path: Path, sites: list[str]) -> dict[str, npt.NDArray[np.generic]]:
    header, rows = _rows(path, "site covariates")
    by_site = {}
    for line, row in rows:
        if len(row) != len(header):
            raise InputFileError(
                f"{path} line {line}: expected {len(header)} columns, got {len(row)}"
            )
        by_site[row[0].strip()] = (line, row)
    missing = [s for s in sites if s not in by_site]
    if missing:
        raise InputFileError(f"{path}: no covariates for site(s) {', '.join(missing[:5])}")
    covs: dict[str, npt.NDArray[np.generic]] = {}
    for j, name in enumerate(header[1:], start=1):
        cells = [by_site[s][1][j].strip() for s in sites]
        empty = [s for s, c in zip(sites, cells, strict=True) if c in ("", "NA", "NaN")]
        if empty:
            raise InputFileError(
                f"{path} line {by_site[empty[0]][0]}: site {empty[0]!r} has no value for {name!r}"
                " (covariates cannot be missing)"
            )
        try:
            covs[name] = np.asarray([float(c) for c in cells])
            if not np.isfinite(covs[name].astype(np.float64)).all():
                raise ValueError
        except ValueError:
            covs[name] = np.asarray(cells, dtype=object)
    return covs


def camtrap_history(
    survey: object,
    *,
    site_covs: Path | str | None = None,
    factors: tuple[str, ...] | list[str] = (),
) -> DetectionHistory:
    """A detection history from a :class:`onca.ecology.CamtrapSurvey` (module docstring).
    Identification is not needed: any observation of the species counts."""
    from onca.ecology._camtrap import CamtrapSurvey

    if not isinstance(survey, CamtrapSurvey):
        raise ParameterError("survey: expected a CamtrapSurvey (onca.ecology.read_camtrap_dp)")
    effort = survey.effort  # (K, S)
    y = np.where(effort > 0, 0.0, np.nan)
    for d in survey.detections:
        if effort[d.station, d.occasion] > 0:
            y[d.station, d.occasion] = 1.0
    covs: dict[str, npt.NDArray[np.generic]] = {}
    if site_covs is not None:
        covs = _site_covariates(Path(site_covs), list(survey.stations))
    return DetectionHistory(
        survey.stations,
        y,
        covs,
        {"effort": np.where(effort > 0, effort, np.nan)},
        survey.xy,
        _declared(factors),
    )
