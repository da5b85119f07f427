"""Does the report's opening summary point at the right people on data Onca did not make?

For each IBM AMLSim sample (a simulator that is not Onca's; labels per account), the first hour
as a user runs it, through the command line: ``onca convert amlsim``, ``onca ingest WS DIR``,
``onca screen`` (no labels), ``onca report --json``. Then the report's five leads and the
parties its screening section ranks first are checked against AMLSim's ``isFraud``: precision
at 5 and at 15, beside the base rate (what picking parties at random would give) and beside
counting transactions (the parties with the most payments), the baseline of the same run.

    .venv/bin/python benchmarks/bench_report_leads.py [--data ../shared/data/amlsim] [--work DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ONCA = [sys.executable, "-m", "onca"]


def onca(*args: str) -> str:
    done = subprocess.run([*ONCA, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"onca {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def fraud_parties(archive: Path) -> tuple[set[str], int]:
    """AMLSim's fraud accounts as Onca's party ids (AMLSIM-PN), and the number of accounts."""
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("nodes.csv"))
        stream = tar.extractfile(member)
        assert stream is not None
        rows = list(csv.DictReader(line.decode() for line in stream))
    return {f"AMLSIM-P{r['nodeid']}" for r in rows if r["isFraud"] in ("1", "True", "true")}, len(
        rows
    )


def precision(ids: list[str], fraud: set[str]) -> float | None:
    return sum(i in fraud for i in ids) / len(ids) if ids else None


def measure(archive: Path, work: Path) -> dict[str, object]:
    import duckdb

    name = archive.name.removesuffix(".tgz")
    out, ws = work / name, work / f"{name}.duckdb"
    started = time.perf_counter()
    onca("convert", "amlsim", str(archive), "--out", str(out))
    onca("ingest", str(ws), str(out))
    onca("screen", str(ws), "--json")
    report = json.loads(onca("report", str(ws), "--out", str(work / f"{name}.html"), "--json"))
    seconds = time.perf_counter() - started
    leads = [lead["record"] for lead in report["summary"]["leads"]]
    fraud, accounts = fraud_parties(archive)
    with duckdb.connect(str(ws), read_only=True) as con:
        from onca.engines import DuckDBEngine
        from onca.finance import ranked_parties

        top15 = [p.id for p in ranked_parties(DuckDBEngine(con), top=15)]
        busiest = [
            r[0]
            for r in con.execute(
                """SELECT a.holder_id, count(*) AS n FROM transactions AS t
                   JOIN accounts AS a ON a.account_id IN (t.from_account, t.to_account)
                   GROUP BY 1 ORDER BY n DESC, 1 LIMIT 15"""
            ).fetchall()
        ]
    return {
        "sample": name,
        "accounts": accounts,
        "base_rate": round(len(fraud) / accounts, 4),
        "leads": leads,
        "leads_precision_at_5": precision(leads, fraud),
        "report_top15_precision": precision(top15, fraud),
        "busiest15_precision": precision(busiest, fraud),
        "busiest5_precision": precision(busiest[:5], fraud),
        "seconds_convert_to_report": round(seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "amlsim")
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    archives = sorted(args.data.glob("*.tgz"))
    if not archives:
        raise SystemExit(f"{args.data}: no AMLSim samples (*.tgz)")
    with tempfile.TemporaryDirectory(prefix="onca-leads-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for archive in archives:
            print(json.dumps(measure(archive, work)), flush=True)


if __name__ == "__main__":
    main()
