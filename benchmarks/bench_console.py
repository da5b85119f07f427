"""Console speed: server time of the console's pages with 100,000 seizures in PostgreSQL.

A throwaway PostgreSQL 15 server gets 100,000 seizures (each with a specimen and an origin and
destination on its trade chain) from two agencies, one sharing its seizures with the other,
inserted in bulk with SQL. Then ``onca registry serve`` (one worker) answers each page
``--repeat`` times from one client on loopback; the time is the client's, so it includes the
loopback round trip (well under a millisecond). Baseline in the same run: ``GET /health``.
Target from the console issue: the first page (the dashboard) in under 500 ms.

    .venv/bin/python benchmarks/bench_console.py
    .venv/bin/python benchmarks/bench_console.py --seizures 10000 --repeat 5
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import statistics
import subprocess
import sys
import time

import httpx
import psutil
import sqlalchemy as sa

from onca.registry import make_engine, throwaway_postgres
from onca.registry._admin import add_agency, add_agreement_cli, add_user
from onca.registry._db import migrate, session_factory
from onca.registry._serve import wait_until_up
from onca.registry._throwaway import free_port

SEED = """
INSERT INTO seizures (agency_id, reference, seized_on, country, place, lat, lon, transport_mode,
                      created_by, created_at, updated_at)
SELECT 1 + (i % 2), 'S' || i, DATE '2024-12-01' + (i % 730),
       (ARRAY['PE','BO','BR','CO','EC','MX','AR','PY'])[1 + i % 8], 'place ' || (i % 500),
       -30 + (i % 60), -80 + (i % 45), 'air', 1 + (i % 2), now(), now()
FROM generate_series(1, :n) AS i;
INSERT INTO specimens (seizure_id, taxon, commodity, quantity, unit, value_usd)
SELECT id, (ARRAY['Panthera onca','Ara ararauna','Amazona aestiva','Chelonoidis carbonarius',
                  'Caiman yacare','Boa constrictor','Pecari tajacu','Iguana iguana'])[1 + id % 8],
       'live', 1 + id % 20, 'number', 100 FROM seizures;
INSERT INTO chain_legs (seizure_id, position, role, country)
SELECT id, 0, 'origin', country FROM seizures;
INSERT INTO chain_legs (seizure_id, position, role, country)
SELECT id, 1, 'destination', (ARRAY['CN','US','ES','NL','VN','HK'])[1 + id % 6] FROM seizures;
ANALYZE;
"""
PAGES = ["/health", "/console/", "/console/seizures", "/console/seizures?taxon=Panthera&country=PE",
         "/console/seizures/{mid}", "/console/map"]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seizures", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with throwaway_postgres(fsync=True) as url:
        engine = make_engine(url)
        migrate(engine)
        with session_factory(engine)() as session:
            add_agency(session, "PE-SERFOR", "SERFOR", "PE", "wildlife")
            add_agency(session, "BO-POL", "Policía", "BO", "police")
            add_user(session, "PE-SERFOR", "loader", "editor")
            token = add_user(session, "BO-POL", "analyst", "analyst").token
            add_agreement_cli(session, "PE-SERFOR", "BO-POL", "seizure", None, "2020-01-01", None)
            session.commit()
        t = time.perf_counter()
        with engine.begin() as conn:
            for statement in SEED.split(";"):
                if statement.strip():
                    conn.execute(sa.text(statement), {"n": args.seizures})
        seed_s = time.perf_counter() - t
        engine.dispose()
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "onca", "registry", "serve", "--db", url, "--port", str(port)],
                                  start_new_session=True)  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        timings: dict[str, list[float]] = {}
        try:
            wait_until_up(base)
            with httpx.Client(base_url=base, timeout=60) as c:
                assert c.post("/console/signin", data={"token": token}).status_code in (200, 303)
                for path in (p.format(mid=args.seizures // 2) for p in PAGES):
                    r = c.get(path)  # warm the process (imports, caches, PostgreSQL plans)
                    assert r.status_code == 200, (path, r.status_code)
                    times = []
                    for _ in range(args.repeat):
                        t = time.perf_counter()
                        assert c.get(path).status_code == 200
                        times.append((time.perf_counter() - t) * 1000)
                    timings[path] = times
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB;"
          f" PostgreSQL 15; {args.seizures:,} seizures seeded in {seed_s:.1f} s; one server worker;"
          f" {args.repeat} requests per page after one warm-up")  # fmt: skip
    print("| page | median | p95 | max | target |")
    print("|---|---:|---:|---:|---|")
    for path, times in timings.items():
        p95 = sorted(times)[int(0.95 * (len(times) - 1))]
        target = ""
        if path == "/console/":
            target = f"< 500 ms: {'met' if max(times) < 500 else 'NOT met'}"
        print(
            f"| `{path}` | {statistics.median(times):.1f} ms | {p95:.1f} ms | {max(times):.1f} ms | {target} |"
        )


if __name__ == "__main__":
    main()
