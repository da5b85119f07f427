"""The summary of a workspace that is not screened yet, and how a lead's link falls back."""

from __future__ import annotations

from pathlib import Path

import onca.workspace
from onca.report import Lead, Summary, summarize, write_report
from onca.report._summary import summary_section


def test_an_unscreened_workspace_says_what_to_run(loaded_ws: Path, tmp_path: Path) -> None:
    with onca.workspace.open(loaded_ws, read_only=True) as ws:
        summary = summarize(ws)
    assert summary.leads == []
    assert summary.counts == {"rows": 9, "quarantined": 0, "parties": 3, "seizures": 0}
    assert summary.found[-1].startswith("Nothing was screened yet: run 'onca screen")
    assert summary.to_dict()["leads"] == [] and summary.to_dict()["workspace"] == str(loaded_ws)
    html = write_report(loaded_ws, tmp_path).read_text(encoding="utf-8")
    assert "Nothing was screened yet" in html and "things to look at first" not in html


def test_a_lead_links_to_the_first_anchor_the_report_has() -> None:
    lead = Lead(
        rank=1,
        id="ENT-P1",
        record="P1",
        name="Ana <Paz>",
        evidence=4.6,
        why="2 red flags.",
        links=["party-P1", "screening"],
        commands=["onca network trace ws.duckdb --from ENT-P1"],
    )
    summary = Summary("ws.duckdb", {"alerts": 2}, ["Screening raised 2 alerts."], [lead])
    on_row = "".join(summary_section(summary, anchors={"party-P1", "screening"}).html)
    on_section = "".join(summary_section(summary, anchors={"screening"}).html)
    nowhere = "".join(summary_section(summary, anchors=set()).html)
    assert '<a href="#party-P1">Ana &lt;Paz&gt; (ENT-P1)</a>' in on_row
    assert '<a href="#screening">' in on_section
    assert "<a href" not in nowhere and "Ana &lt;Paz&gt;" in nowhere  # escaped, unlinked
    assert "<code>onca network trace ws.duckdb --from ENT-P1</code>" in on_row


def test_few_red_flags_leave_the_other_leads_to_the_account_scores(loaded_ws: Path) -> None:
    """On data whose conventions the typologies do not share (IBM's AMLSim: 2 alerts on 20,000
    accounts) the leads were two; the rest now come from the account scores."""
    from onca.finance import load_library, screen

    with onca.workspace.open(loaded_ws) as ws:
        screen(ws, load_library())
        alerted = {p for (p,) in ws.db.fetch("SELECT DISTINCT party_id FROM alerts")}
        summary = summarize(ws)
    assert len(summary.leads) == 3  # every party of this workspace
    by_scores = [lead for lead in summary.leads if lead.why.startswith("no red flag")]
    assert by_scores and all(lead.record not in alerted for lead in by_scores)
    assert [lead.rank for lead in summary.leads] == [1, 2, 3]
    assert len({lead.record for lead in summary.leads}) == 3
    assert all("by account score" in lead.why and not lead.links for lead in by_scores)
