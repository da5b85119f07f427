"""Bulk import of seizures as jobs, each run in a process of its own (``_imports``)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile, status
from fastapi import Path as FastPath
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from onca.registry._auth import Principal
from onca.registry._deps import PrincipalDep, SessionDep
from onca.registry._errors import Invalid
from onca.registry._guard import body_limit
from onca.registry._imports import ImportRunner, file_kind
from onca.registry._responses import ImportJob, ImportResult

router = APIRouter(tags=["seizures"])
Upload = Annotated[UploadFile, File(description="CSV or XLSX, one seizure per row")]
Wait = Annotated[float, Query(ge=0, le=60, description="seconds to wait for the result")]
JobId = Annotated[str, FastPath(pattern=r"^[0-9a-f]{32}$")]
FINISHED: dict[int | str, dict[str, Any]] = {
    201: {"description": "imported (when it finished within ?wait)", "model": ImportResult},
    422: {"description": "the file was rejected; the report lists each bad row"},
}


@router.post(
    "/imports/seizures",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ImportJob,
    responses=FINISHED,
)
async def import_seizures(
    request: Request, principal: PrincipalDep, file: Upload, wait: Wait = 0
) -> JSONResponse:
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


def _job(request: Request, principal: Principal, job_id: str) -> dict[str, Any]:
    with request.app.state.sessions() as session:
        return request.app.state.imports.status(session, principal, job_id)


@router.get("/imports/{job_id}", response_model=ImportJob, response_model_exclude_unset=True)
def import_job(
    job_id: JobId, request: Request, session: SessionDep, principal: PrincipalDep
) -> dict[str, Any]:
    """A bulk import of your agency: queued, running (with how far it is), imported,
    rejected, failed or interrupted, and its report once finished."""
    return request.app.state.imports.status(session, principal, job_id)
