"""The API on SQLite and PostgreSQL: bad input is a 4xx naming the field; bulk import is all or
nothing with a per-row report (CSV and XLSX); cross-border hits notify both agencies; tokens
are hashed, scoped and throttled; the audit chain records writes and reads of personal data and
names the first broken link when tampered with."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from onca.registry import verify
from onca.registry._auth import MAX_FAILURES
from onca.registry._db import session_factory
from tests.registry.conftest import Registry, build_registry, engine_for, seizure

A, B = "PE-SERFOR", "BO-POL"


def test_bad_input_is_a_4xx_naming_the_field(registry: Registry) -> None:
    c, me = registry.client, registry.as_(A, "editor")
    cases = [
        ({"reference": "R1"}, {("body", "seized_on"), ("body", "country"), ("body", "specimens")}),
        (seizure("R2", country="XY"), {("body", "country")}),
        (seizure("R3", lat=91), {("body", "lat")}),
        (
            seizure(
                "R4",
                specimens=[
                    {
                        "taxon": "Panthera onca",
                        "commodity": "skin",
                        "quantity": -1,
                        "unit": "parsec",
                    }
                ],
            ),
            {("body", "specimens", "0", "quantity"), ("body", "specimens", "0", "unit")},
        ),
        (
            seizure(
                "R5",
                chain=[
                    {"role": "origin", "country": "BO", "share": 0.7},
                    {"role": "origin", "country": "PE", "share": 0.6},
                ],
            ),
            {("body",)},
        ),
        (seizure("R6", persons=[{"role": "courier"}]), {("body", "persons", "0")}),
        (seizure("R7", description="nul\x00byte"), {("body", "description")}),
        (seizure("R8", surprise=1), {("body", "surprise")}),
        (seizure("bad reference!"), {("body", "reference")}),
    ]
    for body, fields in cases:
        r = c.post("/seizures", headers=me, json=body)
        assert r.status_code == 422, (body, r.text)
        locs = {tuple(str(x) for x in d["loc"]) for d in r.json()["detail"]}
        assert fields <= locs, (body, locs)
    assert c.post("/seizures", headers=me, content=b"{not json", params={}).status_code == 422
    unknown = c.post(
        "/seizures", headers=me, json=seizure("R9", persons=[{"person_id": 999, "role": "buyer"}])
    )
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == [
        "body",
        "persons",
        "0",
        "person_id",
    ]
    assert c.get("/seizures/0", headers=me).status_code == 422
    assert c.get("/seizures/99999999999999999999", headers=me).status_code == 422
    assert c.get("/seizures", headers=me, params={"date_from": "yesterday"}).status_code == 422
    assert c.post("/seizures", headers=me, json=seizure("OK-1")).status_code == 201
    clash = c.post("/seizures", headers=me, json=seizure("OK-1"))
    assert clash.status_code == 409 and clash.json()["detail"][0]["loc"] == ["body", "reference"]
    assert c.patch("/seizures/1", headers=me, json={"country": None}).status_code == 422


def test_bulk_import_is_all_or_nothing_with_a_report(registry: Registry) -> None:
    c, me = registry.client, registry.as_(A, "editor")
    header = "reference,seized_on,country,taxon,commodity,quantity,unit,transit_countries,person_name,person_birth_date\n"
    good = header + "".join(
        f"IMP-{i},2026-0{1 + i % 9}-15,PE,Ara ararauna,live,{2 + i},number,EC;PA,,\n"
        for i in range(20)
    )
    bad = (
        good
        + "IMP-0,2026-01-01,PE,Ara ararauna,live,1,number,,,\nIMP-X,2026-13-01,ZZ,Ara ararauna,live,-3,number,QQ,,\n"
    )
    r = c.post(
        "/imports/seizures?wait=60",
        headers=me,
        files={"file": ("bad.csv", bad.encode(), "text/csv")},
    )
    assert r.status_code == 422
    report = r.json()
    assert (report["status"], report["rows"], report["imported"], report["rejected_rows"]) == (
        "rejected",
        22,
        0,
        2,
    )
    problems = {(p["line"], p["field"]) for p in report["problems"]}
    assert {
        (22, "reference"),
        (23, "seized_on"),
        (23, "country"),
        (23, "quantity"),
        (23, "chain.0.country"),
    } <= problems
    assert c.get("/seizures", headers=me).json()["total"] == 0  # nothing written
    ok = c.post(
        "/imports/seizures?wait=60",
        headers=me,
        files={"file": ("good.csv", good.encode(), "text/csv")},
    )
    assert ok.status_code == 201 and ok.json()["imported"] == 20
    again = c.post(
        "/imports/seizures?wait=60",
        headers=me,
        files={"file": ("good.csv", good.encode(), "text/csv")},
    )
    assert (
        again.status_code == 422 and again.json()["rejected_rows"] == 20
    )  # references exist already
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(
        [
            "reference",
            "seized_on",
            "country",
            "taxon",
            "commodity",
            "quantity",
            "unit",
            "person_name",
        ]
    )
    ws.append(["XL-1", "2026-05-01", "BR", "Panthera onca", "skull", 1, "number", "Ana Souza"])
    buffer = io.BytesIO()
    wb.save(buffer)
    xl = c.post(
        "/imports/seizures?wait=60",
        headers=me,
        files={"file": ("sheet.xlsx", buffer.getvalue(), "application/octet-stream")},
    )
    assert xl.status_code == 201 and xl.json()["imported"] == 1, xl.text
    assert c.get("/seizures", headers=me, params={"country": "BR"}).json()["total"] == 1
    for name, content in (
        ("notes.txt", b"x"),
        ("broken.xlsx", b"not a workbook"),
        ("empty.csv", b""),
    ):
        r = c.post(
            "/imports/seizures?wait=60", headers=me, files={"file": (name, content, "text/plain")}
        )
        assert r.status_code == 422, r.text
        if name.endswith(".txt"):  # refused at once, without a job
            assert r.json()["detail"][0]["loc"] == ["body", "file"], r.text
        else:
            assert [p["field"] for p in r.json()["problems"]] == ["file"], r.text
    viewer = c.post(
        "/imports/seizures?wait=60",
        headers=registry.as_(A, "viewer"),
        files={"file": ("good.csv", good.encode(), "text/csv")},
    )
    assert viewer.status_code == 403


def test_cross_border_hits_notify_both_agencies(registry: Registry) -> None:
    c = registry.client
    c.post(
        "/agreements",
        headers=registry.as_(B, "admin"),
        json={"grantee": A, "record_kind": "person"},
    )
    person = {
        "name": "Quispe Mamani, Juan Carlos",
        "birth_date": "1984-05-02",
        "nationality": "BO",
        "id_number": "4412871",
    }
    assert (
        c.post(
            "/seizures",
            headers=registry.as_(B, "editor"),
            json=seizure("BO-1", country="BO", persons=[{"role": "suspect", "person": person}]),
        ).status_code
        == 201
    )
    same = {"name": "Juan Carlos QUISPE MAMANI", "birth_date": "1984-05-02"}  # other order, no id
    made = c.post(
        "/seizures",
        headers=registry.as_(A, "editor"),
        json=seizure("PE-1", persons=[{"role": "courier", "person": same}]),
    )
    assert made.status_code == 201
    mine = c.get("/notifications", headers=registry.as_(A, "analyst")).json()
    theirs = c.get("/notifications", headers=registry.as_(B, "analyst")).json()
    assert len(mine) == 1 and len(theirs) == 1
    assert (
        mine[0]["detail"]["other_agency"] == B
        and mine[0]["detail"]["matched_on"] == "name and birth date"
    )
    assert theirs[0]["detail"]["other_agency"] == A and "Juan" not in theirs[0]["message"]
    # BR-IBAMA cannot see BO-POL's persons: its identical record raises no hit
    assert (
        c.post(
            "/seizures",
            headers=registry.as_("BR-IBAMA", "editor"),
            json=seizure("BR-1", country="BR", persons=[{"role": "buyer", "person": same}]),
        ).status_code
        == 201
    )
    assert c.get("/notifications", headers=registry.as_("BR-IBAMA", "analyst")).json() == []


def test_tokens_are_hashed_scoped_and_throttled(registry: Registry) -> None:
    c = registry.client
    engine = c.app.state.engine  # type: ignore[attr-defined]
    token = registry.tokens[(A, "admin")]
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT secret_hash FROM api_tokens")).scalars().all()
    assert all(h.startswith("$argon2id$") for h in stored) and not any(
        token.split("_", 2)[2] in h for h in stored
    )
    assert c.get("/me").status_code == 401
    assert c.get("/me", headers=registry.as_(A, "admin")).json()["role"] == "admin"
    from onca.registry._admin import add_user

    with session_factory(engine)() as session:
        reader = add_user(session, A, "reader-only", "editor", ("read",)).token
        session.commit()
    ro = {"Authorization": f"Bearer {reader}"}
    assert c.get("/seizures", headers=ro).status_code == 200
    assert (
        c.post("/seizures", headers=ro, json=seizure("RO-1")).status_code == 403
    )  # scope read only
    for _ in range(MAX_FAILURES):
        assert c.get("/me", headers={"Authorization": "Bearer onca_0000_wrong"}).status_code == 401
    throttled = c.get("/me", headers={"Authorization": "Bearer onca_0000_wrong"})
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0
    # a valid token is never refused for the failures of others at the same address
    assert c.get("/me", headers=registry.as_(A, "admin")).status_code == 200
    assert c.get("/me", headers=registry.as_(B, "viewer")).status_code == 200


def test_audit_chain_records_and_names_the_first_broken_link(registry: Registry) -> None:
    c, url = registry.client, registry.url
    s = c.post(
        "/seizures",
        headers=registry.as_(A, "editor"),
        json=seizure("AU-1", persons=[{"role": "courier", "person": {"name": "Maria Flores"}}]),
    ).json()
    c.get(f"/persons/{s['persons'][0]['person_id']}", headers=registry.as_(A, "analyst"))
    c.get(
        f"/persons/{s['persons'][0]['person_id']}", headers=registry.as_(A, "viewer")
    )  # no personal data shown
    engine = engine_for(url)
    with engine.connect() as conn:
        actions = conn.execute(
            sa.text("SELECT action, record_kind FROM audit_log ORDER BY seq")
        ).all()
    assert actions[-3:] == [
        ("create", "seizure"),
        ("read_personal", "seizure"),
        ("read_personal", "person"),
    ]
    with session_factory(engine)() as session:
        check = verify(session)
    assert check.ok and check.links == len(actions)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE audit_log SET detail = '{\"reference\": \"AU-2\"}' WHERE action = 'create'"
                " AND record_kind = 'seizure'"
            )
        )
        tampered = conn.execute(
            sa.text("SELECT seq FROM audit_log WHERE action = 'create' AND record_kind = 'seizure'")
        ).scalar_one()
    with session_factory(engine)() as session:
        check = verify(session)
    assert (check.ok, check.broken_at) == (False, tampered) and "changed" in (check.reason or "")
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_log WHERE seq = :s"), {"s": tampered})
    with session_factory(engine)() as session:
        check = verify(session)
    assert check.broken_at == tampered and "missing" in (check.reason or "")
    engine.dispose()


@pytest.mark.slow
def test_schemathesis_finds_no_server_errors(pg_url: str) -> None:
    """Every operation of /openapi.json, 30 generated requests each, as an admin: no 5xx."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error

    reg = build_registry(pg_url, {A: ("PE", "wildlife"), B: ("BO", "police")}, ("admin",))
    headers = reg.as_(A, "admin")
    assert reg.client.post("/seizures", headers=headers, json=seizure("SEED-1")).status_code == 201
    schema = schemathesis.openapi.from_asgi("/openapi.json", reg.client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:

        @settings(
            max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            # an import with ?wait may wait for its process: the client must wait longer
            case.call_and_validate(headers=headers, checks=[not_a_server_error], timeout=120)

        check()


@pytest.mark.slow
def test_schemathesis_with_nan_and_surrogates_finds_no_server_errors(pg_url: str) -> None:
    """The same operations with one value of each generated JSON body replaced by NaN,
    Infinity, -Infinity or a text holding a lone surrogate: 4xx, never 5xx."""
    import json

    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    reg = build_registry(pg_url, {A: ("PE", "wildlife"), B: ("BO", "police")}, ("admin",))
    headers = {**reg.as_(A, "admin"), "Content-Type": "application/json"}
    assert reg.client.post("/seizures", headers=headers, json=seizure("SEED-1")).status_code == 201
    schema = schemathesis.openapi.from_asgi("/openapi.json", reg.client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    hostile = st.sampled_from([float("nan"), float("inf"), float("-inf"), "\ud800", "x\udfffy"])
    sent = 0
    for operation in operations:
        if operation.method.upper() not in ("POST", "PATCH", "PUT") or "imports" in operation.path:
            continue

        @settings(
            max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=operation.as_strategy(), bad=hostile, pick=st.integers(0, 10_000))
        def check(case: schemathesis.Case, bad: object, pick: int) -> None:
            nonlocal sent
            body = case.body if isinstance(case.body, dict | list) else {}
            leaves: list[tuple[object, object]] = []
            stack: list[object] = [body]
            while stack:  # every (container, key) whose value is not a container
                item = stack.pop()
                pairs = item.items() if isinstance(item, dict) else enumerate(item)  # type: ignore[attr-defined]
                for k, v in list(pairs):
                    (stack.append(v) if isinstance(v, dict | list) else leaves.append((item, k)))
            if leaves:
                container, key = leaves[pick % len(leaves)]
                container[key] = bad  # type: ignore[index]
            elif isinstance(body, dict):
                body["x"] = bad
            r = reg.client.request(
                case.method,
                case.formatted_path,
                params=case.query or None,
                headers=headers,
                content=json.dumps(body).encode(),
            )
            sent += 1
            assert r.status_code < 500, (
                case.method,
                case.formatted_path,
                body,
                r.status_code,
                r.text,
            )

        check()
    assert sent >= 200
