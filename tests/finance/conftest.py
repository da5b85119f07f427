"""Fixtures for screening tests: tiny hand-made workspaces, and one typology run on them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

import onca.workspace
from onca.engines import DuckDBEngine
from onca.finance import Alert, load_library, run_typologies
from onca.finance._typology import Typology
from onca.ingest import ingest_files

PARTY_HEADER = "party_id,kind,name,birth_date,nationality,country,address,phone,id_number,industry,occupation,is_pep"
ACCOUNT_HEADER = "account_id,holder_id,institution,country,currency,opened_at,kind"
TXN_HEADER = "txn_id,ts,amount,currency,from_account,to_account,channel,narrative"
SHIPMENT_HEADER = (
    "shipment_id,ts,consignor_id,consignee_id,origin_country,transit_countries,"
    "destination_country,hs_code,goods_description,declared_value,currency,weight_kg,"
    "transport_mode,permit_id"
)
PERMIT_HEADER = (
    "permit_id,permit_type,issuing_country,taxon,quantity,unit,source_code,purpose_code,"
    "issued_at,valid_until,holder_id"
)
SEIZURE_HEADER = (
    "seizure_id,ts,country,place,lat,lon,agency,taxon,commodity,quantity,unit,value_usd,"
    "transport_mode,origin_country,transit_countries,destination_country,offender_ids,shipment_id"
)
HEADERS = {
    "parties": PARTY_HEADER,
    "accounts": ACCOUNT_HEADER,
    "transactions": TXN_HEADER,
    "permits": PERMIT_HEADER,
    "shipments": SHIPMENT_HEADER,
    "seizures": SEIZURE_HEADER,
}
ORDER = ("parties", "accounts", "permits", "shipments", "transactions", "seizures")


@pytest.fixture(scope="session")
def library() -> dict[str, Typology]:
    return load_library()


BuildWorkspace = Callable[[Mapping[str, list[str]]], Path]


@pytest.fixture
def build_workspace(tmp_path: Path) -> BuildWorkspace:
    """Ingest CSV rows (without header) per table into a new workspace; every row must load."""

    def build(rows: Mapping[str, list[str]]) -> Path:
        path = tmp_path / "ws.duckdb"
        for kind in ORDER:
            if kind not in rows:
                continue
            file = tmp_path / f"{kind}.csv"
            file.write_text(HEADERS[kind] + "\n" + "\n".join(rows[kind]) + "\n", encoding="utf-8")
            result = ingest_files(path, kind, [file])
            assert result.quarantined == 0, result.to_dict()
        return path

    return build


RunTypology = Callable[..., list[Alert]]


@pytest.fixture
def run_typology(library: dict[str, Typology]) -> RunTypology:
    """Run one typology (DuckDB) on a workspace path; keyword arguments override parameters."""

    def run(path: Path, typology_id: str, **params: Any) -> list[Alert]:
        with onca.workspace.open(path) as ws:
            alerts, _ = run_typologies(
                DuckDBEngine.from_workspace(ws),
                [library[typology_id]],
                parameters={typology_id: params} if params else None,
            )
        return alerts

    return run


SCENARIO_TRANSACTIONS = 40_000
SCENARIO_SEED = 7


@pytest.fixture(scope="session")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small Operation Jaguar world ingested into a workspace: (workspace, truth folder)."""
    from onca.contract import load_contract
    from onca.synth import generate_scenario

    folder = tmp_path_factory.mktemp("screening")
    summary = generate_scenario(
        folder / "world", transactions=SCENARIO_TRANSACTIONS, seed=SCENARIO_SEED, fmt="parquet"
    )
    path = folder / "ws.duckdb"
    for kind in load_contract().load_order():
        if kind not in summary.counts:  # the CITES records are written for onca trade
            continue
        result = ingest_files(path, kind, [summary.out_dir / f"{kind}.parquet"])
        assert result.quarantined == 0
    return path, summary.truth_dir
