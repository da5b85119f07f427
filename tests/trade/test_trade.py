"""CITES exports: rows checked and quarantined, mirror pairs found by permit and across the new
year, re-exports named, wild-to-captive shifts found, listings by year; small fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onca.cli import app
from onca.errors import InputFileError, ParameterError
from onca.trade import read_trade
from onca.trade._listings import appendix_at
from onca.trade._mirror import mirror
from onca.trade._shift import source_shifts

runner = CliRunner()

COMPTAB = """Year,App.,Taxon,Class,Order,Family,Genus,Importer,Exporter,Origin,Importer reported quantity,Exporter reported quantity,Term,Unit,Purpose,Source
2016,II,Manis javanica,Mammalia,Pholidota,Manidae,Manis,CN,ID,,1000,400,scales,kg,T,W
2016,II,Manis javanica,Mammalia,Pholidota,Manidae,Manis,US,ID,,5,5,skins,,T,W
2017,I,Manis javanica,Mammalia,Pholidota,Manidae,Manis,JP,SG,MY,,2500,scales,g,T,W
2015,II,Manis spp.,Mammalia,Pholidota,Manidae,Manis,US,CN,,12,,shoes,pairs,P,I
2015,II,Manis spp.,Mammalia,Pholidota,Manidae,Manis,US,CN,,3,,feathers of doom,,P,I
2014,II,Manis spp.,Mammalia,Pholidota,Manidae,Manis,QQ,CN,,3,,skins,,P,I
2014,IV,Manis spp.,Mammalia,Pholidota,Manidae,Manis,US,CN,,3,,skins,,P,I
"""

HEADER = "id,year,appendix,taxon,class,ord,family,genus,term,quantity,unit,importer,exporter,origin,purpose,source,reporter_type,import_permit_randomid,export_permit_randomid,origin_permit_randomid\n"


def ship(
    i: int,
    year: int,
    qty: float,
    reporter: str,
    importer: str = "CN",
    exporter: str = "VN",
    source: str = "W",
    permit: str = "",
    origin: str = "",
    term: str = "live",
    unit: str = "",
) -> str:
    return (
        f"{i},{year},II,Psittacus erithacus,Aves,Psittaciformes,Psittacidae,Psittacus,{term},{qty},{unit},"
        f"{importer},{exporter},{origin},T,{source},{reporter},,{permit},\n"
    )


def shipments_csv(tmp: Path) -> Path:
    rows = [
        ship(1, 2015, 100, "E", permit="p1"),
        ship(2, 2015, 160, "I", permit="p1"),  # one permit, 60 apart
        ship(3, 2015, 50, "E", importer="SG"),
        ship(4, 2016, 50, "I", importer="SG"),  # December -> January
        ship(
            5, 2016, 30, "E", importer="AE", exporter="SG", origin="CM"
        ),  # re-export, never imported
        ship(6, 2016, -4, "E"),  # quarantined
    ]
    for k, year in enumerate(range(2010, 2017)):  # ZA: wild until 2013, then captive-bred
        rows.append(
            ship(
                100 + k,
                year,
                200,
                "E",
                exporter="ZA",
                importer="AE",
                source="W" if year < 2014 else "C",
            )
        )
    path = tmp / "shipments.csv"
    path.write_text(HEADER + "".join(rows))
    return path


def test_comptab_rows_are_checked_and_units_harmonised(tmp_path: Path) -> None:
    (tmp_path / "comptab.csv").write_text(COMPTAB)
    data = read_trade(tmp_path / "comptab.csv")
    assert data.kind == "comptab" and (data.rows, data.loaded, len(data.quarantine)) == (7, 4, 3)
    reasons = {q["line"]: q["reason"] for q in data.quarantine}
    assert reasons == {
        6: "term: 'feathers of doom' is not in CITES trade terms (cites_terms)",
        7: "importer: 'QQ' is not in ISO 3166 or CITES country codes (cites_countries)",
        8: "appendix: 'IV' is not in CITES appendices (cites_appendices)",
    }
    grams = data.db.fetch("SELECT exporter_qty, std_unit FROM trade WHERE exporter = 'SG'")
    assert grams == [(2.5, "kg")]  # 2,500 g
    findings = mirror(data)
    assert [round(f["difference"], 3) for f in findings] == [600.0, 12.0, 2.5]
    assert findings[0]["explanation"].startswith(
        "ID reported exporting 400 kg of scales of Manis javanica to CN"
    )
    assert (
        "re-export of specimens from MY" in findings[2]["explanation"] and findings[2]["re_export"]
    )
    assert findings[1]["unit"] == "pairs"  # no rule converts pairs: kept apart


def test_shipments_pair_by_permit_and_across_the_new_year(tmp_path: Path) -> None:
    data = read_trade(shipments_csv(tmp_path))
    assert data.kind == "shipments" and data.loaded == data.rows - 1
    assert "quantity: '-4' must be at least 0" in data.quarantine[0]["reason"]
    findings = {(f["matched_by"], f["importer"]): f for f in mirror(data)}
    permit = findings[("export permit", "CN")]
    assert (permit["exporter_qty"], permit["importer_qty"], permit["permit"]) == (
        100.0,
        160.0,
        "p1",
    )
    assert (
        "route and year",
        "SG",
    ) not in findings  # 50 sent in 2015, 50 received in 2016: balanced
    reexport = findings[("route and year", "AE")]
    assert reexport["importer_missing"] and reexport["re_export"] and reexport["origin"] == "CM"
    assert "AE reported no such import (re-export of specimens from CM)" in reexport["explanation"]


def test_late_shipments_chain_across_years_and_no_report_is_dropped(tmp_path: Path) -> None:
    # Each year one shipment arrives the next year, reported without the permit id; and in
    # 2014 the importer also reports 80 that nobody exported.
    rows = [
        ship(1, 2012, 465, "E"),
        ship(2, 2012, 1, "I"),
        ship(3, 2013, 907, "E"),
        ship(4, 2013, 1020, "I"),
        ship(5, 2014, 690, "E"),
        ship(6, 2014, 1041 + 80, "I"),
    ]
    (tmp_path / "chain.csv").write_text(HEADER + "".join(rows))
    (finding,) = mirror(read_trade(tmp_path / "chain.csv"))
    assert (finding["year_exporter"], finding["difference"]) == (2014, 80.0)
    assert finding["lag_previous"] == 351.0
    assert finding["explanation"] == (
        "VN reported exporting 690 live specimens of Psittacus erithacus to CN and CN reported"
        " importing 1,121 (2014); 351 of CN's reports match VN's exports of the years before"
        " (shipments across the new year): an unexplained difference of 80."
    )
    # The importer's own-year report stays in play when the exporter's year took the next one.
    rows = [
        ship(1, 2020, 24, "E"),
        ship(2, 2020, 1519, "I"),
        ship(3, 2021, 300, "E"),
        ship(4, 2021, 310, "I"),
    ]
    (tmp_path / "gap.csv").write_text(HEADER + "".join(rows))
    found = {f["year_exporter"]: f["difference"] for f in mirror(read_trade(tmp_path / "gap.csv"))}
    assert found == {2020: 1495.0, 2021: 10.0}
    # A gap stays in its own year: the importer missed 400 in 2015 and then reported in step.
    rows = [ship(10 + k, y, 1000, "E") for k, y in enumerate(range(2014, 2020))]
    rows += [
        ship(30 + k, y, 600 if y == 2015 else 1000, "I") for k, y in enumerate(range(2014, 2020))
    ]
    (tmp_path / "late.csv").write_text(HEADER + "".join(rows))
    found = {f["year_exporter"]: f["difference"] for f in mirror(read_trade(tmp_path / "late.csv"))}
    assert found == {2015: 400.0}


def test_a_wild_to_captive_shift_is_found(tmp_path: Path) -> None:
    data = read_trade(shipments_csv(tmp_path))
    shifts = source_shifts(data)
    assert len(shifts) == 1
    s = shifts[0]
    assert (s["exporter"], s["direction"]) == ("ZA", "wild to captive")
    assert s["years_before"] == [2010, 2013] and s["years_after"] == [2014, 2016]
    assert s["captive_share_before"] == 0 and s["captive_share_after"] == 1
    assert s["explanation"] == (
        "ZA's trade in Psittacus erithacus was 0% captive-bred or ranched (C, D, F, R) in 2010-2013"
        " (800 specimens) and 100% in 2014-2016 (600 specimens): a shift from wild to captive."
    )
    with pytest.raises(ParameterError, match="min_change"):
        source_shifts(data, min_change=2)


def test_listings_know_the_appendix_in_a_year() -> None:
    assert appendix_at("Panthera onca", 1990) == "I"
    assert appendix_at("Manis javanica", 2016, family="Manidae") == "II"
    assert appendix_at("Manis javanica", 2017, family="Manidae") == "I"  # CoP17, 2 January 2017
    assert appendix_at("Manis spp.", 2018) is None  # no family given, genus not listed alone
    assert appendix_at("Psittacus erithacus", 2010) is None


def test_cli(tmp_path: Path) -> None:
    path = shipments_csv(tmp_path)
    result = runner.invoke(app, ["trade", "mirror", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["format"] == "shipments" and data["quarantined"] == 1
    assert data["findings"] and all("explanation" in f and "taxon" in f for f in data["findings"])
    shift = json.loads(runner.invoke(app, ["trade", "source-shift", str(path), "--json"]).stdout)
    assert shift["findings"][0]["years_after"] == [2014, 2016]
    text = runner.invoke(app, ["trade", "mirror", str(path)])
    assert text.exit_code == 0 and "mirror discrepancies" in text.stdout
    (tmp_path / "other.csv").write_text("a,b\n1,2\n")
    bad = runner.invoke(app, ["trade", "mirror", str(tmp_path / "other.csv")])
    assert bad.exit_code == 2 and "not a CITES export" in bad.output
    with pytest.raises(InputFileError, match="not found"):
        read_trade(tmp_path / "missing.csv")


def test_a_file_with_exactly_the_listed_columns_is_read(tmp_path: Path) -> None:
    # The error message lists the columns a file needs; a file with just those must work
    # (family, genus and the permit ids are optional).
    from onca.trade._read import COMPTAB as COMPTAB_COLUMNS
    from onca.trade._read import SHIPMENTS

    shipments = tmp_path / "shipments.csv"
    shipments.write_text(
        ",".join(SHIPMENTS) + "\n"
        "1,2015,II,Psittacus erithacus,live,100,,CN,VN,,T,W,E\n"
        "2,2015,II,Psittacus erithacus,live,160,,CN,VN,,T,W,I\n"
        "3,2015,II,Psittacus erithacus,live,-1,,CN,VN,,T,W,I\n"
    )
    result = runner.invoke(app, ["trade", "mirror", str(shipments), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert (payload["rows"], payload["loaded"], payload["quarantined"]) == (3, 2, 1)
    [finding] = payload["findings"]
    assert (finding["matched_by"], finding["difference"]) == ("route and year", 60.0)

    comptab = tmp_path / "comptab.csv"
    comptab.write_text(
        ",".join(f'"{c}"' for c in COMPTAB_COLUMNS) + "\n"
        "2016,II,Manis javanica,CN,ID,,1000,400,scales,kg,T,W\n"
    )
    data = read_trade(comptab)
    assert data.db.fetch("SELECT family, genus FROM trade") == [(None, None)]
    assert [f["difference"] for f in mirror(data)] == [600.0]
    for command in (["source-shift"], ["mirror", "--plots", str(tmp_path / "plots")]):
        result = runner.invoke(app, ["trade", command[0], str(comptab), *command[1:]])
        assert result.exit_code == 0, result.output

    other = tmp_path / "other.csv"
    other.write_text(",".join(SHIPMENTS[:-1]) + "\n")
    bad = runner.invoke(app, ["trade", "mirror", str(other)])
    assert bad.exit_code == 2 and "reporter_type; optionally family, genus" in bad.output


def test_a_workspace_the_caller_gives_stays_open_and_keeps_its_own_quarantine(
    tmp_path: Path,
) -> None:
    import onca.workspace

    (tmp_path / "comptab.csv").write_text(COMPTAB)
    with onca.workspace.open(tmp_path / "w.duckdb") as ws:
        with read_trade(tmp_path / "comptab.csv", ws) as first:
            assert len(first.quarantine) == 3
        assert ws.db.scalar("SELECT count(*) FROM cites_comptab") == 4  # still open
        (tmp_path / "comptab.csv").write_text(COMPTAB.replace("feathers of doom", "scales"))
        with read_trade(tmp_path / "comptab.csv", ws) as second:
            assert len(second.quarantine) == 2  # this read's rejects, not the first read's too
