"""The command line as a user drives it: exit codes, --json output, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from onca.cli import app
from tests.conftest import HEADER_TX, write

runner = CliRunner()


def test_help_teaches_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "synth", "ingest", "quarantine", "export"):
        assert command in result.output
    ingest_help = runner.invoke(app, ["ingest", "--help"]).output
    assert "quarantine" in ingest_help and "rows = loaded + quarantined" in ingest_help


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("onca ")


def test_ingest_json_counts(tmp_path: Path, files: dict[str, Path]) -> None:
    ws = tmp_path / "cli.duckdb"
    for kind in ("parties", "accounts"):
        assert runner.invoke(app, ["ingest", str(ws), kind, str(files[kind])]).exit_code == 0
    bad = write(
        tmp_path / "tx.csv",
        HEADER_TX + "T1,2024-01-01T00:00:00Z,5,USD,A1,A2,wire,\nT2,nope,5,USD,A1,A2,wire,\n",
    )
    result = runner.invoke(app, ["ingest", str(ws), "transactions", str(bad), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert (payload["rows"], payload["loaded"], payload["quarantined"]) == (2, 1, 1)
    assert isinstance(payload["loaded"], int) and isinstance(payload["quarantined"], int)

    listing = runner.invoke(app, ["quarantine", str(ws), "--json"])
    assert listing.exit_code == 0
    [row] = json.loads(listing.stdout)
    assert row["line"] == 3 and row["original"]["txn_id"] == "T2" and "ts: 'nope'" in row["reason"]


def test_ingest_human_output_shows_the_sum(tmp_path: Path, files: dict[str, Path]) -> None:
    ws = tmp_path / "cli.duckdb"
    result = runner.invoke(app, ["ingest", str(ws), "parties", str(files["parties"])])
    assert result.exit_code == 0
    assert "3 rows = 3 loaded + 0 quarantined" in result.output


def test_bad_input_exits_2_with_a_message(tmp_path: Path) -> None:
    ws = tmp_path / "cli.duckdb"
    missing = runner.invoke(app, ["ingest", str(ws), "parties", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2 and "no such file" in missing.output
    kind = runner.invoke(app, ["ingest", str(ws), "payments", str(tmp_path / "nope.csv")])
    assert kind.exit_code == 2 and "unknown table kind 'payments'" in kind.output


def test_hostile_files_exit_2_naming_the_column_or_line(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    ws = tmp_path / "cli.duckdb"
    nested = tmp_path / "nested.parquet"
    name = pa.array([{"given": "Ana"}], pa.struct([("given", pa.string())]))
    pq.write_table(pa.table({"party_id": ["P1"], "kind": ["person"], "name": name}), nested)
    result = runner.invoke(app, ["ingest", str(ws), "parties", str(nested)])
    assert result.exit_code == 2, result.output  # a traceback would exit 1
    assert "column(s) 'name' (struct<given: string>) hold nested values" in result.output

    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8") as f:
        f.write("party_id,kind,name\nP1,person," + "x" * (64 << 20) + "\n")
    result = runner.invoke(app, ["ingest", str(ws), "parties", str(big)])
    assert result.exit_code == 2 and "line 2 (data row 1) is longer than 32 MiB" in result.output

    utf16 = write(
        tmp_path / "u.csv", "\ufeffparty_id,kind,name\nP1,person,José Muñoz\n", "utf-16-le"
    )
    result = runner.invoke(app, ["ingest", str(ws), "parties", str(utf16), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["files"][0]["encoding"] == "utf-16"


def test_quarantine_of_a_missing_workspace(tmp_path: Path) -> None:
    result = runner.invoke(app, ["quarantine", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2 and "no workspace at" in result.output


def test_synth_and_export(tmp_path: Path) -> None:
    world = tmp_path / "world"
    result = runner.invoke(app, ["synth", "--out", str(world), "--transactions", "2000", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"]["transactions"] == 2000
    bad = runner.invoke(app, ["synth", "--out", str(world), "--transactions", "10"])
    assert bad.exit_code == 2 and "10" in bad.output  # Typer refuses below the minimum

    ws = tmp_path / "w.duckdb"
    for kind in ("parties", "accounts", "transactions"):
        assert (
            runner.invoke(app, ["ingest", str(ws), kind, str(world / f"{kind}.csv")]).exit_code == 0
        )
    ftm = tmp_path / "out.ftm.json"
    exported = runner.invoke(app, ["export", "ftm", str(ws), "--out", str(ftm), "--json"])
    assert exported.exit_code == 0, exported.output
    counts = json.loads(exported.stdout)["entities"]
    assert counts["Payment"] == 2000 and len(ftm.read_text(encoding="utf-8").splitlines()) == sum(
        counts.values()
    )
