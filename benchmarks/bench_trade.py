"""Mirror-analysis benchmark: 25 million synthetic CITES shipment records on DuckDB.

The records are generated inside DuckDB (no CSV: the benchmark measures the analysis): half are
exporter-reported, half importer-reported; 60% of shipments carry an export permit random id
that both sides record, the rest are paired by route and year; 5% of importer reports differ
from the export, 2% of shipments are reported by one side only, and a tenth of the importer
years fall in the next year. Timed: ``mirror`` over the whole table (top 100 findings), and as
the baseline in the same run one GROUP BY pass over the same table.

    .venv/bin/python benchmarks/bench_trade.py                  # 25,000,000 records
    .venv/bin/python benchmarks/bench_trade.py --records 1000000
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time
from pathlib import Path

import duckdb
import psutil

from onca.trade._mirror import mirror
from onca.trade._read import TradeData
from onca.workspace import open_workspace

GENERATE = """
CREATE TABLE trade AS
WITH s AS (
  SELECT i AS shipment, 1990 + (hash(i) % 30)::INTEGER AS year,
         ['Manis javanica', 'Psittacus erithacus', 'Python regius', 'Panthera onca', 'Chelonoidis carbonarius'][1 + (hash(i * 7) % 5)::INTEGER] AS taxon,
         ['live', 'skins', 'scales', 'derivatives', 'meat'][1 + (hash(i * 11) % 5)::INTEGER] AS term,
         ['ID', 'VN', 'ZA', 'CM', 'PE', 'BR', 'MY', 'TG'][1 + (hash(i * 13) % 8)::INTEGER] AS exporter,
         ['CN', 'US', 'AE', 'JP', 'SG', 'DE', 'HK', 'MX'][1 + (hash(i * 17) % 8)::INTEGER] AS importer,
         (1 + hash(i * 19) % 500)::DOUBLE AS qty,
         (hash(i * 23) % 100) < 60 AS has_permit,
         (hash(i * 29) % 100) < 5 AS differs,
         (hash(i * 31) % 100) < 2 AS one_side,
         (hash(i * 37) % 100) < 10 AS next_year
  FROM range({shipments}) t(i)
)
SELECT shipment * 2 AS line, shipment::VARCHAR AS id, year, 'II' AS appendix, taxon, NULL AS family,
       NULL AS genus, term, 'number' AS unit, 'number' AS std_unit, true AS convertible, importer,
       exporter, NULL AS origin, 'T' AS purpose, 'W' AS source, qty AS quantity, 'E' AS reporter,
       NULL AS import_permit, CASE WHEN has_permit THEN 'P' || shipment END AS export_permit, NULL AS origin_permit
FROM s
UNION ALL
SELECT shipment * 2 + 1, shipment::VARCHAR, year + CASE WHEN next_year THEN 1 ELSE 0 END, 'II', taxon, NULL,
       NULL, term, 'number', 'number', true, importer, exporter, NULL, 'T', 'W',
       qty * CASE WHEN differs THEN 1.5 ELSE 1 END, 'I', NULL,
       CASE WHEN has_permit THEN 'P' || shipment END, NULL
FROM s WHERE NOT one_side
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=25_000_000)
    args = parser.parse_args()
    ws = open_workspace(":memory:")
    ws.db.execute(f"SET memory_limit = '{os.environ.get('ONCA_MEMORY_LIMIT', '12GB')}'")
    t = time.perf_counter()
    ws.db.execute(GENERATE.format(shipments=args.records // 2))
    generate_s = time.perf_counter() - t
    rows = ws.db.row_count("trade")
    data = TradeData(Path("synthetic"), "shipments", ws, rows, rows)
    t = time.perf_counter()
    ws.db.fetch(
        "SELECT taxon, term, exporter, importer, year, reporter, sum(quantity) FROM trade GROUP BY ALL"
    )
    baseline_s = time.perf_counter() - t
    t = time.perf_counter()
    findings = mirror(data, top=100)
    mirror_s = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB; DuckDB {duckdb.__version__}"
    )
    print("| step | records | wall time | target |")
    print("|---|---:|---:|---|")
    print(f"| generate in DuckDB | {rows:,} | {generate_s:.1f} s | |")
    print(f"| baseline: one GROUP BY pass | {rows:,} | {baseline_s:.1f} s | |")
    print(
        f"| `mirror` (top 100 of all findings) | {rows:,} | {mirror_s:.1f} s | <= 60 s: {'met' if mirror_s <= 60 else 'NOT met'} |"
    )
    print(
        f"peak RSS {peak:,.0f} MiB; largest finding: {findings[0]['explanation'] if findings else 'none'}"
    )


if __name__ == "__main__":
    main()
