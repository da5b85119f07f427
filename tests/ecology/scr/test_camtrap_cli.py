"""Camtrap DP to density, end to end; ``onca density``; the report section and the pictures."""

from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from onca.cli import app
from onca.ecology._camtrap import read_camtrap_dp, utm_crs
from onca.ecology.scr import SCR, CaptureHistory, compare_models
from onca.ecology.scr._camtrap import camtrap_capthist, read_camtrap_capthist
from onca.ecology.scr._report import density_section
from onca.errors import InputFileError, OncaWarning, ParameterError
from onca.synth._camtrap import write_camtrap_survey

runner = CliRunner()


@pytest.fixture(scope="module")
def survey_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("camtrap")
    truth = write_camtrap_survey(out, seed=7)
    return out / "camtrap", json.loads((out / "truth" / "camtrap_truth.json").read_text()) | {
        "detected": truth.detected
    }


def test_camtrap_dp_becomes_a_capture_history(survey_dir: tuple[Path, dict]) -> None:
    folder, truth = survey_dir
    with pytest.warns(OncaWarning, match="have no individualID"):
        ch, survey = read_camtrap_capthist(folder, "jaguar")  # a vernacular name
    assert survey.species == "Panthera onca" and survey.crs == "EPSG:32721"
    assert (len(survey.stations), survey.occasions) == (40, 90)
    assert ch.traps.detector == "proximity" and ch.counts.max() == 1
    spacing = np.linalg.norm(survey.xy[1] - survey.xy[0])
    assert spacing == pytest.approx(2500, abs=0.5)  # projected back to metres
    effort = survey.effort
    assert effort.max() == pytest.approx(1.0)
    # PJ18 stolen on night 41 at 10:00, replaced on night 47 at 15:00
    assert effort[17, 40] == pytest.approx(10 / 24) and effort[17, 41:46].sum() == 0
    assert effort[17, 46] == pytest.approx(9 / 24) and effort[17, 47] == pytest.approx(1.0)
    assert ch.n <= truth["detected"] and ch.n >= truth["detected"] - 2
    assert set(ch.covariates["sex"]) <= {"female", "male", "unknown"}
    assert survey.skipped["no individualID"] > 0


def test_density_is_close_to_the_truth(survey_dir: tuple[Path, dict]) -> None:
    folder, truth = survey_dir
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OncaWarning)
        ch, _ = read_camtrap_capthist(folder, "Panthera onca")
        model = SCR(detectfn="HHN", buffer=11000, nx=40).fit(ch)
    d = model.estimates_["D"]
    true = truth["density_per_ha"]
    assert d.lcl < true < d.ucl
    assert d.estimate == pytest.approx(true, rel=0.35)
    assert model.estimates_["sigma"].estimate == pytest.approx(2200, rel=0.25)


def test_camtrap_bad_input(survey_dir: tuple[Path, dict], tmp_path: Path) -> None:
    folder, _ = survey_dir
    with pytest.raises(
        ParameterError, match=r"species 'puma': no observations .* Panthera onca \("
    ):
        read_camtrap_dp(folder, "puma")
    with pytest.raises(ParameterError, match="individualID"):
        camtrap_capthist(read_camtrap_dp(folder, "ocelot"))
    with pytest.raises(InputFileError, match="not a folder"):
        read_camtrap_dp(tmp_path / "nowhere", "jaguar")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "deployments.csv").write_text("deploymentID,latitude\nD1,-17\n")
    with pytest.raises(InputFileError, match=r"missing column.*longitude"):
        read_camtrap_dp(broken, "jaguar")
    late = tmp_path / "late"
    late.mkdir()
    for name in ("deployments.csv", "datapackage.json"):
        (late / name).write_bytes((folder / name).read_bytes())
    rows = list(csv.DictReader((folder / "observations.csv").open()))
    jaguar = next(r for r in rows if r["scientificName"] == "Panthera onca" and r["individualID"])
    jaguar["eventStart"] = "2024-12-25T03:00:00+00:00"  # after every deployment ended
    with (late / "observations.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with pytest.warns(
        OncaWarning, match=rf"line \d+: observation {jaguar['observationID']} .* outside"
    ):
        survey = read_camtrap_dp(late, "jaguar")
    assert survey.skipped["outside the survey's occasions"] == 1
    assert utm_crs(-57.5, -17.8) == "EPSG:32721" and utm_crs(-75.0, 4.6) == "EPSG:32618"


def test_cli_secr_files(captdata_files: tuple[Path, Path], tmp_path: Path) -> None:
    t, c = captdata_files
    base = [
        "density",
        "--traps",
        str(t),
        "--captures",
        str(c),
        "--detector",
        "single",
        "--buffer",
        "100",
    ]
    result = runner.invoke(app, [*base, "--json", "--plots", str(tmp_path / "png")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data["estimates"]) == {"D", "g0", "sigma"}
    assert set(data["estimates"]["D"]) == {"estimate", "se", "lcl", "ucl"}
    assert data["estimates"]["D"]["estimate"] == pytest.approx(5.4798, rel=1e-3)
    assert data["loglik"] == pytest.approx(-759.0257, abs=1e-3)
    assert (data["n_animals"], data["n_detections"]) == (76, 235)
    assert data["aic"] == pytest.approx(1524.051, abs=1e-3)
    assert any("single-catch" in w for w in data["warnings"])
    assert sorted(p.name for p in (tmp_path / "png").iterdir()) == [
        "detection_function.png",
        "detections.png",
    ]
    fixed = runner.invoke(app, [*base, "--fixed", "D=5.4798,g0=0.2732,sigma=29.3658", "--json"])
    assert json.loads(fixed.stdout)["loglik"] == pytest.approx(-759.02575, abs=1e-4)
    compare = runner.invoke(app, [*base, "--compare"])
    assert compare.exit_code == 0 and "model comparison" in compare.stdout
    b = json.loads(runner.invoke(app, [*base, "-m", "g0~b", "--json"]).stdout)
    assert b["loglik"] == pytest.approx(-759.0164, abs=1e-3) and "g0.b" in b["coefficients"]


def test_cli_density_surface_model(captdata_files: tuple[Path, Path], tmp_path: Path) -> None:
    t, c = captdata_files
    result = runner.invoke(
        app,
        [
            "density",
            "--traps",
            str(t),
            "--captures",
            str(c),
            "--buffer",
            "100",
            "-m",
            "D~x",
            "--json",
            "--plots",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "D.x" in data["coefficients"]
    assert (tmp_path / "density_surface.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_camtrap(survey_dir: tuple[Path, dict]) -> None:
    folder, _ = survey_dir
    result = runner.invoke(
        app,
        [
            "density",
            "--camtrap-dp",
            str(folder),
            "--species",
            "jaguar",
            "--detectfn",
            "HHN",
            "--buffer",
            "11000",
            "--nx",
            "32",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data["estimates"]) == {"D", "lambda0", "sigma"}
    assert data["species"] == "Panthera onca" and data["skipped"]["no individualID"] > 0
    text = runner.invoke(
        app, ["density", "--camtrap-dp", str(folder), "--species", "jaguar", "--nx", "32"]
    )
    assert text.exit_code == 0 and "D /100 km²" in text.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give --traps and --captures"),
        (["--camtrap-dp", "x"], "needs --species"),
        (
            ["--traps", "{t}", "--captures", "{c}", "--detectfn", "XX"],
            "--detectfn: expected one of",
        ),
        (["--traps", "{t}", "--captures", "{c}", "--fixed", "D=5"], "give every parameter"),
        (["--traps", "{t}", "--captures", "{c}", "--fixed", "D5"], "expected NAME=VALUE"),
        (["--traps", "{t}", "--captures", "{c}", "-m", "g0 b"], "expected PARAMETER~FORMULA"),
    ],
)
def test_cli_errors(captdata_files: tuple[Path, Path], args: list[str], message: str) -> None:
    t, c = captdata_files
    argv = ["density", *(a.format(t=t, c=c) for a in args)]
    result = runner.invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_report_section(survey_dir: tuple[Path, dict]) -> None:
    folder, truth = survey_dir
    section = density_section(None, package=folder, truth=truth)
    summary = section.data
    assert section.title == "Jaguar density from camera traps"
    assert [r[0] for r in section.tables[0].rows] == ["HHN", "HN"]
    assert summary["lcl_per_100km2"] < summary["D_per_100km2"] < summary["ucl_per_100km2"]
    assert summary["true_per_100km2"] == 3.0
    assert "true density is 3 per 100 km²" in " ".join(section.paragraphs)
    assert all(f.png[:4] == b"\x89PNG" for f in section.figures)


def test_synth_writes_the_survey(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["synth", "--out", str(tmp_path), "--transactions", "1000", "--camera-traps", "--json"]
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "camtrap").iterdir())
    assert names == [
        "datapackage.json",
        "deployments.csv",
        "media.csv",
        "observations.csv",
        "site_covariates.csv",
    ]
    truth = json.loads((tmp_path / "truth" / "camtrap_truth.json").read_text())
    assert truth["density_per_100km2"] == 3.0 and truth["population"] > truth["detected"] > 0


def test_compare_models_table(captdata: CaptureHistory) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OncaWarning)
        fits = {fn: SCR(detectfn=fn).fit(captdata) for fn in ("HN", "EX")}
    rows = compare_models(fits)
    assert [r["model"] for r in rows] == ["HN", "EX"]
    assert rows[0]["delta_aicc"] == 0 and sum(r["weight"] for r in rows) == pytest.approx(1.0)
    with pytest.raises(ParameterError, match="no models"):
        compare_models({})
