"""Trade, permit and seizure typologies on hand-made rows: the alert, its sentence, and near misses."""

from __future__ import annotations

from tests.finance.conftest import BuildWorkspace, RunTypology

# Customs and police know parties under records of their own; the bank's record of the same
# party shares its phone number (in another format) or its ID number.
TRADE_PARTIES = [
    "C1,company,ARTESANIAS DEL SUR SRL,,BO,BO,,+591 71234567,,handicraft exporter,,false",
    "B1,company,Artesanías del Sur S.R.L.,,BO,BO,,00591 71234567,,handicraft exporter,,false",
    "C2,company,GUANGZHOU HERBAL CO,,CN,CN,,,91440101-MA5,traditional medicine,,false",
    "B2,company,Guangzhou Herbal Co. Ltd.,,CN,CN,,,91440101MA5,traditional medicine,,false",
    "P3,person,Melissa Clark,1990-02-03,US,US,,+1 212 555 0101,,,clerk,false",
    "K4,company,Acme Imports Inc.,,US,US,,+1 212 555 0199,,import wholesale,,false",
]
TRADE_ACCOUNTS = [
    "A1,B1,Banco Uno,BO,USD,2020-01-01,business",
    "A2,B2,Bank of Canton,CN,USD,2020-01-01,business",
    "A3,P3,First Bank,US,USD,2020-01-01,checking",
    "A4,K4,First Bank,US,USD,2020-01-01,business",
]
SHIPMENT = "S1,2024-03-01T10:00:00Z,C1,C2,BO,,CN,442090,wooden handicrafts,500.00,USD,20.000,air,"


def test_trade_payment_far_above_the_declared_value_and_a_third_party_payer(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(
        {
            "parties": TRADE_PARTIES,
            "accounts": TRADE_ACCOUNTS,
            "shipments": [SHIPMENT],
            "transactions": [
                "T1,2024-03-20T10:00:00Z,8000.00,USD,A2,A1,wire,invoice 77",
                "T2,2024-03-25T10:00:00Z,4000.00,USD,A3,A1,wire,",
                "T3,2024-03-26T10:00:00Z,9000.00,USD,A4,A1,wire,",  # a company abroad: not counted
            ],
        }
    )
    (alert,) = run_typology(ws, "trade_payment_mismatch")
    assert alert.subject_id == "S1" and alert.party_id == "C1"
    assert alert.evidence == (
        "Shipment S1 of wooden handicrafts (HS 442090) declared at 500 USD: the consignee paid"
        " the consignor 8,000 USD in 1 payment (8,000 USD), 16.0 times the declared value;"
        " the consignor received 4,000 USD in 1 payment from persons abroad who are not the"
        " consignee (Melissa Clark, in US), between 2024-03-01 and 2024-03-25"
    )


def test_trade_payment_close_to_the_declared_value_or_outside_the_window_raises_nothing(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(
        {
            "parties": TRADE_PARTIES,
            "accounts": TRADE_ACCOUNTS,
            "shipments": [SHIPMENT],
            "transactions": [
                "T1,2024-03-20T10:00:00Z,600.00,USD,A2,A1,wire,invoice 77",
                "T2,2024-06-15T10:00:00Z,4000.00,USD,A3,A1,wire,",  # 106 days after
                "T3,2024-03-10T10:00:00Z,500.00,USD,A3,A1,wire,",  # below the third-party floor
            ],
        }
    )
    assert run_typology(ws, "trade_payment_mismatch") == []
    (alert,) = run_typology(ws, "trade_payment_mismatch", mismatch_share=0.1)
    assert "(600 USD), 1.2 times the declared value, between" in alert.evidence


def _peer_shipments() -> list[str]:
    """24 shipments of fish maw at 140, 150 and 160 USD per kg, half to HK and half to CN."""
    rows = []
    for i in range(24):
        value = (14000, 15000, 16000)[i % 3]
        destination = "HK" if i % 2 else "CN"
        rows.append(
            f"P{i:02d},2024-01-{i + 1:02d}T10:00:00Z,X1,X2,MX,,{destination},030572,"
            f"buche de corvina seco,{value}.00,USD,100.000,air,"
        )
    return rows


UNIT_PARTIES = [
    "X1,company,PESCADOS DEL GOLFO SA DE CV,,MX,MX,,,,seafood exporter,,false",
    "X2,company,HONG KONG SEA TREASURE LTD,,HK,HK,,,,general trading,,false",
]


def test_unit_value_far_above_the_peers_of_the_hs_code(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    outlier = (
        "S9,2024-02-10T10:00:00Z,X1,X2,MX,US,HK,030572,buche de corvina seco,"
        "75000.00,USD,50.000,air,"
    )
    ws = build_workspace({"parties": UNIT_PARTIES, "shipments": [*_peer_shipments(), outlier]})
    (alert,) = run_typology(ws, "invoice_unit_value_outlier")
    assert alert.subject_id == "S9" and alert.party_id == "X1"
    # 13 shipments on the MX-HK route are too few: the norm is all 25 shipments of HS 030572.
    assert alert.evidence == (
        "Shipment S9 of buche de corvina seco (HS 030572) from MX to HK, declared at 75,000 USD"
        " for 50 kg: 1,500 USD per kg against a typical 164.24 USD per kg among 25 shipments of"
        " HS 030572 (z = 4.8, over-invoiced?)"
    )


def test_unit_value_near_the_norm_or_with_too_few_peers_raises_nothing(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    near = (
        "S9,2024-02-10T10:00:00Z,X1,X2,MX,,HK,030572,buche de corvina seco,8500.00,USD,50.000,air,"
    )
    far = (
        "S8,2024-02-11T10:00:00Z,X1,X2,MX,,HK,030572,buche de corvina seco,75000.00,USD,50.000,air,"
    )
    ws = build_workspace({"parties": UNIT_PARTIES, "shipments": [*_peer_shipments(), near, far]})
    assert [a.subject_id for a in run_typology(ws, "invoice_unit_value_outlier")] == ["S8"]
    assert run_typology(ws, "invoice_unit_value_outlier", min_peers=30) == []  # 26 shipments


BUSINESS_PARTIES = [
    "G1,company,COMERCIAL EL DORADO,,BO,BO,,,,general trading,,false",
    "F1,company,PESQUERA DEL PACIFICO,,EC,EC,,,,seafood exporter,,false",
    "H1,company,AGRICOLA SAN JUAN,,BO,BO,,,,agriculture,,false",
    "Z1,company,SHENZHEN HERBAL CO,,CN,CN,,,,traditional medicine,,false",
]


def test_general_trader_shipping_jaguar_claws_and_handicrafts_to_china(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(
        {
            "parties": BUSINESS_PARTIES,
            "shipments": [
                "S1,2024-02-01T10:00:00Z,G1,Z1,BO,,CN,050790,jaguar claws,300.00,USD,1.000,air,",
                "S2,2024-04-01T10:00:00Z,G1,Z1,BO,AE,CN,442090,wooden handicrafts,90.00,USD,3.000,air,",
            ],
        }
    )
    (alert,) = run_typology(ws, "goods_outside_declared_business")
    assert alert.subject_id == "G1" and alert.party_id == "G1"
    assert alert.evidence == (
        "COMERCIAL EL DORADO (general trading) declared 2 shipments to CN that do not fit its"
        " business between 2024-02-01 and 2024-04-01: 1 under wildlife HS headings (050790"
        " jaguar claws) although general trading is not a wildlife trade; 1 of ordinary goods"
        " (442090 wooden handicrafts) although general trading is a high-risk sector"
    )


def test_goods_that_fit_the_business_or_other_destinations_raise_nothing(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(
        {
            "parties": BUSINESS_PARTIES,
            "shipments": [
                # a seafood exporter shipping fish maw: its business; salted fish: one only
                "S1,2024-02-01T10:00:00Z,F1,Z1,EC,,HK,030572,dried fish maw,9000.00,USD,60.000,air,",
                "S2,2024-03-01T10:00:00Z,F1,Z1,EC,,HK,030559,dried salted fish,600.00,USD,100.000,sea,",
                # a farm (not a high-risk sector) shipping coffee to China
                "S3,2024-03-05T10:00:00Z,H1,Z1,BO,,CN,090111,green coffee,80000.00,USD,20000.000,sea,",
                "S4,2024-03-09T10:00:00Z,H1,Z1,BO,,CN,090111,green coffee,80000.00,USD,20000.000,sea,",
                # jaguar claws, but to a country outside the wildlife markets list
                "S5,2024-04-01T10:00:00Z,G1,Z1,BO,,US,050790,jaguar claws,300.00,USD,1.000,air,",
                "S6,2024-05-01T10:00:00Z,G1,Z1,BO,,US,050790,jaguar claws,300.00,USD,1.000,air,",
            ],
        }
    )
    assert run_typology(ws, "goods_outside_declared_business") == []
    (alert,) = run_typology(ws, "goods_outside_declared_business", min_shipments=1)
    assert alert.subject_id == "F1"


PERMIT_PARTIES = [
    "C1,company,CURTIEMBRE AMAZONICA SAC,,PE,PE,,,,leather goods,,false",
    "C2,company,EXPORTADORA LORETO SAC,,PE,PE,,,,general trading,,false",
    "Z1,company,SHENZHEN HERBAL CO,,CN,CN,,,,traditional medicine,,false",
]
PERMIT = "PM1,export,PE,Pecari tajacu,100,number,W,T,2024-01-10,2024-07-08,C1"


def _shipment(sid: str, ts: str, consignor: str, hs: str, goods: str, permit: str) -> str:
    return f"{sid},{ts},{consignor},Z1,PE,,CN,{hs},{goods},900.00,USD,30.000,air,{permit}"


def test_one_permit_declared_on_two_shipments(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(
        {
            "parties": PERMIT_PARTIES,
            "permits": [PERMIT],
            "shipments": [
                _shipment("S1", "2024-02-01T10:00:00Z", "C1", "410390", "peccary leather", "PM1"),
                _shipment("S2", "2024-03-01T10:00:00Z", "C2", "410390", "peccary leather", "PM1"),
            ],
        }
    )
    (alert,) = run_typology(ws, "permit_reused")
    assert alert.subject_id == "PM1" and alert.party_id == "C1"
    assert alert.evidence == (
        "Permit PM1 (export, Pecari tajacu, issued by PE on 2024-01-10, valid until 2024-07-08)"
        " was declared on 2 shipments between 2024-02-01 and 2024-03-01: S1 and S2, by C1 and"
        " C2, as 410390 peccary leather"
    )


def test_permits_used_once_each_raise_nothing(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(
        {
            "parties": PERMIT_PARTIES,
            "permits": [
                PERMIT,
                "PM2,export,PE,Pecari tajacu,50,number,W,T,2024-02-10,2024-08-08,C2",
            ],
            "shipments": [
                _shipment("S1", "2024-02-01T10:00:00Z", "C1", "410390", "peccary leather", "PM1"),
                _shipment("S2", "2024-03-01T10:00:00Z", "C2", "410390", "peccary leather", "PM2"),
                _shipment("S3", "2024-03-02T10:00:00Z", "C2", "410390", "peccary leather", ""),
            ],
        }
    )
    assert run_typology(ws, "permit_reused") == []


def test_shipments_after_expiry_and_before_issue(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(
        {
            "parties": PERMIT_PARTIES,
            "permits": [PERMIT],
            "shipments": [
                _shipment("S1", "2024-07-20T10:00:00Z", "C2", "410390", "peccary leather", "PM1"),
                _shipment("S2", "2024-01-05T12:00:00Z", "C1", "410390", "peccary leather", "PM1"),
            ],
        }
    )
    late, early = sorted(run_typology(ws, "permit_expired_or_early"), key=lambda a: a.subject_id)
    assert (late.subject_id, late.party_id) == ("S1", "C2")
    assert late.evidence == (
        "Shipment S1 of peccary leather (HS 410390) on 2024-07-20 was declared under permit PM1"
        " (Pecari tajacu, held by C1), valid from 2024-01-10 to 2024-07-08: 11 days after it"
        " expired"
    )
    assert (early.subject_id, early.party_id) == ("S2", "C1")
    assert early.evidence.endswith(
        "valid from 2024-01-10 to 2024-07-08: 4.5 days before it was issued"
    )


def test_shipments_within_the_validity_or_the_grace_raise_nothing(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(
        {
            "parties": PERMIT_PARTIES,
            "permits": [PERMIT],
            "shipments": [
                _shipment("S1", "2024-07-08T23:00:00Z", "C1", "410390", "peccary leather", "PM1"),
                _shipment("S2", "2024-07-12T10:00:00Z", "C1", "410390", "peccary leather", "PM1"),
            ],
        }
    )
    assert [a.subject_id for a in run_typology(ws, "permit_expired_or_early")] == ["S2"]
    assert run_typology(ws, "permit_expired_or_early", grace_days=5) == []


def test_peccary_permit_covering_wooden_handicrafts(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(
        {
            "parties": PERMIT_PARTIES,
            "permits": [PERMIT],
            "shipments": [
                _shipment(
                    "S1", "2024-02-01T10:00:00Z", "C2", "442090", "wooden handicrafts", "PM1"
                ),
            ],
        }
    )
    (alert,) = run_typology(ws, "permit_commodity_mismatch")
    assert alert.subject_id == "S1" and alert.party_id == "C2"
    assert alert.evidence == (
        "Shipment S1 on 2024-02-01 declared wooden handicrafts (HS 442090) under permit PM1 for"
        " Pecari tajacu (100 specimens), whose specimens are declared under HS 4103, 4107, 4113"
    )


def test_matching_goods_or_an_unlisted_taxon_raise_nothing(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(
        {
            "parties": PERMIT_PARTIES,
            "permits": [PERMIT, "PM2,export,PE,Inia geoffrensis,1,number,W,S,2024-01-10,,C2"],
            "shipments": [
                _shipment("S1", "2024-02-01T10:00:00Z", "C1", "410390", "peccary leather", "PM1"),
                _shipment(
                    "S2", "2024-02-02T10:00:00Z", "C2", "442090", "wooden handicrafts", "PM2"
                ),
            ],
        }
    )
    assert run_typology(ws, "permit_commodity_mismatch") == []


# The police record POL1 and the bank records B1 and B3 are one person: B1 shares the phone
# (another format), B3 the ID number (without its punctuation).
SEIZURE_PARTIES = [
    "POL1,person,Juan Perez,1985-04-02,BO,BO,,+591 70000001,4.567.890,,,false",
    "B1,person,Juan Pérez Mamani,1985-04-02,BO,BO,,70000001,,,comerciante,false",
    "B3,person,Juan Pérez M.,1985-02-04,BO,BO,,,4567890,,comerciante,false",
    "P2,person,Rosa Quispe,1990-01-01,BO,BO,,+591 79999999,,,acopiadora,false",
    "M1,company,Supermercado Central,,BO,BO,,+591 33333333,,retail,,false",
]
SEIZURE_ACCOUNTS = [
    "A1,B1,Banco Uno,BO,USD,2020-01-01,checking",
    "A3,B3,Banco Dos,BO,USD,2020-01-01,savings",
    "A2,P2,Banco Uno,BO,USD,2020-01-01,checking",
    "M9,M1,Banco Uno,BO,USD,2020-01-01,business",
]
SEIZURE = (
    "Z1,2024-05-10T08:00:00Z,BO,Aeropuerto Internacional Viru Viru,-17.6,-63.1,DGBAP,"
    "Panthera onca,jaguar fangs,12,number,14400,air,BO,,CN,POL1,"
)


def test_counterparty_of_a_person_named_in_a_seizure(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(
        {
            "parties": SEIZURE_PARTIES,
            "accounts": SEIZURE_ACCOUNTS,
            "transactions": [
                "T1,2024-05-01T10:00:00Z,300.00,USD,A2,A1,mobile,",
                "T2,2024-05-20T10:00:00Z,200.00,USD,A1,A2,mobile,",
                "T3,2024-05-21T10:00:00Z,900.00,USD,A3,A1,wire,",  # between his own accounts
            ],
            "seizures": [SEIZURE],
        }
    )
    (alert,) = run_typology(ws, "seizure_counterparty")
    assert alert.subject_id == "P2" and alert.party_id == "P2"
    assert alert.evidence == (
        "Rosa Quispe made 2 transactions worth 500 USD (200 and 300) between 2024-05-01 and"
        " 2024-05-20 with accounts of Juan Perez, named in seizure Z1 (2024-05-10, Panthera"
        " onca jaguar fangs, Aeropuerto Internacional Viru Viru)"
    )


def test_a_single_payment_a_busy_account_or_a_payment_long_before_raise_nothing(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(
        {
            "parties": SEIZURE_PARTIES,
            "accounts": SEIZURE_ACCOUNTS,
            "transactions": [
                "T1,2024-05-01T10:00:00Z,300.00,USD,A2,A1,mobile,",
                "T2,2023-01-20T10:00:00Z,200.00,USD,A1,A2,mobile,",  # 476 days before
                "T3,2024-05-02T10:00:00Z,80.00,USD,A1,M9,card,",
                "T4,2024-05-03T10:00:00Z,90.00,USD,A3,M9,card,",
                "T5,2024-05-04T10:00:00Z,95.00,USD,A1,M9,card,",
            ],
            "seizures": [SEIZURE],
        }
    )
    assert run_typology(ws, "seizure_counterparty", max_account_transactions=2) == []
    (alert,) = run_typology(ws, "seizure_counterparty")
    assert alert.subject_id == "M1"  # the shop, while it has few transactions in the data


def _baseline() -> list[str]:
    """Five cash deposits of 100 USD, two months apart, into the offender's account A1."""
    days = ("2023-06-01", "2023-08-01", "2023-10-01", "2023-12-01", "2024-02-01")
    return [f"D{i},{day}T10:00:00Z,100.00,USD,,A1,cash," for i, day in enumerate(days)]


def test_offender_account_spikes_around_the_seizure(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(
        {
            "parties": SEIZURE_PARTIES,
            "accounts": SEIZURE_ACCOUNTS,
            "transactions": [
                *_baseline(),
                "T1,2024-05-05T10:00:00Z,1000.00,USD,A2,A1,wire,",
                "T2,2024-05-08T10:00:00Z,1000.00,USD,A1,A2,wire,",
                "T3,2024-05-12T10:00:00Z,1000.00,USD,,A1,cash,",
            ],
            "seizures": [SEIZURE],
        }
    )
    (alert,) = run_typology(ws, "seizure_activity_spike")
    assert alert.subject_id == "A1" and alert.party_id == "B1"
    assert alert.evidence == (
        "Account A1 of Juan Pérez Mamani (linked to Juan Perez, named in seizure Z1 (2024-05-10,"
        " Panthera onca jaguar fangs, Aeropuerto Internacional Viru Viru)) had 3 transactions"
        " worth 3,000 USD between 2024-05-05 and 2024-05-12, against a usual 0.4 transactions"
        " and 44 USD per 28 days (6.8 times the count, 68.1 times the value)"
    )


def test_small_or_usual_activity_around_the_seizure_raises_nothing(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(
        {
            "parties": SEIZURE_PARTIES,
            "accounts": SEIZURE_ACCOUNTS,
            "transactions": [
                *_baseline(),
                "T1,2024-05-05T10:00:00Z,100.00,USD,A2,A1,wire,",
                "T2,2024-05-08T10:00:00Z,100.00,USD,A1,A2,wire,",
                "T3,2024-07-12T10:00:00Z,1000.00,USD,,A1,cash,",  # two months after
            ],
            "seizures": [SEIZURE],
        }
    )
    assert run_typology(ws, "seizure_activity_spike") == []
    (alert,) = run_typology(ws, "seizure_activity_spike", min_event_usd=100.0)
    assert alert.subject_id == "A1"


KG_PERMIT = "PK1,export,EC,Isostichopus fuscus,100,kg,W,T,2024-01-10,2024-07-08,C1"


def _fish(sid: str, ts: str, kg: str) -> str:
    return f"{sid},{ts},C1,Z1,EC,,HK,030819,dried sea cucumbers,900.00,USD,{kg},air,PK1"


def test_shipments_weighing_more_than_their_permit_covers(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(
        {
            "parties": PERMIT_PARTIES,
            "permits": [KG_PERMIT, PERMIT],
            "shipments": [
                _fish("S1", "2024-02-01T10:00:00Z", "80.000"),
                _fish("S2", "2024-03-01T10:00:00Z", "70.000"),
                # a permit in specimens is not compared with weights
                _shipment("S3", "2024-02-01T10:00:00Z", "C1", "410390", "peccary leather", "PM1"),
            ],
        }
    )
    (alert,) = run_typology(ws, "permit_quantity_exceeded")
    assert alert.subject_id == "PK1" and alert.party_id == "C1" and alert.score == 0.7
    assert alert.evidence == (
        "Permit PK1 (Isostichopus fuscus, issued by EC) covers 100 kg, but 2 shipments declared"
        " under it between 2024-02-01 and 2024-03-01 weigh 150 kg: S1 and S2"
    )
    assert run_typology(ws, "permit_quantity_exceeded", tolerance=0.5) == []  # 150 = 100 * 1.5


def test_a_shipment_within_its_permits_weight_raises_nothing(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    ws = build_workspace(
        {
            "parties": PERMIT_PARTIES,
            "permits": [KG_PERMIT],
            "shipments": [_fish("S1", "2024-02-01T10:00:00Z", "120.000")],  # packaging: 20%
        }
    )
    assert run_typology(ws, "permit_quantity_exceeded") == []
    (alert,) = run_typology(ws, "permit_quantity_exceeded", tolerance=0.1)
    assert "weigh 120 kg: S1" in alert.evidence
