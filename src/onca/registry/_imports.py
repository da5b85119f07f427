"""Bulk import of seizures from CSV or XLSX, all or nothing per file, with a per-row report,
run as a job in a process of its own.

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

Files are read with limits checked while reading, so that a small hostile file cannot make
the service do unbounded work: at most ``MAX_ROWS`` rows and ``MAX_COLUMNS`` columns; a CSV
field at most 128 KiB (Python's csv limit); an XLSX at most ``MAX_UNPACKED`` bytes once
unpacked (checked on the archive's directory before anything is parsed) and read without
trusting its declared dimensions (``<dimension ref="A1:XFD100000"/>`` once made the reader
build 1.6 billion empty cells).

``ImportRunner`` runs each import in a spawned process: ``POST /imports/seizures`` answers 202 with
the job, ``GET /imports/{id}`` tells how it stands and, once finished, its report. Jobs are
rows of ``import_jobs``, so any worker process answers for them; a running job's heartbeat
(PostgreSQL) lets a job whose server died read as ``interrupted``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import multiprocessing
import os
import threading
import uuid
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from onca.registry import _audit
from onca.registry._access import Grants
from onca.registry._auth import Principal
from onca.registry._errors import Busy, Invalid, NotFound, RegistryError, require
from onca.registry._models import ImportJob, Seizure, SeizurePerson, utcnow
from onca.registry._notify import cross_border_hits
from onca.registry._schemas import SeizureIn
from onca.registry._seizures import person_row, seizure_row

REQUIRED = ("reference", "seized_on", "country", "taxon", "commodity", "quantity", "unit")
OPTIONAL = (
    *("place", "lat", "lon", "transport_mode", "description", "value_usd", "origin_country"),
    *("transit_countries", "destination_country", "person_name", "person_kind"),
    *("person_birth_date", "person_nationality", "person_id_number", "person_role"),
)
MAX_ROWS = 100_000  # $ONCA_REGISTRY_IMPORT_MAX_ROWS
MAX_COLUMNS = 64
MAX_UNPACKED = 256 * 2**20  # $ONCA_REGISTRY_IMPORT_MAX_UNPACKED (bytes)
MAX_PROBLEMS = 1000  # listed in a report; the count is always whole
BATCH = 500  # rows written between two flushes that let the session forget what it wrote
STALE = dt.timedelta(minutes=2)  # a running job without a heartbeat for this long was interrupted
log = logging.getLogger(__name__)

Rows = list[tuple[int, dict[str, str]]]


def _setting(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else default


def _decode(content: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 by its BOM, else Latin-1 (every byte is a letter)."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise Invalid("file: starts as UTF-16 but is not valid UTF-16", field="file") from None
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def _csv_rows(
    content: bytes, filename: str
) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    # newline="" lets the csv module take CR, LF and CRLF line ends (bare CR once gave a 500)
    reader = csv.reader(io.StringIO(_decode(content), newline=""))
    # The csv module's field limit is global and some libraries raise it when imported; set it
    # here to the file's own size (the upload is already bounded), so an oversized field is
    # read and then refused by its column's own check, which names the line and the field.
    csv.field_size_limit(max(len(content), 131_072))
    try:
        first = next(reader, [])
    except csv.Error as e:
        raise Invalid(f"file: {filename} line 1: {e}", field="file") from None
    header = [h.strip() for h in first[:MAX_COLUMNS]]

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        csv.field_size_limit(max(len(content), 131_072))
        try:
            for row in reader:
                if any(v.strip() for v in row):
                    yield (
                        reader.line_num,
                        {h: v.strip() for h, v in zip(header, row, strict=False) if h},
                    )
        except csv.Error as e:  # a field over the csv module's limit, a NUL, a broken quote
            raise Invalid(f"file: {filename} line {reader.line_num}: {e}", field="file") from None

    return header, rows()


def _cell(v: Any) -> str:
    if v is None:
        return ""
    return v.isoformat()[:10] if hasattr(v, "isoformat") else str(v)


def _xlsx_rows(
    content: bytes, filename: str
) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
        unpacked = sum(info.file_size for info in parts)
        # the declared sizes bound deflate's output, but bzip2 and LZMA unpack a whole block
        # (600,000 to 1) before zipfile cuts it: Excel writes neither, so neither is read
        odd = [
            i.filename
            for i in parts
            if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
        ]
        if odd:
            raise Invalid(
                f"file: {filename}: {odd[0][:80]} is compressed in a way XLSX files are not"
                " (only stored or deflated parts are read)",
                field="file",
            )
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise Invalid(
            f"file: {filename} is not a readable XLSX workbook ({e})", field="file"
        ) from None
    most = _setting("ONCA_REGISTRY_IMPORT_MAX_UNPACKED", MAX_UNPACKED)
    if unpacked > most:
        raise Invalid(
            f"file: {filename} unpacks to {unpacked:,} bytes; at most {most:,}", field="file"
        )
    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        sheet.reset_dimensions()  # the declared size is the file's word, not a fact
        values = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        first = next(values, None)
    except Exception as e:  # openpyxl raises many kinds for a file that is not a workbook
        raise Invalid(
            f"file: {filename} is not a readable XLSX workbook ({type(e).__name__})", field="file"
        ) from None
    if first is None:
        raise Invalid(f"file: {filename} is empty", field="file")
    header = [_cell(h).strip() for h in first]

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        try:
            for i, row in enumerate(values, start=2):
                if any(v is not None and _cell(v).strip() for v in row):
                    yield i, {h: _cell(v).strip() for h, v in zip(header, row, strict=False) if h}
        except Exception as e:  # a broken sheet part: named, not a traceback
            raise Invalid(
                f"file: {filename}: the sheet cannot be read ({type(e).__name__})", field="file"
            ) from None

    return header, rows()


def file_kind(filename: str) -> str:
    """csv or xlsx, by the file's name; anything else is refused at once (no job is made)."""
    lower = filename.lower()
    for kind in ("csv", "xlsx"):
        if lower.endswith("." + kind):
            return kind
    raise Invalid(f"file: {filename[:100]}: expected a .csv or .xlsx file", field="file")


def read_rows(content: bytes, filename: str) -> Rows:
    """(line, row) pairs from a CSV (UTF-8, UTF-16 with BOM, else Latin-1) or the first sheet
    of an XLSX, with the module's limits checked while reading."""
    if file_kind(filename) == "xlsx":
        header, rows = _xlsx_rows(content, filename)
    else:
        header, rows = _csv_rows(content, filename)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise Invalid(f"file: {filename} lacks the columns {', '.join(missing)}", field="file")
    most = _setting("ONCA_REGISTRY_IMPORT_MAX_ROWS", MAX_ROWS)
    out: Rows = []
    for item in rows:
        if len(out) == most:
            raise Invalid(f"file: more than {most:,} rows; at most {most:,} per file", field="file")
        out.append(item)
    return out


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
        persons.append(
            {
                "role": row.get("person_role") or "suspect",
                "person": {
                    "kind": row.get("person_kind") or "person",
                    "name": row["person_name"],
                    "birth_date": opt("person_birth_date"),
                    "nationality": opt("person_nationality"),
                    "id_number": opt("person_id_number"),
                },
            }
        )
    return {
        "reference": row.get("reference"),
        "seized_on": row.get("seized_on"),
        "country": row.get("country"),
        "place": opt("place"),
        "lat": opt("lat"),
        "lon": opt("lon"),
        "transport_mode": opt("transport_mode"),
        "description": opt("description"),
        "chain": chain,
        "persons": persons,
        "specimens": [
            {
                "taxon": row.get("taxon"),
                "commodity": row.get("commodity"),
                "quantity": row.get("quantity"),
                "unit": row.get("unit"),
                "value_usd": opt("value_usd"),
            }
        ],
    }


def _where(loc: tuple[Any, ...]) -> str:
    flat = {("specimens", 0, k): k for k in ("taxon", "commodity", "quantity", "unit", "value_usd")}
    if loc[:3] in flat:
        return flat[loc[:3]]
    if loc[:3] == ("persons", 0, "person") and len(loc) > 3:
        return f"person_{loc[3]}"
    return ".".join(str(x) for x in loc) or "row"


Progress = Callable[[str, int], None]


def import_seizures(
    session: Session,
    principal: Principal,
    content: bytes,
    filename: str,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Check every row; write all of them or none (module docstring). The caller commits.
    ``progress(stage, rows)`` is told how far the checking and the writing are."""
    require(principal.may("write"), "importing records")
    tell = progress or (lambda _stage, _n: None)
    rows = read_rows(content, filename)
    checked: list[tuple[int, SeizureIn]] = []
    problems: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for n, (line, row) in enumerate(rows, start=1):
        if n % BATCH == 0:
            tell("checking", n)
        try:
            item = SeizureIn.model_validate(_seizure(row))
        except ValidationError as e:
            for err in e.errors():
                problems.append(
                    {"line": line, "field": _where(tuple(err["loc"])), "message": err["msg"]}
                )
            continue
        if item.reference in seen:
            problems.append(
                {
                    "line": line,
                    "field": "reference",
                    "message": f"reference {item.reference!r} is also on line {seen[item.reference]}",
                }
            )
            continue
        seen[item.reference] = line
        checked.append((line, item))
    existing = set()
    refs = list(seen)
    for i in range(0, len(refs), 1000):
        existing |= set(
            session.execute(
                select(Seizure.reference).where(
                    Seizure.agency_id == principal.agency_id,
                    Seizure.reference.in_(refs[i : i + 1000]),
                )
            ).scalars()
        )
    for line, item in checked:
        if item.reference in existing:
            problems.append(
                {
                    "line": line,
                    "field": "reference",
                    "message": f"reference {item.reference!r} is already a seizure of your agency",
                }
            )
    report: dict[str, Any] = {
        "file": filename,
        "sha256": hashlib.sha256(content).hexdigest(),
        "rows": len(rows),
    }
    if problems:
        bad_lines = len({p["line"] for p in problems})
        listed = sorted(problems, key=lambda p: (p["line"], p["field"]))
        return {
            **report,
            "status": "rejected",
            "imported": 0,
            "rejected_rows": bad_lines,
            "problem_count": len(problems),
            "problems": listed[:MAX_PROBLEMS],
        }
    import_id = uuid.uuid4().hex
    grants = Grants(session, principal)
    ids: list[int] = []
    for start in range(0, len(checked), BATCH):
        ids += _write_batch(
            session,
            principal,
            [item for _, item in checked[start : start + BATCH]],
            import_id,
            grants,
        )
        tell("writing", len(ids))
    _audit.append_for(
        session,
        principal,
        action="import",
        record_kind="seizure",
        detail={
            "file": filename,
            "sha256": report["sha256"],
            "import_id": import_id,
            "seizures": ids,
        },
    )
    return {
        **report,
        "status": "imported",
        "imported": len(ids),
        "rejected_rows": 0,
        "problem_count": 0,
        "problems": [],
        "import_id": import_id,
    }


def _write_batch(
    session: Session, principal: Principal, items: list[SeizureIn], import_id: str, grants: Grants
) -> list[int]:
    """Write checked seizures (whose persons are all new) with two flushes, each a few
    many-row INSERTs, then look for their cross-border hits; the session then forgets them,
    so that every batch costs the same."""
    people = [
        [(person_row(principal, link.person), link.role) for link in item.persons if link.person]
        for item in items
    ]
    session.add_all([p for row in people for p, _ in row])
    session.flush()
    seizures = []
    for item, row in zip(items, people, strict=True):
        seizure = seizure_row(principal, item, import_id)
        seizure.persons = [SeizurePerson(person_id=p.id, role=role) for p, role in row]
        seizures.append(seizure)
    session.add_all(seizures)
    session.flush()
    for seizure, row in zip(seizures, people, strict=True):
        cross_border_hits(session, principal, seizure, [p for p, _ in row], grants)
    ids = [s.id for s in seizures]
    session.flush()
    session.expunge_all()
    return ids


def job_dict(job: ImportJob) -> dict[str, Any]:
    status = job.status
    if status in ("queued", "running") and utcnow() - job.updated_at > STALE:
        status = "interrupted"  # no heartbeat: the server that ran it stopped
    out: dict[str, Any] = {
        "id": job.id,
        "status": status,
        "file": job.filename,
        "sha256": job.sha256,
        "bytes": job.size,
        "created_at": job.created_at.isoformat(),
        "updated_at": job.updated_at.isoformat(),
        "url": f"/imports/{job.id}",
    }
    if status == "running" and job.stage:
        out["stage"], out["rows_done"] = job.stage, job.rows_done
    if job.report:
        out["report"] = json.loads(job.report)
    return out


def _finish(session: Session, job_id: str, status: str, report: dict[str, Any]) -> None:
    session.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id)
        .values(
            status=status,
            report=json.dumps(report, ensure_ascii=False, default=str),
            updated_at=utcnow(),
        )
    )


def run_job(
    sessions: sessionmaker[Session],
    job_id: str,
    principal: Principal,
    content: bytes,
    filename: str,
) -> None:
    """Run one import job to its end and record the end in the job's row."""
    with sessions() as session:
        postgres = session.get_bind().dialect.name == "postgresql"

        def progress(stage: str, n: int) -> None:
            if postgres:  # on SQLite the import holds the only write lock: no progress rows
                with sessions() as other:
                    other.execute(
                        update(ImportJob)
                        .where(ImportJob.id == job_id)
                        .values(stage=stage, rows_done=n, updated_at=utcnow())
                    )
                    other.commit()

        session.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id)
            .values(status="running", stage="reading", rows_done=0, updated_at=utcnow())
        )
        session.commit()
        try:
            report = import_seizures(session, principal, content, filename, progress)
        except RegistryError as e:  # the file as a whole is refused (limits, format)
            session.rollback()
            report = {
                "file": filename,
                "status": "rejected",
                "imported": 0,
                "rows": None,
                "problem_count": 1,
                "problems": [{"line": None, "field": e.field or "file", "message": str(e)}],
            }
        if report["status"] != "imported":
            session.rollback()
        # the job's end is written in the import's own transaction: both or neither
        _finish(session, job_id, report["status"], report)
        session.commit()


MAX_MEMORY = 4 * 2**30  # $ONCA_REGISTRY_IMPORT_MAX_MEMORY (bytes of address space)
MAX_QUEUED = 4  # $ONCA_REGISTRY_IMPORT_MAX_QUEUED: imports waiting or running per server process


def _child(url: str, job_id: str, principal: Principal, content: bytes, filename: str) -> None:
    """The import process: its own engine on the same database, and a cap on its memory, so
    that a file that slipped past every other limit fails its own job, not the host."""
    import resource

    from onca.registry._db import make_engine, session_factory

    cap = _setting("ONCA_REGISTRY_IMPORT_MAX_MEMORY", MAX_MEMORY)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    logging.basicConfig(level=logging.WARNING)
    engine = make_engine(url, pool_size=1)
    try:
        run_job(session_factory(engine), job_id, principal, content, filename)
    finally:
        engine.dispose()


class ImportRunner:
    """Runs bulk imports, each in a process of its own (spawned, so it shares no lock or
    connection with the server), at most ``workers`` at a time, and keeps the jobs.

    In its own process an import cannot slow the server's answers: in a thread of the server
    it held Python's global interpreter lock through each batch of writes, and ``/health``
    waited up to 0.7 s (benchmarks/RESULTS.md). A thread of the server waits for each process
    and records a failure if the process dies without finishing."""

    def __init__(self, url: str, sessions: sessionmaker[Session], workers: int = 1) -> None:
        self._url = url
        self._sessions = sessions
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="onca-import")
        self._futures: dict[str, Future[None]] = {}
        self._lock = threading.Lock()
        self._beating = threading.Event()
        with sessions() as session:
            self._sqlite = session.get_bind().dialect.name == "sqlite"
            if self._sqlite:  # one process serves SQLite: its unfinished jobs died with it
                session.execute(
                    update(ImportJob)
                    .where(ImportJob.status.in_(("queued", "running")))
                    .values(status="interrupted", updated_at=utcnow())
                )
                session.commit()

    def submit(self, principal: Principal, content: bytes, filename: str) -> str:
        require(principal.may("write"), "importing records")
        with self._lock:
            if len(self._futures) >= _setting("ONCA_REGISTRY_IMPORT_MAX_QUEUED", MAX_QUEUED):
                raise Busy("file: too many imports are waiting; try again when one has finished")
        job = ImportJob(
            id=uuid.uuid4().hex,
            agency_id=principal.agency_id,
            user_id=principal.user_id,
            filename=filename[:255],
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            status="queued",
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        with self._sessions() as session:
            session.add(job)
            session.commit()
        with self._lock:
            self._futures[job.id] = self._pool.submit(
                self._run, job.id, principal, content, filename
            )
        self._heartbeat()
        return job.id

    def future(self, job_id: str) -> Future[None] | None:
        with self._lock:
            return self._futures.get(job_id)

    def status(self, session: Session, principal: Principal, job_id: str) -> dict[str, Any]:
        # reports quote the file's values: for the agency's importers, not all its readers
        require(principal.may("write"), "reading import jobs")
        job = session.execute(
            select(ImportJob).where(
                ImportJob.id == job_id, ImportJob.agency_id == principal.agency_id
            )
        ).scalar_one_or_none()
        if job is None:
            raise NotFound(f"no import {job_id} of your agency")
        return job_dict(job)

    def _run(self, job_id: str, principal: Principal, content: bytes, filename: str) -> None:
        try:
            process = multiprocessing.get_context("spawn").Process(
                target=_child,
                args=(self._url, job_id, principal, content, filename),
                name=f"onca-import-{job_id[:8]}",
            )
            process.start()
            process.join()
            with self._sessions() as session:
                left = session.execute(
                    select(ImportJob.status).where(ImportJob.id == job_id)
                ).scalar_one()
                if left in ("queued", "running"):  # the process died before it could say so
                    log.error(
                        "bulk import %s: its process ended with code %s", job_id, process.exitcode
                    )
                    _finish(
                        session,
                        job_id,
                        "failed",
                        {
                            "file": filename,
                            "status": "failed",
                            "imported": 0,
                            "message": "the import failed on the server; nothing of it was written",
                        },
                    )
                    session.commit()
        finally:
            with self._lock:
                self._futures.pop(job_id, None)

    def _heartbeat(self) -> None:
        """On PostgreSQL, a thread marks this process's unfinished jobs alive every 15 s while
        there are any (on SQLite the import holds the only write lock; see __init__)."""
        with self._lock:
            if self._sqlite or self._beating.is_set():
                return
            self._beating.set()

        def beat() -> None:
            try:
                while True:
                    with self._lock:
                        pending = list(self._futures)
                        if not pending:
                            self._beating.clear()
                            return
                    with self._sessions() as session:
                        session.execute(
                            update(ImportJob)
                            .where(
                                ImportJob.id.in_(pending),
                                ImportJob.status.in_(("queued", "running")),
                            )
                            .values(updated_at=utcnow())
                        )
                        session.commit()
                    threading.Event().wait(15)
            except Exception:
                log.exception("import heartbeat stopped")
                self._beating.clear()

        threading.Thread(target=beat, name="onca-import-heartbeat", daemon=True).start()
