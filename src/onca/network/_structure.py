"""Structure of a trafficking network: communities (Leiden) and brokers (betweenness, bridging
centrality, cutpoints); key players are in ``_keyplayers``.

Every function takes an ``igraph.Graph`` whose vertices carry a unique ``name`` (and usually
``label`` and ``kind``) and whose edges may carry a ``weight`` (float >= 0: US dollars paid, or 1.0
for a tie without money). The graph is read as undirected and simple: directions are dropped,
self loops removed and parallel ties merged with their weights summed. The input is never changed.

Weights span six orders of magnitude (a shared phone is 1.0, a payment may be 10^6 dollars), so
they are compressed before use: a tie's *strength* is ``1 + ln(1 + w)`` (1 for w = 0, 1.69 for a
shared identifier, 10.2 for 10,000 dollars) and its *length* for shortest paths is
``1 / strength``, in (0, 1]. Stronger ties are shorter; a path of h ties is never longer than h.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import igraph as ig
import numpy as np

from onca.errors import ParameterError

__all__ = [
    "Broker",
    "Communities",
    "find_brokers",
    "find_communities",
    "tie_strength",
]


def tie_strength(weight: np.ndarray) -> np.ndarray:
    """Strength ``1 + ln(1 + w)`` of ties of weight ``w`` (shape (m,), w >= 0); shape (m,)."""
    return 1.0 + np.log1p(weight)


def simple_undirected(
    graph: ig.Graph, weights: str | None = "weight"
) -> tuple[ig.Graph, np.ndarray]:
    """The graph as undirected and simple, and its edge weights (shape (m,)): the edge attribute
    ``weights``, summed over merged parallel ties; 1.0 for every edge where ``weights`` is None or
    the graph has no such attribute. The input itself is returned when it already is undirected
    and simple; else a new graph with the same vertices and vertex attributes."""
    if not isinstance(graph, ig.Graph):
        raise ParameterError(f"graph: expected an igraph.Graph, found {type(graph).__name__}")
    m = graph.ecount()
    if weights is not None and weights in graph.es.attributes():
        raw = graph.es[weights]
        if any(w is None for w in raw):
            bad = next(i for i, w in enumerate(raw) if w is None)
            raise ParameterError(f"graph: edge {bad} has no {weights!r}; expected a float >= 0")
        weight = np.asarray(raw, dtype=float)
        bad_at = np.flatnonzero(~np.isfinite(weight) | (weight < 0))
        if bad_at.size:
            i = int(bad_at[0])
            raise ParameterError(
                f"graph: edge attribute {weights!r} must be a finite float >= 0; edge {i} "
                f"{graph.es[i].tuple} has {weight[i]!r} ({bad_at.size} such edges)"
            )
    else:
        weight = np.ones(m)
    if not graph.is_directed() and graph.is_simple():
        return graph, weight
    ends = np.asarray(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    lo, hi = ends.min(axis=1), ends.max(axis=1)
    keep = lo != hi
    key = lo[keep] * graph.vcount() + hi[keep]
    pairs, inverse = np.unique(key, return_inverse=True)
    summed = np.bincount(inverse, weights=weight[keep], minlength=pairs.size)
    edges = np.column_stack([pairs // graph.vcount(), pairs % graph.vcount()])
    simple = ig.Graph(n=graph.vcount(), edges=edges.tolist(), directed=False)
    for attr in graph.vs.attributes():
        simple.vs[attr] = graph.vs[attr]
    return simple, summed


def vertex_names(graph: ig.Graph) -> list[str]:
    """Each vertex's ``name`` (its index as text where the graph has no names)."""
    if "name" in graph.vs.attributes():
        return [str(n) for n in graph.vs["name"]]
    return [str(i) for i in range(graph.vcount())]


def vertex_labels(graph: ig.Graph) -> list[str | None]:
    """Each vertex's ``label``, or None."""
    if "label" in graph.vs.attributes():
        return [None if x is None else str(x) for x in graph.vs["label"]]
    return [None] * graph.vcount()


# --- communities ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Communities:
    """A partition of the vertices into communities, numbered largest first (0 = largest).

    ``membership[i]`` is the community of vertex ``i`` (the input graph's order; length n);
    ``sizes[c]`` the number of vertices in community ``c`` (length ``count``); ``modularity``
    Newman's weighted modularity of the partition at ``resolution`` (0.0 when the graph has no
    edges, where modularity is undefined)."""

    membership: tuple[int, ...]
    count: int
    modularity: float
    sizes: tuple[int, ...]
    resolution: float
    seed: int


def find_communities(
    graph: ig.Graph,
    *,
    resolution: float = 1.0,
    seed: int = 0,
    iterations: int = 2,
    weights: str | None = "weight",
) -> Communities:
    """Communities by the Leiden algorithm optimising modularity on tie strengths.

    ``weights``: the edge attribute holding tie weights (None: every tie weighs 1).
    ``resolution`` (> 0): higher gives more, smaller communities. ``iterations``: Leiden passes;
    -1 repeats them until one no longer improves the partition (on a 100,000-vertex planted
    partition that took 15 times as long for 0.3% more modularity). The same ``seed`` gives the same
    partition (igraph's random generator is set for the call, then set back to ``random``).
    Traag, Waltman & van Eck (2019), Sci. Rep. 9:5233.
    """
    if not resolution > 0:
        raise ParameterError(f"resolution: expected a number > 0, found {resolution!r}")
    if iterations == 0 or not isinstance(iterations, int):
        raise ParameterError(f"iterations: expected -1 or an int >= 1, found {iterations!r}")
    simple, weight = simple_undirected(graph, weights)
    n = simple.vcount()
    if n == 0:
        return Communities((), 0, 0.0, (), resolution, seed)
    strength = tie_strength(weight).tolist()
    ig.set_random_number_generator(random.Random(seed))
    try:
        found = simple.community_leiden(
            objective_function="modularity",
            weights=strength,
            resolution=resolution,
            n_iterations=iterations,
        )
    finally:
        ig.set_random_number_generator(random)
    raw = np.asarray(found.membership, dtype=np.int64)
    sizes = np.bincount(raw)
    first = np.full(sizes.size, n, dtype=np.int64)
    np.minimum.at(first, raw, np.arange(n))
    order = np.lexsort((first, -sizes))  # largest first; ties by their first vertex
    relabel = np.empty_like(order)
    relabel[order] = np.arange(order.size)
    membership = relabel[raw]
    modularity = (
        simple.modularity(membership.tolist(), weights=strength, resolution=resolution)
        if simple.ecount()
        else 0.0
    )
    return Communities(
        membership=tuple(membership.tolist()),
        count=int(sizes.size),
        modularity=float(modularity),
        sizes=tuple(sizes[order].tolist()),
        resolution=resolution,
        seed=seed,
    )


# --- brokers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Broker:
    """One vertex as a broker. ``betweenness``: the share of shortest paths (tie lengths
    ``1 / strength``) between other pairs that pass through it, normalised to [0, 1].
    ``bridging``: betweenness times Hwang's bridging coefficient (high for a vertex whose
    neighbours are well connected elsewhere). ``is_cutpoint``: removing it disconnects its
    component. ``communities_touched``: how many *other* communities its neighbours belong to."""

    rank: int
    name: str
    label: str | None
    betweenness: float
    bridging: float
    is_cutpoint: bool
    community: int
    communities_touched: int


def betweenness(simple: ig.Graph, weight: np.ndarray, cutoff: float | None) -> np.ndarray:
    """Betweenness of each vertex of a simple undirected graph with tie weights ``weight``
    (shape (m,)) on tie lengths ``1 / strength``, normalised by the (n-1)(n-2)/2 pairs of other
    vertices: shape (n,), in [0, 1]. ``cutoff``: the longest path length counted, or None."""
    n = simple.vcount()
    if n < 3 or simple.ecount() == 0:
        return np.zeros(n)
    length = (1.0 / tie_strength(weight)).tolist()
    raw = np.asarray(simple.betweenness(directed=False, weights=length, cutoff=cutoff))
    return raw * 2.0 / ((n - 1) * (n - 2))


def _bridging_coefficient(simple: ig.Graph) -> np.ndarray:
    """Hwang et al.'s ``(1/d(v)) / sum over neighbours u of 1/d(u)``, shape (n,); 0 if isolated."""
    degree = np.asarray(simple.degree(), dtype=float)
    ends = np.asarray(simple.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    inverse = np.divide(1.0, degree, out=np.zeros_like(degree), where=degree > 0)
    around = np.zeros_like(degree)
    np.add.at(around, ends[:, 0], inverse[ends[:, 1]])
    np.add.at(around, ends[:, 1], inverse[ends[:, 0]])
    return np.divide(inverse, around, out=np.zeros_like(degree), where=around > 0)


def find_brokers(
    graph: ig.Graph,
    *,
    communities: Communities | None = None,
    cutoff: float | None = None,
    top: int | None = None,
    seed: int = 0,
    weights: str | None = "weight",
) -> list[Broker]:
    """Vertices ranked as brokers: by betweenness, then bridging centrality, then name.

    ``cutoff``: consider only shortest paths no longer than this (in tie lengths; each tie is at
    most 1 long, so ``cutoff=3`` keeps at least every path of up to three ties); None for exact
    betweenness, which costs O(n m) - use a cutoff above ~100,000 vertices. ``communities``:
    a partition of this graph (found with ``seed`` when None). ``top``: how many rows to return.
    ``weights``: the edge attribute holding tie weights (None: every tie weighs 1).
    Freeman (1977); bridging centrality: Hwang, Cho, Zhang & Ramanathan (2006).
    """
    if cutoff is not None and not cutoff > 0:
        raise ParameterError(f"cutoff: expected a length > 0 or None, found {cutoff!r}")
    if top is not None and top < 1:
        raise ParameterError(f"top: expected an int >= 1 or None, found {top!r}")
    simple, weight = simple_undirected(graph, weights)
    n = simple.vcount()
    if communities is None:
        communities = find_communities(graph, seed=seed, weights=weights)
    elif len(communities.membership) != n:
        raise ParameterError(
            f"communities: a partition of {len(communities.membership)} vertices, "
            f"but the graph has {n}"
        )
    between = betweenness(simple, weight, cutoff)
    bridging = between * _bridging_coefficient(simple)
    cut = set(simple.articulation_points())
    member = communities.membership
    touched = [len({member[u] for u in simple.neighbors(v)} - {member[v]}) for v in range(n)]
    names, labels = vertex_names(simple), vertex_labels(simple)
    order = sorted(range(n), key=lambda v: (-between[v], -bridging[v], names[v]))
    return [
        Broker(
            rank=r,
            name=names[v],
            label=labels[v],
            betweenness=float(between[v]),
            bridging=float(bridging[v]),
            is_cutpoint=v in cut,
            community=member[v],
            communities_touched=touched[v],
        )
        for r, v in enumerate(order[:top], start=1)
    ]
