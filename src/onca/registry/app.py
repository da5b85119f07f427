"""The registry's web application: wires the routers, the database and the error handlers.

    from onca.registry.app import create_app
    app = create_app("postgresql://onca@db/onca")

Errors are answered with the status they mean and, like FastAPI's own validation errors, a
``detail`` list of ``{loc, msg, type}`` naming the field; the service never answers 500 for
bad input (a database refusal of a value is a 422, a clash a 409).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from onca import __version__
from onca.registry import _web_security
from onca.registry._audit import load_key
from onca.registry._auth import Authenticator
from onca.registry._db import make_engine, migrate, session_factory
from onca.registry._errors import RegistryError
from onca.registry._guard import RequestGuard
from onca.registry._imports import ImportRunner
from onca.registry._routes import (
    agencies,
    alerts,
    cases,
    exports,
    imports,
    notes,
    persons,
    seizures,
    service,
)
from onca.registry.console import STATIC as console_static
from onca.registry.console._routes import router as console_router
from onca.registry.console._session import SignIn, redirect_to_signin

ROUTERS = (service, agencies, seizures, persons, cases, notes, alerts, imports, exports)


BUSY = "the database is busy or not answering; try again shortly"
CLASH = "the record clashes with one that exists (a reference already used?)"


def _located(err: Any) -> dict[str, Any]:
    """A validation error's place, message and kind (never the input)."""
    loc = [x if isinstance(x, int) else str(x) for x in err.get("loc", ())]
    return {
        "loc": loc,
        "msg": str(err.get("msg", "invalid")),
        "type": str(err.get("type", "invalid")),
    }


def _error(status: int, field: str | None, message: str, kind: str) -> JSONResponse:
    loc = ["body", *field.split(".")] if field else ["body"]
    return JSONResponse(
        {"detail": [{"loc": loc, "msg": message, "type": kind}]}, status_code=status
    )


def create_app(
    db: str | Engine | None = None, *, upgrade: bool = True, reports: str | Path | None = None
) -> FastAPI:
    """The application on ``db`` (URL or engine; default ``$ONCA_REGISTRY_DB`` or SQLite).
    ``reports`` is a folder of HTML reports the console lists (default
    ``$ONCA_REGISTRY_REPORTS``)."""
    load_key()  # a configured audit key that cannot be read stops the start, loudly
    engine = db if isinstance(db, Engine) else make_engine(db)
    if upgrade:
        migrate(engine)
    app = FastAPI(
        title="Onca registry",
        version=__version__,
        docs_url=None,  # the interactive pages load their assets from a CDN; no network here
        redoc_url=None,
        description="The multi-agency register of wildlife seizures and cases, with controlled"
        " sharing between agencies. Authenticate with 'Authorization: Bearer onca_...'.",
    )
    app.add_middleware(RequestGuard)
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.auth = Authenticator()
    app.state.imports = ImportRunner(
        engine.url.render_as_string(hide_password=False), app.state.sessions
    )
    folder = reports or os.environ.get("ONCA_REGISTRY_REPORTS")
    app.state.reports = Path(folder) if folder else None
    for area in ROUTERS:
        app.include_router(area.router)
    app.include_router(console_router)
    app.mount("/console/static", StaticFiles(directory=Path(console_static)), name="console-static")

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/console/")

    app.add_exception_handler(SignIn, redirect_to_signin)

    @app.exception_handler(RegistryError)
    async def registry_error(_: Request, e: RegistryError) -> JSONResponse:
        return _error(e.status, e.field, str(e), type(e).__name__.lower())

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, e: RequestValidationError) -> JSONResponse:
        # where and why, not the input: echoing what the client sent can fail to encode
        # (NaN, surrogates) and would repeat hostile text
        detail = [_located(err) for err in e.errors()]
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(OperationalError)
    async def busy(_: Request, e: OperationalError) -> JSONResponse:
        response = _error(503, None, BUSY, "database_busy")
        response.headers["Retry-After"] = "2"
        return response

    @app.exception_handler(DataError)
    async def data_error(_: Request, e: DataError) -> JSONResponse:
        return _error(
            422, None, f"the database refused a value: {str(e.orig).splitlines()[0]}", "data_error"
        )

    @app.exception_handler(IntegrityError)
    async def integrity_error(_: Request, e: IntegrityError) -> JSONResponse:
        return _error(409, None, CLASH, "conflict")

    _web_security.install(app)
    return app


def app_from_environment() -> Any:
    """For ``uvicorn --factory onca.registry.app:app_from_environment`` (reads ONCA_REGISTRY_DB)."""
    return create_app()
