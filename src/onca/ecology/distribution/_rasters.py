"""Environmental layers for distribution models: GeoTIFFs read with rasterio into one stack on a
common grid, or arrays with their grid. Layers must share the coordinate reference system,
the grid (transform) and the shape: a layer that does not is refused, naming its file.
Occurrence records (GBIF style: ``species``, ``decimalLatitude``, ``decimalLongitude``,
``eventDate``) are projected from WGS 84 into the stack's CRS.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from onca.ecology._coords import read_lat_lon
from onca.errors import InputFileError, ParameterError

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class RasterStack:
    """``layers`` name -> (rows, cols) float64 (NaN: no data); ``transform`` the affine pixel ->
    map transform (rasterio/affine), ``crs`` its coordinate reference system (text)."""

    layers: dict[str, F64]
    transform: Any
    crs: str

    def __post_init__(self) -> None:
        shapes = {v.shape for v in self.layers.values()}
        if not self.layers or len(shapes) != 1:
            raise ParameterError("layers: expected one or more arrays of one shape")

    @property
    def shape(self) -> tuple[int, int]:
        rows, cols = next(iter(self.layers.values())).shape
        return int(rows), int(cols)

    @property
    def valid(self) -> npt.NDArray[np.bool_]:
        """Pixels where every layer has data."""
        return np.logical_and.reduce([np.isfinite(v) for v in self.layers.values()])

    def cell_of(self, x: F64, y: F64) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Row and column of map coordinates (-1 outside the grid)."""
        inverse = ~self.transform
        col, row = inverse @ (np.asarray(x), np.asarray(y))
        row = np.floor(row).astype(np.int64)
        col = np.floor(col).astype(np.int64)
        rows, cols = self.shape
        outside = (row < 0) | (row >= rows) | (col < 0) | (col >= cols)
        return np.where(outside, -1, row), np.where(outside, -1, col)

    def centres(self) -> tuple[F64, F64]:
        """Map coordinates of every pixel centre, (rows, cols) each."""
        rows, cols = self.shape
        c, r = np.meshgrid(np.arange(cols) + 0.5, np.arange(rows) + 0.5)
        x, y = self.transform @ (c, r)
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def values(self, row: npt.NDArray[np.int64], col: npt.NDArray[np.int64]) -> F64:
        """(n, layers) values at the given pixels."""
        return np.column_stack([v[row, col] for v in self.layers.values()])


def read_rasters(paths: list[Path | str]) -> RasterStack:
    """GeoTIFFs (first band each; nodata becomes NaN), named by file stem."""
    import rasterio

    if not paths:
        raise ParameterError("rasters: give at least one environmental layer")
    layers: dict[str, F64] = {}
    reference: tuple[Path, Any, Any, tuple[int, int]] | None = None
    for raw in paths:
        path = Path(raw)
        try:
            with rasterio.open(path) as src:
                data = src.read(1, masked=True).astype(np.float64).filled(np.nan)
                crs, transform = src.crs, src.transform
        except Exception as e:  # rasterio raises its own RasterioIOError
            raise InputFileError(f"{path}: cannot read it as a raster: {e}") from None
        if crs is None:
            raise InputFileError(f"{path}: has no coordinate reference system")
        if reference is None:
            reference = (path, crs, transform, data.shape)
        else:
            first, ref_crs, ref_transform, ref_shape = reference
            if crs != ref_crs:
                raise InputFileError(
                    f"{path}: its CRS ({crs.to_string()}) differs from {first.name}'s"
                    f" ({ref_crs.to_string()}); reproject the layers to one CRS first"
                )
            if transform != ref_transform or data.shape != ref_shape:
                raise InputFileError(
                    f"{path}: its grid (origin, pixel size or shape {data.shape}) differs from"
                    f" {first.name}'s ({ref_shape}); resample the layers to one grid first"
                )
        name = path.stem
        if name in layers:
            raise InputFileError(f"{path}: a second layer named {name!r}")
        layers[name] = data
    assert reference is not None
    return RasterStack(layers, reference[2], reference[1].to_string())


def read_occurrences(path: Path | str, species: str | None = None) -> tuple[F64, F64, str]:
    """(longitude, latitude, species) of the records of ``species`` (default: the only or the
    most frequent one) in a GBIF-style CSV."""
    p = Path(path)
    try:
        with p.open(newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f, delimiter="\t" if p.suffix == ".tsv" else ","))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise InputFileError(f"{p}: cannot read it: {e}") from None
    need = ("species", "decimalLatitude", "decimalLongitude")
    if not rows or any(c not in rows[0] for c in need):
        raise InputFileError(f"{p}: expected columns {', '.join(need)} (GBIF style)")
    found = Counter(r["species"] for r in rows if r["species"])
    chosen = species or (found.most_common(1)[0][0] if found else "")
    matching = [r for r in rows if r["species"].lower() == chosen.lower()]
    if not matching:
        listed = ", ".join(f"{n} ({c})" for n, c in found.most_common(10)) or "none"
        raise ParameterError(f"species {chosen!r}: no records in {p}; species there: {listed}")
    lon, lat = [], []
    for line, r in enumerate(rows, start=2):
        if r not in matching:
            continue
        la, lo = read_lat_lon(r["decimalLatitude"], r["decimalLongitude"], f"{p} line {line}")
        lon.append(lo)
        lat.append(la)
    return np.asarray(lon), np.asarray(lat), matching[0]["species"]


def project(lon: F64, lat: F64, crs: str) -> tuple[F64, F64]:
    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
