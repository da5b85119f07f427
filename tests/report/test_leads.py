"""The report leads: it opens with what was found and five leads, each linked to its evidence
with the commands that follow it; scores at the top separate; public bodies are no suspects;
no figure's labels collide. On a small demo run (5,000 transactions, seed 7)."""

from __future__ import annotations

import html
import json
import re

import pytest
from typer.testing import CliRunner

import onca.workspace
from onca.cli import app
from onca.finance import public_bodies, public_entities
from onca.report import party_anchor
from tests.report.conftest import DemoRun

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo")]


def table(page: str, caption_start: str) -> list[list[str]]:
    """The rows of the table whose caption starts with ``caption_start``, as plain text."""
    match = re.search(
        rf"<caption>{re.escape(caption_start)}.*?</caption>(.*?)</table>", page, flags=re.S
    )
    assert match, f"no table {caption_start!r}"
    body = match.group(1).split("<tbody>", 1)[1]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
        for r in rows
    ]


def section_order(page: str) -> list[str]:
    return re.findall(r'<section id="([^"]+)"', page)


def test_the_report_opens_with_the_summary_and_ends_with_the_bookkeeping(
    demo_run: DemoRun,
) -> None:
    page = demo_run.result.report.read_text(encoding="utf-8")
    order = section_order(page)
    assert order[0] == "summary" and order[1] == "screening"
    assert order[-2:] == ["workspace", "quarantine"]
    summary = page[page.index('id="summary"') : page.index('id="screening"')]
    assert re.search(r"Screening raised [\d,]+ alerts from \d+ of the \d+ typologies run", summary)
    assert "The 5 things to look at first" in summary


def test_each_lead_links_to_its_evidence_and_names_real_ids(demo_run: DemoRun) -> None:
    page = demo_run.result.report.read_text(encoding="utf-8")
    summary = page[page.index('id="summary"') : page.index('id="screening"')]
    leads = re.findall(r"<li>(.*?)</li>", summary, flags=re.S)
    assert len(leads) == 5
    ws_path = str(demo_run.result.workspace)
    with onca.workspace.open(demo_run.result.workspace, read_only=True) as ws:
        entities = {e for (e,) in ws.db.fetch("SELECT entity_id FROM entities")}
        seizures = {s for (s,) in ws.db.fetch("SELECT seizure_id FROM seizures")}
        parties = {p for (p,) in ws.db.fetch("SELECT party_id FROM parties")}
        barred = public_entities(ws.db, public_bodies(ws.db))
    for lead in leads:
        targets = re.findall(r'href="#([^"]+)"', lead)
        for target in targets:  # a link lands on the lead's row of the party table
            assert target.startswith("party-") and f'id="{target}"' in page
        if not targets:  # no row to land on: the lead's party is not in the table
            record = re.findall(r"<code>(.*?)</code>", lead)[-1].split()[-1]
            assert f'id="{party_anchor(record)}"' not in page
        commands = [html.unescape(c) for c in re.findall(r"<code>(.*?)</code>", lead)]
        assert commands and commands[0].startswith(f"onca network trace {ws_path} --from ")
        for command in commands:
            *_, last = command.split()
            assert last in entities | seizures | parties, command
        entity = re.search(r"\((ENT-[^)]+)\)", lead)
        assert entity and entity.group(1) not in barred


def test_top_scores_separate(demo_run: DemoRun) -> None:
    page = demo_run.result.report.read_text(encoding="utf-8")
    parties = table(page, "Top 15 parties by evidence")[:10]
    shown = [(float(r[3]), float(r[4].replace(",", ""))) for r in parties]
    assert len(set(shown)) == len(shown)  # evidence, or dollars when it ties, tell them apart
    assert shown == sorted(shown, reverse=True)
    alerts = table(page, "Top 15 alerts")
    assert len(alerts) == 15
    keys = [(float(r[1]), float(r[6]), r[7]) for r in alerts]  # score, party evidence, until
    assert keys == sorted(keys, reverse=True)
    displayed = [(r[1], r[2], r[3], r[4], r[6], r[7]) for r in alerts]
    assert len(set(displayed)) == len(displayed)  # no two rows alike: the order is visible


def test_public_bodies_are_neither_ranked_nor_arrested(demo_run: DemoRun) -> None:
    page = demo_run.result.report.read_text(encoding="utf-8")
    with onca.workspace.open(demo_run.result.workspace, read_only=True) as ws:
        barred = public_entities(ws.db, public_bodies(ws.db))
        stored = ws.db.fetch("SELECT entity_id FROM network_entities WHERE risk_rank IS NOT NULL")
        players = ws.db.fetch(
            "SELECT entity_id FROM network_entities WHERE key_player_step IS NOT NULL"
        )
    assert barred  # the scenario has wildlife departments, customs offices, municipalities
    risky = [r[1] for r in table(page, "Highest risk, not yet known")]
    disruption = [r[1] for r in table(page, "Disruption ranking")]
    ranked = {e for (e,) in stored} | {e for (e,) in players}
    assert not set(risky) & set(barred) and not set(disruption) & set(barred)
    assert not ranked & set(barred)


def test_no_figure_has_labels_that_collide(demo_run: DemoRun) -> None:
    assert len(demo_run.figures) >= 15  # every figure of the report was drawn and checked
    collisions = {name: pairs for name, pairs in demo_run.figures if pairs}
    assert collisions == {}


def test_onca_report_rerenders_the_summary_without_the_scenario(
    demo_run: DemoRun, tmp_path
) -> None:
    out = tmp_path / "again.html"
    result = CliRunner().invoke(
        app, ["report", str(demo_run.result.workspace), "--out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    summary = payload["summary"]
    assert summary["counts"]["alerts"] == demo_run.result.to_dict()["alerts"]
    assert len(summary["leads"]) == 5
    first = demo_run.result.report.read_text(encoding="utf-8")
    again = out.read_text(encoding="utf-8")
    assert section_order(again)[0] == "summary"
    for lead in summary["leads"]:  # the same leads as the demo's own report
        assert f"({lead['id']})" in first and f"({lead['id']})" in again


def test_the_demo_and_its_report_count_alerts_in_the_same_words(demo_run: DemoRun) -> None:
    """The demo once printed "303 alerts from 24 typologies" where its report said 22."""
    story = "\n".join(demo_run.result.story())
    said = re.search(r"3\. screened it: (.+?)\. Against", story)
    assert said and re.fullmatch(r"[\d,]+ alerts from \d+ of the \d+ typologies run.*", said[1])
    page = html.unescape(demo_run.result.report.read_text(encoding="utf-8"))
    summary, screening = page.split('id="screening"', 1)
    assert said[1] in summary and said[1] in screening.split('id="screening-quality"')[0]
