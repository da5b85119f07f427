"""One test body, every engine: the adapters run the same SQL to the same rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

import onca.workspace
from onca.engines import ENGINES as ENGINES_BY_NAME
from onca.engines import (
    DuckDBEngine,
    Engine,
    check_engine,
    engine_class,
    open_engine,
    splink_backend,
)
from onca.errors import EngineError, ParameterError
from onca.finance._sqltemplate import make_environment
from onca.ingest import ingest_files
from tests.conftest import ACCOUNTS_CSV, PARTIES_CSV, TRANSACTIONS_CSV, write

ENGINES = [
    pytest.param("duckdb", id="duckdb"),
    pytest.param("spark", id="spark", marks=[pytest.mark.slow, pytest.mark.xdist_group("spark")]),
]


@pytest.fixture
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "ws.duckdb"
    for kind, text in (
        ("parties", PARTIES_CSV),
        ("accounts", ACCOUNTS_CSV),
        ("transactions", TRANSACTIONS_CSV),
    ):
        ingest_files(path, kind, [write(tmp_path / f"{kind}.csv", text)])
    with onca.workspace.open(path) as ws, open_engine(ws, request.param) as runner:
        yield runner


def render(sql: str) -> str:
    return make_environment({"USD": 1.0, "BOB": 6.96}).from_string(sql).render()


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_engines_agree_on_types_time_and_text(engine: Engine) -> None:
    rows = engine.query(
        render(
            """
            SELECT t.txn_id, t.ts, t.amount, {{ usd('t.amount', 't.currency') }} AS usd,
                   {{ hours_between('a.ts', 't.ts') }} AS hours,
                   t.ts + INTERVAL 48 HOUR AS later,
                   {{ fold("'ÁRBOL Onça'") }} AS folded,
                   regexp_matches({{ fold('t.narrative') }}, '\\bartesanias\\b') AS craft
            FROM transactions AS t JOIN transactions AS a ON a.txn_id = 'T1'
            ORDER BY t.txn_id
            """
        )
    )
    assert [r["txn_id"] for r in rows] == ["T1", "T2", "T3"]
    t2 = rows[1]
    assert t2["ts"] == dt.datetime(2024, 1, 2, 15, 0)  # -04:00 stored as UTC
    assert float(t2["amount"]) == 9500.0 and t2["usd"] == pytest.approx(9500.0)
    assert rows[0]["usd"] == pytest.approx(100.5 / 6.96)
    assert t2["hours"] == pytest.approx(29.0)
    assert t2["later"] == dt.datetime(2024, 1, 4, 15, 0)
    assert t2["folded"] == "arbol onca"
    assert [r["craft"] for r in rows] == [False, False, True]


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_scope_limits_transactions_and_lists_tables(engine: Engine) -> None:
    assert engine.row_count("transactions") == 3
    assert "amount" in engine.tables()["transactions"]
    engine.scope(dt.datetime(2024, 1, 2), None)
    assert engine.row_count("transactions") == 2
    engine.scope(dt.datetime(2024, 1, 2), dt.datetime(2024, 1, 2, 16))
    assert engine.row_count("transactions") == 1
    engine.scope(None, None)
    assert engine.row_count("transactions") == 3


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_failures_carry_the_sql(engine: Engine) -> None:
    with pytest.raises(EngineError) as caught:
        engine.query("SELECT no_such_column FROM transactions")
    assert "no_such_column" in str(caught.value) and caught.value.sql
    with pytest.raises(EngineError, match="table: transactions") as caught:
        engine.arrow("SELECT no_such_column FROM transactions", table="transactions")
    assert caught.value.table == "transactions"


def test_unknown_engine_is_named(tmp_path: Path) -> None:
    with onca.workspace.open(tmp_path / "w.duckdb") as ws, pytest.raises(ParameterError) as e:
        open_engine(ws, "oracle")
    assert "'oracle'" in str(e.value) and "duckdb, spark" in str(e.value)


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_every_way_of_reading_gives_the_same_rows(engine: Engine) -> None:
    sql = "SELECT txn_id, amount FROM transactions WHERE txn_id <> ? ORDER BY txn_id"
    as_dicts = engine.query(sql, ["T2"])
    assert [r["txn_id"] for r in as_dicts] == ["T1", "T3"]
    assert engine.fetch(sql, ["T2"]) == [(r["txn_id"], r["amount"]) for r in as_dicts]
    assert engine.arrow(sql, ["T2"]).column("txn_id").to_pylist() == ["T1", "T3"]
    assert engine.scalar("SELECT count(*) FROM transactions WHERE txn_id = ?", ["T1"]) == 1
    assert engine.scalar("SELECT txn_id FROM transactions WHERE FALSE") is None


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_a_registered_arrow_table_is_readable_only_inside_the_block(engine: Engine) -> None:
    table = pa.table({"txn_id": ["T1", "T3"], "flag": [True, False]})
    with engine.registered("_onca_test_flags", table) as name:
        rows = engine.fetch(
            f"SELECT t.txn_id, f.flag FROM transactions AS t JOIN {name} AS f USING (txn_id) "
            "ORDER BY t.txn_id"
        )
    assert rows == [("T1", True), ("T3", False)]
    with pytest.raises(EngineError):
        engine.query("SELECT * FROM _onca_test_flags")


def test_the_workspace_writer_rolls_back_a_failed_transaction(tmp_path: Path) -> None:
    with onca.workspace.open(tmp_path / "w.duckdb") as ws:
        db = ws.db
        assert db is ws.db  # one writer per workspace
        db.execute("CREATE TABLE t (x INTEGER)")
        with pytest.raises(EngineError), db.transaction():
            db.execute("INSERT INTO t VALUES (?)", [1])
            db.execute("INSERT INTO t VALUES ('not a number')")
        assert db.scalar("SELECT count(*) FROM t") == 0
        with db.transaction():
            db.execute("INSERT INTO t VALUES (?)", [2])
        assert db.fetch("SELECT x FROM t") == [(2,)]


def test_engines_are_named_by_one_registry_with_one_message() -> None:
    assert set(ENGINES_BY_NAME) == {"duckdb", "spark"}
    assert engine_class("duckdb") is DuckDBEngine
    assert check_engine("memory", ["duckdb", "memory"]) == "memory"
    for call in (
        lambda: engine_class("oracle"),
        lambda: splink_backend("oracle"),
        lambda: check_engine("spark", ["duckdb", "memory"]),
    ):
        with pytest.raises(ParameterError, match=r"^--engine: expected one of .*, got '"):
            call()


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_an_empty_arrow_result_keeps_its_types_and_like_named_columns_stay_apart(
    engine: Engine,
) -> None:
    table = engine.arrow("SELECT txn_id, amount, ts FROM transactions WHERE FALSE")
    assert table.num_rows == 0
    assert pa.types.is_string(table.schema.field("txn_id").type)
    assert pa.types.is_timestamp(table.schema.field("ts").type)
    assert table.schema.field("ts").type.tz is None
    assert engine.fetch("SELECT 1 AS x, 2 AS x") == [(1, 2)]
