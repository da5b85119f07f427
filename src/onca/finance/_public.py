"""Public bodies and officials' employers: parties that sit next to traffickers without being
suspects.

A wildlife department pays its rangers, receives permit fees and fines, and so is tied by money
to the people it regulates; a ranking of "who is close to known offenders" puts it near the top.
The reference list ``public_bodies`` (``onca/finance/lists/public_bodies.yaml``) says how to
recognise one from the data contract's ``parties`` columns:

- ``industry`` (the declared sector), compared after folding, is one of ``industries``;
- or, for a party of kind ``organization`` without an industry, one of ``name_terms`` appears in
  its folded name (the fallback for sources that do not record a sector);
- or it is the **employer of an official**: an organization that paid an official (a person
  whose ``occupation`` is in ``official_occupations`` or who ``is_pep``) in three or more
  calendar months, as a payroll does. A company paying an official every month stays a suspect.

A party stays a suspect despite all this when an alert of one of ``official_typologies`` is on
it: a typology about officials pointing at the body itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from onca.contract import ReferenceList
from onca.engines import Engine
from onca.finance._lists import load_lists
from onca.sql import fold, text_list
from onca.text import fold_text

PAYROLL_MONTHS = 3
"""Distinct calendar months in which an organization paid an official: its employer."""


def public_bodies(
    db: Engine, *, lists: Mapping[str, ReferenceList] | None = None
) -> dict[str, str]:
    """party_id -> why it is no suspect ("public body: industry 'government'", "employer of
    Ana Paz (customs officer)"), for every party of the workspace that is a public body or an
    official's employer and that no alert of an officials' typology points at."""
    refs = load_lists() if lists is None else lists
    rule: dict[str, list[str]] = dict(refs["public_bodies"].values)  # a record (reference.yaml)
    occupations = [fold_text(o) for o in refs["official_occupations"].values]
    industries = text_list(fold_text(i) for i in rule["industries"])
    by_industry = f"list_contains({industries}, {fold('p.industry')})"
    terms = [fold_text(t) for t in rule["name_terms"]]
    named = " OR ".join(f"contains({fold('p.name')}, ?)" for _ in terms) or "FALSE"
    rows = db.fetch(
        f"""WITH bodies AS (
              SELECT p.party_id,
                     CASE WHEN {by_industry}
                          THEN 'public body: industry ''' || p.industry || ''''
                          ELSE 'public body: its name (' || p.name || ')' END AS reason
              FROM parties AS p
              WHERE {by_industry}
                 OR (p.kind = 'organization' AND coalesce(trim(p.industry), '') = ''
                     AND ({named}))
            ),
            officials AS (
              SELECT party_id, name, coalesce(occupation, 'politically exposed person') AS role
              FROM parties
              WHERE kind = 'person'
                AND (coalesce(is_pep, FALSE)
                     OR list_contains({text_list(occupations)}, {fold("occupation")}))
            ),
            payroll AS (
              SELECT e.party_id, o.name, o.role,
                     count(DISTINCT date_trunc('month', t.ts)) AS months
              FROM transactions AS t
              JOIN accounts AS ta ON ta.account_id = t.to_account
              JOIN officials AS o ON o.party_id = ta.holder_id
              JOIN accounts AS fa ON fa.account_id = t.from_account
              JOIN parties AS e ON e.party_id = fa.holder_id
              WHERE e.kind = 'organization'
              GROUP BY ALL
            ),
            employers AS (
              SELECT party_id,
                     'employer of ' || arg_max(name || ' (' || role || ')', months) AS reason
              FROM payroll WHERE months >= {PAYROLL_MONTHS}
              GROUP BY party_id
            ),
            pointed AS (
              SELECT DISTINCT party_id FROM alerts
              WHERE party_id IS NOT NULL
                AND list_contains({text_list(rule["official_typologies"])}, typology_id)
            )
            SELECT party_id, arg_min(reason, priority) FROM (
              SELECT *, 1 AS priority FROM bodies UNION ALL SELECT *, 2 AS priority FROM employers
            ) AS b
            WHERE party_id NOT IN (SELECT party_id FROM pointed)
            GROUP BY party_id ORDER BY party_id""",
        terms,
        table="parties",
    )
    return {str(p): str(r) for p, r in rows}


def public_entities(db: Engine, bodies: Mapping[str, str]) -> dict[str, str]:
    """entity_id -> why, for every entity (``ENT-`` + party_id for a record that was not
    resolved) one of whose records is in ``bodies`` (from :func:`public_bodies`)."""
    if not bodies:
        return {}
    rows = db.fetch(
        """SELECT coalesce(m.entity_id, 'ENT-' || p.party_id), p.party_id
           FROM parties AS p LEFT JOIN entity_members AS m USING (party_id)
           WHERE list_contains(?, p.party_id)""",
        [sorted(bodies)],
        table="entity_members",
    )
    out: dict[str, str] = {}
    for entity, party in rows:
        out.setdefault(str(entity), bodies[str(party)])
    return out
