"""The habitat mask: the points where an animal's activity centre may lie, as secr builds it.

:func:`make_mask` follows secr's ``make.mask`` (Efford, R package secr, R/make.mask.R) so that
estimates are comparable: the trap rectangle is widened by ``buffer`` on every side; unless
``spacing`` is given it is that width divided by ``nx``; points sit on a grid starting half a
cell in from the lower-left corner, x varying fastest; type 'traprect' keeps them all,
'trapbuffer' keeps those within ``buffer`` of a detector (distance <= buffer). Each point stands
for a cell of ``spacing**2`` square metres (``cell_ha`` hectares).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from onca.ecology.scr._data import Traps
from onca.errors import InputFileError, ParameterError

F64 = npt.NDArray[np.float64]
MASK_TYPES = ("trapbuffer", "traprect")


@dataclass(frozen=True)
class Mask:
    """M points (``xy``, (M, 2) metres), each a cell of ``spacing`` metres a side;
    ``covariates``: (M,) arrays, for density models (forest cover, distance to a road...).
    ``buffer`` and ``type``: how :func:`make_mask` built it, when it did (no habitat polygon);
    a fit checks such a buffer for truncation bias."""

    xy: F64
    spacing: float
    covariates: dict[str, F64] = field(default_factory=dict)
    buffer: float | None = None
    type: str | None = None

    def __post_init__(self) -> None:
        if self.xy.ndim != 2 or self.xy.shape[1] != 2 or self.xy.shape[0] == 0:
            raise ParameterError(
                "mask: no points (is the buffer 0, or the habitat polygon away from the traps?)"
            )
        if not self.spacing > 0:
            raise ParameterError(f"mask spacing: expected a positive distance, got {self.spacing}")
        for name, values in self.covariates.items():
            if np.shape(values) != (len(self),):
                raise ParameterError(f"mask covariate {name!r}: expected one value per point")
            if not np.isfinite(values).all():
                bad = int(np.flatnonzero(~np.isfinite(values))[0])
                raise ParameterError(
                    f"mask covariate {name!r}: point {bad} (x={self.xy[bad, 0]:.1f},"
                    f" y={self.xy[bad, 1]:.1f}) has no value"
                )

    def __len__(self) -> int:
        return int(self.xy.shape[0])

    @property
    def cell_ha(self) -> float:
        """Area of one cell in hectares."""
        return self.spacing**2 * 1e-4

    @property
    def area_ha(self) -> float:
        return self.cell_ha * len(self)

    def with_covariates(self, covariates: Mapping[str, Any]) -> Mask:
        merged = dict(self.covariates)
        merged.update({k: np.asarray(v, dtype=np.float64) for k, v in covariates.items()})
        return Mask(self.xy, self.spacing, merged, self.buffer, self.type)


def _grid(lo: float, hi: float, spacing: float) -> F64:
    """R's seq(lo + spacing/2, hi, spacing): floor((hi - start)/spacing + 1e-10) + 1 points."""
    start = lo + spacing / 2
    n = int(np.floor((hi - start) / spacing + 1e-10)) + 1
    return np.asarray(start + spacing * np.arange(n), dtype=np.float64)


def make_mask(
    traps: Traps,
    *,
    buffer: float = 100.0,
    nx: int = 64,
    spacing: float | None = None,
    type: str = "trapbuffer",
    polygon: Any = None,
) -> Mask:
    """secr's ``make.mask`` (see the module docstring). ``polygon``: a shapely (Multi)Polygon
    of habitat in the traps' coordinates; points outside it are dropped."""
    if type not in MASK_TYPES:
        raise ParameterError(f"type: expected one of {', '.join(MASK_TYPES)}, got {type!r}")
    if not (np.isfinite(buffer) and buffer >= 0):
        raise ParameterError(f"buffer: expected a distance of 0 metres or more, got {buffer}")
    if nx < 1:
        raise ParameterError(f"nx: expected at least 1 point across, got {nx}")
    lo = traps.xy.min(axis=0) - buffer
    hi = traps.xy.max(axis=0) + buffer
    step = float(spacing) if spacing is not None else float(hi[0] - lo[0]) / nx
    if not step > 0:
        raise ParameterError(
            "mask: the traps span no width and the buffer is 0, so the grid has no spacing;"
            " give a buffer or a spacing"
        )
    x, y = _grid(lo[0], hi[0], step), _grid(lo[1], hi[1], step)
    xy = np.column_stack([np.tile(x, y.size), np.repeat(y, x.size)])
    if type == "trapbuffer":
        distance, _ = cKDTree(traps.xy).query(xy)
        xy = xy[distance <= buffer]
    if polygon is not None:
        import shapely

        xy = xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])]
    if xy.shape[0] == 0:
        raise ParameterError(
            f"mask: no points left (buffer {buffer} m, spacing {step:g} m"
            + (", habitat polygon" if polygon is not None else "")
            + "); widen the buffer or check the polygon's coordinates"
        )
    if polygon is not None:  # clipped to habitat: no longer a plain buffer around the traps
        return Mask(xy, step)
    return Mask(xy, step, buffer=float(buffer), type=type)


def distance_to_traps(mask: Mask, traps: Traps) -> F64:
    """(M,) metres from each mask point to its nearest detector."""
    distance, _ = cKDTree(traps.xy).query(mask.xy)
    return np.asarray(distance, dtype=np.float64)


def add_mask_covariates(mask: Mask, path: str | Path | None = None) -> Mask:
    """``mask`` with covariates for density models: ``x`` and ``y`` (kilometres east and north
    of the mask's centre) always, and every other column of the CSV at ``path`` (columns x, y
    in the traps' metres, and one column per covariate), each mask point taking the value of
    the nearest row."""
    centre = mask.xy.mean(axis=0)
    covs = {"x": (mask.xy[:, 0] - centre[0]) / 1000, "y": (mask.xy[:, 1] - centre[1]) / 1000}
    if path is not None:
        points, values = _read_point_table(Path(path))
        _, nearest = cKDTree(points).query(mask.xy)
        covs.update({n: v[nearest] for n, v in values.items()})
    return mask.with_covariates(covs)


def _read_point_table(path: Path) -> tuple[F64, dict[str, F64]]:
    """(N, 2) points and the other columns of a CSV with columns x, y and covariates."""
    try:
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        raise InputFileError(f"mask covariates {path}: cannot read it: {e}") from None
    if not rows or not {"x", "y"} <= set(rows[0]):
        raise InputFileError(f"mask covariates {path}: expected columns x, y and covariates")
    try:
        points = np.array([[float(r["x"]), float(r["y"])] for r in rows])
        names = [c for c in rows[0] if c not in ("x", "y")]
        values = {n: np.array([float(r[n]) for r in rows]) for n in names}
    except ValueError as e:
        raise InputFileError(
            f"mask covariates {path}: every value must be a number ({e})"
        ) from None
    return points, values
