"""Reading an AMLSim .tgz safely, and the real published sample end to end."""

from __future__ import annotations

import io
import os
import tarfile
import time
from pathlib import Path

import pytest

from onca.convert import convert_amlsim
from onca.errors import InputFileError
from onca.ingest import ingest_files

NODES = b"nodeid,isFraud,init_balance,fraudStep\n0,0,1.00,-1\n1,1,1.00,2\n"
TRANSACTIONS = b"sourceNodeId,targetNodeId,value,time\n0,1,9.99,1\n"
# shared/ lies beside the checkout, for developers and for CI alike
SAMPLE = (
    Path(__file__).resolve().parents[2].parent / "shared" / "data" / "amlsim" / "20K_fanin200.tgz"
)


def member(tar: tarfile.TarFile, name: str, data: bytes = b"", **kind: object) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in kind.items():
        setattr(info, key, value)
    tar.addfile(info, io.BytesIO(data) if data else None)


def test_members_that_climb_out_are_never_written_or_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    path = work / "hostile.tgz"
    with tarfile.open(path, "w:gz") as tar:
        member(tar, "../../evil", b"boom")
        member(tar, "../../nodes.csv", b"nodeid,isFraud,init_balance,fraudStep\n666,1,1,1\n")
        member(tar, "/tmp/onca-evil-abs/transactions.csv", b"x")
        member(tar, "s/nodes.csv", NODES)
        member(tar, "s/transactions.csv", TRANSACTIONS)
    before = {p for p in tmp_path.rglob("*")}

    result = convert_amlsim(path, work / "out")

    assert (result.written, result.rejected) == (3, 0)
    assert "AMLSIM-A666" not in (work / "out" / "accounts.csv").read_text()
    assert any("'../../nodes.csv': path climbs out" in w for w in result.warnings)
    assert any("absolute path" in w for w in result.warnings)
    created = {p for p in tmp_path.rglob("*")} - before
    assert all(work / "out" in p.parents or p == work / "out" for p in created)
    assert not (tmp_path / "evil").exists() and not Path("/tmp/onca-evil-abs").exists()


def test_archive_without_a_safe_member_is_refused_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "only-bad.tgz"
    with tarfile.open(path, "w:gz") as tar:
        member(tar, "../nodes.csv", NODES)
        member(tar, "/abs/transactions.csv", TRANSACTIONS)
    with pytest.raises(InputFileError, match=r"no usable member nodes\.csv.*climbs out"):
        convert_amlsim(path, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_links_oversized_and_duplicate_members(tmp_path: Path) -> None:
    path = tmp_path / "links.tgz"
    with tarfile.open(path, "w:gz") as tar:
        member(tar, "s/nodes.csv", type=tarfile.SYMTYPE, linkname="/etc/passwd")
        member(tar, "t/nodes.csv", NODES)
        member(tar, "t/transactions.csv", TRANSACTIONS)
    result = convert_amlsim(path, tmp_path / "out")
    assert result.written == 3
    assert any("not a regular file" in w for w in result.warnings)

    with pytest.raises(InputFileError, match="over the limit of 10"):
        convert_amlsim(path, tmp_path / "out2", max_member_bytes=10)

    dup = tmp_path / "dup.tgz"
    with tarfile.open(dup, "w:gz") as tar:
        member(tar, "a/nodes.csv", NODES)
        member(tar, "b/nodes.csv", NODES)
        member(tar, "a/transactions.csv", TRANSACTIONS)
    with pytest.raises(InputFileError, match=r"two members named nodes\.csv"):
        convert_amlsim(dup, tmp_path / "out3")


def test_truncated_archive_is_an_input_error(tmp_path: Path) -> None:
    good = tmp_path / "good.tgz"
    with tarfile.open(good, "w:gz") as tar:
        member(tar, "s/nodes.csv", NODES * 2000)
        member(tar, "s/transactions.csv", TRANSACTIONS)
    cut = tmp_path / "cut.tgz"
    cut.write_bytes(good.read_bytes()[: os.path.getsize(good) // 2])
    with pytest.raises(InputFileError, match=str(cut)):
        convert_amlsim(cut, tmp_path / "out")


def test_published_fanin_sample_converts_and_ingests_cleanly(tmp_path: Path) -> None:
    assert SAMPLE.exists(), f"{SAMPLE}: the AMLSim sample of ../shared/data is missing"
    began = time.perf_counter()
    out = tmp_path / "fanin"
    result = convert_amlsim(SAMPLE, out)
    assert [(f.read, f.written, f.rejected) for f in result.files] == [
        (20_000, 20_000, 0),
        (118_250, 118_250, 0),
    ]
    assert result.labels_illicit == 954
    labels = (out / "labels" / "accounts.csv").read_text().splitlines()
    assert len(labels) == 20_001 and sum(line.endswith(",1") for line in labels) == 954

    ws = tmp_path / "ws.duckdb"
    loaded = {}
    for kind in ("parties", "accounts", "transactions"):
        res = ingest_files(ws, kind, [out / f"{kind}.csv"])
        assert res.quarantined == 0, res.to_dict()
        loaded[kind] = res.loaded
    assert loaded == {"parties": 20_000, "accounts": 20_000, "transactions": 118_250}
    assert time.perf_counter() - began < 30


def test_not_utf8_is_an_input_error(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "nodes.csv").write_bytes(NODES + b"2,0,\xff\xfe,-1\n")
    (folder / "transactions.csv").write_bytes(TRANSACTIONS)
    with pytest.raises(InputFileError, match="not UTF-8"):
        convert_amlsim(folder, tmp_path / "out")
