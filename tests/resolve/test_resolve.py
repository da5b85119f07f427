"""Entity resolution on the scenario's planted duplicates and on FEBRL4, and its bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pytest

from onca.errors import ParameterError
from onca.resolve import (
    dedupe_table,
    link_tables,
    party_features,
    read_party_file,
    resolve_workspace,
)
from onca.resolve._report import resolve_section
from onca.workspace import open_workspace
from tests.resolve.conftest import f1, head_csv, true_pairs


def _entity_pairs(path: Path) -> set[tuple[str, str]]:
    with open_workspace(path, create=False, read_only=True) as ws:
        rows = ws.con.execute(
            """SELECT a.party_id, b.party_id FROM entity_members AS a
               JOIN entity_members AS b ON a.entity_id = b.entity_id AND a.party_id < b.party_id"""
        ).fetchall()
    return {(str(a), str(b)) for a, b in rows}


@pytest.mark.slow
def test_scenario_duplicates_are_found(workspace: Path, world: tuple[Path, Path]) -> None:
    with open_workspace(workspace, create=False) as ws:
        summary = resolve_workspace(ws)
        members = ws.count("entity_members")
        parties = ws.count("parties")
        links = ws.con.execute(
            "SELECT match_weight, CAST(explanation AS VARCHAR) FROM entity_links"
        ).fetchall()
    truth = true_pairs(world[1])
    predicted = _entity_pairs(workspace)
    assert len(truth) > 100
    assert f1(predicted, truth) >= 0.95, (len(predicted & truth), len(predicted), len(truth))
    # The report section shows the same accuracy and explains one network member's match.
    with open_workspace(workspace, create=False, read_only=True) as ws:
        section = resolve_section(ws, truth_dir=world[1])
    accuracy, explained, why = section.tables[:3]
    assert float(accuracy.rows[0][-1]) == pytest.approx(f1(predicted, truth), abs=1e-3)
    assert "from a trafficking network" in explained.caption and len(explained.rows) == 2
    assert why.rows[0][0] == "prior" and len(why.rows) == 7
    # Every record belongs to exactly one entity, singletons included.
    assert members == parties == summary.records
    assert summary.duplicate_entities > 0 and summary.links == len(links)
    # The explanation's weights add up to the link's match weight.
    for weight, explanation in links:
        parts = json.loads(explanation)
        assert parts[0]["comparison"] == "prior"
        assert sum(p["weight"] for p in parts) == pytest.approx(weight, abs=0.05 * len(parts))


@pytest.mark.slow
def test_a_second_run_replaces_the_first(workspace: Path) -> None:
    with open_workspace(workspace, create=False) as ws:
        first = resolve_workspace(ws)
        second = resolve_workspace(ws, threshold=0.99)
        assert second.run_id == first.run_id + 1
        assert ws.count("resolve_runs") == 2
        assert ws.count("entity_members") == first.records
        assert (
            ws.con.execute("SELECT min(match_probability) FROM entity_links").fetchall()[0][0]
            >= 0.99
        )
        assert second.entities >= first.entities  # a stricter threshold never merges more


@pytest.mark.slow
def test_febrl4_slice_links_accurately(febrl: tuple[Path, Path, Path], tmp_path: Path) -> None:
    a_csv, b_csv, truth_csv = febrl
    with truth_csv.open(newline="") as f:
        truth = [(r["left_id"], r["right_id"]) for r in csv.DictReader(f)][:800]
    left = read_party_file(head_csv(a_csv, tmp_path / "a.csv", keep={t[0] for t in truth}))
    right = read_party_file(head_csv(b_csv, tmp_path / "b.csv", keep={t[1] for t in truth}))
    links = link_tables(left, right)
    predicted = set(
        zip(links.pairs["left_id"].to_pylist(), links.pairs["right_id"].to_pylist(), strict=True)
    )
    assert f1(predicted, set(truth)) >= 0.97


def _parties(rows: list[dict[str, str | None]]) -> pa.Table:
    columns = ["party_id", "kind", "name", "birth_date", "country", "phone", "id_number", "address"]
    return pa.table({c: [r.get(c) for r in rows] for c in columns})


def test_bad_values_are_kept_flagged_and_never_link() -> None:
    table = _parties(
        [
            {"party_id": "1", "name": "", "birth_date": "1980-02-30", "id_number": "0000000"},
            {"party_id": "2", "name": "   ", "birth_date": "1980-02-30", "id_number": "0000000"},
            {"party_id": "3", "name": "Ana Quispe", "phone": "n/a", "country": "PE"},
            {"party_id": "4", "name": "Ana Quispe Mamani", "birth_date": "1980-01-02"},
        ]
    )
    features = party_features(table, "t")
    assert features.num_rows == 4  # nothing dropped
    flags = dict(
        zip(features["unique_id"].to_pylist(), features["quality_flags"].to_pylist(), strict=True)
    )
    assert flags["1"] == ["name_empty", "birth_date_invalid", "id_number_garbage"]
    assert flags["3"] == ["phone_invalid"]
    assert flags["4"] == []
    # The two garbage records share the same bad values, yet no key links them.
    links = dedupe_table(table)
    linked = set(links.pairs["left_id"].to_pylist()) | set(links.pairs["right_id"].to_pylist())
    assert not linked & {"1", "2"}


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("id,full_name\n1,Ana\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="missing columns party_id, name"):
        read_party_file(path)


def test_unreadable_party_files_get_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="no such file"):
        read_party_file(tmp_path / "absent.csv")
    other = tmp_path / "p.xlsx"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"expected a \.csv or \.parquet"):
        read_party_file(other)


@pytest.mark.parametrize("threshold", [0.0, 1.0, 1.5, float("nan")])
def test_threshold_must_be_a_probability(threshold: float) -> None:
    with pytest.raises(ParameterError, match="--threshold"):
        dedupe_table(_parties([{"party_id": "1", "name": "Ana"}]), threshold=threshold)


def test_a_training_session_that_splink_refuses_is_skipped_with_a_note(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a small world one EM session drove an m probability to 0 and Splink refused it,
    failing the whole resolve (and `onca demo --transactions 1000`); now that session is left
    out with a note and the others still train the model."""
    from splink.internals.linker_components.training import LinkerTraining

    from onca.resolve._model import predict

    real = LinkerTraining.estimate_parameters_using_expectation_maximisation
    sessions: list[str] = []

    def refuse_the_first(self: LinkerTraining, rule: object, **kwargs: object) -> object:
        sessions.append(str(rule))
        if len(sessions) == 1:
            raise ValueError("m_probability value 0.0 is below the minimum allowed value")
        return real(self, rule, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(
        LinkerTraining, "estimate_parameters_using_expectation_maximisation", refuse_the_first
    )
    rows: list[dict[str, str | None]] = []
    for i in range(40):
        person = {"kind": "person", "country": "BO", "birth_date": f"19{50 + i}-01-0{1 + i % 9}"}
        name = f"Persona {chr(65 + i % 26)}{i} Quispe"
        rows.append({"party_id": f"a{i}", "name": name, **person, "id_number": f"{4400 + i}"})
        rows.append({"party_id": f"b{i}", "name": name, **person, "id_number": f"{4400 + i}"})
    prediction = predict(
        [party_features(_parties(rows), "t")], link_type="dedupe_only", threshold=0.9
    )
    assert len(sessions) >= 2
    assert any("failed and was skipped" in n for n in prediction.notes)
    assert prediction.pairs.num_rows > 0
