"""Risk propagation: personalised PageRank from known bad actors, with explaining paths."""

from __future__ import annotations

import itertools
import math

import igraph as ig
import numpy as np
import pytest

from onca.errors import ParameterError
from onca.network._risk import propagate_risk


@pytest.fixture
def ring() -> ig.Graph:
    """A trafficker ``s`` with a chain s - a - b - c, a side branch s - d - e, a strong payment
    a - x, and a separate pair p - q nobody known touches. Weights in dollars (1 = no money)."""
    names = ["s", "a", "b", "c", "d", "e", "x", "p", "q"]
    g = ig.Graph(n=len(names))
    g.vs["name"] = names
    g.vs["label"] = [n.upper() for n in names]
    ties = [("s", "a", 1.0), ("a", "b", 1.0), ("b", "c", 1.0), ("s", "d", 1.0)]
    ties += [("d", "e", 1.0), ("a", "x", 20_000.0), ("p", "q", 1.0)]
    g.add_edges([(names.index(u), names.index(v)) for u, v, _ in ties])
    g.es["weight"] = [w for *_, w in ties]
    return g


def pagerank_by_hand(g: ig.Graph, reset: dict[str, float], damping: float) -> dict[str, float]:
    """Solve p = (1 - d) r + d P^T p with P_uv = strength_uv / strength_u (dense, small graphs)."""
    n = g.vcount()
    s = np.zeros((n, n))
    for e in g.es:
        strength = 1 + math.log1p(e["weight"])
        s[e.source, e.target] += strength
        s[e.target, e.source] += strength
    out = s.sum(axis=1, keepdims=True)
    walk = np.divide(s, out, out=np.zeros_like(s), where=out > 0)
    r = np.array([reset.get(name, 0.0) for name in g.vs["name"]])
    r = r / r.sum()
    walk[out[:, 0] == 0] = r  # a walker with nowhere to go jumps back to the seeds
    p = np.linalg.solve(np.eye(n) - damping * walk.T, (1 - damping) * r)
    return dict(zip(g.vs["name"], p, strict=True))


def test_closer_parties_rank_higher(ring: ig.Graph) -> None:
    rows = {r.name: r for r in propagate_risk(ring, {"s": 1.0})}
    assert rows["a"].rank < rows["c"].rank  # a is next to s, c three ties away
    assert rows["d"].rank < rows["e"].rank
    assert rows["s"].is_seed and rows["s"].rank <= 2  # a, tied to x by a payment, may outrank s
    assert "p" not in rows and "q" not in rows  # not connected to any seed
    assert sum(r.score for r in rows.values()) == pytest.approx(1.0)


def test_scores_are_personalised_pagerank(ring: ig.Graph) -> None:
    rows = propagate_risk(ring, {"s": 1.0, "e": 0.5}, damping=0.7)
    expected = pagerank_by_hand(ring, {"s": 1.0, "e": 0.5}, 0.7)
    assert {r.name: r.score for r in rows} == pytest.approx(
        {k: v for k, v in expected.items() if k not in "pq"}
    )
    scores = [r.score for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert [r.rank for r in rows] == list(range(1, len(rows) + 1))


def test_a_big_payment_carries_more_risk(ring: ig.Graph) -> None:
    rows = {r.name: r for r in propagate_risk(ring, {"a": 1.0})}
    # x got 20,000 dollars from a; b and s only share a phone with a.
    assert rows["x"].score > rows["b"].score
    assert rows["x"].score > rows["s"].score


def test_a_seed_explains_itself(ring: ig.Graph) -> None:
    row = next(r for r in propagate_risk(ring, {"s": 1.0, "c": 0.2}) if r.name == "c")
    assert (row.is_seed, row.seed, row.path, row.path_weights) == (True, "c", ("c",), ())
    assert row.path_probability == pytest.approx(0.2 / 1.2)


def test_paths_start_at_a_seed_and_follow_ties(ring: ig.Graph) -> None:
    seeds = {"s": 1.0, "x": 0.5}
    for row in propagate_risk(ring, seeds):
        assert row.path[0] == row.seed and row.seed in seeds
        assert row.path[-1] == row.name
        assert len(row.path_weights) == len(row.path) - 1
        for (u, v), w in zip(itertools.pairwise(row.path), row.path_weights, strict=True):
            eid = ring.get_eid(u, v)  # raises if u and v are not tied
            assert ring.es[eid]["weight"] == w
    rows = {r.name: r for r in propagate_risk(ring, seeds)}
    assert rows["c"].path == ("s", "a", "b", "c") or rows["c"].path == ("x", "a", "b", "c")
    assert rows["e"].path == ("s", "d", "e") and rows["e"].path_weights == (1.0, 1.0)


def test_path_probability_by_hand() -> None:
    # A star: seed s tied to a and b equally. Walker starts at s (share 1), steps to a with
    # probability 0.85 * 1/2.
    g = ig.Graph([(0, 1), (0, 2)])
    g.vs["name"] = ["s", "a", "b"]
    rows = {r.name: r for r in propagate_risk(g, {"s": 1.0})}
    assert rows["a"].path == ("s", "a")
    assert rows["a"].path_probability == pytest.approx(0.85 * 0.5)
    assert rows["a"].path_weights == (1.0,)  # no weight attribute: every tie weighs 1


def test_the_surer_seed_explains(ring: ig.Graph) -> None:
    # b is one tie from c (c's only tie) and two from s (s -> a -> b). Strength of a tie of
    # 1 dollar: 1 + ln 2; of a - x: 1 + ln 20001. The walk s -> a -> b has probability
    # share_s * 0.85 * 1/2 * 0.85 * (1 + ln 2) / (2 (1 + ln 2) + 1 + ln 20001) = share_s * 0.0425;
    # c -> b has share_c * 0.85.
    step = 0.85 * 0.5 * 0.85 * (1 + math.log(2)) / (2 * (1 + math.log(2)) + 1 + math.log(20001))
    for prior_c, seed in [(0.1, "c"), (0.01, "s")]:
        rows = {r.name: r for r in propagate_risk(ring, {"s": 1.0, "c": prior_c})}
        share = 1 + prior_c
        assert rows["b"].seed == seed
        best = max(prior_c / share * 0.85, 1 / share * step)
        assert rows["b"].path_probability == pytest.approx(best)
    assert rows["b"].path == ("s", "a", "b")


def test_include_seeds_and_top(ring: ig.Graph) -> None:
    rows = propagate_risk(ring, {"s": 1.0}, include_seeds=False, top=3)
    assert len(rows) == 3 and not any(r.is_seed for r in rows)
    assert [r.rank for r in rows] == [1, 2, 3]
    assert rows[0].name == "a" and rows[0].label == "A"


def test_directed_multigraph_is_folded(ring: ig.Graph) -> None:
    directed = ig.Graph(n=ring.vcount(), directed=True)
    directed.vs["name"] = ring.vs["name"]
    halves = [(e.target, e.source) for e in ring.es] + [(e.source, e.target) for e in ring.es]
    directed.add_edges([*halves, (0, 0)])  # each tie as two half-weight arcs, and a loop
    directed.es["weight"] = [w / 2 for w in ring.es["weight"]] * 2 + [99.0]
    folded = [(r.name, round(r.score, 12), r.path) for r in propagate_risk(directed, {"s": 1.0})]
    plain = [(r.name, round(r.score, 12), r.path) for r in propagate_risk(ring, {"s": 1.0})]
    assert folded == plain


def test_isolated_seed_scores_alone() -> None:
    g = ig.Graph(n=3, edges=[(1, 2)])
    g.vs["name"] = ["lone", "a", "b"]
    rows = propagate_risk(g, {"lone": 1.0})
    assert [(r.name, r.score, r.path) for r in rows] == [("lone", pytest.approx(1.0), ("lone",))]


# --- bad inputs -------------------------------------------------------------------------------


def test_unknown_seeds_are_named(ring: ig.Graph) -> None:
    with pytest.raises(
        ParameterError, match=r"^seeds: 2 name\(s\) not in the graph: 'ghost', 'zz'"
    ):
        propagate_risk(ring, {"s": 1.0, "zz": 1.0, "ghost": 0.5})


def test_no_seeds(ring: ig.Graph) -> None:
    with pytest.raises(ParameterError, match=r"^seeds: expected at least one"):
        propagate_risk(ring, {})


def test_empty_graph() -> None:
    with pytest.raises(ParameterError, match=r"^seeds: 1 name"):
        propagate_risk(ig.Graph(), {"s": 1.0})


@pytest.mark.parametrize("prior", [0.0, -0.5, 1.5, math.nan, "high"])
def test_priors_must_be_probabilities(ring: ig.Graph, prior: object) -> None:
    with pytest.raises(ParameterError, match=r"^seeds: priors must be in \(0, 1\]"):
        propagate_risk(ring, {"s": prior})  # type: ignore[dict-item]  # wrong on purpose


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"damping": 1.0}, "damping"), ({"damping": 0.0}, "damping"), ({"top": 0}, "top")],
)
def test_absurd_parameters_are_named(ring: ig.Graph, kwargs: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=f"^{message}: "):
        propagate_risk(ring, {"s": 1.0}, **kwargs)


def test_names_must_be_unique(ring: ig.Graph) -> None:
    ring.vs[1]["name"] = "s"
    with pytest.raises(ParameterError, match=r"^graph: vertex names must be unique; .*'s'"):
        propagate_risk(ring, {"s": 1.0})
