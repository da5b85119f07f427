"""Screening alerts in the registry: imported from an Onca workspace for one agency, then
triaged (accepted or dismissed, with a reason) by its analysts; each step audited. Alerts are
the agency's own working material and are never shared."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from onca.registry import _audit
from onca.registry._auth import Principal
from onca.registry._errors import Invalid, NotFound, require
from onca.registry._models import Agency, Alert, utcnow

DECISIONS = ("accepted", "dismissed")


ALERTS_SQL = """
SELECT alert_id, typology_id, severity, subject_type || ' ' || subject_id AS subject, party_id,
       score, evidence
FROM alerts
WHERE score >= ?
ORDER BY score DESC, alert_id
"""


def import_alerts(
    session: Session,
    agency: Agency,
    workspace: Path,
    *,
    min_score: float = 0.0,
    limit: int | None = None,
) -> dict[str, int]:
    """Copy a screened workspace's alerts (highest score first) to ``agency``; skip known ones.
    The workspace is read through its engine (``onca.engines``), never its connection."""
    from onca.engines import open_engine
    from onca.workspace import open_workspace

    if not workspace.exists():
        raise Invalid(f"WORKSPACE {workspace}: no such workspace", field="workspace")
    sql = ALERTS_SQL + (f"LIMIT {int(limit)}" if limit else "")
    with open_workspace(workspace) as ws, open_engine(ws) as engine:
        rows = engine.query(sql, [min_score])
    known = set(
        session.execute(select(Alert.source_id).where(Alert.agency_id == agency.id)).scalars()
    )
    new = [r for r in rows if r["alert_id"] not in known]
    for r in new:
        alert = Alert(
            agency_id=agency.id,
            source_id=r["alert_id"],
            typology=r["typology_id"],
            severity=r["severity"],
            subject=r["subject"][:120],
            party=r["party_id"],
            score=float(r["score"]),
            evidence=r["evidence"],
            status="open",
        )
        session.add(alert)
    counts = {"read": len(rows), "imported": len(new), "already_there": len(rows) - len(new)}
    detail = {"workspace": str(workspace), "imported": len(new), "known": len(rows) - len(new)}
    _audit.append(
        session,
        action="import_alerts",
        user_id=None,
        agency_id=agency.id,
        record_kind="alert",
        detail=detail,
    )
    return counts


def alert_dict(a: Alert) -> dict[str, Any]:
    return {
        "id": a.id,
        "typology": a.typology,
        "severity": a.severity,
        "subject": a.subject,
        "party": a.party,
        "score": a.score,
        "evidence": a.evidence,
        "status": a.status,
        "reason": a.reason,
        "triaged_at": a.triaged_at.isoformat() if a.triaged_at else None,
    }


def list_alerts(
    session: Session, principal: Principal, status: str | None = "open", limit: int = 100
) -> list[dict[str, Any]]:
    require(principal.may("read"), "reading alerts")
    q = select(Alert).where(Alert.agency_id == principal.agency_id)
    if status:
        q = q.where(Alert.status == status)
    return [
        alert_dict(a)
        for a in session.execute(q.order_by(Alert.score.desc(), Alert.id).limit(limit)).scalars()
    ]


@dataclass(frozen=True)
class AlertFilter:
    """Which of the agency's alerts to list: a status (``None`` for every status), a typology
    id (``None`` for every one) and the lowest score (0 to 1)."""

    status: str | None = "open"
    typology: str | None = None
    min_score: float = 0.0

    def where(self, principal: Principal) -> list[ColumnElement[bool]]:
        clauses = [Alert.agency_id == principal.agency_id]
        if self.status:
            clauses.append(Alert.status == self.status)
        if self.typology:
            clauses.append(Alert.typology == self.typology)
        if self.min_score > 0:
            clauses.append(Alert.score >= self.min_score)
        return clauses


def page_alerts(
    session: Session, principal: Principal, chosen: AlertFilter, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of the agency's alerts that pass ``chosen`` (highest score first, then the
    oldest), and how many pass in all."""
    require(principal.may("read"), "reading alerts")
    where = chosen.where(principal)
    total = session.execute(select(func.count()).select_from(Alert).where(*where)).scalar_one()
    rows = session.execute(
        select(Alert)
        .where(*where)
        .order_by(Alert.score.desc(), Alert.id)
        .limit(limit)
        .offset(offset)
    ).scalars()
    return [alert_dict(a) for a in rows], int(total)


def alert_typologies(session: Session, principal: Principal) -> list[str]:
    """The typology ids among the agency's alerts, for a filter's choices."""
    require(principal.may("read"), "reading alerts")
    return list(
        session.execute(
            select(Alert.typology)
            .where(Alert.agency_id == principal.agency_id)
            .distinct()
            .order_by(Alert.typology)
        ).scalars()
    )


def count_open(session: Session, principal: Principal) -> int:
    return int(
        session.execute(
            select(func.count()).where(
                Alert.agency_id == principal.agency_id, Alert.status == "open"
            )
        ).scalar_one()
    )


def triage(
    session: Session, principal: Principal, alert_id: int, decision: str, reason: str
) -> Alert:
    """Accept or dismiss one of the agency's alerts, with a reason (analysts and above)."""
    require(principal.may("note"), "triaging alerts")
    if decision not in DECISIONS:
        raise Invalid(
            f"decision: expected accepted or dismissed, got {decision!r}", field="decision"
        )
    if len(reason.strip()) < 3:
        raise Invalid("reason: say why, in a few words", field="reason")
    alert = session.execute(
        select(Alert)
        .where(Alert.id == alert_id, Alert.agency_id == principal.agency_id)
        .with_for_update()
    ).scalar_one_or_none()
    if alert is None:
        raise NotFound(f"no alert {alert_id} of your agency")
    alert.status, alert.reason = decision, reason.strip()
    alert.triaged_by, alert.triaged_at = principal.user_id, utcnow()
    _audit.append_for(
        session,
        principal,
        action="triage",
        record_kind="alert",
        record_id=alert.id,
        detail={"decision": decision, "reason": alert.reason},
    )
    return alert
