"""Ingest of a whole folder: files go to the table their name gives, in dependency order, in one
transaction; what names no table is listed, never silently dropped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import onca.workspace
from onca.cli import app
from onca.errors import InputFileError
from onca.ingest import ingest_folder, plan_folder
from tests.conftest import ACCOUNTS_CSV, HEADER_TX, PARTIES_CSV, TRANSACTIONS_CSV, write

runner = CliRunner()


def _folder(root: Path) -> Path:
    root.mkdir()
    # Named so that alphabetical order would load transactions before their accounts.
    write(root / "transactions-2024-01.csv", TRANSACTIONS_CSV)
    write(root / "transactions_2024-02.csv", HEADER_TX + "T9,2024-02-01,5.00,BOB,A1,A2,wire,x\n")
    write(root / "accounts.csv", ACCOUNTS_CSV)
    write(root / "parties.csv", PARTIES_CSV)
    write(root / "README.txt", "not data")
    write(root / "parties.md", "# notes about the parties")
    (root / "truth").mkdir()
    return root


def test_plan_orders_tables_by_their_references(tmp_path: Path) -> None:
    plan = plan_folder(_folder(tmp_path / "in"))
    assert [(t, [p.name for p in ps]) for t, ps in plan.tables] == [
        ("parties", ["parties.csv"]),
        ("accounts", ["accounts.csv"]),
        ("transactions", ["transactions-2024-01.csv", "transactions_2024-02.csv"]),
    ]
    assert plan.left_alone == ["README.txt", "parties.md", "truth/"]


def test_the_longest_table_name_wins(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    write(root / "cites_shipments.csv", "x\n")
    write(root / "shipments.csv", "x\n")
    plan = plan_folder(root)
    assert {t: [p.name for p in ps] for t, ps in plan.tables} == {
        "cites_shipments": ["cites_shipments.csv"],
        "shipments": ["shipments.csv"],
    }


def test_a_folder_loads_in_order_and_the_counts_add_up(tmp_path: Path) -> None:
    ws = tmp_path / "w.duckdb"
    result = ingest_folder(ws, _folder(tmp_path / "in"))
    assert [r.kind for r in result.results] == ["parties", "accounts", "transactions"]
    assert (result.rows, result.loaded, result.quarantined) == (10, 10, 0)
    assert result.rows == sum(r.rows for r in result.results)
    with onca.workspace.open(ws) as w:
        assert w.db.scalar("SELECT count(*) FROM transactions") == 4
        assert w.db.scalar("SELECT count(*) FROM quarantine") == 0


def test_a_broken_file_anywhere_leaves_the_workspace_unchanged(tmp_path: Path) -> None:
    root = _folder(tmp_path / "in")
    write(root / "transactions-2024-03.csv", "when,how_much\n2024-03-01,5\n")
    ws = tmp_path / "w.duckdb"
    with pytest.raises(InputFileError, match=r"transactions-2024-03\.csv: missing required"):
        ingest_folder(ws, root)
    with onca.workspace.open(ws) as w:
        assert w.db.scalar("SELECT count(*) FROM parties") == 0


def test_a_folder_without_table_files_is_explained(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputFileError, match="no file is named after a contract table"):
        plan_folder(tmp_path / "empty")


def test_names_that_look_meant_for_a_table_get_a_hint(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    write(root / "party.csv", PARTIES_CSV)
    write(root / "accounts.csv.gz", "not really gzip")
    write(root / "notes.csv", "x\n")
    with pytest.raises(InputFileError) as refused:
        plan_folder(root)
    said = str(refused.value)
    assert "party.csv (did you mean parties.csv?)" in said
    assert "accounts.csv.gz (a .gz file is not read: unpack it)" in said
    write(root / "parties.csv", PARTIES_CSV)
    assert "notes.csv" in plan_folder(root).left_alone


def test_cli_loads_a_folder_and_says_what_it_left_alone(tmp_path: Path) -> None:
    ws, root = tmp_path / "w.duckdb", _folder(tmp_path / "in")
    human = runner.invoke(app, ["ingest", str(ws), str(root)])
    assert human.exit_code == 0, human.output
    assert "10 rows in 3 tables = 10 loaded + 0 quarantined" in human.output
    assert "left alone" in human.output and "README.txt" in human.output
    again = runner.invoke(app, ["ingest", str(ws), str(root), "--json"])
    payload = json.loads(again.stdout)
    assert [t["kind"] for t in payload["tables"]] == ["parties", "accounts", "transactions"]
    assert sum(t["unchanged"] for t in payload["tables"]) == 10


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-folder"], "not a folder and not a table"),
        (["{root}", "--delimiter", ";"], "apply to the files of one table"),
    ],
)
def test_cli_folder_mistakes_are_explained(tmp_path: Path, args: list[str], message: str) -> None:
    root = _folder(tmp_path / "in")
    argv = ["ingest", str(tmp_path / "w.duckdb"), *(a.format(root=root) for a in args)]
    result = runner.invoke(app, argv)
    assert result.exit_code != 0
    assert message in " ".join(result.output.split())
