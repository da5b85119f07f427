"""A generated world loads into a workspace with nothing quarantined, as CSV and as Parquet."""

from __future__ import annotations

from pathlib import Path

import pytest

from onca.contract import load_contract
from onca.ingest import ingest_files
from onca.synth import generate_scenario
from tests.synth.conftest import open_world, rows


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_world_ingests_without_quarantine(tmp_path: Path, fmt: str) -> None:
    summary = generate_scenario(tmp_path / "world", transactions=8_000, seed=21, fmt=fmt)
    workspace = tmp_path / "ws.duckdb"
    for kind in load_contract().load_order():
        if kind not in summary.counts:  # the CITES records are written for onca trade
            continue
        result = ingest_files(workspace, kind, [summary.out_dir / f"{kind}.{fmt}"])
        assert result.quarantined == 0, result.to_dict()
        assert result.loaded == summary.counts[kind]
    assert set(summary.counts) <= set(load_contract().load_order())


def test_parquet_holds_typed_columns_equal_to_the_csv(tmp_path: Path) -> None:
    csv_world = generate_scenario(tmp_path / "csv", transactions=3_000, seed=4)
    pq_world = generate_scenario(tmp_path / "pq", transactions=3_000, seed=4, fmt="parquet")
    assert csv_world.counts == pq_world.counts
    con = open_world(pq_world.out_dir, fmt="parquet")
    types = dict(rows(con, "SELECT column_name, column_type FROM (DESCRIBE transactions)"))
    assert types["amount"] == "DECIMAL(18,2)"
    assert types["ts"].startswith("TIMESTAMP")
    seizure_types = dict(rows(con, "SELECT column_name, column_type FROM (DESCRIBE seizures)"))
    assert seizure_types["offender_ids"] == "VARCHAR[]"
    text = open_world(csv_world.out_dir)
    first_csv = rows(text, "SELECT txn_id, amount, ts FROM transactions ORDER BY txn_id LIMIT 5")
    first_pq = rows(
        con,
        "SELECT txn_id, CAST(amount AS VARCHAR),"
        " strftime(ts AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') FROM transactions"
        " ORDER BY txn_id LIMIT 5",
    )
    assert first_csv == first_pq
