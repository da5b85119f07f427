"""Time-respecting tracing and first-in-first-out attribution on hand-built money flows."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onca.errors import ParameterError
from onca.network import ArrayFlows, trace_flows


def flows(*payments: tuple[str, str, int, float]) -> ArrayFlows:
    """Payments as (from, to, time, amount); txn ids T0, T1, ... in the order given."""
    return ArrayFlows.from_records(
        [f"T{i}" for i in range(len(payments))],
        [p[0] for p in payments],
        [p[1] for p in payments],
        [p[2] for p in payments],
        [p[3] for p in payments],
    )


def attributed(trail) -> dict[str, float]:
    return {p.txn_id: round(p.attributed, 6) for p in trail.payments}


def test_money_moves_on_only_after_it_arrived() -> None:
    f = flows(("A", "B", 10, 100.0), ("B", "C", 5, 50.0), ("B", "D", 20, 40.0))
    trail = trace_flows(f, ["A"], "forward", hops=3)
    assert set(trail.reached) == {"A", "B", "D"}  # B paid C before the money arrived
    assert attributed(trail) == {"T0": 100.0, "T2": 40.0}


def test_same_second_is_not_after() -> None:
    f = flows(("A", "B", 10, 100.0), ("B", "C", 10, 100.0))
    assert set(trace_flows(f, ["A"], "forward").reached) == {"A", "B"}


def test_first_in_first_out_conserves_the_amount() -> None:
    f = flows(
        ("A", "B", 1, 100.0),
        ("X", "B", 2, 500.0),  # untraced money joins B
        ("B", "C", 3, 60.0),
        ("B", "D", 4, 70.0),  # only 40 of the traced 100 is left
        ("B", "E", 5, 30.0),  # nothing traced is left
    )
    trail = trace_flows(f, ["A"], "forward", hops=2)
    assert attributed(trail) == {"T0": 100.0, "T2": 60.0, "T3": 40.0, "T4": 0.0}
    assert trail.received["B"] == pytest.approx(100.0)
    assert trail.sent["B"] == pytest.approx(100.0)
    assert trail.pass_through("B") == pytest.approx(1.0)
    assert "E" not in trail.reached  # a payment reached E, traced money did not
    assert trail.total == pytest.approx(100.0)


def test_backward_finds_where_the_money_came_from() -> None:
    f = flows(
        ("S", "M", 1, 1000.0),  # the source pays a middleman
        ("M", "C", 2, 300.0),  # who pays the courier
        ("C", "Z", 3, 50.0),  # later spending, not a source
        ("Q", "M", 5, 999.0),  # arrives at M after M paid C: not a source of that money
    )
    trail = trace_flows(f, ["C"], "backward", hops=3)
    assert set(trail.reached) == {"C", "M", "S"}
    assert attributed(trail) == {"T0": 300.0, "T1": 300.0}
    [path] = [p for p in trail.paths if p.accounts[0] == "S"]
    assert path.accounts == ("S", "M", "C")
    assert path.amount == pytest.approx(300.0)


def test_cycles_end_within_the_hops() -> None:
    ring = [(a, b, t, 100.0) for t, (a, b) in enumerate(itertools.pairwise("ABCABCABCA"), 1)]
    trail = trace_flows(flows(*ring), ["A"], "forward", hops=5)
    assert max(p.hop for p in trail.payments) <= 5
    assert all(len(p.payments) <= 5 for p in trail.paths)
    assert set(trail.reached) == {"A", "B", "C"}


def test_hops_bound_the_reach() -> None:
    chain = [(str(i), str(i + 1), i + 1, 10.0) for i in range(8)]
    assert set(trace_flows(flows(*chain), ["0"], "forward", hops=3).reached) == {"0", "1", "2", "3"}


def test_zero_amounts_and_the_minimum_are_not_traced() -> None:
    f = flows(("A", "B", 1, 0.0), ("A", "C", 2, 5.0), ("A", "D", 3, 500.0))
    assert set(trace_flows(f, ["A"], "forward").reached) == {"A", "C", "D"}
    assert set(trace_flows(f, ["A"], "forward", min_amount=100).reached) == {"A", "D"}


def test_widest_path_prefers_the_bigger_bottleneck() -> None:
    f = flows(
        ("A", "B", 1, 100.0),
        ("B", "D", 2, 90.0),
        ("A", "C", 3, 500.0),
        ("C", "D", 4, 400.0),
    )
    [to_d] = [p for p in trace_flows(f, ["A"], "forward").paths if p.accounts[-1] == "D"]
    assert to_d.accounts == ("A", "C", "D")
    assert to_d.amount == pytest.approx(400.0)


def test_the_edge_budget_cuts_short_and_says_so() -> None:
    fan = [("A", f"B{i}", i + 1, 10.0 + i) for i in range(30)]
    trail = trace_flows(flows(*fan), ["A"], "forward", max_edges=10)
    assert trail.truncated
    assert len(trail.payments) == 10
    assert min(p.amount for p in trail.payments) == 30.0  # the largest were kept
    assert "cut short" in trail.notes[0]


def test_a_start_without_money_is_a_note_not_an_error() -> None:
    trail = trace_flows(flows(("A", "B", 1, 10.0)), ["nobody"], "forward")
    assert trail.payments == [] and trail.paths == []
    assert "no money moved" in trail.notes[0]


def test_the_window_bounds_time() -> None:
    f = flows(("A", "B", 1, 10.0), ("A", "C", 50, 10.0), ("A", "D", 100, 10.0))
    trail = trace_flows(f, ["A"], "forward", since=10, until=60)
    assert set(trail.reached) == {"A", "C"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hops": 0}, "--hops"),
        ({"hops": 21}, "--hops"),
        ({"since": 10, "until": 5}, "--since is after --until"),
        ({"min_amount": -1.0}, "--min-amount"),
        ({"max_edges": 0}, "--max-edges"),
    ],
)
def test_bad_parameters_are_named(kwargs: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        trace_flows(flows(("A", "B", 1, 1.0)), ["A"], "forward", **kwargs)


def _brute_force_reach(payments, start: str, hops: int) -> set[str]:
    """Every account at the end of a time-respecting path of at most ``hops`` payments."""
    reached = {start}
    paths = [(start, None)]
    for _ in range(hops):
        longer = []
        for node, t in paths:
            for src, dst, ts, amount in payments:
                if src == node and dst != src and amount >= 0.01 and (t is None or ts > t):
                    longer.append((dst, ts))
        reached |= {n for n, _ in longer}
        paths = longer
    return reached


payment = st.tuples(
    st.sampled_from("ABCDEF"),
    st.sampled_from("ABCDEF"),
    st.integers(0, 30),
    st.floats(0.0, 1000.0, allow_nan=False),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(payment, min_size=1, max_size=25), st.integers(1, 4))
def test_reach_and_conservation_on_random_flows(payments, hops) -> None:
    f = flows(*payments)
    trail = trace_flows(f, ["A"], "forward", hops=hops)
    # every account traced money reached was reached by a time-respecting path
    assert set(trail.reached) <= _brute_force_reach(payments, "A", hops)
    for p in trail.payments:
        assert -1e-9 <= p.attributed <= p.amount + 1e-9
    for account, got in trail.received.items():
        if account != "A":
            assert trail.sent.get(account, 0.0) <= got + 1e-6  # never more out than in
    for path in trail.paths:
        times = [p.ts for p in path.payments]
        assert times == sorted(times) and len(set(times)) == len(times)
        assert path.accounts[0] == "A" and len(path.payments) <= hops
        assert all(p.attributed >= path.amount - 1e-9 for p in path.payments)
