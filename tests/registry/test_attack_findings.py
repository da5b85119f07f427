"""Regression tests for the findings of the outside attack on the registry (issue 17), each
with the hostile input the tester used, on SQLite and PostgreSQL."""

from __future__ import annotations

from tests.registry.conftest import Registry, seizure

A, B, C = "PE-SERFOR", "BO-POL", "BR-IBAMA"
MARIA = {"name": "Maria Fernanda Condori", "birth_date": "1990-07-21", "nationality": "PE",
         "id_number": "PE-44128710"}  # fmt: skip


def test_linking_a_partners_person_leaks_none_of_its_withheld_fields(registry: Registry) -> None:
    """B sees only the kind of A's persons; C shares everything with B. B links A's person to a
    seizure of its own: B's notifications must name neither the person nor a match in C's
    records (that would confirm A's name, birth date or ID number through C)."""
    c = registry.client
    assert c.post("/agreements", headers=registry.as_(A, "admin"),
                  json={"grantee": B, "record_kind": "person", "fields": ["kind"]}).status_code == 201  # fmt: skip
    assert c.post("/agreements", headers=registry.as_(C, "admin"),
                  json={"grantee": B, "record_kind": "person"}).status_code == 201  # fmt: skip
    made = c.post("/seizures", headers=registry.as_(A, "editor"),
                  json=seizure("A-1", persons=[{"role": "suspect", "person": MARIA}]))  # fmt: skip
    a_person = made.json()["persons"][0]["person_id"]
    assert c.post("/seizures", headers=registry.as_(C, "editor"), json=seizure(
        "C-1", country="BR", persons=[{"role": "buyer", "person": MARIA}])).status_code == 201  # fmt: skip
    assert c.get(f"/persons/{a_person}", headers=registry.as_(B, "analyst")).json()["name"] is None
    linked = c.post("/seizures", headers=registry.as_(B, "editor"), json=seizure(
        "B-1", country="BO", persons=[{"role": "courier", "person_id": a_person}]))  # fmt: skip
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
        assert c.post("/agreements", headers=registry.as_(grantor, "admin"),
                      json={"grantee": B, "record_kind": "person"}).status_code == 201  # fmt: skip
    a_person = c.post("/seizures", headers=registry.as_(A, "editor"), json=seizure(
        "A-1", persons=[{"role": "suspect", "person": MARIA}])).json()["persons"][0]["person_id"]  # fmt: skip
    c.post("/seizures", headers=registry.as_(C, "editor"), json=seizure(
        "C-1", country="BR", persons=[{"role": "buyer", "person": MARIA}]))  # fmt: skip
    c.post("/seizures", headers=registry.as_(B, "editor"), json=seizure(
        "B-1", country="BO", persons=[{"role": "courier", "person_id": a_person}]))  # fmt: skip
    told = c.get("/notifications", headers=registry.as_(B, "analyst")).json()
    to_c = [n for n in told if n["detail"].get("other_agency") == C]
    assert to_c and "Maria Fernanda Condori" in to_c[0]["message"], told
