"""Detection histories for occupancy models: sites x occasions of 1 (detected), 0 (not
detected) and missing (no survey effort), with site and observation covariates.

From CSV: one row per site, ``site_id`` then one column per occasion holding 1, 0 or empty;
site covariates in a second CSV keyed by ``site_id``; each observation covariate in a CSV of
the same shape as the history. From Camtrap DP: camera stations are sites, occasions have a
chosen length, an occasion with no camera running is missing, and the share of the occasion
the camera ran becomes the observation covariate ``effort``.
"""

from __future__ import annotations

import csv
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from onca.errors import InputFileError, OncaWarning, ParameterError

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class DetectionHistory:
    """``y`` (S, J): 1, 0 or NaN (not surveyed); ``sites`` (S,) ids; ``site_covs`` name -> (S,);
    ``obs_covs`` name -> (S, J); ``xy`` (S, 2) site coordinates in metres when known."""

    sites: tuple[str, ...]
    y: F64
    site_covs: dict[str, npt.NDArray[np.generic]] = field(default_factory=dict)
    obs_covs: dict[str, F64] = field(default_factory=dict)
    xy: F64 | None = None

    def __post_init__(self) -> None:
        if self.y.ndim != 2 or self.y.shape[0] != len(self.sites) or self.y.shape[0] == 0:
            raise ParameterError(
                f"y: expected (sites={len(self.sites)}, occasions), got {self.y.shape}"
            )
        ok = np.isnan(self.y) | (self.y == 0) | (self.y == 1)
        if not ok.all():
            i, j = np.argwhere(~ok)[0]
            raise ParameterError(
                f"site {self.sites[i]} occasion {j + 1}: a detection history holds 1, 0 or"
                f" nothing, got {self.y[i, j]:g}"
            )
        for name, values in self.site_covs.items():
            if len(values) != len(self.sites):
                raise ParameterError(f"site covariate {name!r}: expected one value per site")
        for name, values in self.obs_covs.items():
            if values.shape != self.y.shape:
                raise ParameterError(
                    f"observation covariate {name!r}: expected {self.y.shape} (sites, occasions),"
                    f" got {values.shape}"
                )

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


def _matrix(path: Path, what: str, binary: bool) -> tuple[list[str], F64]:
    header, rows = _rows(path, what)
    width = len(header) - 1
    if width < 1:
        raise InputFileError(f"{path}: no occasion columns after site_id")
    sites, values = [], []
    for line, row in rows:
        if len(row) != len(header):
            raise InputFileError(
                f"{path} line {line}: site {row[0]!r} has {len(row) - 1} occasions, the header"
                f" {width} (every site needs the same occasions; leave unsurveyed ones empty)"
            )
        out = []
        for j, cell in enumerate(row[1:]):
            text = cell.strip()
            if text in ("", "NA", "NaN", "."):
                out.append(math.nan)
                continue
            try:
                v = float(text)
            except ValueError:
                raise InputFileError(
                    f"{path} line {line}: site {row[0]!r}, {header[j + 1]}: expected a number, got {text!r}"
                ) from None
            if binary and v not in (0.0, 1.0):
                raise InputFileError(
                    f"{path} line {line}: site {row[0]!r}, {header[j + 1]}: expected 1, 0 or empty, got {text!r}"
                )
            out.append(v)
        sites.append(row[0].strip())
        values.append(out)
    if not sites:
        raise InputFileError(f"{path}: no sites")
    if len(set(sites)) != len(sites):
        dup = next(s for s in sites if sites.count(s) > 1)
        raise InputFileError(f"{path}: site {dup!r} appears twice")
    return sites, np.asarray(values, dtype=np.float64)


def read_history_csv(
    path: Path | str,
    *,
    site_covs: Path | str | None = None,
    obs_covs: dict[str, Path | str] | None = None,
) -> DetectionHistory:
    """A detection history and its covariates from CSV files (module docstring)."""
    p = Path(path)
    sites, y = _matrix(p, "detection history", binary=True)
    covs: dict[str, npt.NDArray[np.generic]] = {}
    if site_covs is not None:
        covs = _site_covariates(Path(site_covs), sites)
    observed: dict[str, F64] = {}
    for name, file in (obs_covs or {}).items():
        cov_sites, values = _matrix(Path(file), f"observation covariate {name}", binary=False)
        if cov_sites != sites or values.shape != y.shape:
            raise InputFileError(
                f"{file}: observation covariate {name!r} must list the history's sites in the same"
                f" order with {y.shape[1]} occasions"
            )
        missing = np.isnan(values) & ~np.isnan(y)
        if missing.any():
            i, j = np.argwhere(missing)[0]
            raise InputFileError(
                f"{file}: observation covariate {name!r} is missing for site {sites[i]!r} occasion"
                f" {j + 1}, which was surveyed"
            )
        observed[name] = values
    return DetectionHistory(tuple(sites), y, covs, observed)


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


def camtrap_history(survey: object, *, site_covs: Path | str | None = None) -> DetectionHistory:
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
        survey.stations, y, covs, {"effort": np.where(effort > 0, effort, np.nan)}, survey.xy
    )
