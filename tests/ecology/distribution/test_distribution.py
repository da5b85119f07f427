"""MaxEnt distribution models: the synthetic truth is recovered, layers that do not line up
are refused by file, and ``onca distribution`` writes its map."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from scipy.stats import spearmanr
from typer.testing import CliRunner

from onca.cli import app
from onca.ecology.distribution import MaxEnt, project, read_occurrences, read_rasters
from onca.errors import InputFileError, ParameterError
from onca.synth._distribution import true_suitability, write_distribution_data

runner = CliRunner()


@pytest.fixture(scope="module")
def layers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    write_distribution_data(out, seed=3, records=300)
    return out / "distribution"


def test_maxent_recovers_the_true_suitability(layers: Path) -> None:
    stack = read_rasters([layers / "elevation.tif", layers / "forest.tif"])
    assert stack.crs == "EPSG:32721" and stack.shape == (100, 120)
    assert (~stack.valid).sum() >= 5  # the no-data pixels
    lon, lat, species = read_occurrences(layers / "occurrences.csv")
    assert species == "Leopardus pardalis" and lon.size == 300
    x, y = project(lon, lat, stack.crs)
    fit = MaxEnt(background=3000, folds=3, seed=1).fit(stack, x, y)
    truth = true_suitability(stack.layers["elevation"], stack.layers["forest"])
    ok = np.isfinite(fit.suitability_) & np.isfinite(truth)
    assert spearmanr(fit.suitability_[ok], truth[ok]).statistic > 0.9
    assert len(fit.cv_auc_) == 3 and 0.6 < fit.cv_auc_mean_ < 0.95
    assert np.isnan(fit.suitability_[~stack.valid]).all()
    assert fit.n_presences_ + fit.dropped_["duplicates in one pixel"] == 300


def _tif(
    path: Path, crs: str, origin: tuple[float, float], shape: tuple[int, int] = (100, 120)
) -> Path:
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=shape[0],
        width=shape[1],
        count=1,
        dtype="float32",
        crs=crs,
        transform=from_origin(*origin, 1000, 1000),
    ) as dst:
        dst.write(np.ones(shape, dtype="float32"), 1)
    return path


def test_layers_that_do_not_line_up_are_named(layers: Path, tmp_path: Path) -> None:
    other_crs = _tif(tmp_path / "utm20.tif", "EPSG:32720", (360_000, 8_100_000))
    with pytest.raises(
        InputFileError, match=r"utm20.tif: its CRS \(EPSG:32720\) differs from elevation.tif's"
    ):
        read_rasters([layers / "elevation.tif", other_crs])
    shifted = _tif(tmp_path / "shifted.tif", "EPSG:32721", (361_000, 8_100_000))
    with pytest.raises(InputFileError, match=r"shifted\.tif: its grid"):
        read_rasters([layers / "elevation.tif", shifted])
    (tmp_path / "junk.tif").write_text("not a raster")
    with pytest.raises(InputFileError, match=r"junk\.tif: cannot read it as a raster"):
        read_rasters([tmp_path / "junk.tif"])


def test_occurrence_errors(layers: Path, tmp_path: Path) -> None:
    with pytest.raises(
        ParameterError, match=r"species 'Puma concolor': no records .* Leopardus pardalis \(300\)"
    ):
        read_occurrences(layers / "occurrences.csv", "Puma concolor")
    (tmp_path / "bad.csv").write_text("species,lat,lon\nX,1,2\n")
    with pytest.raises(
        InputFileError, match="expected columns species, decimalLatitude, decimalLongitude"
    ):
        read_occurrences(tmp_path / "bad.csv")
    stack = read_rasters([layers / "forest.tif"])
    far = project(np.array([-40.0] * 20), np.array([-10.0] * 20), stack.crs)
    with pytest.raises(ParameterError, match="0 presence pixel"):
        MaxEnt().fit(stack, *far)


def test_cli(layers: Path, tmp_path: Path) -> None:
    args = [
        "distribution",
        str(layers / "occurrences.csv"),
        "-r",
        str(layers / "elevation.tif"),
        "-r",
        str(layers / "forest.tif"),
        "--background",
        "2000",
        "--folds",
        "3",
        "--out-map",
        str(tmp_path / "map.png"),
        "--out-tif",
        str(tmp_path / "s.tif"),
        "--json",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["species"] == "Leopardus pardalis" and len(data["cv_auc"]) == 3
    assert (tmp_path / "map.png").read_bytes()[:4] == b"\x89PNG"
    with rasterio.open(tmp_path / "s.tif") as src:
        assert src.crs.to_string() == "EPSG:32721" and src.shape == (100, 120)
    text = runner.invoke(app, args[:-1])
    assert text.exit_code == 0 and "spatially blocked cross-validation AUC" in text.stdout


def test_maxent_is_an_estimator(layers: Path) -> None:
    stack = read_rasters([layers / "elevation.tif", layers / "forest.tif"])
    x, y = project(*read_occurrences(layers / "occurrences.csv")[:2], stack.crs)
    model = MaxEnt(background=1000, folds=2, seed=2)
    assert model.fit(stack, x, y) is model
    assert model.layers_ == ("elevation", "forest") and model.n_background_ == 1000
    assert np.array_equal(model.predict(stack), model.suitability_, equal_nan=True)
    at = np.column_stack([stack.layers["elevation"][50, :10], stack.layers["forest"][50, :10]])
    assert model.predict(at) == pytest.approx(model.suitability_[50, :10], rel=1e-12)
    assert model.to_dict()["background"] == 1000 and model.fit_seconds_ > 0
    with pytest.raises(ParameterError, match=r"X: expected \(points, 2 layers\), got \(10, 1\)"):
        model.predict(at[:, :1])
    forest_only = read_rasters([layers / "forest.tif"])
    with pytest.raises(ParameterError, match="layers: expected elevation, forest"):
        model.predict(forest_only)
