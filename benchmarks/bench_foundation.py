"""Foundation benchmark: `onca synth` and `onca ingest` of N transactions (default 10 million).

Each step runs as its own process (the CLI, as a user runs it) so that peak memory is that
process's own. The baseline for ingest, measured in the same run on the same file, is DuckDB's
own CSV reader copying the file into a table with no checks at all: the price of validation,
quarantine and idempotency is the difference.

    .venv/bin/python benchmarks/bench_foundation.py --transactions 10000000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil


def run_measured(cmd: list[str]) -> tuple[float, float, str]:
    """Run ``cmd``; return wall seconds, peak RSS in MiB (sampled every 50 ms) and stdout."""
    started = time.perf_counter()
    proc = psutil.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        try:
            rss = proc.memory_info().rss
            rss += sum(c.memory_info().rss for c in proc.children(recursive=True))
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.05)
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    return seconds, peak / 2**20, out


def baseline_copy(csv_path: Path, db: Path) -> tuple[float, float, str]:
    code = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1]);"
        'con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, all_varchar=true)", [sys.argv[2]]).fetchall();'
        "print(con.execute('SELECT count(*) FROM t').fetchall()[0][0])"
    )
    return run_measured([sys.executable, "-c", code, str(db), str(csv_path)])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--transactions", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--workdir", type=Path, default=None, help="keep files here (default: temp)"
    )
    args = parser.parse_args()
    n = args.transactions
    work = args.workdir or Path(tempfile.mkdtemp(prefix="onca-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    onca = [sys.executable, "-m", "onca"]
    data, ws = work / "data", work / "bench.duckdb"
    for p in (ws, work / "baseline.duckdb"):
        p.unlink(missing_ok=True)
    results: dict[str, object] = {
        "transactions": n,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB",
    }

    secs, peak, out = run_measured([*onca, "synth", "--out", str(data), "--transactions", str(n),
                                    "--seed", str(args.seed), "--force", "--json"])  # fmt: skip
    counts = json.loads(out)["counts"]
    results["synth"] = {
        "seconds": round(secs, 1),
        "rows_per_s": round(n / secs),
        "peak_rss_mib": round(peak),
    }
    print(f"synth   {n:>12,} txns {secs:7.1f} s {n / secs:>12,.0f} rows/s  peak {peak:,.0f} MiB")

    for kind in ("parties", "accounts"):
        subprocess.run([*onca, "ingest", str(ws), kind, str(data / f"{kind}.csv"), "--json"],
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    tx = data / "transactions.csv"
    secs, peak, out = run_measured([*onca, "ingest", str(ws), "transactions", str(tx), "--json"])
    res = json.loads(out)
    assert res["rows"] == counts["transactions"] == res["loaded"] + res["quarantined"]
    results["ingest"] = {
        "seconds": round(secs, 1), "rows_per_s": round(n / secs), "peak_rss_mib": round(peak),
        "loaded": res["loaded"], "quarantined": res["quarantined"],
        "file_mib": round(tx.stat().st_size / 2**20),
    }  # fmt: skip
    print(f"ingest  {n:>12,} txns {secs:7.1f} s {n / secs:>12,.0f} rows/s  peak {peak:,.0f} MiB"
          f"  ({res['loaded']:,} loaded, {res['quarantined']:,} quarantined)")  # fmt: skip

    secs, peak, out = run_measured([*onca, "ingest", str(ws), "transactions", str(tx), "--json"])
    res = json.loads(out)
    results["reingest_same_file"] = {"seconds": round(secs, 1), "peak_rss_mib": round(peak),
                                     "inserted": res["inserted"], "unchanged": res["unchanged"]}  # fmt: skip
    print(f"re-ingest (idempotent) {secs:7.1f} s  peak {peak:,.0f} MiB  inserted {res['inserted']}")

    secs, peak, out = baseline_copy(tx, work / "baseline.duckdb")
    results["baseline_duckdb_read_csv"] = {"seconds": round(secs, 1), "rows_per_s": round(n / secs),
                                           "peak_rss_mib": round(peak)}  # fmt: skip
    print(
        f"baseline DuckDB read_csv, no checks {secs:7.1f} s {n / secs:>12,.0f} rows/s  peak {peak:,.0f} MiB"
    )
    print(json.dumps(results, indent=2))
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
