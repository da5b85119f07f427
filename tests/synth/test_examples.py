"""``onca synth --examples``: one sample input per tour command, each read by its own reader and
agreeing with the scenario it was cut from; and synth refuses to overwrite a world."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from onca.cli import app
from onca.ecology import read_camtrap_dp
from onca.ecology.occupancy import read_history_csv
from onca.ecology.scr import read_secr

runner = CliRunner()


def test_examples_are_read_by_their_commands_readers(tmp_path: Path) -> None:
    world = tmp_path / "world"
    args = ["synth", "--out", str(world), "--transactions", "2000", "--examples", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    written = json.loads(result.stdout)["examples"]
    for name in written:
        assert (world / name).exists(), name
    with (world / "parties.csv").open(encoding="utf-8") as fh:
        ids = [r["party_id"] for r in csv.DictReader(fh)]
    bank = (world / "examples" / "bank.csv").read_text(encoding="utf-8").splitlines()
    customs = pq.read_table(world / "examples" / "customs.parquet").column("party_id").to_pylist()
    assert len(bank) - 1 == sum(i.startswith("BNK") for i in ids)
    assert customs == [i for i in ids if i.startswith("CUS")]
    jaguars = read_camtrap_dp(world / "camtrap", "Panthera onca")
    capthist = read_secr(
        world / "examples" / "trap.txt", world / "examples" / "capt.txt", detector="proximity"
    )
    identified = {d.individual for d in jaguars.detections if d.individual}
    assert capthist.n == len(identified) and len(capthist.traps.ids) == len(jaguars.stations)
    history = read_history_csv(
        world / "examples" / "history.csv", site_covs=world / "examples" / "sites.csv"
    )
    assert history.sites == read_camtrap_dp(world / "camtrap", "Leopardus pardalis").stations
    assert "forest" in history.site_covs
    nodes = (world / "examples" / "amlsim" / "nodes.csv").read_text().splitlines()
    assert nodes[0] == "nodeid,isFraud,init_balance,fraudStep"
    assert any(line.split(",")[1] == "1" for line in nodes[1:])  # planted accounts are fraud


def test_synth_refuses_a_folder_that_holds_files(tmp_path: Path) -> None:
    world = tmp_path / "world"
    world.mkdir()
    (world / "notes.txt").write_text("mine", encoding="utf-8")
    refused = runner.invoke(app, ["synth", "--out", str(world), "--transactions", "1000"])
    assert refused.exit_code != 0
    assert "not empty" in refused.output and "--force" in refused.output
    assert sorted(p.name for p in world.iterdir()) == ["notes.txt"]
    first = ["synth", "--out", str(world), "--transactions", "1000", "--camera-traps", "--force"]
    assert runner.invoke(app, first).exit_code == 0
    assert (world / "camtrap").is_dir() and (world / "notes.txt").is_file()
    assert (world / "seasons" / "detections.csv").is_file()
    again = ["synth", "--out", str(world), "--transactions", "1000", "--seed", "3", "--force"]
    assert runner.invoke(app, again).exit_code == 0
    # The first world's survey is gone with it; the user's own file stays.
    assert not (world / "camtrap").exists() and (world / "notes.txt").is_file()
    assert not (world / "seasons").exists()
    assert not (world / "truth" / "camtrap_truth.json").exists()
    assert (world / "transactions.csv").is_file()
