"""onca.convert.convert_amlworld on a hand-written AMLworld file: outputs, labels, rejects, ingest."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onca.cli import app
from onca.convert import convert_amlworld
from onca.errors import InputFileError, ParameterError
from onca.ingest import ingest_files

HEADER = (
    "Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,"
    "Amount Paid,Payment Currency,Payment Format,Is Laundering\n"
)
GOOD = """2022/09/01 00:20,010,8000EBD30,010,8000EBD30,3697.34,US Dollar,3697.34,US Dollar,Reinvestment,0
2022/09/01 00:20,03208,8000F4580,001,8000F5340,0.01,US Dollar,0.01,US Dollar,Cheque,0
2022/09/01 00:05,0119,811C599A0,0119,811C599A0,0.011938,Bitcoin,0.011938,Bitcoin,Bitcoin,1
2022/09/02 13:07,001,8000F5340,020,80020F2D0,1093.18,Euro,1188.24,US Dollar,Wire,1
2022/09/02 13:08,020,80020F2D0,03208,8000F4580,500.00,Yuan,500.00,Yuan,ACH,0
2022/09/03 23:59,001,8000F5340,010,8000EBD30,12.5,UK Pound,12.5,UK Pound,Credit Card,0
2022/09/03 09:00,010,8000EBD30,001,8000F5340,250.00,Brazil Real,250.00,Brazil Real,Cash,0
"""
BAD = """2022-09-01 00:20,010,8000EBD30,001,8000F5340,1.00,US Dollar,1.00,US Dollar,Wire,0
2022/02/30 00:20,010,8000EBD30,001,8000F5340,1.00,US Dollar,1.00,US Dollar,Wire,0
2022/09/01 00:20,0 10,8000EBD30,001,8000F5340,1.00,US Dollar,1.00,US Dollar,Wire,0
2022/09/01 00:20,010,=HYPERLINK("http://x"),001,8000F5340,1.00,US Dollar,1.00,US Dollar,Wire,0
2022/09/01 00:20,010,8000EBD30,001,8000F5340,1.00,Dogecoin,1.00,Dogecoin,Wire,0
2022/09/01 00:20,010,8000EBD30,001,8000F5340,1.00,US Dollar,abc,US Dollar,Wire,0
2022/09/01 00:20,010,8000EBD30,001,8000F5340,0.00,US Dollar,0.00,US Dollar,Wire,0
2022/09/01 00:20,010,8000EBD30,001,8000F5340,1.00,US Dollar,1.00,US Dollar,Telegraph,0
2022/09/01 00:20,010,8000EBD30,001,8000F5340,1.00,US Dollar,1.00,US Dollar,Wire,yes
2022/09/01 00:20,010,8000EBD30,001,8000F5340,0.0000001,Bitcoin,0.0000001,Bitcoin,Bitcoin,0
2022/09/01 00:20,010,8000EBD30,001,8000F5340,1.00,US Dollar,1.00,US Dollar,Wire
"""
REASONS = [
    (9, "Timestamp '2022-09-01 00:20' is not YYYY/MM/DD HH:MM"),
    (10, "Timestamp '2022/02/30 00:20' is not YYYY/MM/DD HH:MM"),
    (11, "From Bank '0 10' is not a bank or account id (letters, digits)"),
    (
        12,
        """Account (3rd column) '=HYPERLINK("http://x")' is not a bank or account id"""
        " (letters, digits)",
    ),
    (13, "Amount Paid's currency 'Dogecoin' is not an AMLworld currency"),
    (14, "Amount Paid 'abc' is not a number"),
    (15, "Amount Paid 0.00 is not positive"),
    (
        16,
        "Payment Format 'Telegraph' is not one of Wire, ACH, Cheque, Credit Card, Cash, Bitcoin,"
        " Reinvestment",
    ),
    (17, "Is Laundering 'yes' is not 0 or 1"),
    (18, "Amount Paid 0.0000001 BTC is under one cent at 20000 USD/BTC"),
    (19, "has 10 fields, header has 11"),
]


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def sample(tmp_path: Path, body: str = GOOD + BAD) -> Path:
    path = tmp_path / "HI-Tiny_Trans.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_converts_rows_labels_and_rejects(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = convert_amlworld(sample(tmp_path), out)

    (count,) = result.files
    assert (count.read, count.written, count.rejected) == (18, 7, 11)
    assert result.read == result.written + result.rejected

    rows = {r["txn_id"]: r for r in read_csv(out / "transactions.csv")}
    assert list(rows) == [f"AMLW-T{n}" for n in range(2, 9)]
    assert rows["AMLW-T2"] == {
        "txn_id": "AMLW-T2",
        "ts": "2022-09-01T00:20:00Z",
        "amount": "3697.34",
        "currency": "USD",
        "from_account": "AMLW-010-8000EBD30",
        "to_account": "AMLW-010-8000EBD30",
        "channel": "other",
        "narrative": "",
    }
    btc = rows["AMLW-T4"]
    assert (btc["amount"], btc["currency"], btc["channel"]) == ("238.76", "USD", "crypto")
    assert btc["narrative"] == "paid 0.011938 BTC at 20000 USD/BTC"
    cross = rows["AMLW-T5"]
    assert (cross["amount"], cross["currency"], cross["narrative"]) == (
        "1188.24",
        "USD",
        "received 1093.18 EUR",
    )
    assert [rows[f"AMLW-T{n}"]["channel"] for n in (3, 6, 7, 8)] == ["check", "ach", "card", "cash"]
    assert (rows["AMLW-T7"]["amount"], rows["AMLW-T7"]["currency"]) == ("12.50", "GBP")
    assert rows["AMLW-T6"]["currency"] == "CNY" and rows["AMLW-T8"]["currency"] == "BRL"

    accounts = {r["account_id"]: r for r in read_csv(out / "accounts.csv")}
    assert set(accounts) == {
        "AMLW-010-8000EBD30",
        "AMLW-03208-8000F4580",
        "AMLW-001-8000F5340",
        "AMLW-0119-811C599A0",
        "AMLW-020-80020F2D0",
    }
    assert accounts["AMLW-0119-811C599A0"] == {
        "account_id": "AMLW-0119-811C599A0",
        "holder_id": "AMLW-P-0119-811C599A0",
        "institution": "0119",
        "country": "US",
        "currency": "USD",
        "opened_at": "",
        "kind": "crypto_wallet",
    }
    assert accounts["AMLW-020-80020F2D0"]["currency"] == "EUR"  # first seen receiving euros
    parties = read_csv(out / "parties.csv")
    assert len(parties) == 5
    assert parties[0]["name"] == "AMLworld account holder 010/8000EBD30"

    txn_labels = read_csv(out / "labels" / "transactions.csv")
    assert [(r["txn_id"], r["label"]) for r in txn_labels if r["label"] == "1"] == [
        ("AMLW-T4", "1"),
        ("AMLW-T5", "1"),
    ]
    assert len(txn_labels) == 7
    acct_labels = {r["account_id"]: r["label"] for r in read_csv(out / "labels/accounts.csv")}
    assert acct_labels == {
        "AMLW-0119-811C599A0": "1",
        "AMLW-001-8000F5340": "1",
        "AMLW-020-80020F2D0": "1",
        "AMLW-010-8000EBD30": "0",
        "AMLW-03208-8000F4580": "0",
    }
    assert result.labels_illicit == 3

    rejected = read_csv(out / "rejected.csv")
    assert [(int(r["line"]), r["reason"]) for r in rejected] == REASONS
    assert {Path(r["source_file"]).name for r in rejected} == {"HI-Tiny_Trans.csv"}


def test_output_ingests_with_nothing_quarantined(tmp_path: Path) -> None:
    out = tmp_path / "out"
    convert_amlworld(sample(tmp_path), out)
    ws = tmp_path / "ws.duckdb"
    for kind, n in (("parties", 5), ("accounts", 5), ("transactions", 7)):
        result = ingest_files(ws, kind, [out / f"{kind}.csv"])
        assert (result.rows, result.quarantined) == (n, 0), result.to_dict()
        assert result.files[0].ignored_columns == []


def test_options_country_and_bitcoin_rate(tmp_path: Path) -> None:
    out = tmp_path / "out"
    convert_amlworld(sample(tmp_path, GOOD), out, country="br", btc_usd="30000")
    rows = {r["txn_id"]: r for r in read_csv(out / "transactions.csv")}
    assert rows["AMLW-T4"]["amount"] == "358.14"
    assert {r["country"] for r in read_csv(out / "accounts.csv")} == {"BR"}
    for bad, message in (({"country": "ZZ"}, "--country 'ZZ'"), ({"btc_usd": "0"}, "--btc-usd")):
        with pytest.raises(ParameterError, match=message):
            convert_amlworld(sample(tmp_path), tmp_path / "o2", **bad)  # type: ignore[arg-type]


def test_whole_file_problems_stop_before_writing(tmp_path: Path) -> None:
    bad = tmp_path / "x.csv"
    bad.write_text("Timestamp,From Bank,Account,To Bank\n1,2,3,4\n")
    with pytest.raises(InputFileError, match="not an AMLworld transaction file"):
        convert_amlworld(bad, tmp_path / "out")
    bad.write_text("")
    with pytest.raises(InputFileError, match="empty file"):
        convert_amlworld(bad, tmp_path / "out")
    with pytest.raises(InputFileError, match="no such file"):
        convert_amlworld(tmp_path / "nowhere.csv", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_not_utf8_after_the_header_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(HEADER.encode() + GOOD.encode() * 2000 + b"\xff\xfe,\n")
    with pytest.raises(InputFileError, match="not UTF-8"):
        convert_amlworld(path, tmp_path / "out")


def test_cli_counts_json_and_help(tmp_path: Path) -> None:
    runner = CliRunner()
    source = sample(tmp_path)
    res = runner.invoke(app, ["convert", "amlworld", str(source), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert "18 rows read = 7 written + 11 rejected" in res.output
    res = runner.invoke(
        app, ["convert", "amlworld", str(source), "--out", str(tmp_path / "o2"), "--json"]
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert (payload["read"], payload["written"], payload["rejected"]) == (18, 7, 11)
    assert payload["outputs"]["labels/accounts.csv"] == 5
    res = runner.invoke(app, ["convert", "amlworld", str(source), "--out", "o", "--btc-usd", "x"])
    assert res.exit_code == 2 and "--btc-usd 'x'" in res.output
    res = runner.invoke(app, ["convert", "amlworld", "--help"])
    assert res.exit_code == 0
    for words in ("Is Laundering", "AMLW-011-8000ECA90", "labels/accounts.csv", "Example"):
        assert words in res.output
