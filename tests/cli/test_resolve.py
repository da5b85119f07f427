"""``onca resolve`` as a user drives it: a workspace, two files to link, an explanation."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onca.cli import app
from onca.ingest import ingest_files
from tests.conftest import write

runner = CliRunner()

HEADER = "party_id,kind,name,birth_date,nationality,country,address,phone,id_number"
BANK = f"""{HEADER}
B1,person,Verónica Gonzáles Cuéllar,1955-04-13,EC,EC,"Calle Independencia 54, Guayaquil",+593962155244,9259839610
B2,person,Edgar Limachi Paredes,1985-02-22,EC,EC,"Calle Warnes 169, Puerto Ayora",909646996,9447112961
B3,company,Pesquera Los Pinos Cía. Ltda.,,,EC,"Av. Ayacucho 100, Manta",960406029,7060987785001
B4,person,Mary Young,1965-08-23,US,US,"13 Regent St, Miami",+16343621189,460876446
B5,person,Lourdes Núñez Cuéllar,1974-08-06,PE,PE,"Av. Banzer 140, Iquitos",+51987369682,51943807
"""
CUSTOMS = f"""{HEADER}
C1,person,GONZALES CUELLAR VERONICA,1955-13-04,EC,EC,"CALLE INDEPENDENCIA 54, GUAYAQUIL",(593) 962155244,9259839610
C2,company,PESQUERA LOS PINOS CIA.,,,EC,"Av. Ayacucho 100, Manta",0960406029,7060987785001
C3,person,John Smith,1970-01-01,US,US,"1 Main St, Boston",+16175550100,123456789
C4,person,Lourdes Nunez,1974-06-08,PE,PE,"AV. BANZER 140, IQUITOS",,51943807
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return write(tmp_path / "bank.csv", BANK), write(tmp_path / "customs.csv", CUSTOMS)


def test_link_writes_the_pairs_csv(files: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "pairs.csv"
    result = runner.invoke(
        app, ["resolve", "link", str(files[0]), str(files[1]), "--out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["left_records"] == 5 and summary["right_records"] == 4
    with out.open(newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    assert header == ["left_id", "right_id", "match_probability"]
    pairs = {(r[0], r[1]) for r in rows}
    assert pairs == {("B1", "C1"), ("B3", "C2"), ("B5", "C4")}
    assert all(0.9 <= float(r[2]) <= 1.0 for r in rows)
    assert summary["links"] == len(rows)


def test_link_with_explanations(files: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "pairs.csv"
    result = runner.invoke(
        app,
        ["resolve", "link", *map(str, files), "--out", str(out), "--explain", "--threshold", "0.5"],
    )
    assert result.exit_code == 0, result.output
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    first = json.loads(rows[0]["explanation"])
    assert {p["comparison"] for p in first} >= {"prior", "name", "birth_date", "id_number"}
    assert "linked pairs" in result.stdout


def test_link_names_missing_columns(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.csv", "id,nombre\n1,Ana\n")
    good = write(tmp_path / "good.csv", BANK)
    result = runner.invoke(
        app, ["resolve", "link", str(bad), str(good), "--out", str(tmp_path / "p.csv")]
    )
    assert result.exit_code == 2
    assert "missing columns party_id, name" in result.stderr


def test_link_rejects_a_threshold_outside_zero_one(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    result = runner.invoke(
        app,
        ["resolve", "link", *map(str, files), "--out", str(tmp_path / "p.csv"), "--threshold", "2"],
    )
    assert result.exit_code == 2 and "--threshold" in result.stderr


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    path = tmp_path / "ws.duckdb"
    both = BANK + "\n".join(CUSTOMS.splitlines()[1:]) + "\n"
    result = ingest_files(path, "parties", [write(tmp_path / "parties.csv", both)])
    assert result.quarantined == 1  # C1's birth date 1955-13-04 is impossible: quarantined
    return path


def test_resolve_workspace_then_explain(ws: Path) -> None:
    result = runner.invoke(app, ["resolve", str(ws), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["records"] == 8 and summary["entities"] == 6
    assert summary["duplicate_entities"] == 2
    explained = runner.invoke(app, ["resolve", "explain", str(ws), "B5", "--json"])
    assert explained.exit_code == 0, explained.output
    payload = json.loads(explained.stdout)
    assert payload["entity_id"] == "ENT-B5"
    assert [m["party_id"] for m in payload["members"]] == ["B5", "C4"]
    assert payload["links"][0]["explanation"][0]["comparison"] == "prior"
    text = runner.invoke(app, ["resolve", "explain", str(ws), "C2"])
    assert "ENT-B3" in text.stdout and "id_number: the same" in text.stdout
    # The entity id that `onca resolve` prints explains the same entity.
    by_entity = runner.invoke(app, ["resolve", "explain", str(ws), "ENT-B5", "--json"])
    assert json.loads(by_entity.stdout)["members"] == payload["members"]


def test_options_may_come_before_the_workspace(ws: Path) -> None:
    result = runner.invoke(app, ["resolve", "--threshold", "0.99", str(ws), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["threshold"] == 0.99


def test_explain_an_unknown_party(ws: Path) -> None:
    before = runner.invoke(app, ["resolve", "explain", str(ws), "B5"])
    assert before.exit_code == 2 and "no resolved entities yet" in before.stderr
    runner.invoke(app, ["resolve", str(ws), "--json"])
    result = runner.invoke(app, ["resolve", "explain", str(ws), "NOPE"])
    assert result.exit_code == 2 and "NOPE" in result.stderr
    assert "give a party id" in " ".join(result.stderr.split())


def test_resolve_a_missing_workspace(tmp_path: Path) -> None:
    result = runner.invoke(app, ["resolve", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2


def test_help_teaches() -> None:
    result = runner.invoke(app, ["resolve", "--help"])
    assert result.exit_code == 0
    for text in ("onca resolve WORKSPACE", "onca resolve link", "explain"):
        assert text in result.stdout


def test_labels_train_the_model(ws: Path, tmp_path: Path) -> None:
    labels = write(
        tmp_path / "labels.csv", "left_id,right_id,is_match\nB1,C1,1\nB5,C4,1\nB2,C3,0\n"
    )
    result = runner.invoke(app, ["resolve", str(ws), "--labels", str(labels), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["duplicate_entities"] >= 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,b\n1,2\n", "columns left_id, right_id"),
        ("left_id,right_id,is_match\nB1,C1,maybe\n", "line 2"),
    ],
)
def test_bad_labels_are_named(ws: Path, tmp_path: Path, text: str, message: str) -> None:
    labels = write(tmp_path / "labels.csv", text)
    result = runner.invoke(app, ["resolve", str(ws), "--labels", str(labels)])
    assert result.exit_code == 2 and message in result.stderr


def test_an_unknown_engine_is_named(files: tuple[Path, Path], tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "resolve",
            "link",
            *map(str, files),
            "--out",
            str(tmp_path / "p.csv"),
            "--engine",
            "oracle",
        ],
    )
    assert result.exit_code == 2
    assert "--engine: expected one of duckdb, spark, got 'oracle'" in result.stderr
