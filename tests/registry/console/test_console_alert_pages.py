"""The alerts page in pages of 25, filtered by status, typology and lowest score (on SQLite and
PostgreSQL): the right slices and counts, links that keep the filters, triage that returns to
the same page of the same list, and bad parameters named in a 422 page, never a 500."""

from __future__ import annotations

import re

from onca.registry._db import session_factory
from onca.registry._models import Agency, Alert
from tests.registry.conftest import Registry
from tests.registry.console.test_console_pages import form_token_of, signed_in

A, B = "PE-SERFOR", "BO-POL"


def _sixty_alerts(registry: Registry) -> dict[int, int]:
    """60 alerts of A, alert i scoring (60 - i) / 60 (so listed in the order of i), every third
    a structuring alert, the others permit_reused; 5 of B's, which A never sees. Returns
    i -> the alert's id."""
    with session_factory(registry.client.app.state.engine)() as session:
        agencies = {a.code: a.id for a in session.query(Agency)}
        rows = []
        for i in range(60):
            rows.append(
                Alert(
                    agency_id=agencies[A],
                    source_id=f"a{i:02d}",
                    typology="structuring" if i % 3 == 0 else "permit_reused",
                    severity="high",
                    subject=f"party P{i}",
                    party=f"P{i}",
                    score=(60 - i) / 60,
                    evidence=f"evidence {i}",
                    status="open",
                )
            )
        rows += [
            Alert(
                agency_id=agencies[B],
                source_id=f"b{i}",
                typology="structuring",
                severity="low",
                subject=f"party Q{i}",
                score=0.99,
                evidence="not A's",
                status="open",
            )
            for i in range(5)
        ]
        session.add_all(rows)
        session.commit()
        return {int(r.source_id[1:]): r.id for r in rows if r.source_id.startswith("a")}


def _listed(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<article class="card alert" id="alert-(\d+)"', html)]


def test_alerts_are_paged_and_filtered(registry: Registry) -> None:
    ids = _sixty_alerts(registry)
    client = signed_in(registry, A, "analyst")

    def shown(query: str) -> tuple[list[int], str]:
        r = client.get(f"/console/alerts{query}")
        assert r.status_code == 200, (query, r.text[:300])
        return _listed(r.text), r.text

    first, html = shown("")
    assert first == [ids[i] for i in range(25)]
    assert "Alerts 1-25 of 60" in html and "Page 1 of 3" in html
    assert 'href="/console/alerts?page=2" rel="next"' in html and 'rel="prev"' not in html
    assert html.count('<form method="post" action="/console/alerts/') == 25
    second, html = shown("?page=2")
    assert second == [ids[i] for i in range(25, 50)] and "Alerts 26-50 of 60" in html
    assert 'href="/console/alerts" rel="prev"' in html
    third, html = shown("?page=3")
    assert third == [ids[i] for i in range(50, 60)] and "Alerts 51-60 of 60" in html
    assert 'rel="next"' not in html
    assert shown("?page=99")[0] == third  # past the last page: the last page
    structuring, html = shown("?typology=structuring")
    assert structuring == [ids[i] for i in range(0, 60, 3)] and "Alerts 1-20 of 20" in html
    high, html = shown("?min_score=0.5&page=2")  # scores 1 down to 0.5: alerts 0 to 30
    assert high == [ids[i] for i in range(25, 31)] and "Alerts 26-31 of 31" in html
    assert 'href="/console/alerts?min_score=0.5" rel="prev"' in html
    both, html = shown("?typology=structuring&min_score=0.5")
    assert both == [ids[i] for i in range(0, 31, 3)] and "Alerts 1-11 of 11" in html
    assert 'value="structuring" selected' in html and 'value="0.5"' in html
    assert shown("?typology=unheard_of")[0] == []
    assert "No alerts match these filters." in shown("?typology=unheard_of")[1]
    spanish = client.get("/console/alerts", headers={"Accept-Language": "es"}).text
    assert "Alertas 1-25 de 60" in spanish and "Página 1 de 3" in spanish


def test_triage_returns_to_the_same_page_and_filter(registry: Registry) -> None:
    ids = _sixty_alerts(registry)
    client = signed_in(registry, A, "analyst")
    page = client.get("/console/alerts?typology=permit_reused&page=2").text
    target = _listed(page)[0]
    action = f"/console/alerts/{target}?typology=permit_reused&amp;page=2"
    assert f'action="{action}"' in page
    r = client.post(
        action.replace("&amp;", "&"),
        data={"decision": "dismissed", "reason": "known trader", "csrf": form_token_of(client)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/console/alerts?typology=permit_reused&page=2&done={target}"
    after = client.get(r.headers["location"]).text
    assert "Alerts 26-39 of 39" in after and target not in _listed(after)
    dismissed = client.get("/console/alerts?status=dismissed").text
    assert _listed(dismissed) == [target] and "known trader" in dismissed
    assert "/console/alerts/" not in dismissed.split("<h1>")[1]  # no triage form for it
    assert len(_listed(client.get("/console/alerts?status=all&page=3").text)) == 10
    # a forged list query in the form's action: back to the first page of open alerts
    other = ids[0]
    r = client.post(
        f"/console/alerts/{other}?page=abc",
        data={"decision": "accepted", "reason": "confirmed", "csrf": form_token_of(client)},
        follow_redirects=False,
    )
    assert r.headers["location"] == f"/console/alerts?done={other}"


BAD = [
    ("?page=0", "Page &#39;0&#39; is not a page number"),
    ("?page=-1", "Page &#39;-1&#39; is not a page number"),
    ("?page=abc", "Page &#39;abc&#39; is not a page number"),
    ("?page=99999999999999999999", "is not a page number"),
    ("?min_score=2", "Lowest score &#39;2&#39; is not a number from 0 to 1"),
    ("?min_score=abc", "Lowest score &#39;abc&#39; is not a number"),
    ("?min_score=nan", "Lowest score &#39;nan&#39; is not a number"),
    ("?status=closed", "Status &#39;closed&#39; is not one of the choices"),
    ("?typology=%3Cscript%3E", "is not a red flag"),
]


def test_bad_alert_parameters_are_named(registry: Registry) -> None:
    client = signed_in(registry, A, "viewer")
    for query, message in BAD:
        r = client.get(f"/console/alerts{query}")
        assert r.status_code == 422 and message in r.text, (query, r.text[-1500:])
        assert "<script>" not in r.text
