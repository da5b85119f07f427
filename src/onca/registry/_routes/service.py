"""The service itself: is it up, and who is asking."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import text

from onca.registry._deps import PrincipalDep, SessionDep
from onca.registry._responses import Health, Me

router = APIRouter(tags=["service"])


@router.get("/health", response_model=Health)
def health(request: Request, session: SessionDep) -> Health:
    """Liveness and the database: answers 200 when the database answers."""
    session.execute(text("SELECT 1")).all()
    return Health(
        status="ok", database=session.get_bind().dialect.name, version=request.app.version
    )


@router.get("/me", response_model=Me)
def me(principal: PrincipalDep) -> Me:
    return Me(
        user=principal.username,
        agency=principal.agency_code,
        role=principal.role,
        permissions=sorted(principal.permissions),
    )
