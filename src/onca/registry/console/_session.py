"""Who is signed in to the console, and how its pages are drawn.

Signing in stores the user's API token in an HttpOnly, SameSite=Strict cookie scoped to
/console. ``ConsoleUser`` is the dependency of every page but the sign-in: the principal of that
token, or ``SignIn``, which the application answers with a redirect to the sign-in page
(``redirect_to_signin``). SameSite alone does not stop another port or subdomain of the same
site from posting forms in the user's name, so every form also carries a ``csrf`` token derived
from the cookie, checked by ``check_form_token`` for every POST but the sign-in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import jinja2
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from onca.registry import _web_security
from onca.registry._auth import AuthError, Principal
from onca.registry._deps import SessionDep
from onca.registry._models import User
from onca.registry.console._i18n import LANGUAGES, Translator, catalogue, choose

COOKIE = "onca_console"
SIGNIN = "/console/signin"
_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


async def check_form_token(request: Request) -> None:
    """Every state-changing console request but the sign-in carries the signed-in user's form
    token in its ``csrf`` field (another site can neither read nor compute it)."""
    if request.method not in _web_security.STATE_CHANGING or request.url.path == SIGNIN:
        return
    sent = (await request.form()).get(_web_security.FORM_FIELD)
    if not _web_security.form_token_matches(request.cookies.get(COOKIE), sent):
        raise _web_security.CrossSiteRefused


class SignIn(Exception):
    """No valid token in the cookie: the page answers with the sign-in form."""


def signed_in(request: Request, session: SessionDep) -> Principal:
    """The principal of the console cookie's token; ``SignIn`` when there is none or it is not
    valid (unknown, revoked, expired, its user inactive, or refused for too many tries)."""
    token = request.cookies.get(COOKIE)
    if not token:
        raise SignIn
    client = request.client.host if request.client else "-"
    try:
        principal: Principal = request.app.state.auth.authenticate(
            session, f"Bearer {token}", client
        )
    except AuthError:
        raise SignIn from None
    session.rollback()  # end the read transaction the token lookup opened
    return principal


ConsoleUser = Annotated[Principal, Depends(signed_in)]


async def redirect_to_signin(request: Request, _: Exception) -> RedirectResponse:
    """The answer to ``SignIn``: the sign-in page, which comes back here once signed in."""
    return RedirectResponse(f"{SIGNIN}?next={request.url.path}", status_code=303)


def translator(request: Request, session: Session, me: Principal | None) -> Translator:
    """The user's chosen language, else the browser's (``Accept-Language``)."""
    language = None
    if me is not None:
        language = session.execute(
            select(User.language).where(User.id == me.user_id)
        ).scalar_one_or_none()
    return Translator(choose(language, request.headers.get("accept-language")))


def nonce(request: Request) -> str | None:
    """This response's CSP nonce (set by ``_web_security``'s middleware), for inline scripts."""
    return getattr(request.state, "csp_nonce", None)


def page(
    request: Request,
    session: Session,
    me: Principal | None,
    template: str,
    status: int = 200,
    **ctx: Any,
) -> HTMLResponse:
    """``template`` rendered in the user's language, with the form token of their cookie."""
    t = translator(request, session, me)
    names = {code: catalogue(code)["language_name"] for code in LANGUAGES}
    cookie = request.cookies.get(COOKIE)
    csrf = _web_security.form_token(cookie) if me is not None and cookie else ""
    body = _env.get_template(template).render(
        t=t,
        lang=t.language,
        me=me,
        languages=names,
        request=request,
        csrf=csrf,
        csp_nonce=nonce(request),
        **ctx,
    )
    return HTMLResponse(body, status_code=status)


def back_to(request: Request) -> str:
    """Where a form sends the user back: the path and query of a same-origin Referer under
    /console/, else the dashboard (never another site)."""
    referer = request.headers.get("referer")
    if referer and _web_security.same_origin(request, referer):
        parts = urlsplit(referer)
        if parts.path.startswith("/console/"):
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return "/console/"
