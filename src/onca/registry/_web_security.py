"""What the browser is told and what the console refuses: security headers on every response,
and the same-origin rule for the console's forms.

``install(app)`` adds two ASGI middlewares:

* ``SecurityHeaders``: every response gets ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy: same-origin``, ``X-Frame-Options: DENY`` and a Content-Security-Policy:
  :data:`API_POLICY` outside /console, :func:`console_policy` under it, with a fresh nonce per
  request (``request.state.csp_nonce``) that the console puts on its inline scripts. A response
  that sets its own policy (a report page, sandboxed) keeps it.
* ``SameOrigin``: a state-changing request (POST, PUT, PATCH, DELETE) under /console whose
  ``Origin`` is not the server's own, or that has no ``Origin`` but a ``Referer`` from another
  origin, is refused with a 403 page. SameSite=Strict cookies alone do not stop this: another
  port or subdomain of the same site counts as the same site.

The console's forms also carry :func:`form_token`, an HMAC of the signed-in user's cookie token,
so no server secret has to be shared between worker processes.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import secrets
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.types import Message, Receive, Scope, Send

from onca.registry._asgi import HTTPMiddleware
from onca.registry.console._i18n import Translator, choose

API_POLICY = "default-src 'none'; frame-ancestors 'none'"
REPORT_POLICY = "sandbox allow-scripts; frame-ancestors 'none'"
"""For the HTML reports served under /console/reports: an opaque origin (their inline scripts
run but cannot read the console or send its cookie), never framed."""
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_FIELD = "csrf"
_FORM_LABEL = b"onca console form v1"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def console_policy(nonce: str) -> str:
    """The console's policy: its own files, and inline scripts only with this request's nonce.

    Styles allow 'unsafe-inline': the network view's legend and the charts colour elements with
    ``style`` attributes, which a nonce cannot cover (and a nonce would switch 'unsafe-inline'
    off). Inline styles cannot run code; scripts stay nonce-only.
    """
    return (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def is_console(path: str) -> bool:
    return path == "/console" or path.startswith("/console/")


def origin_of(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL or Origin header; None for anything else
    (``null``, other schemes, a malformed port)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[parts.scheme]


def same_origin(request: Request, url: str) -> bool:
    """Whether ``url`` (an Origin or Referer) is the request's own origin, as the server sees
    it: its scheme and Host."""
    theirs = origin_of(url)
    return theirs is not None and theirs == origin_of(str(request.base_url))


def cross_site(request: Request) -> str | None:
    """Why a state-changing request is refused (the foreign Origin or Referer), else None."""
    origin = request.headers.get("origin")
    if origin is not None:
        return None if same_origin(request, origin) else f"Origin: {origin}"
    referer = request.headers.get("referer")
    if referer is not None and not same_origin(request, referer):
        return f"Referer: {referer}"
    return None


def form_token(cookie_token: str) -> str:
    """The hidden ``csrf`` field of the console's forms: HMAC-SHA256 keyed with the user's
    cookie token over a fixed label, hex. Another site can read neither."""
    return hmac.new(cookie_token.encode(), _FORM_LABEL, hashlib.sha256).hexdigest()


def form_token_matches(cookie_token: str | None, sent: object) -> bool:
    if not cookie_token or not isinstance(sent, str):
        return False
    return hmac.compare_digest(form_token(cookie_token), sent)


class CrossSiteRefused(Exception):
    """A console form without the right ``csrf`` token (raised by the console's routes)."""


def refusal(request: Request, key: str, detail: str = "") -> HTMLResponse:
    """The 403 page, in the browser's language: what was refused and what to do."""
    t = Translator(choose(None, request.headers.get("accept-language")))
    body = (
        f'<!doctype html><html lang="{t.language}"><head><meta charset="utf-8">'
        f"<title>403 · {html.escape(t('app'))}</title></head><body><main><h1>403</h1>"
        f'<p role="alert">{html.escape(t(key))}</p>'
        + (f"<p><code>{html.escape(detail)}</code></p>" if detail else "")
        + f'<p><a href="/console/">{html.escape(t("refused_back"))}</a></p></main></body></html>'
    )
    return HTMLResponse(body, status_code=403)


class SameOrigin(HTTPMiddleware):
    """Refuses state-changing /console requests sent from another origin (see module doc)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] in STATE_CHANGING and is_console(scope["path"]):
            request = Request(scope)
            why = cross_site(request)
            if why is not None:
                await refusal(request, "refused_origin", why)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class SecurityHeaders(HTTPMiddleware):
    """Adds the security headers to every response; a per-request nonce for the console."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        nonce = secrets.token_urlsafe(18)
        scope.setdefault("state", {})["csp_nonce"] = nonce
        policy = console_policy(nonce) if is_console(scope["path"]) else API_POLICY
        extra = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
            (b"content-security-policy", policy.encode()),
        ]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI) -> None:
    """Add the security headers and the console's same-origin rule to ``app``."""

    async def refused(request: Request, _: Exception) -> HTMLResponse:
        return refusal(request, "refused_form")

    app.add_exception_handler(CrossSiteRefused, refused)
    app.add_middleware(SameOrigin)
    app.add_middleware(SecurityHeaders)  # added last, so outermost: the 403 page gets them too
