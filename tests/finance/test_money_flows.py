"""Money-flow typologies on hand-made rows: each raises its alert, and a near miss raises none."""

from __future__ import annotations

import pytest

from tests.finance.conftest import BuildWorkspace, RunTypology


def _people(spec: list[tuple[str, str, str]]) -> dict[str, list[str]]:
    """Parties and accounts for (account_id, country, kind) triples: one holder P<account>."""
    parties, accounts = [], []
    for account, country, kind in spec:
        party_kind = "company" if kind == "business" else "person"
        parties.append(f"P{account},{party_kind},Holder {account},,{country},{country},,,,,,false")
        accounts.append(f"{account},P{account},Banco Uno,{country},USD,2020-01-01,{kind}")
    return {"parties": parties, "accounts": accounts}


# -- cash_then_crossborder -----------------------------------------------------------------

CASH_ACCOUNTS = _people(
    [("A1", "BO", "checking"), ("B1", "PA", "business"), ("D1", "BO", "business")]
)


def test_cash_deposit_wired_abroad_within_hours(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(
        {
            **CASH_ACCOUNTS,
            "transactions": [
                "T1,2024-03-01T10:00:00Z,5000.00,USD,,A1,cash,",
                "T2,2024-03-01T16:00:00Z,4500.00,USD,A1,B1,wire,",
            ],
        }
    )
    (alert,) = run_typology(ws, "cash_then_crossborder")
    assert alert.subject_id == "A1" and alert.party_id == "PA1"
    assert alert.evidence == (
        "Cash deposit of 5,000 USD on 2024-03-01 followed 6 hours later by a wire of 4,500 USD"
        " (90% of it) to account B1 in PA, from this account in BO"
    )


def test_cash_sent_at_home_too_late_or_too_little_raises_nothing(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(
        {
            **CASH_ACCOUNTS,
            "transactions": [
                "T1,2024-03-01T10:00:00Z,5000.00,USD,,A1,cash,",
                "T2,2024-03-01T16:00:00Z,4500.00,USD,A1,D1,wire,",  # same country
                "T3,2024-03-01T17:00:00Z,3000.00,USD,A1,B1,wire,",  # 60% of the deposit
                "T4,2024-03-04T18:00:00Z,4600.00,USD,A1,B1,wire,",  # 80 hours later
            ],
        }
    )
    assert run_typology(ws, "cash_then_crossborder") == []
    assert len(run_typology(ws, "cash_then_crossborder", window_hours=96)) == 1


# -- funnel_account ------------------------------------------------------------------------

FUNNEL_ACCOUNTS = _people(
    [("F1", "ES", "checking"), ("X1", "BO", "checking")]
    + [(f"S{i}", "ES", "checking") for i in range(1, 7)]
)


def _funnel_rows(senders: list[str], outflow: str) -> list[str]:
    rows = []
    for i, sender in enumerate(senders):
        day, hour = 1 + i // 2, 10 if i % 2 == 0 else 22
        rows.append(f"T{i},2024-03-0{day}T{hour}:00:00Z,600.00,USD,{sender},F1,remittance,")
    rows.append(f"TOUT,2024-03-05T10:00:00Z,{outflow},USD,F1,X1,wire,")
    return rows


def test_many_senders_then_most_of_it_out(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    senders = [f"S{i}" for i in range(1, 7)]
    ws = build_workspace({**FUNNEL_ACCOUNTS, "transactions": _funnel_rows(senders, "3000.00")})
    (alert,) = run_typology(ws, "funnel_account")
    assert alert.subject_id == "F1" and alert.party_id == "PF1"
    assert alert.evidence == (
        "6 different senders paid 6 transfers worth 3,600 USD into this checking account within"
        " 2.5 days from 2024-03-01; 3,000 USD (83% of it) left the account by 7 days after the"
        " last one"
    )


def test_too_few_senders_raise_nothing(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    five = ["S1", "S2", "S3", "S4", "S5", "S5"]  # S5 pays twice: 5 distinct senders
    ws = build_workspace({**FUNNEL_ACCOUNTS, "transactions": _funnel_rows(five, "3000.00")})
    assert run_typology(ws, "funnel_account") == []
    assert len(run_typology(ws, "funnel_account", min_senders=5)) == 1


def test_money_kept_in_the_account_scores_lower_and_can_be_required_to_leave(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    six = [f"S{i}" for i in range(1, 7)]
    ws = build_workspace({**FUNNEL_ACCOUNTS, "transactions": _funnel_rows(six, "2000.00")})
    (kept,) = run_typology(ws, "funnel_account")  # 56% leaves: still a funnel, lower score
    assert kept.score == pytest.approx(0.5 + 0.3 * 0.5556, abs=1e-3)
    assert run_typology(ws, "funnel_account", min_outflow_share=0.7) == []
    assert len(run_typology(ws, "funnel_account", min_outflow_share=0.5)) == 1


# -- rural_fan_out -------------------------------------------------------------------------

FAN_ACCOUNTS = _people(
    [("W0", "BO", "mobile_wallet"), ("RX", "ES", "mobile_wallet")]
    + [(f"R{i}", "BO", "mobile_wallet") for i in range(1, 11)]
)


def _fan_rows(payees: list[str]) -> list[str]:
    rows = []
    for i, payee in enumerate(payees):
        hour = 8 + 4 * i  # every 4 hours from 08:00 on 1 March
        ts = f"2024-03-0{1 + hour // 24}T{hour % 24:02d}:00:00Z"
        rows.append(f"T{i},{ts},100.00,USD,W0,{payee},mobile,")
    return rows


def test_small_payments_to_ten_rural_payees(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(
        {**FAN_ACCOUNTS, "transactions": _fan_rows([f"R{i}" for i in range(1, 11)])}
    )
    (alert,) = run_typology(ws, "rural_fan_out")
    assert alert.subject_id == "W0" and alert.party_id == "PW0"
    assert alert.evidence == (
        "10 mobile payments totalling 1,000 USD, each between 30 and 500 USD, to 10 different"
        " payees in BO within 1.5 days from 2024-03-01"
    )


def test_one_payee_abroad_leaves_too_few_rural_payees(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    payees = [f"R{i}" for i in range(1, 10)] + ["RX"]  # the tenth is in Spain
    ws = build_workspace({**FAN_ACCOUNTS, "transactions": _fan_rows(payees)})
    assert run_typology(ws, "rural_fan_out") == []
    assert len(run_typology(ws, "rural_fan_out", min_payees=9)) == 1


# -- rapid_pass_through --------------------------------------------------------------------

PASS_ACCOUNTS = _people(
    [
        ("C1", "BO", "business"),
        ("X1", "CN", "business"),
        ("Y1", "PA", "business"),
        ("Y2", "BO", "checking"),
        ("Y3", "BO", "business"),
        ("Z1", "BO", "checking"),
        ("Z2", "BO", "business"),
    ]
)
# The data span two years, so the account's usual outflow in 48 hours is small.
SPAN = [
    "E1,2023-01-01T00:00:00Z,20.00,USD,Z1,Z2,card,",
    "E2,2024-12-31T00:00:00Z,20.00,USD,Z1,Z2,card,",
    "E3,2023-06-01T10:00:00Z,500.00,USD,C1,Y3,ach,",
]


def test_large_inflow_passed_on_within_two_days(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    rows = [
        "T1,2024-03-01T10:00:00Z,20000.00,USD,X1,C1,wire,invoice 311",
        "T2,2024-03-02T04:00:00Z,12000.00,USD,C1,Y1,wire,",
        "T3,2024-03-02T16:00:00Z,6000.00,USD,C1,Y2,wire,",
    ]
    ws = build_workspace({**PASS_ACCOUNTS, "transactions": SPAN + rows})
    (alert,) = run_typology(ws, "rapid_pass_through")
    assert alert.subject_id == "C1" and alert.party_id == "PC1"
    # usual: 18,500 USD out over 730 days = 50.68 USD per 48 hours; 18,000 / 50.68 = 355
    assert alert.evidence == (
        "20,000 USD arrived by wire on 2024-03-01 and 18,000 USD (90% of it) left within"
        " 30 hours in 2 payments to Y1 and Y2, about 355 times what the account usually sends"
        " in 48 hours"
    )


def test_inflow_leaving_slowly_raises_nothing(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    rows = [
        "T1,2024-03-01T10:00:00Z,20000.00,USD,X1,C1,wire,",
        "T2,2024-03-02T04:00:00Z,12000.00,USD,C1,Y1,wire,",  # 60% within 48 hours
        "T3,2024-03-04T16:00:00Z,6000.00,USD,C1,Y2,wire,",  # the rest after 78 hours
    ]
    ws = build_workspace({**PASS_ACCOUNTS, "transactions": SPAN + rows})
    assert run_typology(ws, "rapid_pass_through") == []
    assert len(run_typology(ws, "rapid_pass_through", window_hours=96)) == 1


# -- round_trip_cycle ----------------------------------------------------------------------

CYCLE_ACCOUNTS = _people(
    [("O1", "BO", "savings"), ("H1", "BO", "business"), ("H2", "PA", "business")]
)


def test_money_comes_back_through_two_accounts(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    rows = [
        "T1,2024-03-01T10:00:00Z,50000.00,USD,O1,H1,wire,",
        "T2,2024-03-03T10:00:00Z,49000.00,USD,H1,H2,wire,",
        "T3,2024-03-06T10:00:00Z,48000.00,USD,H2,O1,wire,",
    ]
    ws = build_workspace({**CYCLE_ACCOUNTS, "transactions": rows})
    (alert,) = run_typology(ws, "round_trip_cycle")
    assert alert.subject_id == "O1" and alert.party_id == "PO1"
    assert alert.evidence == (
        "50,000 USD left on 2024-03-01 and 48,000 USD (96% of it) came back 5 days later through"
        " 2 other accounts, each hop later than the one before: O1 > H1 > H2 > O1"
    )


def test_cycle_out_of_order_or_shrinking_raises_nothing(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    rows = [
        "T1,2024-03-01T10:00:00Z,50000.00,USD,O1,H1,wire,",
        "T2,2024-03-03T10:00:00Z,49000.00,USD,H1,H2,wire,",
        "T3,2024-03-02T10:00:00Z,48000.00,USD,H2,O1,wire,",  # back before it went on
        "T4,2024-03-08T10:00:00Z,40000.00,USD,H2,O1,wire,",  # 82% of the hop before
    ]
    ws = build_workspace({**CYCLE_ACCOUNTS, "transactions": rows})
    assert run_typology(ws, "round_trip_cycle") == []
    assert len(run_typology(ws, "round_trip_cycle", min_keep=0.8)) == 1


# -- scatter_gather ------------------------------------------------------------------------

SCATTER_ACCOUNTS = _people(
    [("S1", "PE", "savings"), ("TG", "PA", "business"), ("TX", "HK", "business")]
    + [(f"M{i}", "PE", "checking") for i in range(1, 4)]
)


def _scatter_rows(targets: list[str]) -> list[str]:
    times = ["2024-03-01T10:00:00Z", "2024-03-01T22:00:00Z", "2024-03-02T10:00:00Z"]
    later = ["2024-03-02T09:00:00Z", "2024-03-02T20:00:00Z", "2024-03-04T09:00:00Z"]
    rows = []
    for i, (ts, fwd, target) in enumerate(zip(times, later, targets, strict=True), start=1):
        rows.append(f"A{i},{ts},5000.00,USD,S1,M{i},wire,")
        rows.append(f"B{i},{fwd},4900.00,USD,M{i},{target},wire,")
    return rows


def test_three_intermediaries_pay_the_same_target(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace({**SCATTER_ACCOUNTS, "transactions": _scatter_rows(["TG"] * 3)})
    (alert,) = run_typology(ws, "scatter_gather")
    assert alert.subject_id == "S1" and alert.party_id == "PS1"
    assert alert.evidence == (
        "Paid 15,000 USD to 3 intermediaries (M1, M2 and M3) within 1 day from 2024-03-01;"
        " each passed most of it on within 72 hours to the same account TG in PA,"
        " 14,700 USD in all"
    )


def test_intermediaries_paying_different_targets_raise_nothing(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace({**SCATTER_ACCOUNTS, "transactions": _scatter_rows(["TG", "TG", "TX"])})
    assert run_typology(ws, "scatter_gather") == []
    assert len(run_typology(ws, "scatter_gather", min_intermediaries=2)) == 1


# -- gather_scatter ------------------------------------------------------------------------

HUB_ACCOUNTS = _people(
    [("HB", "MX", "checking")]
    + [(f"G{i}", "US", "checking") for i in range(1, 4)]
    + [(f"E{i}", "MX", "mobile_wallet") for i in range(1, 4)]
)


def _hub_rows(payees: list[str]) -> list[str]:
    rows = [
        "I1,2024-03-01T10:00:00Z,2000.00,USD,G1,HB,wire,",
        "I2,2024-03-01T22:00:00Z,2000.00,USD,G2,HB,wire,",
        "I3,2024-03-02T10:00:00Z,2000.00,USD,G3,HB,wire,",
    ]
    days = ["2024-03-04", "2024-03-05", "2024-03-06"]
    for i, (day, payee, amount) in enumerate(zip(days, payees, [2000, 1800, 1600], strict=True)):
        rows.append(f"O{i},{day}T10:00:00Z,{amount}.00,USD,HB,{payee},wire,")
    return rows


def test_hub_collects_from_three_and_pays_three_others(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace({**HUB_ACCOUNTS, "transactions": _hub_rows(["E1", "E2", "E3"])})
    (alert,) = run_typology(ws, "gather_scatter")
    assert alert.subject_id == "HB" and alert.party_id == "PHB"
    assert alert.evidence == (
        "3 payers (G1, G2 and G3) paid 6,000 USD into this account within 1 day from 2024-03-01;"
        " within 4 days after the last of them it paid 5,400 USD (90% of it) to 3 other payees"
        " (E1, E2 and E3)"
    )


def test_hub_paying_a_payer_back_has_too_few_payees(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace({**HUB_ACCOUNTS, "transactions": _hub_rows(["E1", "E2", "G1"])})
    assert run_typology(ws, "gather_scatter") == []
    assert len(run_typology(ws, "gather_scatter", min_payees=2, min_forward_share=0.6)) == 1
