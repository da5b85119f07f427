"""The bad-input suite: every kind of broken file a user will hand us, and what Onca does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import onca.workspace
from onca.errors import InputFileError
from onca.ingest import ingest_files
from tests.conftest import HEADER_TX as HEADER
from tests.conftest import write


def quarantine_rows(ws: Path) -> list[tuple[int, int, str, dict[str, str]]]:
    with onca.workspace.open(ws) as w:
        rows = w.con.execute(
            "SELECT row_number, line, reason, CAST(original AS VARCHAR) FROM quarantine"
            " ORDER BY row_number"
        ).fetchall()
    return [(r[0], r[1], r[2], json.loads(r[3])) for r in rows]


def test_empty_file_is_refused_before_anything_is_written(loaded_ws: Path, tmp_path: Path) -> None:
    empty = write(tmp_path / "empty.csv", "")
    with pytest.raises(InputFileError, match=r"empty \(0 bytes\)"):
        ingest_files(loaded_ws, "transactions", [empty])


def test_header_only_loads_nothing_and_says_so(loaded_ws: Path, tmp_path: Path) -> None:
    result = ingest_files(loaded_ws, "transactions", [write(tmp_path / "h.csv", HEADER)])
    assert (result.rows, result.loaded, result.quarantined) == (0, 0, 0)


def test_missing_required_column_is_named(loaded_ws: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "m.csv", "txn_id,ts,currency,channel\nT9,2024-01-01,USD,wire\n")
    with pytest.raises(InputFileError, match=r"missing required column.*amount"):
        ingest_files(loaded_ws, "transactions", [f])


def test_wrong_delimiter_is_explained(loaded_ws: Path, tmp_path: Path) -> None:
    text = HEADER.replace(",", ";") + "T9;2024-01-01;5;USD;A1;A2;wire;x\n"
    f = write(tmp_path / "semi.csv", text)
    with pytest.raises(InputFileError, match=r"single column with delimiter ','.*--delimiter"):
        ingest_files(loaded_ws, "transactions", [f], delimiter=",")
    # Detected by default: European spreadsheets write ';'
    result = ingest_files(loaded_ws, "transactions", [f])
    assert (result.loaded, result.quarantined) == (1, 0)
    assert result.files[0].delimiter == ";"


def test_latin1_spanish_names_are_read_correctly(tmp_path: Path) -> None:
    text = "party_id,kind,name,country\nP1,person,Begoña Muñoz Ibáñez,ES\nP2,person,João Conceição,BR\n"
    f = write(tmp_path / "latin1.csv", text, encoding="latin-1")
    ws = tmp_path / "ws.duckdb"
    result = ingest_files(ws, "parties", [f])
    assert result.loaded == 2
    assert result.files[0].encoding == "latin-1"
    assert any("not valid UTF-8" in w for w in result.files[0].warnings)
    with onca.workspace.open(ws) as w:
        names = [
            r[0] for r in w.con.execute("SELECT name FROM parties ORDER BY party_id").fetchall()
        ]
    assert names == ["Begoña Muñoz Ibáñez", "João Conceição"]


def test_malformed_dates_amounts_and_codes_are_quarantined_with_reasons(
    loaded_ws: Path, tmp_path: Path
) -> None:
    text = HEADER + (
        "T10,2024-02-30T10:00:00Z,5.00,USD,A1,A2,wire,bad day\n"
        'T11,2024-01-05T10:00:00Z,"1,234.50",USD,A1,A2,wire,thousands separator\n'
        "T12,2024-01-05T10:00:00Z,12.5,ZZZ,A1,A2,wire,unknown currency\n"
        "T13,2024-01-05T10:00:00Z,12.5,usd,A1,A2,Wire,fine after normalising\n"
        "T14,2024-01-05T10:00:00Z,-3,USD,A1,A2,wire,negative\n"
        "T15,,12.5,USD,A1,A2,telepathy,no ts\n"
        "T16,2024-01-05T10:00:00Z,0.001,USD,A1,A2,wire,rounds to zero\n"
        "T17,2024-01-05T10:00:00Z,99999999999999999999,USD,A1,A2,wire,too large\n"
        "T18,2024-01-05T10:00:00Z,NaN,USD,A1,A2,wire,not a number\n"
    )
    result = ingest_files(loaded_ws, "transactions", [write(tmp_path / "t.csv", text)])
    assert (result.rows, result.loaded, result.quarantined) == (9, 1, 8)
    reasons = {row[3]["txn_id"]: row[2] for row in quarantine_rows(loaded_ws)}
    assert (
        reasons["T10"]
        == "ts: '2024-02-30T10:00:00Z' is not an ISO 8601 timestamp (expected e.g. 2024-05-01T13:45:00Z)"
    )
    assert reasons["T11"].startswith("amount: '1,234.50' is not a number")
    assert reasons["T12"] == "currency: 'ZZZ' is not in ISO 4217 currency codes (currencies)"
    assert reasons["T14"] == "amount: '-3' must be greater than 0"
    assert reasons["T16"] == "amount: '0.001' has more than 2 decimal places"
    assert (
        reasons["T17"]
        == "amount: '99999999999999999999' is too large (at most 16 digits before the decimal point)"
    )
    assert reasons["T18"].startswith("amount: 'NaN' is not a number")
    assert "ts: required but empty" in reasons["T15"] and "channel: 'telepathy'" in reasons["T15"]
    with onca.workspace.open(loaded_ws) as w:
        row = w.con.execute(
            "SELECT currency, channel FROM transactions WHERE txn_id = 'T13'"
        ).fetchall()
    assert row == [("USD", "wire")]


def test_unknown_accounts_are_quarantined(loaded_ws: Path, tmp_path: Path) -> None:
    text = (
        HEADER.replace("\n", ",branch\n") + "T20,2024-01-05T10:00:00Z,5,USD,A1,NOPE,wire,x,Lima\n"
    )
    result = ingest_files(loaded_ws, "transactions", [write(tmp_path / "t.csv", text)])
    assert result.quarantined == 1
    [(row, line, reason, original)] = quarantine_rows(loaded_ws)
    assert (row, line) == (1, 2)
    assert reason == "to_account: 'NOPE' is not in accounts (no such account_id)"
    assert original["to_account"] == "NOPE"
    assert original["branch"] == "Lima"  # columns outside the contract are kept in quarantine too


def test_unknown_party_in_a_list_column(tmp_path: Path) -> None:
    ws = tmp_path / "ws.duckdb"
    ingest_files(ws, "parties", [write(tmp_path / "p.csv", "party_id,kind,name\nP1,person,Ana\n")])
    text = (
        "seizure_id,ts,country,taxon,offender_ids,transit_countries\n"
        "S1,2024-03-01T08:00:00Z,BO,Panthera onca,P1,br;ae\n"
        "S2,2024-03-01T08:00:00Z,BO,Panthera onca,P1;P7;P8,XX\n"
    )
    result = ingest_files(ws, "seizures", [write(tmp_path / "s.csv", text)])
    assert (result.loaded, result.quarantined) == (1, 1)
    [(_, _, reason, _)] = quarantine_rows(ws)
    assert "transit_countries: XX not in ISO 3166-1 alpha-2 country codes" in reason
    assert "offender_ids: P7, P8 is not in parties" in reason
    with onca.workspace.open(ws) as w:
        got = w.con.execute("SELECT transit_countries, offender_ids FROM seizures").fetchall()
    assert got == [(["BR", "AE"], ["P1"])]


def test_duplicate_ids_keep_the_first_and_quarantine_the_rest(
    loaded_ws: Path, tmp_path: Path
) -> None:
    text = HEADER + (
        "T30,2024-01-05T10:00:00Z,5,USD,A1,A2,wire,first\n"
        "T30,2024-01-05T10:00:00Z,6,USD,A1,A2,wire,second\n"
    )
    result = ingest_files(loaded_ws, "transactions", [write(tmp_path / "d.csv", text)])
    assert (result.loaded, result.quarantined) == (1, 1)
    [(row, _, reason, original)] = quarantine_rows(loaded_ws)
    assert row == 2 and original["narrative"] == "second"
    assert reason == "txn_id: 'T30' appears more than once in this file (kept the first, line 2)"


def test_changed_row_with_a_known_id_is_not_overwritten(loaded_ws: Path, tmp_path: Path) -> None:
    text = HEADER + "T1,2024-01-01T10:00:00Z,999.00,BOB,A1,A2,wire,pago factura 12\n"
    result = ingest_files(loaded_ws, "transactions", [write(tmp_path / "c.csv", text)])
    assert result.quarantined == 1
    [(_, _, reason, _)] = quarantine_rows(loaded_ws)
    assert (
        reason
        == "txn_id: 'T1' is already in the workspace with different values (amount); ingest never overwrites"
    )


def test_row_with_wrong_field_count_is_kept_with_its_text_and_line(
    loaded_ws: Path, tmp_path: Path
) -> None:
    text = HEADER + (
        'T40,2024-01-05T10:00:00Z,5,USD,A1,A2,wire,"two\nlines"\n'
        "T41,2024-01-05T10:00:00Z,5\n"
        "T42,2024-01-05T10:00:00Z,5,USD,A1,A2,wire,ok\n"
    )
    result = ingest_files(loaded_ws, "transactions", [write(tmp_path / "w.csv", text)])
    assert (result.rows, result.loaded, result.quarantined) == (3, 2, 1)
    [(row, line, reason, original)] = quarantine_rows(loaded_ws)
    assert (row, line) == (2, 4)
    assert reason == "row has 3 fields but the header has 8"
    assert original == {"raw": "T41,2024-01-05T10:00:00Z,5"}


def test_missing_file_and_unknown_suffix(loaded_ws: Path, tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such file"):
        ingest_files(loaded_ws, "transactions", [tmp_path / "absent.csv"])
    odd = write(tmp_path / "data.dat", HEADER)
    with pytest.raises(InputFileError, match="cannot tell the format"):
        ingest_files(loaded_ws, "transactions", [odd])


def test_wrong_types_in_parties(tmp_path: Path) -> None:
    text = (
        "party_id,kind,name,birth_date,is_pep,country\n"
        "P1,alien,X,1980-01-01,true,BO\n"
        "P2,person,,01/02/1980,maybe,Bolivia\n"
    )
    ws = tmp_path / "ws.duckdb"
    result = ingest_files(ws, "parties", [write(tmp_path / "p.csv", text)])
    assert result.quarantined == 2
    reasons = [r[2] for r in quarantine_rows(ws)]
    assert reasons[0] == "kind: 'alien' is not in Kinds of party (party_kinds)"
    assert "name: required but empty" in reasons[1]
    assert "birth_date: '01/02/1980' is not a date (expected YYYY-MM-DD)" in reasons[1]
    assert "is_pep: 'maybe' is not true or false" in reasons[1]
    assert "country: 'Bolivia' is not in ISO 3166-1 alpha-2" in reasons[1]


def test_loading_in_the_wrong_order_is_explained(tmp_path: Path) -> None:
    f = write(tmp_path / "t.csv", HEADER + "T1,2024-01-05T10:00:00Z,5,USD,A1,A2,wire,x\n")
    result = ingest_files(tmp_path / "ws.duckdb", "transactions", [f])
    assert result.quarantined == 1
    assert any(
        "accounts is empty" in w and "load accounts first" in w for w in result.files[0].warnings
    )
