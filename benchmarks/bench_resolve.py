"""Entity-resolution benchmark: accuracy on FEBRL4 and the scenario, speed on 1 million parties.

Each step runs as its own process through the CLI (as a user runs it; peak memory is that
process's, sampled every 50 ms). Accuracy is pairwise: a true pair is two records of one real
party, a predicted pair two records that resolution put together.

a. FEBRL4 (benchmarks/febrl.py): ``onca resolve link A.csv B.csv --out pairs.csv``, scored
   against the 5,000 true links. Target F1 >= 0.99.
b. The scenario: ``onca synth`` (default size), ``onca ingest`` of every table, then
   ``onca resolve WS --json``; entities read from the workspace table ``entity_members`` and
   scored against ``truth/identities.csv``. Target F1 >= 0.95 on its planted duplicates.
c. Scale: ``benchmarks/parties_scale.py`` writes N party records (default 1,000,000; about 22%
   are duplicates), ``onca ingest`` loads them, ``onca resolve WS --json`` runs on DuckDB and is
   scored against the generator's truth. Target: 1 million records in <= 180 s on 2 cores.
d. With --spark: the same on N = --spark-records (default 100,000) with ``--engine spark``, and
   DuckDB on a copy of the same workspace, to compare the two.

    .venv/bin/python benchmarks/bench_resolve.py                   # a, b, c at 1M
    .venv/bin/python benchmarks/bench_resolve.py --records 20000 --spark --spark-records 20000
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb
import psutil

sys.path.insert(0, str(Path(__file__).parent))
from bench_foundation import run_measured
from febrl import pairwise_scores

HERE = Path(__file__).parent
ONCA = [sys.executable, "-m", "onca"]
SCENARIO_TABLES = ("parties", "accounts", "permits", "shipments", "transactions", "seizures")
TARGETS = {"febrl4": "F1 >= 0.99", "scenario": "F1 >= 0.95", "scale": "<= 180 s"}


def measured(cmd: list[str], rows: list[dict], step: str, records: int | None = None) -> str:
    """Run ``cmd``, record its wall time and peak RSS under ``step``; return its stdout."""
    secs, peak, out = run_measured(cmd)
    shown = " ".join(["onca", *cmd[3:]] if cmd[:3] == ONCA else ["python", *cmd[1:]])
    rows.append(
        {
            "step": step,
            "command": shown,
            "records": records,
            "seconds": round(secs, 1),
            "peak_rss_mib": round(peak),
        }
    )
    print(f"{step:<32} {secs:7.1f} s  peak {peak:7,.0f} MiB   {shown}", flush=True)
    return out


def entity_scores(ws: Path, truth_csv: Path) -> dict:
    """Pairwise precision, recall and F1 of the workspace's entities against the truth.

    Counted with GROUP BYs (never listing pairs): a group of n records holds n(n-1)/2 pairs.
    Records missing from entity_members count as entities of their own.
    """
    con = duckdb.connect()
    con.execute(f"ATTACH '{ws}' AS ws (READ_ONLY)")
    con.execute(
        "CREATE TEMP TABLE j AS SELECT t.party_id, t.person_key,"
        " coalesce(m.entity_id, 'ALONE-' || t.party_id) AS entity_id"
        " FROM read_csv(?, all_varchar = true) t"
        " LEFT JOIN ws.entity_members m USING (party_id)",
        [str(truth_csv)],
    )

    def pairs(*by: str) -> int:
        cols = ", ".join(by)
        sql = f"SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM (SELECT count(*) AS n FROM j GROUP BY {cols})"
        return int(con.execute(sql).fetchone()[0])

    predicted, true, hit = pairs("entity_id"), pairs("person_key"), pairs("entity_id", "person_key")
    entities, largest = con.execute(
        "SELECT count(*), max(n) FROM (SELECT count(*) AS n FROM j GROUP BY entity_id)"
    ).fetchone()
    con.close()
    return _scores(predicted, true, hit) | {"entities": entities, "largest_entity": largest}


def _scores(predicted: int, true: int, hit: int) -> dict:
    precision = hit / predicted if predicted else 0.0
    recall = hit / true if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "predicted_pairs": predicted,
        "true_pairs": true,
        "true_positives": hit,
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


def febrl4(work: Path, rows: list[dict]) -> dict:
    data = work / "febrl"
    measured([sys.executable, str(HERE / "febrl.py"), str(data)], rows, "febrl4: write files")
    a, b, truth_csv = data / "febrl4_a.csv", data / "febrl4_b.csv", data / "febrl4_truth.csv"
    pairs_csv = work / "febrl4_pairs.csv"
    cmd = [*ONCA, "resolve", "link", str(a), str(b), "--out", str(pairs_csv), "--json"]
    measured(cmd, rows, "febrl4: onca resolve link", 10_000)
    with pairs_csv.open(newline="") as f:
        predicted = {(r["left_id"], r["right_id"]) for r in csv.DictReader(f)}
    with truth_csv.open(newline="") as f:
        truth = {(r["left_id"], r["right_id"]) for r in csv.DictReader(f)}
    return pairwise_scores(predicted, truth)


def scenario(work: Path, rows: list[dict], seed: int) -> dict:
    data, ws = work / "scenario", work / "scenario.duckdb"
    ws.unlink(missing_ok=True)
    measured(
        [*ONCA, "synth", "--out", str(data), "--seed", str(seed), "--force", "--json"],
        rows,
        "scenario: onca synth",
    )
    loaded = {}
    for kind in SCENARIO_TABLES:
        cmd = [*ONCA, "ingest", str(ws), kind, str(data / f"{kind}.csv"), "--json"]
        loaded[kind] = json.loads(measured(cmd, rows, f"scenario: ingest {kind}"))["loaded"]
    parties = loaded["parties"]
    out = measured([*ONCA, "resolve", str(ws), "--json"], rows, "scenario: onca resolve", parties)
    return entity_scores(ws, data / "truth" / "identities.csv") | {
        "records": parties,
        "resolve": json.loads(out),
    }


def generated(work: Path, rows: list[dict], n: int, seed: int, label: str) -> tuple[Path, Path]:
    """Generate ``n`` parties and ingest them into a fresh workspace; (workspace, truth)."""
    data, ws = work / f"parties-{n}", work / f"parties-{n}.duckdb"
    ws.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        str(HERE / "parties_scale.py"),
        "--records",
        str(n),
        "--seed",
        str(seed),
        "--out",
        str(data),
    ]
    measured(cmd, rows, f"{label}: generate", n)
    out = measured(
        [*ONCA, "ingest", str(ws), "parties", str(data / "parties.parquet"), "--json"],
        rows,
        f"{label}: onca ingest parties",
        n,
    )
    res = json.loads(out)
    if res["quarantined"]:
        print(f"warning: {res['quarantined']:,} generated records quarantined", file=sys.stderr)
    return ws, data / "truth.csv"


def resolve_scored(
    ws: Path, truth: Path, rows: list[dict], label: str, n: int, engine: str = "duckdb"
) -> dict:
    cmd = [*ONCA, "resolve", str(ws), "--json"] + (
        ["--engine", engine] if engine != "duckdb" else []
    )
    res = json.loads(measured(cmd, rows, f"{label}: onca resolve", n))
    return entity_scores(ws, truth) | {
        "records": n,
        "seconds": rows[-1]["seconds"],
        "peak_rss_mib": rows[-1]["peak_rss_mib"],
        "resolve": res,
    }


def same_entities(a: Path, b: Path) -> float:
    """Share of records whose entity holds the same members in both workspaces."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
    sql = """
        WITH ma AS (SELECT party_id, list_sort(list(party_id) OVER (PARTITION BY entity_id)) s
                    FROM a.entity_members),
             mb AS (SELECT party_id, list_sort(list(party_id) OVER (PARTITION BY entity_id)) s
                    FROM b.entity_members)
        SELECT avg(CASE WHEN ma.s = mb.s THEN 1.0 ELSE 0.0 END) FROM ma JOIN mb USING (party_id)
    """
    share = con.execute(sql).fetchone()[0]
    con.close()
    return float(share or 0.0)


def table(results: dict) -> str:
    """The results as a markdown table."""
    lines = [
        "| run | records | wall time | peak RSS | precision | recall | F1 | target |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, r in results["runs"].items():
        target = TARGETS.get(name.split(" ")[0], "")
        lines.append(
            f"| {name} | {r.get('records', 0):,} | {r['seconds']:.1f} s | {r['peak_rss_mib']:,} MiB"
            f" | {r['precision']:.4f} | {r['recall']:.4f} | {r['f1']:.4f} | {target} |"
        )
    spark = results["runs"].get("spark")
    if spark:
        lines.append(
            f"\nSpark and DuckDB put {spark['same_entities_as_duckdb']:.2%} of the records"
            " in entities with identical members."
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1_000_000, help="scale run size")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-scale", action="store_true", help="only FEBRL4 and the scenario")
    parser.add_argument("--spark", action="store_true", help="also resolve on Spark (local)")
    parser.add_argument("--spark-records", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=None, help="keep files here")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="onca-bench-resolve-"))
    work.mkdir(parents=True, exist_ok=True)
    steps: list[dict] = []
    runs: dict[str, dict] = {}

    runs["febrl4 (link A to B)"] = febrl4(work, steps) | {
        "records": 10_000,
        "seconds": steps[-1]["seconds"],
        "peak_rss_mib": steps[-1]["peak_rss_mib"],
    }
    sc = scenario(work, steps, args.seed)
    runs["scenario (onca synth default)"] = sc | {
        "seconds": steps[-1]["seconds"],
        "peak_rss_mib": steps[-1]["peak_rss_mib"],
    }
    if not args.skip_scale:
        ws, truth = generated(work, steps, args.records, args.seed, "scale")
        runs["scale duckdb"] = resolve_scored(ws, truth, steps, "scale", args.records)
    if args.spark:
        n = args.spark_records
        ws, truth = generated(work, steps, n, args.seed, "spark")
        copy = ws.with_name(ws.stem + "-spark.duckdb")
        shutil.copy(ws, copy)
        runs["spark-size duckdb"] = resolve_scored(ws, truth, steps, "spark-size duckdb", n)
        runs["spark"] = resolve_scored(copy, truth, steps, "spark", n, engine="spark")
        runs["spark"]["same_entities_as_duckdb"] = same_entities(ws, copy)

    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB",
        "steps": steps,
        "runs": runs,
    }
    print()
    print(table(results))
    print()
    print(json.dumps(results, indent=2, default=str))
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
