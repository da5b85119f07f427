"""An outside tester's findings in the console (on SQLite and PostgreSQL): the language form
redirected to any Referer; reports followed symlinks out of their folder, ran on the console's
origin and failed on bytes that are not UTF-8; withheld case fields read "—" (and the case
network "None"); a seizure page named cases whose reference is not shared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from onca.registry import create_app
from onca.registry._web_security import REPORT_POLICY
from tests.registry.conftest import Registry, seizure
from tests.registry.console.test_console_pages import form_token_of, signed_in

A, B = "PE-SERFOR", "BO-POL"
SAME = {"Origin": "http://testserver"}  # the form itself is same-origin; the Referer is not


@pytest.mark.parametrize(
    ("referer", "back"),
    [
        (None, "/console/"),
        ("https://evil.example/x", "/console/"),
        ("https://evil.example/console/", "/console/"),  # was followed: it contains /console/
        ("http://evil.testserver/console/seizures", "/console/"),
        ("http://testserver:9999/console/seizures", "/console/"),
        ("http://testserver/elsewhere/console/", "/console/"),
        ("http://testserver/console", "/console/"),
        ("javascript:alert(1)//console/", "/console/"),
        (
            "http://testserver/console/seizures?taxon=Panthera+onca&country=PE",
            "/console/seizures?taxon=Panthera+onca&country=PE",
        ),
        ("http://testserver/console/cases/1#network", "/console/cases/1"),
    ],
)
def test_language_goes_back_only_to_a_console_page_of_this_site(
    registry: Registry, referer: str | None, back: str
) -> None:
    client = signed_in(registry, A, "analyst")
    headers = {**SAME, **({"Referer": referer} if referer else {})}
    r = client.post(
        "/console/language",
        data={"lang": "es", "csrf": form_token_of(client)},
        headers=headers,
        follow_redirects=False,
    )
    assert (r.status_code, r.headers["location"]) == (303, back)


def test_reports_stay_in_their_folder_sandboxed_and_any_encoding(
    registry: Registry, tmp_path: Path
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "density.html").write_text(
        "<html><body><h1>Jaguar density</h1><script>document.title='ok'</script></body></html>"
    )
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    os.symlink(secret, folder / "x.html")  # points out of the folder
    os.symlink(tmp_path, folder / "up.html")  # a folder
    os.symlink(folder / "density.html", folder / "alias.html")  # stays inside: fine
    latin = "<html><head><meta charset='iso-8859-1'></head><body>Tráfico de fauna</body></html>"
    (folder / "latin.html").write_bytes(latin.encode("latin-1"))
    (folder / "broken.html").write_bytes(b"<html>\xff\xfe\x00 bad \xc3</html>")
    app = create_app(registry.client.app.state.engine, reports=folder)
    client = signed_in(registry, A, "viewer", TestClient(app))
    listing = client.get("/console/reports").text
    assert "density.html" in listing and "alias.html" in listing and "latin.html" in listing
    assert "x.html" not in listing and "up.html" not in listing
    for name in ("x.html", "up.html"):
        r = client.get(f"/console/reports/{name}")
        assert r.status_code == 404 and "root:x" not in r.text
    r = client.get("/console/reports/density.html")
    assert r.status_code == 200 and "<script>document.title='ok'</script>" in r.text
    assert r.headers["content-security-policy"] == REPORT_POLICY
    assert REPORT_POLICY == "sandbox allow-scripts; frame-ancestors 'none'"
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert (
        r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"
    )
    assert "Jaguar density" in client.get("/console/reports/alias.html").text
    for name, body in (
        ("latin.html", latin.encode("latin-1")),
        ("broken.html", b"<html>\xff\xfe\x00 bad \xc3</html>"),
    ):
        r = client.get(f"/console/reports/{name}")
        assert r.status_code == 200, (name, r.status_code)
        assert r.content == body  # as it is, for the page's own charset
        assert r.headers["content-type"] == "text/html"
        assert r.headers["content-security-policy"] == REPORT_POLICY


def _case_shared_for(registry: Registry, fields: list[str]) -> tuple[int, int]:
    """A's seizure and case K-SECRET holding it; B is granted the seizure and ``fields`` of A's
    cases. Returns (seizure id, case id)."""
    api, admin = registry.client, registry.as_(A, "admin")
    assert (
        api.post(
            "/agreements", headers=admin, json={"grantee": B, "record_kind": "seizure"}
        ).status_code
        == 201
    )
    assert (
        api.post(
            "/agreements",
            headers=admin,
            json={"grantee": B, "record_kind": "case", "fields": fields},
        ).status_code
        == 201
    )
    made = api.post("/seizures", headers=registry.as_(A, "editor"), json=seizure("S-1")).json()
    case = api.post(
        "/cases",
        headers=registry.as_(A, "editor"),
        json={
            "reference": "K-SECRET",
            "title": "Jaguar teeth to Asia",
            "opened_on": "2026-09-20",
            "seizure_ids": [made["id"]],
        },
    )
    assert case.status_code == 201, case.text
    return made["id"], case.json()["id"]


@pytest.mark.parametrize(
    ("language", "word"), [("en", "withheld"), ("es", "reservado"), ("pt", "reservado")]
)
def test_withheld_case_fields_say_so(registry: Registry, language: str, word: str) -> None:
    _, case_id = _case_shared_for(registry, ["seizures"])
    partner = signed_in(registry, B, "analyst")
    lang = {"Accept-Language": language}
    page = partner.get(f"/console/cases/{case_id}", headers=lang)
    assert page.status_code == 200
    text = page.text
    assert "K-SECRET" not in text and "Jaguar teeth" not in text and "2026-09-20" not in text
    assert (
        text.count(f'<span class="redacted">{word}</span>') >= 5
    )  # title, status, opened, charges, evidence
    assert "<dd>—</dd>" not in text
    case_word = {"en": "Case", "es": "Caso", "pt": "Caso"}[language]
    assert f"<title>{case_word} #{case_id}</title>" in text  # the network view's title
    assert "None" not in text
    listing = partner.get("/console/cases", headers=lang).text
    assert f"/console/cases/{case_id}" in listing and "Jaguar teeth" not in listing
    assert listing.count(f'<span class="redacted">{word}</span>') == 3  # title, status, opened
    own = signed_in(registry, A, "analyst").get(f"/console/cases/{case_id}", headers=lang).text
    assert "Jaguar teeth to Asia" in own and "<title>K-SECRET</title>" in own
    assert f'<span class="redacted">{word}</span>' not in own


@pytest.mark.parametrize(
    ("fields", "shown"), [(["seizures"], False), (["seizures", "reference"], True)]
)
def test_seizure_page_names_a_case_only_where_its_reference_is_shared(
    registry: Registry, fields: list[str], shown: bool
) -> None:
    seizure_id, case_id = _case_shared_for(registry, fields)
    text = signed_in(registry, B, "analyst").get(f"/console/seizures/{seizure_id}").text
    assert f'<a href="/console/cases/{case_id}">' in text
    assert ("K-SECRET" in text) is shown
    if not shown:
        assert f'<a href="/console/cases/{case_id}">#{case_id}</a>' in text
    own = signed_in(registry, A, "analyst").get(f"/console/seizures/{seizure_id}").text
    assert f'<a href="/console/cases/{case_id}">K-SECRET</a>' in own
