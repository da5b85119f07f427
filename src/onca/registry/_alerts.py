"""Screening alerts in the registry: imported from an Onca workspace for one agency, then
triaged (accepted or dismissed, with a reason) by its analysts; each step audited. Alerts are
the agency's own working material and are never shared."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from onca.registry import _audit
from onca.registry._auth import Principal
from onca.registry._errors import Invalid, NotFound, require
from onca.registry._models import Agency, Alert, utcnow

DECISIONS = ("accepted", "dismissed")


def import_alerts(session: Session, agency: Agency, workspace: Path, *, min_score: float = 0.0,
                  limit: int | None = None) -> dict[str, int]:  # fmt: skip
    """Copy a screened workspace's alerts (highest score first) to ``agency``; skip known ones."""
    from onca.workspace import open_workspace

    if not workspace.exists():
        raise Invalid(f"WORKSPACE {workspace}: no such workspace", field="workspace")
    with open_workspace(workspace) as ws:
        rows = ws.con.execute(
            "SELECT alert_id, typology_id, severity, subject_type || ' ' || subject_id, party_id, score, evidence"
            " FROM alerts WHERE score >= ? ORDER BY score DESC, alert_id" + (f" LIMIT {int(limit)}" if limit else ""),
            [min_score],
        ).fetchall()  # fmt: skip
    known = set(
        session.execute(select(Alert.source_id).where(Alert.agency_id == agency.id)).scalars()
    )
    new = [r for r in rows if r[0] not in known]
    for source_id, typology, severity, subject, party, score, evidence in new:
        session.add(Alert(agency_id=agency.id, source_id=source_id, typology=typology, severity=severity,
                          subject=subject[:120], party=party, score=float(score), evidence=evidence,
                          status="open"))  # fmt: skip
    _audit.append(session, action="import_alerts", user_id=None, agency_id=agency.id, record_kind="alert",
                  detail={"workspace": str(workspace), "imported": len(new), "known": len(rows) - len(new)})  # fmt: skip
    return {"read": len(rows), "imported": len(new), "already_there": len(rows) - len(new)}


def alert_dict(a: Alert) -> dict[str, Any]:
    return {"id": a.id, "typology": a.typology, "severity": a.severity, "subject": a.subject, "party": a.party,
            "score": a.score, "evidence": a.evidence, "status": a.status, "reason": a.reason,
            "triaged_at": a.triaged_at.isoformat() if a.triaged_at else None}  # fmt: skip


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


def count_open(session: Session, principal: Principal) -> int:
    return int(session.execute(select(func.count()).where(Alert.agency_id == principal.agency_id,
                                                          Alert.status == "open")).scalar_one())  # fmt: skip


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
    alert = session.execute(select(Alert).where(Alert.id == alert_id, Alert.agency_id == principal.agency_id)
                            .with_for_update()).scalar_one_or_none()  # fmt: skip
    if alert is None:
        raise NotFound(f"no alert {alert_id} of your agency")
    alert.status, alert.reason = decision, reason.strip()
    alert.triaged_by, alert.triaged_at = principal.user_id, utcnow()
    _audit.append(session, action="triage", user_id=principal.user_id, agency_id=principal.agency_id,
                  record_kind="alert", record_id=alert.id, detail={"decision": decision, "reason": alert.reason})  # fmt: skip
    return alert
