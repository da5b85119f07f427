"""Administration from the command line: agencies, users (with their first token) and
agreements, each write audited like the API's."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from onca.registry import _audit
from onca.registry._auth import SCOPES, issue_token
from onca.registry._cases import add_agreement
from onca.registry._errors import Conflict, Invalid
from onca.registry._models import AGENCY_KINDS, ROLES, Agency, Agreement, User
from onca.registry._schemas import AgreementIn, _codes


def add_agency(session: Session, code: str, name: str, country: str, kind: str) -> Agency:
    if kind not in AGENCY_KINDS:
        raise Invalid(
            f"--kind: expected one of {', '.join(AGENCY_KINDS)}, got {kind!r}", field="kind"
        )
    if country not in _codes("countries"):
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
    _audit.append(session, action="agency", user_id=None, agency_id=agency.id, record_id=agency.id,
                  detail={"code": code, "name": name, "country": country, "kind": kind})  # fmt: skip
    return agency


def agency_by_code(session: Session, code: str) -> Agency:
    agency = session.execute(select(Agency).where(Agency.code == code)).scalar_one_or_none()
    if agency is None:
        known = (
            ", ".join(session.execute(select(Agency.code).order_by(Agency.code)).scalars())
            or "none yet"
        )
        raise Invalid(f"no agency {code!r} (agencies: {known}); add it with onca registry agency add",
                      field="agency")  # fmt: skip
    return agency


@dataclass(frozen=True)
class NewUser:
    user: User
    token: str


def add_user(session: Session, agency_code: str, username: str, role: str,
             scopes: tuple[str, ...] = SCOPES, days: int | None = None) -> NewUser:  # fmt: skip
    if role not in ROLES:
        raise Invalid(f"--role: expected one of {', '.join(ROLES)}, got {role!r}", field="role")
    agency = agency_by_code(session, agency_code)
    if session.execute(select(User.id).where(User.username == username)).first():
        raise Conflict(f"user {username} exists already", field="username")
    user = User(agency_id=agency.id, username=username, role=role)
    session.add(user)
    session.flush()
    try:
        token = issue_token(session, user, scopes, days=days)
    except ValueError as e:
        raise Invalid(f"--scope: {e}", field="scopes") from None
    _audit.append(session, action="user", user_id=None, agency_id=agency.id, record_id=user.id,
                  detail={"username": username, "role": role, "scopes": list(scopes)})  # fmt: skip
    return NewUser(user, token)


def add_agreement_cli(session: Session, grantor: str, grantee: str, kind: str, fields: list[str] | None,
                      valid_from: str | None, valid_until: str | None) -> Agreement:  # fmt: skip
    try:
        data = AgreementIn.model_validate({"grantee": grantee, "record_kind": kind, "fields": fields,
                                           "valid_from": valid_from, "valid_until": valid_until})  # fmt: skip
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "agreement"
        raise Invalid(f"{where}: {first['msg']}", field=where) from None
    return add_agreement(session, None, agency_by_code(session, grantor), data)
