"""Habitat inputs for the mask from files: a mask itself (secr's text format or CSV), a habitat
region that clips it (GeoJSON, ESRI shapefile or a CSV of polygon vertices) and covariates
sampled from rasters (GeoTIFF) or taken from a CSV of points.

Every file is in the detectors' projected coordinates (metres); a file that is evidently not
(a region or raster away from the detectors, longitude and latitude in degrees) is refused
with a hint to reproject it. :func:`habitat_mask` puts them together as ``onca density`` does.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from onca.ecology.scr._data import Traps
from onca.ecology.scr._mask import Mask, add_mask_covariates, make_mask
from onca.errors import InputFileError, ParameterError

F64 = npt.NDArray[np.float64]
RASTERS = (".tif", ".tiff")


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_mask(path: str | Path, *, spacing: float | None = None) -> Mask:
    """A mask from a file: secr's text format (``x y [covariates]`` per line, whitespace
    separated, a header line naming the columns; lines starting with # are comments) or a CSV
    with columns x, y and covariates. ``spacing`` (metres) defaults to the median distance from
    each point to its nearest neighbour (the grid's spacing)."""
    path = Path(path)
    try:
        lines = [
            (n, line.strip())
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if line.strip() and not line.lstrip().startswith("#")
        ]
    except OSError as e:
        raise InputFileError(f"mask {path}: cannot read it: {e}") from None
    if not lines:
        raise InputFileError(f"mask {path}: no points (expected a header and 'x y' per line)")
    comma = "," in lines[0][1]
    rows = [(n, next(csv.reader([line])) if comma else line.split()) for n, line in lines]
    first = [c.strip() for c in rows[0][1]]
    if len(first) >= 2 and _number(first[0]) and _number(first[1]):
        if len(first) > 2:
            raise InputFileError(
                f"mask {path}: {len(first) - 2} covariate column(s) but no header line naming"
                " them (start the file with 'x y name ...')"
            )
        header, body = ["x", "y"], rows
    else:
        header, body = [c.strip().strip('"') for c in first], rows[1:]
        if header[:2] != ["x", "y"]:
            raise InputFileError(
                f"mask {path}: expected the first two columns to be x and y, got {header[:2]}"
            )
    if not body:
        raise InputFileError(f"mask {path}: a header but no points")
    values = np.empty((len(body), len(header)))
    for i, (n, cells) in enumerate(body):
        if len(cells) != len(header):
            raise InputFileError(
                f"mask {path}, line {n}: expected {len(header)} values ({', '.join(header)}),"
                f" got {len(cells)}"
            )
        for j, cell in enumerate(cells):
            try:
                values[i, j] = float(cell)
            except ValueError:
                raise InputFileError(
                    f"mask {path}, line {n}, column {header[j]}: expected a number, got {cell!r}"
                ) from None
    xy = values[:, :2]
    if len(xy) >= 2 and spacing is None:
        distance, _ = cKDTree(xy).query(xy, k=2)
        if not (distance[:, 1] > 0).all():
            raise InputFileError(f"mask {path}: some points are repeated")
        spacing = float(np.median(distance[:, 1]))
    if spacing is None:
        raise InputFileError(f"mask {path}: one point gives no spacing; give the spacing")
    covariates = {name: values[:, j] for j, name in enumerate(header) if j >= 2}
    try:
        return Mask(xy, spacing, covariates)
    except ParameterError as e:
        raise InputFileError(f"mask {path}: {e}") from None


def read_region(path: str | Path) -> Any:
    """A habitat region as a shapely (Multi)Polygon: GeoJSON (a geometry, feature or feature
    collection; every polygon in it), an ESRI shapefile (.shp, read with pyshp; every polygon
    record) or a CSV of vertices (columns x, y, in order, the last repeating the first)."""
    import shapely
    from shapely.geometry import shape

    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputFileError(f"region {path}: no such file")
    if suffix == ".csv":
        return _csv_polygon(path)
    if suffix == ".shp":
        geometries = _shapefile_geometries(path)
    elif suffix in (".geojson", ".json"):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise InputFileError(f"region {path}: not readable GeoJSON: {e}") from None
        features = data.get("features", [data]) if isinstance(data, dict) else []
        geometries = [f.get("geometry", f) for f in features if isinstance(f, dict)]
    else:
        raise InputFileError(
            f"region {path}: expected a .geojson, .json, .shp or .csv file, got {suffix or 'no suffix'}"
        )
    polygons = []
    for g in geometries:
        if isinstance(g, dict) and g.get("type") in ("Polygon", "MultiPolygon"):
            try:
                polygons.append(shape(g))
            except (ValueError, TypeError, AttributeError) as e:
                raise InputFileError(f"region {path}: a polygon cannot be read: {e}") from None
    if not polygons:
        kinds = sorted({str(g.get("type")) for g in geometries if isinstance(g, dict)})
        raise InputFileError(
            f"region {path}: no polygon in it (found {', '.join(kinds) or 'nothing'}); the habitat"
            " region must be a Polygon or MultiPolygon"
        )
    region = shapely.union_all(polygons)
    if not region.is_valid:
        raise InputFileError(
            f"region {path}: the polygon is not valid ({shapely.is_valid_reason(region)})"
        )
    return region


def _shapefile_geometries(path: Path) -> list[Any]:
    import shapefile  # pyshp

    try:
        with shapefile.Reader(str(path)) as reader:
            geometries = [s.__geo_interface__ for s in reader.shapes()]
    except (shapefile.ShapefileException, OSError) as e:
        raise InputFileError(f"region {path}: not a readable shapefile: {e}") from None
    prj = path.with_suffix(".prj")
    if prj.is_file() and "PROJCS" not in prj.read_text(errors="replace").upper():
        raise InputFileError(
            f"region {path}: its .prj says geographic coordinates (degrees); reproject it to the"
            " detectors' projected CRS (metres) first"
        )
    return geometries


def _csv_polygon(path: Path) -> Any:
    from shapely.geometry import Polygon

    try:
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        raise InputFileError(f"region {path}: cannot read it: {e}") from None
    if not rows or not {"x", "y"} <= set(rows[0]):
        raise InputFileError(f"region {path}: expected columns x and y (the polygon's vertices)")
    try:
        vertices = [(float(r["x"]), float(r["y"])) for r in rows]
    except (TypeError, ValueError) as e:
        raise InputFileError(f"region {path}: every vertex must be two numbers ({e})") from None
    if len(vertices) < 4:
        raise InputFileError(
            f"region {path}: {len(vertices)} vertices; a polygon needs at least 3 and the first"
            " repeated at the end"
        )
    if vertices[0] != vertices[-1]:
        raise InputFileError(
            f"region {path}: the polygon is not closed: the last vertex {vertices[-1]} is not the"
            f" first {vertices[0]}; repeat the first vertex at the end"
        )
    polygon = Polygon(vertices)
    if not polygon.is_valid:
        import shapely

        raise InputFileError(
            f"region {path}: the polygon is not valid ({shapely.is_valid_reason(polygon)})"
        )
    return polygon


def _check_overlap(what: str, bounds: Sequence[float], traps: Traps) -> None:
    """Refuse a region or raster whose bounds miss the detectors: another CRS, most likely."""
    lo, hi = traps.xy.min(axis=0), traps.xy.max(axis=0)
    x0, y0, x1, y1 = bounds
    if x1 < lo[0] or x0 > hi[0] or y1 < lo[1] or y0 > hi[1]:
        degrees = x0 >= -180 and x1 <= 180 and y0 >= -90 and y1 <= 90
        raise InputFileError(
            f"{what}: it spans x {x0:.6g} to {x1:.6g}, y {y0:.6g} to {y1:.6g}, away from the"
            f" detectors (x {lo[0]:.6g} to {hi[0]:.6g}, y {lo[1]:.6g} to {hi[1]:.6g})"
            + (
                "; it looks like longitude and latitude: reproject it to the detectors' CRS"
                if degrees
                else "; is it in another CRS than the detectors?"
            )
        )


def raster_covariates(mask: Mask, rasters: Mapping[str, str | Path]) -> Mask:
    """``mask`` with one covariate per raster (name -> GeoTIFF), the first band sampled at each
    mask point (rasterio). A raster that does not cover every mask point, or has no data at
    some, is refused, saying how many points are concerned."""
    import rasterio  # heavy: imported only when a raster is given

    covs = {}
    for name, file in rasters.items():
        path = Path(file)
        try:
            with rasterio.open(path) as src:
                b = src.bounds
                inside = (
                    (mask.xy[:, 0] >= b.left)
                    & (mask.xy[:, 0] <= b.right)
                    & (mask.xy[:, 1] >= b.bottom)
                    & (mask.xy[:, 1] <= b.top)
                )
                if not inside.all():
                    outside = int((~inside).sum())
                    crs = f" (its CRS: {src.crs})" if src.crs else ""
                    raise InputFileError(
                        f"mask covariate {name} from {path}: {outside} of {len(mask)} mask points"
                        f" fall outside the raster (x {b.left:.6g} to {b.right:.6g}, y"
                        f" {b.bottom:.6g} to {b.top:.6g}){crs}; it must cover the whole mask, in"
                        " the detectors' CRS"
                    )
                sampled = np.ma.concatenate(list(src.sample(mask.xy, indexes=1, masked=True)))
                values = np.ma.masked_invalid(sampled.astype(np.float64))
        except rasterio.errors.RasterioIOError as e:
            raise InputFileError(
                f"mask covariate {name} from {path}: cannot read it: {e}"
            ) from None
        missing = np.ma.getmaskarray(values)
        if missing.any():
            raise InputFileError(
                f"mask covariate {name} from {path}: {int(missing.sum())} of {len(mask)} mask"
                " points fall on cells with no data; fill them or clip the mask (--region)"
            )
        covs[name] = np.asarray(values.filled(np.nan), dtype=np.float64)
    return mask.with_covariates(covs)


def covariate_sources(items: Sequence[str | Path]) -> tuple[list[Path], dict[str, Path]]:
    """CSV files and named rasters from ``--mask-covariates`` values: FILE or NAME=FILE; a
    raster (.tif, .tiff) is named by NAME or by its file stem."""
    tables: list[Path] = []
    rasters: dict[str, Path] = {}
    for item in items:
        text = str(item)
        name, sep, file = text.partition("=")
        path = Path(file if sep else text)
        if path.suffix.lower() in RASTERS:
            label = name.strip() if sep else path.stem
            if not label:
                raise ParameterError(f"--mask-covariates: expected NAME=FILE, got {text!r}")
            rasters[label] = path
        elif sep:
            raise ParameterError(
                f"--mask-covariates {text}: NAME=FILE is for rasters (.tif); a CSV names its"
                " covariates in its header"
            )
        else:
            tables.append(path)
    return tables, rasters


def habitat_mask(
    traps: Traps,
    *,
    buffer: float,
    nx: int = 64,
    spacing: float | None = None,
    type: str = "trapbuffer",
    mask_file: str | Path | None = None,
    region: str | Path | None = None,
    covariates: Sequence[str | Path] = (),
) -> Mask:
    """The mask ``onca density`` fits on: read from ``mask_file`` or built around ``traps``
    (:func:`make_mask`), clipped to the ``region`` file, with covariates x and y (km from the
    centre), those of each CSV and one per raster in ``covariates`` (see
    :func:`covariate_sources`)."""
    polygon = None
    if region is not None:
        polygon = read_region(region)
        _check_overlap(f"region {region}", polygon.bounds, traps)
    if mask_file is not None:
        mask = read_mask(mask_file, spacing=spacing)
        _check_overlap(f"mask {mask_file}", (*mask.xy.min(axis=0), *mask.xy.max(axis=0)), traps)
        if polygon is not None:
            import shapely

            keep = shapely.contains_xy(polygon, mask.xy[:, 0], mask.xy[:, 1])
            if not keep.any():
                raise ParameterError(f"region {region}: no point of mask {mask_file} lies in it")
            mask = Mask(
                mask.xy[keep], mask.spacing, {k: v[keep] for k, v in mask.covariates.items()}
            )
    else:
        mask = make_mask(traps, buffer=buffer, nx=nx, spacing=spacing, type=type, polygon=polygon)
    tables, rasters = covariate_sources(covariates)
    for table in tables:
        mask = add_mask_covariates(mask, table)
    if not tables:
        mask = add_mask_covariates(mask)
    if rasters:
        mask = raster_covariates(mask, rasters)
    return mask
