"""Agencies and the sharing agreements between them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from sqlalchemy import or_, select

from onca.registry import _cases
from onca.registry._deps import PrincipalDep, SessionDep
from onca.registry._errors import require
from onca.registry._models import Agency, Agreement
from onca.registry._responses import AgencyOut, AgreementOut
from onca.registry._schemas import AgreementIn
from onca.registry._seizures import agency_codes

router = APIRouter(tags=["agencies"])


@router.get("/agencies", response_model=list[AgencyOut])
def agencies(session: SessionDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    rows = session.execute(select(Agency).order_by(Agency.code)).scalars()
    return [{"code": a.code, "name": a.name, "country": a.country, "kind": a.kind} for a in rows]


@router.get("/agreements", response_model=list[AgreementOut])
def agreements(session: SessionDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    """The agreements your agency grants or receives (a read: write-only tokens may not)."""
    require(principal.may("read") or principal.may("admin"), "reading agreements")
    mine = or_(
        Agreement.grantor_id == principal.agency_id, Agreement.grantee_id == principal.agency_id
    )
    rows = session.execute(select(Agreement).where(mine).order_by(Agreement.id)).scalars()
    codes = agency_codes(session)
    return [_cases.agreement_dict(a, codes) for a in rows]


@router.post("/agreements", status_code=status.HTTP_201_CREATED, response_model=AgreementOut)
def add_agreement(
    body: AgreementIn, session: SessionDep, principal: PrincipalDep
) -> dict[str, Any]:
    """Share your agency's records of one kind (and chosen fields) with another agency (admins)."""
    grantor = session.get(Agency, principal.agency_id)
    assert grantor is not None  # the principal's agency exists: it was just read
    agreement = _cases.add_agreement(session, principal, grantor, body)
    session.commit()
    return _cases.agreement_dict(agreement, agency_codes(session))
