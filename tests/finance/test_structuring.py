from __future__ import annotations

from tests.finance.conftest import BuildWorkspace, RunTypology

PARTIES = ["P1,person,Ana Rojas,,BO,BO,,,,,comerciante,false"]
ACCOUNTS = ["A1,P1,Banco Uno,BO,USD,2020-01-01,checking"]


def test_three_deposits_just_below_the_threshold_raise_one_alert(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(
        {
            "parties": PARTIES,
            "accounts": ACCOUNTS,
            "transactions": [
                "T1,2024-03-01T10:00:00Z,9400.00,USD,,A1,cash,",
                "T2,2024-03-03T10:00:00Z,9600.00,USD,,A1,cash,",
                "T3,2024-03-06T10:00:00Z,9900.00,USD,,A1,cash,",
                "T4,2024-03-07T10:00:00Z,10000.00,USD,,A1,cash,",  # at the threshold: not counted
            ],
        }
    )
    (alert,) = run_typology(ws, "structuring")
    assert alert.subject_id == "A1" and alert.party_id == "P1"
    assert alert.evidence == (
        "3 cash deposits of 9,400, 9,600 and 9,900 USD within 5 days,"
        " each below the 10,000 USD threshold"
    )


def test_deposits_spread_beyond_the_window_or_too_small_raise_nothing(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(
        {
            "parties": PARTIES,
            "accounts": ACCOUNTS,
            "transactions": [
                "T1,2024-03-01T10:00:00Z,9400.00,USD,,A1,cash,",
                "T2,2024-03-09T10:00:00Z,9600.00,USD,,A1,cash,",
                "T3,2024-03-10T10:00:00Z,5000.00,USD,,A1,cash,",
                "T4,2024-03-11T10:00:00Z,9500.00,USD,A1,,cash,",
            ],
        }
    )
    assert run_typology(ws, "structuring") == []
    assert len(run_typology(ws, "structuring", min_deposits=2, window_days=10)) == 1
