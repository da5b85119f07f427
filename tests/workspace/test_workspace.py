from __future__ import annotations

from pathlib import Path

import pytest

import onca.workspace
from onca.contract import load_contract
from onca.errors import WorkspaceError
from onca.workspace import SCHEMA_VERSION, connect, migrate


def test_open_creates_and_records_version(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    with onca.workspace.open(path) as ws:
        assert ws.schema_version == SCHEMA_VERSION
        assert ws.counts() == dict.fromkeys([*load_contract().load_order(), "quarantine"], 0)
    with onca.workspace.open(path) as ws:  # reopening changes nothing
        assert ws.schema_version == SCHEMA_VERSION


def test_older_workspace_is_migrated_forward_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = connect(path)
    assert migrate(con, load_contract(), upto=1) == 1
    con.execute("INSERT INTO parties (party_id, kind, name) VALUES ('P1', 'person', 'Ana')")
    cols = {r[0] for r in con.execute("DESCRIBE parties").fetchall()}
    assert "_ingest_id" not in cols
    con.close()

    with onca.workspace.open(path) as ws:
        assert ws.schema_version == SCHEMA_VERSION == 7
        assert ws.count("alerts") == 0 and ws.count("party_scores") == 0
        assert ws.con.execute("SELECT name FROM parties").fetchall() == [("Ana",)]
        cols = {r[0] for r in ws.con.execute("DESCRIBE parties").fetchall()}
        assert "_ingest_id" in cols
        assert ws.count("ingest_log") == 0


def test_columns_added_to_the_contract_are_added_to_old_workspaces(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with onca.workspace.open(path) as ws:
        ws.con.execute("ALTER TABLE accounts DROP COLUMN kind")
    with onca.workspace.open(path) as ws:
        cols = {r[0] for r in ws.con.execute("DESCRIBE accounts").fetchall()}
        assert "kind" in cols


def test_newer_workspace_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.duckdb"
    with onca.workspace.open(path) as ws:
        ws.con.execute("UPDATE _onca_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(WorkspaceError, match="newer than this Onca supports"):
        onca.workspace.open(path)


def test_missing_workspace_without_create(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="no workspace at"):
        onca.workspace.open(tmp_path / "absent.duckdb", create=False)


def test_directory_is_not_a_workspace(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="is a directory"):
        onca.workspace.open(tmp_path)


def test_not_a_duckdb_file(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.duckdb"
    bogus.write_text("this is not a database\n" * 100)
    with pytest.raises(WorkspaceError, match="cannot open workspace"):
        onca.workspace.open(bogus)


def test_counts_after_ingest(loaded_ws: Path) -> None:
    with onca.workspace.open(loaded_ws) as ws:
        counts = ws.counts()
    assert counts["parties"] == 3 and counts["transactions"] == 3 and counts["quarantine"] == 0


def test_a_workspace_from_before_the_cites_tables_asks_to_be_migrated(tmp_path: Path) -> None:
    path = tmp_path / "v6.duckdb"
    con = connect(path)
    assert migrate(con, load_contract(), upto=6) == 6
    con.execute("DROP TABLE cites_comptab")  # as a version 6 workspace was made
    con.execute("DROP TABLE cites_shipments")
    con.close()
    with pytest.raises(WorkspaceError, match="needs migrating; open it once without read_only"):
        onca.workspace.open(path, create=False, read_only=True)
    with onca.workspace.open(path) as ws:
        assert ws.schema_version == 7
        assert ws.counts()["cites_comptab"] == 0 and ws.counts()["cites_shipments"] == 0
