from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest
import yaml

from onca.contract import load_contract, load_contract_from
from onca.errors import ContractError

CONTRACT_DIR = Path(str(resources.files("onca.contract")))


def test_contract_has_every_table_of_the_architecture() -> None:
    contract = load_contract()
    assert set(contract.tables) == {
        "parties",
        "accounts",
        "transactions",
        "shipments",
        "permits",
        "seizures",
        "cites_comptab",
        "cites_shipments",
    }
    assert contract.table("transactions").column("channel").codes == "channels"
    assert "wire" in contract.codes["channels"]
    assert "BO" in contract.codes["countries"] and "XX" not in contract.codes["countries"]
    assert "BOB" in contract.codes["currencies"]
    assert "XX" in contract.codes["cites_countries"] and "BO" in contract.codes["cites_countries"]
    # permits and seizures take the contract's units only; CITES records add theirs and aliases
    assert "cartons" not in contract.codes["units"] and not contract.codes["units"].aliases
    assert "cartons" in contract.codes["cites_units"] and "kg" in contract.codes["cites_units"]
    assert contract.codes["cites_units"].aliases["kilograms"] == "kg"


def test_the_whole_set_hangs_together() -> None:
    contract = load_contract()
    for table in contract.tables.values():
        assert table.primary_key is None or table.primary_key in table.column_names
        for col in table.columns:
            if col.codes:
                assert col.codes in contract.codes, f"{table.name}.{col.name}"
            if col.references:
                target = contract.table(col.referenced_table or "")
                assert col.referenced_column == target.primary_key
    order = contract.load_order()
    for name in order:
        for dep in contract.table(name).depends_on:
            assert order.index(dep) < order.index(name)


def test_architecture_minimum_columns_present() -> None:
    contract = load_contract()
    expected = {
        "parties": "party_id kind name birth_date nationality country address phone id_number"
        " industry occupation is_pep",
        "accounts": "account_id holder_id institution country currency opened_at kind",
        "transactions": "txn_id ts amount currency from_account to_account channel narrative",
        "shipments": "shipment_id ts consignor_id consignee_id origin_country transit_countries"
        " destination_country hs_code goods_description declared_value currency weight_kg"
        " transport_mode permit_id",
        "permits": "permit_id permit_type issuing_country taxon quantity unit source_code"
        " purpose_code issued_at valid_until holder_id",
        "seizures": "seizure_id ts country place lat lon agency taxon commodity quantity unit"
        " value_usd transport_mode origin_country transit_countries destination_country"
        " offender_ids shipment_id",
    }
    for table, cols in expected.items():
        assert set(cols.split()) <= set(contract.table(table).column_names), table


def test_unknown_table_kind_names_the_choices() -> None:
    with pytest.raises(ContractError, match=r"unknown table kind 'payments'.*transactions"):
        load_contract().table("payments")


@pytest.fixture
def contract_copy(tmp_path: Path) -> Path:
    shutil.copytree(CONTRACT_DIR / "tables", tmp_path / "tables")
    shutil.copytree(CONTRACT_DIR / "codes", tmp_path / "codes")
    return tmp_path


def _edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "change", "message"),
    [
        (
            "accounts",
            lambda d: d["columns"][1].update(references="people.party_id"),
            "references unknown table 'people'",
        ),
        (
            "accounts",
            lambda d: d["columns"][3].update(codes="planets"),
            "unknown code list 'planets'",
        ),
        ("accounts", lambda d: d["columns"][0].update(type="text"), "unknown type 'text'"),
        ("accounts", lambda d: d.pop("primary_key"), "missing required field"),
        ("accounts", lambda d: d.update(primary_key="nope"), "primary_key 'nope' is not a column"),
        ("accounts", lambda d: d["columns"][0].update(colour="red"), "unknown field"),
        ("transactions", lambda d: d["columns"][2].pop("scale"), "needs an integer 'scale'"),
        ("parties", lambda d: d["columns"].append(dict(d["columns"][0])), "duplicate column"),
        ("shipments", lambda d: d["columns"][7].update(pattern="(["), "not a valid regular"),
    ],
)
def test_bad_contract_is_refused_with_the_reason(contract_copy, file, change, message) -> None:  # type: ignore[no-untyped-def]
    _edit(contract_copy / "tables" / f"{file}.yaml", change)
    with pytest.raises(ContractError, match=message):
        load_contract_from(contract_copy)


def test_foreign_key_cycle_is_refused(contract_copy: Path) -> None:
    _edit(
        contract_copy / "tables" / "parties.yaml",
        lambda d: d["columns"].append(
            {"name": "main_account", "type": "string", "references": "accounts.account_id"}
        ),
    )
    with pytest.raises(ContractError, match="cycle"):
        load_contract_from(contract_copy)


def test_contract_docs_are_up_to_date() -> None:
    import importlib.util

    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location(
        "make_docs", root / "scripts" / "make_contract_docs.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = (root / "docs" / "data-contract.md").read_text(encoding="utf-8")
    assert current == module.render(load_contract()), "run scripts/make_contract_docs.py"
