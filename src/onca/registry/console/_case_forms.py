"""The console's case forms: open a case (``/cases/new``) and edit one of the agency's cases
(``/cases/{id}/edit``). Both go through the API's writers (``_cases.create_case`` and
``_cases.update_case``, checked by ``CaseIn`` and ``CasePatch``), so the roles, the audit links
and the checks are the API's. The forms carry the form token like every console POST; only a
user who may write sees them, and a post from anyone else is refused by the writer itself."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from onca.registry import _cases
from onca.registry._deps import SessionDep
from onca.registry._errors import Conflict, RegistryError
from onca.registry._models import CASE_STATUSES
from onca.registry._schemas import CaseIn, CasePatch
from onca.registry.console._i18n import Translator
from onca.registry.console._records import RecordId
from onca.registry.console._session import ConsoleUser, page, translator

router = APIRouter()
EDITABLE = ("title", "status", "charges", "verdict", "penalties", "seizure_ids")


def _lines(text: str) -> list[str]:
    """A textarea of one item per line, as a list without blank lines."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _seizure_ids(text: str) -> tuple[list[int], str | None]:
    """Seizure numbers separated by commas or spaces (``#12`` as well as ``12``); the first
    word that is not a number, if any."""
    ids: list[int] = []
    for word in re.split(r"[\s,;]+", text.strip()):
        if not word:
            continue
        if not word.lstrip("#").isdigit():
            return ids, word[:40]
        ids.append(int(word.lstrip("#")))
    return ids, None


def _errors(e: ValidationError, t: Translator) -> dict[str, str]:
    """The first problem per form field, in the user's language (``charges.2`` is the charges
    field)."""
    out: dict[str, str] = {}
    for err in e.errors():
        key = str(err["loc"][0]) if err["loc"] else "form"
        out.setdefault(key, t.problem(err))
    return out


def _refusal(e: RegistryError, t: Translator, ids: list[int]) -> dict[str, str]:
    """A writer's refusal as the form's field and message in the user's language: a
    reference already used (409), a seizure the user may not see (``seizure_ids.N``)."""
    field = (e.field or "form").split(".")
    if isinstance(e, Conflict):
        return {"reference": t("case_form_reference_used")}
    if field[0] == "seizure_ids" and len(field) > 1 and field[1].isdigit():
        return {"seizure_ids": t("case_form_unknown_seizure", id=ids[int(field[1])])}
    return {field[0]: t("err_invalid")}


def _form_page(
    request: Request,
    session: SessionDep,
    me: ConsoleUser,
    *,
    case: dict[str, Any] | None,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    return page(
        request,
        session,
        me,
        "case_form.html",
        status=status,
        nav="cases",
        case=case,
        statuses=CASE_STATUSES,
        values=values,
        errors=errors,
    )


async def _posted(request: Request) -> dict[str, str]:
    return {k: str(v).strip() for k, v in (await request.form()).items() if k != "csrf"}


@router.get("/cases/new", response_class=HTMLResponse)
def new_case_form(request: Request, session: SessionDep, me: ConsoleUser) -> Response:
    if not me.may("write"):
        return page(request, session, me, "not_allowed.html", status=403)
    values = {"status": "investigation", "seizure_ids": request.query_params.get("seizure", "")}
    return _form_page(request, session, me, case=None, values=values, errors={})


def _bad_seizure(
    request: Request,
    session: SessionDep,
    me: ConsoleUser,
    *,
    case: dict[str, Any] | None,
    form: dict[str, str],
    word: str,
) -> Response:
    """The case form again (422), its seizures field marked: ``word`` is no seizure number."""
    message = translator(request, session, me)("case_form_bad_seizure", word=word)
    return _form_page(
        request, session, me, case=case, values=form, errors={"seizure_ids": message}, status=422
    )


@router.post("/cases/new", response_class=HTMLResponse)
async def new_case(request: Request, session: SessionDep, me: ConsoleUser) -> Response:
    form = await _posted(request)
    t = translator(request, session, me)
    ids, bad = _seizure_ids(form.get("seizure_ids", ""))
    if bad is not None:
        return _bad_seizure(request, session, me, case=None, form=form, word=bad)
    body = {
        "reference": form.get("reference"),
        "title": form.get("title"),
        "status": form.get("status") or "investigation",
        "opened_on": form.get("opened_on"),
        "charges": _lines(form.get("charges", "")),
        "verdict": form.get("verdict") or None,
        "penalties": form.get("penalties") or None,
        "seizure_ids": ids,
    }
    try:
        case = _cases.create_case(session, me, CaseIn.model_validate(body))
        session.commit()
    except ValidationError as e:
        errors = _errors(e, t)
    except RegistryError as e:
        session.rollback()
        if e.status == 403:  # a role that may not write, whatever the form says
            return page(request, session, me, "not_allowed.html", status=403)
        errors = _refusal(e, t, ids)
    else:
        return RedirectResponse(f"/console/cases/{case.id}", status_code=303)
    return _form_page(request, session, me, case=None, values=form, errors=errors, status=422)


def _own_case(session: SessionDep, me: ConsoleUser, case_id: int) -> dict[str, Any] | None:
    """The case as the user reads it, when it is their agency's (``update_case`` checks the
    role again, under a row lock)."""
    try:
        case = _cases.get_case(session, me, case_id)
    except RegistryError:
        return None
    session.commit()
    return case if case["agency"] == me.agency_code else None


def _case_values(case: dict[str, Any]) -> dict[str, str]:
    return {
        "title": case["title"] or "",
        "status": case["status"] or "",
        "charges": "\n".join(case["charges"] or []),
        "verdict": case["verdict"] or "",
        "penalties": case["penalties"] or "",
        "seizure_ids": ", ".join(str(sid) for sid in case["seizures"] or []),
    }


@router.get("/cases/{case_id}/edit", response_class=HTMLResponse)
def edit_case_form(
    request: Request, session: SessionDep, me: ConsoleUser, case_id: RecordId
) -> Response:
    if not me.may("write"):
        return page(request, session, me, "not_allowed.html", status=403)
    case = _own_case(session, me, case_id)
    if case is None:
        return page(request, session, me, "missing.html", status=404)
    return _form_page(request, session, me, case=case, values=_case_values(case), errors={})


@router.post("/cases/{case_id}/edit", response_class=HTMLResponse)
async def edit_case(
    request: Request, session: SessionDep, me: ConsoleUser, case_id: RecordId
) -> Response:
    form = await _posted(request)
    if not me.may("write"):  # a role that may not write: nothing changes
        return page(request, session, me, "not_allowed.html", status=403)
    case = _own_case(session, me, case_id)
    if case is None:  # another agency's case, or none: not named as such
        return page(request, session, me, "missing.html", status=404)
    t = translator(request, session, me)
    ids, bad = _seizure_ids(form.get("seizure_ids", ""))
    if bad is not None:
        return _bad_seizure(request, session, me, case=case, form=form, word=bad)
    wanted: dict[str, Any] = {
        "title": form.get("title", ""),
        "status": form.get("status", ""),
        "charges": _lines(form.get("charges", "")),
        "verdict": form.get("verdict") or None,
        "penalties": form.get("penalties") or None,
        "seizure_ids": ids,
    }
    # only what changed: the audit link names the fields changed, and an unchanged form writes nothing
    now = {k: case[k] for k in EDITABLE if k != "seizure_ids"}
    now |= {"charges": case["charges"] or [], "seizure_ids": case["seizures"] or []}
    changes = {k: v for k, v in wanted.items() if v != now[k]}
    if sorted(set(ids)) == sorted(now["seizure_ids"]):  # the same seizures, in any order
        changes.pop("seizure_ids", None)
    if changes:
        try:
            _cases.update_case(session, me, case_id, CasePatch.model_validate(changes))
            session.commit()
        except ValidationError as e:
            errors = _errors(e, t)
        except RegistryError as e:
            session.rollback()
            errors = _refusal(e, t, ids)
        else:
            errors = {}
        if errors:
            return _form_page(
                request, session, me, case=case, values=form, errors=errors, status=422
            )
    return RedirectResponse(f"/console/cases/{case_id}", status_code=303)
