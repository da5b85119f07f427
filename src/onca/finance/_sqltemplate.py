"""Typology SQL is a Jinja2 template: parameters become SQL literals, helpers expand to SQL.

In a typology's ``sql``:

- ``{{ window_days }}`` becomes a literal: ``7``, ``0.8``, ``'wire'``; a list becomes a tuple
  ``('CN', 'HK')`` for ``IN``.
- ``{{ thresholds | rows('currency', 'threshold') }}`` turns a mapping into an inline relation
  ``(SELECT * FROM (VALUES ('USD', 10000), ...) AS v(currency, threshold))``.
- ``{{ usd('t.amount', 't.currency') }}`` is the amount in US dollars (rates from the
  ``fx_units_per_usd`` list), NULL for a currency without a rate.
- ``{{ fold('p.name') }}`` lower-cases and strips the diacritics of Latin letters (Spanish,
  Portuguese, French, German, Vietnamese...: 'Võ Quốc Tuấn' -> 'vo quoc tuan'), the same on DuckDB
  and Spark (where the engine registers ``strip_accents`` as a function).
- ``{{ hours_between('a.ts', 'b.ts') }}`` is the time from a.ts to b.ts in hours (seconds
  elapsed / 3600; never ``date_diff``, which counts boundaries on DuckDB and elapsed time on
  Spark).
- ``{{ phone_key('p.phone') }}`` is the last 8 digits of a phone number (NULL when fewer than 6
  digits) and ``{{ id_key('p.id_number') }}`` an ID number folded, upper-cased, with only
  letters and digits (NULL for garbage): the SQL form of ``onca.names.phone_tail`` and
  ``onca.names.id_key``, which entity resolution uses, so that records of one party written
  differently by a bank, customs and the police compare equal in both (a test holds them equal).
- ``{{ fx_rate('t.currency') }}`` is the units of that currency per US dollar, NULL without a
  rate (``usd`` divides by it).
- ``{{ cash_desks() }}`` is a relation ``(SELECT account_id ...)`` of the accounts a bank pays
  cash in and out through: the ``cash_desks`` list's account kinds (``teller``), account ids, and
  name terms (``teller``, ``ventanilla``...) matched as whole words in the account id or its
  holder's name. It reads ``accounts`` and ``parties``.
- ``{{ movements() }}`` is the transactions table read under Onca's conventions for how extracts
  record the same event, with four columns added. ``cash_in`` is true for a cash deposit into
  ``to_account`` however it is recorded: channel ``cash`` with no payer, channel ``cash`` from
  the depositor's own account, or any channel from a cash desk; never into a cash desk.
  ``depositor`` is who paid a cash deposit in, as far as the record says: the depositor's
  account, else ``'cash: '`` and the narrative in lower case (tellers write the depositor's name
  there), else NULL. ``from_desk`` and ``to_desk`` say whether a side is a cash desk.
  Use it as ``FROM {{ movements() }} AS t``.
- ``{{ kind_in('acc.kind', kinds) }}`` is true when the account kind is one of ``kinds`` or
  unknown (NULL): an account whose kind the extract does not give is screened like a personal
  account, never skipped.
- ``{{ not_before('b.ts', 'a.ts') }}`` is true when ``b`` may have happened after ``a``: strictly
  later, or at the same instant when that instant is a midnight (a date-only timestamp, whose
  order within the day is unknown). Pair it with a test that ``b`` and ``a`` are different
  transactions.
- ``ln(x)`` (natural logarithm) is there for computing literals in ``{% set %}``.
- ``{{ terms | regex }}`` is a regular-expression literal matching any of the terms as whole
  words (terms in Chinese, Japanese or Korean match anywhere).

Everything renders to DuckDB's dialect; the Spark engine transpiles it. The shared
expressions (``usd``, ``fx_rate``, ``fold``, ``hours_between``, ``phone_key``, ``id_key``,
literals) live in :mod:`onca.sql`; the typology-only ones (``movements``, ``cash_desks``,
``kind_in``, ``not_before``) here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import jinja2

from onca import sql
from onca.sql import Sql, literal, terms_pattern
from onca.text import fold_text

__all__ = ["Sql", "literal", "make_environment", "terms_pattern"]


def _terms(values: Mapping[str, Any], key: str) -> list[str]:
    items = values.get(key) or []
    if not isinstance(items, list):
        raise TypeError(f"the cash_desks list's {key!r} must be a list, found {items!r}")
    return [str(v) for v in items]


def make_environment(
    fx_units_per_usd: Mapping[str, float], cash_desks: Mapping[str, Any] | None = None
) -> jinja2.Environment:
    """The Jinja2 environment that renders typology SQL.

    ``cash_desks`` is the ``cash_desks`` reference list: ``kinds``, ``account_ids`` and
    ``name_terms``, each a list.
    """
    desks = cash_desks or {}

    def fx_rate(currency: str) -> Sql:
        return sql.fx_rate(currency, fx_units_per_usd)

    def usd(amount: str, currency: str) -> Sql:
        return sql.usd(amount, currency, fx_units_per_usd)

    def desk_relation() -> Sql:
        kinds, ids = _terms(desks, "kinds"), _terms(desks, "account_ids")
        terms = _terms(desks, "name_terms")
        # case-insensitive, accents kept: folding every name costs more than all the rest of
        # the relation, which every typology reading movements() computes
        text = "concat(cd_acc.account_id, ' ', coalesce(cd_party.name, ''))"
        pattern = literal("(?i)" + terms_pattern(terms))
        named = f" OR regexp_matches({text}, {pattern})" if terms else ""
        return Sql(
            "(SELECT cd_acc.account_id FROM accounts AS cd_acc"
            " LEFT JOIN parties AS cd_party ON cd_party.party_id = cd_acc.holder_id"
            f" WHERE cd_acc.kind IN {literal(kinds)} OR cd_acc.account_id IN {literal(ids)}{named})"
        )

    def movements() -> Sql:
        # Left joins, not IN-subqueries: Spark refuses a subquery inside CASE or under NOT ... OR.
        desk = desk_relation()
        cash_in = (
            "t.to_account IS NOT NULL AND td.account_id IS NULL"
            " AND (t.channel = 'cash' OR fd.account_id IS NOT NULL)"
        )
        depositor = (
            "CASE WHEN t.from_account IS NOT NULL AND fd.account_id IS NULL"
            " AND t.from_account <> t.to_account THEN t.from_account"
            " WHEN trim(coalesce(t.narrative, '')) <> ''"
            " THEN concat('cash: ', lower(trim(t.narrative))) END"
        )
        return Sql(
            f"(WITH cd_desks AS {desk}"
            " SELECT t.txn_id, t.ts, t.amount, t.currency, t.from_account, t.to_account,"
            " t.channel, t.narrative,"
            f" coalesce({cash_in}, FALSE) AS cash_in,"
            f" CASE WHEN {cash_in} THEN {depositor} END AS depositor,"
            " fd.account_id IS NOT NULL AS from_desk, td.account_id IS NOT NULL AS to_desk"
            " FROM transactions AS t LEFT JOIN cd_desks AS fd ON fd.account_id = t.from_account"
            " LEFT JOIN cd_desks AS td ON td.account_id = t.to_account)"
        )

    def kind_in(kind: str, kinds: Any) -> Sql:
        return Sql(f"({kind} IS NULL OR {kind} IN {literal(kinds)})")

    def not_before(later: str, earlier: str) -> Sql:
        # the plain >= first: engines plan a range join on it, the rest is a residual filter
        return Sql(
            f"({later} >= {earlier} AND ({later} > {earlier}"
            f" OR {earlier} = CAST(CAST({earlier} AS DATE) AS TIMESTAMP)))"
        )

    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined,
        finalize=literal,
        autoescape=False,
        keep_trailing_newline=True,
    )

    env.globals.update(
        usd=usd,
        fx_rate=fx_rate,
        cash_desks=desk_relation,
        movements=movements,
        kind_in=kind_in,
        not_before=not_before,
        fold=sql.fold,
        hours_between=sql.hours_between,
        phone_key=sql.phone_key,
        id_key=sql.id_key,
        ln=math.log,
    )
    env.filters["rows"] = sql.rows
    env.filters["regex"] = lambda terms: Sql(literal(terms_pattern(list(terms))))
    env.filters["folded"] = lambda values: [fold_text(str(v)) for v in values]
    return env
