"""Customer-risk typologies: route exposure, keywords, sectors, foreigners, officials, identifiers.

Each typology gets hand-made rows that raise an alert (checked word for word) and a near miss
that raises nothing.
"""

from __future__ import annotations

import pytest

from tests.finance.conftest import BuildWorkspace, RunTypology


def party(pid: str, kind: str, name: str, country: str, **kw: str) -> str:
    """A parties row; keyword arguments fill the optional columns."""
    cols = ("birth_date", "nationality", "address", "phone", "id_number", "industry", "occupation")
    values = [kw.get(c, "") for c in cols]
    return ",".join(
        [pid, kind, name, values[0], values[1], country, *values[2:], kw.get("is_pep", "false")]
    )


def account(
    aid: str, holder: str, country: str, currency: str = "USD", kind: str = "checking"
) -> str:
    return f"{aid},{holder},Banco Uno,{country},{currency},2020-01-01,{kind}"


def txn(
    tid: str, ts: str, amount: str, frm: str, to: str, channel: str = "wire", narrative: str = ""
) -> str:
    return f"{tid},{ts},{amount},USD,{frm},{to},{channel},{narrative}"


# -- route_country_exposure ------------------------------------------------------------------


def exposure_rows(cn_share_of_peers: list[int]) -> dict[str, list[str]]:
    """Company C0 in PE: 3 x 20,000 from China, 5,000 to the US. Peers C1.. in PE: 20,000 each,
    of which the given thousands with China and the rest with the US."""
    parties = [
        party("CN", "company", "Huaxing Trading Co. Ltd.", "CN", industry="general trading"),
        party("US", "company", "Eagle Imports LLC", "US", industry="import wholesale"),
        party("C0", "company", "Comercial Andes S.A.C.", "PE", industry="general trading"),
    ]
    accounts = [account("ACN", "CN", "CN"), account("AUS", "US", "US"), account("A0", "C0", "PE")]
    txns = [
        txn("T1", "2024-03-01T10:00:00Z", "20000.00", "ACN", "A0"),
        txn("T2", "2024-03-10T10:00:00Z", "20000.00", "ACN", "A0"),
        txn("T3", "2024-04-01T10:00:00Z", "20000.00", "ACN", "A0"),
        txn("T4", "2024-04-05T10:00:00Z", "5000.00", "A0", "AUS"),
    ]
    for i, cn in enumerate(cn_share_of_peers, start=1):
        parties.append(
            party(f"C{i}", "company", f"Textiles Peru {i} S.A.C.", "PE", industry="textiles")
        )
        accounts.append(account(f"A{i}", f"C{i}", "PE"))
        txns.append(txn(f"P{i}a", "2024-02-01T10:00:00Z", f"{cn * 1000}.00", f"A{i}", "ACN"))
        txns.append(txn(f"P{i}b", "2024-02-02T10:00:00Z", f"{(20 - cn) * 1000}.00", f"A{i}", "AUS"))
    return {"parties": parties, "accounts": accounts, "transactions": txns}


def test_a_company_trading_mostly_with_china_far_above_its_peers_is_flagged(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(exposure_rows([2, 4, 6, 8, 10]))
    (alert,) = run_typology(ws, "route_country_exposure")
    assert alert.subject_id == "C0" and alert.party_id == "C0"
    assert alert.evidence == (
        "92% of its cross-border value (USD 65,000) was exchanged with wildlife destination"
        " countries: USD 60,000 in 3 payments with CN; the other 5 company customers in PE"
        " average 30% (z = 3.9)"
    )


def test_exposure_like_the_peers_or_below_the_share_raises_nothing(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    # every peer also trades mostly with China: C0 is not far above them
    assert (
        run_typology(build_workspace(exposure_rows([14, 15, 16, 17, 18])), "route_country_exposure")
        == []
    )


def test_without_peers_the_share_alone_decides(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(exposure_rows([]))
    (alert,) = run_typology(ws, "route_country_exposure")
    assert alert.evidence.endswith("no other company customer in PE to compare with")
    assert run_typology(ws, "route_country_exposure", min_share=0.95) == []


# -- narrative_keywords ----------------------------------------------------------------------

KEYWORD_PARTIES = [
    party("P1", "person", "Ana Rojas", "BO"),
    party("P2", "person", "Juan Pérez", "BO"),
]
KEYWORD_ACCOUNTS = [account("A1", "P1", "BO"), account("A2", "P2", "BO")]


def test_a_species_word_in_a_narrative_is_flagged_whatever_its_accents_and_case(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(
        {
            "parties": KEYWORD_PARTIES,
            "accounts": KEYWORD_ACCOUNTS,
            "transactions": [
                txn("T1", "2024-03-01T10:00:00Z", "1500.00", "A1", "A2", narrative="ONÇA 12")
            ],
        }
    )
    (alert,) = run_typology(ws, "narrative_keywords")
    # the alert rolls up to the payee, the seller the narrative describes; it names both
    assert alert.subject_id == "T1" and alert.party_id == "P2"
    assert (alert.details["payer_id"], alert.details["payee_id"]) == ("P1", "P2")
    assert alert.evidence == (
        "narrative \"ONÇA 12\" names onca (jaguar (pt, 'onça')): 1,500 USD by wire from Ana Rojas"
        " to Juan Pérez on 2024-03-01"
    )


def test_terms_match_whole_words_in_sql_and_card_merchant_names_are_left_out(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    narratives = {
        "T1": "ONÇA 12",
        "T2": "Colmillos",
        "T3": "货款花胶",
        "T4": "once",
        "T5": "presasx",
        "T6": "pago cuenta",
    }
    rows = [
        txn(tid, f"2024-03-0{i}T10:00:00Z", "100.00", "A1", "A2", "mobile", text)
        for i, (tid, text) in enumerate(narratives.items(), start=1)
    ]
    rows.append(
        txn("T7", "2024-03-08T10:00:00Z", "25.00", "A1", "A2", "card", "POS REST EL JAGUAR 4411")
    )
    rows.append(txn("T8", "2024-03-09T10:00:00Z", "300.00", "", "A2", "cash", "buche"))
    ws = build_workspace(
        {"parties": KEYWORD_PARTIES, "accounts": KEYWORD_ACCOUNTS, "transactions": rows}
    )
    alerts = {a.subject_id: a for a in run_typology(ws, "narrative_keywords")}
    assert sorted(alerts) == ["T1", "T2", "T3", "T8"]
    assert alerts["T3"].evidence.startswith('narrative "货款花胶" names 花胶 (fish maw (zh))')
    assert alerts["T8"].party_id == "P2"  # a cash deposit rolls up to the payee
    assert alerts["T8"].evidence == (
        'narrative "buche" names buche (swim bladder (es)): 300 USD by cash in cash to Juan Pérez'
        " on 2024-03-09"
    )
    assert sorted(
        a.subject_id for a in run_typology(ws, "narrative_keywords", ignored_channels=["other"])
    ) == [
        "T1",
        "T2",
        "T3",
        "T7",
        "T8",
    ]


# -- counterparty_name_keywords --------------------------------------------------------------


def name_rows(industry: str) -> dict[str, list[str]]:
    return {
        "parties": [
            party("P1", "person", "Ana Rojas", "BO"),
            party("C1", "company", "Criadero El Jaguar S.R.L.", "BO", industry=industry),
            party(
                "C2", "company", "Pesquera Totoaba S.A. de C.V.", "MX", industry="seafood exporter"
            ),
        ],
        "accounts": [
            account("A1", "P1", "BO"),
            account("AC1", "C1", "BO"),
            account("AC2", "C2", "MX"),
        ],
        "transactions": [
            txn("T1", "2024-03-01T10:00:00Z", "2500.00", "A1", "AC1"),
            txn("T2", "2024-05-20T10:00:00Z", "700.00", "AC1", "A1", "ach"),
        ],
    }


def test_a_transacting_breeder_named_after_a_species_is_flagged(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(name_rows("exotic animal breeder"))
    (alert,) = run_typology(ws, "counterparty_name_keywords")  # C2 never transacts
    assert alert.subject_id == "C1" and alert.party_id == "C1"
    assert alert.evidence == (
        'Criadero El Jaguar S.R.L. (exotic animal breeder) has "jaguar" (jaguar (es, pt, en)) in its'
        " name and took part in 2 payments worth USD 3,200 between 2024-03-01 and 2024-05-20"
    )


def test_an_ordinary_business_named_after_an_animal_raises_nothing(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(name_rows("restaurant"))
    assert run_typology(ws, "counterparty_name_keywords") == []
    assert len(run_typology(ws, "counterparty_name_keywords", sectors=["restaurant"])) == 1


# -- high_risk_sector_activity ---------------------------------------------------------------


def sector_rows(hk_share: int) -> dict[str, list[str]]:
    """A pet shop in DE paying Bolivia; a seafood exporter in EC paid from Hong Kong
    (``hk_share`` thousands of each 15,000) and from Argentina (the rest)."""
    return {
        "parties": [
            party("PS", "company", "Zoohandlung Rhein GmbH", "DE", industry="Pet Shop"),
            party("SE", "company", "Pesquera Pacífico S.A.", "EC", industry="seafood exporter"),
            party("BO", "person", "Ana Rojas", "BO"),
            party("HK", "company", "Kowloon Wing Fat Ltd.", "HK", industry="import wholesale"),
            party("AR", "company", "Importadora Del Sur S.A.", "AR", industry="import wholesale"),
        ],
        "accounts": [
            account("APS", "PS", "DE", kind="business"),
            account("ASE", "SE", "EC", kind="business"),
            account("ABO", "BO", "BO"),
            account("AHK", "HK", "HK", kind="business"),
            account("AAR", "AR", "AR", kind="business"),
        ],
        "transactions": [
            txn("T1", "2024-03-01T10:00:00Z", "12000.00", "APS", "ABO"),
            txn("T2", "2024-04-01T10:00:00Z", "11000.00", "APS", "ABO"),
            txn("T3", "2024-03-05T10:00:00Z", f"{hk_share * 1000}.00", "AHK", "ASE"),
            txn("T4", "2024-03-25T10:00:00Z", f"{hk_share * 1000}.00", "AHK", "ASE"),
            txn("T5", "2024-04-15T10:00:00Z", f"{(15 - hk_share) * 1000 + 1}.00", "AAR", "ASE"),
        ],
    }


def test_high_risk_companies_on_wildlife_routes_or_out_of_their_business_are_flagged(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(sector_rows(hk_share=15))
    alerts = {a.subject_id: a for a in run_typology(ws, "high_risk_sector_activity")}
    assert sorted(alerts) == ["PS", "SE"]
    assert alerts["PS"].party_id == "PS"
    assert alerts["PS"].evidence == (
        "Zoohandlung Rhein GmbH (Pet Shop, DE) exchanged USD 23,000 in 2 cross-border payments"
        " along wildlife routes with counterparties in BO: 100% of its cross-border value"
        " (USD 23,000); the Pet Shop sector trades locally, so payments abroad do not fit its"
        " declared activity"
    )
    assert alerts["SE"].evidence == (
        "Pesquera Pacífico S.A. (seafood exporter, EC) exchanged USD 30,000 in 2 cross-border"
        " payments along wildlife routes with counterparties in HK: 100% of its cross-border value"
        " (USD 30,001)"
    )


def test_a_trader_with_mixed_destinations_raises_nothing(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(sector_rows(hk_share=10))  # 20,000 of 25,001 via Hong Kong: 80%
    assert [a.subject_id for a in run_typology(ws, "high_risk_sector_activity")] == ["PS"]
    assert run_typology(ws, "high_risk_sector_activity", min_usd=25000) == []


# -- foreign_national_paying_locals ----------------------------------------------------------


def locals_rows(n_payees: int, usd: str = "60.00", days_apart: int = 1) -> dict[str, list[str]]:
    """Wang Wei, a Chinese national in Bolivia, pays ``n_payees`` Bolivians one after another."""
    parties = [party("F1", "person", "Wang Wei", "BO", nationality="CN")]
    accounts = [account("AF1", "F1", "BO", "USD", "mobile_wallet")]
    txns = []
    for i in range(1, n_payees + 1):
        parties.append(party(f"L{i}", "person", f"Poblador Número {i}", "BO"))
        accounts.append(account(f"AL{i}", f"L{i}", "BO", "USD", "mobile_wallet"))
        txns.append(
            txn(f"T{i}", f"2024-03-{i * days_apart:02d}T10:00:00Z", usd, "AF1", f"AL{i}", "mobile")
        )
    parties.append(
        party("M1", "company", "Supermercado Los Andes S.R.L.", "BO", industry="supermarket")
    )
    accounts.append(account("AM1", "M1", "BO", "USD", "business"))
    txns.append(txn("TM", "2024-03-02T12:00:00Z", "80.00", "AF1", "AM1", "mobile"))  # not a person
    return {"parties": parties, "accounts": accounts, "transactions": txns}


def test_a_destination_national_paying_many_locals_in_a_source_country_is_flagged(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(locals_rows(5))
    (alert,) = run_typology(ws, "foreign_national_paying_locals")
    assert alert.subject_id == "F1" and alert.party_id == "F1"
    assert alert.evidence == (
        "Wang Wei, a national of CN living in BO, paid 5 different local persons (Poblador Número 1,"
        " Poblador Número 2, Poblador Número 3, Poblador Número 4 and Poblador Número 5) in 5"
        " payments totalling USD 300 within 4 days"
    )


@pytest.mark.parametrize(
    "rows",
    [locals_rows(4), locals_rows(5, usd="25.00"), locals_rows(5, days_apart=2)],
    ids=["four payees", "small sums", "spread over nine days"],
)
def test_too_few_payees_small_sums_or_a_long_spread_raise_nothing(
    build_workspace: BuildWorkspace, run_typology: RunTypology, rows: dict[str, list[str]]
) -> None:
    assert run_typology(build_workspace(rows), "foreign_national_paying_locals") == []


def test_a_local_national_paying_as_many_locals_raises_nothing(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    rows = locals_rows(6)
    rows["parties"][0] = party("F1", "person", "Wang Wei", "BO", nationality="BO")
    assert run_typology(build_workspace(rows), "foreign_national_paying_locals") == []


# -- official_unexplained_inflow -------------------------------------------------------------


def official_rows(occupation: str, sender_kind: str = "person") -> dict[str, list[str]]:
    """A customs officer paid a salary by the customs office, then 900 + 800 USD from a person
    and 700 USD in cash within 40 days; a year before, 150 USD from the same person."""
    return {
        "parties": [
            party("O1", "person", "Rosa Mamani", "BO", occupation=occupation),
            party("G1", "organization", "Aduana Nacional", "BO", industry="government"),
            party("S1", "person" if sender_kind == "person" else "company", "Jorge Vaca", "BO"),
        ],
        "accounts": [
            account("AO1", "O1", "BO"),
            account("AG1", "G1", "BO"),
            account("AS1", "S1", "BO"),
        ],
        "transactions": [
            txn("T0", "2023-03-01T10:00:00Z", "150.00", "AS1", "AO1", "mobile"),
            txn("W1", "2024-02-28T10:00:00Z", "900.00", "AG1", "AO1", "ach", "sueldo"),
            txn("W2", "2024-03-28T10:00:00Z", "900.00", "AG1", "AO1", "ach", "sueldo"),
            txn("T1", "2024-03-01T10:00:00Z", "900.00", "AS1", "AO1", "mobile"),
            txn("T2", "2024-03-20T10:00:00Z", "700.00", "", "AO1", "cash"),
            txn("T3", "2024-04-10T10:00:00Z", "800.00", "AS1", "AO1", "mobile"),
            txn(
                "T4", "2024-04-12T10:00:00Z", "40.00", "AS1", "AO1", "mobile"
            ),  # too small to count
        ],
    }


def test_an_official_receiving_cash_and_transfers_from_individuals_is_flagged(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(official_rows("Funcionario de Aduanas"))
    (alert,) = run_typology(ws, "official_unexplained_inflow")
    assert alert.subject_id == "O1" and alert.party_id == "O1"
    assert alert.evidence == (
        "Rosa Mamani (Funcionario de Aduanas) received USD 2,400 within 40 days in 1 cash deposit"
        " and 2 transfers from Jorge Vaca: 3.0 monthly salaries of USD 800, 57 times its usual"
        " USD 42 per 90 days"
    )


def test_a_non_official_raises_nothing(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    assert (
        run_typology(build_workspace(official_rows("profesor")), "official_unexplained_inflow")
        == []
    )


def test_payments_by_a_company_do_not_count(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(official_rows("policía", sender_kind="company"))
    assert run_typology(ws, "official_unexplained_inflow") == []  # only 700 in cash is left
    (alert,) = run_typology(ws, "official_unexplained_inflow", salary_multiple=0.5, min_inflows=1)
    assert alert.evidence.startswith(
        "Rosa Mamani (policía) received USD 700 within 0 days in 1 cash deposit:"
    )


# -- shared_identifiers ----------------------------------------------------------------------


def test_unrelated_names_sharing_a_phone_are_flagged_but_records_of_one_person_are_not(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(
        {
            "parties": [
                party(
                    "P1",
                    "person",
                    "Ana Rojas Quispe",
                    "BO",
                    phone="+591 7123 4567",
                    id_number="4455667 LP",
                ),
                party("P2", "person", "Comercial Tahuamanu S.R.L.", "BO", phone="71234567"),
                # the same woman as P1, written by another bank: no alert between them
                party(
                    "P3",
                    "person",
                    "ROJAS QUISPE ANA",
                    "BO",
                    phone="00591 71234567",
                    id_number="4455667-LP",
                ),
                party("P4", "person", "Ana Rojs", "BO", id_number="4455667LP"),
            ],
        }
    )
    alerts = {a.subject_id: a for a in run_typology(ws, "shared_identifiers")}
    assert sorted(alerts) == ["P1", "P2", "P3"]
    assert alerts["P1"].party_id == "P1"
    assert alerts["P1"].evidence == (
        "Ana Rojas Quispe shares its phone number (ending 71234567) with Comercial Tahuamanu S.R.L."
        " (P2), whose names are unlike its own (similarity at most 20%)"
    )
    assert alerts["P2"].evidence == (
        "Comercial Tahuamanu S.R.L. shares its phone number (ending 71234567) with Ana Rojas Quispe"
        " (P1) and ROJAS QUISPE ANA (P3), whose names are unlike its own (similarity at most 20%)"
    )


def address_rows(names: list[str]) -> dict[str, list[str]]:
    spellings = ['"Calle Sucre 137, La Paz"', '"CALLE  SUCRE 137, LA PAZ"']
    return {
        "parties": [
            party(f"P{i}", "person", name, "BO", address=spellings[i % 2])
            for i, name in enumerate(names, start=1)
        ]
    }


def test_an_address_counts_only_when_several_unrelated_names_share_it(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(
        address_rows(["Ana Rojas", "Pedro Gutiérrez", "Luz Mamani", "Carlos Vaca"])
    )
    alerts = {a.subject_id: a for a in run_typology(ws, "shared_identifiers")}
    assert sorted(alerts) == ["P1", "P2", "P3", "P4"]
    assert alerts["P1"].evidence == (
        'Ana Rojas shares its address "calle sucre 137, la paz" with Carlos Vaca (P4), Luz Mamani'
        " (P3) and Pedro Gutiérrez (P2), whose names are unlike its own (similarity at most 20%)"
    )


def test_a_household_sharing_an_address_raises_nothing(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(address_rows(["Ana Rojas", "Pedro Gutiérrez", "Luz Mamani"]))
    assert run_typology(ws, "shared_identifiers") == []
    assert len(run_typology(ws, "shared_identifiers", min_address_others=2)) == 3
