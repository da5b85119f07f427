"""Party risk scores: every alert on a party (directly, or on an account it holds) combined.

The formula (documented in docs/screening.md): for party p and typology t, let s(p, t) be the
highest score of t's alerts on p, and w(t) the typology's severity weight (low 0.4, medium 0.7,
high 1.0). Then

    risk(p) = 1 - prod_t (1 - min(w(t) * s(p, t), 0.9))

a "noisy-OR": one strong red flag gives a high score, independent red flags add up, and many
alerts of the same typology count once. One typology contributes at most 0.9, so a single red
flag never reaches certainty and k strong ones give 1 - 0.1^k. risk is in [0, 1); parties with
equal risk are ranked by their number of typologies, then of alerts.
"""

from __future__ import annotations

from onca.engines import DuckDBEngine
from onca.finance._typology import SEVERITY_WEIGHT

MAX_TERM = 0.9
"""The most one typology adds to a party's risk (before the others)."""


def per_typology_sql(key: str, source: str) -> str:
    """Per ``key`` and typology over ``source``: n (alerts) and weighted = w(t) * s(p, t)."""
    weight = " ".join(f"WHEN '{k}' THEN {v}" for k, v in SEVERITY_WEIGHT.items())
    return f"""
          SELECT {key}, typology_id, count(*) AS n,
                 max(score * (CASE severity {weight} ELSE 0.5 END)) AS weighted
          FROM {source}
          GROUP BY {key}, typology_id"""


def scores_sql(key: str, source: str) -> str:
    """The risk formula above per ``key`` over ``source`` (a relation with ``key``,
    typology_id, score and severity): key, score, alerts, typologies, top_typology,
    typology_ids."""
    return f"""
        WITH per_typology AS ({per_typology_sql(key, source)})
        SELECT {key},
               round(1 - exp(sum(ln(1 - least(weighted, {MAX_TERM})))), 6) AS score,
               sum(n) AS alerts,
               count(*) AS typologies,
               arg_max(typology_id, weighted) AS top_typology,
               list(typology_id ORDER BY weighted DESC, typology_id) AS typology_ids
        FROM per_typology GROUP BY {key}
    """


def write_party_scores(db: DuckDBEngine) -> None:
    """Recompute ``party_scores`` from ``alerts`` (inside the caller's transaction)."""
    db.execute("DELETE FROM party_scores")
    db.execute(
        "INSERT INTO party_scores"
        " (party_id, score, alerts, typologies, top_typology, typology_ids) "
        + scores_sql("party_id", "(SELECT * FROM alerts WHERE party_id IS NOT NULL)")
    )


def write_entity_scores(db: DuckDBEngine) -> None:
    """Recompute ``entity_scores``: the same formula over the alerts of all of an entity's
    records (after ``onca resolve``; empty before). A typology counts once per entity, with
    its strongest alert on any member."""
    db.execute("DELETE FROM entity_scores")
    db.execute(
        "INSERT INTO entity_scores "
        + scores_sql(
            "entity_id",
            "(SELECT m.entity_id, a.* FROM alerts AS a"
            " JOIN entity_members AS m ON m.party_id = a.party_id)",
        )
    )
