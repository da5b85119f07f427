"""Exports of what a user may see: seizures as CSV (one row per specimen) and as
FollowTheMoney entities (seizures as Event with the persons involved, persons as Person or
Company), each record redacted as the sharing rules say. Exports with personal data are
audited as reads of personal data."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from onca.export._ftm import _entity, entity_id
from onca.registry import _audit
from onca.registry._access import Grants, visible
from onca.registry._auth import Principal
from onca.registry._errors import require
from onca.registry._models import Person, Seizure
from onca.registry._seizures import agency_codes, person_dict, seizure_dict, seizure_query
from onca.text import spreadsheet_safe

SPECIMEN_COLUMNS = ("taxon", "commodity", "quantity", "unit", "value_usd")
CSV_COLUMNS = (
    *("seizure_id", "agency", "reference", "seized_on", "country", "place", "lat", "lon"),
    *("transport_mode", *SPECIMEN_COLUMNS, "chain", "person_ids", "redacted"),
)
DATASET = "onca-registry"


def _seizures(
    session: Session, principal: Principal, filters: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    grants, codes = Grants(session, principal), agency_codes(session)
    q = seizure_query(principal, grants, **filters).order_by(Seizure.id)
    for s in session.execute(q.execution_options(yield_per=1000)).scalars():
        yield seizure_dict(s, grants, codes)


def export_csv(session: Session, principal: Principal, **filters: Any) -> str:
    require(principal.may("export"), "exporting records")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    ids, personal = [], False
    for r in _seizures(session, principal, filters):
        ids.append(r["id"])
        personal = personal or bool(r["persons"])
        chain = " > ".join(f"{c['role']}:{c['country']}" for c in r["chain"] or [])
        people = ";".join(str(p["person_id"]) for p in r["persons"] or [])
        for sp in r["specimens"] or [{}]:
            row = {**r, **{k: sp.get(k) for k in SPECIMEN_COLUMNS}, "seizure_id": r["id"]}
            row.update(chain=chain, person_ids=people, redacted=";".join(r["redacted"]))
            writer.writerow([spreadsheet_safe(row[k]) for k in CSV_COLUMNS])
    _audit.append_for(
        session,
        principal,
        action="export_personal" if personal else "export",
        record_kind="seizure",
        detail={"format": "csv", "seizures": len(ids)},
    )
    return out.getvalue()


def export_ftm(session: Session, principal: Principal, **filters: Any) -> str:
    """FtM JSON lines: an Event per seizure and the persons it names that the user may see."""
    require(principal.may("export"), "exporting records")
    grants, codes = Grants(session, principal), agency_codes(session)
    lines, person_ids = [], set()
    for r in _seizures(session, principal, filters):
        eid = entity_id(DATASET, "seizure", str(r["id"]))
        taxa = ", ".join(sorted({sp["taxon"] for sp in r["specimens"] or []}))
        props = {
            "name": f"Seizure {r['reference'] or r['id']} ({r['agency']})",
            "date": r["seized_on"],
            "country": r["country"],
            "location": r["place"],
            "summary": taxa or None,
            "recordId": r["id"],
        }
        event = _entity("Event", eid, props, f"seizure {r['id']}")
        for p in r["persons"] or []:
            event.add("involved", entity_id(DATASET, "person", str(p["person_id"])))
            person_ids.add(p["person_id"])
        lines.append(json.dumps(event.to_dict(), ensure_ascii=False))
    if person_ids:
        rows = session.execute(
            select(Person).where(
                Person.id.in_(sorted(person_ids)), visible(Person.agency_id, principal, "person")
            )
        ).scalars()
        for p in rows:
            d = person_dict(p, grants, codes)
            if d["name"] is None:
                continue  # FtM needs a name; the agreements withhold it
            # the schema says what kind of party it is: a generic one when the kind is withheld
            schema = {"company": "Company", "person": "Person"}.get(d["kind"] or "", "LegalEntity")
            props = {
                "name": d["name"],
                "nationality" if schema == "Person" else "jurisdiction": d["nationality"],
                "idNumber" if schema == "Person" else "registrationNumber": d["id_number"],
                "birthDate" if schema == "Person" else "incorporationDate": d["birth_date"],
                "address": d["address"],
                "phone": d["phone"],
            }
            entity = _entity(
                schema, entity_id(DATASET, "person", str(p.id)), props, f"person {p.id}"
            )
            lines.append(json.dumps(entity.to_dict(), ensure_ascii=False))
    _audit.append_for(
        session,
        principal,
        action="export_personal" if person_ids else "export",
        record_kind="seizure",
        detail={"format": "ftm", "entities": len(lines)},
    )
    return "\n".join(lines) + ("\n" if lines else "")
