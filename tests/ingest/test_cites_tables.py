"""CITES trade records are contract tables: the Trade Database's headers are read under the
contract's names, unit names become unit codes, the comparative tabulation (a table without a
primary key) loads once however often its file is given, and shipments keep their ids unique."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import onca.workspace
from onca.cli import app
from onca.ingest import ingest_files
from tests.conftest import write

COMPTAB = (
    "Year,App.,Taxon,Class,Order,Family,Genus,Importer,Exporter,Origin,"
    "Importer reported quantity,Exporter reported quantity,Term,Unit,Purpose,Source\n"
)


def test_a_comparative_tabulation_loads_once_under_the_contracts_names(tmp_path: Path) -> None:
    ws = tmp_path / "ws.duckdb"
    f = write(
        tmp_path / "comptab.csv",
        COMPTAB
        + "2016,II,Manis javanica,Mammalia,Pholidota,Manidae,Manis,CN,ID,,1000,400,Scales,kilograms,T,W\n"
        + "2016,II,Manis javanica,Mammalia,Pholidota,Manidae,Manis,US,ID,XX,5,,skins,Number of specimens,,\n"
        + "2016,II,Manis javanica,Mammalia,Pholidota,Manidae,Manis,US,ID,,,,skins,,T,W\n"
        + "2016,II,Manis javanica,Mammalia,Pholidota,Manidae,Manis,US,ID,,-2,,skins,kgs,T,W\n",
    )
    first = ingest_files(ws, "cites_comptab", [f])
    assert (first.rows, first.loaded, first.inserted, first.quarantined) == (4, 2, 2, 2)
    assert sorted(first.files[0].ignored_columns) == ["class", "order"]
    with onca.workspace.open(ws) as w:
        rows = w.db.query(
            "SELECT appendix, importer, origin, importer_qty, exporter_qty, term, unit"
            " FROM cites_comptab ORDER BY importer"
        )
        reasons = [r for (r,) in w.db.fetch("SELECT reason FROM quarantine ORDER BY line")]
    assert rows == [
        {
            "appendix": "II",
            "importer": "CN",
            "origin": None,
            "importer_qty": 1000.0,
            "exporter_qty": 400.0,
            "term": "scales",
            "unit": "kg",
        },
        {
            "appendix": "II",
            "importer": "US",
            "origin": "XX",
            "importer_qty": 5.0,
            "exporter_qty": None,
            "term": "skins",
            "unit": "number",
        },
    ]
    assert reasons == [
        "neither importer nor exporter reported a quantity",
        "importer_qty: '-2' must be at least 0; unit: 'kgs' is not in CITES units of quantity (cites_units)",
    ]
    again = ingest_files(ws, "cites_comptab", [f])  # no key: the ingest log knows the file
    assert (again.rows, again.loaded, again.inserted, again.unchanged) == (4, 2, 0, 2)
    with onca.workspace.open(ws) as w:
        assert w.db.row_count("cites_comptab") == 2
        assert w.db.row_count("quarantine") == 2


def test_shipment_records_keep_their_ids_unique(tmp_path: Path) -> None:
    header = "id,year,appendix,taxon,term,quantity,unit,importer,exporter,origin,purpose,source,reporter_type\n"
    f = write(
        tmp_path / "shipments.csv",
        header
        + "1,2015,II,Psittacus erithacus,live,100,,CN,VN,,T,W,E\n"
        + "1,2015,II,Psittacus erithacus,live,160,,CN,VN,,T,W,I\n"
        + "2,1970,II,Psittacus erithacus,live,5,,CN,VN,,T,W,X\n",
    )
    result = CliRunner().invoke(
        app, ["ingest", str(tmp_path / "ws.duckdb"), "cites_shipments", str(f), "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert (payload["rows"], payload["loaded"], payload["quarantined"]) == (3, 1, 2)
    reasons = dict(payload["files"][0]["top_reasons"])
    assert "id: '1' appears more than once in this file (kept the first, line 2)" in reasons
    assert (
        "year: '1970' must be at least 1975; reporter_type: 'X' is not in"
        " Who reported a CITES trade record (cites_reporter_types)"
    ) in reasons
