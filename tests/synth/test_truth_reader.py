"""Truth.load: the one reader of a scenario's truth, beside its writer."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from onca.errors import InputFileError
from onca.synth import Role, ScenarioSummary, Truth


def test_reads_what_the_writer_wrote(world: ScenarioSummary) -> None:
    truth = Truth.load(world.truth_dir)
    assert truth.has("identities.csv") and truth.has("roles.csv")
    assert len(truth.identities) == world.counts["parties"]
    assert all(isinstance(r, Role) for r in truth.roles) and truth.roles
    members = truth.network_parties()
    assert members and members <= set(truth.identities)
    keys = {r.person_key for r in truth.roles}
    assert {truth.identities[p] for p in members} == keys & set(truth.identities.values())
    assert set(truth.party_roles()) == members
    assert truth.illicit_transactions == {r["txn_id"] for r in truth.transactions}
    assert truth.shipments and set(truth.permit_issues) <= {"reused", "wrong_species", "none"}
    records = truth.records_of()
    assert sum(len(v) for v in records.values()) == len(truth.identities)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    truth = Truth.load(tmp_path / "nowhere")
    assert not truth.has("roles.csv")
    with pytest.raises(InputFileError, match=r"truth file not found: .*nowhere/identities\.csv"):
        _ = truth.identities
    with pytest.raises(InputFileError, match=r"truth file not found: .*camtrap_truth\.json"):
        _ = truth.camtrap


def test_roles_may_be_absent_and_columns_are_checked(
    world: ScenarioSummary, tmp_path: Path
) -> None:
    folder = tmp_path / "truth"
    shutil.copytree(world.truth_dir, folder)
    (folder / "roles.csv").unlink()
    truth = Truth.load(folder)
    assert not truth.has("roles.csv") and truth.identities  # callers ask has() first
    (folder / "transactions.csv").write_text("id,typology\nTX1,cycle\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="no column 'txn_id'"):
        _ = Truth.load(folder).illicit_transactions


def test_json_documents(tmp_path: Path) -> None:
    (tmp_path / "cites_truth.json").write_text(json.dumps({"records": 3}), encoding="utf-8")
    assert Truth.load(tmp_path).cites == {"records": 3}
