"""Party risk: the documented noisy-OR over typologies, capped per typology."""

from __future__ import annotations

from pathlib import Path

import pytest

import onca.workspace
from onca.finance._scores import write_party_scores

ALERTS = [
    # alert_id, typology, severity, party, score
    ("a1", "structuring", "high", "P1", 1.0),
    ("a2", "structuring", "high", "P1", 0.5),  # same typology: only the best counts
    ("a3", "narrative_keywords", "high", "P1", 1.0),
    ("a4", "funnel_account", "medium", "P2", 0.5),
    ("a5", "counterparty_name_keywords", "low", "P2", 1.0),
    ("a6", "structuring", "high", None, 1.0),  # no party: not scored
]


def test_risk_combines_typologies_not_alerts(tmp_path: Path) -> None:
    with onca.workspace.open(tmp_path / "w.duckdb") as ws:
        for alert_id, typology, severity, party, score in ALERTS:
            ws.con.execute(
                "INSERT INTO alerts VALUES (?, 1, ?, ?, 'account', 'A', ?, NULL, NULL, ?, 'x', '{}')",
                [alert_id, typology, severity, party, score],
            )
        write_party_scores(ws.con)
        rows = ws.con.execute(
            "SELECT party_id, score, alerts, typologies, top_typology FROM party_scores"
            " ORDER BY party_id"
        ).fetchall()
    (p1, p2) = rows
    assert p1[0] == "P1" and p1[1] == pytest.approx(1 - 0.1 * 0.1)  # two capped strong flags
    assert p1[2:4] == (3, 2)
    assert p2[0] == "P2" and p2[1] == pytest.approx(1 - (1 - 0.35) * (1 - 0.4))
    assert p2[4] == "counterparty_name_keywords"  # 0.4 x 1.0 outweighs 0.7 x 0.5
