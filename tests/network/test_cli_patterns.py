"""``onca network motifs``, ``learn`` and ``export``, trace exports, and the learning section."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from onca.cli import app
from onca.network import MOTIF_KINDS, TransactionScorer, evaluate_learning, transaction_features
from onca.network._learn_section import learning_section
from onca.workspace import open_workspace

runner = CliRunner()


def _json(args: list[str]) -> dict:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_cli_motifs_json_and_instances_file(scenario: tuple[Path, Path], tmp_path: Path) -> None:
    path = str(scenario[0])
    data = _json(["network", "motifs", path, "--json", "--out", str(tmp_path / "m.csv")])
    assert data["transactions"] == 20_000
    assert set(data["counts"]) == set(MOTIF_KINDS)
    assert data["counts"]["cycle"] > 0 and data["counts"]["fan_in"] > 0
    assert all(data["accounts"][k] > 0 for k in ("fan_out", "fan_in", "cycle"))
    usd = [r["usd"] for r in data["top"]]
    assert len(usd) == 10 and usd == sorted(usd, reverse=True)
    with (tmp_path / "m.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == sum(data["counts"].values())
    first = rows[0]
    assert len(first["txn_ids"].split(";")) == int(first["txns"])
    assert first["hub_account"] in first["account_ids"].split(";")


def test_cli_motifs_kind_filter_parquet_and_structural_mode(
    scenario: tuple[Path, Path], tmp_path: Path
) -> None:
    path = str(scenario[0])
    strict = _json(["network", "motifs", path, "--json", "-k", "cycle", "--top", "3"])
    assert {r["kind"] for r in strict["top"]} == {"cycle"}
    loose = _json(
        [
            "network",
            "motifs",
            path,
            "--json",
            "--no-pass-ratio",
            "--out",
            str(tmp_path / "m.parquet"),
        ]
    )
    assert loose["params"]["pass_ratio"] is None
    assert loose["counts"]["cycle"] > strict["counts"]["cycle"]  # amounts no longer matter
    table = pq.read_table(tmp_path / "m.parquet")
    assert table.num_rows == sum(loose["counts"].values())
    assert table.schema.field("txn_ids").type.value_type == "string"
    text = runner.invoke(app, ["network", "motifs", path, "--top", "2"])
    assert text.exit_code == 0 and "largest 2 instances" in text.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-k", "zigzag"], "--kind: unknown motif 'zigzag'"),
        (["--out", "motifs.txt"], "expected a file ending in .csv or .parquet"),
        (["--max-cycle-length", "12"], "Invalid value for '--max-cycle-length'"),
    ],
)
def test_cli_motifs_bad_options(scenario: tuple[Path, Path], args: list[str], message: str) -> None:
    result = runner.invoke(app, ["network", "motifs", str(scenario[0]), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_cli_motifs_on_an_empty_workspace(tmp_path: Path) -> None:
    open_workspace(tmp_path / "empty.duckdb").close()
    result = runner.invoke(app, ["network", "motifs", str(tmp_path / "empty.duckdb")])
    assert result.exit_code == 2 and "has no transactions" in result.output


def test_cli_learn_beats_rules_and_writes_scores(
    scenario: tuple[Path, Path], tmp_path: Path
) -> None:
    path, truth = scenario
    out = tmp_path / "scores.csv"
    data = _json(
        ["network", "learn", str(path), "--truth", str(truth), "--json", "--out", str(out)]
    )
    assert data["learned"]["f1"] >= data["rules"]["f1"] + 0.10
    assert data["splits"]["test"]["transactions"] == 4_000
    assert data["parties"]["parties"] > 0
    assert data["importances"][0]["gain_share"] > 0
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 20_000
    test = [r for r in rows if r["split"] == "test"]
    flagged = [r for r in test if r["flagged"] == "true"]
    assert len(flagged) == data["learned"]["flagged"]
    hits = [r for r in flagged if r["illicit"] == "true"]
    assert len(hits) == data["learned"]["true_positives"]
    text = runner.invoke(app, ["network", "learn", str(path), "--truth", str(truth)])
    assert text.exit_code == 0 and "learned minus rules F1" in text.stdout


def test_cli_learn_needs_screening_and_labels(scenario_copy: Path, tmp_path: Path) -> None:
    truth = tmp_path / "labels"
    truth.mkdir()
    (truth / "transactions.csv").write_text("txn_id\nTX000000001\n")
    missing = runner.invoke(app, ["network", "learn", str(scenario_copy), "--truth", str(tmp_path)])
    assert missing.exit_code == 2 and "truth file not found" in missing.output
    con = duckdb.connect(str(scenario_copy))
    con.execute("DELETE FROM screen_runs")
    con.close()
    result = runner.invoke(app, ["network", "learn", str(scenario_copy), "--truth", str(truth)])
    assert result.exit_code == 2
    assert "has not been screened" in result.output and "onca screen" in result.output


def test_labels_without_roles_give_no_party_scores(
    scenario: tuple[Path, Path], tmp_path: Path
) -> None:
    path, truth = scenario
    labels = tmp_path / "labels"
    labels.mkdir()
    (labels / "transactions.csv").write_bytes((truth / "transactions.csv").read_bytes())
    with open_workspace(path, read_only=True) as ws:
        report = evaluate_learning(
            ws, labels, scorer=TransactionScorer(learning_rate=0.1, n_estimators=200)
        )
    assert report.parties is None
    assert report.learned.f1 > report.rules.f1


def test_cli_export_whole_network_and_trace(scenario: tuple[Path, Path], tmp_path: Path) -> None:
    path = str(scenario[0])
    data = _json(
        [
            "network",
            "export",
            path,
            "--format",
            "gexf",
            "--out",
            str(tmp_path / "all.gexf"),
            "--json",
        ]
    )
    root = ET.parse(tmp_path / "all.gexf").getroot()
    ns = {"g": "http://gexf.net/1.3"}
    assert len(root.findall(".//g:node", ns)) == data["nodes"] > 1_000
    assert len(root.findall(".//g:edge", ns)) == data["edges"]
    with open_workspace(scenario[0], read_only=True) as ws:
        seizure = ws.con.sql("SELECT min(seizure_id) FROM seizures").fetchall()[0][0]
    traced = _json(
        [
            "network",
            "trace",
            path,
            "--from",
            seizure,
            "--json",
            "--export",
            "csv",
            "--out",
            str(tmp_path / "trace"),
        ]
    )
    nodes = (tmp_path / "trace" / "nodes.csv").read_text().splitlines()
    assert len(nodes) - 1 == len(traced["nodes"])
    assert traced["exported"] == [str(tmp_path / "trace" / n) for n in ("nodes.csv", "edges.csv")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "{ws}", "--format", "pdf", "--out", "x"], "--export: expected one of"),
        (["trace", "{ws}", "--from", "SZ000001", "--export", "gexf"], "go together"),
    ],
)
def test_cli_export_bad_options(scenario: tuple[Path, Path], args: list[str], message: str) -> None:
    argv = ["network", *(a.format(ws=scenario[0]) for a in args)]
    result = runner.invoke(app, argv)
    assert result.exit_code == 2 and message in result.output


def test_learning_section_tables_and_figure(scenario: tuple[Path, Path]) -> None:
    path, truth = scenario
    with open_workspace(path, read_only=True) as ws:
        frame = transaction_features(ws)
        report = evaluate_learning(
            ws, truth, frame=frame, scorer=TransactionScorer(learning_rate=0.1, n_estimators=200)
        )
        section = learning_section(ws, report=report, motifs=frame.motifs, truth_dir=truth, top=5)
    captions = [t.caption for t in section.tables]
    assert captions[0].startswith("Test split, per transaction")
    rules, learned = section.tables[0].rows
    assert learned[-1] == f"{report.learned.f1:.3f}" and rules[-1] == f"{report.rules.f1:.3f}"
    missed = section.tables[2]
    assert len(missed.rows) == 5 and missed.headings[-1] == "truth"
    probabilities = [float(r[6]) for r in missed.rows]
    assert probabilities == sorted(probabilities, reverse=True)
    motifs = section.tables[3]
    assert [r[0] for r in motifs.rows] == list(MOTIF_KINDS)
    assert section.figures[0].png.startswith(b"\x89PNG")
    assert "F1 of the illicit class" in " ".join(section.paragraphs)
