"""Every table of the generated world obeys the data contract, checked with DuckDB."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from onca.contract import Column, load_contract
from onca.synth import ScenarioSummary
from tests.synth.conftest import TABLES, rows, scalar

CONTRACT = load_contract()
TIMESTAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"
DATE = r"^\d{4}-\d{2}-\d{2}$"


def _decimal_pattern(col: Column) -> str:
    return rf"^-?\d+\.\d{{{col.scale}}}$"


def _columns(table: str) -> list[tuple[str, Column]]:
    return [(table, col) for col in CONTRACT.table(table).columns]


ALL_COLUMNS = [pair for table in TABLES for pair in _columns(table)]


@pytest.mark.parametrize("table", TABLES)
def test_header_is_the_contract_columns_in_order(world: ScenarioSummary, table: str) -> None:
    with (world.out_dir / f"{table}.csv").open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert header == CONTRACT.table(table).column_names


@pytest.mark.parametrize("table", TABLES)
def test_files_are_utf8_with_the_counted_rows(world: ScenarioSummary, table: str) -> None:
    path: Path = world.out_dir / f"{table}.csv"
    text = path.read_bytes().decode("utf-8")  # raises if not UTF-8
    assert "\r" not in text
    with path.open(encoding="utf-8", newline="") as f:
        records = list(csv.reader(f))
    width = len(CONTRACT.table(table).column_names)
    assert all(len(r) == width for r in records)
    assert len(records) - 1 == world.counts[table] > 0


@pytest.mark.parametrize(("table", "col"), ALL_COLUMNS, ids=lambda v: getattr(v, "name", v))
def test_every_value_has_its_contract_type(
    db: duckdb.DuckDBPyConnection, table: str, col: Column
) -> None:
    name = f'"{col.name}"'
    present = f"{name} IS NOT NULL"
    if col.required:
        assert scalar(db, f"SELECT count(*) FROM {table} WHERE {name} IS NULL") == 0
    bad = {
        "timestamp": f"NOT regexp_full_match({name}, '{TIMESTAMP}')",
        "date": f"(NOT regexp_full_match({name}, '{DATE}') OR TRY_CAST({name} AS DATE) IS NULL)",
        "decimal": f"NOT regexp_full_match({name}, '{_decimal_pattern(col)}')",
        "double": f"TRY_CAST({name} AS DOUBLE) IS NULL",
        "boolean": f"{name} NOT IN ('true', 'false')",
    }.get(col.type)
    if bad:
        assert scalar(db, f"SELECT count(*) FROM {table} WHERE {present} AND {bad}") == 0
    if col.codes:
        codes = CONTRACT.codes[col.codes].values
        values = {
            v
            for (text,) in rows(db, f"SELECT DISTINCT {name} FROM {table} WHERE {present}")
            for v in (text.split(";") if col.is_list else [text])
        }
        assert values <= set(codes), sorted(values - set(codes))[:5]
    if col.min is not None and col.type in ("decimal", "double"):
        op = "<=" if col.min_exclusive else "<"
        assert (
            scalar(db, f"SELECT count(*) FROM {table} WHERE CAST({name} AS DOUBLE) {op} {col.min}")
            == 0
        )
    if col.max is not None:
        assert (
            scalar(db, f"SELECT count(*) FROM {table} WHERE CAST({name} AS DOUBLE) > {col.max}")
            == 0
        )
    if col.pattern:
        bad_pattern = f"NOT regexp_full_match({name}, '{col.pattern}')"
        assert scalar(db, f"SELECT count(*) FROM {table} WHERE {present} AND {bad_pattern}") == 0


@pytest.mark.parametrize("table", TABLES)
def test_ids_are_unique(db: duckdb.DuckDBPyConnection, table: str) -> None:
    pk = CONTRACT.table(table).primary_key
    assert scalar(db, f"SELECT count(*) - count(DISTINCT {pk}) FROM {table}") == 0


FOREIGN_KEYS = [(table, col) for table in TABLES for col in CONTRACT.table(table).foreign_keys]


@pytest.mark.parametrize(("table", "col"), FOREIGN_KEYS, ids=lambda v: getattr(v, "name", v))
def test_every_foreign_key_resolves(db: duckdb.DuckDBPyConnection, table: str, col: Column) -> None:
    target, key = col.referenced_table, col.referenced_column
    if col.is_list:
        refs = f"SELECT unnest(string_split({col.name}, ';')) AS ref FROM {table}"
    else:
        refs = f"SELECT {col.name} AS ref FROM {table} WHERE {col.name} IS NOT NULL"
    dangling = scalar(
        db, f"SELECT count(*) FROM ({refs}) r WHERE ref NOT IN (SELECT {key} FROM {target})"
    )
    assert dangling == 0
    assert scalar(db, f"SELECT count(*) FROM ({refs})") > 0, "the reference is never used"


def test_transactions_name_an_account_and_move_money(db: duckdb.DuckDBPyConnection) -> None:
    assert (
        scalar(
            db,
            "SELECT count(*) FROM transactions WHERE from_account IS NULL AND to_account IS NULL",
        )
        == 0
    )
    assert scalar(db, "SELECT count(*) FROM transactions WHERE from_account = to_account") == 0
    assert scalar(db, "SELECT min(CAST(amount AS DECIMAL(18, 2))) FROM transactions") > 0
    cash = rows(
        db,
        "SELECT DISTINCT channel FROM transactions"
        " WHERE from_account IS NULL OR to_account IS NULL",
    )
    assert cash == [("cash",)]


def test_transactions_are_in_time_order(db: duckdb.DuckDBPyConnection) -> None:
    disorder = scalar(
        db,
        "SELECT count(*) FROM (SELECT ts, lag(ts) OVER (ORDER BY txn_id) AS prev"
        " FROM transactions) WHERE ts < prev",
    )
    assert disorder == 0


def test_permits_do_not_expire_before_issue(db: duckdb.DuckDBPyConnection) -> None:
    assert scalar(db, "SELECT count(*) FROM permits WHERE valid_until < issued_at") == 0


def test_amounts_use_the_account_currency(db: duckdb.DuckDBPyConnection) -> None:
    mismatched = scalar(
        db,
        "SELECT count(*) FROM transactions t JOIN accounts a"
        " ON a.account_id = coalesce(t.from_account, t.to_account) WHERE a.currency <> t.currency",
    )
    assert mismatched == 0
