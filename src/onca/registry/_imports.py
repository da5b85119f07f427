"""Bulk import of seizures from CSV or XLSX, all or nothing per file, with a per-row report.

One row is one seizure with one specimen and, optionally, one person:

    reference, seized_on, country, place, lat, lon, transport_mode, description,
    taxon, commodity, quantity, unit, value_usd,
    origin_country, transit_countries (';'-separated), destination_country,
    person_name, person_kind, person_birth_date, person_nationality, person_id_number, person_role

Every row is checked as the API checks a new seizure (field by field), references must be new
to the agency and unique in the file. If any row fails, nothing is written and the report
lists each failing row with its line and fields; otherwise every row is written in one
transaction, with one audit link naming the file's SHA-256 and the seizures made. A server
killed in the middle leaves the database as it was (the transaction never commits).
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from onca.registry import _audit
from onca.registry._auth import Principal
from onca.registry._errors import Invalid, require
from onca.registry._models import Seizure
from onca.registry._schemas import SeizureIn
from onca.registry._seizures import create_seizure

REQUIRED = ("reference", "seized_on", "country", "taxon", "commodity", "quantity", "unit")
MAX_ROWS = 100_000


def read_rows(content: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """(line, row) pairs from a CSV (UTF-8, or Latin-1 when not) or the first sheet of an XLSX."""
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        except Exception as e:  # openpyxl raises many kinds for a file that is not a workbook
            raise Invalid(
                f"file: {filename} is not a readable XLSX workbook ({type(e).__name__})",
                field="file",
            ) from None
        values = list(sheet.iter_rows(values_only=True))
        if not values:
            raise Invalid(f"file: {filename} is empty", field="file")
        header = [str(h).strip() if h is not None else "" for h in values[0]]
        rows = [(i, {h: ("" if v is None else (v.isoformat()[:10] if hasattr(v, "isoformat") else str(v)))
                     for h, v in zip(header, row, strict=False) if h})
                for i, row in enumerate(values[1:], start=2) if any(v is not None for v in row)]  # fmt: skip
    elif filename.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("latin-1")
        reader = csv.DictReader(io.StringIO(text))
        header = [h.strip() for h in reader.fieldnames or []]
        rows = [
            (reader.line_num, {k.strip(): (v or "").strip() for k, v in r.items() if k})
            for r in reader
        ]
    else:
        raise Invalid(f"file: {filename}: expected a .csv or .xlsx file", field="file")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise Invalid(f"file: {filename} lacks the columns {', '.join(missing)}", field="file")
    if len(rows) > MAX_ROWS:
        raise Invalid(f"file: {len(rows):,} rows; at most {MAX_ROWS:,} per file", field="file")
    return rows


def _seizure(row: dict[str, str]) -> dict[str, Any]:
    def opt(key: str) -> str | None:
        return row.get(key) or None

    chain: list[dict[str, Any]] = []
    if opt("origin_country"):
        chain.append({"role": "origin", "country": row["origin_country"]})
    for c in (row.get("transit_countries") or "").split(";"):
        if c.strip():
            chain.append({"role": "transit", "country": c.strip()})
    if opt("destination_country"):
        chain.append({"role": "destination", "country": row["destination_country"]})
    persons = []
    if opt("person_name"):
        persons.append({"role": row.get("person_role") or "suspect", "person": {
            "kind": row.get("person_kind") or "person", "name": row["person_name"],
            "birth_date": opt("person_birth_date"), "nationality": opt("person_nationality"),
            "id_number": opt("person_id_number")}})  # fmt: skip
    return {"reference": row.get("reference"), "seized_on": row.get("seized_on"), "country": row.get("country"),
            "place": opt("place"), "lat": opt("lat"), "lon": opt("lon"), "transport_mode": opt("transport_mode"),
            "description": opt("description"), "chain": chain, "persons": persons,
            "specimens": [{"taxon": row.get("taxon"), "commodity": row.get("commodity"),
                           "quantity": row.get("quantity"), "unit": row.get("unit"),
                           "value_usd": opt("value_usd")}]}  # fmt: skip


def _where(loc: tuple[Any, ...]) -> str:
    flat = {("specimens", 0, k): k for k in ("taxon", "commodity", "quantity", "unit", "value_usd")}
    if loc[:3] in flat:
        return flat[loc[:3]]
    if loc[:3] == ("persons", 0, "person") and len(loc) > 3:
        return f"person_{loc[3]}"
    return ".".join(str(x) for x in loc) or "row"


def import_seizures(
    session: Session, principal: Principal, content: bytes, filename: str
) -> dict[str, Any]:
    """Check every row; write all of them or none (module docstring). The caller commits."""
    require(principal.may("write"), "importing records")
    rows = read_rows(content, filename)
    checked: list[tuple[int, SeizureIn]] = []
    problems: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        try:
            item = SeizureIn.model_validate(_seizure(row))
        except ValidationError as e:
            for err in e.errors():
                problems.append(
                    {"line": line, "field": _where(tuple(err["loc"])), "message": err["msg"]}
                )
            continue
        if item.reference in seen:
            problems.append({"line": line, "field": "reference",
                             "message": f"reference {item.reference!r} is also on line {seen[item.reference]}"})  # fmt: skip
            continue
        seen[item.reference] = line
        checked.append((line, item))
    existing = set()
    refs = list(seen)
    for i in range(0, len(refs), 1000):
        existing |= set(session.execute(select(Seizure.reference).where(
            Seizure.agency_id == principal.agency_id, Seizure.reference.in_(refs[i:i + 1000]))).scalars())  # fmt: skip
    for line, item in checked:
        if item.reference in existing:
            problems.append({"line": line, "field": "reference",
                             "message": f"reference {item.reference!r} is already a seizure of your agency"})  # fmt: skip
    report: dict[str, Any] = {
        "file": filename,
        "sha256": hashlib.sha256(content).hexdigest(),
        "rows": len(rows),
    }
    if problems:
        bad_lines = len({p["line"] for p in problems})
        return {**report, "status": "rejected", "imported": 0, "rejected_rows": bad_lines,
                "problems": sorted(problems, key=lambda p: (p["line"], p["field"]))}  # fmt: skip
    import_id = uuid.uuid4().hex
    ids = [
        create_seizure(session, principal, item, import_id=import_id, audit=False).id
        for _, item in checked
    ]
    _audit.append(session, action="import", user_id=principal.user_id, agency_id=principal.agency_id,
                  record_kind="seizure", detail={"file": filename, "sha256": report["sha256"],
                                                 "import_id": import_id, "seizures": ids})  # fmt: skip
    return {**report, "status": "imported", "imported": len(ids), "rejected_rows": 0, "problems": [],
            "import_id": import_id}  # fmt: skip
