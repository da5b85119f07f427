"""The investigator console: server-rendered pages (Jinja2) under /console, on the same rules as
the API (the same functions read and write, so sharing, roles and the audit chain hold).

Signing in stores the user's API token in an HttpOnly, SameSite=Strict cookie scoped to
/console. SameSite alone does not stop another port or subdomain of the same site from posting
forms in the user's name, so every form also carries a ``csrf`` token derived from the cookie
(checked here for every POST but the sign-in) and ``onca.registry._web_security`` refuses
state-changing requests from another origin. Pages work without JavaScript; the network view
adds pan and zoom with the report's own script, allowed by the page's CSP nonce.

Reports (``--reports``) are served as they are, but sandboxed (an opaque origin: their scripts
run and cannot reach the console), and only regular files inside the folder.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import igraph as ig
import jinja2
from fastapi import APIRouter, Depends, Form, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from onca.network._view import network_html
from onca.registry import _alerts, _audit, _cases, _seizures, _web_security
from onca.registry._access import Grants, visible
from onca.registry._auth import AuthError, Principal
from onca.registry._deps import SessionDep
from onca.registry._errors import RegistryError
from onca.registry._models import (
    Case,
    CaseSeizure,
    ChainLeg,
    Person,
    Seizure,
    SeizurePerson,
    Specimen,
    User,
)
from onca.registry._notify import match_rules, readable_probe
from onca.registry._schemas import SeizureIn
from onca.registry.console._charts import bars, columns, world_map
from onca.registry.console._i18n import LANGUAGES, Translator, catalogue, choose
from onca.registry.console._reports import read_regular, report_response, reports_in

COOKIE = "onca_console"


async def _form_token(request: Request) -> None:
    """Every state-changing console request but the sign-in carries the signed-in user's form
    token in its ``csrf`` field (another site can neither read nor compute it)."""
    if request.method not in _web_security.STATE_CHANGING or request.url.path == "/console/signin":
        return
    sent = (await request.form()).get(_web_security.FORM_FIELD)
    if not _web_security.form_token_matches(request.cookies.get(COOKIE), sent):
        raise _web_security.CrossSiteRefused


router = APIRouter(prefix="/console", include_in_schema=False, dependencies=[Depends(_form_token)])
RecordId = Annotated[int, PathParam(ge=1, le=2**62)]
_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True, trim_blocks=True, lstrip_blocks=True,
)  # fmt: skip


class SignIn(Exception):
    """No valid token in the cookie: the page answers with the sign-in form."""


def _who(request: Request, session: Session) -> Principal:
    token = request.cookies.get(COOKIE)
    if not token:
        raise SignIn
    try:
        principal = request.app.state.auth.authenticate(
            session, f"Bearer {token}", request.client.host if request.client else "-"
        )
    except AuthError:
        raise SignIn from None
    session.rollback()
    return principal


def _translator(request: Request, session: Session, me: Principal | None) -> Translator:
    language = None
    if me is not None:
        language = session.execute(
            select(User.language).where(User.id == me.user_id)
        ).scalar_one_or_none()
    return Translator(choose(language, request.headers.get("accept-language")))


def _nonce(request: Request) -> str | None:
    """This response's CSP nonce (set by ``_web_security``'s middleware), for inline scripts."""
    return getattr(request.state, "csp_nonce", None)


def _page(
    request: Request,
    session: Session,
    me: Principal | None,
    template: str,
    status: int = 200,
    **ctx: Any,
) -> HTMLResponse:
    t = _translator(request, session, me)
    lang = t.language
    names = {code: catalogue(code)["language_name"] for code in LANGUAGES}
    cookie = request.cookies.get(COOKIE)
    csrf = _web_security.form_token(cookie) if me is not None and cookie else ""
    body = _env.get_template(template).render(
        t=t, lang=lang, me=me, languages=names, request=request, csrf=csrf,
        csp_nonce=_nonce(request), **ctx,
    )  # fmt: skip
    return HTMLResponse(body, status_code=status)


def _back_to(request: Request) -> str:
    """Where a form sends the user back: the path and query of a same-origin Referer under
    /console/, else the dashboard (never another site)."""
    referer = request.headers.get("referer")
    if referer and _web_security.same_origin(request, referer):
        parts = urlsplit(referer)
        if parts.path.startswith("/console/"):
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return "/console/"


def _guard(request: Request, session: Session) -> Principal | Response:
    try:
        return _who(request, session)
    except SignIn:
        return RedirectResponse(f"/console/signin?next={request.url.path}", status_code=303)


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request, session: SessionDep) -> HTMLResponse:
    return _page(request, session, None, "signin.html", error=None)


@router.post("/signin")
def signin(
    request: Request, session: SessionDep, token: Annotated[str, Form(max_length=200)]
) -> Response:
    try:
        request.app.state.auth.authenticate(
            session, f"Bearer {token.strip()}", request.client.host if request.client else "-"
        )
    except AuthError as e:
        return _page(
            request,
            session,
            None,
            "signin.html",
            status=401 if e.status == 401 else 429,
            error=str(e),
        )
    nxt = request.query_params.get("next", "/console/")
    response = RedirectResponse(
        nxt if nxt.startswith("/console/") else "/console/", status_code=303
    )
    response.set_cookie(COOKIE, token.strip(), httponly=True, samesite="strict", path="/console",
                        secure=request.url.scheme == "https", max_age=12 * 3600)  # fmt: skip
    return response


@router.post("/signout")
def signout() -> Response:
    response = RedirectResponse("/console/signin", status_code=303)
    response.delete_cookie(COOKIE, path="/console")
    return response


@router.post("/language")
def language(request: Request, session: SessionDep, lang: Annotated[str, Form()]) -> Response:
    me = _guard(request, session)
    if isinstance(me, Response):
        return me
    if lang in LANGUAGES:
        user = session.get(User, me.user_id)
        if user is not None:
            user.language = lang
            _audit.append(session, action="language", user_id=me.user_id, agency_id=me.agency_id,
                          record_id=me.user_id, detail={"language": lang})  # fmt: skip
            session.commit()
    return RedirectResponse(_back_to(request), status_code=303)


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep) -> Response:
    me = _guard(request, session)
    if isinstance(me, Response):
        return me
    seen = visible(Seizure.agency_id, me, "seizure")
    grants = Grants(session, me)

    def granting(
        field: str,
    ) -> ColumnElement[bool]:  # each figure only from records sharing its field
        return Seizure.agency_id.in_(grants.granting("seizure", field))

    total = session.execute(select(func.count()).select_from(Seizure).where(seen)).scalar_one()
    dated = and_(seen, granting("seized_on"))
    latest = (
        session.execute(select(func.max(Seizure.seized_on)).where(dated)).scalar_one()
        or dt.date.today()
    )
    last = latest.replace(day=1)  # the 24 months up to the latest seizure the user may see
    first = (last - dt.timedelta(days=23 * 31)).replace(day=1)
    per_day = session.execute(select(Seizure.seized_on, func.count()).where(dated, Seizure.seized_on >= first)
                              .group_by(Seizure.seized_on)).all()  # fmt: skip
    months: Counter[str] = Counter()
    for day, n in per_day:
        months[day.strftime("%Y-%m")] += n
    month_keys = []
    cursor = first
    while cursor <= last:
        month_keys.append(cursor.strftime("%Y-%m"))
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    species = session.execute(select(Specimen.taxon, func.count(func.distinct(Specimen.seizure_id)))
                              .join(Seizure, Seizure.id == Specimen.seizure_id).where(seen, granting("specimens"))
                              .group_by(Specimen.taxon).order_by(func.count(func.distinct(Specimen.seizure_id)).desc())
                              .limit(10)).all()  # fmt: skip
    countries = session.execute(select(Seizure.country, func.count()).where(seen, granting("country")).group_by(Seizure.country)
                                .order_by(func.count().desc()).limit(10)).all()  # fmt: skip
    t = _translator(request, session, me)
    return _page(request, session, me, "dashboard.html", nav="dashboard", total=total,
                 open_alerts=_alerts.count_open(session, me), alerts=_alerts.list_alerts(session, me, "open", 5),
                 months=columns([(m, months[m]) for m in month_keys], label=t("by_month")),
                 species=[(str(a), int(b)) for a, b in species], countries=[(str(a), int(b)) for a, b in countries],
                 species_chart=bars([(str(a), int(b)) for a, b in species], label=t("by_species")),
                 country_chart=bars([(str(a), int(b)) for a, b in countries], label=t("by_country")))  # fmt: skip


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/seizures", response_class=HTMLResponse)
def seizures(request: Request, session: SessionDep) -> Response:
    me = _guard(request, session)
    if isinstance(me, Response):
        return me
    q = request.query_params
    filters: dict[str, Any] = {"taxon": q.get("taxon") or None, "country": (q.get("country") or "")[:2] or None,
               "person": q.get("person") or None, "date_from": _date(q.get("date_from")), "date_to": _date(q.get("date_to"))}  # fmt: skip
    if filters["person"] and not me.may("search"):
        filters["person"] = None
    result = _seizures.search_seizures(session, me, limit=100, **filters)
    session.commit()
    return _page(request, session, me, "seizures.html", nav="seizures", result=result, q=q)


@router.get("/seizures/new", response_class=HTMLResponse)
def new_seizure_form(request: Request, session: SessionDep) -> Response:
    me = _guard(request, session)
    if isinstance(me, Response):
        return me
    return _page(request, session, me, "seizure_new.html", nav="new", values={}, errors={})


@router.post("/seizures/new", response_class=HTMLResponse)
async def new_seizure(request: Request, session: SessionDep) -> Response:
    me = _guard(request, session)
    if isinstance(me, Response):
        return me
    form = {k: str(v).strip() for k, v in (await request.form()).items()}
    body: dict[str, Any] = {
        "reference": form.get("reference"), "seized_on": form.get("seized_on"), "country": form.get("country"),
        "place": form.get("place") or None, "transport_mode": form.get("transport_mode") or None,
        "description": form.get("description") or None,
        "specimens": [{"taxon": form.get("taxon"), "commodity": form.get("commodity"),
                       "quantity": form.get("quantity"), "unit": form.get("unit") or "number"}],
        "chain": [{"role": r, "country": form[f]} for r, f in (("origin", "origin_country"), ("destination", "destination_country")) if form.get(f)],
        "persons": [{"role": "suspect", "person": {"name": form["person_name"], "birth_date": form.get("person_birth_date") or None}}]
        if form.get("person_name") else [],
    }  # fmt: skip
    errors: dict[str, str] = {}
    try:
        data = SeizureIn.model_validate(body)
        seizure = _seizures.create_seizure(session, me, data)
        session.commit()
    except ValidationError as e:
        for err in e.errors():
            loc = [str(x) for x in err["loc"]]
            key = (
                loc[-1]
                if loc[0] in ("specimens", "persons")
                else (f"{loc[1]}_country" if loc[0] == "chain" and len(loc) > 1 else loc[0])
            )
            key = {"0_country": "origin_country", "1_country": "destination_country"}.get(key, key)
            errors.setdefault(key, err["msg"])
    except RegistryError as e:
        session.rollback()
        errors[(e.field or "form").split(".")[0]] = str(e)
    if errors:
        return _page(
            request,
            session,
            me,
            "seizure_new.html",
            status=422,
            nav="new",
            values=form,
            errors=errors,
        )
    return RedirectResponse(f"/console/seizures/{seizure.id}", status_code=303)


@router.get("/seizures/{seizure_id}", response_class=HTMLResponse)
def seizure_page(request: Request, session: SessionDep, seizure_id: RecordId) -> Response:
    me = _guard(request, session)
    if isinstance(me, Response):
        return me
    try:
        s = _seizures.get_seizure(session, me, seizure_id)
    except RegistryError:
        return _page(request, session, me, "missing.html", status=404)
    notes = _cases.list_notes(session, me, "seizure", seizure_id)
    grants = Grants(session, me)
    rows = session.execute(select(Case.id, Case.reference, Case.agency_id).join(CaseSeizure, CaseSeizure.case_id == Case.id)
                           .where(CaseSeizure.seizure_id == seizure_id, visible(Case.agency_id, me, "case"),
                                  Case.agency_id.in_(grants.granting("case", "seizures")))
                           .order_by(Case.id)).all()  # fmt: skip
    named = set(grants.granting("case", "reference"))  # the reference only where it is shared
    in_cases = [(cid, ref if agency in named else f"#{cid}") for cid, ref, agency in rows]
    session.commit()
    return _page(
        request, session, me, "seizure.html", nav="seizures", s=s, notes=notes, cases=in_cases
    )


@router.get("/cases", response_class=HTMLResponse)
def cases_page(request: Request, session: SessionDep) -> Response:
    me = _guard(request, session)
    if isinstance(me, Response):
        return me
    status = request.query_params.get("status") or None
    if status not in (None, "investigation", "prosecution", "verdict", "closed"):
        status = None
    items = _cases.list_cases(session, me, status=status, limit=200, offset=0)
    return _page(request, session, me, "cases.html", nav="cases", items=items, chosen=status)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, session: SessionDep, case_id: RecordId) -> Response:
    me = _guard(request, session)
    if isinstance(me, Response):
        return me
    try:
        case = _cases.get_case(session, me, case_id)
    except RegistryError:
        return _page(request, session, me, "missing.html", status=404)
    graph = ig.Graph(directed=False)
    ids = case["seizures"] or []
    rows = (
        session.execute(
            select(Seizure).where(Seizure.id.in_(ids), visible(Seizure.agency_id, me, "seizure"))
        )
        .scalars()
        .all()
    )
    grants, codes = Grants(session, me), _seizures.agency_codes(session)
    links: list[tuple[int, int, str]] = []
    for s in rows:  # drawn from the redacted records: withheld fields stay withheld
        d = _seizures.seizure_dict(s, grants, codes)
        graph.add_vertex(f"S{s.id}", label=d["reference"] or f"#{s.id}", kind="seizure", role="seized",
                         country=d["country"] or "")  # fmt: skip
        links += [(s.id, p["person_id"], p["role"]) for p in d["persons"] or []]
    people = session.execute(select(Person).where(Person.id.in_({pid for _, pid, _ in links}),
                                                  visible(Person.agency_id, me, "person"))).scalars().all()  # fmt: skip
    shown = {p.id: _seizures.person_dict(p, grants, codes) for p in people}
    for sid, pid, role in links:
        if pid not in shown:
            continue
        if f"P{pid}" not in graph.vs["name"]:
            graph.add_vertex(
                f"P{pid}",
                label=shown[pid]["name"] or f"person #{pid}",
                kind="person",
                role="reached",
            )
        graph.add_edge(f"S{sid}", f"P{pid}", kind=role)
    named = sorted(pid for pid, d in shown.items() if d["name"])
    if named:
        _audit.append(session, action="read_personal", user_id=me.user_id, agency_id=me.agency_id,
                      record_kind="person", detail={"case": case_id, "persons": named})  # fmt: skip
        session.commit()
    view = network_html(graph, title=case["reference"] or f"case #{case_id}", dom_id="case-network",
                        width=860, height=480, nonce=_nonce(request))  # fmt: skip
    return _page(request, session, me, "case.html", nav="seizures", case=case, view=view)


@router.get("/persons/{person_id}", response_class=HTMLResponse)
def person_page(request: Request, session: SessionDep, person_id: RecordId) -> Response:
    me = _guard(request, session)
    if isinstance(me, Response):
        return me
    try:
        person = _seizures.get_person(session, me, person_id)
    except RegistryError:
        return _page(request, session, me, "missing.html", status=404)
    p = session.get(Person, person_id)
    same: list[dict[str, Any]] = []
    listed: list[tuple[int, str, str]] = []
    if p is not None and me.may("read_personal"):
        grants, codes = Grants(session, me), _seizures.agency_codes(session)
        probe = readable_probe(p, grants)  # match only on what this user may read of p
        rules = match_rules(probe, grants)
        if rules:
            others = session.execute(select(Person).where(Person.id != p.id, visible(Person.agency_id, me, "person"),
                                                          or_(*rules))).scalars().all()  # fmt: skip
            for o in others:
                d = _seizures.person_dict(o, grants, codes)
                d["matched_on"] = (
                    "id" if probe.id_key and o.id_key == probe.id_key else "name+birth"
                )
                same.append(d)
        # seizures naming these persons: only where the seizure's agency shares who was involved
        rows = session.execute(select(SeizurePerson.seizure_id, SeizurePerson.role, Seizure.reference, Seizure.agency_id)
                               .join(Seizure, Seizure.id == SeizurePerson.seizure_id)
                               .where(SeizurePerson.person_id.in_([person_id] + [o["id"] for o in same]),
                                      visible(Seizure.agency_id, me, "seizure"),
                                      Seizure.agency_id.in_(grants.granting("seizure", "persons")))).all()  # fmt: skip
        refs = set(grants.granting("seizure", "reference"))
        listed = [
            (sid, role, ref if agency in refs else f"#{sid}") for sid, role, ref, agency in rows
        ]
        if same:
            _audit.append(session, action="read_personal", user_id=me.user_id, agency_id=me.agency_id,
                          record_kind="person", detail={"same_as": person_id, "persons": [o["id"] for o in same]})  # fmt: skip
    session.commit()
    return _page(
        request,
        session,
        me,
        "person.html",
        nav="seizures",
        person=person,
        same=same,
        seizures=listed,
    )


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, session: SessionDep) -> Response:
    me = _guard(request, session)
    if isinstance(me, Response):
        return me
    seen = visible(Seizure.agency_id, me, "seizure")
    grants = Grants(session, me)
    placed = Seizure.agency_id.in_(
        grants.granting("seizure", "lat", "lon")
    )  # dots: where coordinates are shared
    named = set(grants.granting("seizure", "reference", "country"))
    rows = session.execute(select(Seizure.lat, Seizure.lon, Seizure.reference, Seizure.country, Seizure.agency_id)
                           .where(seen, placed, Seizure.lat.is_not(None), Seizure.lon.is_not(None))
                           .order_by(Seizure.id.desc()).limit(3000)).all()  # fmt: skip
    points = [(a, b, f"{r} ({c})" if agency in named else "") for a, b, r, c, agency in rows]
    origin = (
        select(ChainLeg.seizure_id, ChainLeg.country).where(ChainLeg.role == "origin").subquery()
    )
    dest = (
        select(ChainLeg.seizure_id, ChainLeg.country)
        .where(ChainLeg.role == "destination")
        .subquery()
    )
    routes = session.execute(select(origin.c.country, dest.c.country, func.count()).join(dest, dest.c.seizure_id == origin.c.seizure_id)
                             .join(Seizure, Seizure.id == origin.c.seizure_id)
                             .where(seen, Seizure.agency_id.in_(grants.granting("seizure", "chain")))
                             .group_by(origin.c.country, dest.c.country).order_by(func.count().desc()).limit(200)).all()  # fmt: skip
    t = _translator(request, session, me)
    svg = world_map(
        [(float(a or 0), float(b or 0), text) for a, b, text in points],
        [(a, b, int(n)) for a, b, n in routes],
        label=t("map"),
    )
    return _page(
        request, session, me, "map.html", nav="map", svg=svg, routes=routes, points=len(points)
    )


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, session: SessionDep) -> Response:
    me = _guard(request, session)
    if isinstance(me, Response):
        return me
    return _page(request, session, me, "alerts.html", nav="alerts", alerts=_alerts.list_alerts(session, me, "open", 100),
                 done=request.query_params.get("done"), error=None)  # fmt: skip


@router.post("/alerts/{alert_id}", response_class=HTMLResponse)
def triage_alert(request: Request, session: SessionDep, alert_id: RecordId, decision: Annotated[str, Form()],
                 reason: Annotated[str, Form(max_length=2000)] = "") -> Response:  # fmt: skip
    me = _guard(request, session)
    if isinstance(me, Response):
        return me
    try:
        _alerts.triage(session, me, alert_id, decision, reason)
        session.commit()
    except RegistryError as e:
        session.rollback()
        return _page(request, session, me, "alerts.html", status=e.status, nav="alerts",
                     alerts=_alerts.list_alerts(session, me, "open", 100), done=None, error=str(e))  # fmt: skip
    return RedirectResponse(f"/console/alerts?done={alert_id}", status_code=303)


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, session: SessionDep) -> Response:
    """The HTML reports (density, occupancy, trade, screening...) in the folder the service was
    started with (--reports), for every signed-in user."""
    me = _guard(request, session)
    if isinstance(me, Response):
        return me
    items = [(name, dt.datetime.fromtimestamp(p.stat().st_mtime, dt.UTC).strftime("%Y-%m-%d %H:%M"), p.stat().st_size)
             for name, p in reports_in(request.app.state.reports).items()]  # fmt: skip
    return _page(request, session, me, "reports.html", nav="reports", items=items,
                 configured=request.app.state.reports is not None)  # fmt: skip


@router.get("/reports/{name}", response_class=HTMLResponse)
def report_file(request: Request, session: SessionDep, name: str) -> Response:
    me = _guard(request, session)
    if isinstance(me, Response):
        return me
    found = reports_in(request.app.state.reports).get(name)  # only names listed: no paths
    data = None if found is None else read_regular(found)
    if data is None:
        return _page(request, session, me, "missing.html", status=404)
    return report_response(data)
