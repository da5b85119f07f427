"""The world looks like the Americas' trade and payments, with the trafficking routes in it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from onca.synth._narratives import ORDINARY, is_csv_safe
from onca.synth._wildlife import INNOCUOUS
from tests.synth.conftest import rows, scalar


def test_countries_currencies_and_institutions(db: duckdb.DuckDBPyConnection) -> None:
    countries = {r[0] for r in rows(db, "SELECT DISTINCT country FROM parties")}
    assert countries >= {
        "BO",
        "PE",
        "BR",
        "SR",
        "GY",
        "MX",
        "CO",
        "EC",
        "PY",
        "AR",
        "GT",
        "PA",
        "US",
        "CN",
        "VN",
        "HK",
        "ES",
        "DE",
        "NL",
    }
    currencies = {r[0] for r in rows(db, "SELECT DISTINCT currency FROM accounts")}
    assert currencies >= {"BOB", "PEN", "BRL", "SRD", "MXN", "USD", "CNY", "VND", "EUR"}
    kinds = {r[0] for r in rows(db, "SELECT DISTINCT kind FROM accounts")}
    assert kinds >= {
        "checking",
        "savings",
        "business",
        "mobile_wallet",
        "remittance",
        "crypto_wallet",
    }
    banks = rows(db, "SELECT country, count(DISTINCT institution) FROM accounts GROUP BY 1")
    assert all(n >= 2 for _, n in banks)


def test_high_risk_and_ordinary_industries(db: duckdb.DuckDBPyConnection) -> None:
    industries = {
        r[0] for r in rows(db, "SELECT DISTINCT industry FROM parties WHERE kind = 'company'")
    }
    assert industries >= {
        "pet shop",
        "seafood exporter",
        "handicraft exporter",
        "freight forwarder",
        "customs broker",
        "general trading",
    }
    assert industries >= {"supermarket", "restaurant", "construction"}


def test_names_carry_their_traditions(db: duckdb.DuckDBPyConnection) -> None:
    names = [r[0] for r in rows(db, "SELECT name FROM parties WHERE kind = 'person'")]
    assert any(" da " in n or " dos " in n for n in names)  # Portuguese particles
    assert any(n.split()[0] in ("Wang", "Li", "Zhang", "Chen", "Liu") for n in names)
    assert any(len(n.split()) >= 4 for n in names)  # two given names, two surnames
    assert any(" van " in n or " de Vries" in n or "dikromo" in n for n in names)


def test_salaries_follow_the_month_and_cards_the_week(db: duckdb.DuckDBPyConnection) -> None:
    salary_words = [t[0] for lang in ORDINARY["salary"].values() for t in lang]
    listed = ", ".join("'" + w.replace("'", "''") + "'" for w in salary_words)
    days = rows(
        db,
        f"""SELECT day(CAST(ts AS TIMESTAMPTZ) AT TIME ZONE 'UTC' - INTERVAL 5 HOUR),
                        count(*) FROM transactions WHERE narrative IN ({listed}) GROUP BY 1""",
    )
    by_day = dict(days)
    payday = sum(n for d, n in by_day.items() if d >= 28 or d in (1, 15))
    assert payday > 0.7 * sum(by_day.values())
    weekdays = dict(
        rows(
            db,
            """
        SELECT isodow(CAST(ts AS TIMESTAMPTZ) AT TIME ZONE 'UTC' - INTERVAL 5 HOUR), count(*)
        FROM transactions WHERE channel = 'card' GROUP BY 1""",
        )
    )
    assert weekdays[6] > weekdays[2]  # more spending on Saturdays than Tuesdays


def test_amounts_are_heavy_tailed(db: duckdb.DuckDBPyConnection) -> None:
    median, p999 = rows(
        db,
        """SELECT quantile_cont(v, 0.5), quantile_cont(v, 0.999) FROM
        (SELECT CAST(amount AS DOUBLE) AS v FROM transactions WHERE currency = 'USD')""",
    )[0]
    assert p999 > 50 * median


def test_account_activity_is_concentrated(db: duckdb.DuckDBPyConnection) -> None:
    counts = [
        r[0]
        for r in rows(
            db,
            """SELECT count(*) AS n FROM (
        SELECT from_account AS a FROM transactions UNION ALL SELECT to_account FROM transactions)
        WHERE a IS NOT NULL GROUP BY a ORDER BY n DESC""",
        )
    ]
    top = counts[: max(1, len(counts) // 10)]
    assert sum(top) > 0.3 * sum(counts)


def test_transactions_span_the_two_years(db: duckdb.DuckDBPyConnection) -> None:
    first, last = rows(db, "SELECT min(ts), max(ts) FROM transactions")[0]
    assert first.startswith("2023-01") and last.startswith("2024-12")


def test_shipments_routes_and_wildlife_goods(db: duckdb.DuckDBPyConnection) -> None:
    hs = {r[0][:4] for r in rows(db, "SELECT DISTINCT hs_code FROM shipments")}
    assert hs >= {"0106", "0305", "0901", "4602", "4420", "7117", "0801", "4407"}
    routed = scalar(db, "SELECT count(*) FROM shipments WHERE transit_countries LIKE '%;%'")
    assert routed > 0
    with_permit = {
        r[0]
        for r in rows(
            db,
            """SELECT DISTINCT substr(hs_code, 1, 4)
                                             FROM shipments WHERE permit_id IS NOT NULL""",
        )
    }
    assert "0106" in with_permit and with_permit <= {
        "0106",
        "0304",
        "0305",
        "0307",
        "0308",
        "4103",
        "5101",
        "4301",
        "0507",
    }


def test_seizures_name_offenders_and_sometimes_the_shipment(db: duckdb.DuckDBPyConnection) -> None:
    assert scalar(db, "SELECT count(*) FROM seizures WHERE offender_ids LIKE '%;%'") > 0
    assert scalar(db, "SELECT count(*) FROM seizures WHERE shipment_id IS NOT NULL") > 0
    taxa = {r[0] for r in rows(db, "SELECT DISTINCT taxon FROM seizures")}
    assert "Panthera onca" in taxa
    modes = {r[0] for r in rows(db, "SELECT DISTINCT transport_mode FROM seizures")}
    assert {"air", "road"} <= modes


def test_narrative_vocabulary_never_needs_quoting() -> None:
    texts = [t[0] for kinds in ORDINARY.values() for lang in kinds.values() for t in lang]
    texts += [w for words in INNOCUOUS.values() for w in words]
    assert all(is_csv_safe(t) for t in texts)


def test_period_in_manifest(manifest: dict[str, Any]) -> None:
    start = dt.datetime.fromtimestamp(manifest["period"]["start_epoch"], dt.UTC)
    assert start == dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
