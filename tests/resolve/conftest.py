"""Fixtures for entity resolution: a scenario workspace with its truth, and FEBRL4 slices."""

from __future__ import annotations

import csv
import itertools
import shutil
import sys
from pathlib import Path

import pytest

from onca.ingest import ingest_files

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An Operation Jaguar world (parties only) in a workspace: (workspace, truth folder)."""
    from onca.synth import generate_scenario

    folder = tmp_path_factory.mktemp("resolve")
    summary = generate_scenario(folder / "world", transactions=20_000, seed=11, fmt="parquet")
    path = folder / "ws.duckdb"
    result = ingest_files(path, "parties", [summary.out_dir / "parties.parquet"])
    assert result.quarantined == 0
    return path, summary.truth_dir


@pytest.fixture
def workspace(world: tuple[Path, Path], tmp_path: Path) -> Path:
    """A private copy of the world's workspace, for a test that writes to it."""
    copy = tmp_path / "ws.duckdb"
    shutil.copy(world[0], copy)
    return copy


def true_pairs(truth_dir: Path) -> set[tuple[str, str]]:
    """Pairs of party records of the same real party (ordered left < right)."""
    groups: dict[str, list[str]] = {}
    with (truth_dir / "identities.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            groups.setdefault(row["person_key"], []).append(row["party_id"])
    return {
        (min(a, b), max(a, b))
        for members in groups.values()
        for a, b in itertools.combinations(members, 2)
    }


def f1(predicted: set[tuple[str, str]], truth: set[tuple[str, str]]) -> float:
    hit = len(predicted & truth)
    return 2 * hit / (len(predicted) + len(truth)) if predicted or truth else 1.0


@pytest.fixture(scope="session")
def febrl(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """FEBRL4 as party CSVs (5,000 + 5,000 records) and the true links."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from febrl import write_febrl4
    finally:
        sys.path.pop(0)
    return write_febrl4(tmp_path_factory.mktemp("febrl"))


def head_csv(path: Path, out: Path, keep: set[str] | None = None, n: int | None = None) -> Path:
    """The first n rows of a CSV (or the rows whose first column is in ``keep``)."""
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    body = [r for r in rows[1:] if keep is None or r[0] in keep][:n]
    with out.open("w", newline="") as f:
        csv.writer(f).writerows([rows[0], *body])
    return out
