"""Breeding capacity against a facility table, the workspace's permit checks, and the scenario's
planted laundering found by the three analyses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import onca.workspace
from onca.cli import app
from onca.errors import InputFileError, ParameterError
from onca.synth._cites import write_cites_records
from onca.trade import read_trade
from onca.trade._capacity import capacity, read_facilities, read_productivity
from onca.trade._permits import check_permits
from onca.trade._report import evaluate_trade, trade_section
from tests.finance.conftest import BuildWorkspace
from tests.trade.test_trade import HEADER, ship

runner = CliRunner()

FACILITIES = """facility,country,taxon,breeding_females,offspring_per_female_year,from_year,to_year,source
Granja Uno,ZA,Psittacus erithacus,20,,2010,,registry 12
Granja Dos,ZA,Psittacus erithacus,10,3,2015,,registry 13
Nowhere,QQ,Psittacus erithacus,10,2,,,
Broken,ZA,Psittacus erithacus,-3,2,,,
Late,ZA,Psittacus erithacus,5,2,2016,2012,
Rare,ZA,Amazona rara,5,,,,
"""
PRODUCTIVITY = "taxon,offspring_per_female_year,source\nPsittacus,2.5,breeders' survey\n"


@pytest.fixture
def trade_files(tmp_path: Path) -> tuple[Path, Path, Path]:
    rows = [
        ship(i, 2010 + i, qty, "E", exporter="ZA", importer="AE", source="C")
        for i, qty in enumerate([40, 50, 60, 70, 140, 80, 90])
    ]
    rows.append(ship(20, 2014, 500, "E", exporter="VN", source="C"))  # no facility in VN
    rows.append(ship(21, 2014, 500, "E", exporter="ZA", importer="AE", source="W"))  # wild
    shipments = tmp_path / "shipments.csv"
    shipments.write_text(HEADER + "".join(rows))
    (tmp_path / "facilities.csv").write_text(FACILITIES)
    (tmp_path / "productivity.csv").write_text(PRODUCTIVITY)
    return shipments, tmp_path / "facilities.csv", tmp_path / "productivity.csv"


def test_facilities_are_checked_and_exports_over_capacity_found(
    trade_files: tuple[Path, Path, Path],
) -> None:
    shipments, fac, prod = trade_files
    registry = read_facilities(fac, read_productivity(prod))
    assert [f["facility"] for f in registry.rows] == ["Granja Uno", "Granja Dos"]
    assert registry.rows[0]["offspring_per_female_year"] == 2.5  # from the genus
    assert {q["line"]: q["reason"] for q in registry.quarantine} == {
        4: "country 'QQ' is not an ISO 3166 or CITES country code",
        5: "breeding_females '-3' must be at least zero",
        6: "to_year 2012 is before from_year 2016",
        7: "no offspring_per_female_year for Amazona rara, in the row or the productivity table",
    }
    findings = capacity(read_trade(shipments), registry)
    # capacity 50 a year until 2014, then 50 + 30: 2011 (50) is within 10%, 2012-2013 and 2014 are over
    assert [(f["year"], f["exported"], f["capacity"]) for f in findings] == [
        (2014, 140.0, 50.0),
        (2013, 70.0, 50.0),
        (2012, 60.0, 50.0),
        (2016, 90.0, 80.0),
    ]
    assert findings[0]["explanation"] == (
        "ZA exported 140 captive-bred (C, D, F) Psittacus erithacus in 2014, but its 1 registered"
        " facility (Granja Uno) with 20 breeding females could raise about 50 a year: exports are"
        " 2.8 times capacity (90 over)."
    )
    assert [f["year"] for f in capacity(read_trade(shipments), registry, tolerance=0.5)] == [2014]
    unregistered = capacity(read_trade(shipments), registry, unregistered=True)
    assert any(
        f["exporter"] == "VN" and "no registered breeding facility" in f["explanation"]
        for f in unregistered
    )
    with pytest.raises(ParameterError, match="sources: Z"):
        capacity(read_trade(shipments), registry, sources=("Z",))


def test_bad_facility_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "f.csv").write_text("facility,country\nA,ZA\n")
    with pytest.raises(InputFileError, match="missing taxon, breeding_females"):
        read_facilities(tmp_path / "f.csv")
    (tmp_path / "p.csv").write_text("taxon,offspring_per_female_year\nAra,many\n")
    with pytest.raises(InputFileError, match="line 2: offspring_per_female_year 'many'"):
        read_productivity(tmp_path / "p.csv")


PERMIT_PARTIES = [
    "C1,company,CURTIEMBRE AMAZONICA SAC,,PE,PE,,,,leather goods,,false",
    "Z1,company,SHENZHEN HERBAL CO,,CN,CN,,,,traditional medicine,,false",
]


def test_permit_checks_become_alerts_and_unknown_permits_are_named(
    build_workspace: BuildWorkspace, tmp_path: Path
) -> None:
    ws = build_workspace(
        {
            "parties": PERMIT_PARTIES,
            "permits": [
                "PM1,export,PE,Pecari tajacu,100,number,W,T,2024-01-10,2024-07-08,C1",
                "PK1,export,PE,Isostichopus fuscus,10,kg,W,T,2024-01-10,2024-07-08,C1",
            ],
            "shipments": [
                "S1,2024-02-01T10:00:00Z,C1,Z1,PE,,CN,410390,peccary leather,900.00,USD,30.000,air,PM1",
                "S2,2024-09-01T10:00:00Z,C1,Z1,PE,HK,CN,410390,peccary leather,900.00,USD,30.000,air,PM1",
                "S3,2024-02-01T10:00:00Z,C1,Z1,PE,,CN,030819,sea cucumbers,900.00,USD,30.000,air,PK1",
            ],
        }
    )
    bad = tmp_path / "more_shipments.csv"
    header = (tmp_path / "shipments.csv").read_text().splitlines()[0]
    bad.write_text(
        header + "\nS9,2024-03-01T10:00:00Z,C1,Z1,PE,,CN,410390,leather,9.00,USD,3.000,air,PX9\n"
    )
    from onca.ingest import ingest_files

    assert ingest_files(ws, "shipments", [bad]).quarantined == 1
    with onca.workspace.open(ws) as w:
        result = check_permits(w)
        stored = w.db.fetch(
            "SELECT typology_id, subject_id FROM alerts ORDER BY typology_id, subject_id"
        )
    assert result["by_check"] == {
        "permit_commodity_mismatch": 0,
        "permit_quantity_exceeded": 1,
        "permit_expired_or_early": 1,
        "permit_reused": 1,
        "permit_unknown": 1,
    }
    assert stored == [
        ("permit_expired_or_early", "S2"),
        ("permit_quantity_exceeded", "PK1"),
        ("permit_reused", "PM1"),
    ]
    by = {f["check"]: f for f in result["findings"]}
    assert by["permit_reused"]["shipments"] == ["S1", "S2"]
    assert by["permit_reused"]["countries"] == ["PE", "CN", "HK"]
    assert by["permit_quantity_exceeded"]["quantities"] == {
        "permit_kg": 10.0,
        "shipped_kg": 30.0,
        "n": 1,
    }
    unknown = by["permit_unknown"]
    assert (
        unknown["permit"] == "PX9" and unknown["shipments"] == ["S9"] and unknown["years"] == [2024]
    )
    assert (
        "more_shipments.csv line 2) names permit PX9, which the workspace does not hold"
        in unknown["explanation"]
    )
    out = runner.invoke(app, ["trade", "permits", str(ws), "--json"])
    assert out.exit_code == 0, out.output
    payload = json.loads(out.stdout)
    assert payload["findings_total"] == 4 and all(f["explanation"] for f in payload["findings"])
    text = runner.invoke(app, ["trade", "permits", str(ws), "--tolerance", "3"])
    assert "permit_quantity_exceeded" in text.stdout and "3 findings" in text.stdout
    missing = runner.invoke(app, ["trade", "permits", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 2 and "no such workspace" in missing.output


def test_capacity_cli_with_plots(trade_files: tuple[Path, Path, Path], tmp_path: Path) -> None:
    shipments, fac, prod = trade_files
    result = runner.invoke(
        app,
        [
            "trade",
            "capacity",
            str(shipments),
            "--facilities",
            str(fac),
            "--productivity",
            str(prod),
            "--plots",
            str(tmp_path / "plots"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["findings_total"] == 4 and payload["facilities_quarantined"] == 4
    assert [Path(p).name for p in payload["plots"]] == ["capacity-psittacus-erithacus-za.png"]
    assert (tmp_path / "plots" / "capacity-psittacus-erithacus-za.png").read_bytes()[
        :4
    ] == b"\x89PNG"
    for command in ("mirror", "source-shift"):
        drawn = runner.invoke(
            app, ["trade", command, str(shipments), "--plots", str(tmp_path / command)]
        )
        assert drawn.exit_code == 0, drawn.output
    assert list((tmp_path / "source-shift").glob("shift-*.png")) == []  # no shift in these records


def test_every_planted_pattern_in_the_scenario_is_found(tmp_path: Path) -> None:
    truth = write_cites_records(tmp_path, seed=11)
    assert json.loads((tmp_path / "truth" / "cites_truth.json").read_text()) == truth
    result = evaluate_trade(tmp_path / "cites", truth)
    assert [p["found"] for p in result["planted"]] == [True] * 4, result["planted"]
    assert len(result["data"].quarantine) == truth["malformed_records"]
    assert len(result["facilities"].quarantine) == truth["malformed_facilities"]
    assert result["data"].rows == truth["records"]
    ranks = [p["rank"] for p in result["planted"] if p["pattern"] == "mirror gap"]
    assert sorted(ranks) == [1, 2]  # the planted gaps are the two largest discrepancies
    assert len(result["shifts"]) == 1  # no ordinary route shifts
    section = trade_section(None, folder=tmp_path / "cites", truth=truth)
    summary = section.data
    assert summary["found"] == 4 and len(section.figures) == 4


def test_synth_writes_the_cites_records_on_request(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["synth", "--out", str(tmp_path), "--transactions", "1000", "--cites", "--json"]
    )
    assert result.exit_code == 0, result.output
    truth = json.loads((tmp_path / "truth" / "cites_truth.json").read_text())
    assert read_trade(tmp_path / "cites" / "shipments.csv").rows == truth["records"]
    assert (tmp_path / "cites" / "facilities.csv").is_file() and (
        tmp_path / "cites" / "productivity.csv"
    ).is_file()
