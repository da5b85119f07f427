"""What the service does with a request before any route sees it.

- **Size first.** A request body may hold at most ``$ONCA_REGISTRY_MAX_BODY`` bytes (1 MiB),
  a bulk-import upload (``/imports/...``, the console's ``/console/imports``)
  ``$ONCA_REGISTRY_MAX_UPLOAD`` (50 MiB). A declared ``Content-Length`` over the limit is
  refused with 413 before a byte is read; a body without one is counted as it arrives and
  refused the moment it passes the limit. Nothing is parsed, spooled to disk or kept in memory
  beyond the limit.
- **Who, before what.** An API request that carries a body (POST, PUT, PATCH, DELETE outside
  ``/console``) must show a valid token before its body is read: a stranger's upload costs
  the service nothing but the headers. (The console checks its cookie and form token itself.)
- **JSON that is not data.** ``NaN``, ``Infinity`` and lone UTF-16 surrogates (``"\\ud800"``)
  are accepted by Python's JSON reader but are not JSON numbers or Unicode text; they are
  refused with 422 naming where they are, instead of failing deep in the database or in the
  error handler.
- **Reads do not lock.** A GET or HEAD marks its context as reading, so that on SQLite its
  transactions do not take the write lock (``onca.registry._db.reading_request``).
"""

from __future__ import annotations

import json
import os
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send

from onca.registry._asgi import HTTPMiddleware
from onca.registry._auth import AuthError
from onca.registry._db import reading_request
from onca.registry._web_security import is_console

MAX_BODY = 2**20
MAX_UPLOAD = 50 * 2**20
READING = frozenset({"GET", "HEAD", "OPTIONS"})


def _limit(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else default


def body_limit(path: str) -> int:
    """The largest body accepted on ``path``, in bytes."""
    if path.startswith("/imports/") or path == "/console/imports":  # the API's and the console's
        return _limit("ONCA_REGISTRY_MAX_UPLOAD", MAX_UPLOAD)
    return _limit("ONCA_REGISTRY_MAX_BODY", MAX_BODY)


def refusal(
    status: int,
    message: str,
    kind: str,
    loc: list[Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    return JSONResponse(
        {"detail": [{"loc": loc or ["body"], "msg": message, "type": kind}]},
        status_code=status,
        headers=headers,
    )


class _NotANumber(ValueError):
    pass


def _no_constants(name: str) -> Any:
    raise _NotANumber(name)


def _surrogate_at(value: Any) -> list[Any] | None:
    """The location of the first string (or key) holding a lone surrogate, walking iteratively."""
    stack: list[tuple[list[Any], Any]] = [(["body"], value)]
    while stack:
        loc, item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return loc
        elif isinstance(item, dict):
            for key, sub in item.items():
                stack.append(([*loc, key], key))
                stack.append(([*loc, key], sub))
        elif isinstance(item, list):
            stack.extend(([*loc, i], sub) for i, sub in enumerate(item))
    return None


def _printable(part: Any) -> Any:
    """A location part as the answer can carry it (a key may hold the surrogate itself)."""
    if isinstance(part, int):
        return part
    return str(part).encode("utf-8", "backslashreplace").decode("utf-8")


def json_problem(body: bytes) -> Response | None:
    """A 422 for JSON that parses in Python but is not data; None for everything else
    (malformed JSON is left to the route, which names it)."""
    try:
        value = json.loads(body, parse_constant=_no_constants)
    except _NotANumber as e:
        return refusal(422, f"{e} is not a JSON number: send finite numbers", "json_invalid")
    except RecursionError:
        return refusal(422, "the JSON is nested too deeply", "json_invalid")
    except ValueError:  # malformed, or bytes that are not text: the route's parser says so
        return None
    where = _surrogate_at(value)
    if where is not None:
        return refusal(
            422,
            "text holds a lone UTF-16 surrogate (such as \\ud800), which is not Unicode",
            "string_unicode",
            [_printable(x) for x in where],
        )
    return None


def _token_refusal(scope: Scope) -> Response | None:
    app = scope["app"]
    headers = Headers(scope=scope)
    client = scope["client"][0] if scope.get("client") else "unknown"
    session = app.state.sessions()
    try:
        principal = app.state.auth.authenticate(session, headers.get("authorization"), client)
        if scope["path"].startswith("/imports/") and not principal.may("write"):
            return refusal(403, "your role or token does not allow importing records", "forbidden")
    except AuthError as e:
        extra = {"WWW-Authenticate": "Bearer"}
        if e.retry_after:
            extra["Retry-After"] = str(e.retry_after)
        return JSONResponse({"detail": str(e)}, status_code=e.status, headers=extra)
    finally:
        session.rollback()
        session.close()
    return None


class RequestGuard(HTTPMiddleware):
    """The ASGI middleware that applies the module's rules."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] in READING:
            reading_request()
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        limit = body_limit(path)
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            too = refusal(
                413,
                f"the body is larger than {limit:,} bytes (Content-Length"
                f" {declared[:20]}); see docs/security.md for the limits",
                "too_large",
            )
            await too(scope, receive, send)
            return
        if not is_console(path):  # the console checks its cookie and form token itself
            refused = await run_in_threadpool(_token_refusal, scope)
            if refused is not None:
                await refused(scope, receive, send)
                return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > limit:
                too = refusal(413, f"the body is larger than {limit:,} bytes", "too_large")
                await too(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        if "json" in headers.get("content-type", "").lower() and body:
            problem = json_problem(bytes(body))
            if problem is not None:
                await problem(scope, receive, send)
                return
        await self.app(scope, _replay(bytes(body), receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again
