"""onca.convert.convert_amlsim on hand-written samples: outputs, labels, rejected rows, counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tarfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onca.cli import app
from onca.convert import convert_amlsim
from onca.errors import InputFileError, ParameterError
from onca.ingest import ingest_files

NODES = """nodeid,isFraud,init_balance,fraudStep
0,0,184.44,-1
1,1,175.80,3
2,0,100,-1
,0,1.00,-1
x7,0,1.00,-1
3,2,1.00,-1
4,0,-5,-1
5,0,abc,-1
2,0,1.00,-1
6,0,1.00
"""

TRANSACTIONS = """sourceNodeId,targetNodeId,value,time
0,1,103.55,1
1,2,5,0
2,0,0.5,149
,1,1.00,1
0,99,1.00,1
4,0,1.00,1
0,1,abc,1
0,1,-3.00,1
0,1,0,1
0,1,1.005,1
0,1,1.00,-2
0,1,1.00,1.5
0,1,1.00,
0,1,1.00,1,9
"""

NODE_REASONS = [
    (5, "nodeid is missing"),
    (6, "nodeid 'x7' is not a non-negative integer"),
    (7, "isFraud '2' is not 0 or 1"),
    (8, "init_balance -5 is negative or not finite"),
    (9, "init_balance 'abc' is not a number"),
    (10, "nodeid 2 repeats an earlier row"),
    (11, "has 3 fields, header has 4"),
]
TXN_REASONS = [
    (5, "sourceNodeId is missing"),
    (6, "targetNodeId 99 is not in nodes.csv (or was rejected there)"),
    (7, "sourceNodeId 4 is not in nodes.csv (or was rejected there)"),
    (8, "value 'abc' is not a number"),
    (9, "value -3.00 is not positive"),
    (10, "value 0 is not positive"),
    (11, "value 1.005 has more than 2 decimals"),
    (12, "time -2 is a negative step"),
    (13, "time '1.5' is not an integer step"),
    (14, "time is missing"),
    (15, "has 5 fields, header has 4"),
]


def make_folder(root: Path) -> Path:
    folder = root / "tiny"
    folder.mkdir()
    (folder / "nodes.csv").write_text(NODES)
    (folder / "transactions.csv").write_text(TRANSACTIONS)
    (folder / "metadata.txt").write_text("nodes: 10\n")
    return folder


def add_member(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def make_tgz(root: Path, prefix: str = "tiny/") -> Path:
    path = root / "tiny.tgz"
    with tarfile.open(path, "w:gz") as tar:
        add_member(tar, f"{prefix}metadata.txt", b"nodes: 10\n")
        add_member(tar, f"{prefix}transactions.csv", TRANSACTIONS.encode())
        add_member(tar, f"{prefix}nodes.csv", NODES.encode())
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("kind", ["folder", "tgz"])
def test_converts_good_rows_and_rejects_each_bad_one(tmp_path: Path, kind: str) -> None:
    source = make_folder(tmp_path) if kind == "folder" else make_tgz(tmp_path)
    out = tmp_path / "out"
    result = convert_amlsim(source, out)

    nodes, txns = result.files
    assert (nodes.read, nodes.written, nodes.rejected) == (10, 3, 7)
    assert (txns.read, txns.written, txns.rejected) == (14, 3, 11)
    assert result.read == result.written + result.rejected == 24
    assert result.labels_illicit == 1

    assert read_csv(out / "parties.csv")[0] == {
        "party_id": "AMLSIM-P0",
        "kind": "person",
        "name": "AMLSim account holder 0",
    }
    assert read_csv(out / "accounts.csv")[1] == {
        "account_id": "AMLSIM-A1",
        "holder_id": "AMLSIM-P1",
        "institution": "AMLSim",
        "country": "US",
        "currency": "USD",
    }
    labels = read_csv(out / "labels" / "accounts.csv")
    assert [(r["account_id"], r["label"]) for r in labels] == [
        ("AMLSIM-A0", "0"),
        ("AMLSIM-A1", "1"),
        ("AMLSIM-A2", "0"),
    ]
    rows = read_csv(out / "transactions.csv")
    assert [
        (r["txn_id"], r["ts"], r["amount"], r["from_account"], r["to_account"]) for r in rows
    ] == [
        ("AMLSIM-T2", "2020-01-02T00:00:00Z", "103.55", "AMLSIM-A0", "AMLSIM-A1"),
        ("AMLSIM-T3", "2020-01-01T00:00:00Z", "5.00", "AMLSIM-A1", "AMLSIM-A2"),
        ("AMLSIM-T4", "2020-05-29T00:00:00Z", "0.50", "AMLSIM-A2", "AMLSIM-A0"),
    ]
    assert {r["currency"] for r in rows} == {"USD"} and {r["channel"] for r in rows} == {"wire"}

    rejected = read_csv(out / "rejected.csv")
    got = [(Path(r["source_file"]).name, int(r["line"]), r["reason"]) for r in rejected]
    assert got == [("nodes.csv", *r) for r in NODE_REASONS] + [
        ("transactions.csv", *r) for r in TXN_REASONS
    ]


def test_output_loads_with_nothing_quarantined(tmp_path: Path) -> None:
    out = tmp_path / "out"
    convert_amlsim(make_folder(tmp_path), out)
    ws = tmp_path / "ws.duckdb"
    for kind in ("parties", "accounts", "transactions"):
        result = ingest_files(ws, kind, [out / f"{kind}.csv"])
        assert (result.rows, result.quarantined) == (3, 0), result.to_dict()
        assert result.files[0].ignored_columns == []


def test_start_step_currency_and_country_options(tmp_path: Path) -> None:
    out = tmp_path / "out"
    convert_amlsim(
        make_folder(tmp_path),
        out,
        start=dt.datetime(2021, 6, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=-3))),
        step=dt.timedelta(hours=6),
        currency="brl",
        country="br",
    )
    rows = read_csv(out / "transactions.csv")
    assert [r["ts"] for r in rows] == [
        "2021-06-01T21:00:00Z",
        "2021-06-01T15:00:00Z",
        "2021-07-08T21:00:00Z",
    ]
    assert {r["currency"] for r in rows} == {"BRL"}
    assert {(r["country"], r["currency"]) for r in read_csv(out / "accounts.csv")} == {
        ("BR", "BRL")
    }


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"currency": "XYZ"}, "--currency 'XYZ'"),
        ({"country": "ZZ"}, "--country 'ZZ'"),
        ({"step": dt.timedelta(0)}, "step length must be positive"),
    ],
)
def test_bad_options_are_refused(tmp_path: Path, options: dict[str, object], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        convert_amlsim(make_folder(tmp_path), tmp_path / "out", **options)  # type: ignore[arg-type]


def test_whole_file_problems_stop_before_writing(tmp_path: Path) -> None:
    folder = make_folder(tmp_path)
    (folder / "transactions.csv").write_text("source,target,value,time\n1,2,3,4\n")
    with pytest.raises(InputFileError, match=r"missing column.*sourceNodeId"):
        convert_amlsim(folder, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    (folder / "nodes.csv").write_text("")
    with pytest.raises(InputFileError, match="empty file"):
        convert_amlsim(folder, tmp_path / "out")
    with pytest.raises(InputFileError, match="no such folder or file"):
        convert_amlsim(tmp_path / "nowhere", tmp_path / "out")
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(InputFileError, match=r"expected a folder or a \.tgz"):
        convert_amlsim(tmp_path / "notes.txt", tmp_path / "out")
    (tmp_path / "broken.tgz").write_bytes(b"not gzip at all")
    with pytest.raises(InputFileError, match="not a readable tar archive"):
        convert_amlsim(tmp_path / "broken.tgz", tmp_path / "out")


def test_header_case_and_extra_columns_and_bom(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "nodes.csv").write_text(
        "\ufeffNODEID,extra,isfraud,init_balance,fraudstep\n7,x,1,1,2\n"
    )
    (folder / "transactions.csv").write_text("sourceNodeId,targetNodeId,value,time\n7,7,1,0\n")
    result = convert_amlsim(folder, tmp_path / "out")
    assert (result.written, result.rejected, result.labels_illicit) == (2, 0, 1)


def test_cli_prints_counts_and_json(tmp_path: Path) -> None:
    runner = CliRunner()
    source = make_tgz(tmp_path)
    res = runner.invoke(app, ["convert", "amlsim", str(source), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert "24 rows read = 6 written + 18 rejected" in res.output
    res = runner.invoke(
        app, ["convert", "amlsim", str(source), "--out", str(tmp_path / "o2"), "--json"]
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert (payload["read"], payload["written"], payload["rejected"]) == (24, 6, 18)
    assert [f["read"] for f in payload["files"]] == [10, 14]
    res = runner.invoke(
        app, ["convert", "amlsim", str(source), "--out", str(tmp_path / "o"), "--start", "soon"]
    )
    assert res.exit_code == 2 and "--start 'soon'" in res.output


def test_cli_help_teaches() -> None:
    res = CliRunner().invoke(app, ["convert", "amlsim", "--help"])
    assert res.exit_code == 0
    for words in ("nodes.csv", "rejected.csv", "AMLSIM-A1234", "Example"):
        assert words in res.output


def test_a_folder_that_holds_an_earlier_conversion_is_refused(tmp_path: Path) -> None:
    source = make_tgz(tmp_path)
    convert_amlsim(source, tmp_path / "o")
    before = sorted(p.name for p in (tmp_path / "o").iterdir())
    res = CliRunner().invoke(app, ["convert", "amlsim", str(source), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "already holds parties.csv, accounts.csv, transactions.csv, rejected.csv" in res.output
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == before
