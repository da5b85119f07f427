"""Structure: Leiden communities, brokers (betweenness, bridging, cutpoints) and key players."""

from __future__ import annotations

import math
import random

import igraph as ig
import numpy as np
import pytest

from onca.errors import ParameterError
from onca.network._keyplayers import (
    _fragmentation_without_each,
    find_key_players,
    fragmentation,
)
from onca.network._structure import find_brokers, find_communities, simple_undirected


def named(graph: ig.Graph) -> ig.Graph:
    graph.vs["name"] = [f"v{i}" for i in range(graph.vcount())]
    graph.vs["label"] = [f"Party {i}" for i in range(graph.vcount())]
    return graph


@pytest.fixture
def two_cliques() -> ig.Graph:
    """Two 4-cliques (v0-v3, v4-v7) joined only through the broker v8: v3 - v8 - v4."""
    g = ig.Graph.Full(4) + ig.Graph.Full(4)
    g.add_vertices(1)
    g.add_edges([(3, 8), (8, 4)])
    return named(g)


def planted(blocks: int, size: int, p_in: float, p_out: float, seed: int) -> ig.Graph:
    random.seed(seed)  # igraph draws from Python's random module
    pref = [[p_in if i == j else p_out for j in range(blocks)] for i in range(blocks)]
    return named(ig.Graph.SBM(pref, [size] * blocks))


# --- fragmentation ----------------------------------------------------------------------------


def test_fragmentation_by_hand() -> None:
    # Components 3, 2, 1 of n = 6: 1 - (3*2 + 2*1 + 0) / (6*5) = 1 - 8/30.
    assert fragmentation([3, 2, 1]) == pytest.approx(22 / 30)
    assert fragmentation([9]) == 0.0  # connected
    assert fragmentation([1, 1, 1, 1]) == 1.0  # no tie left
    assert fragmentation([4, 4]) == pytest.approx(1 - 24 / 56)
    assert fragmentation([1]) == 1.0 and fragmentation([]) == 1.0  # no pairs: by convention


def test_fragmentation_without_each_vertex_matches_removing_it() -> None:
    rng = random.Random(5)
    for _ in range(60):
        n = rng.randint(2, 25)
        pairs = [(a, b) for a in range(n) for b in range(a + 1, n)]
        g = ig.Graph(n, rng.sample(pairs, rng.randint(0, min(2 * n, len(pairs)))))
        got = _fragmentation_without_each(g)
        for v in range(n):
            rest = g.copy()
            rest.delete_vertices(v)
            assert got[v] == pytest.approx(fragmentation(rest.connected_components().sizes()))


# --- brokers ----------------------------------------------------------------------------------


def test_bridge_is_the_top_broker_and_a_cutpoint(two_cliques: ig.Graph) -> None:
    rows = find_brokers(two_cliques)
    top = rows[0]
    assert (top.rank, top.name, top.label) == (1, "v8", "Party 8")
    assert top.is_cutpoint
    # 4 x 4 of the C(8, 2) = 28 pairs of other vertices pass through v8.
    assert top.betweenness == pytest.approx(16 / 28)
    # Bridging coefficient of v8: (1/2) / (1/4 + 1/4) = 1.
    assert top.bridging == pytest.approx(16 / 28)
    assert top.communities_touched == 1
    by_name = {r.name: r for r in rows}
    # v3 lies on the paths from v0-v2 to the other five: 15/28; bridging (1/4) / (3 * 1/3 + 1/2).
    assert by_name["v3"].betweenness == pytest.approx(15 / 28)
    assert by_name["v3"].bridging == pytest.approx(15 / 28 / 6)
    assert {r.name for r in rows if r.is_cutpoint} == {"v3", "v4", "v8"}
    assert by_name["v0"].betweenness == 0.0 and by_name["v0"].communities_touched == 0
    assert [r.rank for r in rows] == list(range(1, 10))
    assert len(find_brokers(two_cliques, top=2)) == 2


def test_betweenness_follows_strong_ties() -> None:
    # Square a-b-c-d-a: a-b-c carry 10,000 dollars, a-d-c one shared phone each.
    g = ig.Graph([(0, 1), (1, 2), (2, 3), (3, 0)])
    g.vs["name"] = ["a", "b", "c", "d"]
    g.es["weight"] = [10_000.0, 10_000.0, 1.0, 1.0]
    between = {r.name: r.betweenness for r in find_brokers(g)}
    # a..c goes through b only; b..d is a tie (b-a-d = b-c-d) split between a and c.
    assert between == pytest.approx({"a": 0.5 / 3, "b": 1 / 3, "c": 0.5 / 3, "d": 0.0})
    unweighted = {r.name: r.betweenness for r in find_brokers(g, weights=None)}
    assert unweighted == pytest.approx({x: 0.5 / 3 for x in "abcd"})


def test_cutoff_only_counts_short_paths() -> None:
    g = named(ig.Graph.Ring(12, circular=False))  # a path v0 - ... - v11, ties of length 1/1.69
    exact = {r.name: r.betweenness for r in find_brokers(g)}
    short = {r.name: r.betweenness for r in find_brokers(g, cutoff=1.5)}
    assert exact["v5"] == pytest.approx(5 * 6 / 55)
    assert 0 < short["v5"] < exact["v5"]
    assert all(short[x] <= exact[x] + 1e-12 for x in exact)


def test_brokers_count_the_other_communities_they_touch(two_cliques: ig.Graph) -> None:
    split = find_communities(two_cliques)
    assert split.count == 2
    rows = {r.name: r for r in find_brokers(two_cliques, communities=split)}
    assert rows["v8"].community in (split.membership[3], split.membership[4])
    assert rows["v3"].communities_touched + rows["v4"].communities_touched == 1


# --- communities ------------------------------------------------------------------------------


def test_leiden_recovers_planted_blocks_reproducibly() -> None:
    g = planted(blocks=8, size=60, p_in=0.25, p_out=0.01, seed=3)
    truth = [v // 60 for v in range(g.vcount())]
    found = find_communities(g, seed=42)
    assert ig.compare_communities(truth, list(found.membership), method="nmi") > 0.9
    assert ig.compare_communities(truth, list(found.membership), method="adjusted_rand") > 0.9
    assert found.count == 8 and sum(found.sizes) == 480
    assert list(found.sizes) == sorted(found.sizes, reverse=True)  # 0 is the largest
    assert found.sizes == tuple(np.bincount(found.membership).tolist())
    strength = (1 + np.log1p(np.ones(g.ecount()))).tolist()
    assert found.modularity == pytest.approx(g.modularity(list(found.membership), strength))
    assert found.modularity > 0.6
    assert find_communities(g, seed=42) == found
    state = random.getstate()
    find_communities(g, seed=7)
    assert random.getstate() == state  # the caller's random stream is left alone


def test_resolution_gives_more_smaller_communities() -> None:
    g = planted(blocks=4, size=40, p_in=0.3, p_out=0.02, seed=1)
    assert find_communities(g, resolution=5.0).count > find_communities(g).count


def test_isolated_vertices_and_edgeless_graphs() -> None:
    empty = ig.Graph()
    assert find_communities(empty).count == 0
    assert find_brokers(empty) == []
    lonely = named(ig.Graph(n=3))
    split = find_communities(lonely)
    assert (split.count, split.sizes, split.modularity) == (3, (1, 1, 1), 0.0)
    assert [r.betweenness for r in find_brokers(lonely)] == [0.0, 0.0, 0.0]


def test_directed_multigraph_is_read_as_undirected_and_simple() -> None:
    g = ig.Graph([(0, 1), (1, 0), (1, 1), (1, 2), (1, 2)], directed=True)
    g.vs["name"] = ["a", "b", "c"]
    g.es["weight"] = [1.0, 2.0, 50.0, 4.0, 6.0]
    simple, weight = simple_undirected(g)
    assert simple.get_edgelist() == [(0, 1), (1, 2)]
    assert weight.tolist() == [3.0, 10.0]
    assert simple.vs["name"] == ["a", "b", "c"] and not simple.is_directed()
    assert g.ecount() == 5 and g.is_directed()  # the input is not changed
    assert find_brokers(g)[0].name == "b"


# --- key players ------------------------------------------------------------------------------


def test_removing_the_bridge_splits_the_network(two_cliques: ig.Graph) -> None:
    kp = find_key_players(two_cliques, 1)
    assert kp.before.fragmentation == 0.0 and kp.before.largest_component == 9
    first = kp.chosen[0]
    assert (first.step, first.name, first.label) == (1, "v8", "Party 8")
    # Two cliques of 4 remain out of 8: F = 1 - 2 * 4 * 3 / (8 * 7) = 4/7.
    assert first.fragmentation == pytest.approx(4 / 7)
    assert (first.largest_component, first.components) == (4, 2)
    assert kp.by_betweenness[0].name == "v8"
    assert kp.by_degree[0].name == "v3"  # v3 and v4 tie on degree and betweenness; name decides
    assert kp.by_degree[0].fragmentation == pytest.approx(1 - (3 * 2 + 5 * 4) / (8 * 7))


def test_swap_finds_a_better_pair_than_greedy(two_cliques: ig.Graph) -> None:
    greedy = find_key_players(two_cliques, 2, swap=False)
    assert greedy.chosen[0].name == "v8"
    # Then v3 (or v4): pieces 3 and 4 of 7 -> 1 - (6 + 12) / 42.
    assert greedy.chosen[1].fragmentation == pytest.approx(1 - 18 / 42)
    best = find_key_players(two_cliques, 2)
    # v3 and v4 leave 3, 1, 3 of 7 -> 1 - 12 / 42, better than any pair with v8.
    assert {r.name for r in best.chosen} == {"v3", "v4"}
    assert best.chosen[-1].fragmentation == pytest.approx(1 - 12 / 42)
    assert best.swaps >= 1
    assert (best.chosen[-1].largest_component, best.chosen[-1].components) == (3, 3)
    assert best.chosen[-1].fragmentation >= best.by_betweenness[-1].fragmentation


def test_key_player_of_a_path_is_its_middle() -> None:
    g = named(ig.Graph.Ring(5, circular=False))
    kp = find_key_players(g, 1)
    assert kp.chosen[0].name == "v2"
    assert kp.chosen[0].fragmentation == pytest.approx(1 - (2 + 2) / 12)


def test_candidates_bound_the_search(two_cliques: ig.Graph) -> None:
    assert find_key_players(two_cliques, 1).candidates == 9  # all
    # Top 1 by degree (v3) and top 1 by betweenness (v8).
    kp = find_key_players(two_cliques, 1, candidates=1)
    assert kp.candidates == 2 and kp.chosen[0].name == "v8"


def test_greedy_on_planted_blocks_beats_nothing_and_matches_removal() -> None:
    g = planted(blocks=5, size=30, p_in=0.3, p_out=0.004, seed=9)
    kp = find_key_players(g, 4)
    fs = [r.fragmentation for r in kp.chosen]
    assert fs == sorted(fs)  # each arrest fragments further
    rest = g.copy()
    rest.delete_vertices([int(r.name[1:]) for r in kp.chosen])
    sizes = rest.connected_components().sizes()
    assert kp.chosen[-1].fragmentation == pytest.approx(fragmentation(sizes))
    assert kp.chosen[-1].largest_component == max(sizes)
    assert kp.chosen[-1].fragmentation >= kp.by_degree[-1].fragmentation - 1e-12


# --- bad inputs -------------------------------------------------------------------------------


@pytest.mark.parametrize("k", [0, -1, 9, 10, 2.5])
def test_key_players_k_out_of_range(two_cliques: ig.Graph, k: int) -> None:
    with pytest.raises(ParameterError, match=r"^k: expected an int with 1 <= k < 9"):
        find_key_players(two_cliques, k)


def test_key_players_of_an_empty_graph() -> None:
    with pytest.raises(ParameterError, match="graph: key players need at least 2 vertices"):
        find_key_players(ig.Graph(), 1)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda g: find_communities(g, resolution=0), "resolution"),
        (lambda g: find_communities(g, iterations=0), "iterations"),
        (lambda g: find_brokers(g, cutoff=-1.0), "cutoff"),
        (lambda g: find_brokers(g, top=0), "top"),
        (lambda g: find_key_players(g, 1, candidates=0), "candidates"),
        (lambda g: find_key_players(g, 1, max_passes=-1), "max_passes"),
        (lambda g: find_brokers(g, communities=find_communities(ig.Graph(3))), "communities"),
    ],
)
def test_absurd_parameters_are_named(two_cliques: ig.Graph, call, message: str) -> None:
    with pytest.raises(ParameterError, match=f"^{message}: "):
        call(two_cliques)


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf, None])
def test_bad_weights_are_named(two_cliques: ig.Graph, bad: float | None) -> None:
    two_cliques.es["weight"] = [1.0] * (two_cliques.ecount() - 1) + [bad]
    with pytest.raises(ParameterError, match="graph: edge"):
        find_communities(two_cliques)


def test_not_a_graph() -> None:
    with pytest.raises(ParameterError, match=r"graph: expected an igraph\.Graph, found dict"):
        find_brokers({"a": "b"})  # type: ignore[arg-type]  # the wrong type, on purpose


def test_excluded_vertices_are_never_chosen(two_cliques: ig.Graph) -> None:
    """A public body can sit where an arrest would cut most (v8, the only bridge): it is left
    in the network, the next best are chosen, and the baselines leave it out too."""
    assert find_key_players(two_cliques, 1).chosen[0].name == "v8"
    kp = find_key_players(two_cliques, 1, exclude=["v8"])
    assert kp.chosen[0].name in {"v3", "v4"}
    assert "v8" not in {r.name for r in (*kp.by_degree, *kp.by_betweenness)}
    assert kp.candidates == 8


def test_excluding_too_many_is_refused(two_cliques: ig.Graph) -> None:
    everyone_but_one = [f"v{i}" for i in range(8)]
    with pytest.raises(ParameterError, match=r"^exclude: 8 of the 9 vertices are excluded"):
        find_key_players(two_cliques, 2, exclude=everyone_but_one)
