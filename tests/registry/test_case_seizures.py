"""A case's seizures changed through PATCH /cases/{id} (seizure_ids replaces the list): links
kept, dropped and added, only seizures the user may see added, no null, writers only, and the
change audited by name (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from tests.registry.conftest import Registry, seizure

A, B = "PE-SERFOR", "BO-POL"


def test_patch_relinks_the_seizures_of_a_case(registry: Registry) -> None:
    api, me = registry.client, registry.as_(A, "editor")
    ids = [api.post("/seizures", headers=me, json=seizure(f"S-{i}")).json()["id"] for i in range(3)]
    theirs = api.post("/seizures", headers=registry.as_(B, "editor"), json=seizure("B-1"))
    case = api.post(
        "/cases",
        headers=me,
        json={"reference": "K-1", "title": "T", "opened_on": "2026-10-01", "seizure_ids": ids[:2]},
    ).json()
    r = api.patch(f"/cases/{case['id']}", headers=me, json={"seizure_ids": [ids[2], ids[1]]})
    assert r.status_code == 200, r.text
    assert r.json()["seizures"] == sorted([ids[1], ids[2]])
    refused = api.patch(
        f"/cases/{case['id']}", headers=me, json={"seizure_ids": [ids[1], theirs.json()["id"]]}
    )
    assert refused.status_code == 422 and "seizure_ids[1]" in refused.text  # B's: not shared
    assert (
        api.patch(f"/cases/{case['id']}", headers=me, json={"seizure_ids": None}).status_code == 422
    )
    emptied = api.patch(f"/cases/{case['id']}", headers=me, json={"seizure_ids": []})
    assert emptied.status_code == 200 and emptied.json()["seizures"] == []
    assert (
        api.patch(
            f"/cases/{case['id']}", headers=registry.as_(A, "analyst"), json={"seizure_ids": ids}
        ).status_code
        == 403
    )
    with registry.client.app.state.engine.connect() as conn:
        details = conn.execute(
            sa.text("SELECT detail FROM audit_log WHERE action = 'update' ORDER BY seq")
        ).scalars()
        assert [json.loads(d)["fields"] for d in details] == [["seizure_ids"], ["seizure_ids"]]
