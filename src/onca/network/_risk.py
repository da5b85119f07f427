"""Risk propagation: from known bad actors (seized offenders, convicted, alerted parties) to the
parties around them, each with the path that explains why it scores.

The score is personalised PageRank (Page et al. 1999; Jeh & Widom 2003), as used for fraud and
"guilt by association" ranking: a walker starts at a seed chosen in proportion to its prior,
follows ties in proportion to their strength and, at each step, with probability
``1 - damping`` jumps back to a seed. A vertex's score is the share of time the walker spends
there (scores over all vertices sum to 1). Ties are read as in ``_structure``: undirected,
simple, strength ``1 + ln(1 + w)`` for a weight of ``w`` dollars (1.0 for a tie without money).

The explaining path of a vertex is the walk most likely to carry the walker from a seed to it
before a jump: it maximises ``prior_s / sum(priors) * prod(damping * p_uv)`` over seeds ``s`` and
paths, where ``p_uv = strength_uv / strength_u`` is the chance of stepping from ``u`` to ``v``.
It is a shortest path (Dijkstra) on arc lengths ``-ln(damping * p_uv)`` from a source joined to
each seed by ``-ln(prior_s / sum(priors))``. A seed's own path is just itself.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import igraph as ig
import numpy as np

from onca.errors import ParameterError
from onca.network._structure import simple_undirected, tie_strength, vertex_labels, vertex_names

__all__ = ["RiskRow", "propagate_risk"]


@dataclass(frozen=True)
class RiskRow:
    """One party's risk. ``score``: its personalised PageRank (a probability; all vertices sum to
    1). ``rank``: 1 for the highest score among the rows returned. ``seed``: the known bad actor
    its explaining ``path`` starts at (``path[0] == seed``, ``path[-1] == name``; consecutive names
    are tied). ``path_weights``: the weight of each tie along it, in the graph's units (dollars),
    summed over parallel ties; one fewer than the names. ``path_probability``: the chance that a
    walker starting at a seed follows exactly this path (the prior share times
    ``damping * p_uv`` per step)."""

    rank: int
    name: str
    label: str | None
    score: float
    is_seed: bool
    seed: str
    path: tuple[str, ...]
    path_weights: tuple[float, ...]
    path_probability: float


def _reset(names: list[str], seeds: Mapping[str, float]) -> np.ndarray:
    """The jump distribution over vertices (shape (n,), sums to 1) from the seeds' priors."""
    if not seeds:
        raise ParameterError("seeds: expected at least one known party (name -> prior), found none")
    index = {name: i for i, name in enumerate(names)}
    if len(index) != len(names):
        doubled = sorted(n for n, c in Counter(names).items() if c > 1)[:5]
        raise ParameterError(f"graph: vertex names must be unique; repeated: {doubled}")
    unknown = sorted(str(s) for s in seeds if s not in index)
    if unknown:
        shown = ", ".join(repr(s) for s in unknown[:10])
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        raise ParameterError(f"seeds: {len(unknown)} name(s) not in the graph: {shown}{more}")
    bad = {
        s: p
        for s, p in seeds.items()
        if isinstance(p, bool) or not (isinstance(p, int | float) and 0 < p <= 1)
    }
    if bad:
        raise ParameterError(
            f"seeds: priors must be in (0, 1]; found {dict(list(bad.items())[:10])}"
        )
    reset = np.zeros(len(names))
    for name, prior in seeds.items():
        reset[index[name]] = float(prior)
    return reset / reset.sum()


def _arcs(
    simple: ig.Graph, strength: np.ndarray, total: np.ndarray, damping: float
) -> tuple[ig.Graph, np.ndarray]:
    """Both arcs of every tie, on n + 1 vertices (the last is left for the source), and each
    arc's length ``-ln(damping p_uv)`` (shape (2m,)); ``total``: each vertex's strength."""
    ends = np.asarray(simple.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    tails = np.concatenate([ends[:, 0], ends[:, 1]])
    heads = np.concatenate([ends[:, 1], ends[:, 0]])
    both = np.concatenate([strength, strength])
    length = -np.log(damping * both / total[tails])
    arcs = ig.Graph(
        n=simple.vcount() + 1, edges=np.column_stack([tails, heads]).tolist(), directed=True
    )
    return arcs, np.maximum(length, 0.0)


def propagate_risk(
    graph: ig.Graph,
    seeds: Mapping[str, float],
    *,
    damping: float = 0.85,
    top: int | None = None,
    include_seeds: bool = True,
    weights: str | None = "weight",
) -> list[RiskRow]:
    """Parties ranked by personalised PageRank from ``seeds`` (vertex name -> prior in (0, 1]:
    how sure we are it is bad, e.g. 1.0 convicted, 0.5 alerted), each with its explaining path.

    Only parties connected to some seed are returned (the others score 0), highest score first
    (ties by name); ``top`` limits the rows, ``include_seeds=False`` leaves the seeds out of the
    ranking. ``damping`` in (0, 1): the chance of following a tie rather than jumping back to a
    seed; higher lets risk travel further. ``weights``: the edge attribute holding tie weights
    (None: every tie weighs 1). Work: O(m) per PageRank iteration, one Dijkstra.
    """
    if not 0 < damping < 1:
        raise ParameterError(f"damping: expected a number in (0, 1), found {damping!r}")
    if top is not None and top < 1:
        raise ParameterError(f"top: expected an int >= 1 or None, found {top!r}")
    simple, weight = simple_undirected(graph, weights)
    names, labels = vertex_names(simple), vertex_labels(simple)
    reset = _reset(names, seeds)
    n = simple.vcount()
    strength = tie_strength(weight)
    total = np.asarray(simple.strength(weights=strength.tolist()))
    score = np.asarray(
        simple.personalized_pagerank(
            directed=False, damping=damping, reset=reset.tolist(), weights=strength.tolist()
        )
    )
    is_seed = reset > 0
    component = np.asarray(simple.connected_components().membership)
    reached = np.isin(component, component[is_seed])
    keep = reached & ~is_seed if not include_seeds else reached
    order = sorted(np.flatnonzero(keep).tolist(), key=lambda v: (-score[v], names[v]))[:top]

    arcs, length = _arcs(simple, strength, total, damping)
    seed_at = np.flatnonzero(is_seed)
    arcs.add_edges([(n, int(s)) for s in seed_at])
    length = np.concatenate([length, -np.log(reset[seed_at])])
    walks = [v for v in order if not is_seed[v]]
    paths = dict(
        zip(
            walks,
            arcs.get_shortest_paths(n, to=walks, weights=length.tolist(), output="vpath")
            if walks
            else [],
            strict=True,
        )
    )
    rows = []
    for rank, v in enumerate(order, start=1):
        path = [v] if is_seed[v] else paths[v][1:]
        steps = list(itertools.pairwise(path))
        eids = [simple.get_eid(a, b) for a, b in steps]
        p = reset[path[0]] * math.prod(
            damping * strength[e] / total[a] for (a, _), e in zip(steps, eids, strict=True)
        )
        rows.append(
            RiskRow(
                rank=rank,
                name=names[v],
                label=labels[v],
                score=float(score[v]),
                is_seed=bool(is_seed[v]),
                seed=names[path[0]],
                path=tuple(names[x] for x in path),
                path_weights=tuple(float(weight[e]) for e in eids),
                path_probability=float(p),
            )
        )
    return rows
