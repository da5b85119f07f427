"""Benchmark the Operation Jaguar generator: wall time, rows per second and peak memory.

Usage: python benchmarks/bench_synth.py [N] [--fmt csv|parquet] [--chunk-size ROWS] [--keep DIR]

Generates N transactions (default 10,000,000) into a temporary folder (or DIR with --keep) and
prints the wall time, transactions per second, peak resident memory of this process and the
size of what was written. Targets: 10 million transactions in 60 s or less, peak RSS 4 GB.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from onca.synth import generate_scenario


def _peak_rss_mib() -> float:
    """Peak resident set size of this process in MiB (Linux reports ru_maxrss in KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024 if sys.platform != "darwin" else kib / (1024 * 1024)


def _size_mib(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / (1024 * 1024)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("transactions", nargs="?", type=int, default=10_000_000)
    parser.add_argument("--fmt", default="csv", choices=("csv", "parquet"))
    parser.add_argument("--chunk-size", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, default=None, help="write here and keep the files")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="onca-bench-") as tmp:
        out = args.keep or Path(tmp) / "world"
        started = time.perf_counter()
        summary = generate_scenario(
            out,
            transactions=args.transactions,
            seed=args.seed,
            chunk_size=args.chunk_size,
            fmt=args.fmt,
        )
        seconds = time.perf_counter() - started
        size = _size_mib(out)
    rows = summary.counts["transactions"]
    print(f"transactions      {rows:>14,}")
    for table, n in summary.counts.items():
        if table != "transactions":
            print(f"{table:<17} {n:>14,}")
    print(f"networks          {summary.networks:>14}")
    print(f"format            {args.fmt:>14}")
    print(f"wall seconds      {seconds:>14.1f}")
    print(f"rows per second   {rows / seconds:>14,.0f}")
    print(f"peak RSS (MiB)    {_peak_rss_mib():>14,.0f}")
    print(f"written (MiB)     {size:>14,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
