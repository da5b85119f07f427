"""Onca's SQL vocabulary gives the values it promises when DuckDB runs it."""

from __future__ import annotations

import duckdb
import pytest

from onca import sql


def one(expr: str) -> object:
    return duckdb.connect().execute(f"SELECT {expr}").fetchall()[0][0]


def test_literals_and_quoting_are_data() -> None:
    hostile = "O'Brien'); DROP TABLE parties; --"
    assert one(sql.quote_text(hostile)) == hostile
    assert one(sql.literal(["a'b", 3, 2.5, True, None])) == ("a'b", 3, 2.5, True, None)
    assert one(sql.text_list(["x", "y'z"])) == ["x", "y'z"]
    con = duckdb.connect()
    name = sql.quote_name('my "col')
    con.execute(f"CREATE TABLE t ({name} INTEGER)")
    assert con.execute("SELECT column_name FROM information_schema.columns").fetchall() == [
        ('my "col',)
    ]
    with pytest.raises(TypeError, match="mapping parameter"):
        sql.literal({"a": 1})


def test_expressions() -> None:
    rates = {"USD": 1.0, "EUR": 0.5}
    assert one(sql.usd("10", "'EUR'", rates)) == 20.0
    assert one(sql.usd("10", "'XAF'", rates)) is None
    start, end = "TIMESTAMP '2024-01-01 00:00'", "TIMESTAMP '2024-01-02 06:00'"
    assert one(sql.hours_between(start, end)) == 30.0
    assert one(sql.phone_key("'+591 (2) 244-1234'")) == "22441234"
    assert one(sql.phone_key("'123'")) is None
    assert one(sql.id_key("'ab-12.3'")) == "AB123"
    assert one(sql.id_key("'0000'")) is None
    relation = sql.rows({"USD": 1, "EUR": 2}, "code", "n")
    assert one(f"sum(r.n) FROM {relation} AS r") == 3
