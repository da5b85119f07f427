"""The same resolution on Spark (local mode) as on DuckDB: both CLI commands, same links."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onca.cli import app
from onca.ingest import ingest_files
from onca.workspace import open_workspace
from tests.cli.test_resolve import BANK, CUSTOMS
from tests.conftest import write

runner = CliRunner()


def _links(path: Path) -> dict[tuple[str, str], float]:
    with open_workspace(path, create=False, read_only=True) as ws:
        rows = ws.con.execute(
            "SELECT left_id, right_id, match_probability FROM entity_links"
        ).fetchall()
    return {(str(a), str(b)): float(p) for a, b, p in rows}


@pytest.mark.slow
@pytest.mark.xdist_group("spark")
def test_spark_resolves_and_links_like_duckdb(world: tuple[Path, Path], tmp_path: Path) -> None:
    # 400 records: every pair is in the u sample on both engines, so the models are the same.
    with open_workspace(world[0], create=False, read_only=True) as ws:
        ws.con.execute(
            f"COPY (SELECT * FROM parties ORDER BY party_id LIMIT 400) TO '{tmp_path / 'p.parquet'}'"
        )
    paths = {}
    for engine in ("duckdb", "spark"):
        paths[engine] = tmp_path / f"{engine}.duckdb"
        assert ingest_files(paths[engine], "parties", [tmp_path / "p.parquet"]).quarantined == 0
        result = runner.invoke(app, ["resolve", str(paths[engine]), "--engine", engine, "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["engine"] == engine
    duck, spark = _links(paths["duckdb"]), _links(paths["spark"])
    assert duck and set(duck) == set(spark)
    for pair, p in duck.items():
        assert spark[pair] == pytest.approx(p, rel=1e-6, abs=1e-9)

    left, right = write(tmp_path / "bank.csv", BANK), write(tmp_path / "customs.csv", CUSTOMS)
    outputs = {}
    for engine in ("duckdb", "spark"):
        out = tmp_path / f"pairs-{engine}.csv"
        result = runner.invoke(
            app, ["resolve", "link", str(left), str(right), "--out", str(out), "--engine", engine]
        )
        assert result.exit_code == 0, result.output
        with out.open(newline="") as f:
            outputs[engine] = {
                (r["left_id"], r["right_id"]): float(r["match_probability"])
                for r in csv.DictReader(f)
            }
    assert (
        set(outputs["spark"])
        == set(outputs["duckdb"])
        == {("B1", "C1"), ("B3", "C2"), ("B5", "C4")}
    )
    for pair, p in outputs["duckdb"].items():
        assert outputs["spark"][pair] == pytest.approx(p, rel=1e-6)
