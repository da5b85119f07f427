"""onca registry init, agency add, user add, agreement add and verify-audit, with their errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from onca.cli import app

runner = CliRunner()


def test_registry_cli(tmp_path: Path) -> None:
    db = ["--db", str(tmp_path / "r.db")]

    def run(*args: str) -> tuple[int, str]:
        r = runner.invoke(app, ["registry", *args, *db])
        return r.exit_code, r.output

    code, out = run("init", "--json")
    assert code == 0 and json.loads(out)["schema"] == "0003"
    assert run("init")[0] == 0  # idempotent
    assert (
        run(
            "agency",
            "add",
            "PE-SERFOR",
            "--name",
            "SERFOR",
            "--country",
            "PE",
            "--kind",
            "wildlife",
        )[0]
        == 0
    )
    assert (
        run("agency", "add", "BO-POL", "--name", "Policía", "--country", "bo", "--kind", "police")[
            0
        ]
        == 0
    )
    code, out = run("agency", "add", "X", "--name", "X", "--country", "PE", "--kind", "army")
    assert code == 2 and "--kind: expected one of police" in out
    code, out = run(
        "agency", "add", "PE-SERFOR", "--name", "again", "--country", "PE", "--kind", "police"
    )
    assert code == 2 and "exists already" in out
    code, out = run("user", "add", "ana", "--agency", "PE-SERFOR", "--role", "admin", "--json")
    assert code == 0 and json.loads(out)["token"].startswith("onca_")
    code, out = run("user", "add", "bob", "--agency", "NOPE")
    assert code == 2 and "no agency 'NOPE' (agencies: BO-POL, PE-SERFOR)" in out
    code, out = run("user", "add", "carl", "--agency", "BO-POL", "--scope", "delete")
    assert code == 2 and "--scope" in out
    code, out = run(
        "agreement",
        "add",
        "PE-SERFOR",
        "BO-POL",
        "--kind",
        "seizure",
        "--field",
        "country",
        "--field",
        "specimens",
        "--valid-until",
        "2030-12-31",
    )
    assert code == 0 and "shares its seizure records (country, specimens) with BO-POL" in out
    code, out = run(
        "agreement", "add", "PE-SERFOR", "BO-POL", "--kind", "seizure", "--field", "salary"
    )
    assert code == 2 and "salary are not fields of a seizure" in out
    code, out = run("verify-audit", "--json")
    assert code == 0 and json.loads(out) == {
        "ok": True,
        "links": 4,
        "keyed_links": 0,
        "broken_at": None,
        "reason": None,
        "records": [],
    }
    head = tmp_path / "head.json"
    code, out = run("audit-head", "--out", str(head))
    assert code == 0 and json.loads(head.read_text())["seq"] == 4
    code, out = run("verify-audit", "--head", str(head))
    assert code == 0 and "link 4 matches the exported head" in out
    code, out = run("verify-audit", "--head", str(tmp_path / "missing.json"))
    assert code == 2 and "missing.json" in out
    key = tmp_path / "audit.key"
    assert runner.invoke(app, ["registry", "audit-key", str(key)]).exit_code == 0
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    again = runner.invoke(app, ["registry", "audit-key", str(key)])
    assert again.exit_code == 2 and "never overwritten" in again.output
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'r.db'}")
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE audit_log SET action = 'nothing' WHERE seq = 3")
        )  # an early link
    code, out = run("verify-audit")
    assert code == 1 and "BROKEN at link 3" in out
    code, out = runner.invoke(app, ["registry", "init", "--db", "mysql://x@y/z"]).exit_code, ""
    assert code == 2


def test_serve_with_workers_on_sqlite_warns_and_serves_with_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("ONCA_REGISTRY_DB", "ONCA_REGISTRY_MAX_BODY", "ONCA_REGISTRY_MAX_UPLOAD"):
        monkeypatch.setenv(name, "")  # serve sets them for its workers; put back afterwards
    started: list[tuple[str, int, int]] = []
    monkeypatch.setattr(
        "onca.registry._serve.serve",
        lambda host, port, workers: started.append((host, port, workers)),
    )
    result = runner.invoke(
        app, ["registry", "serve", "--workers", "2", "--db", str(tmp_path / "r.db")]
    )
    assert result.exit_code == 0, result.output
    assert started == [("127.0.0.1", 8000, 1)]
    assert "warning: --workers 2: serving with 1 worker, because the database is SQLite" in (
        " ".join(result.stderr.split())
    )
    assert "--db postgresql://" in result.stderr


def test_serve_with_one_worker_on_sqlite_says_nothing_of_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("ONCA_REGISTRY_DB", "ONCA_REGISTRY_MAX_BODY", "ONCA_REGISTRY_MAX_UPLOAD"):
        monkeypatch.setenv(name, "")
    started: list[int] = []
    monkeypatch.setattr(
        "onca.registry._serve.serve", lambda host, port, workers: started.append(workers)
    )
    result = runner.invoke(app, ["registry", "serve", "--db", str(tmp_path / "r.db")])
    assert result.exit_code == 0 and started == [1]
    assert "warning" not in result.stderr
