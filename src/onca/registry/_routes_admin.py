"""Routes around the records: health, who am I, agencies, agreements, bulk import, exports."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile, status
from fastapi import Path as FastPath
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import or_, select, text
from starlette.concurrency import run_in_threadpool

from onca.registry import _cases, _exports
from onca.registry._deps import PrincipalDep, SessionDep
from onca.registry._errors import Invalid, require
from onca.registry._guard import body_limit
from onca.registry._imports import ImportRunner, file_kind
from onca.registry._models import Agency, Agreement
from onca.registry._routes_records import Text, When
from onca.registry._schemas import AgreementIn
from onca.registry._seizures import agency_codes

router = APIRouter()


@router.get("/health", tags=["service"])
def health(request: Request, session: SessionDep) -> dict[str, Any]:
    """Liveness and the database: answers 200 when the database answers."""
    session.execute(text("SELECT 1")).all()
    return {
        "status": "ok",
        "database": session.get_bind().dialect.name,
        "version": request.app.version,
    }


@router.get("/me", tags=["service"])
def me(principal: PrincipalDep) -> dict[str, Any]:
    return {"user": principal.username, "agency": principal.agency_code, "role": principal.role,
            "permissions": sorted(principal.permissions)}  # fmt: skip


@router.get("/agencies", tags=["agencies"])
def agencies(session: SessionDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    rows = session.execute(select(Agency).order_by(Agency.code)).scalars()
    return [{"code": a.code, "name": a.name, "country": a.country, "kind": a.kind} for a in rows]


@router.get("/agreements", tags=["agencies"])
def agreements(session: SessionDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    """The agreements your agency grants or receives (a read: write-only tokens may not)."""
    require(principal.may("read") or principal.may("admin"), "reading agreements")
    rows = session.execute(select(Agreement).where(or_(Agreement.grantor_id == principal.agency_id,
                                                       Agreement.grantee_id == principal.agency_id))
                           .order_by(Agreement.id)).scalars()  # fmt: skip
    codes = agency_codes(session)
    return [_cases.agreement_dict(a, codes) for a in rows]


@router.post("/agreements", status_code=status.HTTP_201_CREATED, tags=["agencies"])
def add_agreement(
    body: AgreementIn, session: SessionDep, principal: PrincipalDep
) -> dict[str, Any]:
    """Share your agency's records of one kind (and chosen fields) with another agency (admins)."""
    grantor = session.get(Agency, principal.agency_id)
    assert grantor is not None  # the principal's agency exists: it was just read
    agreement = _cases.add_agreement(session, principal, grantor, body)
    session.commit()
    return _cases.agreement_dict(agreement, agency_codes(session))


@router.post("/imports/seizures", tags=["seizures"], status_code=status.HTTP_202_ACCEPTED,
             responses={201: {"description": "imported (when it finished within ?wait)"},
                        422: {"description": "the file was rejected; the report lists each bad row"}})  # fmt: skip
async def import_seizures(
    request: Request, principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="CSV or XLSX, one seizure per row")],
    wait: Annotated[float, Query(ge=0, le=60, description="seconds to wait for the result")] = 0,
) -> Any:  # fmt: skip
    """Bulk import as a job: answers 202 with the job at once (``Location: /imports/{id}``);
    poll ``GET /imports/{id}``. Every row is checked; all rows are written in one transaction,
    or none. With ``?wait=N`` the answer waits up to N seconds and, when the job is done by
    then, is 201 (imported) or 422 (rejected) with the report."""
    name = file.filename or "upload.csv"
    file_kind(name)  # a file that is neither CSV nor XLSX is refused here, without a job
    limit = body_limit(request.url.path)
    content = await file.read(limit + 1)
    if len(content) > limit:
        raise Invalid(f"file: larger than {limit:,} bytes", field="file")
    runner: ImportRunner = request.app.state.imports
    job_id = await run_in_threadpool(runner.submit, principal, content, name)
    running = runner.future(job_id)
    if wait and running is not None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(running)), wait)
    job = await run_in_threadpool(_job, request, principal, job_id)
    code = {"imported": 201, "rejected": 422, "failed": 500}.get(job["status"], 202)
    if code != 202:  # the report's fields at the top, as before jobs
        job = {**job.get("report", {}), "job": job["id"], "url": job["url"]}
    return JSONResponse(job, status_code=code, headers={"Location": f"/imports/{job_id}"})


def _job(request: Request, principal: Any, job_id: str) -> dict[str, Any]:
    with request.app.state.sessions() as session:
        return request.app.state.imports.status(session, principal, job_id)


@router.get("/imports/{job_id}", tags=["seizures"])
def import_job(
    job_id: Annotated[str, FastPath(pattern=r"^[0-9a-f]{32}$")], request: Request,
    session: SessionDep, principal: PrincipalDep,
) -> dict[str, Any]:  # fmt: skip
    """A bulk import of your agency: queued, running (with how far it is), imported,
    rejected, failed or interrupted, and its report once finished."""
    return request.app.state.imports.status(session, principal, job_id)


def _filters(
    taxon: str | None, country: str | None, date_from: Any, date_to: Any
) -> dict[str, Any]:
    return {"taxon": taxon, "country": country, "date_from": date_from, "date_to": date_to}


@router.get("/exports/seizures.csv", tags=["exports"], response_class=PlainTextResponse)
def export_csv(session: SessionDep, principal: PrincipalDep, taxon: Text = None, country: Text = None,
               date_from: When = None, date_to: When = None) -> PlainTextResponse:  # fmt: skip
    """The seizures you may see as CSV (one row per specimen), redacted as agreed."""
    body = _exports.export_csv(session, principal, **_filters(taxon, country, date_from, date_to))
    session.commit()
    return PlainTextResponse(body, media_type="text/csv")


@router.get("/exports/seizures.ftm.json", tags=["exports"], response_class=PlainTextResponse)
def export_ftm(session: SessionDep, principal: PrincipalDep, taxon: Text = None, country: Text = None,
               date_from: When = None, date_to: When = None) -> PlainTextResponse:  # fmt: skip
    """The seizures you may see as FollowTheMoney entities (JSON lines), for Aleph."""
    body = _exports.export_ftm(session, principal, **_filters(taxon, country, date_from, date_to))
    session.commit()
    return PlainTextResponse(body, media_type="application/x-ndjson")
