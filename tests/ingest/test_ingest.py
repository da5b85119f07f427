"""Ingest of good files in every format, idempotency, atomicity and the counting invariant."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

import onca.workspace
from onca.ingest import PAUSE_BEFORE_COMMIT_ENV, ingest_files
from tests.conftest import ACCOUNTS_CSV, HEADER_TX, PARTIES_CSV, write


def table_rows(ws: Path, sql: str) -> list[tuple]:
    with onca.workspace.open(ws) as w:
        return w.con.execute(sql).fetchall()


def test_good_files_load_with_types(loaded_ws: Path) -> None:
    rows = table_rows(
        loaded_ws, "SELECT txn_id, ts, amount, from_account FROM transactions ORDER BY txn_id"
    )
    assert [r[0] for r in rows] == ["T1", "T2", "T3"]
    assert str(rows[1][1]) == "2024-01-02 15:00:00"  # -04:00 converted to UTC
    assert str(rows[0][2]) == "100.50"
    assert rows[1][3] is None  # cash deposit: no source account
    assert table_rows(loaded_ws, "SELECT is_pep FROM parties WHERE party_id = 'P3'") == [(False,)]


def test_loading_the_same_file_twice_adds_nothing(loaded_ws: Path, files: dict[str, Path]) -> None:
    again = ingest_files(loaded_ws, "transactions", [files["transactions"]])
    assert (again.rows, again.loaded, again.inserted, again.unchanged) == (3, 3, 0, 3)
    assert table_rows(loaded_ws, "SELECT count(*) FROM transactions") == [(3,)]
    assert table_rows(loaded_ws, "SELECT count(*) FROM ingest_log WHERE kind = 'transactions'") == [
        (2,)
    ]


def test_reloading_a_file_does_not_duplicate_its_quarantine(
    loaded_ws: Path, tmp_path: Path
) -> None:
    f = write(tmp_path / "bad.csv", HEADER_TX + "T9,never,5,USD,A1,A2,wire,x\n")
    for _ in range(3):
        result = ingest_files(loaded_ws, "transactions", [f])
        assert result.quarantined == 1
    assert table_rows(loaded_ws, "SELECT count(*) FROM quarantine") == [(1,)]


def test_parquet_with_native_types(tmp_path: Path, loaded_ws: Path) -> None:
    table = pa.table(
        {
            "txn_id": ["Q1", "Q2"],
            "ts": pa.array(
                [1_700_000_000_000_000, 1_700_003_600_000_000], pa.timestamp("us", tz="UTC")
            ),
            "amount": [12.5, -1.0],
            "currency": ["USD", "USD"],
            "from_account": ["A1", "A1"],
            "to_account": ["A2", None],
            "channel": ["mobile", "mobile"],
        }
    )
    path = tmp_path / "t.parquet"
    pq.write_table(table, path)
    result = ingest_files(loaded_ws, "transactions", [path])
    assert (result.loaded, result.quarantined) == (1, 1)
    assert table_rows(loaded_ws, "SELECT ts, amount FROM transactions WHERE txn_id = 'Q1'")[0][
        1
    ] == pytest.approx(12.5)


def test_xlsx_with_dates_and_numbers(tmp_path: Path) -> None:
    import datetime as dt

    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append(["party_id", "kind", "name", "birth_date", "id_number"])
    sheet.append(["X1", "person", "María Fernanda López", dt.datetime(1990, 4, 3), 12345678])
    sheet.append([None, None, None, None, None])  # a blank row between records
    sheet.append(["X2", "robot", "R2", None, None])
    path = tmp_path / "parties.xlsx"
    wb.save(path)
    ws = tmp_path / "ws.duckdb"
    result = ingest_files(ws, "parties", [path])
    assert (result.loaded, result.quarantined) == (1, 1)
    assert table_rows(ws, "SELECT line, reason FROM quarantine") == [
        (4, "kind: 'robot' is not in Kinds of party (party_kinds)")
    ]
    assert table_rows(ws, "SELECT birth_date, id_number FROM parties")[0] == (
        dt.date(1990, 4, 3),
        "12345678",
    )


def test_followthemoney_json_lines(tmp_path: Path) -> None:
    lines = [
        {
            "id": "ftm-1",
            "schema": "Person",
            "properties": {
                "name": ["Wang Fang"],
                "birthDate": ["1970-01-02"],
                "nationality": ["cn"],
                "topics": ["role.pep"],
            },
        },
        {
            "id": "ftm-2",
            "schema": "Company",
            "properties": {"name": ["Exotic Pets Ltd"], "country": ["gy"]},
        },
        {"id": "ftm-3", "schema": "Payment", "properties": {"amount": ["5"]}},
    ]
    path = tmp_path / "entities.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n{not json\n", encoding="utf-8")
    ws = tmp_path / "ws.duckdb"
    result = ingest_files(ws, "parties", [path])
    assert (result.rows, result.loaded, result.quarantined) == (4, 2, 2)
    assert table_rows(ws, "SELECT party_id, kind, nationality, is_pep FROM parties ORDER BY 1") == [
        ("ftm-1", "person", "CN", True),
        ("ftm-2", "company", None, False),
    ]
    reasons = [r[0] for r in table_rows(ws, "SELECT reason FROM quarantine ORDER BY row_number")]
    assert reasons[0].startswith("FtM schema 'Payment' is not a party")
    assert reasons[1].startswith("not valid JSON")


def test_several_files_in_one_ingest(loaded_ws: Path, tmp_path: Path) -> None:
    a = write(tmp_path / "a.csv", HEADER_TX + "M1,2024-01-05T10:00:00Z,5,USD,A1,A2,wire,a\n")
    b = write(
        tmp_path / "b.csv",
        HEADER_TX
        + "M2,2024-01-05T10:00:00Z,5,USD,A1,A2,wire,b\nM1,2024-01-05T10:00:00Z,5,USD,A1,A2,wire,a\n",
    )
    result = ingest_files(loaded_ws, "transactions", [a, b])
    assert [f.inserted for f in result.files] == [1, 1]
    assert result.files[1].unchanged == 1


def test_a_killed_ingest_leaves_the_workspace_as_it_was(loaded_ws: Path, tmp_path: Path) -> None:
    rows = [f"K{i},2024-01-05T10:00:00Z,5,USD,A1,A2,wire,k" for i in range(20_000)]
    big = write(tmp_path / "big.csv", HEADER_TX + "\n".join(rows) + "\nK0,bad,,,,,,\n")
    before = table_rows(loaded_ws, "SELECT count(*) FROM transactions")[0][0]
    env = {**os.environ, PAUSE_BEFORE_COMMIT_ENV: "60"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "onca",
            "ingest",
            str(loaded_ws),
            "transactions",
            str(big),
            "--json",
        ],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    for line in proc.stderr:
        if "waiting before commit" in line or time.monotonic() > deadline:
            break
    assert proc.poll() is None, "ingest ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert table_rows(loaded_ws, "SELECT count(*) FROM transactions")[0][0] == before
    assert table_rows(loaded_ws, "SELECT count(*) FROM quarantine") == [(0,)]
    assert table_rows(
        loaded_ws, "SELECT count(*) FROM ingest_log WHERE source_file LIKE '%big.csv'"
    ) == [(0,)]
    # and the same file loads normally afterwards
    result = ingest_files(loaded_ws, "transactions", [big])
    assert (result.inserted, result.quarantined) == (20_000, 1)


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_cell = st.one_of(
    _text,
    st.sampled_from(["", "A1", "A2", "USD", "usd", "wire", "cash", "-1", "0", "1e3", "12.345"]),
    st.decimals(min_value=-(10**6), max_value=10**9, places=2, allow_nan=False).map(str),
    st.dates().map(str),
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
)
_row = st.fixed_dictionaries(
    {
        c: _cell
        for c in ("ts", "amount", "currency", "from_account", "to_account", "channel", "narrative")
    }
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(_row, max_size=15),
    ids=st.lists(st.sampled_from(["T1", "N1", "N2", "N3", ""]), min_size=15, max_size=15),
)
def test_rows_in_equals_loaded_plus_quarantined(tmp_path_factory, rows, ids) -> None:  # type: ignore[no-untyped-def]
    import csv

    base = tmp_path_factory.mktemp("prop")
    ws = base / "ws.duckdb"
    ingest_files(ws, "parties", [write(base / "p.csv", PARTIES_CSV)])
    ingest_files(ws, "accounts", [write(base / "a.csv", ACCOUNTS_CSV)])
    path = base / "t.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER_TX.strip().split(","))
        for txn_id, row in zip(ids, rows, strict=False):
            writer.writerow([txn_id, *row.values()])
    result = ingest_files(ws, "transactions", [path])
    assert result.rows == len(rows)
    assert result.rows == result.loaded + result.quarantined
    in_table = table_rows(ws, "SELECT count(*) FROM transactions")[0][0]
    in_quarantine = table_rows(ws, "SELECT count(*) FROM quarantine")[0][0]
    assert in_table == result.inserted and in_quarantine == result.quarantined
    again = ingest_files(ws, "transactions", [path])
    assert (again.loaded, again.inserted, again.quarantined) == (
        result.loaded,
        0,
        result.quarantined,
    )


def test_progress_reports_every_step_and_all_bytes(tmp_path: Path, files: dict[str, Path]) -> None:
    calls: list[tuple[str, int, int]] = []
    ingest_files(
        tmp_path / "ws.duckdb", "parties", [files["parties"]], progress=lambda *a: calls.append(a)
    )
    steps = [c[0] for c in calls]
    assert (
        steps[0] == "reading parties.csv"
        and "checking parties.csv" in steps
        and steps[-1] == "writing parties.csv"
    )
    size = files["parties"].stat().st_size
    assert max(c[1] for c in calls if c[0].startswith("reading")) == size


def test_cli_progress_bar_draws_on_a_terminal(tmp_path: Path, files: dict[str, Path]) -> None:
    import io

    from rich.console import Console

    from onca.cli import _common

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=120)
    original = _common.err
    _common.err = console
    try:
        with _common.progress_bar(enabled=True, bytes_mode=True) as bar:
            ingest_files(tmp_path / "ws.duckdb", "parties", [files["parties"]], progress=bar)
    finally:
        _common.err = original
    text = buffer.getvalue()
    assert "reading parties.csv" in text and "writing parties.csv" in text
