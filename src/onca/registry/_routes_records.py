"""Routes for the records: seizures, persons, cases, notes and notifications."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field

from onca.registry import _alerts, _cases, _seizures
from onca.registry._deps import PrincipalDep, SessionDep
from onca.registry._schemas import CaseIn, CasePatch, NoteIn, PersonIn, SeizureIn, SeizurePatch

router = APIRouter()
Id = Annotated[int, Path(ge=1, le=2**62, description="the record's id")]
Limit = Annotated[int, Query(ge=1, le=_seizures.MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Text = Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")]
When = Annotated[dt.date | None, Query(ge=dt.date(1900, 1, 1), le=dt.date(2100, 12, 31))]


@router.post("/seizures", status_code=status.HTTP_201_CREATED, tags=["seizures"])
def create_seizure(body: SeizureIn, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    """Record a seizure of your agency: trade chain, specimens, persons (new or known)."""
    s = _seizures.create_seizure(session, principal, body)
    session.commit()
    if not principal.may(
        "read"
    ):  # a write-only token: the seizure is made, it may not be read back
        return {"id": s.id}
    record = _seizures.get_seizure(session, principal, s.id)
    session.commit()
    return record


@router.get("/seizures", tags=["seizures"])
def search_seizures(
    session: SessionDep, principal: PrincipalDep, taxon: Text = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")] = None, person: Text = None,
    date_from: When = None, date_to: When = None, limit: Limit = 50, offset: Offset = 0,
) -> dict[str, Any]:  # fmt: skip
    """Seizures you may see, newest first: by taxon (species or genus), country (seized there or
    on the trade chain), person (an id or words of a name) and date range."""
    result = _seizures.search_seizures(session, principal, taxon=taxon, country=country, person=person,
                                       date_from=date_from, date_to=date_to, limit=limit, offset=offset)  # fmt: skip
    session.commit()
    return result


@router.get("/seizures/{seizure_id}", tags=["seizures"])
def get_seizure(seizure_id: Id, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    record = _seizures.get_seizure(session, principal, seizure_id)
    session.commit()
    return record


@router.patch("/seizures/{seizure_id}", tags=["seizures"])
def update_seizure(
    seizure_id: Id, body: SeizurePatch, session: SessionDep, principal: PrincipalDep
) -> dict[str, Any]:
    _seizures.update_seizure(session, principal, seizure_id, body)
    session.commit()
    if not principal.may("read"):
        return {"id": seizure_id}
    record = _seizures.get_seizure(session, principal, seizure_id)
    session.commit()
    return record


@router.post("/persons", status_code=status.HTTP_201_CREATED, tags=["persons"])
def create_person(body: PersonIn, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    p = _seizures.create_person(session, principal, body)
    session.commit()
    return {"id": p.id}


@router.get("/persons", tags=["persons"])
def search_persons(
    name: Annotated[str, Query(min_length=1, max_length=200, pattern=r"^[^\x00]*$")],
    session: SessionDep, principal: PrincipalDep, limit: Limit = 50,
) -> list[dict[str, Any]]:  # fmt: skip
    """Persons and companies you may see whose names contain these words (audited)."""
    found = _seizures.search_persons(session, principal, name, limit=limit)
    session.commit()
    return found


@router.get("/persons/{person_id}", tags=["persons"])
def get_person(person_id: Id, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    record = _seizures.get_person(session, principal, person_id)
    session.commit()
    return record


@router.post("/cases", status_code=status.HTTP_201_CREATED, tags=["cases"])
def create_case(body: CaseIn, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    c = _cases.create_case(session, principal, body)
    session.commit()
    return _cases.get_case(session, principal, c.id) if principal.may("read") else {"id": c.id}


@router.get("/cases", tags=["cases"])
def list_cases(
    session: SessionDep, principal: PrincipalDep,
    status_: Annotated[Literal["investigation", "prosecution", "verdict", "closed"] | None, Query(alias="status")] = None,
    limit: Limit = 50, offset: Offset = 0,
) -> list[dict[str, Any]]:  # fmt: skip
    return _cases.list_cases(session, principal, status=status_, limit=limit, offset=offset)


@router.get("/cases/{case_id}", tags=["cases"])
def get_case(case_id: Id, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    return _cases.get_case(session, principal, case_id)


@router.patch("/cases/{case_id}", tags=["cases"])
def update_case(
    case_id: Id, body: CasePatch, session: SessionDep, principal: PrincipalDep
) -> dict[str, Any]:
    _cases.update_case(session, principal, case_id, body)
    session.commit()
    return (
        _cases.get_case(session, principal, case_id) if principal.may("read") else {"id": case_id}
    )


@router.post("/notes", status_code=status.HTTP_201_CREATED, tags=["notes"])
def create_note(body: NoteIn, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    note = _cases.create_note(session, principal, body)
    session.commit()
    return {"id": note.id}


@router.get("/notes", tags=["notes"])
def list_notes(
    record_kind: Literal["seizure", "person", "case"], record_id: Annotated[int, Query(ge=1, le=2**62)],
    session: SessionDep, principal: PrincipalDep,
) -> list[dict[str, Any]]:  # fmt: skip
    return _cases.list_notes(session, principal, record_kind, record_id)


@router.get("/notifications", tags=["notifications"])
def notifications(
    session: SessionDep, principal: PrincipalDep, limit: Limit = 100
) -> list[dict[str, Any]]:
    """Cross-border hits for your agency, newest first."""
    return _cases.list_notifications(session, principal, limit)


class TriageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["accepted", "dismissed"]
    reason: Annotated[str, Field(min_length=3, max_length=2000, pattern=r"^[^\x00]*$")]


@router.get("/alerts", tags=["alerts"])
def alerts(
    session: SessionDep, principal: PrincipalDep,
    status_: Annotated[Literal["open", "accepted", "dismissed"] | None, Query(alias="status")] = "open",
    limit: Limit = 100,
) -> list[dict[str, Any]]:  # fmt: skip
    """Your agency's screening alerts (imported with onca registry alerts import), highest score first."""
    return _alerts.list_alerts(session, principal, status_, limit)


@router.post("/alerts/{alert_id}/triage", tags=["alerts"])
def triage(
    alert_id: Id, body: TriageIn, session: SessionDep, principal: PrincipalDep
) -> dict[str, Any]:
    """Accept or dismiss an alert, with a reason (audited)."""
    alert = _alerts.triage(session, principal, alert_id, body.decision, body.reason)
    session.commit()
    return _alerts.alert_dict(alert)
