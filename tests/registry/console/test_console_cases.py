"""Cases opened and edited in the console (on SQLite and PostgreSQL): through the API's writers,
so the audit chain records them; a bad field is named and nothing is written; a role that may
not write sees no control and its posts (or a post without the form token) change nothing."""

from __future__ import annotations

import json

import sqlalchemy as sa

from onca.registry._audit import verify
from onca.registry._db import session_factory
from tests.registry.conftest import Registry, seizure
from tests.registry.console.test_console_pages import form_token_of, signed_in

A, B = "PE-SERFOR", "BO-POL"


def _audit(registry: Registry) -> list[tuple[str, str | None, str]]:
    engine = registry.client.app.state.engine
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT action, record_kind, detail FROM audit_log ORDER BY seq")
        ).all()
    return [(a, k, d) for a, k, d in rows]


def _chain_holds(registry: Registry) -> bool:
    with session_factory(registry.client.app.state.engine)() as session:
        return verify(session).ok


def test_an_editor_opens_and_edits_a_case(registry: Registry) -> None:
    api = registry.client
    for ref in ("S-1", "S-2"):
        r = api.post("/seizures", headers=registry.as_(A, "editor"), json=seizure(ref))
        assert r.status_code == 201, r.text
    editor = signed_in(registry, A, "editor")
    assert 'href="/console/cases/new"' in editor.get("/console/cases").text
    form = editor.get("/console/cases/new")
    assert form.status_code == 200 and 'name="seizure_ids"' in form.text
    csrf = form_token_of(editor)
    bad = editor.post(
        "/console/cases/new",
        data={
            "csrf": csrf,
            "reference": "K 1",  # a space: not a reference
            "title": "Jaguar teeth to China",
            "status": "investigation",
            "opened_on": "2026-10-01",
            "seizure_ids": "1, 2",
        },
    )
    assert bad.status_code == 422
    assert 'aria-invalid="true" aria-describedby="e-reference"' in bad.text
    assert "Jaguar teeth to China" in bad.text  # what was typed stays
    unknown = editor.post(
        "/console/cases/new",
        data={"csrf": csrf, "reference": "K-1", "title": "T", "opened_on": "2026-10-01"}
        | {"seizure_ids": "1, 999"},
    )
    assert unknown.status_code == 422 and "No seizure 999 that you may see." in unknown.text
    word = editor.post(
        "/console/cases/new",
        data={"csrf": csrf, "reference": "K-1", "title": "T", "opened_on": "2026-10-01"}
        | {"seizure_ids": "1, two"},
    )
    assert word.status_code == 422 and "&#39;two&#39; is not a seizure number" in word.text
    assert [a for a in _audit(registry) if a[1] == "case"] == []  # nothing written so far
    made = editor.post(
        "/console/cases/new",
        data={
            "csrf": csrf,
            "reference": "K-1",
            "title": "Jaguar teeth to China",
            "status": "investigation",
            "opened_on": "2026-10-01",
            "seizure_ids": "#1, 2",
            "charges": "wildlife trafficking\n\n  smuggling  \n",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    where = made.headers["location"]
    case_id = int(where.rsplit("/", 1)[1])
    case = api.get(f"/cases/{case_id}", headers=registry.as_(A, "viewer")).json()
    assert (case["reference"], case["seizures"], case["charges"]) == (
        "K-1",
        [1, 2],
        ["wildlife trafficking", "smuggling"],
    )
    page = editor.get(where).text
    assert f'href="/console/cases/{case_id}/edit"' in page
    edit = editor.get(f"/console/cases/{case_id}/edit")
    assert edit.status_code == 200 and "Jaguar teeth to China" in edit.text
    emptied = editor.post(
        f"/console/cases/{case_id}/edit",
        data={"csrf": csrf, "title": "", "status": "prosecution", "charges": "smuggling"},
    )
    assert emptied.status_code == 422 and 'aria-describedby="e-title"' in emptied.text
    saved = editor.post(
        f"/console/cases/{case_id}/edit",
        data={
            "csrf": csrf,
            "title": "Jaguar teeth to China",
            "status": "prosecution",
            "charges": "wildlife trafficking\nsmuggling",
            "verdict": "",
            "penalties": "",
            "seizure_ids": "2",  # seizure 1 leaves the case
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    case = api.get(f"/cases/{case_id}", headers=registry.as_(A, "viewer")).json()
    assert case["status"] == "prosecution" and case["title"] == "Jaguar teeth to China"
    assert case["seizures"] == [2]
    audit = [(a, json.loads(d)) for a, k, d in _audit(registry) if k == "case"]
    assert audit == [
        ("create", {"reference": "K-1"}),
        ("update", {"fields": ["seizure_ids", "status"]}),  # only the fields that changed
    ]
    assert _chain_holds(registry)
    # the same form again changes nothing and writes no link
    editor.post(
        f"/console/cases/{case_id}/edit",
        data={"csrf": csrf, "title": "Jaguar teeth to China", "status": "prosecution"}
        | {"charges": "wildlife trafficking\nsmuggling", "seizure_ids": "#2"},
    )
    assert len([k for _, k, _ in _audit(registry) if k == "case"]) == 2
    # a duplicate reference is the API's 409, named on the field
    again = editor.post(
        "/console/cases/new",
        data={"csrf": csrf, "reference": "K-1", "title": "T", "opened_on": "2026-10-01"},
    )
    assert again.status_code == 422 and "already used this reference for another case" in again.text
    spanish = editor.post(
        "/console/cases/new",
        data={"csrf": csrf, "reference": "K-1", "title": "", "opened_on": "2026-10-01"},
        headers={"Accept-Language": "es"},
    )
    assert spanish.status_code == 422 and "Este campo es obligatorio." in spanish.text


def test_a_reader_sees_no_controls_and_cannot_write(registry: Registry) -> None:
    api = registry.client
    r = api.post(
        "/cases",
        headers=registry.as_(A, "editor"),
        json={"reference": "K-9", "title": "Macaws", "opened_on": "2026-09-20"},
    )
    assert r.status_code == 201
    case_id = r.json()["id"]
    before = _audit(registry)
    for role in ("viewer", "analyst"):
        reader = signed_in(registry, A, role)
        assert "/console/cases/new" not in reader.get("/console/cases").text
        assert f"/console/cases/{case_id}/edit" not in reader.get(f"/console/cases/{case_id}").text
        assert reader.get("/console/cases/new").status_code == 403
        assert reader.get(f"/console/cases/{case_id}/edit").status_code == 403
        csrf = form_token_of(reader)
        made = reader.post(
            "/console/cases/new",
            data={"csrf": csrf, "reference": "K-10", "title": "T", "opened_on": "2026-10-01"},
        )
        assert made.status_code == 403
        edited = reader.post(
            f"/console/cases/{case_id}/edit",
            data={"csrf": csrf, "title": "Changed", "status": "closed"},
        )
        assert edited.status_code == 403
    # an editor's post without the form token (a forged form) is refused before any route
    editor = signed_in(registry, A, "editor")
    forged = editor.post(
        f"/console/cases/{case_id}/edit", data={"title": "Changed", "status": "closed"}
    )
    assert forged.status_code == 403
    # another agency's editor: the case is not theirs to edit (nor named as another's)
    other = signed_in(registry, B, "editor")
    assert other.get(f"/console/cases/{case_id}/edit").status_code == 404
    assert (
        other.post(
            f"/console/cases/{case_id}/edit",
            data={"csrf": form_token_of(other), "title": "Changed", "status": "closed"},
        ).status_code
        == 404
    )
    case = api.get(f"/cases/{case_id}", headers=registry.as_(A, "viewer")).json()
    assert (case["title"], case["status"]) == ("Macaws", "investigation")
    assert _audit(registry) == before
