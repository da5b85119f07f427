"""Onca's SQL vocabulary: literals, quoting and the expressions every analysis shares.

Everything here returns SQL text in DuckDB's dialect; the Spark engine transpiles it (sqlglot).
Where the engines differ, the expression is written so that both mean the same:

- :func:`hours_between` is seconds elapsed / 3600, never ``date_diff`` (which counts boundaries
  on DuckDB and elapsed time on Spark);
- :func:`fold` uses ``strip_accents``, a DuckDB function that the Spark dialect declares
  (``SparkDialect.functions``) and the Spark engine registers;
- :func:`usd` divides by a ``CASE`` of literal rates, so no table of rates has to exist on the
  engine.

Typology templates reach the same functions through ``onca.finance._sqltemplate``; other
analyses (network, account scores, ingest, trade) call them directly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

import jinja2

from onca.text import FOLD_EXTRA_FROM, FOLD_EXTRA_TO, fold_text


class Sql(str):
    """Text that is already SQL and goes into the statement as it is."""


def literal(value: Any) -> str:
    """``value`` as a DuckDB literal; lists become tuples (for ``IN``)."""
    if isinstance(value, Sql):
        return str(value)
    if isinstance(value, jinja2.Undefined):
        return str(value)  # StrictUndefined raises, naming the missing parameter
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return quote_text(value)
    if isinstance(value, list | tuple):
        if not value:
            return "(NULL)"
        return "(" + ", ".join(literal(v) for v in value) + ")"
    if isinstance(value, Mapping):
        raise TypeError("a mapping parameter must be used as {{ name | rows('key', 'value') }}")
    if value is None:
        return "NULL"
    raise TypeError(f"cannot write {type(value).__name__} as SQL")


def quote_text(text: str) -> str:
    """A string literal: ``'it''s'``."""
    return "'" + text.replace("'", "''") + "'"


def quote_name(name: str) -> str:
    """A quoted identifier (a table or column name), inner double quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def text_list(values: Iterable[object]) -> str:
    """A list literal of strings: ``['a', 'b']``."""
    return "[" + ", ".join(quote_text(str(v)) for v in values) + "]"


def rows(mapping: Mapping[str, Any], key: str, value: str) -> Sql:
    """An inline relation ``(SELECT * FROM (VALUES (k, v), ...) AS v(key, value))``."""
    pairs = ", ".join(f"({literal(k)}, {literal(v)})" for k, v in mapping.items())
    return Sql(f"(SELECT * FROM (VALUES {pairs}) AS v({key}, {value}))")


def fx_rate(currency: str, units_per_usd: Mapping[str, float]) -> Sql:
    """Units of the currency in ``currency`` per US dollar, NULL for one without a rate."""
    cases = " ".join(
        f"WHEN {literal(code)} THEN {float(rate)!r}" for code, rate in sorted(units_per_usd.items())
    )
    return Sql(f"(CASE {currency} {cases} ELSE NULL END)")


def usd(amount: str, currency: str, units_per_usd: Mapping[str, float]) -> Sql:
    """The amount in US dollars, NULL for a currency without a rate."""
    return Sql(f"(CAST({amount} AS DOUBLE) / {fx_rate(currency, units_per_usd)})")


def fold(expr: str) -> Sql:
    """Lower case without the diacritics of Latin letters ('Võ Quốc Tuấn' -> 'vo quoc tuan'),
    the SQL form of :func:`onca.text.fold_text`."""
    return Sql(f"translate(strip_accents(lower({expr})), '{FOLD_EXTRA_FROM}', '{FOLD_EXTRA_TO}')")


def hours_between(start: str, end: str) -> Sql:
    """The time from ``start`` to ``end`` in hours (elapsed seconds / 3600)."""
    return Sql(f"((epoch({end}) - epoch({start})) / 3600.0)")


def phone_key(expr: str) -> Sql:
    """:func:`onca.names.phone_tail` in SQL: the last 8 digits, NULL under 6 digits."""
    digits = f"regexp_replace({expr}, '[^0-9]', '', 'g')"
    return Sql(f"(CASE WHEN length({digits}) >= 6 THEN right({digits}, 8) END)")


def id_key(expr: str) -> Sql:
    """:func:`onca.names.id_key` in SQL: folded, upper case, letters and digits; garbage (under
    4 characters, or one character repeated) is NULL so that it never links two parties."""
    key = f"regexp_replace(upper({fold(expr)}), '[^0-9A-Z]', '', 'g')"
    return Sql(
        f"(CASE WHEN length({key}) >= 4 AND length(replace({key}, left({key}, 1), '')) > 0"
        f" THEN {key} END)"
    )


def _is_cjk(term: str) -> bool:
    return any(unicodedata.east_asian_width(c) in ("W", "F") for c in term)


def terms_pattern(terms: list[str]) -> str:
    """One regular expression matching any term: whole words for Latin script, else anywhere."""
    words: list[str] = []
    anywhere: list[str] = []
    for term in sorted({fold_text(t) for t in terms}, key=lambda t: (-len(t), t)):
        (anywhere if _is_cjk(term) else words).append(re.escape(term).replace("\\ ", " "))
    parts = []
    if words:
        parts.append(r"\b(" + "|".join(words) + r")\b")
    if anywhere:
        parts.append("(" + "|".join(anywhere) + ")")
    return "|".join(parts)
