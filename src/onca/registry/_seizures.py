"""Seizures and persons: create, read, update, search, each read through the sharing rules and
each write (and each read of personal data) appended to the audit chain."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from onca.names import id_key, name_sorted
from onca.registry import _audit
from onca.registry._access import Grants, redact, visible
from onca.registry._auth import Principal
from onca.registry._errors import Conflict, Invalid, NotFound, require
from onca.registry._models import (
    PERSONAL_FIELDS,
    Agency,
    ChainLeg,
    Person,
    Seizure,
    SeizurePerson,
    Specimen,
    utcnow,
)
from onca.registry._notify import cross_border_hits
from onca.registry._schemas import PersonIn, SeizureIn, SeizurePatch
from onca.registry._writes import own_for_update, stamp_update

MAX_LIMIT = 500


_CODES: dict[str, dict[int, str]] = {}  # database URL -> agency id -> code


class AgencyCodes:
    """Agency id -> code. Codes never change, so they are kept for the process, per database;
    an id not yet known reloads them (agencies are added by other processes: the CLI)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._codes = _CODES.setdefault(str(session.get_bind().engine.url), {})

    def get(self, agency_id: int) -> str | None:
        if agency_id not in self._codes:
            rows = self._session.execute(select(Agency.id, Agency.code)).all()
            self._codes.update({int(i): str(c) for i, c in rows})
        return self._codes.get(agency_id)


def agency_codes(session: Session) -> AgencyCodes:
    return AgencyCodes(session)


def like_literal(text: str) -> str:
    """``text`` for a LIKE pattern, matched as itself (``%`` and ``_`` are not wildcards)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def person_row(principal: Principal, p: PersonIn) -> Person:
    """A new person of the principal's agency, with its matching keys (not yet added)."""
    return Person(
        agency_id=principal.agency_id,
        kind=p.kind,
        name=p.name,
        name_key=name_sorted(p.name, p.kind),
        birth_date=p.birth_date,
        nationality=p.nationality,
        id_number=p.id_number,
        id_key=id_key(p.id_number),
        address=p.address,
        phone=p.phone,
        created_by=principal.user_id,
    )


def _new_person(session: Session, principal: Principal, p: PersonIn) -> Person:
    person = person_row(principal, p)
    session.add(person)
    session.flush()
    return person


def seizure_row(principal: Principal, data: SeizureIn, import_id: str | None = None) -> Seizure:
    """A new seizure of the principal's agency with its chain and specimens (not yet added;
    its persons are linked by the caller)."""
    now = utcnow()
    seizure = Seizure(
        agency_id=principal.agency_id,
        reference=data.reference,
        seized_on=data.seized_on,
        country=data.country,
        place=data.place,
        lat=data.lat,
        lon=data.lon,
        transport_mode=data.transport_mode,
        description=data.description,
        import_id=import_id,
        created_by=principal.user_id,
        created_at=now,
        updated_at=now,
    )
    seizure.chain = [
        ChainLeg(
            position=i, role=leg.role, country=leg.country, share=leg.share, custody=leg.custody
        )
        for i, leg in enumerate(data.chain)
    ]
    seizure.specimens = [Specimen(**s.model_dump()) for s in data.specimens]
    return seizure


def create_person(session: Session, principal: Principal, p: PersonIn) -> Person:
    require(principal.may("write"), "creating records")
    person = _new_person(session, principal, p)
    _audit.append_for(
        session,
        principal,
        action="create",
        record_kind="person",
        record_id=person.id,
    )
    return person


def create_seizure(session: Session, principal: Principal, data: SeizureIn) -> Seizure:
    """Add a seizure of the principal's agency (with new persons, links to visible persons,
    chain and specimens) and notify cross-border hits. The caller commits."""
    require(principal.may("write"), "creating records")
    taken = session.execute(
        select(Seizure.id).where(
            Seizure.agency_id == principal.agency_id, Seizure.reference == data.reference
        )
    ).first()
    if taken:
        raise Conflict(
            f"reference {data.reference!r} is already seizure {taken[0]} of your agency",
            field="reference",
        )
    seizure = seizure_row(principal, data)
    people: list[tuple[Person, str]] = []
    for i, link in enumerate(data.persons):
        if link.person is not None:
            people.append((_new_person(session, principal, link.person), link.role))
            continue
        found = session.execute(
            select(Person).where(
                Person.id == link.person_id, visible(Person.agency_id, principal, "person")
            )
        ).scalar_one_or_none()
        if found is None:
            raise Invalid(
                f"persons[{i}].person_id: no person {link.person_id} that you may see",
                field=f"persons.{i}.person_id",
            )
        people.append((found, link.role))
    seen: set[int] = set()
    for person, role in people:
        if person.id not in seen:
            seizure.persons.append(SeizurePerson(person_id=person.id, role=role))
            seen.add(person.id)
    session.add(seizure)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(
            f"reference {data.reference!r} is already used by your agency", field="reference"
        ) from None
    cross_border_hits(session, principal, seizure, [p for p, _ in people])
    # last: the audit head stays locked until the commit
    _audit.append_for(
        session,
        principal,
        action="create",
        record_kind="seizure",
        record_id=seizure.id,
        detail={"reference": data.reference},
    )
    return seizure


def seizure_dict(s: Seizure, grants: Grants, codes: AgencyCodes) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": s.id,
        "agency": codes.get(s.agency_id),
        "reference": s.reference,
        "seized_on": s.seized_on.isoformat(),
        "country": s.country,
        "place": s.place,
        "lat": s.lat,
        "lon": s.lon,
        "transport_mode": s.transport_mode,
        "description": s.description,
        "chain": [
            {"role": c.role, "country": c.country, "share": c.share, "custody": c.custody}
            for c in s.chain
        ],
        "specimens": [
            {
                "taxon": x.taxon,
                "commodity": x.commodity,
                "quantity": x.quantity,
                "unit": x.unit,
                "value_usd": x.value_usd,
            }
            for x in s.specimens
        ],
        "persons": [{"person_id": p.person_id, "role": p.role} for p in s.persons],
        "created_at": s.created_at.isoformat(),
        "updated_at": s.updated_at.isoformat(),
    }
    return redact(record, "seizure", grants.fields(s.agency_id, "seizure"))


def get_seizure(session: Session, principal: Principal, seizure_id: int) -> dict[str, Any]:
    require(principal.may("read"), "reading records")
    one = (
        select(Seizure)
        .where(Seizure.id == seizure_id, visible(Seizure.agency_id, principal, "seizure"))
        .options(
            joinedload(Seizure.chain), joinedload(Seizure.specimens), joinedload(Seizure.persons)
        )
    )
    s = session.execute(one).unique().scalar_one_or_none()  # one query for the record and its parts
    if s is None:
        raise NotFound(f"no seizure {seizure_id} that you may see")
    grants = Grants(session, principal)
    record = seizure_dict(s, grants, agency_codes(session))
    if record["persons"]:
        _audit.append_for(
            session,
            principal,
            action="read_personal",
            record_kind="seizure",
            record_id=s.id,
        )
    return record


def update_seizure(
    session: Session, principal: Principal, seizure_id: int, patch: SeizurePatch
) -> Seizure:
    s = own_for_update(session, principal, Seizure, seizure_id, "seizure")
    changes = patch.model_dump(exclude_unset=True)
    for key in ("seized_on", "country"):
        if key in changes and changes[key] is None:
            raise Invalid(f"{key}: cannot be emptied", field=key)
    for key, value in changes.items():
        setattr(s, key, value)
    stamp_update(session, principal, s, "seizure", list(changes))
    return s


def seizure_query(
    principal: Principal,
    grants: Grants,
    *,
    taxon: str | None = None,
    country: str | None = None,
    person: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> Select[Seizure]:
    """The visible seizures matching the filters (taxon: species or genus; country: where seized
    or anywhere on the trade chain; person: a person id or words of a name)."""
    q = select(Seizure).where(visible(Seizure.agency_id, principal, "seizure"))
    # each filter runs only on records whose agreements grant the field it reads
    if taxon:
        t = taxon.strip().lower()
        q = q.where(
            Seizure.agency_id.in_(grants.granting("seizure", "specimens")),
            exists().where(
                Specimen.seizure_id == Seizure.id,
                or_(
                    func.lower(Specimen.taxon) == t,
                    func.lower(Specimen.taxon).like(like_literal(t) + " %", escape="\\"),
                ),
            ),
        )
    if country:
        c = country.strip().upper()
        q = q.where(
            or_(
                and_(
                    Seizure.country == c,
                    Seizure.agency_id.in_(grants.granting("seizure", "country")),
                ),
                and_(
                    exists().where(ChainLeg.seizure_id == Seizure.id, ChainLeg.country == c),
                    Seizure.agency_id.in_(grants.granting("seizure", "chain")),
                ),
            )
        )
    if person:
        require(principal.may("read_personal"), "searching by person")
        # only where the viewer may see who was involved, and only by what they may see of them
        text = person.strip()
        by_id = text.isascii() and text.isdigit()
        people = (
            select(SeizurePerson.seizure_id)
            .join(Person, Person.id == SeizurePerson.person_id)
            .where(visible(Person.agency_id, principal, "person"))
        )
        if by_id:
            people = people.where(Person.id == int(text) if int(text) <= 2**62 else Person.id < 0)
        else:
            key = name_sorted(text) or ""
            words: list[ColumnElement[bool]] = [
                Person.name_key.like(f"%{like_literal(w)}%", escape="\\") for w in key.split()
            ]
            people = people.where(
                Person.agency_id.in_(grants.granting("person", "name")),
                and_(*words) if words else Person.id < 0,
            )
        q = q.where(
            Seizure.agency_id.in_(grants.granting("seizure", "persons")), Seizure.id.in_(people)
        )
    if date_from or date_to:
        q = q.where(Seizure.agency_id.in_(grants.granting("seizure", "seized_on")))
    if date_from:
        q = q.where(Seizure.seized_on >= date_from)
    if date_to:
        q = q.where(Seizure.seized_on <= date_to)
    return q


def search_seizures(
    session: Session, principal: Principal, *, limit: int = 50, offset: int = 0, **filters: Any
) -> dict[str, Any]:
    require(principal.may("read"), "reading records")
    if filters.get("person"):
        require(principal.may("search"), "searching by person")
    grants = Grants(session, principal)
    q = seizure_query(principal, grants, **filters)
    total = session.execute(select(func.count()).select_from(q.subquery())).scalar_one()
    # newest first by date only where the date is shared: the order must not tell a withheld date
    dated = case(
        (Seizure.agency_id.in_(grants.granting("seizure", "seized_on")), Seizure.seized_on),
        else_=None,
    )
    rows = (
        session.execute(
            q.order_by(dated.desc().nulls_last(), Seizure.id.desc())
            .limit(min(limit, MAX_LIMIT))
            .offset(offset)
        )
        .scalars()
        .all()
    )
    codes = agency_codes(session)
    items = [seizure_dict(s, grants, codes) for s in rows]
    if filters.get("person") or any(i["persons"] for i in items):
        _audit.append_for(
            session,
            principal,
            action="search_personal",
            record_kind="seizure",
            detail={
                "filters": {k: v for k, v in filters.items() if v},
                "results": [i["id"] for i in items],
            },
        )
    return {"total": total, "limit": min(limit, MAX_LIMIT), "offset": offset, "items": items}


def person_dict(p: Person, grants: Grants, codes: AgencyCodes) -> dict[str, Any]:
    record = {
        "id": p.id,
        "agency": codes.get(p.agency_id),
        "kind": p.kind,
        "name": p.name,
        "birth_date": p.birth_date.isoformat() if p.birth_date else None,
        "nationality": p.nationality,
        "id_number": p.id_number,
        "address": p.address,
        "phone": p.phone,
    }
    return redact(record, "person", grants.fields(p.agency_id, "person"))


def get_person(session: Session, principal: Principal, person_id: int) -> dict[str, Any]:
    require(principal.may("read"), "reading records")
    p = session.execute(
        select(Person).where(Person.id == person_id, visible(Person.agency_id, principal, "person"))
    ).scalar_one_or_none()
    if p is None:
        raise NotFound(f"no person {person_id} that you may see")
    grants = Grants(session, principal)
    record = person_dict(p, grants, agency_codes(session))
    if grants.fields(p.agency_id, "person") & set(PERSONAL_FIELDS["person"]):
        _audit.append_for(
            session,
            principal,
            action="read_personal",
            record_kind="person",
            record_id=p.id,
        )
    return record


def search_persons(
    session: Session, principal: Principal, name: str, *, limit: int = 50
) -> list[dict[str, Any]]:
    require(principal.may("search") and principal.may("read_personal"), "searching persons")
    grants = Grants(session, principal)
    key = name_sorted(name) or ""
    words = key.split()
    if not words:
        raise Invalid("name: give at least one word of the name", field="name")
    q = (
        select(Person)
        .where(
            visible(Person.agency_id, principal, "person"),
            Person.agency_id.in_(grants.granting("person", "name")),
            *[Person.name_key.like(f"%{like_literal(w)}%", escape="\\") for w in words],
        )
        .order_by(Person.id)
    )
    rows = session.execute(q.limit(min(limit, MAX_LIMIT))).scalars().all()
    codes = agency_codes(session)
    found = [person_dict(p, grants, codes) for p in rows]
    # a person whose name the agreements withhold must not be found by that name
    found = [f for f in found if "name" not in f["redacted"]]
    _audit.append_for(
        session,
        principal,
        action="search_personal",
        record_kind="person",
        detail={"name": name, "results": [f["id"] for f in found]},
    )
    return found
