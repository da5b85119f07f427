"""Learned scoring benchmark: LightGBM on graph features against the screening rules.

Generates an Operation Jaguar scenario (``--transactions``, default 200,000; ``--seed``, default
7), ingests every table, screens it with the built-in typologies, then in this process:

a. temporal motifs over all transactions (``workspace_motifs``): instances per motif and the
   share of the planted fan-in, fan-out, cycle, scatter-gather and gather-scatter episodes with
   at least half their payments in an instance of that motif;
b. ``transaction_features`` once, then ``evaluate_learning`` (temporal 60/20/20 split; the
   validation part stops the boosting and picks the threshold and the rules level) with every
   feature, without the whole-data account features (``WHOLE_DATA``), and without motifs.

Prints a markdown block: counts, split sizes and positives, rules-only and learned precision,
recall and F1 on the test split (transactions, then parties), the F1 difference (target: learned
>= rules + 0.10), the top features and the timings (wall time, peak RSS of this process).

    .venv/bin/python benchmarks/bench_network_learn.py                       # 200,000
    .venv/bin/python benchmarks/bench_network_learn.py --transactions 20000 --seed 11
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from onca.contract import load_contract
from onca.finance import load_library, screen
from onca.ingest import ingest_files
from onca.metrics import fmt
from onca.network._features import FEATURES, MOTIF_FEATURES, WHOLE_DATA, transaction_features
from onca.network._learn_report import LearnReport, evaluate_learning
from onca.network._motifs import KINDS, workspace_motifs
from onca.synth import generate_scenario
from onca.workspace import open_workspace

PLANTED = ("fan_in", "fan_out", "cycle", "scatter_gather", "gather_scatter")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(step: str, steps: list[dict], call: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    out = call()
    seconds = time.perf_counter() - started
    steps.append({"step": step, "seconds": round(seconds, 1), "peak_rss_mib": round(peak_mib())})
    print(f"{step:<40} {seconds:7.1f} s  peak {peak_mib():7,.0f} MiB", flush=True)
    return out


def build(work: Path, n: int, seed: int, steps: list[dict]) -> tuple[Path, Path]:
    summary = timed(
        "generate",
        steps,
        lambda: generate_scenario(work / "world", transactions=n, seed=seed, fmt="parquet"),
    )
    ws = work / "ws.duckdb"

    def ingest() -> None:
        for kind in load_contract().load_order():
            files = sorted(summary.out_dir.glob(f"{kind}.parquet"))
            if files:
                ingest_files(ws, kind, files)

    timed("ingest", steps, ingest)
    with open_workspace(ws) as w:
        timed("screen (built-in typologies)", steps, lambda: screen(w, load_library()))
    return ws, summary.truth_dir


def planted_recall(ws: Path, truth: Path, steps: list[dict]) -> dict[str, Any]:
    with open_workspace(ws, read_only=True) as w:
        result, payments = timed("motifs", steps, lambda: workspace_motifs(w))
    position = {t: i for i, t in enumerate(payments.txn_id)}
    episodes: dict[tuple[str, str], list[int]] = {}
    with (truth / "transactions.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            if row["typology"] in PLANTED:
                key = (row["typology"], row["episode_id"])
                episodes.setdefault(key, []).append(position[row["txn_id"]])
    found: dict[str, list[bool]] = {}
    for (kind, _), rows in episodes.items():
        hit = float(np.mean(result.txn_counts[kind][rows] > 0)) >= 0.5
        found.setdefault(kind, []).append(hit)
    return {
        "instances": result.counts(),
        "truncated": sorted(result.truncated),
        "episodes_found": {k: f"{sum(v)}/{len(v)}" for k, v in sorted(found.items())},
    }


def row(label: str, s: dict[str, Any]) -> str:
    return (
        f"| {label} | {s['flagged']:,} | {s['true_positives']:,} | {fmt(s['precision'])}"
        f" | {fmt(s['recall'])} | {fmt(s['f1'])} |"
    )


def markdown(results: dict[str, Any]) -> str:
    full: dict[str, Any] = results["runs"]["all features"]
    lines = [
        f"Scenario: {results['transactions']:,} transactions (seed {results['seed']}),"
        f" {results['alerts']:,} alerts, {full['positives']:,} illicit transactions;"
        f" {results['machine']}.",
        "",
        "| split | transactions | positives | first ts | last ts |",
        "|---|---:|---:|---|---|",
    ]
    for name, s in full["splits"].items():
        first = time.strftime("%Y-%m-%d", time.gmtime(s["first_ts"]))
        last = time.strftime("%Y-%m-%d", time.gmtime(s["last_ts"]))
        lines.append(f"| {name} | {s['transactions']:,} | {s['positives']:,} | {first} | {last} |")
    lines += [
        "",
        "Test split, transactions (positive class):",
        "",
        "| scorer | flagged | true positives | precision | recall | F1 |",
        "|---|---:|---:|---:|---:|---:|",
        row(f"rules only ({full['rules_level']} level)", full["rules"]),
    ]
    for name, r in results["runs"].items():
        lines.append(row(f"learned, {name}", r["learned"]))
    lines += ["", "F1 difference, learned - rules (target >= +0.10):"]
    for name, r in results["runs"].items():
        lines.append(
            f"- {name}: {fmt(r['f1_difference'], '+.3f')} (threshold {r['threshold']:.3f})"
        )
    p = full["parties"]
    lines += [
        "",
        f"Test split, parties ({p['parties']:,} holding an account in a test transaction):",
        "",
        "| scorer | flagged | true positives | precision | recall | F1 |",
        "|---|---:|---:|---:|---:|---:|",
        row("rules only (any alert)", p["rules"]),
        row("learned (a flagged test transaction)", p["learned"]),
        "",
        "Top features (share of gain, all features): "
        + ", ".join(f"{n} {v:.3f}" for n, v in full["importances"][:10]),
        "",
        f"Motif instances: {results['motifs']['instances']}; planted episodes found:"
        f" {results['motifs']['episodes_found']}",
        "",
        "| step | wall time | peak RSS |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| {s['step']} | {s['seconds']} s | {s['peak_rss_mib']:,} MiB |" for s in results["steps"]
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--transactions", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=None, help="keep files here")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="onca-bench-learn-"))
    work.mkdir(parents=True, exist_ok=True)
    steps: list[dict] = []
    ws, truth = build(work, args.transactions, args.seed, steps)
    motifs = planted_recall(ws, truth, steps)
    variants = {
        "all features": FEATURES,
        "without whole-data account features": tuple(f for f in FEATURES if f not in WHOLE_DATA),
        "without motif features": tuple(f for f in FEATURES if f not in MOTIF_FEATURES),
    }
    runs: dict[str, dict[str, Any]] = {}
    with open_workspace(ws, read_only=True) as w:
        frame = timed("features", steps, lambda: transaction_features(w))
        alerts = int(w.con.sql("SELECT count(*) FROM alerts").fetchall()[0][0])
        for name, columns in variants.items():
            report: LearnReport = timed(
                f"train and score ({name})",
                steps,
                lambda columns=columns: evaluate_learning(w, truth, frame=frame, features=columns),
            )
            runs[name] = report.to_dict()
    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores,"
        f" {psutil.virtual_memory().total / 2**30:.0f} GiB",
        "transactions": len(frame),
        "seed": args.seed,
        "alerts": alerts,
        "motifs": motifs,
        "steps": steps,
        "runs": runs,
        "kinds": KINDS,
    }
    print()
    print(markdown(results))
    print()
    print(json.dumps(results, indent=2, default=str))
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
