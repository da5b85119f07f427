"""Bulk import in the console: upload a CSV or XLSX of seizures (``/imports``), then read the
job (``/imports/{id}``): the counts (rows = rows that check + rows rejected; imported all or
none) and each rejected row with its line, field and the importer's reason, also as a CSV.

The upload goes to the API's import runner (``_imports.ImportRunner``: the same checks, the
same process with a memory cap, the same job rows and audit link), under the API's upload
limit (``_guard.body_limit``, which counts this path as an upload). Only editors and admins
may import, and a job is read only by its agency's importers, as in the API.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from onca.registry._deps import SessionDep
from onca.registry._errors import RegistryError
from onca.registry._guard import body_limit
from onca.registry._import_report import rejects_csv, tally
from onca.registry._imports import OPTIONAL, REQUIRED, ImportRunner, file_kind
from onca.registry.console._session import ConsoleUser, page

router = APIRouter()
UPLOAD = "/console/imports"
WAIT = 20.0  # seconds the upload waits for its job before showing it as running
JobId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{32}$")]


def _form(
    request: Request, session: SessionDep, me: ConsoleUser, error: str | None, status: int = 200
) -> Response:
    if not me.may("write"):
        return page(request, session, me, "not_allowed.html", status=403)
    return page(
        request,
        session,
        me,
        "import_form.html",
        status=status,
        nav="imports",
        error=error,
        required=REQUIRED,
        optional=OPTIONAL,
        limit_mib=body_limit(UPLOAD) / 2**20,
    )


@router.get("/imports", response_class=HTMLResponse)
def import_form(request: Request, session: SessionDep, me: ConsoleUser) -> Response:
    return _form(request, session, me, None)


@router.post("/imports", response_class=HTMLResponse)
async def upload(request: Request, session: SessionDep, me: ConsoleUser) -> Response:
    if not me.may("write"):
        return page(request, session, me, "not_allowed.html", status=403)
    sent = (await request.form()).get("file")
    if not isinstance(sent, UploadFile) or not sent.filename:
        return _form(request, session, me, "import_no_file", 422)
    name = sent.filename
    limit = body_limit(request.url.path)
    content = await sent.read(limit + 1)
    try:
        file_kind(name)
        if len(content) > limit:  # the guard refuses a larger body; this is the file alone
            return _form(request, session, me, "import_too_large", 413)
        runner: ImportRunner = request.app.state.imports
        job_id = await run_in_threadpool(runner.submit, me, content, name)
    except RegistryError as e:
        key = {403: "not_allowed", 429: "import_busy"}.get(e.status, "import_not_csv_or_xlsx")
        return _form(request, session, me, key, e.status)
    running = runner.future(job_id)
    if running is not None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(running)), WAIT)
    return RedirectResponse(f"/console/imports/{job_id}", status_code=303)


@router.get("/imports/template.csv")
def template(me: ConsoleUser) -> Response:
    """An empty import file: the header row, required columns first."""
    return Response(
        ",".join((*REQUIRED, *OPTIONAL)) + "\n",
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="seizures-import.csv"'},
    )


def _job(
    request: Request, session: SessionDep, me: ConsoleUser, job_id: str
) -> dict[str, Any] | Response:
    """The import job ``job_id`` as the user may see it, or the page that answers instead: 403
    for a role that may not write, 404 for a job that is not theirs or not there."""
    if not me.may("write"):
        return page(request, session, me, "not_allowed.html", status=403)
    try:
        job: dict[str, Any] = request.app.state.imports.status(session, me, job_id)
    except RegistryError:
        return page(request, session, me, "missing.html", status=404)
    session.commit()
    return job


@router.get("/imports/{job_id}", response_class=HTMLResponse)
def import_job(request: Request, session: SessionDep, me: ConsoleUser, job_id: JobId) -> Response:
    job = _job(request, session, me, job_id)
    if isinstance(job, Response):
        return job
    report = job.get("report") or {}
    return page(
        request,
        session,
        me,
        "import_job.html",
        nav="imports",
        job=job,
        report=report,
        counts=tally(report) if report else None,
    )


@router.get("/imports/{job_id}/rejects.csv")
def rejects(request: Request, session: SessionDep, me: ConsoleUser, job_id: JobId) -> Response:
    job = _job(request, session, me, job_id)
    if isinstance(job, Response):
        return job
    return Response(
        rejects_csv(job.get("report") or {}),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="rejects-{job_id[:8]}.csv"'},
    )
