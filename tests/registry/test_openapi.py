"""The OpenAPI document describes what the API answers: every JSON route declares a response
model, the answers validate against their models, and the document's properties are the keys
the answers carry. The console stays out of the document, and each of its pages sends a visitor
who is not signed in to the sign-in page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError

from onca.registry import _responses as out
from onca.registry.app import ROUTERS
from onca.registry.console import _records as console_records
from onca.registry.console import _routes as console_routes
from tests.registry.conftest import Registry, build_registry, seizure

A, B = "PE-SERFOR", "BO-POL"
JSON = "application/json"


@pytest.fixture
def small(tmp_path: Path) -> Registry:
    """A registry on SQLite with two agencies (an admin, an editor and a viewer each)."""
    agencies = {A: ("PE", "wildlife"), B: ("BO", "police")}
    return build_registry(f"sqlite:///{tmp_path / 'registry.db'}", agencies)


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = doc["components"]["schemas"][name]
    return schema


def _described(doc: dict[str, Any], schema: dict[str, Any]) -> bool:
    """A JSON answer is described when it is an object with named properties, a list of such,
    or a choice between such (never a bare ``object`` or ``{}``)."""
    schema = _resolve(doc, schema)
    if "anyOf" in schema or "oneOf" in schema:
        choices = schema.get("anyOf", []) + schema.get("oneOf", [])
        return bool(choices) and all(_described(doc, c) for c in choices)
    if schema.get("type") == "array":
        return _described(doc, schema.get("items", {}))
    return bool(schema.get("properties"))


def test_every_json_route_declares_a_described_answer(small: Registry) -> None:
    doc = small.client.get("/openapi.json").json()
    operations = [(p, m, op) for p, ops in doc["paths"].items() for m, op in ops.items()]
    assert len(operations) >= 24  # every API route is in the document
    assert not [p for p, _, _ in operations if p.startswith("/console")]
    undescribed = []
    for path, method, op in operations:
        answers = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        assert answers, (method, path, "declares no 2xx answer")
        for code, answer in answers.items():
            content = answer.get("content", {})
            if JSON not in content:  # the exports: text of their own type
                assert content and all(c.get("schema") for c in content.values()), (path, code)
                continue
            if not _described(doc, content[JSON].get("schema", {})):
                undescribed.append(f"{method.upper()} {path} {code}")
    assert undescribed == []


def test_json_routes_name_their_response_model() -> None:
    """Each JSON route of each area declares its model in code (not only a return type)."""
    routes = [r for area in ROUTERS for r in area.router.routes if isinstance(r, APIRoute)]
    assert len(routes) >= 24
    exports = {"/exports/seizures.csv", "/exports/seizures.ftm.json"}
    missing = [r.path for r in routes if r.path not in exports and r.response_model is None]
    assert missing == []


def _check(doc: dict[str, Any], model: type[BaseModel], answer: dict[str, Any]) -> None:
    """``answer`` validates against ``model`` and carries exactly the documented properties."""
    model.model_validate(answer)
    documented = doc["components"]["schemas"][model.__name__]["properties"]
    assert set(answer) <= set(documented), set(answer) - set(documented)
    required = set(doc["components"]["schemas"][model.__name__].get("required", []))
    assert required <= set(answer), required - set(answer)


def test_answers_validate_against_their_models(small: Registry) -> None:
    c = small.client
    doc = c.get("/openapi.json").json()
    editor, viewer = small.as_(A, "editor"), small.as_(B, "viewer")
    person = {"role": "suspect", "person": {"name": "Ana Quispe", "birth_date": "1980-02-01"}}
    created = c.post("/seizures", headers=editor, json=seizure("S-1", persons=[person]))
    assert created.status_code == 201
    _check(doc, out.SeizureOut, created.json())
    page = c.get("/seizures", headers=small.as_(A, "viewer")).json()
    _check(doc, out.SeizurePage, page)
    assert page["items"][0]["specimens"][0]["quantity"] == 24
    case = c.post(
        "/cases",
        headers=editor,
        json={
            "reference": "K-1",
            "title": "Teeth to China",
            "opened_on": "2026-03-20",
            "seizure_ids": [1],
        },
    )
    assert case.status_code == 201
    _check(doc, out.CaseOut, case.json())
    _check(doc, out.Health, c.get("/health").json())
    _check(doc, out.Me, c.get("/me", headers=editor).json())
    # another agency without an agreement sees nothing; with one, a redacted record
    assert c.get("/seizures/1", headers=viewer).status_code == 404
    grant = {"grantee": B, "record_kind": "seizure", "fields": ["country", "specimens"]}
    agreement = c.post("/agreements", headers=small.as_(A, "admin"), json=grant)
    assert agreement.status_code == 201
    _check(doc, out.AgreementOut, agreement.json())
    shared = c.get("/seizures/1", headers=viewer).json()
    _check(doc, out.SeizureOut, shared)
    assert shared["reference"] is None and "reference" in shared["redacted"]
    assert shared["country"] == "PE"


def test_a_payload_unlike_its_model_is_refused() -> None:
    """The models forbid keys they do not declare: a dict that grew a key fails the answer."""
    record = {
        "id": 1,
        "typology": "permit_reused",
        "severity": "high",
        "subject": "permit P1",
        "party": None,
        "score": 0.9,
        "evidence": "Permit P1 on 3 shipments",
        "status": "open",
        "reason": None,
        "triaged_at": None,
    }
    assert out.AlertOut.model_validate(record).score == 0.9
    with pytest.raises(ValidationError, match="surprise"):
        out.AlertOut.model_validate({**record, "surprise": 1})
    with pytest.raises(ValidationError, match="score"):
        out.AlertOut.model_validate({k: v for k, v in record.items() if k != "score"})
    assert out.Created.model_validate({"id": 3}).id == 3
    with pytest.raises(ValidationError):
        out.Created.model_validate(record)  # a full record is never taken for a bare id


def test_console_pages_send_strangers_to_sign_in(small: Registry) -> None:
    stranger = TestClient(small.client.app)
    routes = [(r, "") for r in console_routes.router.routes] + [
        (r, "/console") for r in console_records.router.routes
    ]
    pages = [
        prefix + r.path
        for r, prefix in routes
        if isinstance(r, APIRoute) and "GET" in r.methods and r.path != "/console/signin"
    ]
    assert len(pages) >= 11
    for page in pages:
        path = page.replace("{name}", "report.html")
        for key in ("{seizure_id}", "{case_id}", "{person_id}"):
            path = path.replace(key, "1")
        r = stranger.get(path, follow_redirects=False)
        assert (r.status_code, r.headers.get("location")) == (303, f"/console/signin?next={path}")
        assert r.content == b""
