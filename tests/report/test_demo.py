"""`onca demo` end to end, on the report tests' shared demo run (5,000 transactions, seed 7):
what it writes, that running it again loads nothing twice, what its command prints, and the
report written again from what it left behind."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import onca.demo
from onca.cli import app
from onca.demo import SUMMARY_KEYS
from onca.ingest import ingest_folder
from tests.report.conftest import DemoRun

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo")]
runner = CliRunner()


def test_the_demo_writes_its_workspace_and_report(demo_run: DemoRun) -> None:
    summary = demo_run.result.to_dict()
    assert set(summary) == set(SUMMARY_KEYS) and summary["jaguar_density_truth"] == 3.0
    assert Path(summary["report"]) == demo_run.out / "report.html"
    assert (demo_run.out / "report.html").stat().st_size > 10_000
    assert summary["tables"]["transactions"] == {"loaded": 5000, "quarantined": 0}
    assert all(t["quarantined"] == 0 for t in summary["tables"].values())


def test_running_it_again_loads_nothing_twice(demo_run: DemoRun, tmp_path: Path) -> None:
    # on a copy: the other xdist workers read the shared workspace, and DuckDB refuses to
    # open a file that another process holds open for writing
    workspace = tmp_path / "onca.duckdb"
    shutil.copyfile(demo_run.result.workspace, workspace)
    again = ingest_folder(workspace, demo_run.out / "data")
    assert again.rows > 0 and all(r.inserted == 0 for r in again.results)


def test_the_command_prints_the_runs_summary(
    demo_run: DemoRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(onca.demo, "run", lambda *args, **kwargs: demo_run.result)
    result = runner.invoke(app, ["demo", "--out", str(demo_run.out), "--json"])
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.stdout)) == {*SUMMARY_KEYS, "seconds"}
    human = runner.invoke(app, ["demo", "--out", str(demo_run.out)])
    assert human.exit_code == 0 and "Open the report in a browser" in human.stdout


def test_the_report_is_written_again_with_the_scenarios_sections(
    demo_run: DemoRun, tmp_path: Path
) -> None:
    target = tmp_path / "again.html"
    scenario = ["--scenario", str(demo_run.out / "data"), "--out", str(target)]
    rendered = runner.invoke(app, ["report", str(demo_run.result.workspace), *scenario, "--json"])
    assert rendered.exit_code == 0, rendered.output
    html = target.read_text(encoding="utf-8")
    for title in (
        "Red-flag screening",
        "Screening against the scenario&#39;s ground truth",
        "Entity resolution",
        "Jaguar density from camera traps",
        "Where the ocelot could live: distribution",
        "Is the ocelot losing ground? Occupancy over five seasons",
        "Legal trade: laundering in CITES records",
    ):
        assert title in html, title
