"""Administration from the command line: agencies, users (with their first token) and
agreements, each write audited like the API's.

Only an agreement needs the API's schemas (Pydantic) and case rules; they are imported there,
so that the other admin commands start quickly.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from onca.contract import load_contract
from onca.registry import _audit
from onca.registry._auth import SCOPES, issue_token
from onca.registry._errors import Conflict, Invalid
from onca.registry._models import AGENCY_KINDS, ROLES, Agency, Agreement, ApiToken, User, utcnow


def add_agency(session: Session, code: str, name: str, country: str, kind: str) -> Agency:
    if kind not in AGENCY_KINDS:
        raise Invalid(
            f"--kind: expected one of {', '.join(AGENCY_KINDS)}, got {kind!r}", field="kind"
        )
    if country not in load_contract().codes["countries"].values:
        raise Invalid(f"--country: {country!r} is not an ISO 3166-1 alpha-2 code", field="country")
    if not code or len(code) > 40:
        raise Invalid(
            "CODE: give a short agency code (at most 40 characters), e.g. PE-SERFOR", field="code"
        )
    if session.execute(select(Agency.id).where(Agency.code == code)).first():
        raise Conflict(f"agency {code} exists already", field="code")
    agency = Agency(code=code, name=name, country=country, kind=kind)
    session.add(agency)
    session.flush()
    _audit.append(
        session,
        action="agency",
        user_id=None,
        agency_id=agency.id,
        record_id=agency.id,
        detail={"code": code, "name": name, "country": country, "kind": kind},
    )
    return agency


def agency_by_code(session: Session, code: str) -> Agency:
    agency = session.execute(select(Agency).where(Agency.code == code)).scalar_one_or_none()
    if agency is None:
        known = (
            ", ".join(session.execute(select(Agency.code).order_by(Agency.code)).scalars())
            or "none yet"
        )
        raise Invalid(
            f"no agency {code!r} (agencies: {known}); add it with onca registry agency add",
            field="agency",
        )
    return agency


@dataclass(frozen=True)
class NewUser:
    user: User
    token: str


def add_user(
    session: Session,
    agency_code: str,
    username: str,
    role: str,
    scopes: tuple[str, ...] = SCOPES,
    days: int | None = None,
) -> NewUser:
    if role not in ROLES:
        raise Invalid(f"--role: expected one of {', '.join(ROLES)}, got {role!r}", field="role")
    agency = agency_by_code(session, agency_code)
    if session.execute(select(User.id).where(User.username == username)).first():
        raise Conflict(f"user {username} exists already", field="username")
    user = User(agency_id=agency.id, username=username, role=role)
    session.add(user)
    session.flush()
    token = _issue_audited(session, "user", user, scopes, days, {"role": role})
    return NewUser(user, token)


def _issue_audited(
    session: Session,
    action: str,
    user: User,
    scopes: tuple[str, ...],
    days: int | None,
    detail: dict[str, object],
) -> str:
    """Issue a token for `user` and audit it as `action` (the token's id, never the token)."""
    try:
        token = issue_token(session, user, scopes, days=days)
    except ValueError as e:
        raise Invalid(f"--scope: {e}", field="scopes") from None
    _audit.append(
        session,
        action=action,
        user_id=None,
        agency_id=user.agency_id,
        record_id=user.id,
        detail={
            "username": user.username,
            **detail,
            "scopes": list(scopes),
            "token_id": token.split("_")[1],
            "days": days,
        },
    )
    return token


def add_agreement_cli(
    session: Session,
    grantor: str,
    grantee: str,
    kind: str,
    fields: list[str] | None,
    valid_from: str | None,
    valid_until: str | None,
) -> Agreement:
    from pydantic import ValidationError

    from onca.registry._cases import add_agreement
    from onca.registry._schemas import AgreementIn

    try:
        data = AgreementIn.model_validate(
            {
                "grantee": grantee,
                "record_kind": kind,
                "fields": fields,
                "valid_from": valid_from,
                "valid_until": valid_until,
            }
        )
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "agreement"
        raise Invalid(f"{where}: {first['msg']}", field=where) from None
    return add_agreement(session, None, agency_by_code(session, grantor), data)


def user_by_name(session: Session, username: str) -> User:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise Invalid(f"no user {username!r}", field="username")
    return user


def add_token(
    session: Session, username: str, scopes: tuple[str, ...] = SCOPES, days: int | None = None
) -> str:
    """Another token for an existing user (shown once)."""
    user = user_by_name(session, username)
    return _issue_audited(session, "token", user, scopes, days, {})


def revoke_token(session: Session, token_id: str) -> ApiToken:
    """Revoke a token by its id (the part after onca_); the service stops taking it within a minute."""
    found = session.execute(
        select(ApiToken).where(ApiToken.token_id == token_id)
    ).scalar_one_or_none()
    if found is None:
        raise Invalid(
            f"no token {token_id!r} (give the id between onca_ and the next _)", field="token_id"
        )
    if found.revoked_at is None:
        found.revoked_at = utcnow()
        _audit.append(
            session,
            action="revoke",
            user_id=None,
            agency_id=None,
            record_id=found.user_id,
            detail={"token_id": token_id},
        )
    return found


def set_active(session: Session, username: str, active: bool) -> User:
    user = user_by_name(session, username)
    user.active = active
    _audit.append(
        session,
        action="activate" if active else "deactivate",
        user_id=None,
        agency_id=user.agency_id,
        record_id=user.id,
        detail={"username": username},
    )
    return user
