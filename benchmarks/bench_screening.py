"""Screening benchmark: every typology over N transactions on DuckDB, and on Spark (local mode).

Steps, each its own process through the CLI (as a user runs it; peak memory is the process's):

1. ``onca synth`` N transactions as Parquet and ``onca ingest`` every table (setup, not timed
   against any target; kept with --workdir so later runs skip it);
2. ``onca screen WS --json`` on DuckDB: wall time, transactions per second, peak RSS; then
   the same with ``--no-account-scores`` (typologies only, as before every account was scored),
   for the cost of the account scores in the same run;
3. baseline in the same run: one DuckDB pass over the same transactions table (a GROUP BY per
   account with count, sum, min and max), the floor for any screening that reads every row;
4. with --spark: ``onca screen WS --engine spark --json`` on a copy of the workspace, and a check
   that the alerts tables of both runs hold identical rows.

    .venv/bin/python benchmarks/bench_screening.py --transactions 10000000
    .venv/bin/python benchmarks/bench_screening.py --transactions 1000000 --spark
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).parent))
from bench_foundation import run_measured

TABLES = ("parties", "accounts", "permits", "shipments", "transactions", "seizures")


def prepare(work: Path, n: int, seed: int) -> Path:
    ws = work / "bench.duckdb"
    marker = work / f"ready-{n}-{seed}"
    if marker.exists() and ws.exists():
        return ws
    ws.unlink(missing_ok=True)
    onca = [sys.executable, "-m", "onca"]
    data = work / "data"
    secs, _, _ = run_measured([*onca, "synth", "--out", str(data), "--transactions", str(n),
                               "--seed", str(seed), "--format", "parquet", "--force", "--json"])  # fmt: skip
    print(f"setup: synth {n:,} transactions in {secs:.1f} s")
    for kind in TABLES:
        secs, _, out = run_measured(
            [*onca, "ingest", str(ws), kind, str(data / f"{kind}.parquet"), "--json"]
        )
        print(f"setup: ingest {kind}: {json.loads(out)['loaded']:,} rows in {secs:.1f} s")
    shutil.rmtree(data)
    marker.touch()
    return ws


def baseline_pass(ws: Path) -> tuple[float, float, str]:
    code = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True,"
        " config={'memory_limit': '2GB'});"
        "print(con.execute('SELECT count(*) FROM (SELECT to_account, count(*), sum(amount),"
        " min(ts), max(ts) FROM transactions GROUP BY to_account)').fetchall()[0][0])"
    )
    return run_measured([sys.executable, "-c", code, str(ws)])


def alert_rows(ws: Path) -> list[tuple[object, ...]]:
    import duckdb

    con = duckdb.connect(str(ws), read_only=True)
    rows = con.execute(
        "SELECT alert_id, typology_id, subject_id, party_id, window_start, window_end, score,"
        " evidence FROM alerts ORDER BY alert_id"
    ).fetchall()
    con.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--transactions", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--spark", action="store_true", help="also screen on Spark and compare")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the workspace here")
    args = parser.parse_args()
    n = args.transactions
    work = args.workdir or Path(tempfile.mkdtemp(prefix="onca-bench-screen-"))
    work.mkdir(parents=True, exist_ok=True)
    ws = prepare(work, n, args.seed)
    results: dict[str, object] = {
        "transactions": n,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB",
    }
    onca = [sys.executable, "-m", "onca"]
    secs, peak, out = run_measured([*onca, "screen", str(ws), "--json", "--top", "0"])
    res = json.loads(out)
    results["duckdb"] = {
        "seconds": round(secs, 1),
        "transactions_per_s": round(n / secs),
        "peak_rss_mib": round(peak),
        "alerts": res["alerts"],
        "by_typology": res["by_typology"],
        "typology_seconds": res["seconds"],
    }
    print(f"screen duckdb  {n:>12,} txns {secs:7.1f} s {n / secs:>12,.0f} txns/s"
          f"  peak {peak:,.0f} MiB  {res['alerts']:,} alerts")  # fmt: skip
    plain, plain_peak, _ = run_measured(
        [*onca, "screen", str(ws), "--json", "--top", "0", "--no-account-scores"]
    )
    cost = secs / plain - 1
    results["duckdb_without_account_scores"] = {
        "seconds": round(plain, 1),
        "peak_rss_mib": round(plain_peak),
        "account_scores_cost": round(cost, 3),
    }
    print(
        f"screen duckdb without account scores {plain:7.1f} s: scoring every account adds"
        f" {100 * cost:.0f}%"
    )
    secs, peak, _ = baseline_pass(ws)
    results["baseline_one_duckdb_pass"] = {"seconds": round(secs, 1), "peak_rss_mib": round(peak)}
    print(
        f"baseline: one DuckDB GROUP BY pass over transactions {secs:7.1f} s  peak {peak:,.0f} MiB"
    )
    if args.spark:
        duck_alerts = alert_rows(ws)
        copy = work / "spark.duckdb"
        shutil.copy(ws, copy)
        secs, peak, out = run_measured(
            [*onca, "screen", str(copy), "--engine", "spark", "--json", "--top", "0"]
        )
        res = json.loads(out)
        same = alert_rows(copy) == duck_alerts
        results["spark"] = {
            "seconds": round(secs, 1),
            "transactions_per_s": round(n / secs),
            "peak_rss_mib_driver_and_jvm": round(peak),
            "alerts": res["alerts"],
            "identical_to_duckdb": same,
        }
        print(f"screen spark   {n:>12,} txns {secs:7.1f} s  peak {peak:,.0f} MiB"
              f"  {res['alerts']:,} alerts, identical to DuckDB: {same}")  # fmt: skip
        copy.unlink()
    print(json.dumps(results, indent=2))
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
