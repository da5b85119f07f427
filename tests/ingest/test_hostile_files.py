"""Files built to break the readers (from an outside security test): Parquet with nested and binary
columns, CSV fields larger than the readers' limits, UTF-16 text. Each either loads sensibly or is
refused with a message naming the file, column or line; never a traceback, and rows always equal
loaded + quarantined."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import onca.workspace
from onca.errors import InputFileError
from onca.ingest import ingest_files
from onca.ingest._readers import CSV_BLOCK_BYTES
from tests.conftest import write

PARTIES = {
    "party_id": ["P1", "P2", "P3"],
    "kind": ["person", "person", "company"],
    "name": ["José Muñoz", "Ana", "São Paulo Ltda"],
}

NESTED = {
    "struct": pa.array(
        [{"a": 1, "b": "x"}, None, {"a": 2, "b": "y"}],
        pa.struct([("a", pa.int64()), ("b", pa.string())]),
    ),
    "map": pa.array([[("k", "v")], None, []], pa.map_(pa.string(), pa.string())),
    "nested list": pa.array([[[1, 2], [3]], None, [[4]]], pa.list_(pa.list_(pa.int64()))),
    "list of structs": pa.array([[{"a": 1}], [], None], pa.list_(pa.struct([("a", pa.int64())]))),
}


def names(ws: Path) -> list[tuple[str, str]]:
    with onca.workspace.open(ws) as w:
        return w.con.execute("SELECT party_id, name FROM parties ORDER BY party_id").fetchall()


def quarantined(ws: Path) -> list[tuple[int, str, dict[str, str]]]:
    with onca.workspace.open(ws) as w:
        rows = w.con.execute(
            "SELECT row_number, reason, CAST(original AS VARCHAR) FROM quarantine"
            " ORDER BY row_number"
        ).fetchall()
    return [(r[0], r[1], json.loads(r[2])) for r in rows]


# -- Parquet: nested and binary columns -----------------------------------------------------


@pytest.mark.parametrize("kind", sorted(NESTED))
def test_a_nested_column_the_contract_does_not_use_is_left_out(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({**PARTIES, "extra": NESTED[kind]}), path)
    ws = tmp_path / "ws.duckdb"
    result = ingest_files(ws, "parties", [path])
    assert (result.rows, result.loaded, result.quarantined) == (3, 3, 0)
    [warning] = result.files[0].warnings
    outer = str(NESTED[kind].type).split("<")[0]  # struct, map or list
    assert f"left out column(s) extra ({outer}<" in warning and "not use" in warning
    assert result.files[0].ignored_columns == ["extra"]
    assert names(ws)[0] == ("P1", "José Muñoz")


@pytest.mark.parametrize("kind", sorted(NESTED))
def test_a_nested_column_the_contract_needs_refuses_the_file(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({**PARTIES, "name": NESTED[kind]}), path)
    ws = tmp_path / "ws.duckdb"
    outer = str(NESTED[kind].type).split("<")[0]  # struct, map or list
    expected = rf"p\.parquet: column\(s\) 'name' \({outer}<.*\) hold nested values.*Flatten"
    with pytest.raises(InputFileError, match=expected):
        ingest_files(ws, "parties", [path])
    with onca.workspace.open(ws) as w:  # refused before anything was written
        assert w.con.execute("SELECT count(*) FROM ingest_log").fetchone() == (0,)


def test_binary_text_loads_and_bytes_that_are_not_text_are_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "b.parquet"
    ids = pa.array([b"P1", b"P2", b"P3", b"P4"], pa.binary())  # text stored as bytes (old Spark)
    name = pa.array(["José Muñoz".encode(), b"\xff\xfe\x00", None, b"ok"], pa.large_binary())
    kind = pa.array(["person", "person", "alien", "person"])
    photo = pa.array([b"\x89PNG\r\n", b"\x00", None, b"\xff"], pa.binary())
    pq.write_table(pa.table({"party_id": ids, "kind": kind, "name": name, "photo": photo}), path)
    ws = tmp_path / "ws.duckdb"
    result = ingest_files(ws, "parties", [path])
    assert (result.rows, result.loaded, result.quarantined) == (4, 2, 2)
    assert names(ws) == [("P1", "José Muñoz"), ("P4", "ok")]
    [(row2, why2, original2), (row3, why3, _)] = quarantined(ws)
    assert (row2, why2) == (2, "name: binary value 0xfffe00 is not UTF-8 text")
    assert json.loads(original2["raw"]) == {"party_id": "P2", "kind": "person", "name": "0xfffe00"}
    assert row3 == 3 and "kind: 'alien'" in why3  # rows after a quarantined one keep their number
    assert any("left out column(s) photo (binary)" in w for w in result.files[0].warnings)


def test_a_binary_list_column_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "l.parquet"
    tags = pa.array([[b"a", b"b"], None, [b"\xc3"]], pa.list_(pa.binary()))
    pq.write_table(pa.table({**PARTIES, "name": tags}), path)
    ws = tmp_path / "ws.duckdb"
    result = ingest_files(ws, "parties", [path])
    assert (result.rows, result.loaded, result.quarantined) == (3, 1, 2)
    assert names(ws) == [("P1", "a;b")]
    reasons = [r[1] for r in quarantined(ws)]
    assert reasons == ["name: required but empty", "name: binary value 0xc3 is not UTF-8 text"]


# -- CSV: fields larger than the readers' limits --------------------------------------------


def test_a_field_larger_than_a_csv_block_is_named_by_its_line(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write("party_id,kind,name\nP1,person,Ana\n")
        f.write("P2,person," + "x" * (64 << 20) + "\nP3,person,Bea\n")
    with pytest.raises(InputFileError, match=r"big\.csv: line 3 \(data row 2\) is longer than 32"):
        ingest_files(tmp_path / "ws.duckdb", "parties", [path])
    with path.open("w", encoding="utf-8") as f:
        f.write("party_id,kind,name," + "y" * (40 << 20) + "\nP1,person,Ana,\n")
    with pytest.raises(InputFileError, match=r"big\.csv: line 1 \(the header\) is longer than"):
        ingest_files(tmp_path / "ws.duckdb", "parties", [path])


def test_a_quote_left_open_is_named_by_its_line(tmp_path: Path) -> None:
    path = tmp_path / "open.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write('party_id,kind,name\nP1,person,Ana\nP2,person,"Bea\n')
        f.write("P3,person,Caro\n" * (2 * CSV_BLOCK_BYTES // 15))  # two blocks: it straddles
    with pytest.raises(InputFileError, match=r"line 3 \(data row 2\).*a quote \(\"\) left open"):
        ingest_files(tmp_path / "ws.duckdb", "parties", [path])


def test_a_large_field_next_to_a_malformed_row_is_read(tmp_path: Path) -> None:
    # Python's csv module, which locates malformed rows, stops at 128 KiB fields by default.
    big = "x" * (1 << 20)
    text = f'party_id,kind,name\nP1,person,"{big}\nline two"\nP2,person\nP3,person,Bea\n'
    ws = tmp_path / "ws.duckdb"
    result = ingest_files(ws, "parties", [write(tmp_path / "mid.csv", text)])
    assert (result.rows, result.loaded, result.quarantined) == (3, 2, 1)
    [(row, reason, original)] = quarantined(ws)
    assert (row, reason, original) == (
        2,
        "row has 2 fields but the header has 3",
        {"raw": "P2,person"},
    )
    assert names(ws)[0] == ("P1", big + "\nline two")


# -- CSV: byte-order marks ------------------------------------------------------------------

ACCENTED = "party_id,kind,name,country\nP1,person,José Muñoz,BR\nP2,company,São Paulo Ltda,BR\n"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-8"])
def test_text_with_a_byte_order_mark_is_transcoded(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path / "u.csv", "\ufeff" + ACCENTED, encoding=encoding)
    ws = tmp_path / "ws.duckdb"
    result = ingest_files(ws, "parties", [path])
    assert (result.rows, result.loaded, result.quarantined) == (2, 2, 0)
    assert result.files[0].encoding == encoding[:6] and not result.files[0].warnings
    assert names(ws) == [("P1", "José Muñoz"), ("P2", "São Paulo Ltda")]


def test_utf16_without_a_byte_order_mark_is_refused_clearly(tmp_path: Path) -> None:
    path = write(tmp_path / "u.csv", ACCENTED, encoding="utf-16-le")
    with pytest.raises(
        InputFileError, match=r"UTF-16 text without a byte-order mark.*--encoding utf-16-le"
    ):
        ingest_files(tmp_path / "ws.duckdb", "parties", [path])
    result = ingest_files(tmp_path / "ws.duckdb", "parties", [path], encoding="utf-16-le")
    assert result.loaded == 2


def test_utf16_that_breaks_off_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "u.csv"
    path.write_bytes(("\ufeff" + ACCENTED).encode("utf-16-le") + b"\x00\xd8P\x00")
    with pytest.raises(InputFileError, match=r"u\.csv: is not valid utf-16 text"):
        ingest_files(tmp_path / "ws.duckdb", "parties", [path])


def test_a_utf8_mark_on_text_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "u.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ACCENTED.encode("latin-1"))
    with pytest.raises(InputFileError, match="UTF-8 byte-order mark but is not valid UTF-8"):
        ingest_files(tmp_path / "ws.duckdb", "parties", [path])


def test_infinite_and_not_a_number_quantities_are_quarantined(tmp_path: Path) -> None:
    header = "seizure_id,ts,country,taxon,lat,lon\n"
    when = "2024-01-01T00:00:00Z,BO,Panthera onca"
    rows = f"S1,{when},inf,-63\nS2,{when},-16.5,nan\nS3,{when},-16.5,-63\n"
    path = write(tmp_path / "seizures.csv", header + rows)
    with onca.workspace.open(tmp_path / "w.duckdb") as ws:
        result = ingest_files(ws, "seizures", [path])
        assert (result.rows, result.loaded, result.quarantined) == (3, 1, 2)
        reasons = [r for (r,) in ws.db.fetch("SELECT reason FROM quarantine ORDER BY line")]
    assert reasons == ["lat: 'inf' is not a number", "lon: 'nan' is not a number"]
