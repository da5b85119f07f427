"""PPRL benchmark: privacy-preserving linking of FEBRL4 against clear-text linking.

Every step runs as its own process through the CLI, as the two institutions would run it
(wall time and peak memory are that process's, sampled every 50 ms):

1. ``onca pprl keygen --out project.key``;
2. ``onca pprl encode febrl4_a.csv --key-file project.key --out a.pprl.parquet`` and the same
   for B (the bank and the agency, each on its own file);
3. ``onca pprl match a.pprl.parquet b.pprl.parquet --out pprl_pairs.csv --json``;
4. clear text: ``onca resolve link febrl4_a.csv febrl4_b.csv --out clear_pairs.csv`` (Splink),
   or, where that command is missing, ``onca.resolve.link_tables`` in a process of its own.

Both sets of pairs are scored against FEBRL4's 5,000 true links (pairwise precision, recall,
F1). Target: PPRL F1 within 0.03 of clear text.

    .venv/bin/python benchmarks/bench_pprl.py
    .venv/bin/python benchmarks/bench_pprl.py --workdir /tmp/bench-pprl --threshold 0.9
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).parent))
from bench_foundation import run_measured
from febrl import pairwise_scores, write_febrl4

ONCA = [sys.executable, "-m", "onca"]
# ``onca pprl`` before it is registered on the root command: the same Typer app, run directly.
PPRL_APP = [sys.executable, "-c", "from onca.cli._pprl import app; app(prog_name='onca pprl')"]
TARGET_GAP = 0.03

CLEAR_IN_PROCESS = """
import sys
import pyarrow.csv as pacsv
from onca.resolve._io import read_party_file
from onca.resolve._resolve import link_tables
links = link_tables(read_party_file(sys.argv[1]), read_party_file(sys.argv[2]),
                    threshold=float(sys.argv[4]))
pacsv.write_csv(links.pairs.select(["left_id", "right_id", "match_probability"]), sys.argv[3])
"""


def _has_command(*words: str) -> bool:
    probe = subprocess.run([*ONCA, *words, "--help"], capture_output=True, text=True)
    return probe.returncode == 0


def read_pairs(path: Path) -> set[tuple[str, str]]:
    with path.open(newline="") as f:
        return {(r["left_id"], r["right_id"]) for r in csv.DictReader(f)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--workdir", type=Path, default=None, help="keep files here")
    parser.add_argument("--threshold", type=float, default=0.9, help="for both linkers")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="onca-bench-pprl-"))
    work.mkdir(parents=True, exist_ok=True)
    a_csv, b_csv, truth_csv = write_febrl4(work)
    truth = read_pairs(truth_csv)

    pprl = [*ONCA, "pprl"] if _has_command("pprl") else PPRL_APP
    steps: list[dict] = []

    def step(name: str, cmd: list[str]) -> str:
        seconds, peak, out = run_measured(cmd)
        steps.append({"step": name, "seconds": round(seconds, 2), "peak_rss_mib": round(peak)})
        print(f"{name:<22} {seconds:6.2f} s  peak {peak:6,.0f} MiB", flush=True)
        return out

    key = work / "project.key"
    key.unlink(missing_ok=True)
    step("pprl keygen", [*pprl, "keygen", "--out", str(key)])
    encoded = []
    inside: dict[str, float] = {}  # seconds the command reports, without start-up and imports
    for side, party_file in (("a", a_csv), ("b", b_csv)):
        enc = work / f"{side}.pprl.parquet"
        out = step(
            f"pprl encode {side.upper()}",
            [*pprl, "encode", str(party_file), "--key-file", str(key), "--out", str(enc), "--json"],
        )
        inside[f"pprl encode {side.upper()}"] = json.loads(out)["seconds"]
        encoded.append(enc)
    pprl_csv = work / "pprl_pairs.csv"
    match_out = step(
        "pprl match",
        [*pprl, "match", *map(str, encoded), "--out", str(pprl_csv),
         "--threshold", str(args.threshold), "--json"],
    )  # fmt: skip
    summary = json.loads(match_out)
    inside["pprl match"] = summary["seconds"]["total"]

    clear_csv = work / "clear_pairs.csv"
    if _has_command("resolve", "link"):
        clear_how = "onca resolve link"
        clear_cmd = [*ONCA, "resolve", "link", str(a_csv), str(b_csv), "--out", str(clear_csv),
                     "--threshold", str(args.threshold)]  # fmt: skip
    else:
        clear_how = "onca.resolve._resolve.link_tables (in its own process)"
        clear_cmd = [sys.executable, "-c", CLEAR_IN_PROCESS, str(a_csv), str(b_csv),
                     str(clear_csv), str(args.threshold)]  # fmt: skip
    step("clear-text link", clear_cmd)

    scores = {
        "pprl": pairwise_scores(read_pairs(pprl_csv), truth),
        "clear": pairwise_scores(read_pairs(clear_csv), truth),
    }
    gap = scores["clear"]["f1"] - scores["pprl"]["f1"]
    seconds = {s["step"]: s["seconds"] for s in steps}
    result = {
        "dataset": "FEBRL4 (5,000 + 5,000 records, 5,000 true links)",
        "threshold": args.threshold,
        "clear_text_linker": clear_how,
        "scores": scores,
        "f1_gap": gap,
        "target": f"F1 within {TARGET_GAP} of clear text",
        "met": gap <= TARGET_GAP,
        "candidate_pairs": summary["candidate_pairs"],
        "estimated_matches": summary["estimated_matches"],
        "steps": steps,
        "seconds_inside_command": inside,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "platform": platform.platform(),
        },
    }
    (work / "bench_pprl.json").write_text(json.dumps(result, indent=2))

    print()
    print("| linker | precision | recall | F1 | seconds |")
    print("|---|---:|---:|---:|---:|")
    pprl_seconds = seconds["pprl encode A"] + seconds["pprl encode B"] + seconds["pprl match"]
    for name, label, secs in (
        ("pprl", "PPRL (`onca pprl encode` x2 + `match`)", pprl_seconds),
        ("clear", f"clear text ({clear_how})", seconds["clear-text link"]),
    ):
        s = scores[name]
        print(
            f"| {label} | {s['precision']:.4f} | {s['recall']:.4f} | {s['f1']:.4f} | {secs:.1f} |"
        )
    print()
    print(
        f"F1 gap (clear - PPRL): {gap:+.4f}; target <= {TARGET_GAP}:"
        f" {'met' if result['met'] else 'NOT met'}. Wall time per command (inside it, without"
        f" start-up): encode A {seconds['pprl encode A']:.2f} s ({inside['pprl encode A']:.2f}),"
        f" encode B {seconds['pprl encode B']:.2f} s ({inside['pprl encode B']:.2f}), match"
        f" {seconds['pprl match']:.2f} s ({inside['pprl match']:.2f});"
        f" {summary['candidate_pairs']:,} candidate pairs. Files in {work}"
    )


if __name__ == "__main__":
    main()
