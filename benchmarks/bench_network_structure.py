"""Network structure benchmark: Leiden communities on a 1-million-vertex planted partition, and
brokers, key players and risk propagation on a 100,000-vertex one.

The graph: ``--nodes`` vertices in communities whose sizes follow a power law (exponent 2,
between 20 and 2,000 vertices, as in the LFR benchmark of Lancichinetti, Fortunato & Radicchi
2008); ``--degree`` x n / 2 ties, each from a uniform vertex to a vertex of its own community with
probability 1 - ``--mixing``, else to any vertex; loops and repeats dropped. Tie weights count
interactions (1, 2, 3, ... geometric), like the ``weight`` of the entity projection.

Measured in this process (wall time, peak RSS of the process so far):

a. ``find_communities`` (Leiden, modularity, 2 passes) on n = --nodes at each of
   --resolutions: modularity, communities found against planted, NMI and adjusted Rand against
   the planted partition. Target: 1 million vertices in <= 60 s on 2 cores. Baseline in the
   same run: igraph's Louvain (``community_multilevel``, Blondel et al. 2008) on the same tie
   strengths. At resolution 1,
   modularity merges small planted communities that share a tie or two (its resolution limit,
   Fortunato & Barthelemy 2007); a higher resolution keeps them apart.
b. on n = --small (default 100,000): ``find_brokers`` with ``--cutoff`` (tie lengths; a one-
   interaction tie is 1 / (1 + ln 2) = 0.59 long), ``find_key_players`` (k = --k, with the swap
   pass) and ``propagate_risk`` from 10 seeds (top 1,000 rows, with paths).

    .venv/bin/python benchmarks/bench_network_structure.py                 # 1M and 100k
    .venv/bin/python benchmarks/bench_network_structure.py --nodes 200000 --small 20000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from collections.abc import Callable
from typing import Any

import igraph as ig
import numpy as np
import psutil

from onca.network._keyplayers import find_key_players
from onca.network._risk import propagate_risk
from onca.network._structure import find_brokers, find_communities, tie_strength

TARGET_SECONDS = 60.0


def planted_partition(
    n: int, degree: float, mixing: float, seed: int
) -> tuple[ig.Graph, np.ndarray]:
    """A simple undirected graph with planted communities, and each vertex's community."""
    rng = np.random.default_rng(seed)
    sizes: list[int] = []
    while sum(sizes) < n:  # power law p(s) ~ s^-2 on [20, 2000], by inverse transform
        u = rng.random()
        sizes.append(int(1 / (1 / 20 - u * (1 / 20 - 1 / 2000))))
    sizes[-1] -= sum(sizes) - n
    sizes_a = np.asarray([s for s in sizes if s > 0])
    truth = np.repeat(np.arange(sizes_a.size), sizes_a)
    start = np.concatenate([[0], np.cumsum(sizes_a)[:-1]])
    m = int(n * degree / 2)
    tail = rng.integers(0, n, m)
    inside = rng.random(m) >= mixing
    c = truth[tail]
    head = np.where(
        inside, start[c] + (rng.random(m) * sizes_a[c]).astype(np.int64), rng.integers(0, n, m)
    )
    lo, hi = np.minimum(tail, head), np.maximum(tail, head)
    key = np.unique((lo * n + hi)[lo != hi])
    graph = ig.Graph(n=n, edges=np.column_stack([key // n, key % n]), directed=False)
    graph.es["weight"] = rng.geometric(0.5, key.size).astype(float).tolist()
    return graph, truth


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(step: str, rows: list[dict], call: Callable[[], Any], **extra: Any) -> Any:
    started = time.perf_counter()
    out = call()
    secs = time.perf_counter() - started
    rows.append({"step": step, "seconds": round(secs, 1), "peak_rss_mib": round(peak_mib())})
    rows[-1].update(extra)
    print(f"{step:<44} {secs:7.1f} s  peak {peak_mib():7,.0f} MiB", flush=True)
    return out


def table(results: dict) -> str:
    lines = [
        "| step | vertices | ties | wall time | peak RSS | result |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in results["steps"]:
        lines.append(
            f"| {r['step']} | {r.get('vertices', 0):,} | {r.get('ties', 0):,} "
            f"| {r['seconds']:.1f} s | {r['peak_rss_mib']:,} MiB | {r.get('result', '')} |"
        )
    return "\n".join(lines)


def leiden_runs(args: argparse.Namespace, steps: list[dict]) -> list[dict]:
    """Step a: Leiden at each resolution on the --nodes graph."""
    graph, truth = timed(
        "generate planted partition",
        steps,
        lambda: planted_partition(args.nodes, args.degree, args.mixing, args.seed),
    )
    steps[-1].update(vertices=graph.vcount(), ties=graph.ecount())
    planted = int(truth.max() + 1)
    leiden = []
    for resolution in args.resolutions:
        found = timed(
            f"find_communities (Leiden, resolution {resolution:g})",
            steps,
            lambda r=resolution: find_communities(graph, resolution=r, seed=1),
        )
        nmi = ig.compare_communities(truth.tolist(), list(found.membership), method="nmi")
        ari = ig.compare_communities(truth.tolist(), list(found.membership), method="adjusted_rand")
        leiden.append(
            {
                "resolution": resolution,
                "seconds": steps[-1]["seconds"],
                "modularity": found.modularity,
                "communities": found.count,
                "planted": planted,
                "nmi": nmi,
                "ari": ari,
                "largest": found.sizes[0],
            }
        )
        steps[-1].update(
            vertices=graph.vcount(),
            ties=graph.ecount(),
            result=f"Q = {found.modularity:.4f}, {found.count:,} communities "
            f"({planted:,} planted), NMI {nmi:.4f}, ARI {ari:.4f}",
        )
    strength = tie_strength(np.asarray(graph.es["weight"], dtype=np.float64)).tolist()
    louvain = timed(
        "baseline: igraph community_multilevel (Louvain), resolution 1",
        steps,
        lambda: graph.community_multilevel(weights=strength, return_levels=False),
    )
    nmi = ig.compare_communities(truth.tolist(), louvain.membership, method="nmi")
    ari = ig.compare_communities(truth.tolist(), louvain.membership, method="adjusted_rand")
    steps[-1].update(
        vertices=graph.vcount(),
        ties=graph.ecount(),
        result=f"Q = {louvain.q:.4f}, {len(louvain):,} communities ({planted:,} planted), "
        f"NMI {nmi:.4f}, ARI {ari:.4f}",
    )
    return leiden


def analyst_runs(args: argparse.Namespace, steps: list[dict]) -> None:
    """Step b: brokers, key players and risk on the --small graph."""
    small, _ = planted_partition(args.small, args.degree, args.mixing, args.seed + 1)
    small.vs["name"] = [f"ENT-{i:07d}" for i in range(small.vcount())]
    size = {"vertices": small.vcount(), "ties": small.ecount()}
    brokers = timed(
        f"find_brokers (cutoff {args.cutoff})",
        steps,
        lambda: find_brokers(small, cutoff=args.cutoff, top=10, seed=1),
        **size,
    )
    steps[-1]["result"] = f"top betweenness {brokers[0].betweenness:.2e}"
    kp = timed(
        f"find_key_players (k {args.k}, swap)",
        steps,
        lambda: find_key_players(small, args.k, cutoff=args.cutoff),
        **size,
    )
    steps[-1]["result"] = (
        f"F {kp.chosen[-1].fragmentation:.4f} (degree {kp.by_degree[-1].fragmentation:.4f}, "
        f"betweenness {kp.by_betweenness[-1].fragmentation:.4f}), {kp.swaps} swaps"
    )
    seeds = {f"ENT-{i:07d}": 1.0 for i in range(0, args.small, args.small // 10)}
    risk = timed(
        "propagate_risk (10 seeds, top 1,000)",
        steps,
        lambda: propagate_risk(small, seeds, top=1000),
        **size,
    )
    steps[-1]["result"] = f"longest path {max(len(r.path) for r in risk)} vertices"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--nodes", type=int, default=1_000_000, help="Leiden graph size")
    parser.add_argument("--small", type=int, default=100_000, help="brokers/key players size")
    parser.add_argument("--degree", type=float, default=10.0, help="mean degree")
    parser.add_argument("--mixing", type=float, default=0.3, help="share of ties leaving")
    parser.add_argument(
        "--resolutions",
        type=lambda text: [float(x) for x in text.split(",")],
        default=[1.0, 10.0],
        help="Leiden resolutions, comma-separated",
    )
    parser.add_argument("--cutoff", type=float, default=1.0, help="betweenness path cutoff")
    parser.add_argument("--k", type=int, default=10, help="key players to find")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    steps: list[dict] = []

    leiden = leiden_runs(args, steps)
    analyst_runs(args, steps)

    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB",
        "igraph": ig.__version__,
        "args": vars(args),
        "leiden": leiden,
        "leiden_target": f"<= {TARGET_SECONDS:.0f} s at 1,000,000 vertices",
        "steps": steps,
    }
    print()
    print(table(results))
    print()
    print(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
