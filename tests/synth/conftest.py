"""One small Operation Jaguar world, generated once per session, opened as DuckDB views."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from onca.synth import ScenarioSummary, generate_scenario

TABLES = ("parties", "accounts", "transactions", "shipments", "permits", "seizures")
TRUTH = ("identities", "roles", "transactions", "shipments", "permits")
WORLD_TRANSACTIONS = 40_000
WORLD_SEED = 11


def open_world(folder: Path, fmt: str = "csv") -> duckdb.DuckDBPyConnection:
    """Views ``<table>`` (every value as text, empty as NULL) and ``truth_<name>``."""
    con = duckdb.connect()
    for table in TABLES:
        path = folder / f"{table}.{fmt}"
        if fmt == "csv":
            source = f"read_csv('{path}', header = true, all_varchar = true, quote = '\"')"
        else:
            source = f"read_parquet('{path}')"
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM {source}")
    for name in TRUTH:
        path = folder / "truth" / f"{name}.csv"
        con.execute(
            f"CREATE VIEW truth_{name} AS SELECT * FROM"
            f" read_csv('{path}', header = true, all_varchar = true)"
        )
    return con


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> ScenarioSummary:
    out = tmp_path_factory.mktemp("synth") / "world"
    return generate_scenario(
        out, transactions=WORLD_TRANSACTIONS, seed=WORLD_SEED, chunk_size=7_000
    )


@pytest.fixture(scope="session")
def db(world: ScenarioSummary) -> Iterator[duckdb.DuckDBPyConnection]:
    con = open_world(world.out_dir)
    yield con
    con.close()


@pytest.fixture(scope="session")
def manifest(world: ScenarioSummary) -> dict[str, Any]:
    return json.loads((world.truth_dir / "scenario.json").read_text(encoding="utf-8"))


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.execute(sql).fetchall()


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    result = con.execute(sql).fetchone()
    assert result is not None
    return result[0]
