"""Security headers on every response and the console's same-origin rule (an outside tester's
findings): foreign Origins and Referers are refused on every console form, sign-in included;
every form but the sign-in needs the user's form token; the case network's inline script runs
only by the page's CSP nonce."""

from __future__ import annotations

import re

import igraph as ig
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from onca.errors import ParameterError
from onca.network._view import network_html
from onca.registry._db import session_factory
from onca.registry._models import Agency, Alert
from onca.registry._web_security import (
    API_POLICY,
    console_policy,
    form_token,
    form_token_matches,
    origin_of,
)
from tests.registry.conftest import Registry, seizure
from tests.registry.console.test_console_pages import form_token_of, signed_in

A, B = "PE-SERFOR", "BO-POL"
HOSTILE = [
    {"Origin": "http://127.0.0.1:9999"},  # another port of the same site (SameSite allows it)
    {"Origin": "http://evil.testserver"},  # a subdomain
    {"Origin": "https://testserver"},  # another scheme
    {"Origin": "null"},  # a sandboxed page or a data: URL
    {"Origin": "http://testserver:8080"},
    {"Referer": "https://evil.example/x"},  # no Origin: the Referer decides
    {"Referer": "http://testserver.evil.example/console/"},
]
NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]{16,})'")


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://testserver", ("http", "testserver", 80)),
        ("https://Onca.Example:443/console/?x=1", ("https", "onca.example", 443)),
        ("http://127.0.0.1:9999", ("http", "127.0.0.1", 9999)),
        ("null", None),
        ("", None),
        ("javascript:alert(1)", None),
        ("file:///etc/passwd", None),
        ("http://host:99999", None),
        ("http://host:x", None),
        ("//testserver/console/", None),
    ],
)
def test_origin_of(url: str, origin: tuple[str, str, int] | None) -> None:
    assert origin_of(url) == origin


def test_form_token_is_an_hmac_of_the_cookie_token() -> None:
    token = form_token("onca_abc_123")
    assert re.fullmatch(r"[0-9a-f]{64}", token) and token == form_token("onca_abc_123")
    assert form_token("onca_abc_124") != token
    assert form_token_matches("onca_abc_123", token)
    for cookie, sent in [
        ("onca_abc_124", token),
        (None, token),
        ("", token),
        ("onca_abc_123", None),
        ("onca_abc_123", ""),
        ("onca_abc_123", ["x"]),
        ("onca_abc_123", token.upper()),
    ]:
        assert not form_token_matches(cookie, sent), (cookie, sent)


def test_network_html_puts_the_nonce_on_its_script_and_style() -> None:
    g = ig.Graph([(0, 1)])
    g.vs["name"] = ["S1", "P1"]
    plain = str(network_html(g, title="t", dom_id="v"))
    assert "<script>" in plain and "<style>" in plain and "nonce" not in plain  # reports unchanged
    given = str(network_html(g, title="t", dom_id="v", nonce="AbC-_123xyz+/="))
    assert '<script nonce="AbC-_123xyz+/=">' in given and '<style nonce="AbC-_123xyz+/=">' in given
    for bad in ['x" onload="alert(1)', "short", "a" * 200, "<script>"]:
        with pytest.raises(ParameterError, match="nonce"):
            network_html(g, title="t", nonce=bad)


def _headers_of(response: object) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items()}  # type: ignore[attr-defined]


def test_security_headers_on_api_and_console(registry: Registry) -> None:
    api = registry.client
    for r in [
        api.get("/seizures", headers=registry.as_(A, "viewer")),
        api.get("/seizures"),
        api.get("/no-such-thing"),
        api.get("/", follow_redirects=False),
    ]:
        h = _headers_of(r)
        assert (
            h["content-security-policy"]
            == API_POLICY
            == "default-src 'none'; frame-ancestors 'none'"
        )
        assert (h["x-content-type-options"], h["referrer-policy"], h["x-frame-options"]) == (
            "nosniff",
            "same-origin",
            "DENY",
        )
    console = TestClient(api.app)
    seen = set()
    for path in [
        "/console/signin",
        "/console/signin",
        "/console/static/console.css",
        "/console/",
        "/console/nowhere",
    ]:
        h = _headers_of(console.get(path, follow_redirects=False))
        policy = h["content-security-policy"]
        nonce = NONCE.search(policy)
        assert nonce, (path, policy)
        seen.add(nonce.group(1))
        assert policy == console_policy(nonce.group(1))
        for part in [
            "default-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "img-src 'self' data:",
            f"script-src 'self' 'nonce-{nonce.group(1)}'",
        ]:
            assert part in policy, (path, part)
        assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        assert h["x-frame-options"] == "DENY" and h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "same-origin"
    assert len(seen) == 5  # a fresh nonce per response


def test_case_network_script_runs_by_the_page_nonce(registry: Registry) -> None:
    api = registry.client
    made = api.post(
        "/seizures",
        headers=registry.as_(A, "editor"),
        json=seizure("N-1", persons=[{"role": "courier", "person": {"name": "Rosa Condori"}}]),
    ).json()
    case = api.post(
        "/cases",
        headers=registry.as_(A, "editor"),
        json={
            "reference": "K-N",
            "title": "Nonce",
            "opened_on": "2026-09-20",
            "seizure_ids": [made["id"]],
        },
    ).json()
    client = signed_in(registry, A, "analyst")
    r = client.get(f"/console/cases/{case['id']}")
    assert r.status_code == 200
    nonce = NONCE.search(r.headers["content-security-policy"])
    assert nonce
    scripts = re.findall(r"<script\b[^>]*>", r.text)
    assert scripts == [
        f'<script nonce="{nonce.group(1)}">'
    ]  # the network view's, and only by nonce
    assert f'<style nonce="{nonce.group(1)}">' in r.text


def _add_alert(registry: Registry) -> int:
    engine = registry.client.app.state.engine
    with session_factory(engine)() as session:
        owner = session.query(Agency).filter_by(code=A).one()
        alert = Alert(
            agency_id=owner.id,
            source_id="A-1",
            typology="permit_reused",
            severity="high",
            subject="permit 23PE000004",
            party="CUS0000009",
            score=0.95,
            evidence="Permit declared on 5 shipments.",
            status="open",
        )
        session.add(alert)
        session.commit()
        return alert.id


def _state(registry: Registry) -> tuple[int, int, str | None]:
    """Seizures, triaged alerts and the analyst's language: what a forged form would change."""
    with registry.client.app.state.engine.connect() as conn:
        return (
            conn.execute(sa.text("SELECT count(*) FROM seizures")).scalar_one(),
            conn.execute(
                sa.text("SELECT count(*) FROM alerts WHERE status <> 'open'")
            ).scalar_one(),
            conn.execute(
                sa.text("SELECT language FROM users WHERE username = :u"), {"u": f"analyst@{A}"}
            ).scalar_one(),
        )


def _forms(alert_id: int, csrf: str) -> dict[str, dict[str, str]]:
    """Every console form that changes something, filled in as the console fills it."""
    return {
        "/console/language": {"lang": "pt", "csrf": csrf},
        "/console/seizures/new": {
            "reference": "FORGED-1",
            "seized_on": "2026-03-01",
            "country": "PE",
            "taxon": "Panthera onca",
            "commodity": "skins",
            "quantity": "1",
            "csrf": csrf,
        },
        f"/console/alerts/{alert_id}": {"decision": "dismissed", "reason": "forged", "csrf": csrf},
        "/console/signout": {"csrf": csrf},
    }


@pytest.mark.parametrize(
    "hostile", HOSTILE, ids=lambda h: f"{next(iter(h))}={next(iter(h.values()))}"
)
def test_a_form_from_another_origin_is_refused(registry: Registry, hostile: dict[str, str]) -> None:
    alert_id = _add_alert(registry)
    client = signed_in(registry, A, "editor")
    analyst = signed_in(registry, A, "analyst")
    before = _state(registry)
    tokens = {id(c): form_token_of(c) for c in (client, analyst)}
    for path, data in _forms(alert_id, "").items():
        who = analyst if "alerts" in path or "language" in path else client
        r = who.post(
            path, data={**data, "csrf": tokens[id(who)]}, headers=hostile, follow_redirects=False
        )
        assert r.status_code == 403, (path, r.status_code, r.text[:300])
        assert "another site" in r.text and r.headers["content-type"].startswith("text/html")
        assert "set-cookie" not in r.headers
    assert _state(registry) == before
    assert client.get("/console/", follow_redirects=False).status_code == 200  # still signed in
    # sign-in too: a foreign page cannot sign the browser in as someone else
    fresh = TestClient(registry.client.app)
    r = fresh.post(
        "/console/signin",
        data={"token": registry.tokens[(B, "admin")]},
        headers=hostile,
        follow_redirects=False,
    )
    assert r.status_code == 403 and "set-cookie" not in r.headers
    # the API is not a console form: its tokens are not ambient, so Origin does not matter there
    ok = registry.client.get("/seizures", headers={**registry.as_(A, "viewer"), **hostile})
    assert ok.status_code == 200


def test_same_origin_forms_with_the_form_token_pass(registry: Registry) -> None:
    alert_id = _add_alert(registry)
    analyst = signed_in(registry, A, "analyst")
    editor = signed_in(registry, A, "editor")
    same = [{"Origin": "http://testserver"}, {"Referer": "http://testserver/console/alerts"}, {}]
    r = editor.post(
        "/console/seizures/new",
        headers=same[0],
        follow_redirects=False,
        data=_forms(alert_id, form_token_of(editor))["/console/seizures/new"],
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/console/seizures/")
    r = analyst.post(
        f"/console/alerts/{alert_id}",
        headers=same[1],
        follow_redirects=False,
        data={"decision": "dismissed", "reason": "permit renewed", "csrf": form_token_of(analyst)},
    )
    assert r.status_code == 303
    r = analyst.post(
        "/console/language",
        headers=same[2],
        follow_redirects=False,
        data={"lang": "es", "csrf": form_token_of(analyst)},
    )
    assert r.status_code == 303
    assert _state(registry) == (1, 1, "es")
    fresh = TestClient(registry.client.app)
    r = fresh.post(
        "/console/signin",
        data={"token": registry.tokens[(B, "admin")]},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "onca_console=" in r.headers["set-cookie"]


def test_every_form_but_sign_in_needs_the_users_form_token(registry: Registry) -> None:
    alert_id = _add_alert(registry)
    analyst = signed_in(registry, A, "analyst")
    other = signed_in(registry, B, "analyst")
    before = _state(registry)
    wrong = {
        "missing": None,
        "empty": "",
        "another user's": form_token_of(other),
        "garbage": "0" * 64,
        "the cookie itself": registry.tokens[(A, "analyst")],
    }
    for path, data in _forms(alert_id, "").items():
        for why, token in wrong.items():
            sent = {k: v for k, v in data.items() if k != "csrf"}
            if token is not None:
                sent["csrf"] = token
            r = analyst.post(
                path, data=sent, headers={"Origin": "http://testserver"}, follow_redirects=False
            )
            assert r.status_code == 403, (path, why, r.status_code)
            assert "security token" in r.text, (path, why)
    assert _state(registry) == before
    # signed out: no cookie, no form token to match
    anonymous = TestClient(registry.client.app)
    assert (
        anonymous.post("/console/language", data={"lang": "pt", "csrf": "0" * 64}).status_code
        == 403
    )
    # the page the form came from carries the token; the form posted with it works
    page = analyst.get("/console/alerts").text
    assert (
        page.count(f'name="csrf" value="{form_token_of(analyst)}"') == 3
    )  # triage, language, sign-out
    assert (
        f'name="csrf" value="{form_token_of(analyst)}"' in analyst.get("/console/seizures/new").text
    )


def test_refusal_page_speaks_the_browsers_language(registry: Registry) -> None:
    client = TestClient(registry.client.app)
    r = client.post(
        "/console/signin",
        data={"token": "x"},
        headers={"Origin": "http://evil.testserver", "Accept-Language": "es"},
    )
    assert r.status_code == 403 and '<html lang="es">' in r.text and "otro sitio" in r.text
    assert "http://evil.testserver" in r.text  # names what was refused, escaped
    r = client.post(
        "/console/signin", data={"token": "x"}, headers={"Origin": "http://<b>evil</b>"}
    )
    assert r.status_code == 403 and "<b>evil</b>" not in r.text
