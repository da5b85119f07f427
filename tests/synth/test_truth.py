"""The ground truth hangs together with the tables it describes."""

from __future__ import annotations

from typing import Any

import duckdb

from onca.synth import ScenarioSummary
from tests.synth.conftest import WORLD_SEED, WORLD_TRANSACTIONS, rows, scalar


def test_truth_files_have_their_headers(world: ScenarioSummary) -> None:
    expected = {
        "identities.csv": "party_id,person_key",
        "roles.csv": "person_key,network_id,role",
        "transactions.csv": "txn_id,network_id,typology,episode_id",
        "shipments.csv": "shipment_id,network_id,actual_goods,actual_taxon,misdeclared",
        "permits.csv": "permit_id,issue",
    }
    for name, header in expected.items():
        first = (world.truth_dir / name).read_text(encoding="utf-8").splitlines()[0]
        assert first == header


def test_every_illicit_transaction_exists(db: duckdb.DuckDBPyConnection) -> None:
    illicit = scalar(db, "SELECT count(*) FROM truth_transactions")
    assert 0 < illicit < scalar(db, "SELECT count(*) FROM transactions") / 10
    missing = "SELECT count(*) FROM truth_transactions WHERE txn_id NOT IN (SELECT txn_id FROM transactions)"
    assert scalar(db, missing) == 0
    assert scalar(db, "SELECT count(*) - count(DISTINCT txn_id) FROM truth_transactions") == 0


def test_every_party_has_exactly_one_identity(db: duckdb.DuckDBPyConnection) -> None:
    assert scalar(db, "SELECT count(*) FROM parties") == scalar(
        db, "SELECT count(DISTINCT party_id) FROM truth_identities"
    )
    assert scalar(db, "SELECT count(*) FROM truth_identities") == scalar(
        db, "SELECT count(*) FROM truth_identities i JOIN parties p USING (party_id)"
    )


def test_networks_have_the_roles_of_a_trade_chain(db: duckdb.DuckDBPyConnection) -> None:
    networks = rows(db, "SELECT network_id, list(DISTINCT role) FROM truth_roles GROUP BY 1")
    assert len(networks) >= 3
    for network, roles in networks:
        for role in (
            "poacher",
            "collector",
            "middleman",
            "front_company",
            "forwarder",
            "buyer",
            "financier",
            "courier",
        ):
            assert role in roles, (network, role)
    unknown = "SELECT count(*) FROM truth_roles WHERE person_key NOT IN (SELECT person_key FROM truth_identities)"
    assert scalar(db, unknown) == 0


def test_buyers_live_abroad_and_poachers_at_the_source(db: duckdb.DuckDBPyConnection) -> None:
    by_role = dict(
        rows(
            db,
            """
        SELECT r.role, list(DISTINCT p.country) FROM truth_roles r
        JOIN truth_identities i USING (person_key) JOIN parties p USING (party_id)
        WHERE r.role IN ('poacher', 'buyer') AND p.party_id LIKE 'BNK%' GROUP BY 1""",
        )
    )
    assert set(by_role["poacher"]) <= {"BO", "PE", "BR", "SR", "GY", "MX", "CO", "EC", "PY", "GT"}
    assert set(by_role["buyer"]) & {"CN", "HK", "VN"}


def test_every_network_moves_money_and_ships(db: duckdb.DuckDBPyConnection) -> None:
    with_money = {r[0] for r in rows(db, "SELECT DISTINCT network_id FROM truth_transactions")}
    with_goods = {r[0] for r in rows(db, "SELECT DISTINCT network_id FROM truth_shipments")}
    networks = {r[0] for r in rows(db, "SELECT DISTINCT network_id FROM truth_roles")}
    assert with_money == with_goods == networks


def test_truth_shipments_exist_and_misdeclared_ones_hide_their_goods(
    db: duckdb.DuckDBPyConnection,
) -> None:
    joined = rows(
        db,
        """SELECT s.hs_code, t.actual_goods, t.misdeclared, s.goods_description
                         FROM truth_shipments t JOIN shipments s USING (shipment_id)""",
    )
    assert len(joined) == scalar(db, "SELECT count(*) FROM truth_shipments") > 0
    misdeclared = [r for r in joined if r[2] == "true"]
    assert misdeclared, "some consignments are mis-declared"
    for _, goods, _, description in misdeclared:
        assert goods not in description


def test_permit_issues_match_how_permits_are_used(db: duckdb.DuckDBPyConnection) -> None:
    assert scalar(db, "SELECT count(*) FROM truth_permits") == scalar(
        db, "SELECT count(*) FROM permits"
    )
    issues = dict(rows(db, "SELECT issue, count(*) FROM truth_permits GROUP BY 1"))
    assert set(issues) <= {"none", "reused", "wrong_species"}
    assert issues.get("reused", 0) + issues.get("wrong_species", 0) > 0
    uses = "SELECT count(*) FROM shipments s WHERE s.permit_id = p.permit_id"
    reused_once = f"SELECT count(*) FROM truth_permits p WHERE issue = 'reused' AND ({uses}) < 2"
    assert scalar(db, reused_once) == 0
    wrong = rows(
        db,
        """
        SELECT p.taxon, list(DISTINCT t.actual_taxon) FROM truth_permits tp
        JOIN permits p USING (permit_id) JOIN shipments s ON s.permit_id = p.permit_id
        JOIN truth_shipments t ON t.shipment_id = s.shipment_id
        WHERE tp.issue = 'wrong_species' GROUP BY p.permit_id, p.taxon""",
    )
    for taxon, actual in wrong:
        assert taxon not in actual


def test_manifest_records_seed_counts_and_parameters(
    manifest: dict[str, Any], world: ScenarioSummary
) -> None:
    assert manifest["seed"] == WORLD_SEED
    assert manifest["counts"] == world.counts
    assert manifest["parameters"]["transactions"] == WORLD_TRANSACTIONS
    assert len(manifest["networks"]) == world.networks
    assert manifest["cash_thresholds"]["USD"] == 10_000
