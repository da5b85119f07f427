"""Persons and companies named in seizures: record, find by name, read."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from onca.registry import _seizures
from onca.registry._deps import PrincipalDep, SessionDep
from onca.registry._responses import Created, PersonOut
from onca.registry._routes._params import Id, Limit
from onca.registry._schemas import PersonIn

router = APIRouter(tags=["persons"])
Name = Annotated[str, Query(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]


@router.post("/persons", status_code=status.HTTP_201_CREATED, response_model=Created)
def create_person(body: PersonIn, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    p = _seizures.create_person(session, principal, body)
    session.commit()
    return {"id": p.id}


@router.get("/persons", response_model=list[PersonOut])
def search_persons(
    name: Name, session: SessionDep, principal: PrincipalDep, limit: Limit = 50
) -> list[dict[str, Any]]:
    """Persons and companies you may see whose names contain these words (audited)."""
    found = _seizures.search_persons(session, principal, name, limit=limit)
    session.commit()
    return found


@router.get("/persons/{person_id}", response_model=PersonOut)
def get_person(person_id: Id, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    record = _seizures.get_person(session, principal, person_id)
    session.commit()
    return record
