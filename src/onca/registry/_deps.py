"""Request dependencies: the database session (one per request; tests may override it) and the
authenticated principal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from onca.registry._auth import AuthError, Principal

bearer = HTTPBearer(
    auto_error=False, description="An API token: onca_<id>_<secret> (onca registry user add)"
)


def get_session(request: Request) -> Iterator[Session]:
    """A session for this request; handlers commit their writes, anything else is rolled back."""
    session: Session = request.app.state.sessions()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]


def get_principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    header = f"Bearer {credentials.credentials}" if credentials else None
    client = request.client.host if request.client else "unknown"
    try:
        principal = request.app.state.auth.authenticate(session, header, client)
    except AuthError as e:
        headers = {"WWW-Authenticate": "Bearer"}
        if e.retry_after:
            headers["Retry-After"] = str(e.retry_after)
        raise HTTPException(e.status, detail=str(e), headers=headers) from None
    session.rollback()  # end the read transaction the token lookup opened
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]
