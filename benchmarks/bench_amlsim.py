"""Screening on data Onca did not generate: IBM AMLSim's published fan-in and cycle samples.

For each sample in ../shared/data/amlsim (beside the checkout), as a user would run it:

1. ``onca convert amlsim SAMPLE.tgz --out DIR`` and ``onca ingest`` of parties, accounts and
   transactions;
2. ``onca screen WS --json`` (no labels: the account scores are unsupervised) and
   ``onca evaluate screening WS --labels DIR/labels/accounts.csv --json``: account-level ROC AUC
   and average precision of the scores, precision/recall of the alerts, and the same-run
   baselines (each account's transaction count; a seeded random order);
3. ``onca screen WS --labels ... --json`` (LightGBM, time-aware split) and the same evaluation,
   read on the test accounts.

For comparison, Onca's own scenario (``onca synth``, ``--scenario`` transactions, seed 7) goes
through the same steps; an account is labelled 1 when it sends or receives a planted illicit
payment (truth/transactions.csv).

    .venv/bin/python benchmarks/bench_amlsim.py [--samples DIR] [--scenario 200000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "data" / "amlsim"


def onca(*args: str) -> tuple[float, dict[str, Any]]:
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "onca", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"onca {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - began, json.loads(done.stdout)


def measures(part: dict[str, Any]) -> dict[str, Any]:
    base = {b["name"]: b for b in part["baselines"]}
    return {
        "accounts": part["rows"],
        "illicit": part["positives"],
        "roc_auc": part["score"]["roc_auc"],
        "average_precision": part["score"]["average_precision"],
        "count_roc_auc": base["transaction count"]["roc_auc"],
        "count_average_precision": base["transaction count"]["average_precision"],
        "random_roc_auc": base["random"]["roc_auc"],
        "alerts_flagged": part["alerts"]["flagged"],
        "alerts_precision": part["alerts"]["precision"],
        "alerts_recall": part["alerts"]["recall"],
    }


def scenario(out: Path, transactions: int) -> str:
    """Onca's scenario as a workspace, and account labels from its truth; the labels' path."""
    import duckdb

    seed = ["--seed", "7", "--format", "parquet", "--force", "--json"]
    onca("synth", "--out", str(out), "--transactions", str(transactions), *seed)
    ws = str(out / "ws.duckdb")
    for kind in ("parties", "accounts", "permits", "shipments", "transactions", "seizures"):
        onca("ingest", ws, kind, str(out / f"{kind}.parquet"), "--json")
    labels = out / "account_labels.csv"
    truth = out / "truth" / "transactions.csv"
    con = duckdb.connect(ws, read_only=True)
    con.execute(
        f"""COPY (
              WITH bad AS (SELECT t.from_account AS a, t.to_account AS b FROM transactions AS t
                           WHERE t.txn_id IN (SELECT txn_id FROM read_csv('{truth}')))
              SELECT account_id,
                     CASE WHEN account_id IN (SELECT a FROM bad UNION SELECT b FROM bad)
                          THEN 1 ELSE 0 END AS label
              FROM accounts ORDER BY account_id
            ) TO '{labels}' (HEADER)"""
    )
    con.close()
    return str(labels)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--samples", type=Path, default=SAMPLES)
    parser.add_argument("--scenario", type=int, default=200_000, help="0 leaves it out")
    args = parser.parse_args()
    results: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
    }
    with tempfile.TemporaryDirectory(prefix="onca-bench-amlsim-") as tmp:
        names = ["20K_fanin200", "20K_cycle200"] + (["scenario"] if args.scenario else [])
        for name in names:
            out = Path(tmp) / name
            ws = str(out / "ws.duckdb")
            if name == "scenario":
                labels = scenario(out, args.scenario)
            else:
                sample = str(args.samples / f"{name}.tgz")
                onca("convert", "amlsim", sample, "--out", str(out), "--json")
                for kind in ("parties", "accounts", "transactions"):
                    onca("ingest", ws, kind, str(out / f"{kind}.csv"), "--json")
                labels = str(out / "labels" / "accounts.csv")
            secs, screened = onca("screen", ws, "--json", "--top", "0")
            _, unsup = onca("evaluate", "screening", ws, "--labels", labels, "--json")
            sup_secs, _ = onca("screen", ws, "--labels", labels, "--json", "--top", "0")
            _, sup = onca("evaluate", "screening", ws, "--labels", labels, "--json")
            results[name] = {
                "screen_seconds": round(secs, 1),
                "alerts_by_typology": {k: v for k, v in screened["by_typology"].items() if v},
                "unsupervised": measures(unsup["all"]),
                "supervised_screen_seconds": round(sup_secs, 1),
                "supervised_test": measures(sup["test"]),
            }
            u, s = results[name]["unsupervised"], results[name]["supervised_test"]
            print(
                f"{name}: unsupervised AUC {u['roc_auc']:.3f} AP {u['average_precision']:.3f}"
                f" (count {u['count_roc_auc']:.3f}); alerts {u['alerts_flagged']} precision"
                f" {u['alerts_precision']:.3f}; supervised test AUC {s['roc_auc']:.3f}"
                f" AP {s['average_precision']:.3f} (count {s['count_roc_auc']:.3f})",
                flush=True,
            )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
