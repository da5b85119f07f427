"""Ranking alerts, parties and entities by the strength of their evidence, with no ties at the top.

The party risk score (``party_scores.score``, :mod:`onca.finance._scores`) squashes evidence into
[0, 1): 1 - prod_t (1 - min(w(t) s(p, t), 0.9)). Printed with four decimals, every party with
four or more strong red flags reads 1.0000, so the top of a list says nothing about who comes
first. Here parties are ranked, and shown, by the same evidence before it is squashed:

    evidence(p) = sum over typologies t of -ln(1 - min(w(t) s(p, t), 0.9))  =  -ln(1 - risk(p))

in nats: one saturated red flag adds ln 10 = 2.30, so a party with seven strong flags reads 16.1
and one with five 11.5. Ties (the same flags, all saturated) are broken by the US dollars that
went through the party's accounts (``account_scores.in_usd + out_usd``), then by id; both keys
are printed, so the order can be read off the table.

Alerts are ranked by their score weighted by the typology's severity, then by the evidence on
the party they roll up to (an alert corroborated by other red flags first), then the most
recent window first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from onca.engines import Engine
from onca.finance._scores import MAX_TERM, per_typology_sql
from onca.finance._typology import SEVERITY_WEIGHT


@dataclass(frozen=True)
class RankedParty:
    """A party (or, after ``onca resolve``, an entity) in evidence order. ``evidence``: nats, as
    above; ``risk``: the squashed score stored in ``party_scores``; ``usd``: US dollars in and
    out of its accounts (0 when accounts were not scored); ``typology_ids``: strongest first."""

    rank: int
    id: str
    name: str
    evidence: float
    risk: float
    alerts: int
    typologies: int
    typology_ids: list[str]
    usd: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RankedAlert:
    """An alert in priority order: ``weighted`` = score x severity weight; ``party_evidence``
    the evidence on the party it rolls up to (0 without a party)."""

    rank: int
    alert_id: str
    typology_id: str
    severity: str
    score: float
    weighted: float
    subject: str
    party_id: str | None
    party: str
    party_evidence: float
    window_end: str
    evidence: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def evidence_sql(key: str, source: str) -> str:
    """``key``, evidence, alerts, typologies, typology_ids (strongest first) per ``key`` over
    ``source`` (a relation with ``key``, typology_id, score and severity)."""
    return f"""
        WITH per_typology AS ({per_typology_sql(key, source)})
        SELECT {key},
               sum(-ln(1 - least(weighted, {MAX_TERM}))) AS evidence,
               sum(n) AS alerts, count(*) AS typologies,
               list(typology_id ORDER BY weighted DESC, typology_id) AS typology_ids
        FROM per_typology GROUP BY {key}
    """


def _money_of(db: Engine, level: str) -> str:
    """SQL of (id, usd): the dollars through each party's (or entity's) accounts."""
    has_scores = db.scalar("SELECT count(*) FROM account_scores") or 0
    if not has_scores:
        return "SELECT NULL::VARCHAR AS id, 0.0 AS usd WHERE FALSE"
    money = """SELECT holder_id AS party_id, sum(coalesce(in_usd, 0) + coalesce(out_usd, 0)) AS usd
               FROM account_scores WHERE holder_id IS NOT NULL GROUP BY holder_id"""
    if level == "party":
        return f"SELECT party_id AS id, usd FROM ({money})"
    return f"""SELECT m.entity_id AS id, sum(a.usd) AS usd
               FROM ({money}) AS a JOIN entity_members AS m USING (party_id)
               GROUP BY m.entity_id"""


def ranked_parties(db: Engine, *, top: int, level: str = "party") -> list[RankedParty]:
    """The first ``top`` parties (``level="party"``) or resolved entities (``"entity"``) with
    alerts, by evidence, then typologies, then dollars through their accounts, then id."""
    if level == "party":
        source, names = (
            "(SELECT * FROM alerts WHERE party_id IS NOT NULL)",
            "SELECT party_id AS id, name FROM parties",
        )
        key = "party_id"
    elif level == "entity":
        source = (
            "(SELECT m.entity_id, a.* FROM alerts AS a"
            " JOIN entity_members AS m ON m.party_id = a.party_id)"
        )
        names = "SELECT entity_id AS id, name FROM entities"
        key = "entity_id"
    else:
        raise ValueError(f"level: expected 'party' or 'entity', found {level!r}")
    rows = db.fetch(
        f"""WITH e AS ({evidence_sql(key, source)})
            SELECT e.{key}, coalesce(n.name, ''), e.evidence, 1 - exp(-e.evidence),
                   e.alerts, e.typologies, e.typology_ids, coalesce(m.usd, 0.0) AS usd
            FROM e LEFT JOIN ({names}) AS n ON n.id = e.{key}
            LEFT JOIN ({_money_of(db, level)}) AS m ON m.id = e.{key}
            ORDER BY e.evidence DESC, e.typologies DESC, usd DESC, e.{key}
            LIMIT ?""",
        [top],
        table="alerts",
    )
    return [
        RankedParty(
            rank=i,
            id=str(r[0]),
            name=str(r[1]),
            evidence=round(float(r[2]), 6),
            risk=round(float(r[3]), 6),
            alerts=int(r[4]),
            typologies=int(r[5]),
            typology_ids=list(r[6]),
            usd=round(float(r[7]), 2),
        )
        for i, r in enumerate(rows, start=1)
    ]


def ranked_alerts(db: Engine, *, top: int) -> list[RankedAlert]:
    """The first ``top`` alerts: severity-weighted score, then the evidence on their party,
    then the most recent window, then id."""
    weight = " ".join(f"WHEN '{k}' THEN {v}" for k, v in SEVERITY_WEIGHT.items())
    source = "(SELECT * FROM alerts WHERE party_id IS NOT NULL)"
    rows = db.fetch(
        f"""WITH e AS ({evidence_sql("party_id", source)})
            SELECT a.alert_id, a.typology_id, a.severity, a.score,
                   a.score * (CASE a.severity {weight} ELSE 0.5 END) AS weighted,
                   a.subject_type || ' ' || a.subject_id, a.party_id,
                   coalesce(p.name, a.party_id, ''), coalesce(e.evidence, 0.0) AS party_evidence,
                   coalesce(strftime(a.window_end, '%Y-%m-%d'), ''), a.evidence
            FROM alerts AS a
            LEFT JOIN parties AS p ON p.party_id = a.party_id
            LEFT JOIN e ON e.party_id = a.party_id
            ORDER BY weighted DESC, party_evidence DESC, a.window_end DESC NULLS LAST,
                     a.alert_id
            LIMIT ?""",
        [top],
        table="alerts",
    )
    return [
        RankedAlert(
            rank=i,
            alert_id=str(r[0]),
            typology_id=str(r[1]),
            severity=str(r[2]),
            score=float(r[3]),
            weighted=round(float(r[4]), 6),
            subject=str(r[5]),
            party_id=r[6],
            party=str(r[7]),
            party_evidence=round(float(r[8]), 6),
            window_end=str(r[9]),
            evidence=str(r[10]),
        )
        for i, r in enumerate(rows, start=1)
    ]


def alerts_phrase(alerts: int, by_typology: Mapping[str, int]) -> str:
    """How many alerts came from how many of the typologies run, in the words the command line,
    the demo's story and the report all use: "303 alerts from 22 of the 24 typologies run
    (no alert from invoice_unit_value_outlier, shared_identifiers)". ``by_typology``: every
    typology run -> its alerts (0 for one that found nothing)."""
    silent = sorted(t for t, n in by_typology.items() if n == 0)
    run = len(by_typology)
    text = f"{alerts:,} alert{'s' if alerts != 1 else ''} from {run - len(silent)} of the {run}"
    text += f" typolog{'y' if run == 1 else 'ies'} run"
    if silent:
        text += f" (no alert from {', '.join(silent)})"
    return text


def typologies_run(db: Engine) -> dict[str, int]:
    """Every typology any screening run of the workspace ran -> its alerts in ``alerts`` now."""
    ran = db.fetch(
        "SELECT DISTINCT unnest(CAST(typologies AS VARCHAR[])) FROM screen_runs",
        table="screen_runs",
    )
    counts = dict(db.fetch("SELECT typology_id, count(*) FROM alerts GROUP BY 1", table="alerts"))
    return {t: int(counts.get(t, 0)) for t in sorted({str(r[0]) for r in ran} | set(counts))}
