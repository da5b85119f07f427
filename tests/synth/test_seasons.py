"""The multi-year ocelot programme: its files' layout, its determinism and its truth."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from onca.synth._seasons import YEARS, write_seasons_survey


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_the_files_hold_five_seasons_of_six_weeks_for_every_station(tmp_path: Path) -> None:
    truth = write_seasons_survey(tmp_path, seed=3, stations=60)
    detections = _rows(tmp_path / "seasons" / "detections.csv")
    assert detections[0][:3] == ["site_id", "2020_w1", "2020_w2"]
    assert len(detections) == 61 and {len(r) for r in detections} == {1 + 5 * 6}
    cells = [c for r in detections[1:] for c in r[1:]]
    assert set(cells) <= {"0", "1", ""} and 0 < cells.count("") < len(cells) / 4
    loss = _rows(tmp_path / "seasons" / "forest_loss.csv")
    assert loss[0] == ["site_id", *map(str, YEARS)]
    assert all(0 <= float(v) <= 1 for r in loss[1:] for v in r[1:])
    assert max(float(v) for r in loss[1:] for v in r[1:]) > 0.2
    forest = _rows(tmp_path / "seasons" / "site_covariates.csv")
    assert [r[0] for r in forest] == [r[0] for r in detections]
    stored = json.loads((tmp_path / "truth" / "seasons_truth.json").read_text())
    assert stored["occupied_share"] == truth.occupied_share and stored["seed"] == 3


def test_the_same_seed_writes_the_same_files(tmp_path: Path) -> None:
    write_seasons_survey(tmp_path / "a", seed=5, stations=30)
    write_seasons_survey(tmp_path / "b", seed=5, stations=30)
    write_seasons_survey(tmp_path / "c", seed=6, stations=30)
    a, b, c = ((tmp_path / x / "seasons" / "detections.csv").read_bytes() for x in ("a", "b", "c"))
    assert a == b != c


def test_forest_loss_drives_occupancy_down(tmp_path: Path) -> None:
    # the expectation falls every season, and the realised share follows it over 120 stations
    # (seeds 1-5: within 0.15 of the expectation in every season)
    for seed in range(1, 6):
        truth = write_seasons_survey(tmp_path / str(seed), seed=seed)
        expected = np.array(truth.expected_share)
        assert np.all(np.diff(expected) < 0), expected
        assert np.max(np.abs(np.array(truth.occupied_share) - expected)) < 0.15
