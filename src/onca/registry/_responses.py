"""What the API answers: one pydantic model per JSON payload, so that ``/openapi.json`` describes
every response and a route cannot answer a shape its model does not declare.

The models mirror the dicts the record functions build (``_seizures.seizure_dict``,
``_cases.case_dict``...). They forbid extra keys: a key added to a dict but not to its model is a
failed response in the tests, not a field silently dropped. A field that sharing agreements may
withhold is nullable and is named in the record's ``redacted`` list when withheld. Dates are ISO
8601 strings (``YYYY-MM-DD``), times ISO 8601 strings in UTC without an offset, as stored.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Health(Out):
    status: str = Field(description="'ok' when the database answered")
    database: str = Field(description="the database's dialect: postgresql or sqlite")
    version: str


class Me(Out):
    user: str
    agency: str
    role: str
    permissions: list[str]


class AgencyOut(Out):
    code: str
    name: str
    country: str
    kind: str


class AgreementOut(Out):
    id: int
    grantor: str | None = Field(description="the agency code that shares")
    grantee: str | None = Field(description="the agency code that is shared with")
    record_kind: str
    fields: list[str] | None = Field(description="the fields shared; null = every shareable field")
    valid_from: str
    valid_until: str | None


class Created(Out):
    """A record written by a token that may not read it back: only its id."""

    id: int


class Redacted(Out):
    redacted: list[str] = Field(description="the fields withheld by the sharing agreements")


class ChainLegOut(Out):
    role: str
    country: str
    share: float | None
    custody: bool | None


class SpecimenOut(Out):
    taxon: str
    commodity: str
    quantity: float
    unit: str
    value_usd: float | None


class SeizurePersonOut(Out):
    person_id: int
    role: str


class SeizureOut(Redacted):
    id: int
    agency: str | None
    reference: str | None
    seized_on: str | None
    country: str | None
    place: str | None
    lat: float | None
    lon: float | None
    transport_mode: str | None
    description: str | None
    chain: list[ChainLegOut] | None
    specimens: list[SpecimenOut] | None
    persons: list[SeizurePersonOut] | None
    created_at: str
    updated_at: str


class SeizurePage(Out):
    total: int = Field(description="seizures matching, over all pages")
    limit: int
    offset: int
    items: list[SeizureOut]


class PersonOut(Redacted):
    id: int
    agency: str | None
    kind: str | None
    name: str | None
    birth_date: str | None
    nationality: str | None
    id_number: str | None
    address: str | None
    phone: str | None


class EvidenceOut(Out):
    id: int
    kind: str
    description: str
    sha256: str | None
    location: str | None
    collected_on: str | None


class CaseOut(Redacted):
    id: int
    agency: str | None
    reference: str | None
    title: str | None
    status: str | None
    opened_on: str | None
    charges: list[str] | None
    verdict: str | None
    penalties: str | None
    seizures: list[int] | None = Field(description="the ids of the case's seizures")
    evidence: list[EvidenceOut] | None
    updated_at: str


class NoteOut(Redacted):
    id: int
    agency: str | None
    record_kind: str | None
    record_id: int | None
    text: str | None
    created_at: str


class NotificationOut(Out):
    id: int
    kind: str
    message: str
    detail: dict[str, Any] = Field(description="what matched: the records and the rule")
    created_at: str


class AlertOut(Out):
    id: int
    typology: str
    severity: str
    subject: str
    party: str | None
    score: float
    evidence: str
    status: str = Field(description="open, accepted or dismissed")
    reason: str | None
    triaged_at: str | None


class Problem(Out):
    line: int | None = Field(description="the file's line (null: the file as a whole)")
    field: str
    message: str


class ImportReport(Out):
    """A finished import's report. Keys appear only where they apply (an answer leaves out the
    ones not set): ``import_id`` once imported, ``message`` when the server failed."""

    file: str | None = None
    sha256: str | None = None
    rows: int | None = None
    status: str | None = None
    imported: int | None = None
    rejected_rows: int | None = None
    problem_count: int | None = None
    problems: list[Problem] | None = None
    import_id: str | None = None
    message: str | None = None


class ImportJob(Out):
    """A bulk import job; ``stage`` and ``rows_done`` while running, ``report`` once finished."""

    id: str
    status: str = Field(description="queued, running, imported, rejected, failed or interrupted")
    file: str | None
    sha256: str | None
    bytes: int | None
    created_at: str
    updated_at: str
    url: str
    stage: str | None = None
    rows_done: int | None = None
    report: ImportReport | None = None


class ImportResult(ImportReport):
    """The answer of an import that finished within ``?wait``: its report and its job."""

    job: str
    url: str
