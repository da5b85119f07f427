"""Cross-border hits: a person named in a new seizure who is, by the registry's deterministic
rules, a person in another agency's records that the first agency may see.

Two person records are one person when their ID numbers agree (``onca.names.id_key``: letters
and digits, garbage IDs never match) and their nationalities do not contradict, or when their
names agree word for word in any order (``onca.names.name_sorted``) and so do their birth
dates. The rules are the strict end of ``onca resolve``'s comparisons: a hit is sent to people,
so it must rarely be wrong. A rule only looks at the records of agencies whose agreements
grant the fields it reads (ID number, and nationality when given; or name and birth date), so
that a hit never confirms what an agreement withholds. Both agencies get a notification; the
other agency's says only which agency's seizure and which of its own persons, no personal
data of the first agency.

A person linked into a seizure may be another agency's record of which the linking user sees
only some fields (or only its kind). Such a person is matched only on the fields the linking
user may read of it (``readable_probe``), and the message names the person only when its name
is readable: linking a record must never reveal what its agreement withholds, neither directly
nor through the records of a third agency that it matches.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from onca.registry import _audit
from onca.registry._access import Grants, visible
from onca.registry._auth import Principal
from onca.registry._models import Agency, Notification, Person, Seizure


def match_rules(person: Person, grants: Grants) -> list[ColumnElement[bool]]:
    """The conditions under which another person record is ``person``, each limited to the
    agencies whose agreements grant the fields it reads (so a hit never tells what an agreement
    withholds)."""
    rules: list[ColumnElement[bool]] = []
    if person.id_key:
        needs = ("id_number", "nationality") if person.nationality else ("id_number",)
        same = (
            []
            if person.nationality is None
            else [or_(Person.nationality.is_(None), Person.nationality == person.nationality)]
        )
        rules.append(
            and_(
                Person.agency_id.in_(grants.granting("person", *needs)),
                Person.id_key == person.id_key,
                *same,
            )
        )
    if person.name_key and person.birth_date:
        rules.append(
            and_(
                Person.agency_id.in_(grants.granting("person", "name", "birth_date")),
                Person.name_key == person.name_key,
                Person.birth_date == person.birth_date,
            )
        )
    return rules


def readable_probe(person: Person, grants: Grants) -> Person:
    """``person`` reduced to what the principal may read of it, for matching: the ID number only
    with the nationality (when there is one), the name only with the birth date."""
    readable = grants.fields(person.agency_id, "person")
    with_id = "id_number" in readable and (person.nationality is None or "nationality" in readable)
    with_name = {"name", "birth_date"} <= readable
    return Person(
        id=person.id,
        agency_id=person.agency_id,
        id_key=person.id_key if with_id else None,
        nationality=person.nationality if with_id else None,
        name_key=person.name_key if with_name else None,
        birth_date=person.birth_date if with_name else None,
    )


def cross_border_hits(
    session: Session,
    principal: Principal,
    seizure: Seizure,
    people: Sequence[Person],
    grants: Grants | None = None,
) -> int:
    """Notify both agencies of each hit for ``people`` of ``seizure``; return the hits."""
    hits = 0
    if not people:
        return 0
    grants = grants or Grants(session, principal)
    codes: dict[int, str] = {}
    for linked in people:
        person = readable_probe(linked, grants)
        rules = match_rules(person, grants)
        if not rules:
            continue
        matches = (
            session.execute(
                select(Person).where(
                    Person.agency_id != principal.agency_id,
                    visible(Person.agency_id, principal, "person"),
                    or_(*rules),
                )
            )
            .scalars()
            .all()
        )
        for other in matches:
            hits += 1
            codes = codes or {
                int(i): str(c) for i, c in session.execute(select(Agency.id, Agency.code)).all()
            }
            why = (
                "ID number"
                if person.id_key and other.id_key == person.id_key
                else "name and birth date"
            )
            detail = {
                "seizure_id": seizure.id,
                "person_id": person.id,
                "other_agency": codes[other.agency_id],
                "other_person_id": other.id,
                "matched_on": why,
            }
            session.add(
                Notification(
                    agency_id=principal.agency_id,
                    kind="cross_border_hit",
                    detail=json.dumps(detail),
                    message=f"Person {person.id} in your seizure {seizure.reference} matches"
                    f" person {other.id} in {codes[other.agency_id]}'s records ({why}).",
                )
            )
            session.add(
                Notification(
                    agency_id=other.agency_id,
                    kind="cross_border_hit",
                    detail=json.dumps(
                        {
                            "other_agency": codes[principal.agency_id],
                            "seizure_id": seizure.id,
                            "your_person_id": other.id,
                            "matched_on": why,
                        }
                    ),
                    message=f"A person in {codes[principal.agency_id]}'s new seizure {seizure.id} matches your"
                    f" person {other.id} ({why}).",
                )
            )
            _audit.append_for(
                session,
                principal,
                action="notify",
                record_kind="person",
                record_id=person.id,
                detail=detail,
            )
    return hits


def named(person: Person, grants: Grants) -> str:
    """How a message names ``person`` to the reader whose ``grants`` these are: by name only
    where the reader may read it (a viewer reads no names, not even of their own agency's
    persons). Messages are stored without names and named when read."""
    if "name" in grants.fields(person.agency_id, "person") and person.name:
        return f"{person.name} (person {person.id})"
    return f"Person {person.id}"
