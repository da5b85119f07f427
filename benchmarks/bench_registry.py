"""Registry load test: reads and writes per second, with p99 latency, on loopback against a
PostgreSQL 15 server (fsync on), the service running as ``onca registry serve --workers 2``.

The load comes from wrk (Debian package ``wrk``, installed by this script when missing, as
root), a C load generator that costs the 2-core machine far less than a Python one. Three runs,
each ``--seconds`` long, in the same session:

- baseline: ``GET /health`` (the framework and one database round trip, no authentication);
- reads: ``GET /seizures/{id}`` on random ids among the seeded seizures (token checked, sharing
  rules in the query, chain and specimens loaded);
- writes: ``POST /seizures`` with a new reference each (a seizure with its chain and specimen,
  and its audit link appended to the hash chain in the same transaction).

    .venv/bin/python benchmarks/bench_registry.py                 # 20 s per run, 2,000 seizures
    .venv/bin/python benchmarks/bench_registry.py --seconds 5
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile

import httpx
import psutil

from onca.registry import make_engine, throwaway_postgres
from onca.registry._admin import add_agency, add_user
from onca.registry._auth import Authenticator
from onca.registry._db import migrate, session_factory
from onca.registry._imports import import_seizures
from onca.registry._serve import wait_until_up
from onca.registry._throwaway import free_port

READ_LUA = """
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/seizures/" .. math.random(1, {n}), {{["Authorization"] = "Bearer {token}"}})
end
"""
WRITE_LUA = """
counter = 0
threads_made = 0
setup = function(thread) thread:set("tid", threads_made); threads_made = threads_made + 1 end
request = function()
  counter = counter + 1
  local body = '{{"reference": "LOAD-' .. tid .. '-' .. counter .. '", "seized_on": "2026-06-01", "country": "PE",'
    .. ' "chain": [{{"role": "origin", "country": "BO"}}, {{"role": "destination", "country": "CN"}}],'
    .. ' "specimens": [{{"taxon": "Panthera onca", "commodity": "teeth", "quantity": 4, "unit": "number"}}]}}'
  return wrk.format("POST", "/seizures", {{["Authorization"] = "Bearer {token}", ["Content-Type"] = "application/json"}}, body)
end
"""


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("wrk is not installed: apt-get install wrk (as root), then run again")
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk") or sys.exit("apt-get installed wrk but it is not on the PATH")


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(
    wrk: str, url: str, seconds: int, connections: int, script: str | None
) -> dict[str, float]:
    cmd = [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        if script:
            f.write(script)
            cmd += ["-s", f.name]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    os.unlink(f.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: .*", out)
    return {"rps": rps, "p50": p50, "p99": p99, "non2xx": float(bad.group(1)) if bad else 0.0,
            "socket_errors": 1.0 if errors else 0.0}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2000, help="seizures loaded before the runs")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--read-connections", type=int, default=8)
    parser.add_argument("--write-connections", type=int, default=3)
    args = parser.parse_args()
    wrk = ensure_wrk()
    with throwaway_postgres(fsync=True) as url:
        engine = make_engine(url)
        migrate(engine)
        with session_factory(engine)() as session:
            add_agency(session, "PE-SERFOR", "SERFOR", "PE", "wildlife")
            token = add_user(session, "PE-SERFOR", "loader", "editor").token
            session.commit()
            principal = Authenticator().authenticate(session, f"Bearer {token}", "bench")
            rows = [
                "reference,seized_on,country,place,taxon,commodity,quantity,unit,origin_country,destination_country"
            ]
            rows += [f"SEED-{i},2026-01-{1 + i % 28:02d},PE,Callao,Panthera onca,skins,{1 + i % 5},number,BO,CN"
                     for i in range(args.seed)]  # fmt: skip
            report = import_seizures(session, principal, "\n".join(rows).encode(), "seed.csv")
            assert report["status"] == "imported", report
            session.commit()
        engine.dispose()
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "onca", "registry", "serve", "--db", url, "--port",
                                   str(port), "--workers", str(args.workers)], start_new_session=True)  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base)
            headers = {"Authorization": f"Bearer {token}"}
            for i in range(1, 50):  # warm each worker's token cache and connection pool
                httpx.get(f"{base}/seizures/{i}", headers=headers)
            health = run_wrk(wrk, base + "/health", args.seconds, args.read_connections, None)
            reads = run_wrk(wrk, base, args.seconds, args.read_connections,
                            READ_LUA.format(n=args.seed, token=token))  # fmt: skip
            writes = run_wrk(
                wrk, base, args.seconds, args.write_connections, WRITE_LUA.format(token=token)
            )
            written = httpx.get(
                base + "/seizures", headers=headers, params={"date_from": "2026-06-01"}
            ).json()["total"]
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB;"
          f" PostgreSQL 15 (fsync on), {args.workers} server workers, wrk 2 threads; {args.seconds} s per run")  # fmt: skip
    print("| run | connections | requests/s | p50 | p99 | non-2xx | target |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, r, conns, target in (
        ("baseline: GET /health", health, args.read_connections, None),
        ("reads: GET /seizures/{id}", reads, args.read_connections, (500, "reads")),
        ("writes: POST /seizures", writes, args.write_connections, (100, "writes")),
    ):
        verdict = ""
        if target:
            ok = r["rps"] >= target[0] and r["p99"] < 100
            verdict = f"≥ {target[0]} {target[1]}/s, p99 < 100 ms: {'met' if ok else 'NOT met'}"
        print(
            f"| {name} | {conns} | {r['rps']:,.0f} | {r['p50']:.1f} ms | {r['p99']:.1f} ms | {r['non2xx']:.0f} | {verdict} |"
        )
    print(f"seizures written by the write run and found afterwards: {written:,}")


if __name__ == "__main__":
    main()
