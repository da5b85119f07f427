"""Console pages without a browser (on SQLite and PostgreSQL): sign-in, every page for a
signed-in user, sharing on the dashboard, reports, alert import and triage, the three
languages, and labels for every form control."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from fastapi.testclient import TestClient

from onca.registry import create_app
from onca.registry._db import session_factory
from onca.registry.console._i18n import LANGUAGES, LOCALES
from tests.registry.conftest import Registry, seizure

A, B, C = "PE-SERFOR", "BO-POL", "BR-IBAMA"
TEMPLATES = (
    Path(__file__).resolve().parents[3] / "src" / "onca" / "registry" / "console" / "templates"
)


def test_catalogues_have_the_same_keys_and_cover_the_templates() -> None:
    keys = {code: set(yaml.safe_load((LOCALES / f"{code}.yaml").read_text())) for code in LANGUAGES}
    assert keys["es"] == keys["en"] and keys["pt"] == keys["en"]
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"\bt\('([a-z_]+)'", template.read_text()))
    used = {k for k in used if not k.endswith("_")}  # prefixes, completed in the template
    nav = {
        f"nav_{k}" for k in ("dashboard", "seizures", "new", "cases", "map", "alerts", "reports")
    }
    nav |= {f"status_{k}" for k in ("investigation", "prosecution", "verdict", "closed")}
    assert (used | nav) - keys["en"] == set()


def signed_in(
    reg: Registry, agency: str, role: str, app_client: TestClient | None = None
) -> TestClient:
    client = app_client or TestClient(reg.client.app)
    r = client.post(
        "/console/signin", data={"token": reg.tokens[(agency, role)]}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    return client


def form_token_of(client: TestClient) -> str:
    """The ``csrf`` field of the console's forms, as a signed-in user's page carries it."""
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', client.get("/console/").text)
    assert found, "no form token on the dashboard"
    return found.group(1)


class Controls(HTMLParser):
    """Form controls and the ids labels point at."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()
        self._in_label = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "label":
            self._in_label += 1
            if a.get("for"):
                self.labelled.add(str(a["for"]))
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.controls.append({**a, "_wrapped": "yes" if self._in_label else None})

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._in_label -= 1


def test_pages_sharing_and_accessibility(registry: Registry, tmp_path: Path) -> None:
    api = registry.client
    api.post(
        "/agreements",
        headers=registry.as_(A, "admin"),
        json={"grantee": B, "record_kind": "seizure"},
    )
    for i, (taxon, country) in enumerate(
        [("Panthera onca", "PE"), ("Panthera onca", "BO"), ("Ara ararauna", "PE")]
    ):
        r = api.post(
            "/seizures",
            headers=registry.as_(A, "editor"),
            json=seizure(
                f"D-{i}",
                country=country,
                seized_on=f"2026-09-1{i}",
                specimens=[{"taxon": taxon, "commodity": "live", "quantity": 1, "unit": "number"}],
            ),
        )
        assert r.status_code == 201
    k = api.post(
        "/cases",
        headers=registry.as_(A, "editor"),
        json={
            "reference": "K-1",
            "title": "Macaws to Europe",
            "opened_on": "2026-09-20",
            "seizure_ids": [3],
        },
    )
    assert k.status_code == 201, k.text
    anonymous = TestClient(api.app)
    r = anonymous.get("/console/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/console/signin")
    assert anonymous.post("/console/signin", data={"token": "onca_x_y"}).status_code == 401
    owner = signed_in(registry, A, "analyst")
    pages = [
        "/console/",
        "/console/seizures",
        "/console/seizures?taxon=Panthera&country=PE",
        "/console/seizures/new",
        "/console/seizures/1",
        "/console/map",
        "/console/alerts",
        "/console/reports",
        "/console/persons/1",
        "/console/cases",
        "/console/cases?status=closed",
        "/console/cases/1",
    ]
    for path in pages:
        r = owner.get(path)
        # no persons were recorded; an analyst may not record a seizure (the page says why)
        expected = {"/console/persons/1": 404, "/console/seizures/new": 403}.get(path, 200)
        assert r.status_code == expected, (path, r.text[:200])
        assert '<html lang="en">' in r.text
        parser = Controls()
        parser.feed(r.text)
        for control in parser.controls:
            named = (
                control.get("aria-label")
                or control.get("_wrapped")
                or control.get("id") in parser.labelled
            )
            assert named, (path, control)
    assert "Macaws to Europe" in owner.get("/console/cases").text
    assert "Macaws to Europe" not in owner.get("/console/cases?status=closed").text
    assert (
        '/console/cases/1"' in owner.get("/console/seizures/3").text
    )  # the seizure names its case
    assert (
        "/console/cases/1" not in signed_in(registry, B, "analyst").get("/console/cases").text
    )  # cases not shared
    dash = owner.get("/console/").text
    assert re.search(r'class="big">3</span>', dash) and "Ara ararauna" in dash
    partner = signed_in(registry, B, "analyst")
    assert re.search(r'class="big">3</span>', partner.get("/console/").text)
    other = signed_in(registry, C, "analyst")
    other_dash = other.get("/console/").text
    assert re.search(r'class="big">0</span>', other_dash) and "Ara ararauna" not in other_dash
    assert other.get("/console/seizures/1").status_code == 404
    assert "Callao" not in other.get("/console/map").text


def test_reports_folder(db_url: str, tmp_path: Path, registry: Registry) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "report.html").write_text("<html><body><h1>Jaguar density</h1></body></html>")
    (tmp_path / "secret.html").write_text("secret")
    app = create_app(registry.client.app.state.engine, reports=folder)
    client = signed_in(registry, A, "viewer", TestClient(app))
    listing = client.get("/console/reports").text
    assert "report.html" in listing
    assert "Jaguar density" in client.get("/console/reports/report.html").text
    assert client.get("/console/reports/..%2Fsecret.html").status_code == 404
    assert client.get("/console/reports/secret.html").status_code == 404
    bare = signed_in(registry, A, "viewer")
    assert "onca registry serve --reports" in bare.get("/console/reports").text


def test_alerts_import_and_triage(registry: Registry, tmp_path: Path) -> None:
    from onca.registry._admin import agency_by_code
    from onca.registry._alerts import import_alerts
    from onca.workspace import open_workspace

    ws_path = tmp_path / "ws.duckdb"
    with open_workspace(ws_path) as ws:
        ws.con.execute(
            "INSERT INTO alerts (alert_id, run_id, typology_id, severity, subject_type, subject_id, party_id,"
            " window_start, window_end, score, evidence, details) VALUES"
            " ('x1', 1, 'permit_reused', 'high', 'permit', 'P1', 'C1', NULL, NULL, 0.9, 'Permit P1 on 3 shipments', '{}'),"
            " ('x2', 1, 'structuring', 'medium', 'account', 'AC9', 'C2', NULL, NULL, 0.4, 'Cash under the threshold', '{}')"
        ).fetchall()
    engine = registry.client.app.state.engine
    with session_factory(engine)() as session:
        first = import_alerts(session, agency_by_code(session, A), ws_path)
        again = import_alerts(session, agency_by_code(session, A), ws_path)
        session.commit()
    assert (first["imported"], again["imported"], again["already_there"]) == (2, 0, 2)
    api = registry.client
    listed = api.get("/alerts", headers=registry.as_(A, "viewer")).json()
    assert [a["typology"] for a in listed] == ["permit_reused", "structuring"]
    assert api.get("/alerts", headers=registry.as_(B, "analyst")).json() == []  # never shared
    alert_id = listed[0]["id"]
    assert (
        api.post(
            f"/alerts/{alert_id}/triage",
            headers=registry.as_(A, "viewer"),
            json={"decision": "accepted", "reason": "confirmed"},
        ).status_code
        == 403
    )
    assert (
        api.post(
            f"/alerts/{alert_id}/triage",
            headers=registry.as_(A, "analyst"),
            json={"decision": "accepted", "reason": ""},
        ).status_code
        == 422
    )
    assert (
        api.post(
            f"/alerts/{alert_id}/triage",
            headers=registry.as_(B, "analyst"),
            json={"decision": "accepted", "reason": "not mine"},
        ).status_code
        == 404
    )
    console = signed_in(registry, A, "analyst")
    r = console.post(
        f"/console/alerts/{alert_id}",
        data={"decision": "dismissed", "reason": "permit renewed", "csrf": form_token_of(console)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert [a["id"] for a in api.get("/alerts", headers=registry.as_(A, "viewer")).json()] == [
        listed[1]["id"]
    ]
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT detail FROM audit_log WHERE action = 'triage'")
        ).scalar_one()
    assert "permit renewed" in row and "dismissed" in row


@pytest.mark.parametrize(
    ("header", "heading"), [("es-PE,es;q=0.9", "Ingresar"), ("pt-BR", "Entrar"), ("de", "Sign in")]
)
def test_language_from_the_browser_then_the_user(
    registry: Registry, header: str, heading: str
) -> None:
    client = TestClient(registry.client.app)
    assert (
        f"<h1>{heading}</h1>"
        in client.get("/console/signin", headers={"Accept-Language": header}).text
    )
    signed_in(registry, A, "analyst", client)
    client.post("/console/language", data={"lang": "pt", "csrf": form_token_of(client)})
    assert "<h1>Painel</h1>" in client.get("/console/", headers={"Accept-Language": header}).text


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_text_colours_keep_wcag_aa_contrast() -> None:
    """Every text colour of the stylesheet on its background: at least 4.5:1 (WCAG 2.1 AA)."""
    css = (TEMPLATES.parent / "static" / "console.css").read_text()
    var = dict(re.findall(r"--([a-z]+):\s*(#[0-9a-fA-F]{6})", css))
    pairs = [
        (var["ink"], "#ffffff"),
        (var["muted"], "#ffffff"),
        (var["accent"], "#ffffff"),
        (var["bad"], "#ffffff"),
        (var["good"], "#ffffff"),
        ("#ffffff", "#0b2e4f"),
        ("#ffffff", "#0b5394"),
    ]
    for fg, bg in pairs:
        hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
        assert (hi + 0.05) / (lo + 0.05) >= 4.5, (fg, bg)
    assert "#0b2e4f" in css and "#0b5394" in css  # the header and button backgrounds tested above
