"""Absurd parameters are refused with a message naming the parameter; progress is reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from onca.errors import OncaError, ParameterError
from onca.synth import ScenarioSummary, generate_scenario


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"transactions": 999}, "transactions"),
        ({"transactions": 0}, "transactions"),
        ({"transactions": -5}, "transactions"),
        ({"transactions": 5_000.0}, "transactions"),
        ({"transactions": True}, "transactions"),
        ({"chunk_size": 0}, "chunk_size"),
        ({"chunk_size": -1}, "chunk_size"),
        ({"fmt": "xlsx"}, "fmt"),
        ({"fmt": "CSV "}, "fmt"),
        ({"seed": -1}, "seed"),
        ({"seed": "7"}, "seed"),
    ],
)
def test_bad_parameters_raise_parameter_error(
    tmp_path: Path, kwargs: dict[str, Any], named: str
) -> None:
    with pytest.raises(ParameterError, match=named) as caught:
        generate_scenario(tmp_path / "out", **kwargs)
    assert isinstance(caught.value, OncaError) and isinstance(caught.value, ValueError)
    assert not (tmp_path / "out").exists(), "nothing is written for bad parameters"


def test_progress_is_called_after_each_chunk(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    summary = generate_scenario(
        tmp_path / "out",
        transactions=3_000,
        chunk_size=1_000,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert len(calls) == 3
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert all(total == 3_000 for _, total in calls)
    assert calls[-1] == (3_000, 3_000) == (summary.counts["transactions"],) * 2


def test_summary_describes_what_was_written(tmp_path: Path) -> None:
    summary = generate_scenario(str(tmp_path / "out"), transactions=2_000, seed=1)
    assert isinstance(summary, ScenarioSummary)
    assert summary.out_dir == tmp_path / "out"
    assert summary.truth_dir == tmp_path / "out" / "truth"
    assert summary.seed == 1
    assert summary.networks == 3
    assert list(summary.counts) == [
        "parties",
        "accounts",
        "transactions",
        "shipments",
        "permits",
        "seizures",
    ]
    assert summary.counts["transactions"] == 2_000
    for table, n in summary.counts.items():
        lines = (summary.out_dir / f"{table}.csv").read_text(encoding="utf-8").count("\n")
        assert lines == n + 1 > 1


def test_networks_scale_mildly_with_size() -> None:
    from onca.synth._networks import network_count

    assert network_count(1_000) == 3
    assert 3 < network_count(100_000) < network_count(10_000_000) <= 12
    assert network_count(10**12) == 12


def test_numpy_integers_are_accepted(tmp_path: Path) -> None:
    import numpy as np

    summary = generate_scenario(
        tmp_path / "out", transactions=np.int64(1_500), seed=np.uint32(2), chunk_size=np.int32(700)
    )
    assert summary.counts["transactions"] == 1_500 and summary.seed == 2
