"""The console's record pages: a seizure, a case (with its network of persons), a person (with
the same person in other agencies' records), and the map of seizures and routes. Each reads
through the sharing rules, and each read of personal data is audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, or_, select

from onca.registry import _audit, _cases, _seizures
from onca.registry._access import Grants, visible
from onca.registry._deps import SessionDep
from onca.registry._errors import RegistryError
from onca.registry._models import Case, CaseSeizure, ChainLeg, Person, Seizure, SeizurePerson
from onca.registry._notify import match_rules, readable_probe
from onca.registry.console._charts import world_map
from onca.registry.console._session import ConsoleUser, nonce, page, translator

router = APIRouter()
RecordId = Annotated[int, PathParam(ge=1, le=2**62)]
NETWORK_ROLES = ("role_seized", "role_reached")  # the roles of the case network's nodes


@router.get("/seizures/{seizure_id}", response_class=HTMLResponse)
def seizure_page(
    request: Request, session: SessionDep, me: ConsoleUser, seizure_id: RecordId
) -> Response:
    try:
        s = _seizures.get_seizure(session, me, seizure_id)
    except RegistryError:
        return page(request, session, me, "missing.html", status=404)
    notes = _cases.list_notes(session, me, "seizure", seizure_id)
    grants = Grants(session, me)
    rows = session.execute(
        select(Case.id, Case.reference, Case.agency_id)
        .join(CaseSeizure, CaseSeizure.case_id == Case.id)
        .where(
            CaseSeizure.seizure_id == seizure_id,
            visible(Case.agency_id, me, "case"),
            Case.agency_id.in_(grants.granting("case", "seizures")),
        )
        .order_by(Case.id)
    ).all()
    named = set(grants.granting("case", "reference"))  # the reference only where it is shared
    in_cases = [(cid, ref if agency in named else f"#{cid}") for cid, ref, agency in rows]
    names = _person_names(session, me, grants, [p["person_id"] for p in s["persons"] or []])
    if names:
        _audit.append_for(
            session,
            me,
            action="read_personal",
            record_kind="person",
            detail={"seizure": seizure_id, "persons": sorted(names)},
        )
    session.commit()
    return page(
        request,
        session,
        me,
        "seizure.html",
        nav="seizures",
        s=s,
        notes=notes,
        cases=in_cases,
        names=names,
    )


def _person_names(
    session: SessionDep, me: ConsoleUser, grants: Grants, person_ids: list[int]
) -> dict[int, str]:
    """person id -> name, for the persons whose record the user may see and whose name its
    agreements share (own agency: analyst and above); the others stay unnamed."""
    if not person_ids:
        return {}
    rows = session.execute(
        select(Person.id, Person.name).where(
            Person.id.in_(person_ids),
            visible(Person.agency_id, me, "person"),
            Person.agency_id.in_(grants.granting("person", "name")),
        )
    ).all()
    return {int(pid): str(name) for pid, name in rows}


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request, session: SessionDep, me: ConsoleUser, case_id: RecordId
) -> Response:
    try:
        case = _cases.get_case(session, me, case_id)
    except RegistryError:
        return page(request, session, me, "missing.html", status=404)
    import igraph as ig  # with the first case page, not with the app: igraph and the view

    from onca.network._view import VIEW_WORDS, network_html

    t = translator(request, session, me)
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
        graph.add_vertex(
            f"S{s.id}",
            label=d["reference"] or f"#{s.id}",
            kind=t("net_kind_seizure"),
            role="seized",
            country=d["country"] or "",
        )
        links += [(s.id, p["person_id"], p["role"]) for p in d["persons"] or []]
    people = (
        session.execute(
            select(Person).where(
                Person.id.in_({pid for _, pid, _ in links}), visible(Person.agency_id, me, "person")
            )
        )
        .scalars()
        .all()
    )
    shown = {p.id: _seizures.person_dict(p, grants, codes) for p in people}
    for sid, pid, role in links:
        if pid not in shown:
            continue
        if f"P{pid}" not in graph.vs["name"]:
            graph.add_vertex(
                f"P{pid}",
                label=shown[pid]["name"] or f"{t('entity')} #{pid}",
                kind=t("net_kind_person"),
                role="reached",
            )
        graph.add_edge(f"S{sid}", f"P{pid}", kind=t.label("involved", role))
    named = sorted(pid for pid, d in shown.items() if d["name"])
    if named:
        _audit.append_for(
            session,
            me,
            action="read_personal",
            record_kind="person",
            detail={"case": case_id, "persons": named},
        )
        session.commit()
    view = network_html(
        graph,
        title=case["reference"] or f"{t('case')} #{case_id}",
        dom_id="case-network",
        width=860,
        height=480,
        nonce=nonce(request),
        words={key: t(f"net_{key}") for key in (*VIEW_WORDS, *NETWORK_ROLES)},
    )
    return page(request, session, me, "case.html", nav="seizures", case=case, view=view)


@router.get("/persons/{person_id}", response_class=HTMLResponse)
def person_page(
    request: Request, session: SessionDep, me: ConsoleUser, person_id: RecordId
) -> Response:
    try:
        person = _seizures.get_person(session, me, person_id)
    except RegistryError:
        return page(request, session, me, "missing.html", status=404)
    p = session.get(Person, person_id)
    same: list[dict[str, Any]] = []
    listed: list[tuple[int, str, str]] = []
    if p is not None and me.may("read_personal"):
        grants, codes = Grants(session, me), _seizures.agency_codes(session)
        probe = readable_probe(p, grants)  # match only on what this user may read of p
        rules = match_rules(probe, grants)
        if rules:
            others = (
                session.execute(
                    select(Person).where(
                        Person.id != p.id, visible(Person.agency_id, me, "person"), or_(*rules)
                    )
                )
                .scalars()
                .all()
            )
            for o in others:
                d = _seizures.person_dict(o, grants, codes)
                d["matched_on"] = (
                    "id" if probe.id_key and o.id_key == probe.id_key else "name_birth"
                )
                same.append(d)
        # seizures naming these persons: only where the seizure's agency shares who was involved
        rows = session.execute(
            select(
                SeizurePerson.seizure_id, SeizurePerson.role, Seizure.reference, Seizure.agency_id
            )
            .join(Seizure, Seizure.id == SeizurePerson.seizure_id)
            .where(
                SeizurePerson.person_id.in_([person_id] + [o["id"] for o in same]),
                visible(Seizure.agency_id, me, "seizure"),
                Seizure.agency_id.in_(grants.granting("seizure", "persons")),
            )
        ).all()
        refs = set(grants.granting("seizure", "reference"))
        listed = [
            (sid, role, ref if agency in refs else f"#{sid}") for sid, role, ref, agency in rows
        ]
        if same:
            _audit.append_for(
                session,
                me,
                action="read_personal",
                record_kind="person",
                detail={"same_as": person_id, "persons": [o["id"] for o in same]},
            )
    session.commit()
    return page(
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
def map_page(request: Request, session: SessionDep, me: ConsoleUser) -> Response:
    seen = visible(Seizure.agency_id, me, "seizure")
    grants = Grants(session, me)
    placed = Seizure.agency_id.in_(grants.granting("seizure", "lat", "lon"))  # dots: where shared
    named = set(grants.granting("seizure", "reference", "country"))
    rows = session.execute(
        select(Seizure.lat, Seizure.lon, Seizure.reference, Seizure.country, Seizure.agency_id)
        .where(seen, placed, Seizure.lat.is_not(None), Seizure.lon.is_not(None))
        .order_by(Seizure.id.desc())
        .limit(3000)
    ).all()
    points = [(a, b, f"{r} ({c})" if agency in named else "") for a, b, r, c, agency in rows]
    origin = (
        select(ChainLeg.seizure_id, ChainLeg.country).where(ChainLeg.role == "origin").subquery()
    )
    dest = (
        select(ChainLeg.seizure_id, ChainLeg.country)
        .where(ChainLeg.role == "destination")
        .subquery()
    )
    routes = session.execute(
        select(origin.c.country, dest.c.country, func.count())
        .join(dest, dest.c.seizure_id == origin.c.seizure_id)
        .join(Seizure, Seizure.id == origin.c.seizure_id)
        .where(seen, Seizure.agency_id.in_(grants.granting("seizure", "chain")))
        .group_by(origin.c.country, dest.c.country)
        .order_by(func.count().desc())
        .limit(200)
    ).all()
    t = translator(request, session, me)
    svg = world_map(
        [(float(a or 0), float(b or 0), text) for a, b, text in points],
        [(a, b, int(n)) for a, b, n in routes],
        label=t("map"),
        country_name=t.country,
    )
    return page(
        request, session, me, "map.html", nav="map", svg=svg, routes=routes, points=len(points)
    )
