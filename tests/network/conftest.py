"""Fixtures for network intelligence: a screened and resolved scenario workspace with its truth."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An Operation Jaguar world (20,000 transactions, seed 11), ingested, screened and
    resolved: (workspace, truth folder). Read-only: copy it (``scenario_copy``) to write."""
    from onca.contract import load_contract
    from onca.finance import load_library, screen
    from onca.ingest import ingest_files
    from onca.resolve import resolve_workspace
    from onca.synth import generate_scenario
    from onca.workspace import open_workspace

    folder = tmp_path_factory.mktemp("network")
    summary = generate_scenario(folder / "world", transactions=20_000, seed=11, fmt="parquet")
    path = folder / "ws.duckdb"
    for kind in load_contract().load_order():
        files = sorted(summary.out_dir.glob(f"{kind}.parquet"))
        if files:
            assert ingest_files(path, kind, files).quarantined == 0
    with open_workspace(path) as ws:
        screen(ws, load_library())
        resolve_workspace(ws)
    return path, summary.truth_dir


@pytest.fixture
def scenario_copy(scenario: tuple[Path, Path], tmp_path: Path) -> Path:
    """A private copy of the scenario workspace, for a test that writes to it."""
    copy = tmp_path / "ws.duckdb"
    shutil.copy(scenario[0], copy)
    return copy
