"""The embedded money laundering typologies have the shapes their names promise."""

from __future__ import annotations

import itertools
from typing import Any

import duckdb
import pytest

from tests.synth.conftest import rows, scalar

ILLICIT = """
    SELECT t.*, tt.network_id, tt.typology, tt.episode_id,
           epoch(CAST(t.ts AS TIMESTAMPTZ)) AS seconds, CAST(t.amount AS DOUBLE) AS value
    FROM truth_transactions tt JOIN transactions t USING (txn_id)
"""


def _episodes(db: duckdb.DuckDBPyConnection, typology: str) -> dict[str, list[tuple[Any, ...]]]:
    found = rows(
        db,
        f"""SELECT episode_id, seconds, from_account, to_account, value, currency,
                         channel FROM ({ILLICIT}) WHERE typology = '{typology}'
                         ORDER BY episode_id, seconds, txn_id""",
    )
    out: dict[str, list[tuple[Any, ...]]] = {}
    for episode, *rest in found:
        out.setdefault(episode, []).append(tuple(rest))
    assert out, f"no {typology} episode"
    return out


def test_all_typologies_are_present(db: duckdb.DuckDBPyConnection) -> None:
    found = {r[0] for r in rows(db, "SELECT DISTINCT typology FROM truth_transactions")}
    assert found >= {
        "poacher_payment",
        "fan_out",
        "fan_in",
        "structuring",
        "rapid_pass_through",
        "cycle",
        "scatter_gather",
        "gather_scatter",
        "cash_then_wire",
        "crypto",
    }


def test_fan_out_pays_ten_or_more_payees_within_days(db: duckdb.DuckDBPyConnection) -> None:
    for episode, txns in _episodes(db, "fan_out").items():
        assert len({t[1] for t in txns}) == 1, episode  # one paying account
        assert len({t[2] for t in txns}) >= 10, episode
        assert max(t[0] for t in txns) - min(t[0] for t in txns) <= 4 * 86_400


def test_fan_in_gathers_from_six_or_more_senders(db: duckdb.DuckDBPyConnection) -> None:
    for episode, txns in _episodes(db, "fan_in").items():
        assert len({t[2] for t in txns}) == 1, episode
        assert len({t[1] for t in txns}) >= 6, episode
        assert {t[5] for t in txns} == {"remittance"}


def test_cycle_returns_to_the_account_it_left(db: duckdb.DuckDBPyConnection) -> None:
    for episode, txns in _episodes(db, "cycle").items():
        assert len(txns) >= 3, episode
        for before, after in itertools.pairwise(txns):
            assert before[2] == after[1], episode  # each hop starts where the last ended
            assert after[3] <= before[3]  # fees shave the amount
        assert txns[0][1] == txns[-1][2], episode
        assert len({t[1] for t in txns}) == len(txns)  # no account visited twice on the way


def test_structuring_stays_just_below_the_threshold(
    db: duckdb.DuckDBPyConnection, manifest: dict[str, Any]
) -> None:
    thresholds = manifest["cash_thresholds"]
    for episode, txns in _episodes(db, "structuring").items():
        assert len(txns) >= 3, episode
        for _, frm, _, value, currency, channel in txns:
            limit = thresholds[currency]
            assert 0.8 * limit <= value < limit, (episode, value, currency)
            assert frm is None and channel == "cash"


def test_rapid_pass_through_moves_most_of_it_within_48_hours(
    db: duckdb.DuckDBPyConnection,
) -> None:
    for episode, txns in _episodes(db, "rapid_pass_through").items():
        first = txns[0]
        hub = first[2]
        onward = [t for t in txns[1:] if t[1] == hub]
        assert onward, episode
        assert all(t[0] - first[0] <= 48 * 3_600 for t in onward), episode
        assert 0.8 * first[3] <= sum(t[3] for t in onward) < first[3], episode


def test_cash_is_wired_abroad_within_hours(db: duckdb.DuckDBPyConnection) -> None:
    country = dict(rows(db, "SELECT account_id, country FROM accounts"))
    for episode, (deposit, wire) in _episodes(db, "cash_then_wire").items():
        assert deposit[1] is None and deposit[5] == "cash", episode
        assert wire[1] == deposit[2] and wire[5] == "wire", episode
        assert 0 < wire[0] - deposit[0] <= 72 * 3_600
        assert 0.8 * deposit[3] <= wire[3] <= deposit[3]
        assert country[wire[1]] != country[wire[2]], "the wire crosses a border"


@pytest.mark.parametrize("typology", ["scatter_gather", "gather_scatter"])
def test_scatter_and_gather_go_through_several_accounts(
    db: duckdb.DuckDBPyConnection, typology: str
) -> None:
    for episode, txns in _episodes(db, typology).items():
        senders = {t[1] for t in txns}
        receivers = {t[2] for t in txns}
        middle = senders & receivers
        assert len(middle) >= 1, episode
        assert len(senders | receivers) >= 5, episode


def test_poachers_are_paid_small_sums_by_mobile(
    db: duckdb.DuckDBPyConnection, manifest: dict[str, Any]
) -> None:
    rate = manifest["units_per_usd"]
    payments = rows(
        db, f"SELECT value, currency, channel FROM ({ILLICIT}) WHERE typology = 'poacher_payment'"
    )
    assert payments
    assert {channel for _, _, channel in payments} == {"mobile"}
    assert all(25 * 0.99 <= value / rate[currency] <= 300 * 1.01 for value, currency, _ in payments)


def test_illicit_rows_are_spread_through_the_file(db: duckdb.DuckDBPyConnection) -> None:
    positions = [
        r[0]
        for r in rows(
            db,
            """
        SELECT pos FROM (SELECT txn_id, row_number() OVER (ORDER BY txn_id) AS pos
                         FROM transactions) JOIN truth_transactions USING (txn_id)""",
        )
    ]
    total = scalar(db, "SELECT count(*) FROM transactions")
    assert min(positions) < 0.4 * total and max(positions) > 0.6 * total


def test_most_illicit_narratives_are_innocuous_but_some_speak(
    db: duckdb.DuckDBPyConnection,
) -> None:
    keywords = (
        "colmillos",
        "presas",
        "jaguar",
        "yaguareté",
        "onça",
        "dentes",
        "cueros",
        "garras",
        "totoaba",
        "buche",
        "鱼胶",
        "花胶",
        "loros",
        "papagaios",
        "tortugas",
        "aleta",
        "鱼翅",
        "pepino",
        "海参",
        "guacamayos",
        "araras",
        "taricayas",
        "tracajás",
        "quelonios",
        "vejiga",
        "pichones",
        "pepinos",
        "aletas",
    )
    narratives = [r[0] or "" for r in rows(db, f"SELECT narrative FROM ({ILLICIT})")]
    speaking = [n for n in narratives if any(k in n.lower() for k in keywords)]
    assert 0 < len(speaking) < 0.2 * len(narratives)
