"""Multi-season detection histories for dynamic occupancy (unmarked's ``unmarkedMultFrame``):
sites x seasons x occasions of 1, 0 or missing, with site, yearly-site and observation
covariates.

From CSV (``read_seasons_csv``):

- the detection history: ``site_id``, then T x J columns, season by season (season 1's J
  occasions, then season 2's, ...), as unmarked's wide ``y`` with ``numPrimary = T``; the
  number of seasons T is given (``seasons``) and must divide the number of columns; an empty
  cell is an occasion not surveyed, a season with no surveyed occasion at a site is a season
  that site was not visited; counts above 1 are truncated to 1 with a warning;
- site covariates: a CSV keyed by ``site_id`` (as for one season);
- yearly-site covariates (``yearly_covs``, name -> file): ``site_id`` then T columns, one value
  per site and season, the sites in the history's order; they may model colonisation,
  extinction and detection;
- observation covariates (``obs_covs``, name -> file): shaped like the history (T x J columns).

A covariate holding text is a factor, and so is a numeric one named in ``factors`` (see
onca.ecology.occupancy._terms). Season labels are the seasons' numbers unless ``season_labels``
are given; ``season`` (the label, a factor) is a yearly-site covariate of every history, as the
vignette's ``year`` is. From Camtrap DP: :func:`camtrap_seasons`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from onca.ecology.occupancy._data import (
    _declared,
    _matrix,
    _obs_covariate,
    _site_covariates,
    factor_levels,
    truncate_counts,
)
from onca.errors import InputFileError, OncaWarning, ParameterError

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SeasonalHistory:
    """``y`` (S, T, J): 1, 0 or NaN; ``sites`` (S,); ``site_covs`` name -> (S,);
    ``yearly_covs`` name -> (S, T); ``obs_covs`` name -> (S, T, J); ``factors`` covariate ->
    levels (() to have them found); ``seasons`` (T,) labels; ``xy`` (S, 2) metres when known.
    After construction ``yearly_covs`` holds ``season`` (unless given) and ``factors`` every
    factor with its levels."""

    sites: tuple[str, ...]
    y: F64
    site_covs: dict[str, npt.NDArray[np.generic]] = field(default_factory=dict)
    yearly_covs: dict[str, npt.NDArray[np.generic]] = field(default_factory=dict)
    obs_covs: dict[str, npt.NDArray[np.generic]] = field(default_factory=dict)
    factors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    seasons: tuple[str, ...] = ()
    xy: F64 | None = None

    def __post_init__(self) -> None:
        y = np.asarray(self.y, dtype=np.float64)
        if y.ndim != 3 or y.shape[0] != len(self.sites) or y.shape[0] == 0 or y.shape[1] < 2:
            raise ParameterError(
                f"y: expected (sites={len(self.sites)}, seasons >= 2, occasions), got {y.shape}"
            )
        sites = self.sites
        object.__setattr__(
            self,
            "y",
            truncate_counts(y, lambda i, t, j: f"site {sites[i]} season {t + 1} occasion {j + 1}"),
        )
        n, t, _ = y.shape
        labels = tuple(self.seasons) or tuple(str(k + 1) for k in range(t))
        if len(labels) != t or len(set(labels)) != t:
            raise ParameterError(f"seasons: expected {t} distinct labels, got {labels}")
        object.__setattr__(self, "seasons", labels)
        for kind, covs, shape in (
            ("site", self.site_covs, (n,)),
            ("yearly-site", self.yearly_covs, (n, t)),
            ("observation", self.obs_covs, y.shape),
        ):
            for name, values in covs.items():
                if np.shape(values) != shape:
                    raise ParameterError(
                        f"{kind} covariate {name!r}: expected shape {shape}, got {np.shape(values)}"
                    )
        names = [*self.site_covs, *self.yearly_covs, *self.obs_covs]
        twice = sorted({x for x in names if names.count(x) > 1})
        if twice:
            raise ParameterError(
                f"covariate {twice[0]!r} is given twice (site, yearly, observation)"
            )
        yearly = dict(self.yearly_covs)
        declared = dict(self.factors)
        if "season" not in yearly and "season" not in names:
            yearly["season"] = np.asarray(np.broadcast_to(np.asarray(labels, dtype=object), (n, t)))
            declared.setdefault("season", labels)
        unknown = set(declared) - {*self.site_covs, *yearly, *self.obs_covs}
        if unknown:
            raise ParameterError(f"factor {sorted(unknown)[0]!r}: no covariate of that name")
        levels: dict[str, tuple[str, ...]] = {}
        for attr, covs in (
            ("site_covs", self.site_covs),
            ("yearly_covs", yearly),
            ("obs_covs", self.obs_covs),
        ):
            labelled, found = factor_levels(dict(covs), declared)
            object.__setattr__(self, attr, labelled)
            levels.update(found)
        object.__setattr__(self, "factors", levels)

    @property
    def n_sites(self) -> int:
        return len(self.sites)

    @property
    def n_seasons(self) -> int:
        return int(self.y.shape[1])

    @property
    def n_occasions(self) -> int:
        """Occasions per season (J)."""
        return int(self.y.shape[2])

    @property
    def surveyed(self) -> npt.NDArray[np.bool_]:
        return ~np.isnan(self.y)

    def naive_occupancy(self) -> list[float | None]:
        """Per season, the share of the sites surveyed that season with a detection."""
        out: list[float | None] = []
        for t in range(self.n_seasons):
            visited = self.surveyed[:, t].any(axis=1)
            seen = np.nansum(self.y[:, t], axis=1) > 0
            out.append(float(seen[visited].mean()) if visited.any() else None)
        return out

    def drop_unsurveyed(self) -> SeasonalHistory:
        """Without the sites with no surveyed occasion in any season (warned, naming them)."""
        keep = np.asarray(self.surveyed.any(axis=(1, 2)), dtype=bool)
        if keep.all():
            return self
        dropped = [s for s, k in zip(self.sites, keep.tolist(), strict=True) if not k]
        warnings.warn(
            f"{len(dropped)} site(s) have no survey effort in any season and are left out:"
            f" {', '.join(dropped[:5])}{', ...' if len(dropped) > 5 else ''}",
            OncaWarning,
            stacklevel=2,
        )
        if not keep.any():
            raise ParameterError("no site has a surveyed occasion: there is nothing to fit")
        return SeasonalHistory(
            tuple(s for s, k in zip(self.sites, keep.tolist(), strict=True) if k),
            self.y[keep],
            {k: v[keep] for k, v in self.site_covs.items()},
            {k: v[keep] for k, v in self.yearly_covs.items()},
            {k: v[keep] for k, v in self.obs_covs.items()},
            self.factors,
            self.seasons,
            None if self.xy is None else self.xy[keep],
        )


def read_seasons_csv(
    path: Path | str,
    seasons: int,
    *,
    site_covs: Path | str | None = None,
    yearly_covs: dict[str, Path | str] | None = None,
    obs_covs: dict[str, Path | str] | None = None,
    factors: tuple[str, ...] | list[str] = (),
    season_labels: tuple[str, ...] | list[str] | None = None,
) -> SeasonalHistory:
    """A multi-season history and its covariates from CSV files (module docstring)."""
    p = Path(path)
    if seasons < 2:
        raise ParameterError(f"seasons: a dynamic model needs at least 2, got {seasons}")
    sites, wide = _matrix(p, "detection history", binary=True)
    y = np.asarray(wide, dtype=np.float64)
    if y.shape[1] % seasons:
        raise InputFileError(
            f"{p}: {y.shape[1]} occasion columns do not divide into {seasons} seasons (every"
            " season needs the same number of columns; leave occasions not surveyed empty)"
        )
    j = y.shape[1] // seasons

    def occasion(c: int) -> str:
        return f"season {c // j + 1} occasion {c % j + 1}"

    covs = _site_covariates(Path(site_covs), sites) if site_covs is not None else {}
    yearly: dict[str, npt.NDArray[np.generic]] = {}
    for name, file in (yearly_covs or {}).items():
        cov_sites, values = _matrix(Path(file), f"yearly-site covariate {name}", binary=False)
        if cov_sites != sites or values.shape[1] != seasons:
            raise InputFileError(
                f"{file}: yearly-site covariate {name!r} must list the history's sites in the"
                f" same order with one column per season ({seasons})"
            )
        yearly[name] = values
    observed = {
        name: _obs_covariate(Path(file), name, sites, y, occasion=occasion).reshape(
            len(sites), seasons, j
        )
        for name, file in (obs_covs or {}).items()
    }
    return SeasonalHistory(
        tuple(sites),
        y.reshape(len(sites), seasons, j),
        covs,
        yearly,
        observed,
        _declared(factors),
        tuple(season_labels or ()),
    )


def camtrap_seasons(
    survey: object,
    *,
    site_covs: Path | str | None = None,
    factors: tuple[str, ...] | list[str] = (),
) -> SeasonalHistory:
    """A multi-season history from a :class:`onca.ecology.CamtrapSurvey` that spans several
    years: a season is a calendar year (UTC) of occasion starts, from the first occasion with a
    camera running that year to the last; J is the longest such season, shorter ones end in
    occasions not surveyed, and so does any occasion with no camera running at a station.
    Years with no camera running are skipped. The share of each occasion a camera ran is the
    observation covariate ``effort``; the seasons are labelled by their years."""
    from onca.ecology._camtrap import CamtrapSurvey

    if not isinstance(survey, CamtrapSurvey):
        raise ParameterError("survey: expected a CamtrapSurvey (onca.ecology.read_camtrap_dp)")
    effort = survey.effort  # (K, occasions)
    running = effort.sum(axis=0) > 0
    years = np.asarray([start.year for start in survey.occasion_start])
    spans: list[tuple[str, int, int]] = []
    for year in sorted(set(years.tolist())):
        idx = np.flatnonzero((years == year) & running)
        if idx.size:
            spans.append((str(year), int(idx.min()), int(idx.max()) + 1))
    if len(spans) < 2:
        raise ParameterError(
            f"the survey has cameras running in {len(spans)} calendar year(s); a dynamic model"
            " needs at least 2 seasons (use onca occupancy for one)"
        )
    j = max(stop - start for _, start, stop in spans)
    n = len(survey.stations)
    y = np.full((n, len(spans), j), np.nan)
    work = np.full((n, len(spans), j), np.nan)
    where = {}
    for t, (_, start, stop) in enumerate(spans):
        part = effort[:, start:stop]
        y[:, t, : stop - start] = np.where(part > 0, 0.0, np.nan)
        work[:, t, : stop - start] = np.where(part > 0, part, np.nan)
        for k in range(start, stop):
            where[k] = (t, k - start)
    for d in survey.detections:
        if d.occasion in where and effort[d.station, d.occasion] > 0:
            t, k = where[d.occasion]
            y[d.station, t, k] = 1.0
    covs = _site_covariates(Path(site_covs), list(survey.stations)) if site_covs else {}
    return SeasonalHistory(
        survey.stations,
        y,
        covs,
        {},
        {"effort": work},
        _declared(factors),
        tuple(label for label, _, _ in spans),
        survey.xy,
    )
