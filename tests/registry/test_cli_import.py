"""onca registry import: the same counts and rejected rows as the console and the API, nothing
written for a file with a bad row, the rejects as CSV, a good file written and audited in the
importer's name; a wrong user, a reader, a missing file and a file over the limit refused."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from onca.cli import app

runner = CliRunner()
HEADER = "reference,seized_on,country,taxon,commodity,quantity,unit,description\n"
GOOD = (
    "CLI-1,2026-01-15,PE,Ara ararauna,live,2,number,=cmd|' /C calc'!A0\n"
    "CLI-2,2026-02-15,PE,Panthera onca,teeth,4,number,\n"
)
BAD = "CLI-1,2026-04-01,PE,Ara ararauna,live,1,number,\nCLI-5,2026-13-01,ZZ,Ara ararauna,live,-3,number,\n"


@pytest.fixture
def db(tmp_path: Path) -> list[str]:
    db = ["--db", f"sqlite:///{tmp_path / 'r.db'}"]
    for args in (
        ["agency", "add", "PE-SERFOR", "--name", "SERFOR", "--country", "PE", "--kind", "wildlife"],
        ["agency", "add", "BO-POL", "--name", "Policía", "--country", "BO", "--kind", "police"],
        ["user", "add", "ana", "--agency", "PE-SERFOR", "--role", "editor"],
        ["user", "add", "vic", "--agency", "PE-SERFOR", "--role", "viewer"],
    ):
        r = runner.invoke(app, ["registry", *args, *db])
        assert r.exit_code == 0, r.output
    return db


def _import(db: list[str], *args: str) -> tuple[int, str]:
    r = runner.invoke(app, ["registry", "import", *args, *db])
    return r.exit_code, r.output


def _seizures(db: list[str]) -> list[tuple[str, str, int]]:
    engine = sa.create_engine(db[1])
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT s.reference, s.description, s.created_by FROM seizures s ORDER BY s.id")
        ).all()
    engine.dispose()
    return [tuple(r) for r in rows]  # type: ignore[misc]  # rows of three columns


def test_import_reports_rejects_and_imports_nothing(db: list[str], tmp_path: Path) -> None:
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(HEADER + GOOD + BAD)
    rejects = tmp_path / "rejects.csv"
    code, out = _import(
        db, str(mixed), "--agency", "PE-SERFOR", "--user", "ana", "--rejects", str(rejects)
    )
    assert code == 1, out
    assert "mixed.csv: 4 rows, 2 check, 2 rejected; 0 seizures imported for PE-SERFOR" in out
    assert "nothing imported" in out
    assert "line 4, reference: reference 'CLI-1' is also on line 2" in out
    assert "line 5, country:" in out and "line 5, quantity:" in out
    table = list(csv.DictReader(io.StringIO(rejects.read_text())))
    assert {(r["line"], r["field"]) for r in table} >= {("4", "reference"), ("5", "country")}
    assert _seizures(db) == []
    code, out = _import(db, str(mixed), "--agency", "PE-SERFOR", "--user", "ana", "--json")
    report = json.loads(out)
    assert (code, report["status"], report["rows"], report["rejected_rows"]) == (
        1,
        "rejected",
        4,
        2,
    )


def test_import_writes_a_good_file_in_the_importers_name(db: list[str], tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(HEADER + GOOD)
    code, out = _import(db, str(good), "--agency", "PE-SERFOR", "--user", "ana")
    assert code == 0, out
    assert "good.csv: 2 rows, 2 check, 0 rejected; 2 seizures imported for PE-SERFOR" in out
    rows = _seizures(db)
    assert [r[0] for r in rows] == ["CLI-1", "CLI-2"]
    assert rows[0][1] == "=cmd|' /C calc'!A0"  # a formula is kept as text
    engine = sa.create_engine(db[1])
    with engine.connect() as conn:
        action, user = conn.execute(
            sa.text(
                "SELECT a.action, u.username FROM audit_log a JOIN users u ON u.id = a.user_id"
                " WHERE a.action = 'import'"
            )
        ).one()
    engine.dispose()
    assert (action, user) == ("import", "ana")
    assert runner.invoke(app, ["registry", "verify-audit", *db]).exit_code == 0
    code, out = _import(db, str(good), "--agency", "PE-SERFOR", "--user", "ana")
    assert code == 1 and "is already a seizure of your agency" in out


def test_import_refusals(db: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = tmp_path / "good.csv"
    good.write_text(HEADER + GOOD)
    code, out = _import(db, str(good), "--agency", "BO-POL", "--user", "ana")
    assert code == 2 and "--user ana: not an active user of BO-POL (a user of PE-SERFOR)" in out
    code, out = _import(db, str(good), "--agency", "PE-SERFOR", "--user", "vic")
    assert code == 2 and "does not allow importing records" in out
    code, out = _import(db, str(good), "--agency", "PE-SERFOR", "--user", "nobody")
    assert code == 2 and "no user 'nobody'" in out
    code, out = _import(db, str(tmp_path / "none.csv"), "--agency", "PE-SERFOR", "--user", "ana")
    assert code == 2 and "cannot be read" in out
    notes = tmp_path / "notes.txt"
    notes.write_text("x")
    code, out = _import(db, str(notes), "--agency", "PE-SERFOR", "--user", "ana")
    assert code == 2 and "expected a .csv or .xlsx file" in out
    monkeypatch.setenv("ONCA_REGISTRY_MAX_UPLOAD", "100")
    code, out = _import(db, str(good), "--agency", "PE-SERFOR", "--user", "ana")
    assert code == 2 and "at most 100 per import" in out
    assert _seizures(db) == []
