"""Screening finds the planted networks of a generated world, with evidence a person can read."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

import onca.workspace
from onca.finance import evaluate, screen
from onca.finance._typology import Typology


@pytest.mark.slow
def test_the_jaguar_network_is_flagged_with_readable_evidence(
    scenario: tuple[Path, Path], library: dict[str, Typology], tmp_path: Path
) -> None:
    source, truth = scenario
    path = tmp_path / "ws.duckdb"
    path.write_bytes(source.read_bytes())
    with onca.workspace.open(path) as ws:
        result = screen(ws, library)
        report = evaluate(ws, truth)
        rows = ws.con.execute(
            "SELECT party_id, typology_id, evidence FROM alerts WHERE party_id IS NOT NULL"
        ).fetchall()
    with (truth / "identities.csv").open(encoding="utf-8") as f:
        person = {r["party_id"]: r["person_key"] for r in csv.DictReader(f)}
    with (truth / "roles.csv").open(encoding="utf-8") as f:
        jaguar = {r["person_key"] for r in csv.DictReader(f) if r["network_id"] == "N01"}
    on_jaguar = [(t, e) for p, t, e in rows if person.get(p) in jaguar]
    typologies = {t for t, _ in on_jaguar}
    assert len(typologies) >= 5, typologies  # the network trips several independent red flags
    for _, sentence in on_jaguar:
        assert re.search(r"\d", sentence) and len(sentence) > 25 and "{{" not in sentence
    assert sum(result.by_typology.values()) == len(result.alerts)
    top5 = report.budgets[1]
    assert top5.networks == top5.networks_total  # every network has a member in the top 5%
    assert top5.precision > 0.5
