"""Storing the alerts of a run over a period: that period's alerts are replaced, others kept,
and an alert found again outside the period (shipments and permits ignore it) is replaced."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import onca.workspace
from onca.finance._screen import Alert, _alert_id, store_alerts

T = dt.datetime


def _alert(typology: str, subject: str, start: T | None, end: T | None) -> Alert:
    return Alert(
        alert_id=_alert_id(typology, subject, start, end),
        typology_id=typology,
        severity="medium",
        subject_type="shipment",
        subject_id=subject,
        party_id=None,
        window_start=start,
        window_end=end,
        score=0.5,
        evidence="test",
        details={},
    )


def test_a_period_run_replaces_its_period_and_what_it_found_again(tmp_path: Path) -> None:
    march_2023 = _alert("t", "S1", T(2023, 3, 1), T(2023, 3, 2))
    june_2024 = _alert("t", "S2", T(2024, 6, 1), T(2024, 6, 2))
    straddling = _alert("t", "S3", T(2023, 12, 30), T(2024, 1, 2))
    no_window = _alert("t", "S4", None, None)
    other = _alert("u", "S5", T(2024, 6, 1), T(2024, 6, 2))
    with onca.workspace.open(tmp_path / "w.duckdb") as ws:

        def store(alerts: list[Alert], typologies: list[str], since: T | None) -> None:
            store_alerts(
                ws,
                alerts,
                typologies,
                engine="duckdb",
                since=since,
                until=None,
                started_at=T(2026, 1, 1),
            )

        def stored() -> set[str]:
            return {r[0] for r in ws.db.fetch("SELECT subject_id FROM alerts")}

        store([march_2023, june_2024, straddling, no_window, other], ["t", "u"], None)
        # 2024 again, on DuckDB: March 2023 is found again (as a shipment typology would).
        store([march_2023], ["t"], T(2024, 1, 1))
        assert stored() == {"S1", "S5"}  # S2, S3 (overlapping) and S4 (no window) replaced
        store([june_2024], ["t"], T(2024, 1, 1))
        assert stored() == {"S1", "S2", "S5"}  # March 2023 is outside 2024: kept
