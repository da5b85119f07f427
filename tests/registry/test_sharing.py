"""The authorization matrix: five agencies x four roles x four record kinds x every field, by
id, by search and by export, on SQLite and PostgreSQL. One agency owns the records; one is
granted seizures without personal data, one seizures, persons and two case fields, one had an
agreement that expired, one has none."""

from __future__ import annotations

import csv
import io

import pytest

from onca.registry._models import PERSONAL_FIELDS, SHAREABLE_FIELDS
from tests.registry.conftest import AGENCIES, ROLES, Registry, seizure

OWNER, PARTIAL, FULL, EXPIRED, NONE = AGENCIES
GRANTS: dict[str, dict[str, set[str]]] = {
    PARTIAL: {"seizure": {"reference", "seized_on", "country", "specimens"}},
    FULL: {
        "seizure": set(SHAREABLE_FIELDS["seizure"]),
        "person": set(SHAREABLE_FIELDS["person"]),
        "case": {"reference", "status"},
    },
}


def expected(agency: str, role: str, kind: str) -> set[str] | None:
    """The fields a user sees of the owner's record of ``kind``, or None: not visible at all."""
    fields = set(SHAREABLE_FIELDS[kind]) if agency == OWNER else GRANTS.get(agency, {}).get(kind)
    if fields is None:
        return None
    if role == "viewer":  # personal data needs analyst or above
        fields = fields - set(PERSONAL_FIELDS[kind])
    return fields


@pytest.fixture
def shared(registry: Registry) -> tuple[Registry, dict[str, int]]:
    c, admin, editor = registry.client, registry.as_(OWNER, "admin"), registry.as_(OWNER, "editor")
    for body in (
        {
            "grantee": PARTIAL,
            "record_kind": "seizure",
            "fields": sorted(GRANTS[PARTIAL]["seizure"]),
        },
        {"grantee": FULL, "record_kind": "seizure"},
        {"grantee": FULL, "record_kind": "person"},
        {"grantee": FULL, "record_kind": "case", "fields": ["reference", "status"]},
        {
            "grantee": EXPIRED,
            "record_kind": "seizure",
            "valid_from": "2020-01-01",
            "valid_until": "2021-01-01",
        },
    ):
        r = c.post("/agreements", headers=admin, json=body)
        assert r.status_code == 201, r.text
    s = c.post(
        "/seizures",
        headers=editor,
        json=seizure(
            "SERFOR-2026-001",
            persons=[
                {
                    "role": "courier",
                    "person": {
                        "name": "Juan Carlos Quispe Mamani",
                        "birth_date": "1984-05-02",
                        "nationality": "BO",
                        "id_number": "BO-4412871",
                        "phone": "+591 71234567",
                    },
                }
            ],
        ),
    )
    assert s.status_code == 201, s.text
    ids = {"seizure": s.json()["id"], "person": s.json()["persons"][0]["person_id"]}
    k = c.post(
        "/cases",
        headers=editor,
        json={
            "reference": "CASE-77",
            "title": "Jaguar teeth to China",
            "opened_on": "2026-03-15",
            "charges": ["illegal trade in protected fauna"],
            "seizure_ids": [ids["seizure"]],
            "evidence": [
                {"kind": "photo", "description": "teeth in a shoe box", "sha256": "a" * 64}
            ],
        },
    )
    assert k.status_code == 201, k.text
    ids["case"] = k.json()["id"]
    n = c.post(
        "/notes",
        headers=editor,
        json={
            "record_kind": "seizure",
            "record_id": ids["seizure"],
            "text": "courier flew in from Santa Cruz",
        },
    )
    assert n.status_code == 201, n.text
    return registry, ids


PATHS = {"seizure": "/seizures/{}", "person": "/persons/{}", "case": "/cases/{}"}


def test_matrix(shared: tuple[Registry, dict[str, int]]) -> None:
    reg, ids = shared
    for agency in AGENCIES:
        for role in ROLES:
            check_reads(reg, ids, agency, role)
    for agency in AGENCIES:
        for role in ROLES:
            check_writes(reg, ids, agency, role)


def check_reads(reg: Registry, ids: dict[str, int], agency: str, role: str) -> None:
    c, me = reg.client, reg.as_(agency, role)
    # by id, each record kind, each field
    for kind, path in PATHS.items():
        r = c.get(path.format(ids[kind]), headers=me)
        fields = expected(agency, role, kind)
        if fields is None:
            assert r.status_code == 404, (kind, r.text)
            continue
        assert r.status_code == 200, (kind, r.text)
        record = r.json()
        assert set(record["redacted"]) == set(SHAREABLE_FIELDS[kind]) - fields, kind
        for f in SHAREABLE_FIELDS[kind]:
            assert (record[f] is None) == (f not in fields) or record[f] in ([], None), (kind, f)
    place = c.get(f"/seizures/{ids['seizure']}", headers=me).json().get("place")
    assert place == (
        "Callao port" if "place" in (expected(agency, role, "seizure") or set()) else None
    )
    # notes are not shared by any agreement
    notes = c.get(
        "/notes", headers=me, params={"record_kind": "seizure", "record_id": ids["seizure"]}
    )
    assert notes.status_code == 200 and len(notes.json()) == (1 if agency == OWNER else 0)
    # by search
    found = c.get("/seizures", headers=me, params={"taxon": "panthera"}).json()
    assert [i["id"] for i in found["items"]] == (
        [ids["seizure"]] if expected(agency, role, "seizure") else []
    )
    by_person = c.get("/seizures", headers=me, params={"person": "quispe juan"})
    persons = c.get("/persons", headers=me, params={"name": "Quispe"})
    if role == "viewer":
        assert by_person.status_code == 403 and persons.status_code == 403
    else:
        sees_link = "persons" in (expected(agency, role, "seizure") or set()) and expected(
            agency, role, "person"
        )
        assert [i["id"] for i in by_person.json()["items"]] == (
            [ids["seizure"]] if sees_link else []
        )
        assert [p["id"] for p in persons.json()] == (
            [ids["person"]] if expected(agency, role, "person") else []
        )
    # by export
    exported = c.get("/exports/seizures.csv", headers=me)
    ftm = c.get("/exports/seizures.ftm.json", headers=me)
    if role == "viewer":
        assert exported.status_code == 403 and ftm.status_code == 403
    else:
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert [int(r["seizure_id"]) for r in rows] == (
            [ids["seizure"]] if expected(agency, role, "seizure") else []
        )
        for row in rows:
            assert set(filter(None, row["redacted"].split(";"))) == set(
                SHAREABLE_FIELDS["seizure"]
            ) - (expected(agency, role, "seizure") or set())
        assert ("Quispe" in ftm.text) == bool(
            expected(agency, role, "person")
            and "persons" in (expected(agency, role, "seizure") or set())
        )


def check_writes(reg: Registry, ids: dict[str, int], agency: str, role: str) -> None:
    """Only editors and admins write, and only their own agency's records."""
    c, me = reg.client, reg.as_(agency, role)
    made = c.post("/seizures", headers=me, json=seizure(f"{agency}-{role}"))
    assert made.status_code == (201 if role in ("editor", "admin") else 403), made.text
    patch = c.patch(f"/seizures/{ids['seizure']}", headers=me, json={"place": "Lima"})
    if role in ("viewer", "analyst"):
        assert patch.status_code == 403
    else:
        assert patch.status_code == (200 if agency == OWNER else 404)
    assert c.post(
        "/agreements", headers=me, json={"grantee": NONE, "record_kind": "case"}
    ).status_code == (
        201 if role == "admin" and agency != NONE else 403 if role != "admin" else 422
    )


def test_unshared_records_never_leak(shared: tuple[Registry, dict[str, int]]) -> None:
    """The unpartnered agency's analyst probes ids, searches and exports: nothing of the owner's."""
    reg, ids = shared
    c, me = reg.client, reg.as_(NONE, "analyst")
    for path in ("/seizures/{}", "/persons/{}", "/cases/{}"):
        for i in range(1, 6):
            assert c.get(path.format(i), headers=me).status_code == 404
    assert c.get("/seizures", headers=me, params={"country": "PE"}).json()["total"] == 0
    assert c.get("/persons", headers=me, params={"name": "Juan"}).json() == []
    assert "SERFOR-2026-001" not in c.get("/exports/seizures.csv", headers=me).text
    assert c.get("/exports/seizures.ftm.json", headers=me).text == ""
    note = c.post(
        "/notes",
        headers=me,
        json={"record_kind": "seizure", "record_id": ids["seizure"], "text": "x"},
    )
    assert note.status_code == 422 and "that you may see" in note.text
    case = c.post(
        "/cases",
        headers=reg.as_(NONE, "editor"),
        json={
            "reference": "K1",
            "title": "t",
            "opened_on": "2026-01-01",
            "seizure_ids": [ids["seizure"]],
        },
    )
    assert case.status_code == 422 and case.json()["detail"][0]["loc"] == [
        "body",
        "seizure_ids",
        "0",
    ]


def test_withheld_fields_cannot_be_probed(registry: Registry) -> None:
    """Filters, aggregates, the console's pages and cross-border hits only read granted fields
    (regressions for an internal review's findings)."""
    from fastapi.testclient import TestClient

    c = registry.client
    admin = registry.as_(OWNER, "admin")
    for body in (
        {"grantee": PARTIAL, "record_kind": "seizure", "fields": ["reference"]},
        {"grantee": PARTIAL, "record_kind": "person", "fields": ["kind"]},
        {"grantee": FULL, "record_kind": "seizure"},
        {"grantee": FULL, "record_kind": "person", "fields": ["kind"]},
    ):
        assert c.post("/agreements", headers=admin, json=body).status_code == 201
    secret = {
        "country": "EC",
        "seized_on": "2025-07-09",
        "chain": [{"role": "origin", "country": "CO"}, {"role": "destination", "country": "VN"}],
        "specimens": [
            {"taxon": "Leopardus pardalis", "commodity": "skins", "quantity": 3, "unit": "number"}
        ],
    }
    made = c.post(
        "/seizures",
        headers=registry.as_(OWNER, "editor"),
        json=seizure(
            "SECRET-1",
            **secret,
            persons=[
                {
                    "role": "courier",
                    "person": {
                        "name": "Juan Carlos Quispe Mamani",
                        "birth_date": "1984-05-02",
                        "id_number": "BO-4412871",
                    },
                }
            ],
        ),
    ).json()
    x_viewer, x_editor = registry.as_(PARTIAL, "viewer"), registry.as_(PARTIAL, "editor")
    for params in (
        {"taxon": "Leopardus pardalis"},
        {"country": "VN"},
        {"country": "EC"},
        {"date_from": "2025-07-01", "date_to": "2025-07-31"},
    ):
        assert c.get("/seizures", headers=x_viewer, params=params).json()["total"] == 0, params
    assert c.get("/seizures", headers=x_viewer).json()["total"] == 1  # the record itself is shared
    assert (
        "SECRET-1"
        not in c.get(
            "/exports/seizures.csv",
            headers=registry.as_(PARTIAL, "analyst"),
            params={"taxon": "Leopardus pardalis"},
        ).text
    )
    assert (
        c.get(
            "/seizures", headers=registry.as_(FULL, "analyst"), params={"person": "Quispe"}
        ).json()["total"]
        == 0
    )
    # cross-border hits do not confirm a withheld ID number
    c.post(
        "/seizures",
        headers=x_editor,
        json=seizure(
            "PROBE-1",
            persons=[{"role": "suspect", "person": {"name": "probe", "id_number": "BO 4412871"}}],
        ),
    )
    assert c.get("/notifications", headers=registry.as_(PARTIAL, "analyst")).json() == []
    # the console: dashboard, map, person page and case network
    console = TestClient(c.app)
    console.post("/console/signin", data={"token": registry.tokens[(PARTIAL, "viewer")]})
    dash = console.get("/console/").text
    assert "Leopardus" not in dash
    assert "/console/seizures?country=EC" not in dash
    assert "2025-07: 1" not in dash  # the month chart counts only records that share their date
    world = console.get("/console/map").text
    assert "SECRET-1" not in world and "CO → VN" not in world
    assert "SECRET-1" not in console.get(f"/console/persons/{made['persons'][0]['person_id']}").text
    case = c.post(
        "/cases",
        headers=x_editor,
        json={
            "reference": "X-CASE",
            "title": "probe",
            "opened_on": "2026-04-01",
            "seizure_ids": [made["id"]],
        },
    ).json()
    analyst = TestClient(c.app)
    analyst.post("/console/signin", data={"token": registry.tokens[(PARTIAL, "analyst")]})
    assert "Quispe" not in analyst.get(f"/console/cases/{case['id']}").text
    w_console = TestClient(c.app)
    w_console.post("/console/signin", data={"token": registry.tokens[(FULL, "analyst")]})
    own = c.post(
        "/persons",
        headers=registry.as_(FULL, "editor"),
        json={"name": "Someone", "id_number": "BO4412871"},
    ).json()
    assert (
        f"/console/persons/{made['persons'][0]['person_id']}"
        not in w_console.get(f"/console/persons/{own['id']}").text
    )


def test_odd_input_is_never_a_server_error(registry: Registry) -> None:
    from fastapi.testclient import TestClient

    c = registry.client
    me = registry.as_(OWNER, "analyst")
    for person in ("²", "9" * 30, "٣"):
        assert c.get("/seizures", headers=me, params={"person": person}).status_code == 200, person
    console = TestClient(c.app)
    console.post("/console/signin", data={"token": registry.tokens[(OWNER, "analyst")]})
    for path in ("seizures", "persons", "cases"):
        assert console.get(f"/console/{path}/{'9' * 30}").status_code == 422
    assert console.get("/console/seizures", params={"person": "²"}).status_code == 200
    from onca.registry._admin import add_user
    from onca.registry._db import session_factory

    with session_factory(c.app.state.engine)() as session:
        write_only = add_user(session, OWNER, "writer", "editor", ("write",)).token
        session.commit()
    made = c.post(
        "/seizures", headers={"Authorization": f"Bearer {write_only}"}, json=seizure("WO-1")
    )
    assert made.status_code == 201 and set(made.json()) == {"id"}
