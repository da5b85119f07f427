"""``onca report``: the report of a workspace that exists, from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from onca.cli import app

runner = CliRunner()


def test_help_teaches() -> None:
    result = runner.invoke(app, ["report", "--help"])
    assert result.exit_code == 0
    for words in ("--out", "--scenario", "onca report onca-demo/onca.duckdb", "only reads"):
        assert words in result.output
    assert "report" in runner.invoke(app, ["--help"]).output


def test_writes_the_report_beside_the_workspace(loaded_ws: Path) -> None:
    result = runner.invoke(app, ["report", str(loaded_ws), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    path = Path(payload["report"])
    assert path == loaded_ws.parent / "report.html"
    html = path.read_text(encoding="utf-8")
    assert "Every ingested file adds up" in html
    assert "Red-flag screening" not in html  # not screened: no screening section


def test_out_names_the_file_and_title_is_used(loaded_ws: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "mine.html"
    result = runner.invoke(app, ["report", str(loaded_ws), "--out", str(target), "--title", "T1"])
    assert result.exit_code == 0, result.output
    assert "<title>T1</title>" in target.read_text(encoding="utf-8")
    assert str(target) in result.output


def test_a_missing_workspace_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2 and "no workspace at" in result.output
    assert not (tmp_path / "none.duckdb").exists()


def test_a_scenario_without_its_truth_leaves_those_sections_out(
    loaded_ws: Path, tmp_path: Path
) -> None:
    scenario = tmp_path / "survey-only"
    (scenario / "camtrap").mkdir(parents=True)
    (scenario / "truth").mkdir()
    (scenario / "truth" / "roles.csv").write_text("person_key,network_id,role\n", encoding="utf-8")
    out = tmp_path / "r.html"
    result = runner.invoke(
        app, ["report", str(loaded_ws), "--scenario", str(scenario), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Every ingested file adds up" in html and "density" not in html.lower()
