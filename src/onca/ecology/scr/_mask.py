"""The habitat mask: the points where an animal's activity centre may lie, as secr builds it.

:func:`make_mask` follows secr's ``make.mask`` (Efford, R package secr, R/make.mask.R) so that
estimates are comparable: the trap rectangle is widened by ``buffer`` on every side; unless
``spacing`` is given it is that width divided by ``nx``; points sit on a grid starting half a
cell in from the lower-left corner, x varying fastest; type 'traprect' keeps them all,
'trapbuffer' keeps those within ``buffer`` of a detector (distance <= buffer). Each point stands
for a cell of ``spacing**2`` square metres (``cell_ha`` hectares).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from onca.ecology.scr._data import Traps
from onca.errors import ParameterError

F64 = npt.NDArray[np.float64]
MASK_TYPES = ("trapbuffer", "traprect")


@dataclass(frozen=True)
class Mask:
    """M points (``xy``, (M, 2) metres), each a cell of ``spacing`` metres a side;
    ``covariates``: (M,) arrays, for density models (forest cover, distance to a road...)."""

    xy: F64
    spacing: float
    covariates: dict[str, F64] = field(default_factory=dict)

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
        return Mask(self.xy, self.spacing, merged)


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
    return Mask(xy, step)


def distance_to_traps(mask: Mask, traps: Traps) -> F64:
    """(M,) metres from each mask point to its nearest detector."""
    distance, _ = cKDTree(traps.xy).query(mask.xy)
    return np.asarray(distance, dtype=np.float64)
