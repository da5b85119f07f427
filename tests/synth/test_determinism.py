"""Same seed and parameters: the same bytes. Another seed: another world."""

from __future__ import annotations

from pathlib import Path

from onca.synth import generate_scenario


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.*"))}


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    a = generate_scenario(tmp_path / "a", transactions=5_000, seed=3, chunk_size=2_000)
    b = generate_scenario(tmp_path / "b", transactions=5_000, seed=3, chunk_size=2_000)
    first, second = _files(a.out_dir), _files(b.out_dir)
    assert len(first) == 6 + 6  # six tables, five truth files and scenario.json
    assert first == second


def test_chunk_size_does_not_change_the_tables(tmp_path: Path) -> None:
    a = generate_scenario(tmp_path / "a", transactions=6_000, seed=5, chunk_size=6_000)
    b = generate_scenario(tmp_path / "b", transactions=6_000, seed=5, chunk_size=777)
    first, second = _files(a.out_dir), _files(b.out_dir)
    first.pop("truth/scenario.json")  # records the chunk size
    second.pop("truth/scenario.json")
    assert first == second


def test_another_seed_gives_another_world(tmp_path: Path) -> None:
    a = generate_scenario(tmp_path / "a", transactions=5_000, seed=3)
    b = generate_scenario(tmp_path / "b", transactions=5_000, seed=4)
    for table in ("parties", "accounts", "transactions", "shipments", "seizures"):
        assert (a.out_dir / f"{table}.csv").read_bytes() != (
            b.out_dir / f"{table}.csv"
        ).read_bytes()


def test_parquet_is_deterministic_too(tmp_path: Path) -> None:
    a = generate_scenario(tmp_path / "a", transactions=3_000, seed=9, fmt="parquet")
    b = generate_scenario(tmp_path / "b", transactions=3_000, seed=9, fmt="parquet")
    assert _files(a.out_dir) == _files(b.out_dir)
