"""Notes on records, and the cross-border notifications of your agency."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status

from onca.registry import _cases
from onca.registry._deps import PrincipalDep, SessionDep
from onca.registry._responses import Created, NoteOut, NotificationOut
from onca.registry._routes._params import Limit
from onca.registry._schemas import NoteIn

router = APIRouter()
RecordKind = Literal["seizure", "person", "case"]
RecordId = Annotated[int, Query(ge=1, le=2**62)]


@router.post("/notes", status_code=status.HTTP_201_CREATED, tags=["notes"], response_model=Created)
def create_note(body: NoteIn, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    note = _cases.create_note(session, principal, body)
    session.commit()
    return {"id": note.id}


@router.get("/notes", tags=["notes"], response_model=list[NoteOut])
def list_notes(
    record_kind: RecordKind, record_id: RecordId, session: SessionDep, principal: PrincipalDep
) -> list[dict[str, Any]]:
    return _cases.list_notes(session, principal, record_kind, record_id)


@router.get("/notifications", tags=["notifications"], response_model=list[NotificationOut])
def notifications(
    session: SessionDep, principal: PrincipalDep, limit: Limit = 100
) -> list[dict[str, Any]]:
    """Cross-border hits for your agency, newest first."""
    return _cases.list_notifications(session, principal, limit)
