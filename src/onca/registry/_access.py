"""Who sees what: every record belongs to its agency; agreements share record kinds and fields.

A user sees their own agency's records and the records of agencies that have an agreement in
force granting their agency that record kind. The rule is part of every query (``visible``
adds it to the WHERE clause), so a record the user may not see is never read from the
database: by id, by search or by export it is simply not there (404, absent, absent).

Of another agency's record the user gets the fields its agreements grant (the union of the
agreements in force; an agreement without a field list grants every shareable field);
personal data (persons, and the persons named in a seizure) also needs the ``read_personal``
permission (analyst and above), even in the agency's own records. Withheld fields come back as
null and are listed in the record's ``redacted``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from onca.registry._auth import Principal
from onca.registry._models import PERSONAL_FIELDS, SHAREABLE_FIELDS, Agreement


def _in_force(today: dt.date) -> ColumnElement[bool]:
    return and_(
        Agreement.valid_from <= today,
        or_(Agreement.valid_until.is_(None), Agreement.valid_until >= today),
    )


def visible(column: Any, principal: Principal, kind: str) -> ColumnElement[bool]:
    """A WHERE clause on an ``agency_id`` column: own records, or granted by an agreement."""
    today = dt.datetime.now(dt.UTC).date()
    grantors = select(Agreement.grantor_id).where(
        Agreement.grantee_id == principal.agency_id, Agreement.record_kind == kind, _in_force(today)
    )
    return or_(column == principal.agency_id, column.in_(grantors))


class Grants:
    """The fields each grantor agency shares with the principal's agency, per record kind."""

    def __init__(self, session: Session, principal: Principal) -> None:
        self.principal = principal
        self._session = session
        self._loaded: dict[tuple[int, str], set[str]] | None = None

    @property
    def _fields(self) -> dict[tuple[int, str], set[str]]:
        """(grantor, kind) -> fields, read on first need (never for one's own records)."""
        if self._loaded is None:
            self._loaded = self._load()
        return self._loaded

    def _load(self) -> dict[tuple[int, str], set[str]]:
        principal, session = self.principal, self._session
        today = dt.datetime.now(dt.UTC).date()
        out: dict[tuple[int, str], set[str]] = {}
        rows = session.execute(
            select(Agreement.grantor_id, Agreement.record_kind, Agreement.fields).where(
                Agreement.grantee_id == principal.agency_id, _in_force(today)
            )
        ).all()
        for grantor, kind, fields in rows:
            chosen = (
                set(SHAREABLE_FIELDS.get(kind, ())) if fields is None else set(json.loads(fields))
            )
            out.setdefault((grantor, kind), set()).update(chosen)
        return out

    def granting(self, kind: str, *fields: str) -> list[int]:
        """Agencies whose records of ``kind`` the principal may read every one of ``fields`` of
        (their own agency first). A filter or a figure computed on a field must use only these:
        otherwise a search would answer questions about withheld fields."""
        candidates = [self.principal.agency_id, *self.grantors(kind)]
        return [a for a in candidates if set(fields) <= self.fields(a, kind)]

    def grantors(self, kind: str) -> list[int]:
        """Agencies whose records of ``kind`` the principal's agency is granted."""
        return [a for (a, k) in self._fields if k == kind]

    def fields(self, agency_id: int, kind: str) -> set[str]:
        """The fields of ``kind`` owned by ``agency_id`` the principal may read."""
        if agency_id == self.principal.agency_id:
            allowed = set(SHAREABLE_FIELDS[kind])
        else:
            allowed = set(self._fields.get((agency_id, kind), set()))
        if not self.principal.may("read_personal"):
            allowed -= set(PERSONAL_FIELDS[kind])
        return allowed

    def sees(self, agency_id: int, kind: str) -> bool:
        return agency_id == self.principal.agency_id or (agency_id, kind) in self._fields


def redact(record: dict[str, Any], kind: str, allowed: set[str]) -> dict[str, Any]:
    """Null the shareable fields not in ``allowed`` and list them in ``redacted``."""
    withheld = [f for f in SHAREABLE_FIELDS[kind] if f not in allowed and f in record]
    for f in withheld:
        record[f] = None
    record["redacted"] = withheld
    return record
