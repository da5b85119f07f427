"""Habitat inputs from files (``onca.ecology.scr._habitat``): mask files, regions that clip the
mask, covariates sampled from rasters, and what ``onca density`` and ``onca occupancy`` make of
them and of ``--ci profile`` and ``--bootstrap``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import rasterio
import shapefile
from affine import Affine
from typer.testing import CliRunner

from onca.cli import app
from onca.ecology.scr import CaptureHistory, make_mask
from onca.ecology.scr._habitat import habitat_mask, read_mask, read_region
from onca.errors import InputFileError

runner = CliRunner()
# captdata's traps span 365-635 m on both axes; this square cuts the 100 m buffer on two sides
SQUARE = [(300.0, 300.0), (300.0, 700.0), (700.0, 700.0), (700.0, 300.0), (300.0, 300.0)]


def _raster(path: Path, left: float = 200.0, top: float = 800.0, size: int = 60) -> Path:
    """A 10 m GeoTIFF whose value is x / 100 at each cell's centre (nodata -9999)."""
    x = left + 5 + 10 * np.arange(size)
    data = np.tile(x / 100, (size, 1)).astype("float32")
    with rasterio.open(
        path, "w", driver="GTiff", height=size, width=size, count=1, dtype="float32",
        transform=Affine(10.0, 0.0, left, 0.0, -10.0, top), nodata=-9999,
    ) as dst:  # fmt: skip
        dst.write(data, 1)
    return path


def test_a_mask_file_in_secr_text_and_csv(tmp_path: Path, captdata: CaptureHistory) -> None:
    built = make_mask(captdata.traps, buffer=100)
    text = tmp_path / "mask.txt"
    text.write_text(
        "# written by hand\nx y forest\n" + "".join(f"{x} {y} {x / 100}\n" for x, y in built.xy)
    )
    table = tmp_path / "mask.csv"
    table.write_text("x,y,forest\n" + "".join(f"{x},{y},{x / 100}\n" for x, y in built.xy))
    for path in (text, table):
        mask = read_mask(path)
        assert len(mask) == len(built) and mask.spacing == pytest.approx(built.spacing)
        assert mask.covariates["forest"] == pytest.approx(built.xy[:, 0] / 100)
        assert mask.buffer is None  # not built around the detectors: no buffer check
    bad = tmp_path / "bad.txt"
    bad.write_text("x y forest\n1 2 3\n4 5 dense\n")
    with pytest.raises(InputFileError, match=r"bad.txt, line 3, column forest: expected a number"):
        read_mask(bad)
    bad.write_text("1 2 3\n4 5 6\n")
    with pytest.raises(InputFileError, match="no header line naming them"):
        read_mask(bad)


def test_regions_clip_the_mask_from_csv_geojson_and_shapefiles(
    tmp_path: Path, captdata: CaptureHistory
) -> None:
    full = habitat_mask(captdata.traps, buffer=100)
    csv_file = tmp_path / "region.csv"
    csv_file.write_text("x,y\n" + "".join(f"{x},{y}\n" for x, y in SQUARE))
    geojson = tmp_path / "region.geojson"
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
    }
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    with shapefile.Writer(str(tmp_path / "region")) as w:
        w.field("name", "C")
        w.poly([SQUARE])  # clockwise: an outer ring
        w.record("habitat")
    sizes = {
        f: len(habitat_mask(captdata.traps, buffer=100, region=tmp_path / f))
        for f in ("region.csv", "region.geojson", "region.shp")
    }
    assert len(set(sizes.values())) == 1 and 0 < sizes["region.csv"] < len(full)
    clipped = habitat_mask(captdata.traps, buffer=100, region=csv_file)
    assert clipped.xy.min() >= 300 and clipped.xy.max() <= 700 and clipped.buffer is None


def test_region_errors_name_the_file_and_the_problem(
    tmp_path: Path, captdata: CaptureHistory
) -> None:
    open_ring = tmp_path / "open.csv"
    open_ring.write_text("x,y\n" + "".join(f"{x},{y}\n" for x, y in SQUARE[:-1]))
    with pytest.raises(InputFileError, match=r"open.csv: the polygon is not closed"):
        read_region(open_ring)
    points = tmp_path / "points.geojson"
    points.write_text(json.dumps({"type": "Point", "coordinates": [400, 400]}))
    with pytest.raises(InputFileError, match=r"points.geojson: no polygon in it \(found Point\)"):
        read_region(points)
    degrees = tmp_path / "degrees.geojson"
    ring = [[-55.1, -20.1], [-55.1, -20.0], [-55.0, -20.0], [-55.0, -20.1], [-55.1, -20.1]]
    degrees.write_text(json.dumps({"type": "Polygon", "coordinates": [ring]}))
    with pytest.raises(InputFileError, match="looks like longitude and latitude: reproject"):
        habitat_mask(captdata.traps, buffer=100, region=degrees)


def test_covariates_from_a_raster(tmp_path: Path, captdata: CaptureHistory) -> None:
    forest = _raster(tmp_path / "forest.tif")
    mask = habitat_mask(captdata.traps, buffer=100, covariates=[str(forest)])
    centre = np.floor((mask.xy[:, 0] - 200) / 10) * 10 + 205
    assert mask.covariates["forest"] == pytest.approx(centre / 100)
    assert {"x", "y", "forest"} == set(mask.covariates)
    named = habitat_mask(captdata.traps, buffer=100, covariates=[f"cover={forest}"])
    assert "cover" in named.covariates
    small = _raster(tmp_path / "small.tif", left=400.0, top=600.0, size=10)
    with pytest.raises(InputFileError, match=r"small.tif: \d+ of 3936 mask points fall outside"):
        habitat_mask(captdata.traps, buffer=100, covariates=[str(small)])


def test_density_cli_with_a_region_and_a_raster(
    tmp_path: Path, captdata_files: tuple[Path, Path]
) -> None:
    trap, capt = captdata_files
    region = tmp_path / "region.csv"
    region.write_text("x,y\n" + "".join(f"{x},{y}\n" for x, y in SQUARE))
    forest = _raster(tmp_path / "forest.tif")
    args = ["density", "--traps", str(trap), "--captures", str(capt), "--detector", "single"]
    args += ["--buffer", "100", "--region", str(region), "--mask-covariates", str(forest)]
    result = runner.invoke(app, [*args, "-m", "D~forest", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload["coefficients"]) == {"D", "D.forest", "g0", "sigma"}
    assert payload["buffer_bias"] is None and 0 < payload["mask"]["points"] < 3936
    bad = runner.invoke(app, [*args[:-4], "--region", str(tmp_path / "none.geojson")])
    assert bad.exit_code == 2 and "none.geojson: no such file" in bad.output


def test_occupancy_cli_says_at_a_boundary_and_gives_an_open_profile_interval(
    tmp_path: Path,
) -> None:
    history = tmp_path / "history.csv"
    rows = ["1,1,1", "1,1,1", "0,0,0"] * 4  # seen every time where seen: p -> 1
    history.write_text("site_id,o1,o2,o3\n" + "".join(f"s{i},{r}\n" for i, r in enumerate(rows)))
    result = runner.invoke(app, ["occupancy", str(history), "--ci", "profile", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    p = payload["coefficients"]["p"]
    assert p["se"] is None and "at a boundary (p -> +infinity" in p["note"]
    assert payload["estimates"]["p"]["lcl"] is None
    assert any("no SE or Wald interval for p" in w for w in payload["warnings"])
    interval = payload["profile"]["estimates"]["p"]
    assert interval["upper_open"] and interval["ucl"] == 1.0 and 0.5 < interval["lcl"] < 0.99
    psi = payload["profile"]["estimates"]["psi"]
    assert psi["lcl"] < payload["estimates"]["psi"]["estimate"] < psi["ucl"]
    text = runner.invoke(app, ["occupancy", str(history), "--bootstrap", "5", "--seed", "1"])
    assert text.exit_code == 0 and "parametric bootstrap, 5 replicates" in text.output
    wrong = runner.invoke(app, ["occupancy", str(history), "--ci", "exact"])
    assert wrong.exit_code == 2 and "--ci: expected one of wald, profile" in wrong.output
