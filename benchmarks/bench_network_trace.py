"""Tracing benchmark: 6-hop follow-the-money traces in a 10-million-edge transaction graph.

1. ``onca synth`` writes the scenario (N transactions, default 10,000,000) as Parquet; the
   transactions go straight into a workspace table (the benchmark measures tracing, not ingest).
2. The in-memory flow source (NumPy, ``--engine memory``) loads every transaction once.
3. From S start accounts (default 20, drawn with a seed among accounts that send money), a trace
   of 6 hops forwards and one backwards, each bounded by --max-edges (default 50,000, as the CLI), on the
   in-memory source and, as the baseline in the same run, as one SQL query per hop on DuckDB.

Target: a 6-hop trace in <= 2 s.

    .venv/bin/python benchmarks/bench_network_trace.py                  # 10M
    .venv/bin/python benchmarks/bench_network_trace.py --transactions 1000000 --starts 5
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import psutil

from onca.engines import DuckDBEngine
from onca.network import ArrayFlows, SqlFlows, trace_flows
from onca.synth import generate_scenario
from onca.workspace import open_workspace

HOPS = 6


def _rss_mib() -> float:
    return psutil.Process().memory_info().rss / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transactions", type=int, default=10_000_000)
    parser.add_argument("--starts", type=int, default=20)
    parser.add_argument("--sql-starts", type=int, default=5, help="starts traced on DuckDB SQL")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument(
        "--max-edges", type=int, default=50_000, help="bound per trace (the CLI's default)"
    )
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="onca-bench-trace-"))
    t = time.perf_counter()
    summary = generate_scenario(
        work / "world", transactions=args.transactions, seed=args.seed, fmt="parquet"
    )
    synth_s = time.perf_counter() - t
    ws_path = work / "ws.duckdb"
    ws_path.unlink(missing_ok=True)
    with open_workspace(ws_path) as ws:
        t = time.perf_counter()
        ws.con.execute(
            f"INSERT INTO transactions BY NAME SELECT * FROM read_parquet('{summary.out_dir}/transactions.parquet')"
        )
        load_s = time.perf_counter() - t
        edges = ws.con.execute("SELECT count(*) FROM transactions").fetchone()[0]
        before = _rss_mib()
        t = time.perf_counter()
        flows = ArrayFlows.from_workspace(ws)
        arrays_s = time.perf_counter() - t
        arrays_mib = _rss_mib() - before
        starts = [
            r[0]
            for r in ws.con.execute(
                f"""SELECT from_account FROM (SELECT DISTINCT from_account FROM transactions)
                    ORDER BY hash(from_account || '{args.seed}') LIMIT {args.starts}"""
            ).fetchall()
        ]
        t = time.perf_counter()  # the first trace in a process loads the compiled kernels
        trace_flows(flows, starts[:1], "forward", hops=1, max_edges=10)
        warmup_s = time.perf_counter() - t
        rows = []
        for i, account in enumerate(starts):
            for way in ("forward", "backward"):
                t = time.perf_counter()
                trail = trace_flows(flows, [account], way, hops=HOPS, max_edges=args.max_edges)  # type: ignore[arg-type]
                memory_s = time.perf_counter() - t
                sql_s = None
                if i < args.sql_starts:
                    sql = SqlFlows(DuckDBEngine.from_workspace(ws))
                    t = time.perf_counter()
                    other = trace_flows(sql, [account], way, hops=HOPS, max_edges=args.max_edges)  # type: ignore[arg-type]
                    sql_s = time.perf_counter() - t
                    assert [p.txn_id for p in other.payments] == [p.txn_id for p in trail.payments]
                rows.append(
                    (
                        account,
                        way,
                        memory_s,
                        sql_s,
                        len(trail.payments),
                        len(trail.reached),
                        trail.truncated,
                    )
                )
                print(
                    f"{account} {way:8} memory {memory_s:6.3f} s"
                    + (f"  duckdb {sql_s:6.3f} s" if sql_s is not None else "")
                    + f"  {len(trail.payments):>6} txns  {len(trail.reached):>6} accounts"
                    + (f"  (cut at {args.max_edges:,})" if trail.truncated else ""),
                    flush=True,
                )
    times = [r[2] for r in rows]
    sql_times = [r[3] for r in rows if r[3] is not None]
    print()
    print(
        f"### Tracing ({platform.node()}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB)"
    )
    print()
    print(
        f"`.venv/bin/python benchmarks/bench_network_trace.py --transactions {args.transactions} --starts {args.starts} --max-edges {args.max_edges}`"
    )
    print()
    print("| step | value |")
    print("|---|---|")
    print(f"| transactions (edges) | {edges:,} |")
    print(f"| synth / load into DuckDB | {synth_s:.1f} s / {load_s:.1f} s |")
    print(f"| in-memory flow source: load | {arrays_s:.1f} s, +{arrays_mib:,.0f} MiB |")
    print(f"| first trace in the process (Numba kernels load, 1 hop) | {warmup_s:.2f} s |")
    print(f"| 6-hop traces | {len(rows)} ({args.starts} accounts x forward, backward) |")
    print(
        f"| memory: median / max per trace | {statistics.median(times):.3f} s / {max(times):.3f} s |"
    )
    if sql_times:
        print(
            f"| DuckDB SQL (baseline, {len(sql_times)} traces): median / max | "
            f"{statistics.median(sql_times):.3f} s / {max(sql_times):.3f} s |"
        )
    print(
        f"| transactions per trace: median / max | {statistics.median(r[4] for r in rows):,.0f} / {max(r[4] for r in rows):,} |"
    )
    print(f"| traces cut at {args.max_edges:,} transactions | {sum(r[6] for r in rows)} |")
    print(f"| target: <= 2 s per 6-hop trace | {'met' if max(times) <= 2 else 'NOT met'} |")


if __name__ == "__main__":
    main()
