"""Cases (investigation, prosecution, verdict) with their seizures and evidence metadata;
notes on records; notifications; sharing agreements. Same rules as seizures: reads through
``visible``, writes audited."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from onca.registry import _audit
from onca.registry._access import Grants, redact, visible
from onca.registry._auth import Principal
from onca.registry._errors import Conflict, Invalid, NotFound, require
from onca.registry._models import (
    Agency,
    Agreement,
    Case,
    CaseSeizure,
    Evidence,
    Note,
    Notification,
    Person,
    Seizure,
    utcnow,
)
from onca.registry._notify import named
from onca.registry._schemas import AgreementIn, CaseIn, CasePatch, NoteIn
from onca.registry._seizures import AgencyCodes, agency_codes
from onca.registry._writes import own_for_update, stamp_update


def create_case(session: Session, principal: Principal, data: CaseIn) -> Case:
    require(principal.may("write"), "creating records")
    if session.execute(
        select(Case.id).where(
            Case.agency_id == principal.agency_id, Case.reference == data.reference
        )
    ).first():
        raise Conflict(
            f"reference {data.reference!r} is already a case of your agency", field="reference"
        )
    _check_seizures(session, principal, data.seizure_ids)
    now = utcnow()
    case = Case(
        agency_id=principal.agency_id,
        reference=data.reference,
        title=data.title,
        status=data.status,
        opened_on=data.opened_on,
        charges=json.dumps(data.charges),
        verdict=data.verdict,
        penalties=data.penalties,
        created_by=principal.user_id,
        created_at=now,
        updated_at=now,
    )
    case.seizures = [CaseSeizure(seizure_id=sid) for sid in dict.fromkeys(data.seizure_ids)]
    case.evidence = [Evidence(**e.model_dump()) for e in data.evidence]
    session.add(case)
    session.flush()
    _audit.append_for(
        session,
        principal,
        action="create",
        record_kind="case",
        record_id=case.id,
        detail={"reference": data.reference},
    )
    return case


def _check_seizures(
    session: Session,
    principal: Principal,
    seizure_ids: list[int],
    linked: frozenset[int] = frozenset(),
) -> None:
    """A seizure added to a case must be one the user may see (those ``linked`` already stay,
    even if no longer shared); Invalid names the first other by its place in the list."""
    for i, sid in enumerate(seizure_ids):
        if sid not in linked and (
            session.execute(
                select(Seizure.id).where(
                    Seizure.id == sid, visible(Seizure.agency_id, principal, "seizure")
                )
            ).first()
            is None
        ):
            raise Invalid(
                f"seizure_ids[{i}]: no seizure {sid} that you may see", field=f"seizure_ids.{i}"
            )


def case_dict(c: Case, grants: Grants, codes: AgencyCodes) -> dict[str, Any]:
    record = {
        "id": c.id,
        "agency": codes.get(c.agency_id),
        "reference": c.reference,
        "title": c.title,
        "status": c.status,
        "opened_on": c.opened_on.isoformat(),
        "charges": json.loads(c.charges or "[]"),
        "verdict": c.verdict,
        "penalties": c.penalties,
        "seizures": sorted(s.seizure_id for s in c.seizures),
        "evidence": [
            {
                "id": e.id,
                "kind": e.kind,
                "description": e.description,
                "sha256": e.sha256,
                "location": e.location,
                "collected_on": e.collected_on.isoformat() if e.collected_on else None,
            }
            for e in c.evidence
        ],
        "updated_at": c.updated_at.isoformat(),
    }
    return redact(record, "case", grants.fields(c.agency_id, "case"))


def get_case(session: Session, principal: Principal, case_id: int) -> dict[str, Any]:
    require(principal.may("read"), "reading records")
    c = session.execute(
        select(Case).where(Case.id == case_id, visible(Case.agency_id, principal, "case"))
    ).scalar_one_or_none()
    if c is None:
        raise NotFound(f"no case {case_id} that you may see")
    return case_dict(c, Grants(session, principal), agency_codes(session))


def list_cases(
    session: Session, principal: Principal, *, status: str | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    require(principal.may("read"), "reading records")
    grants, codes = Grants(session, principal), agency_codes(session)
    q = select(Case).where(visible(Case.agency_id, principal, "case"))
    if status:  # only where the status is shared: a filter must not answer for withheld fields
        q = q.where(Case.agency_id.in_(grants.granting("case", "status")), Case.status == status)
    rows = session.execute(q.order_by(Case.id.desc()).limit(limit).offset(offset)).scalars().all()
    return [case_dict(c, grants, codes) for c in rows]


def update_case(session: Session, principal: Principal, case_id: int, patch: CasePatch) -> Case:
    c = own_for_update(session, principal, Case, case_id, "case")
    changes = patch.model_dump(exclude_unset=True)
    for key, value in changes.items():
        if key in ("title", "status", "seizure_ids") and value is None:
            raise Invalid(f"{key}: cannot be emptied", field=key)
        if key == "seizure_ids":
            _relink(session, principal, c, value)
        else:
            setattr(c, key, json.dumps(value) if key == "charges" else value)
    stamp_update(session, principal, c, "case", list(changes))
    return c


def _relink(session: Session, principal: Principal, c: Case, seizure_ids: list[int]) -> None:
    """The case's seizures become ``seizure_ids``: links kept, dropped or added (a link's row
    is never deleted and written again), each new one a seizure the user may see."""
    _check_seizures(session, principal, seizure_ids, frozenset(s.seizure_id for s in c.seizures))
    wanted = list(dict.fromkeys(seizure_ids))
    kept = [link for link in c.seizures if link.seizure_id in wanted]
    have = {link.seizure_id for link in kept}
    c.seizures = kept + [CaseSeizure(seizure_id=sid) for sid in wanted if sid not in have]


_KIND_MODEL: dict[str, type[Seizure] | type[Person] | type[Case]] = {
    "seizure": Seizure,
    "person": Person,
    "case": Case,
}


def create_note(session: Session, principal: Principal, data: NoteIn) -> Note:
    require(principal.may("note"), "writing notes")
    model = _KIND_MODEL[data.record_kind]
    found = session.execute(
        select(model.id).where(
            model.id == data.record_id,
            visible(model.agency_id, principal, data.record_kind),
        )
    ).first()
    if found is None:
        raise Invalid(
            f"record_id: no {data.record_kind} {data.record_id} that you may see", field="record_id"
        )
    note = Note(
        agency_id=principal.agency_id,
        record_kind=data.record_kind,
        record_id=data.record_id,
        text=data.text,
        created_by=principal.user_id,
    )
    session.add(note)
    session.flush()
    _audit.append_for(
        session,
        principal,
        action="create",
        record_kind="note",
        record_id=note.id,
    )
    return note


def list_notes(
    session: Session, principal: Principal, record_kind: str, record_id: int
) -> list[dict[str, Any]]:
    require(principal.may("read"), "reading records")
    grants, codes = Grants(session, principal), agency_codes(session)
    # the filter reads the note's record_kind and record_id: only notes that share both
    rows = session.execute(
        select(Note)
        .where(
            Note.record_kind == record_kind,
            Note.record_id == record_id,
            visible(Note.agency_id, principal, "note"),
            Note.agency_id.in_(grants.granting("note", "record_kind", "record_id")),
        )
        .order_by(Note.id)
    ).scalars()
    return [
        redact(
            {
                "id": n.id,
                "agency": codes.get(n.agency_id),
                "record_kind": n.record_kind,
                "record_id": n.record_id,
                "text": n.text,
                "created_at": n.created_at.isoformat(),
            },
            "note",
            grants.fields(n.agency_id, "note"),
        )
        for n in rows
    ]


def list_notifications(
    session: Session, principal: Principal, limit: int = 100
) -> list[dict[str, Any]]:
    require(principal.may("read"), "reading records")
    rows = (
        session.execute(
            select(Notification)
            .where(Notification.agency_id == principal.agency_id)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
        .scalars()
        .all()
    )
    details = [json.loads(n.detail) for n in rows]
    # the stored message says "Person N"; the reader gets the name where they may read it
    ids = {d["person_id"] for d in details if isinstance(d.get("person_id"), int)}
    grants = Grants(session, principal)
    people = (
        {p.id: p for p in session.execute(select(Person).where(Person.id.in_(ids))).scalars()}
        if ids
        else {}
    )
    out = []
    for n, d in zip(rows, details, strict=True):
        message, person = n.message, people.get(d.get("person_id"))
        if person is not None and message.startswith(f"Person {person.id} "):
            message = named(person, grants) + message[len(f"Person {person.id}") :]
        out.append(
            {
                "id": n.id,
                "kind": n.kind,
                "message": message,
                "detail": d,
                "created_at": n.created_at.isoformat(),
            }
        )
    return out


def add_agreement(
    session: Session, principal: Principal | None, grantor: Agency, data: AgreementIn
) -> Agreement:
    """``grantor`` shares with ``data.grantee``; through the API only the grantor's admins may."""
    if principal is not None:
        require(
            principal.may("admin") and principal.agency_id == grantor.id,
            "managing your agency's agreements",
        )
    grantee = session.execute(
        select(Agency).where(Agency.code == data.grantee)
    ).scalar_one_or_none()
    if grantee is None:
        raise Invalid(f"grantee: no agency {data.grantee!r}", field="grantee")
    if grantee.id == grantor.id:
        raise Invalid("grantee: an agency always sees its own records", field="grantee")
    agreement = Agreement(
        grantor_id=grantor.id,
        grantee_id=grantee.id,
        record_kind=data.record_kind,
        fields=None if data.fields is None else json.dumps(sorted(set(data.fields))),
        valid_from=data.valid_from or dt.datetime.now(dt.UTC).date(),
        valid_until=data.valid_until,
    )
    session.add(agreement)
    session.flush()
    _audit.append(
        session,
        action="agreement",
        user_id=principal.user_id if principal else None,
        agency_id=grantor.id,
        record_kind=None,
        record_id=agreement.id,
        detail={
            "grantee": grantee.code,
            "grantee_id": grantee.id,
            "record_kind": data.record_kind,
            "fields": data.fields,
            "valid_from": agreement.valid_from,
            "valid_until": data.valid_until,
        },
    )
    return agreement


def agreement_dict(a: Agreement, codes: AgencyCodes) -> dict[str, Any]:
    return {
        "id": a.id,
        "grantor": codes.get(a.grantor_id),
        "grantee": codes.get(a.grantee_id),
        "record_kind": a.record_kind,
        "fields": None if a.fields is None else json.loads(a.fields),
        "valid_from": a.valid_from.isoformat(),
        "valid_until": a.valid_until.isoformat() if a.valid_until else None,
    }
