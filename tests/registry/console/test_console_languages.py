"""The console is whole in Spanish and Portuguese: every page, rendered with realistic data for
each language, shows no English word; its controls match the user's role; and persons on a
seizure page are named to exactly those the sharing rules let read the name."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from onca.registry import create_app
from onca.registry._admin import agency_by_code
from onca.registry._db import session_factory
from onca.registry._models import Alert, Seizure
from onca.registry.console._i18n import Translator
from tests.registry.conftest import Registry, build_registry
from tests.registry.console.test_console_pages import form_token_of, signed_in
from tests.registry.test_sharing import AGENCIES, ROLES, expected, shared  # noqa: F401  # the matrix's fixture and rule, reused

OWNER, PARTNER = "PE-SERFOR", "BO-POL"

# English words that are not also Spanish or Portuguese words (so that "no", "a", "red", "final",
# "total" or "editor" in Spanish or Portuguese text cannot trip it)
ENGLISH = set(
    """
    the and of with from for this that your you may not nothing none yet here there what which
    seizure seizures origin destination transit export custody new save cancel record recorded
    offender suspect courier buyer seller owner person persons company agency agencies status
    search page next previous score open closed created date species quantity unit units value
    country countries place description transport specimens specimen commodity reference
    evidence note notes case cases alert alerts report reports map dashboard sign signed out in
    role viewer analyst administrator admin kind birth number name nationality address phone
    withheld shared sharing agreement field fields required choose decision accept dismiss
    reason triage severity high medium low account permit shipment transaction party flag
    network zoom reset view drag wheel node nodes details solid line dashed link payment wider
    edit import upload rows row file skip content language back refused matched same other
    investigation prosecution verdict charges penalties title opened kilograms grams metres
    litres pairs sets boxes sea air road rail river post pedestrian on foot seized found
    """.split()  # noqa: SIM905  # a word list reads better as words than as 170 lines
)
TEXT_ATTRIBUTES = (
    "aria-label",
    "title",
    "alt",
    "placeholder",
    "data-tip",
)  # data-tip: read out by the network view


class Visible(HTMLParser):
    """The text a person reads or hears: text outside scripts and styles, and the text
    attributes of elements (aria-label, title, alt, placeholder). Left out: ``<code>`` (names a
    file or a program must use as they are) and elements marked ``lang="en"`` (English on
    purpose, said so to screen readers), which ``english_on_purpose`` counts."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.english_on_purpose = 0
        self._hidden: list[str] = []  # the open elements whose text is left out

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if self._hidden and tag == self._hidden[-1]:
            self._hidden.append(tag)
        elif tag in ("script", "style", "code") or (tag != "html" and a.get("lang") == "en"):
            self.english_on_purpose += a.get("lang") == "en"
            self._hidden.append(tag)
        elif not self._hidden:
            self.parts += [v for k, v in attrs if k in TEXT_ATTRIBUTES and v]

    def handle_endtag(self, tag: str) -> None:
        if self._hidden and tag == self._hidden[-1]:
            self._hidden.pop()

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


# the data this test records: values, not interface text (removed before the words are read)
DATA = (
    "CASE-77",
    "seizures.csv",
    "Juan Carlos Quispe Mamani",
    "Callao port",
    "Jaguar teeth in a shoe box, declared as handicrafts",
    "courier flew in from Santa Cruz",
    "Jaguar teeth to China",
    "Panthera onca",
    "teeth",
    "Cash deposits under the threshold on 3 days",
    "account AC9",
    "report.html",
    "Jaguar density",
    "illegal trade in protected fauna",
    "photo of the teeth",
)


def english_words(html: str) -> set[str]:
    parser = Visible()
    parser.feed(html)
    text = " ".join(parser.parts)
    text = re.sub(r"\([A-Z]{2}\)", " ", text)  # country codes after names: India (IN)
    for value in sorted(DATA, key=len, reverse=True):
        text = text.replace(value, " ")
    text = re.sub(r"\b[a-z]+@[A-Z]{2}-[A-Z]+", " ", text)  # user names: viewer@PE-SERFOR
    return {w for w in re.findall(r"[^\W\d_]+", text) if w.lower() in ENGLISH}  # whole words


@pytest.fixture
def console(tmp_path: Path) -> Registry:
    """A registry on SQLite (the words do not depend on the database) with a seizure naming a
    person, shared with a partner, a case with evidence, a note, two alerts and a report."""
    reg = build_registry(f"sqlite:///{tmp_path / 'registry.db'}")
    api, admin, editor = reg.client, reg.as_(OWNER, "admin"), reg.as_(OWNER, "editor")
    for kind in ("seizure", "person", "case"):
        r = api.post("/agreements", headers=admin, json={"grantee": PARTNER, "record_kind": kind})
        assert r.status_code == 201, r.text
    from tests.registry.conftest import seizure

    made = api.post(
        "/seizures",
        headers=editor,
        json=seizure(
            "SERFOR-2026-001",
            description="Jaguar teeth in a shoe box, declared as handicrafts",
            persons=[
                {
                    "role": "courier",
                    "person": {
                        "name": "Juan Carlos Quispe Mamani",
                        "birth_date": "1984-05-02",
                        "nationality": "BO",
                        "id_number": "BO-4412871",
                        "phone": "+591 71234567",
                    },
                }
            ],
        ),
    )
    assert made.status_code == 201, made.text
    case = api.post(
        "/cases",
        headers=editor,
        json={
            "reference": "CASE-77",
            "title": "Jaguar teeth to China",
            "opened_on": "2026-03-15",
            "charges": ["illegal trade in protected fauna"],
            "seizure_ids": [made.json()["id"]],
            "evidence": [
                {"kind": "photo", "description": "photo of the teeth", "sha256": "a" * 64}
            ],
        },
    )
    assert case.status_code == 201, case.text
    note = {"record_kind": "seizure", "record_id": 1, "text": "courier flew in from Santa Cruz"}
    assert api.post("/notes", headers=editor, json=note).status_code == 201
    with session_factory(api.app.state.engine)() as session:
        agency = agency_by_code(session, OWNER)
        for i, (typology, severity) in enumerate(
            [("structuring", "high"), ("permit_reused", "medium")]
        ):
            session.add(
                Alert(
                    agency_id=agency.id,
                    source_id=f"x{i}",
                    typology=typology,
                    severity=severity,
                    subject="account AC9",
                    party="C2",
                    score=0.9 - i / 10,
                    evidence="Cash deposits under the threshold on 3 days",
                    status="open",
                )
            )
        session.commit()
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "report.html").write_text("<html><body><h1>Jaguar density</h1></body></html>")
    reg.client = TestClient(create_app(api.app.state.engine, reports=reports))
    return reg


# every console page, as (path, the role that sees it, the status it answers); a page added to
# the console is added here
PAGES = (
    ("/console/", "admin", 200),
    ("/console/seizures", "admin", 200),
    ("/console/seizures?taxon=Panthera&country=PE&person=Quispe", "admin", 200),
    ("/console/seizures/1", "admin", 200),
    ("/console/seizures/1", "viewer", 200),
    ("/console/seizures/new", "admin", 200),
    ("/console/seizures/new", "viewer", 403),
    ("/console/cases", "admin", 200),
    ("/console/cases?status=investigation", "admin", 200),
    ("/console/cases/1", "admin", 200),
    ("/console/cases/new", "admin", 200),
    ("/console/cases/1/edit", "admin", 200),
    ("/console/cases/new", "viewer", 403),
    ("/console/persons/1", "admin", 200),
    ("/console/map", "admin", 200),
    ("/console/alerts", "admin", 200),
    ("/console/alerts", "viewer", 200),
    ("/console/alerts?status=all&typology=structuring&min_score=0.5", "admin", 200),
    ("/console/imports", "admin", 200),
    ("/console/imports", "viewer", 403),
    ("/console/reports", "admin", 200),
    ("/console/seizures/999", "admin", 404),
    ("/console/persons/999", "admin", 404),
)


@pytest.mark.parametrize("language", ["es", "pt"])
def test_every_page_is_in_the_language_chosen(console: Registry, language: str) -> None:
    lang = {"Accept-Language": language}
    anonymous = TestClient(console.client.app)
    signin = anonymous.get("/console/signin", headers=lang)
    bad = anonymous.post("/console/signin", data={"token": "onca_1_wrong"}, headers=lang)
    leaks = {"sign-in": english_words(signin.text), "bad sign-in": english_words(bad.text)}
    users = {role: signed_in(console, OWNER, role) for role in ("admin", "viewer")}
    users["partner"] = signed_in(console, PARTNER, "analyst")
    english_on_purpose: set[str] = set()  # pages with a part marked lang="en"
    for path, role, status in (*PAGES, ("/console/seizures/1", "partner", 200)):
        r = users[role].get(path, headers=lang)
        assert r.status_code == status, (path, role, r.text[-500:])
        assert f'<html lang="{language}">' in r.text
        leaks[f"{path} ({role})"] = english_words(r.text)
        if re.search(r'<(?!html)[a-z]+ [^>]*lang="en"', r.text):
            english_on_purpose.add(path.split("?")[0])
    # the new-seizure form sent with mistakes, and a denied post: the reasons in the language
    admin, viewer = users["admin"], users["viewer"]
    bad_form = {
        "csrf": form_token_of(admin),
        "reference": "S 1",
        "seized_on": "soon",
        "country": "XX",
        "taxon": "Panthera onca",
        "commodity": "teeth",
        "quantity": "-3",
        "unit": "tonnes",
        "origin_country": "ZZ",
        "person_name": "Juan Carlos Quispe Mamani",
        "person_role": "courier",
    }
    wrong = admin.post("/console/seizures/new", data=bad_form, headers=lang)
    assert wrong.status_code == 422 and wrong.text.count('aria-invalid="true"') >= 6
    leaks["new seizure, with mistakes"] = english_words(wrong.text)
    t = Translator(language)
    for key in ("err_reference", "err_date", "err_code", "err_min"):
        assert t(key, limit=0) in wrong.text, key
    again = admin.post(
        "/console/seizures/new", data={**bad_form, "reference": "SERFOR-2026-001"}, headers=lang
    )
    assert t("err_reference_used") in again.text or again.status_code == 422
    # a bulk import with a bad row: the job's report
    rows = "reference,seized_on,country,taxon,commodity,quantity,unit\n"
    rows += "IMP-1,2026-01-15,PE,Panthera onca,teeth,2,number\nIMP-2,2026-13-01,ZZ,Panthera onca,teeth,-3,number\n"
    job = admin.post(
        "/console/imports",
        data={"csrf": form_token_of(admin)},
        files={"file": ("seizures.csv", rows.encode(), "text/csv")},
        headers=lang,
    )
    assert job.status_code == 200 and "/console/imports/" in str(job.url), job.text[-500:]
    leaks["import job"] = english_words(job.text)
    if re.search(r'<(?!html)[a-z]+ [^>]*lang="en"', job.text):
        english_on_purpose.add("/console/imports/{id}")
    denied = viewer.post(
        "/console/seizures/new", data={**bad_form, "csrf": form_token_of(viewer)}, headers=lang
    )
    assert denied.status_code == 403
    assert t("not_allowed_write", role=t.label("role", "viewer")) in denied.text
    leaks["new seizure, denied"] = english_words(denied.text)
    # only screening's evidence sentences and the importer's reasons for a rejected row stay in
    # English
    assert english_on_purpose == {"/console/alerts", "/console/imports/{id}"}
    found = {page: sorted(words) for page, words in leaks.items() if words}
    assert found == {}, "\n".join(f"{page}: {words}" for page, words in found.items())


def test_the_word_list_catches_english(console: Registry) -> None:
    """The same pages in English do show English words: the check is not vacuous."""
    admin = signed_in(console, OWNER, "admin")
    page = admin.get("/console/seizures/1", headers={"Accept-Language": "en"}).text
    assert {"origin", "destination", "courier"} <= {w.lower() for w in english_words(page)}


WRITE_CONTROLS = (
    'href="/console/seizures/new"',
    'href="/console/cases/new"',
    'href="/console/imports"',
    '/edit"',
)


@pytest.mark.parametrize("role", ROLES)
def test_controls_match_the_role(console: Registry, role: str) -> None:
    """Only roles that may write are offered to record or change; the others are told why."""
    user = signed_in(console, OWNER, role)
    writes = role in ("editor", "admin")
    pages = {p: user.get(p).text for p in ("/console/", "/console/cases", "/console/cases/1")}
    for path, text in pages.items():
        for control in WRITE_CONTROLS:
            if control in text:
                assert writes, (role, path, control)
    assert ('href="/console/seizures/new"' in pages["/console/"]) == writes
    form = user.get("/console/seizures/new", headers={"Accept-Language": "es"})
    assert form.status_code == (200 if writes else 403)
    assert ('<form method="post" action="/console/seizures/new"' in form.text) == writes
    assert ("Su rol" in form.text) == (not writes)
    assert ('class="triage"' in user.get("/console/alerts").text) == (role != "viewer")
    if role == "viewer":  # a triage posted anyway is refused, and says why
        triage = user.post(
            "/console/alerts/1",
            data={"csrf": form_token_of(user), "decision": "accepted", "reason": "seen it"},
            headers={"Accept-Language": "pt"},
        )
        t = Translator("pt")
        assert triage.status_code == 403
        assert t("not_allowed_triage", role=t.label("role", "viewer")) in triage.text
    with session_factory(console.client.app.state.engine)() as session:
        before = session.query(Seizure).count()
    sent = user.post(
        "/console/seizures/new",
        data={
            "csrf": form_token_of(user),
            "reference": f"R-{role}",
            "seized_on": "2026-05-01",
            "country": "PE",
            "taxon": "Panthera onca",
            "commodity": "teeth",
            "quantity": "2",
            "unit": "number",
        },
        follow_redirects=False,
    )
    assert sent.status_code == (303 if writes else 403), sent.text[-400:]
    with session_factory(console.client.app.state.engine)() as session:
        assert session.query(Seizure).count() == before + (1 if writes else 0)


def test_a_seizure_names_its_persons_to_those_who_may_read_the_name(
    shared: tuple[Registry, dict[str, int]],  # noqa: F811  # the fixture imported above
) -> None:
    """The sharing matrix's five agencies by four roles: the name (linked to the person's page)
    exactly where the seizure's persons and the person's name are both readable, else the
    withheld form; the seizure itself a 404 where it is not shared."""
    reg, ids = shared
    name = "Juan Carlos Quispe Mamani"
    for agency in AGENCIES:
        for role in ROLES:
            page = signed_in(reg, agency, role).get(f"/console/seizures/{ids['seizure']}")
            seizure_fields = expected(agency, role, "seizure")
            if seizure_fields is None:
                assert page.status_code == 404, (agency, role)
                continue
            readable = "persons" in seizure_fields and "name" in (
                expected(agency, role, "person") or set()
            )
            linked = f'<a href="/console/persons/{ids["person"]}">{name}</a>'
            assert (linked in page.text) == readable, (agency, role)
            assert (name in page.text) == readable, (agency, role)
            if "persons" in seizure_fields and not readable:
                assert f"#{ids['person']}" in page.text, (agency, role)


CONSOLE = Path(__file__).resolve().parents[3] / "src" / "onca" / "registry" / "console"


def test_every_key_is_in_every_language_and_every_key_used_exists() -> None:
    """The three catalogues hold the same keys with the same placeholders; every key a template
    or the console's code names exists; every code a page labels has its label."""
    from onca.contract import load_reference
    from onca.finance._typology import SEVERITY_WEIGHT, SUBJECTS
    from onca.network._view import VIEW_WORDS
    from onca.registry._auth import ROLE_PERMISSIONS
    from onca.registry._models import CASE_STATUSES, CHAIN_ROLES, PERSON_KINDS
    from onca.registry.console._choices import SEIZURE_ROLES
    from onca.registry.console._i18n import LANGUAGES, catalogue
    from onca.registry.console._records import NETWORK_ROLES

    en = catalogue("en")
    for language in LANGUAGES:
        other = catalogue(language)
        assert set(other) - set(en) == set(), f"{language}.yaml has keys en.yaml lacks"
        assert set(en) - set(other) == set(), f"{language}.yaml lacks keys of en.yaml"
        for key, text in other.items():
            assert isinstance(text, str) and text.strip(), (language, key)
            placeholders = set(re.findall(r"{(\w+)}", text))
            assert placeholders == set(re.findall(r"{(\w+)}", en[key])), (language, key)
    used: set[str] = set()
    for template in (CONSOLE / "templates").glob("*.html"):
        used |= set(re.findall(r"\bt\('([a-z_]+)'[,)]", template.read_text(encoding="utf-8")))
    for module in CONSOLE.glob("*.py"):
        code = module.read_text(encoding="utf-8")
        used |= set(re.findall(r"\b(?:t|self)\(\s*\"([a-z_]+)\"", code))
        used |= set(re.findall(r"\berror=\"([a-z_]+)\"", code))
    codes = {
        "unit": [str(u) for u in load_reference("units").values],
        "transport": [str(m) for m in load_reference("transport_modes").values],
        "kind": PERSON_KINDS,
        "involved": SEIZURE_ROLES,
        "chain": CHAIN_ROLES,
        "role": tuple(ROLE_PERMISSIONS),
        "severity": tuple(SEVERITY_WEIGHT),
        "subject": SUBJECTS,
        "status": CASE_STATUSES,
        "matched": ("id", "name_birth"),
        "nav": ("dashboard", "seizures", "new", "cases", "map", "alerts", "reports"),
        "net": (*VIEW_WORDS, *NETWORK_ROLES, "kind_seizure", "kind_person"),
    }
    used |= {f"{prefix}_{code}" for prefix, values in codes.items() for code in values}
    assert sorted(used - set(en)) == []
    assert len(used) > 150  # the scan found the keys (not an empty pass)
