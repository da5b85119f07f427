"""Your agency's screening alerts (imported with ``onca registry alerts import``) and their
triage."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from onca.registry import _alerts
from onca.registry._deps import PrincipalDep, SessionDep
from onca.registry._responses import AlertOut
from onca.registry._routes._params import Id, Limit
from onca.registry._schemas import TriageIn

router = APIRouter(tags=["alerts"])
Status = Annotated[Literal["open", "accepted", "dismissed"] | None, Query(alias="status")]


@router.get("/alerts", response_model=list[AlertOut])
def alerts(
    session: SessionDep, principal: PrincipalDep, status_: Status = "open", limit: Limit = 100
) -> list[dict[str, Any]]:
    """Your agency's screening alerts (imported with onca registry alerts import), highest score first."""
    return _alerts.list_alerts(session, principal, status_, limit)


@router.post("/alerts/{alert_id}/triage", response_model=AlertOut)
def triage(
    alert_id: Id, body: TriageIn, session: SessionDep, principal: PrincipalDep
) -> dict[str, Any]:
    """Accept or dismiss an alert, with a reason (audited)."""
    alert = _alerts.triage(session, principal, alert_id, body.decision, body.reason)
    session.commit()
    return _alerts.alert_dict(alert)
