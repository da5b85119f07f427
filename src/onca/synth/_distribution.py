"""Synthetic environmental layers and occurrence records with a known suitability.

Two GeoTIFF layers on a 120 x 100 grid of 1 km pixels in UTM 21S around the camera survey:
``elevation`` (m, a smooth ridge with noise) and ``forest`` (share of forest cover, higher to
the east and along a river). The ocelot's true relative suitability is
logistic(-3 + 5 forest - 2 ((elevation - 300) / 150)^2), and 400 occurrence records (GBIF
style, WGS 84) are drawn from pixels in proportion to it, with ten pixels of no data.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np

from onca.synth._csvfile import csv_table

CRS = "EPSG:32721"
ORIGIN = (360_000.0, 8_100_000.0)  # top-left corner
PIXEL = 1000.0
SHAPE = (100, 120)
OBSERVED = "HUMAN_OBSERVATION"


def true_suitability(elevation: np.ndarray, forest: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(-3.0 + 5.0 * forest - 2.0 * ((elevation - 300.0) / 150.0) ** 2)))


def write_distribution_data(
    out_dir: Path | str, *, seed: int = 7, records: int = 400
) -> dict[str, object]:
    """Write ``out_dir/distribution/`` (elevation.tif, forest.tif, occurrences.csv) and
    ``out_dir/truth/distribution_truth.json``; returns the truth."""
    import rasterio
    from pyproj import Transformer
    from rasterio.transform import from_origin

    rng = np.random.default_rng([seed, 7007])
    rows, cols = SHAPE
    r, c = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    elevation = 150 + 300 * np.exp(-(((c - 70) / 35.0) ** 2)) + 20 * rng.normal(size=SHAPE)
    river = np.exp(-(((r - 0.4 * c - 30) / 8.0) ** 2))
    forest = np.clip(0.1 + 0.5 * c / cols + 0.4 * river + 0.08 * rng.normal(size=SHAPE), 0, 1)
    elevation[rng.integers(0, rows, 10), rng.integers(0, cols, 10)] = np.nan
    truth = true_suitability(elevation, forest)
    weights = np.nan_to_num(truth).ravel()
    cells = rng.choice(weights.size, size=records, p=weights / weights.sum())
    rr, cc = np.unravel_index(cells, SHAPE)
    x = ORIGIN[0] + (cc + rng.random(records)) * PIXEL
    y = ORIGIN[1] - (rr + rng.random(records)) * PIXEL
    lon, lat = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True).transform(x, y)
    folder = Path(out_dir) / "distribution"
    folder.mkdir(parents=True, exist_ok=True)
    transform = from_origin(ORIGIN[0], ORIGIN[1], PIXEL, PIXEL)
    profile = {
        "driver": "GTiff",
        "height": rows,
        "width": cols,
        "count": 1,
        "dtype": "float32",
        "crs": CRS,
        "transform": transform,
        "nodata": -9999.0,
    }
    for name, layer in (("elevation", elevation), ("forest", forest)):
        with rasterio.open(folder / f"{name}.tif", "w", **profile) as dst:
            dst.write(np.where(np.isnan(layer), -9999.0, layer).astype("float32"), 1)
    start = dt.date(2015, 1, 1)
    with csv_table(
        folder / "occurrences.csv",
        [
            "gbifID",
            "species",
            "decimalLatitude",
            "decimalLongitude",
            "eventDate",
            "basisOfRecord",
        ],
    ) as w:
        for i in range(records):
            day = start + dt.timedelta(days=int(rng.integers(0, 3650)))
            coords = [f"{lat[i]:.5f}", f"{lon[i]:.5f}"]
            w.writerow(
                [f"SYN{i + 1:05d}", "Leopardus pardalis", *coords, day.isoformat(), OBSERVED]
            )
    info: dict[str, object] = {
        "species": "Leopardus pardalis",
        "suitability": "logistic(-3 + 5 forest - 2 ((elevation - 300) / 150)^2)",
        "records": records,
        "crs": CRS,
        "pixel_m": PIXEL,
        "shape": list(SHAPE),
        "seed": seed,
    }
    truth_dir = Path(out_dir) / "truth"
    truth_dir.mkdir(parents=True, exist_ok=True)
    (truth_dir / "distribution_truth.json").write_text(json.dumps(info, indent=2) + "\n")
    return info
