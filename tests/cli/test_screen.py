"""``onca screen`` as a user drives it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import onca.workspace
from onca.cli import app
from onca.ingest import ingest_files
from tests.conftest import ACCOUNTS_CSV, HEADER_TX, PARTIES_CSV, write

runner = CliRunner()

DEPOSITS = (
    HEADER_TX
    + """T1,2024-03-01T10:00:00Z,9400.00,USD,,A3,cash,
T2,2024-03-03T10:00:00Z,9600.00,USD,,A3,cash,
T3,2024-03-06T10:00:00Z,9900.00,USD,,A3,cash,
T4,2024-05-01T10:00:00Z,120.00,BOB,A1,A2,wire,pago
"""
)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    path = tmp_path / "ws.duckdb"
    for kind, text in (
        ("parties", PARTIES_CSV),
        ("accounts", ACCOUNTS_CSV),
        ("transactions", DEPOSITS),
    ):
        ingest_files(path, kind, [write(tmp_path / f"{kind}.csv", text)])
    return path


def test_list_typologies_as_json() -> None:
    result = runner.invoke(app, ["screen", "--list-typologies", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert len(listed) >= 20
    assert all({"id", "title", "source", "parameters"} <= set(t) for t in listed)
    assert "structuring" in {t["id"] for t in listed}


def test_screen_json_counts_and_stores_alerts(ws: Path) -> None:
    result = runner.invoke(app, ["screen", str(ws), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["alerts"] == sum(payload["by_typology"].values()) >= 1
    assert payload["by_typology"]["structuring"] == 1
    (top,) = [a for a in payload["top"] if a["typology"] == "structuring"]
    assert top["evidence"].startswith("3 cash deposits of 9,400, 9,600 and 9,900 USD")
    with onca.workspace.open(ws) as w:
        assert w.count("alerts") == payload["alerts"]
        assert w.con.execute("SELECT party_id FROM party_scores WHERE party_id = 'P3'").fetchall()


def test_since_until_and_param_change_the_result(ws: Path) -> None:
    args = ["screen", str(ws), "-t", "structuring", "--json"]
    late = runner.invoke(app, [*args, "--since", "2024-03-02"])
    assert json.loads(late.stdout)["by_typology"] == {"structuring": 0}
    loose = runner.invoke(app, [*args, "--since", "2024-03-02", "-p", "structuring.min_deposits=2"])
    assert json.loads(loose.stdout)["by_typology"] == {"structuring": 1}
    early = runner.invoke(app, [*args, "--until", "2024-03-04"])
    assert json.loads(early.stdout)["by_typology"] == {"structuring": 0}


def test_a_run_over_a_period_keeps_the_alerts_of_other_periods(ws: Path) -> None:
    def stored() -> int:
        with onca.workspace.open(ws) as w:
            return w.db.scalar("SELECT count(*) FROM alerts WHERE typology_id = 'structuring'")

    args = ["screen", str(ws), "-t", "structuring", "--json"]
    assert runner.invoke(app, args).exit_code == 0
    assert stored() == 1  # the three deposits of early March 2024
    later = runner.invoke(app, [*args, "--since", "2024-06-01"])
    assert json.loads(later.stdout)["by_typology"] == {"structuring": 0}
    assert stored() == 1  # March is outside the period screened: its alert stays
    overlapping = runner.invoke(app, [*args, "--since", "2024-03-02"])
    assert json.loads(overlapping.stdout)["by_typology"] == {"structuring": 0}
    assert stored() == 0  # the period screened covers the alert's window: replaced


def test_human_output_prints_sentences(ws: Path) -> None:
    result = runner.invoke(app, ["screen", str(ws), "-t", "structuring"])
    assert result.exit_code == 0
    assert "each below the 10,000 USD threshold" in result.output
    assert "stored in" in result.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-t", "nope"], "unknown nope"),
        (["-p", "structuring.band=2"], "must be <= 0.999"),
        (["-p", "structuring"], "TYPOLOGY.PARAMETER=VALUE"),
        (["-p", "structuring.colour=red"], "no parameter 'colour'"),
        (["--since", "yesterday"], "--since"),
        (["--since", "2024-05-01", "--until", "2024-01-01"], "must be before"),
        (["--engine", "oracle"], "'oracle'"),
    ],
)
def test_bad_options_name_the_option(ws: Path, args: list[str], expected: str) -> None:
    result = runner.invoke(app, ["screen", str(ws), *args])
    assert result.exit_code == 2
    assert expected in result.output


def test_broken_user_typology_names_the_file(tmp_path: Path, ws: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "oops.yaml").write_text("id: oops\ntitle: [unclosed\n", encoding="utf-8")
    result = runner.invoke(app, ["screen", str(ws), "--typologies-dir", str(folder)])
    assert result.exit_code == 2
    assert "oops.yaml" in result.output and "not valid YAML" in result.output


def test_missing_workspace_is_explained(tmp_path: Path) -> None:
    result = runner.invoke(app, ["screen", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2 and "no workspace at" in result.output
    bare = runner.invoke(app, ["screen"])
    assert bare.exit_code == 2 and "WORKSPACE" in bare.output
