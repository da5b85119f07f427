"""Key players: the few parties whose removal (arrest) most fragments a trafficking network.

Borgatti's (2006) KPP-Neg fragmentation, as Patel et al. (2015) applied it to the illegal
wildlife trade network: "selecting six nodes would fragment 89.5% of the network for elephants".
Graphs are read as in ``_structure`` (undirected, simple; the input is never changed).

Borgatti, S. P. (2006). Identifying sets of key players in a social network. Computational and
Mathematical Organization Theory 12:21-34. Patel, N. G. et al. (2015). Quantitative methods of
identifying the key nodes in the illegal wildlife trade network. PNAS 112(26):7948-7953.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import igraph as ig
import numpy as np

from onca.errors import ParameterError
from onca.network._structure import (
    betweenness,
    simple_undirected,
    vertex_labels,
    vertex_names,
)

__all__ = ["KeyPlayers", "Removal", "find_key_players", "fragmentation"]


def fragmentation(component_sizes: Iterable[int]) -> float:
    """Borgatti's fragmentation ``F = 1 - sum_k s_k (s_k - 1) / (n (n - 1))``: the share of
    ordered vertex pairs that cannot reach each other, given the sizes ``s_k`` of the connected
    components (isolated vertices count as components of size 1; ``n = sum s_k``). 0 for a
    connected graph, 1 when no tie is left; 1.0 by convention when fewer than two vertices."""
    sizes = np.asarray(list(component_sizes), dtype=float)
    n = sizes.sum()
    if n < 2:
        return 1.0
    return float(1.0 - (sizes * (sizes - 1)).sum() / (n * (n - 1)))


@dataclass(frozen=True)
class Removal:
    """The network after removing the first ``step`` vertices of a sequence, ``name`` last:
    its fragmentation, largest component and number of components (isolates included)."""

    step: int
    name: str
    label: str | None
    fragmentation: float
    largest_component: int
    components: int


@dataclass(frozen=True)
class KeyPlayers:
    """The key-player set (``chosen``, in the order that fragments the network fastest), and for
    comparison the same number of vertices taken by degree and by betweenness. ``before``: the
    intact network as step 0. ``candidates``: how many vertices were tried; ``swaps``: how many
    times the swap pass improved the greedy set."""

    before: Removal
    chosen: tuple[Removal, ...]
    by_degree: tuple[Removal, ...]
    by_betweenness: tuple[Removal, ...]
    candidates: int
    swaps: int


def _removed(simple: ig.Graph, gone: Sequence[int]) -> tuple[ig.Graph, np.ndarray]:
    """The graph without ``gone``, and each kept vertex's old index (shape (n - len(gone),))."""
    keep = np.ones(simple.vcount(), dtype=bool)
    keep[list(gone)] = False
    kept = np.flatnonzero(keep)
    return simple.induced_subgraph(kept.tolist()), kept


def _fragmentation_without_each(rest: ig.Graph) -> np.ndarray:
    """For every vertex of ``rest``, the fragmentation once it is removed too; shape (n,).

    Only the vertex's own component changes. A vertex that is not a cutpoint shrinks it by one.
    A cutpoint splits it into pieces, read off the block-cut tree (biconnected blocks joined
    through the cutpoints they share): one piece per subtree hanging below the cutpoint, and the
    rest of the component above it. One pass, O(n + m), for all vertices at once."""
    n = rest.vcount()
    parts = rest.connected_components()
    member = np.asarray(parts.membership, dtype=np.int64)
    sizes = np.asarray(parts.sizes(), dtype=float)
    own = sizes[member]
    inside = (own - 1) * (own - 2)  # pairs left in the vertex's component after its removal
    blocks, cuts = rest.biconnected_components(return_articulation_points=True)
    if cuts:
        tree_id = {v: len(blocks) + i for i, v in enumerate(cuts)}
        nodes = len(blocks) + len(cuts)
        weight = np.ones(nodes)  # vertices a tree node stands for: 1 per cutpoint
        links: list[list[int]] = [[] for _ in range(nodes)]
        for b, verts in enumerate(blocks):
            weight[b] = 0
            for v in verts:
                t = tree_id.get(v)
                if t is None:
                    weight[b] += 1
                else:
                    links[b].append(t)
                    links[t].append(b)
        below, parent = weight.copy(), np.full(nodes, -1)
        seen = np.zeros(nodes, dtype=bool)
        for root in range(len(blocks)):
            if seen[root]:
                continue
            seen[root], order, stack = True, [], [root]
            while stack:
                x = stack.pop()
                order.append(x)
                for y in links[x]:
                    if not seen[y]:
                        seen[y], parent[y] = True, x
                        stack.append(y)
            for x in reversed(order[1:]):
                below[parent[x]] += below[x]
        for v, t in tree_id.items():
            pieces = [below[b] for b in links[t] if b != parent[t]]
            pieces.append(own[v] - below[t])  # the side above; 0 when nothing is there
            inside[v] = sum(p * (p - 1) for p in pieces)
    pairs = float((sizes * (sizes - 1)).sum())
    left = n - 1
    if left < 2:
        return np.ones(n)
    return 1.0 - (pairs - own * (own - 1) + inside) / (left * (left - 1))


def _best_next(simple: ig.Graph, gone: Sequence[int], candidates: np.ndarray) -> tuple[int, float]:
    """Of ``candidates`` (vertex ids, best first) not yet ``gone``, the one whose removal leaves
    the highest fragmentation, and that fragmentation; ties go to the earlier candidate."""
    rest, kept = _removed(simple, gone)
    position = np.full(simple.vcount(), -1)
    position[kept] = np.arange(kept.size)
    at = position[candidates]
    open_ = candidates[at >= 0]
    after = _fragmentation_without_each(rest)[at[at >= 0]]
    first = int(np.flatnonzero(after >= after.max() - 1e-12)[0])
    return int(open_[first]), float(after[first])


def _sequence(simple: ig.Graph, order: Sequence[int], names: list[str], labels: list) -> tuple:
    """Removal rows for removing ``order`` one after another."""
    rows = []
    for step in range(1, len(order) + 1):
        rest, _ = _removed(simple, order[:step])
        sizes = rest.connected_components().sizes()
        v = order[step - 1]
        rows.append(
            Removal(step, names[v], labels[v], fragmentation(sizes), max(sizes), len(sizes))
        )
    return tuple(rows)


def find_key_players(
    graph: ig.Graph,
    k: int,
    *,
    candidates: int | None = None,
    swap: bool = True,
    max_passes: int = 3,
    cutoff: float | None = None,
    weights: str | None = "weight",
    exclude: Collection[str] = (),
) -> KeyPlayers:
    """The ``k`` vertices whose removal (arrest) most fragments the network: Borgatti's (2006)
    KPP-Neg, as Patel et al. (2015, PNAS 112(26):7948) applied it to wildlife trade networks.

    Greedy: remove the vertex that raises fragmentation most, then (``swap``) trade a chosen
    vertex for another while that raises it, for at most ``max_passes`` passes; the final set is
    ordered greedily ("arrest these first"). Each step scores every vertex at once in O(n + m)
    (see ``_fragmentation_without_each``), so the work is O(k (1 + max_passes) (n + m)) plus one
    betweenness (with ``cutoff``, as in ``find_brokers``: use one on big graphs). ``candidates``
    restricts the choice to the ``candidates`` vertices of highest degree plus those of highest
    betweenness (at most 2 x ``candidates``); None tries every vertex.
    Fragmentation is computed on the vertices that remain (n - removed). ``weights`` (the edge
    attribute of tie weights) only matters for betweenness. ``exclude``: vertex names that are
    never chosen, nor counted in the degree and betweenness comparisons (public bodies: no one
    arrests a wildlife department); they stay in the network, so removing others still cuts
    them off. At least ``k`` vertices must remain to choose from.
    """
    simple, weight = simple_undirected(graph, weights)
    n = simple.vcount()
    if n < 2:
        raise ParameterError(f"graph: key players need at least 2 vertices, found {n}")
    if not isinstance(k, int) or not 1 <= k < n:
        raise ParameterError(f"k: expected an int with 1 <= k < {n} (the vertices), found {k!r}")
    if candidates is not None and candidates < 1:
        raise ParameterError(f"candidates: expected an int >= 1, found {candidates!r}")
    if max_passes < 0:
        raise ParameterError(f"max_passes: expected an int >= 0, found {max_passes!r}")
    names, labels = vertex_names(simple), vertex_labels(simple)
    degree = np.asarray(simple.degree())
    between = betweenness(simple, weight, cutoff)
    barred = set(exclude)
    eligible = [v for v in range(n) if names[v] not in barred]
    if len(eligible) < k:
        raise ParameterError(
            f"exclude: {n - len(eligible)} of the {n} vertices are excluded, leaving"
            f" {len(eligible)} to choose {k} key players from"
        )
    by_degree = sorted(eligible, key=lambda v: (-degree[v], -between[v], names[v]))
    by_between = sorted(eligible, key=lambda v: (-between[v], -degree[v], names[v]))
    pool = by_degree
    if candidates is not None and 2 * candidates < len(eligible):
        pool = list(dict.fromkeys(by_degree[:candidates] + by_between[:candidates]))
    tried = np.asarray(pool if len(pool) >= k else by_degree)

    chosen: list[int] = []
    for _ in range(k):
        v, reached = _best_next(simple, chosen, tried)
        chosen.append(v)
    swaps = 0
    for _ in range(max_passes if swap else 0):
        improved = False
        for i in range(k):
            v, f = _best_next(simple, chosen[:i] + chosen[i + 1 :], tried)
            if f > reached + 1e-12 and v != chosen[i]:
                chosen[i], reached, improved, swaps = v, f, True, swaps + 1
        if not improved:
            break
    if swaps:  # order the improved set so that each arrest does the most it can
        ordered: list[int] = []
        for _ in range(k):
            ordered.append(_best_next(simple, ordered, np.asarray(chosen))[0])
        chosen = ordered

    sizes = simple.connected_components().sizes()
    before = Removal(0, "", None, fragmentation(sizes), max(sizes), len(sizes))
    return KeyPlayers(
        before=before,
        chosen=_sequence(simple, chosen, names, labels),
        by_degree=_sequence(simple, by_degree[:k], names, labels),
        by_betweenness=_sequence(simple, by_between[:k], names, labels),
        candidates=int(tried.size),
        swaps=swaps,
    )
