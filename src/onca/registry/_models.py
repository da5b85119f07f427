"""The registry's tables (SQLAlchemy 2): agencies, users and their API tokens, sharing
agreements, seizures with their trade chain and specimens, persons and companies, cases with
evidence metadata, notes, notifications and the audit log.

Every record belongs to one agency (``agency_id``). Times are UTC; dates are calendar dates;
countries ISO 3166-1 alpha-2; quantities decimals with their unit. The schema is created and
changed by Alembic migrations only (``migrations/``), never by ``create_all``, so that a
deployed database and a test database are the same.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

AGENCY_KINDS = ("police", "customs", "wildlife", "fiu", "prosecutor", "ngo")
ROLES = ("viewer", "analyst", "editor", "admin")
RECORD_KINDS = ("seizure", "person", "case", "note")
CHAIN_ROLES = ("origin", "export", "transit", "destination", "discovery")
CASE_STATUSES = ("investigation", "prosecution", "verdict", "closed")
PERSON_KINDS = ("person", "company")

# The fields an agreement can share, per record kind; the rest of a record is its identity
# (id, agency, kind of record), always shown when the record is shared at all.
SHAREABLE_FIELDS = {
    "seizure": (
        "reference",
        "seized_on",
        "country",
        "place",
        "lat",
        "lon",
        "transport_mode",
        "description",
        "chain",
        "specimens",
        "persons",
    ),
    "person": ("kind", "name", "birth_date", "nationality", "id_number", "address", "phone"),
    "case": (
        "reference",
        "title",
        "status",
        "opened_on",
        "charges",
        "verdict",
        "penalties",
        "seizures",
        "evidence",
    ),
    "note": ("record_kind", "record_id", "text"),
}
PERSONAL_FIELDS = {
    "seizure": ("persons",),
    "person": SHAREABLE_FIELDS["person"],
    "case": (),
    "note": (),
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


ID = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements INTEGER keys only


class Base(DeclarativeBase):
    pass


class Agency(Base):
    __tablename__ = "agencies"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    language: Mapped[str | None] = mapped_column(String(5))  # None: follow the browser
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    agency: Mapped[Agency] = relationship(lazy="joined")


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_id: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Agreement(Base):
    """The grantor shares its records of ``record_kind`` with the grantee: the listed
    ``fields`` (JSON list; null = every shareable field) from ``valid_from`` to ``valid_until``."""

    __tablename__ = "agreements"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    grantor_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    grantee_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    record_kind: Mapped[str] = mapped_column(String(20))
    fields: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Seizure(Base):
    __tablename__ = "seizures"
    __table_args__ = (UniqueConstraint("agency_id", "reference", name="uq_seizure_reference"),)
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    reference: Mapped[str] = mapped_column(String(80))
    seized_on: Mapped[dt.date] = mapped_column(Date, index=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    place: Mapped[str | None] = mapped_column(String(200))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    transport_mode: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    import_id: Mapped[str | None] = mapped_column(String(40), index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    chain: Mapped[list[ChainLeg]] = relationship(
        cascade="all, delete-orphan", order_by="ChainLeg.position", lazy="selectin"
    )
    specimens: Mapped[list[Specimen]] = relationship(
        cascade="all, delete-orphan", order_by="Specimen.id", lazy="selectin"
    )
    persons: Mapped[list[SeizurePerson]] = relationship(
        cascade="all, delete-orphan", order_by="SeizurePerson.person_id", lazy="selectin"
    )


class ChainLeg(Base):
    """One step of a seizure's trade chain, as TRAFFIC's ETIS records it: origin (with its
    share of the specimens), export, transit (with whether the goods were in custody there),
    destination, and the place of discovery."""

    __tablename__ = "chain_legs"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    seizure_id: Mapped[int] = mapped_column(
        ForeignKey("seizures.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    share: Mapped[float | None] = mapped_column(Float)
    custody: Mapped[bool | None] = mapped_column(Boolean)


class Specimen(Base):
    __tablename__ = "specimens"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    seizure_id: Mapped[int] = mapped_column(
        ForeignKey("seizures.id", ondelete="CASCADE"), index=True
    )
    taxon: Mapped[str] = mapped_column(String(200), index=True)
    commodity: Mapped[str] = mapped_column(String(100))
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20))
    value_usd: Mapped[float | None] = mapped_column(Float)


class Person(Base):
    """A person or company named in an agency's records (all of its fields are personal data)."""

    __tablename__ = "persons"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str | None] = mapped_column(String(200), index=True)
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    nationality: Mapped[str | None] = mapped_column(String(2))
    id_number: Mapped[str | None] = mapped_column(String(80))
    id_key: Mapped[str | None] = mapped_column(String(80), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(40))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SeizurePerson(Base):
    __tablename__ = "seizure_persons"
    seizure_id: Mapped[int] = mapped_column(
        ForeignKey("seizures.id", ondelete="CASCADE"), primary_key=True
    )
    # indexed on its own: "the seizures naming this person" must not scan the table
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(40))


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("agency_id", "reference", name="uq_case_reference"),)
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    reference: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    opened_on: Mapped[dt.date] = mapped_column(Date)
    charges: Mapped[str | None] = mapped_column(Text)  # JSON list of charges
    verdict: Mapped[str | None] = mapped_column(Text)
    penalties: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    seizures: Mapped[list[CaseSeizure]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    evidence: Mapped[list[Evidence]] = relationship(
        cascade="all, delete-orphan", order_by="Evidence.id", lazy="selectin"
    )


class CaseSeizure(Base):
    __tablename__ = "case_seizures"
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    seizure_id: Mapped[int] = mapped_column(ForeignKey("seizures.id"), primary_key=True, index=True)


class Evidence(Base):
    """Metadata about a piece of evidence (the item itself stays in the agency's custody)."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))
    location: Mapped[str | None] = mapped_column(String(200))
    collected_on: Mapped[dt.date | None] = mapped_column(Date)


class Note(Base):
    __tablename__ = "notes"
    __table_args__ = (Index("ix_notes_record", "record_kind", "record_id"),)
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    record_kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Notification(Base):
    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text)  # JSON
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Alert(Base):
    """A screening alert given to an agency for triage (imported from an Onca workspace):
    open until someone accepts or dismisses it, with a reason."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("agency_id", "source_id", name="uq_alert_source"),)
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    source_id: Mapped[str] = mapped_column(String(80))
    typology: Mapped[str] = mapped_column(String(80))
    severity: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(120))
    party: Mapped[str | None] = mapped_column(String(120))
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    triaged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    triaged_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AuditEntry(Base):
    """One link of the audit hash chain: ``hash = sha256(prev_hash + canonical entry)``, or the
    HMAC-SHA256 of the same under a key kept outside the database when ``keyed``."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=False)
    ts: Mapped[dt.datetime] = mapped_column(DateTime)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    agency_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(40))
    record_kind: Mapped[str | None] = mapped_column(String(20))
    record_id: Mapped[str | None] = mapped_column(String(80))
    detail: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    keyed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class AuditHead(Base):
    """One row: the last link of the chain. Writers lock it, so links are appended one at a time."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class ImportJob(Base):
    """A bulk import: queued, running, then imported, rejected or failed, with its report.
    ``updated_at`` is the running job's heartbeat (PostgreSQL), so a job whose server died
    reads as interrupted."""

    __tablename__ = "import_jobs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20))
    stage: Mapped[str | None] = mapped_column(String(20))  # reading, checking, writing
    rows_done: Mapped[int | None] = mapped_column(Integer)
    report: Mapped[str | None] = mapped_column(Text)  # JSON, once finished
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
