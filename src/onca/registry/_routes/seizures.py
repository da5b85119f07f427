"""Seizures: record, search, read and update, through the sharing rules."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from onca.registry import _seizures
from onca.registry._deps import PrincipalDep, SessionDep
from onca.registry._responses import Created, SeizureOut, SeizurePage
from onca.registry._routes._params import Id, Limit, Offset, Text, When
from onca.registry._routes._read_back import read_back
from onca.registry._schemas import SeizureIn, SeizurePatch

router = APIRouter(tags=["seizures"])
Country = Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")]


@router.post("/seizures", status_code=status.HTTP_201_CREATED, response_model=SeizureOut | Created)
def create_seizure(body: SeizureIn, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    """Record a seizure of your agency: trade chain, specimens, persons (new or known)."""
    s = _seizures.create_seizure(session, principal, body)
    return read_back(session, principal, s.id, _seizures.get_seizure)


@router.get("/seizures", response_model=SeizurePage)
def search_seizures(
    session: SessionDep,
    principal: PrincipalDep,
    taxon: Text = None,
    country: Country = None,
    person: Text = None,
    date_from: When = None,
    date_to: When = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Seizures you may see, newest first: by taxon (species or genus), country (seized there or
    on the trade chain), person (an id or words of a name) and date range."""
    filters = {"taxon": taxon, "country": country, "person": person}
    dates = {"date_from": date_from, "date_to": date_to}
    result = _seizures.search_seizures(
        session, principal, **filters, **dates, limit=limit, offset=offset
    )
    session.commit()
    return result


@router.get("/seizures/{seizure_id}", response_model=SeizureOut)
def get_seizure(seizure_id: Id, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    record = _seizures.get_seizure(session, principal, seizure_id)
    session.commit()
    return record


@router.patch("/seizures/{seizure_id}", response_model=SeizureOut | Created)
def update_seizure(
    seizure_id: Id, body: SeizurePatch, session: SessionDep, principal: PrincipalDep
) -> dict[str, Any]:
    _seizures.update_seizure(session, principal, seizure_id, body)
    return read_back(session, principal, seizure_id, _seizures.get_seizure)
