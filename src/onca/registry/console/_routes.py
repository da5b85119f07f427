"""The investigator console: server-rendered pages (Jinja2) under /console, on the same rules as
the API (the same functions read and write, so sharing, roles and the audit chain hold).

Every page but the sign-in takes the signed-in user as a dependency (``ConsoleUser``, in
``_session``), and every POST but the sign-in carries the form token of the user's cookie;
``onca.registry._web_security`` refuses state-changing requests from another origin. Pages work
without JavaScript; the network view adds pan and zoom with the report's own script, allowed by
the page's CSP nonce.

Reports (``--reports``) are served as they are, but sandboxed (an opaque origin: their scripts
run and cannot reach the console), and only regular files inside the folder.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import ColumnElement, and_, func, select

from onca.registry import _alerts, _audit, _cases, _seizures
from onca.registry._access import Grants, visible
from onca.registry._auth import AuthError
from onca.registry._deps import SessionDep
from onca.registry._errors import Conflict, RegistryError
from onca.registry._models import (
    Seizure,
    Specimen,
    User,
)
from onca.registry._schemas import SeizureIn
from onca.registry.console import (
    _alert_list,
    _case_forms,
    _choices,
    _import_pages,
    _records,
)
from onca.registry.console._charts import bars, columns
from onca.registry.console._i18n import LANGUAGES
from onca.registry.console._records import RecordId
from onca.registry.console._reports import read_regular, report_response, reports_in
from onca.registry.console._session import (
    COOKIE,
    ConsoleUser,
    back_to,
    check_form_token,
    page,
    translator,
)

router = APIRouter(
    prefix="/console", include_in_schema=False, dependencies=[Depends(check_form_token)]
)


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request, session: SessionDep) -> HTMLResponse:
    return page(request, session, None, "signin.html", error=None)


@router.post("/signin")
def signin(
    request: Request, session: SessionDep, token: Annotated[str, Form(max_length=200)]
) -> Response:
    try:
        request.app.state.auth.authenticate(
            session, f"Bearer {token.strip()}", request.client.host if request.client else "-"
        )
    except AuthError as e:
        return page(
            request,
            session,
            None,
            "signin.html",
            status=401 if e.status == 401 else 429,
            error="bad_token" if e.status == 401 else "too_many_tries",
        )
    nxt = request.query_params.get("next", "/console/")
    response = RedirectResponse(
        nxt if nxt.startswith("/console/") else "/console/", status_code=303
    )
    response.set_cookie(
        COOKIE,
        token.strip(),
        httponly=True,
        samesite="strict",
        path="/console",
        secure=request.url.scheme == "https",
        max_age=12 * 3600,
    )
    return response


@router.post("/signout")
def signout() -> Response:
    response = RedirectResponse("/console/signin", status_code=303)
    response.delete_cookie(COOKIE, path="/console")
    return response


@router.post("/language")
def language(
    request: Request, session: SessionDep, me: ConsoleUser, lang: Annotated[str, Form()]
) -> Response:
    if lang in LANGUAGES:
        user = session.get(User, me.user_id)
        if user is not None:
            user.language = lang
            _audit.append_for(
                session,
                me,
                action="language",
                record_id=me.user_id,
                detail={"language": lang},
            )
            session.commit()
    return RedirectResponse(back_to(request), status_code=303)


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep, me: ConsoleUser) -> Response:
    seen = visible(Seizure.agency_id, me, "seizure")
    grants = Grants(session, me)

    def granting(field: str) -> ColumnElement[bool]:
        """Each figure only from records sharing its field."""
        return Seizure.agency_id.in_(grants.granting("seizure", field))

    total = session.execute(select(func.count()).select_from(Seizure).where(seen)).scalar_one()
    dated = and_(seen, granting("seized_on"))
    latest = (
        session.execute(select(func.max(Seizure.seized_on)).where(dated)).scalar_one()
        or dt.date.today()
    )
    last = latest.replace(day=1)  # the 24 months up to the latest seizure the user may see
    first = (last - dt.timedelta(days=23 * 31)).replace(day=1)
    per_day = session.execute(
        select(Seizure.seized_on, func.count())
        .where(dated, Seizure.seized_on >= first)
        .group_by(Seizure.seized_on)
    ).all()
    months: Counter[str] = Counter()
    for day, n in per_day:
        months[day.strftime("%Y-%m")] += n
    month_keys = []
    cursor = first
    while cursor <= last:
        month_keys.append(cursor.strftime("%Y-%m"))
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    species = session.execute(
        select(Specimen.taxon, func.count(func.distinct(Specimen.seizure_id)))
        .join(Seizure, Seizure.id == Specimen.seizure_id)
        .where(seen, granting("specimens"))
        .group_by(Specimen.taxon)
        .order_by(func.count(func.distinct(Specimen.seizure_id)).desc())
        .limit(10)
    ).all()
    countries = session.execute(
        select(Seizure.country, func.count())
        .where(seen, granting("country"))
        .group_by(Seizure.country)
        .order_by(func.count().desc())
        .limit(10)
    ).all()
    t = translator(request, session, me)
    return page(
        request,
        session,
        me,
        "dashboard.html",
        nav="dashboard",
        total=total,
        open_alerts=_alerts.count_open(session, me),
        alerts=_alerts.list_alerts(session, me, "open", 5),
        months=columns([(m, months[m]) for m in month_keys], label=t("by_month")),
        species=[(str(a), int(b)) for a, b in species],
        countries=[(str(a), int(b)) for a, b in countries],
        species_chart=bars([(str(a), int(b)) for a, b in species], label=t("by_species")),
        country_chart=bars([(str(a), int(b)) for a, b in countries], label=t("by_country")),
    )


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/seizures", response_class=HTMLResponse)
def seizures(request: Request, session: SessionDep, me: ConsoleUser) -> Response:
    q = request.query_params
    filters: dict[str, Any] = {
        "taxon": q.get("taxon") or None,
        "country": (q.get("country") or "")[:2] or None,
        "person": q.get("person") or None,
        "date_from": _date(q.get("date_from")),
        "date_to": _date(q.get("date_to")),
    }
    if filters["person"] and not me.may("search"):
        filters["person"] = None
    result = _seizures.search_seizures(session, me, limit=100, **filters)
    session.commit()
    return page(request, session, me, "seizures.html", nav="seizures", result=result, q=q)


def _seizure_form_page(
    request: Request,
    session: SessionDep,
    me: ConsoleUser,
    *,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    """The new-seizure form with its choices; to a role that may not write, a 403 page saying
    why (in the user's language) and no form."""
    t = translator(request, session, me)
    if not me.may("write"):
        denied = t("not_allowed_write", role=t.label("role", me.role))
        return page(request, session, me, "seizure_new.html", status=403, nav="new", denied=denied)
    return page(
        request,
        session,
        me,
        "seizure_new.html",
        status=status,
        nav="new",
        denied=None,
        values=values or {"unit": "number", "person_kind": "person", "person_role": "suspect"},
        errors=errors or {},
        choices=_choices.seizure_form(t),
        taxa=_choices.listed_taxa(),
    )


@router.get("/seizures/new", response_class=HTMLResponse)
def new_seizure_form(request: Request, session: SessionDep, me: ConsoleUser) -> Response:
    return _seizure_form_page(request, session, me)


CHAIN_FIELDS = (("origin", "origin_country"), ("destination", "destination_country"))


def _seizure_body(form: dict[str, str]) -> dict[str, Any]:
    """The new-seizure form as the API's seizure (one specimen, origin and destination, one
    person), to be checked by ``SeizureIn``."""
    specimen = {
        "taxon": form.get("taxon"),
        "commodity": form.get("commodity"),
        "quantity": form.get("quantity"),
        "unit": form.get("unit") or "number",
    }
    chain = [{"role": role, "country": form[f]} for role, f in CHAIN_FIELDS if form.get(f)]
    persons = []
    if form.get("person_name"):
        named = {
            "kind": form.get("person_kind") or "person",
            "name": form["person_name"],
            "birth_date": form.get("person_birth_date") or None,
            "nationality": form.get("person_nationality") or None,
        }
        persons.append({"role": form.get("person_role") or "suspect", "person": named})
    return {
        "reference": form.get("reference"),
        "seized_on": form.get("seized_on"),
        "country": form.get("country"),
        "place": form.get("place") or None,
        "transport_mode": form.get("transport_mode") or None,
        "description": form.get("description") or None,
        "specimens": [specimen],
        "chain": chain,
        "persons": persons,
    }


def _form_field(loc: tuple[int | str, ...], form: dict[str, str]) -> str:
    """The form field of an error's location in the API's seizure: ``chain.1.country`` is the
    second country given (origin, destination), ``persons.0.person.name`` is ``person_name``,
    ``specimens.0.taxon`` is ``taxon``."""
    where = [str(x) for x in loc]
    if not where:
        return "form"
    if where[0] == "chain" and len(where) > 1 and where[1].isdigit():
        given = [f for _, f in CHAIN_FIELDS if form.get(f)]
        return given[int(where[1])] if int(where[1]) < len(given) else "form"
    if where[0] == "persons":
        return "person_role" if where[-1] == "role" else f"person_{where[-1]}"
    return where[-1] if where[0] == "specimens" else where[0]


@router.post("/seizures/new", response_class=HTMLResponse)
async def new_seizure(request: Request, session: SessionDep, me: ConsoleUser) -> Response:
    if not me.may("write"):  # before reading anything: the writer would refuse it anyway
        return _seizure_form_page(request, session, me)
    form = {k: str(v).strip() for k, v in (await request.form()).items()}
    t = translator(request, session, me)
    errors: dict[str, str] = {}
    try:
        data = SeizureIn.model_validate(_seizure_body(form))
        seizure = _seizures.create_seizure(session, me, data)
        session.commit()
    except ValidationError as e:
        for err in e.errors():
            errors.setdefault(_form_field(err["loc"], form), t.problem(err))
    except Conflict:
        session.rollback()
        errors["reference"] = t("err_reference_used")
    except RegistryError as e:
        session.rollback()
        errors[(e.field or "form").split(".")[0]] = t("err_invalid")
    if errors:
        return _seizure_form_page(request, session, me, status=422, values=form, errors=errors)
    return RedirectResponse(f"/console/seizures/{seizure.id}", status_code=303)


@router.get("/cases", response_class=HTMLResponse)
def cases_page(request: Request, session: SessionDep, me: ConsoleUser) -> Response:
    status = request.query_params.get("status") or None
    if status not in (None, "investigation", "prosecution", "verdict", "closed"):
        status = None
    items = _cases.list_cases(session, me, status=status, limit=200, offset=0)
    return page(request, session, me, "cases.html", nav="cases", items=items, chosen=status)


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, session: SessionDep, me: ConsoleUser) -> Response:
    """One page of the agency's alerts, filtered (``_alert_list``); a bad filter is a 422
    naming it."""
    params = request.query_params
    try:
        listed, status = _alert_list.listing(session, me, _alert_list.read_query(params)), 200
    except _alert_list.BadQuery as bad:
        listed, status = _alert_list.refused(params, bad), 422
    done = params.get("done", "")
    return page(
        request,
        session,
        me,
        "alerts.html",
        status=status,
        nav="alerts",
        done=done if done.isdigit() else None,
        error=None,
        **listed,
    )


@router.post("/alerts/{alert_id}", response_class=HTMLResponse)
def triage_alert(
    request: Request,
    session: SessionDep,
    me: ConsoleUser,
    alert_id: RecordId,
    decision: Annotated[str, Form()],
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        _alerts.triage(session, me, alert_id, decision, reason)
        session.commit()
    except RegistryError as e:
        session.rollback()
        t = translator(request, session, me)
        why = {
            403: t("not_allowed_triage", role=t.label("role", me.role)),
            404: t("not_found"),
        }.get(e.status, t("err_reason" if e.field == "reason" else "err_code"))
        return page(
            request,
            session,
            me,
            "alerts.html",
            status=e.status,
            nav="alerts",
            done=None,
            error=why,
            **_alert_list.listing(session, me, _alert_list.query_or_default(request.query_params)),
        )
    # back to the same page of the same list (the form's action carries its query)
    return RedirectResponse(
        _alert_list.after_triage(request.query_params, alert_id), status_code=303
    )


def _modified_and_size(path: Path) -> tuple[str, int]:
    """When a report was written (UTC, to the minute) and its size in bytes."""
    st = path.stat()
    return dt.datetime.fromtimestamp(st.st_mtime, dt.UTC).strftime("%Y-%m-%d %H:%M"), st.st_size


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, session: SessionDep, me: ConsoleUser) -> Response:
    """The HTML reports (density, occupancy, trade, screening...) in the folder the service was
    started with (--reports), for every signed-in user."""
    found = reports_in(request.app.state.reports)
    items = [(name, *_modified_and_size(p)) for name, p in found.items()]
    return page(
        request,
        session,
        me,
        "reports.html",
        nav="reports",
        items=items,
        configured=request.app.state.reports is not None,
    )


@router.get("/reports/{name}", response_class=HTMLResponse)
def report_file(request: Request, session: SessionDep, me: ConsoleUser, name: str) -> Response:
    found = reports_in(request.app.state.reports).get(name)  # only names listed: no paths
    data = None if found is None else read_regular(found)
    if data is None:
        return page(request, session, me, "missing.html", status=404)
    return report_response(data)


# the record pages last: /seizures/new must be matched before /seizures/{seizure_id}, and
# /cases/new before /cases/{case_id}
router.include_router(_case_forms.router)
router.include_router(_import_pages.router)
router.include_router(_records.router)
