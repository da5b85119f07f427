"""Ranking by evidence: parties by the noisy-OR before it is squashed, alerts by weighted score
and corroboration, and the one sentence that counts alerts and typologies."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import onca.workspace
from onca.finance import alerts_phrase, ranked_alerts, ranked_parties, typologies_run
from onca.finance._scores import write_party_scores

ALERTS = [
    # alert_id, typology, severity, party, score, window_end
    ("a1", "structuring", "high", "P1", 1.0, "2024-01-05"),
    ("a2", "narrative_keywords", "high", "P1", 1.0, "2024-02-01"),
    ("a3", "funnel_account", "medium", "P1", 1.0, "2024-03-01"),
    ("a4", "structuring", "high", "P2", 1.0, "2024-04-01"),
    ("a5", "narrative_keywords", "high", "P2", 1.0, "2024-05-01"),
    ("a6", "structuring", "high", "P3", 1.0, "2024-06-01"),
    ("a7", "narrative_keywords", "high", "P3", 1.0, "2024-07-01"),
    ("a8", "counterparty_name_keywords", "low", "P4", 0.5, "2024-08-01"),
]
RUN = (
    '["structuring", "narrative_keywords", "funnel_account", "counterparty_name_keywords",'
    ' "shared_identifiers"]'
)


@pytest.fixture
def alerted(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    with onca.workspace.open(path) as ws:
        for alert_id, typology, severity, party, score, end in ALERTS:
            ws.con.execute(
                "INSERT INTO alerts VALUES (?, 1, ?, ?, 'party', ?, ?, NULL, ?, ?, 'x', '{}')",
                [alert_id, typology, severity, party, party, end, score],
            )
        ws.con.execute(
            "INSERT INTO screen_runs (run_id, engine, started_at, finished_at, typologies,"
            " alerts, onca_version) VALUES (1, 'duckdb', now(), now(), ?, 8, 'test')",
            [RUN],
        )
        write_party_scores(ws.db)
    return path


def test_parties_rank_by_evidence_before_it_is_squashed(alerted: Path) -> None:
    with onca.workspace.open(alerted) as ws:
        stored = dict(ws.db.fetch("SELECT party_id, score FROM party_scores"))
        ranked = ranked_parties(ws.db, top=10)
    assert [p.id for p in ranked] == ["P1", "P2", "P3", "P4"]
    assert [p.rank for p in ranked] == [1, 2, 3, 4]
    p1, p2, p3, p4 = ranked
    # two saturated high flags (ln 10 each) and a medium one at 0.7; the risk is its squashing
    assert p1.evidence == pytest.approx(2 * math.log(10) - math.log(1 - 0.7), abs=1e-6)
    assert p1.risk == pytest.approx(stored["P1"], abs=1e-6) == pytest.approx(0.997)
    assert p2.evidence == pytest.approx(2 * math.log(10), abs=1e-6)
    # P2 and P3 carry the same flags: the tie is broken by dollars (none here), then by id
    assert p2.evidence == p3.evidence and (p2.usd, p3.usd) == (0.0, 0.0)
    assert p4.evidence == pytest.approx(-math.log(1 - 0.2), abs=1e-6)
    assert (p1.alerts, p1.typologies, p4.typology_ids) == (3, 3, ["counterparty_name_keywords"])
    assert p1.typology_ids[-1] == "funnel_account"  # strongest first


def test_alerts_rank_by_weighted_score_then_corroboration_then_recency(alerted: Path) -> None:
    with onca.workspace.open(alerted) as ws:
        alerts = ranked_alerts(ws.db, top=10)
    # high 1.00 alerts first: P1's (three flags) before P2's and P3's (two, the same evidence:
    # the most recent first); then the medium alert, then the low one
    assert [a.alert_id for a in alerts] == ["a2", "a1", "a7", "a6", "a5", "a4", "a3", "a8"]
    assert alerts[0].party_evidence > alerts[2].party_evidence
    assert (alerts[0].window_end, alerts[-1].weighted) == ("2024-02-01", pytest.approx(0.2))
    assert [a.rank for a in alerts] == list(range(1, 9))


def test_alerts_phrase_counts_the_typologies_run(alerted: Path) -> None:
    with onca.workspace.open(alerted) as ws:
        run = typologies_run(ws.db)
    assert run["shared_identifiers"] == 0 and run["structuring"] == 3
    assert alerts_phrase(8, run) == (
        "8 alerts from 4 of the 5 typologies run (no alert from shared_identifiers)"
    )
    assert alerts_phrase(1, {"structuring": 1}) == "1 alert from 1 of the 1 typology run"
    assert alerts_phrase(0, {}) == "0 alerts from 0 of the 0 typologies run"


def test_an_unknown_level_is_refused(alerted: Path) -> None:
    with onca.workspace.open(alerted) as ws, pytest.raises(ValueError, match="level: expected"):
        ranked_parties(ws.db, top=3, level="account")
