"""Temporal motifs: each present exactly as built, absent when time order or the window breaks
it, bounded on hubs, and the scenario's planted typologies found."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import numpy as np
import pytest

from onca.errors import ParameterError
from onca.network._motifs import (
    DAY,
    KINDS,
    MotifParams,
    MotifResult,
    find_motifs,
    instances_table,
    workspace_motifs,
)
from onca.workspace import open_workspace

HOUR = 3_600


def find(edges: list[tuple[int, int, int]], **params: int) -> MotifResult:
    """Motifs of (src, dst, ts) payments of 100 USD each."""
    src, dst, ts = (np.array([e[i] for e in edges], dtype=np.int64) for i in range(3))
    return find_motifs(src, dst, ts, np.full(len(edges), 100.0), params=MotifParams(**params))


def only(result: MotifResult, kind: str, n: int = 1) -> None:
    counts = result.counts()
    assert counts[kind] == n, counts
    others = {k: v for k, v in counts.items() if k != kind and v}
    assert not others, f"unexpected motifs besides {kind}: {others}"


def txns(result: MotifResult, kind: str, i: int = 0) -> list[int]:
    return result.instances[kind].txns_of(i).tolist()


def test_fan_out_within_the_window() -> None:
    r = find([(0, k, k * HOUR) for k in range(1, 6)], min_fan=5)
    only(r, "fan_out")
    inst = r.instances["fan_out"]
    assert inst.hub.tolist() == [0]
    assert txns(r, "fan_out") == [0, 1, 2, 3, 4]
    assert inst.accounts_of(0).tolist() == [0, 1, 2, 3, 4, 5]
    assert (inst.start[0], inst.end[0]) == (HOUR, 5 * HOUR)
    assert r.account_counts["fan_out"].tolist() == [1, 1, 1, 1, 1, 1]
    assert r.txn_counts["fan_out"].tolist() == [1, 1, 1, 1, 1]


def test_fan_out_needs_distinct_payees_inside_one_window() -> None:
    spread = find([(0, k, k * 4 * DAY) for k in range(1, 6)], min_fan=5, delta_s=7 * DAY)
    assert spread.counts()["fan_out"] == 0
    same_payee = find([(0, 1, k * HOUR) for k in range(10)], min_fan=2)
    assert same_payee.counts()["fan_out"] == 0


def test_fan_in() -> None:
    r = find([(k, 0, k * HOUR) for k in range(1, 7)], min_fan=6)
    only(r, "fan_in")
    assert r.instances["fan_in"].hub.tolist() == [0]
    assert find([(k, 0, k * HOUR) for k in range(1, 6)], min_fan=6).counts()["fan_in"] == 0


def test_cycle_in_time_order() -> None:
    r = find([(0, 1, 0), (1, 2, DAY), (2, 0, 2 * DAY)])
    only(r, "cycle")
    assert txns(r, "cycle") == [0, 1, 2]
    assert r.instances["cycle"].hub.tolist() == [0]


def test_cycle_whose_hops_are_out_of_time_order_is_not_a_cycle() -> None:
    # 0 -> 1 -> 2 -> 0, but 1 pays 2 before it was paid: from no account is it in order.
    assert find([(0, 1, DAY), (1, 2, 0), (2, 0, 2 * DAY)]).counts()["cycle"] == 0
    assert find([(0, 1, 2 * DAY), (1, 2, DAY), (2, 0, 3 * DAY)]).counts()["cycle"] == 0


def test_cycle_whose_return_comes_first_starts_where_the_money_does() -> None:
    # 2 -> 0 on day 1 comes "before the start" of 0 -> 1 on day 2: no cycle from 0, but the
    # money does go round from 2 (2 -> 0 -> 1 -> 2), and only once.
    r = find([(0, 1, 2 * DAY), (1, 2, 3 * DAY), (2, 0, DAY)])
    only(r, "cycle")
    assert r.instances["cycle"].hub.tolist() == [2]
    assert txns(r, "cycle") == [2, 0, 1]  # in time order


def test_cycle_must_close_within_delta_and_length() -> None:
    late = [(0, 1, 0), (1, 2, 5 * DAY), (2, 0, 10 * DAY)]
    assert find(late, delta_s=7 * DAY).counts()["cycle"] == 0
    assert find(late, delta_s=10 * DAY).counts()["cycle"] == 1
    four = [(0, 1, 0), (1, 2, HOUR), (2, 3, 2 * HOUR), (3, 0, 3 * HOUR)]
    assert find(four, max_cycle_length=3).counts()["cycle"] == 0
    assert find(four, max_cycle_length=4).counts()["cycle"] == 1


def test_round_trip_is_a_cycle_of_two() -> None:
    r = find([(0, 1, 0), (1, 0, HOUR)])
    only(r, "cycle")
    assert np.diff(r.instances["cycle"].txn_offsets).tolist() == [2]


def test_scatter_gather() -> None:
    edges = [(0, m, m * HOUR) for m in (1, 2, 3)] + [(m, 4, DAY + m * HOUR) for m in (1, 2, 3)]
    r = find(edges)
    only(r, "scatter_gather")
    assert r.instances["scatter_gather"].hub.tolist() == [0]
    assert txns(r, "scatter_gather") == [0, 1, 2, 3, 4, 5]
    assert r.instances["scatter_gather"].accounts_of(0).tolist() == [0, 1, 2, 3, 4]


def test_scatter_gather_needs_the_intermediaries_to_pay_after_being_paid() -> None:
    edges = [(0, m, DAY + m * HOUR) for m in (1, 2, 3)] + [(m, 4, m * HOUR) for m in (1, 2, 3)]
    assert find(edges).counts()["scatter_gather"] == 0
    two = [(0, m, m * HOUR) for m in (1, 2)] + [(m, 4, DAY + m * HOUR) for m in (1, 2)]
    assert find(two, min_width=3).counts()["scatter_gather"] == 0


def test_gather_scatter() -> None:
    edges = [(m, 0, m * HOUR) for m in (1, 2, 3)] + [(0, m, DAY + m * HOUR) for m in (4, 5, 6)]
    r = find(edges)
    only(r, "gather_scatter")
    assert r.instances["gather_scatter"].hub.tolist() == [0]
    assert txns(r, "gather_scatter") == [0, 1, 2, 3, 4, 5]


def test_gather_scatter_needs_the_money_in_first() -> None:
    edges = [(m, 0, DAY + m * HOUR) for m in (1, 2, 3)] + [(0, m, m * HOUR) for m in (4, 5, 6)]
    assert find(edges).counts()["gather_scatter"] == 0


def block(sources: list[int], targets: list[int], at: int) -> list[tuple[int, int, int]]:
    return [
        (s, t, at + i * HOUR) for i, (s, t) in enumerate((s, t) for s in sources for t in targets)
    ]


def test_bipartite_block() -> None:
    r = find(block([0, 1], [2, 3], 0))
    only(r, "bipartite")
    assert txns(r, "bipartite") == [0, 1, 2, 3]
    wide = find(block([0, 1, 2], [3, 4], 0))
    only(wide, "bipartite")
    assert wide.instances["bipartite"].accounts_of(0).tolist() == [0, 1, 2, 3, 4]


def test_bipartite_needs_two_shared_payees_close_in_time() -> None:
    assert find([(0, 2, 0), (1, 2, HOUR), (0, 3, 2 * HOUR)]).counts()["bipartite"] == 0
    apart = [(0, 2, 0), (1, 2, HOUR), (0, 3, 30 * DAY), (1, 3, 30 * DAY + HOUR)]
    assert find(apart, delta_s=7 * DAY).counts()["bipartite"] == 0


def test_stack_of_two_blocks() -> None:
    r = find(block([0, 1], [2, 3], 0) + block([2, 3], [4, 5], DAY))
    assert r.counts()["bipartite"] == 2
    assert r.counts()["stack"] == 1
    assert txns(r, "stack") == list(range(8))
    assert r.instances["stack"].accounts_of(0).tolist() == [0, 1, 2, 3, 4, 5]


def test_stack_needs_the_layers_in_time_order() -> None:
    r = find(block([0, 1], [2, 3], DAY) + block([2, 3], [4, 5], 0))
    assert r.counts()["bipartite"] == 2
    assert r.counts()["stack"] == 0


def test_no_motif_in_payments_without_two_sides() -> None:
    r = find_motifs([-1, 0, 0], [1, -1, 0], [0, 1, 2], [1.0, 1.0, 1.0])
    assert r.counts() == dict.fromkeys(KINDS, 0)
    assert r.txn_counts["fan_out"].tolist() == [0, 0, 0]
    empty = find_motifs(np.empty(0, int), np.empty(0, int), np.empty(0, int), np.empty(0))
    assert empty.counts() == dict.fromkeys(KINDS, 0)


def test_hubs_are_bounded() -> None:
    """A merchant paid by 20,000 accounts in a day and paying 2,000: caps hold the work."""
    n = 20_000
    src = np.r_[np.arange(1, n + 1), np.zeros(2_000, dtype=np.int64)]
    dst = np.r_[np.zeros(n, dtype=np.int64), np.arange(1, 2_001)]
    ts = np.r_[np.arange(n) * 4, 80_000 + np.arange(2_000)]
    started = time.perf_counter()
    r = find_motifs(src, dst, ts, np.ones(src.size), params=MotifParams(max_window_edges=200))
    assert time.perf_counter() - started < 20
    assert {"fan_in", "gather_scatter", "scatter_gather"} <= r.truncated
    assert r.counts()["fan_in"] == 1 and r.counts()["fan_out"] == 1


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"delta_s": 0}, "delta_s"),
        ({"min_fan": 1}, "min_fan"),
        ({"max_cycle_length": 1}, "max_cycle_length"),
        ({"max_cycle_length": 20}, "max_cycle_length"),
        ({"min_width": 2.5}, "min_width"),
        ({"max_branch": 0}, "max_branch"),
    ],
)
def test_absurd_parameters_are_named(params: dict[str, object], named: str) -> None:
    with pytest.raises(ParameterError, match=named):
        MotifParams(**params)  # type: ignore[arg-type]


def test_bad_arrays_are_named() -> None:
    with pytest.raises(ParameterError, match="dst"):
        find_motifs([0, 1], [1], [0, 1], [1.0, 1.0])
    with pytest.raises(ParameterError, match="ts: expected integers"):
        find_motifs([0], [1], [0.5], [1.0])
    with pytest.raises(ParameterError, match="n_accounts"):
        find_motifs([0], [5], [0], [1.0], n_accounts=3)


def test_scenario_typologies_are_found(scenario: tuple[Path, Path]) -> None:
    """Every planted fan-in, fan-out, cycle, scatter-gather and gather-scatter episode has at
    least half its payments in an instance of that motif (measured: 25 of 25 at 20,000
    transactions, seed 11)."""
    path, truth = scenario
    with open_workspace(path, read_only=True) as ws:
        result, payments = workspace_motifs(ws)
    position = {t: i for i, t in enumerate(payments.txn_id)}
    episodes: dict[tuple[str, str], list[int]] = {}
    with (truth / "transactions.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            if row["typology"] in KINDS:
                key = (row["typology"], row["episode_id"])
                episodes.setdefault(key, []).append(position[row["txn_id"]])
    found = {k: np.mean(result.txn_counts[k[0]][v] > 0) >= 0.5 for k, v in episodes.items()}
    kinds = {k[0] for k in episodes}
    assert kinds == {"fan_in", "fan_out", "cycle", "scatter_gather", "gather_scatter"}
    assert len(found) >= 20
    assert sum(found.values()) / len(found) >= 0.9
    for kind in kinds:
        mine = [v for k, v in found.items() if k[0] == kind]
        assert sum(mine) / len(mine) >= 0.8, kind
    table = instances_table(result, payments)
    assert table.num_rows == sum(result.counts().values())
    first = table.slice(0, 1).to_pylist()[0]
    assert first["txns"] == len(first["txn_ids"]) and first["hub_account"] in first["account_ids"]
