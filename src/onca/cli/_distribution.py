"""``onca distribution``: where a species could live, from occurrence records and rasters."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from onca.cli._common import err, out, print_result, recording_warnings
from onca.cli._options import ResultsJson, seed_option


def distribution(
    occurrences: Annotated[
        Path,
        typer.Argument(
            help="Occurrence records, GBIF style: species, decimalLatitude, decimalLongitude, eventDate."
        ),
    ],
    raster: Annotated[
        list[Path],
        typer.Option(
            "--raster",
            "-r",
            help="An environmental layer (GeoTIFF); repeat for each. All must share CRS and grid.",
        ),
    ],
    species: Annotated[
        str | None,
        typer.Option(help="The species to model (default: the most frequent in the file)."),
    ] = None,
    background: Annotated[
        int, typer.Option(min=100, help="Background points drawn from the layers.")
    ] = 10_000,
    folds: Annotated[
        int, typer.Option(min=2, help="Spatially blocked cross-validation folds.")
    ] = 4,
    block_km: Annotated[
        float | None,
        typer.Option(help="Block size for cross-validation in km (default: a fifth of the map)."),
    ] = None,
    out_map: Annotated[
        Path | None, typer.Option(help="PNG map of the predicted suitability.")
    ] = None,
    out_tif: Annotated[
        Path | None, typer.Option(help="GeoTIFF of the predicted suitability.")
    ] = None,
    seed: Annotated[int, seed_option("Seed for background sampling and folds.")] = 0,
    as_json: ResultsJson = False,
) -> None:
    """Presence-only species distribution (MaxEnt, through elapid).

    Occurrence records are projected onto the layers' grid; background points are drawn where
    every layer has data; spatially blocked cross-validation gives an honest AUC; the model
    fitted on all records predicts relative suitability (0 to 1) for every pixel.

    Example: onca distribution ocelot.csv -r elevation.tif -r forest.tif --out-map ocelot.png
    """
    from onca.ecology.distribution import (
        MaxEnt,
        project,
        read_occurrences,
        read_rasters,
        suitability_png,
    )
    from onca.errors import ParameterError

    with recording_warnings() as messages:
        stack = read_rasters(list(raster))
        lon, lat, name = read_occurrences(occurrences, species)
        x, y = project(lon, lat, stack.crs)
        fit = MaxEnt(background=background, folds=folds, block_km=block_km, seed=seed).fit(
            stack, x, y
        )
        payload: dict[str, Any] = {
            "occurrences": str(occurrences),
            "species": name,
            "records": int(lon.size),
            "crs": stack.crs,
            **fit.to_dict(),
        }
        if out_map is not None:
            try:
                out_map.write_bytes(
                    suitability_png(
                        fit,
                        stack,
                        (x, y),
                        title=f"{name}: MaxEnt suitability, spatial CV AUC {fit.cv_auc_mean_:.3f}",
                    )
                )
            except OSError as e:
                raise ParameterError(f"--out-map {out_map}: cannot write it: {e}") from None
            payload["map"] = str(out_map)
        if out_tif is not None:
            _write_tif(out_tif, fit.suitability_, stack)
            payload["geotiff"] = str(out_tif)
    payload["warnings"] = messages
    print_result(payload, as_json, _print)


def _print(payload: dict[str, Any]) -> None:
    name = payload["species"]
    aucs = ", ".join(f"{a:.3f}" for a in payload["cv_auc"])
    out.print(
        f"{name}: {payload['presences']} presence pixels ({payload['records']} records), {payload['background']:,}"
        f" background points, layers {', '.join(payload['layers'])}\n"
        f"spatially blocked cross-validation AUC {payload['cv_auc_mean']:.3f} (folds: {aucs})",
        highlight=False,
    )
    for key in ("map", "geotiff"):
        if key in payload:
            err.print(f"wrote {payload[key]}", highlight=False)


def _write_tif(path: Path, values: Any, stack: Any) -> None:
    import numpy as np
    import rasterio

    from onca.errors import ParameterError

    rows, cols = stack.shape
    try:
        with rasterio.open(
            path,
            "w",
            driver="GTiff",
            height=rows,
            width=cols,
            count=1,
            dtype="float32",
            crs=stack.crs,
            transform=stack.transform,
            nodata=-9999.0,
        ) as dst:
            dst.write(np.where(np.isnan(values), -9999.0, values).astype("float32"), 1)
    except Exception as e:  # rasterio's own errors
        raise ParameterError(f"--out-tif {path}: cannot write it: {e}") from None
