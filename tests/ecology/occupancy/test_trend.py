"""The report's occupancy trend on the simulated ocelot programme, against its truth."""

from __future__ import annotations

import json
from pathlib import Path

from onca.ecology.occupancy._trend import trend_section
from onca.synth._seasons import EPS, write_seasons_survey


def test_the_trend_follows_the_truth_and_finds_the_forest_loss(tmp_path: Path) -> None:
    covered = 0
    for seed in (7, 8):
        write_seasons_survey(tmp_path / str(seed), seed=seed)
        truth = json.loads((tmp_path / str(seed) / "truth" / "seasons_truth.json").read_text())
        section = trend_section(None, folder=tmp_path / str(seed) / "seasons", truth=truth)
        seasons = section.data["seasons"]
        assert [s["season"] for s in seasons] == ["2020", "2021", "2022", "2023", "2024"]
        assert seasons[-1]["estimate"] < seasons[0]["estimate"] - 0.1  # it is falling
        covered += sum(s["lcl"] <= s["truth"] <= s["ucl"] for s in seasons)
        effect = section.data["epsilon_forest_loss"]
        assert abs(effect["beta"] - EPS[1]) < 2.5 * effect["se"]
        assert len(section.figures) == 1 and section.anchor == "occupancy-trend"
    assert covered >= 9  # of 10 season intervals, the truth inside at least 9
