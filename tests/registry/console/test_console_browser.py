"""The console end to end in a real browser: Playwright driving Debian's Chromium against
``onca registry serve`` on PostgreSQL. Sign in; record a seizure through the form; a partner
agency sees it as its agreement allows and a non-partner does not; triage an alert; open the
network view of a case; switch the language. All under the console's Content-Security-Policy:
a violation reported by the browser fails the test. A failing test leaves a screenshot in
test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from onca.registry._db import session_factory
from onca.registry._models import Agency, Alert
from tests.registry.conftest import LiveServer, build_registry, engine_for

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
OWNER, PARTNER, OTHER = "PE-SERFOR", "BO-POL", "BR-IBAMA"
expect.set_options(timeout=20_000)  # two CI cores run other tests beside the browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), (
        "Debian's chromium is missing: run scripts/install-browser.sh (make test does)"
    )
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(locale="en-GB")
    pg = context.new_page()
    yield pg
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def site(
    pg_url: str, live_server: Callable[..., LiveServer]
) -> tuple[LiveServer, dict[tuple[str, str], str]]:
    agencies = {OWNER: ("PE", "wildlife"), PARTNER: ("BO", "police"), OTHER: ("BR", "wildlife")}
    reg = build_registry(pg_url, agencies, ("analyst", "editor", "admin"))
    admin = reg.as_(OWNER, "admin")
    r = reg.client.post(
        "/agreements",
        headers=admin,
        json={
            "grantee": PARTNER,
            "record_kind": "seizure",
            "fields": ["reference", "seized_on", "country", "specimens"],
        },
    )
    assert r.status_code == 201, r.text
    engine = engine_for(pg_url)
    with session_factory(engine)() as session:
        owner = session.query(Agency).filter_by(code=OWNER).one()
        session.add(
            Alert(
                agency_id=owner.id,
                source_id="A-1",
                typology="permit_reused",
                severity="high",
                subject="permit 23PE000004",
                party="CUS0000009",
                score=0.95,
                evidence="Permit 23PE000004 was declared on 5 shipments.",
                status="open",
            )
        )
        session.commit()
    engine.dispose()
    return live_server(pg_url), reg.tokens


def sign_in(page: Page, server: LiveServer, token: str) -> None:
    page.goto(server.base + "/console/")
    expect(page).to_have_url(re.compile(r"/console/signin"))
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()


def test_sign_in_create_share_triage_and_network(
    page: Page, site: tuple[LiveServer, dict[tuple[str, str], str]]
) -> None:
    server, tokens = site
    violations: list[str] = []  # what the browser refused under the page's CSP
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    # a wrong token is refused on the page
    page.goto(server.base + "/console/signin")
    page.get_by_label("API token").fill("onca_nothing_here")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("That token was not accepted")

    # the owner's editor records a seizure through the form; a bad field is named first
    sign_in(page, server, tokens[(OWNER, "editor")])
    page.get_by_role("navigation").get_by_role("link", name="New seizure").click()
    form = {
        "Reference": "SERFOR E2E 1",  # a space: not a reference
        "Date seized": "2026-10-05",
        "Place": "Puerto Maldonado",
        "Taxon": "Panthera onca",
        "Commodity": "skins",
        "Quantity": "2",
    }
    for label, value in form.items():
        page.get_by_label(label, exact=True).fill(value)
    choices = {
        "Country": "PE",
        "Unit": "number",
        "Country of origin": "BO",
        "Country of destination": "CN",
    }
    for label, value in choices.items():
        page.get_by_label(label, exact=True).select_option(value)  # the allowed values
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("alert")).to_contain_text("The seizure was not recorded")
    expect(page.get_by_label("Reference", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Country of origin", exact=True)).to_have_value("BO")  # kept
    page.get_by_label("Reference", exact=True).fill("SERFOR-E2E-1")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("SERFOR-E2E-1")
    expect(page.get_by_text("Puerto Maldonado")).to_be_visible()
    seizure_url = page.url

    # the partner sees it as its agreement allows: the place is withheld
    page.context.clear_cookies()
    sign_in(page, server, tokens[(PARTNER, "analyst")])
    page.goto(server.base + "/console/seizures?taxon=Panthera")
    expect(page.get_by_role("link", name="SERFOR-E2E-1")).to_be_visible()
    page.get_by_role("link", name="SERFOR-E2E-1").click()
    expect(page.get_by_text("Withheld by the sharing agreement").first).to_be_visible()
    expect(page.get_by_text("Puerto Maldonado")).to_have_count(0)

    # a non-partner does not see it, by list or by address
    page.context.clear_cookies()
    sign_in(page, server, tokens[(OTHER, "analyst")])
    page.goto(server.base + "/console/seizures")
    expect(page.get_by_text("0 seizures")).to_be_visible()
    response = page.goto(seizure_url)
    assert response is not None and response.status == 404
    expect(page.get_by_text("Not found, or not shared with your agency.")).to_be_visible()

    # the owner's analyst triages the alert; it leaves the open list
    page.context.clear_cookies()
    sign_in(page, server, tokens[(OWNER, "analyst")])
    page.get_by_role("navigation").get_by_role("link", name="Alerts", exact=True).click()
    alert = page.locator("#alert-1")
    alert.get_by_label("Dismiss").check()
    alert.get_by_label("Reason").fill("permit renewed; shipments checked by customs")
    alert.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.get_by_text("No open alerts.")).to_be_visible()

    # the network of a case: seizures and persons, with pan and zoom
    seizure_id = int(seizure_url.rsplit("/", 1)[1])
    headers = {"Authorization": f"Bearer {tokens[(OWNER, 'editor')]}"}
    with httpx.Client(base_url=server.base, headers=headers) as c:
        other = c.post(
            "/seizures",
            json={
                "reference": "SERFOR-E2E-2",
                "seized_on": "2026-10-09",
                "country": "PE",
                "specimens": [
                    {
                        "taxon": "Panthera onca",
                        "commodity": "teeth",
                        "quantity": 30,
                        "unit": "number",
                    }
                ],
                "persons": [
                    {
                        "role": "courier",
                        "person": {"name": "Rosa Condori", "birth_date": "1988-04-12"},
                    }
                ],
            },
        ).json()
        case = c.post(
            "/cases",
            json={
                "reference": "CASE-E2E",
                "title": "Jaguar parts, Madre de Dios",
                "opened_on": "2026-10-10",
                "seizure_ids": [seizure_id, other["id"]],
            },
        ).json()
    page.get_by_role("navigation").get_by_role("link", name="Cases").click()
    page.get_by_role("link", name="CASE-E2E").click()
    expect(page).to_have_url(re.compile(rf"/console/cases/{case['id']}$"))
    view = page.locator("#case-network")
    expect(view.locator("svg")).to_be_visible()
    expect(view.locator("svg circle")).to_have_count(3)  # two seizures and Rosa Condori
    expect(view.locator("table")).to_contain_text("Rosa Condori")
    assert view.locator("svg g").first.get_attribute("transform") is None  # not zoomed yet
    view.get_by_role("button", name="Zoom in").click()  # the script ran: allowed by the nonce
    expect(view.locator("svg g").first).to_have_attribute("transform", re.compile(r"scale\(1\.4\)"))

    # keyboard: the first Tab reaches the skip link, which moves focus to the content
    page.goto(server.base + "/console/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # Spanish for this user, kept across pages
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Save").click()
    page.goto(server.base + "/console/")
    expect(page.get_by_role("heading", level=1, name="Panel")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert violations == []
