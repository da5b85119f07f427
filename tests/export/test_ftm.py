from __future__ import annotations

import io
import json
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from followthemoney import model
from followthemoney.proxy import EntityProxy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onca.errors import WorkspaceError
from onca.export import ExportError, entity_id, export_ftm
from onca.ingest import ingest_files
from tests.conftest import ACCOUNTS_CSV, HEADER_TX, write


def reload(lines: list[str]) -> dict[str, EntityProxy]:
    """Parse every line with followthemoney, cleaning values, and check nothing was dropped."""
    out = {}
    for line in lines:
        data = json.loads(line)
        proxy = EntityProxy.from_dict(data, cleaned=False)
        assert proxy.schema.name == data["schema"]
        assert proxy.to_dict()["properties"] == data["properties"], data
        for prop in proxy.schema.required:
            assert proxy.get(prop), (data, prop)
        out[proxy.id] = proxy  # type: ignore[index]
    return out


def test_export_of_a_small_workspace(loaded_ws: Path, tmp_path: Path) -> None:
    pep = write(
        tmp_path / "pep.csv", "party_id,kind,name,is_pep,country\nP9,person,Ana Quispe,true,PE\n"
    )
    ingest_files(loaded_ws, "parties", [pep])
    counts = export_ftm(loaded_ws, tmp_path / "out.ftm.json")
    assert counts == {"Person": 3, "Company": 1, "BankAccount": 3, "Ownership": 3, "Payment": 3}
    entities = reload((tmp_path / "out.ftm.json").read_text(encoding="utf-8").splitlines())
    jose = entities["onca-party-P1"]
    assert jose.get("name") == ["José Pérez Quispe"] and jose.get("birthDate") == ["1980-02-01"]
    assert entities["onca-party-P9"].get("topics") == ["role.pep"]
    assert entities["onca-party-P2"].schema.name == "Company"
    assert entities["onca-party-P2"].get("sector") == ["pet shop"]
    owner = entities["onca-holds-A1"]
    assert owner.get("owner") == ["onca-party-P1"] and owner.get("asset") == ["onca-account-A1"]
    wire = entities["onca-txn-T1"]
    assert wire.get("payer") == ["onca-party-P1"] and wire.get("beneficiary") == ["onca-party-P2"]
    assert wire.get("amount") == ["100.50"] and wire.get("currency") == ["BOB"]
    assert wire.get("date") == ["2024-01-01T10:00:00"]
    cash = entities["onca-txn-T2"]  # cash deposit: the holder of A3 on both sides
    assert cash.get("payer") == cash.get("beneficiary") == ["onca-party-P3"]
    assert cash.get("payerAccount") == [] and cash.get("beneficiaryAccount") == ["onca-account-A3"]
    assert cash.get("description") == ["cash deposit by cash"]
    for entity in entities.values():  # every reference points at an exported entity
        for prop, value in entity.itervalues():
            if prop.type.name == "entity":
                assert value in entities, (entity.id, prop.name, value)


def test_export_to_a_stream(loaded_ws: Path) -> None:
    buffer = io.StringIO()
    counts = export_ftm(loaded_ws, buffer, dataset="bank-x")
    lines = buffer.getvalue().splitlines()
    assert len(lines) == sum(counts.values())
    assert all(json.loads(line)["id"].startswith("bank-x-") for line in lines)


def test_odd_identifiers_get_hashed_ids() -> None:
    assert entity_id("onca", "party", "P-1.a") == "onca-party-P-1.a"
    assert entity_id("onca", "party", "P_1") != "onca-party-P_1"  # FtM ids allow no underscore
    odd = entity_id("onca", "party", "José / 12")
    assert (
        odd.startswith("onca-party-")
        and " " not in odd
        and odd == entity_id("onca", "party", "José / 12")
    )


def test_bad_input(tmp_path: Path, loaded_ws: Path) -> None:
    with pytest.raises(WorkspaceError, match="no workspace at"):
        export_ftm(tmp_path / "none.duckdb", tmp_path / "x.json")
    with pytest.raises(ExportError, match="dataset 'Bad Name'"):
        export_ftm(loaded_ws, tmp_path / "x.json", dataset="Bad Name")


# Names in any script; FtM removes invisible format characters (Cf, e.g. soft hyphens), which
# test_invisible_name_gets_a_placeholder covers on its own.
_name = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cf", "Cs", "Zl", "Zp", "Zs")),
    min_size=1,
    max_size=30,
)


def test_invisible_name_gets_a_placeholder(tmp_path: Path) -> None:
    ws = tmp_path / "ws.duckdb"
    ingest_files(
        ws, "parties", [write(tmp_path / "p.csv", "party_id,kind,name\nP1,person,\u00ad\n")]
    )
    buffer = io.StringIO()
    export_ftm(ws, buffer)
    [person] = reload(buffer.getvalue().splitlines()).values()
    assert person.get("name") == ["(unnamed party P1)"]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=_name, cents=st.integers(1, 10**12))
def test_names_and_amounts_survive_export(tmp_path_factory, name, cents) -> None:  # type: ignore[no-untyped-def]
    import csv

    base = tmp_path_factory.mktemp("ftm")
    ws = base / "ws.duckdb"
    with (base / "p.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerows(
            [
                ["party_id", "kind", "name"],
                ["P1", "person", name],
                ["P2", "company", name],
                ["P3", "person", "x"],
            ]
        )
    ingest_files(ws, "parties", [base / "p.csv"])
    ingest_files(ws, "accounts", [write(base / "a.csv", ACCOUNTS_CSV)])
    amount = Decimal(cents) / 100
    ingest_files(
        ws,
        "transactions",
        [write(base / "t.csv", HEADER_TX + f"T1,2024-01-01T00:00:00Z,{amount},USD,A1,A2,wire,\n")],
    )
    buffer = io.StringIO()
    export_ftm(ws, buffer)
    entities = reload(buffer.getvalue().splitlines())
    # FtM stores text in Unicode normal form C (a CJK compatibility ideograph becomes its
    # unified twin): canonically the same name.
    assert entities["onca-party-P1"].get("name") == [unicodedata.normalize("NFC", name.strip())]
    assert Decimal(entities["onca-txn-T1"].first("amount") or "0") == amount
    assert model.get("Payment") is entities["onca-txn-T1"].schema
