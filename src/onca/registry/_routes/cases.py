"""Cases (investigation, prosecution, verdict) with their seizures and evidence metadata."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status

from onca.registry import _cases
from onca.registry._deps import PrincipalDep, SessionDep
from onca.registry._responses import CaseOut, Created
from onca.registry._routes._params import Id, Limit, Offset
from onca.registry._routes._read_back import read_back
from onca.registry._schemas import CaseIn, CasePatch

router = APIRouter(tags=["cases"])
Status = Annotated[
    Literal["investigation", "prosecution", "verdict", "closed"] | None, Query(alias="status")
]


@router.post("/cases", status_code=status.HTTP_201_CREATED, response_model=CaseOut | Created)
def create_case(body: CaseIn, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    c = _cases.create_case(session, principal, body)
    return read_back(session, principal, c.id, _cases.get_case)


@router.get("/cases", response_model=list[CaseOut])
def list_cases(
    session: SessionDep,
    principal: PrincipalDep,
    status_: Status = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    return _cases.list_cases(session, principal, status=status_, limit=limit, offset=offset)


@router.get("/cases/{case_id}", response_model=CaseOut)
def get_case(case_id: Id, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    return _cases.get_case(session, principal, case_id)


@router.patch("/cases/{case_id}", response_model=CaseOut | Created)
def update_case(
    case_id: Id, body: CasePatch, session: SessionDep, principal: PrincipalDep
) -> dict[str, Any]:
    _cases.update_case(session, principal, case_id, body)
    return read_back(session, principal, case_id, _cases.get_case)
