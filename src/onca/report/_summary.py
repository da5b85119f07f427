"""The report's opening: what the workspace's analyses found, in plain words, and the five
things to look at first, each with the command that follows it.

Everything here is read from the workspace's own tables (alerts, party and entity evidence,
seizures, the network analysis), so a report re-rendered by ``onca report`` opens the same way
as the demo's. The leads are chosen by evidence, not by hand:

1. candidates are the parties, or after ``onca resolve`` the entities, with alerts, in the order
   of :func:`onca.finance.ranked_parties` (evidence, then typologies, then dollars moved);
   public bodies and officials' employers (:func:`onca.finance.public_bodies`) are left out;
2. going down that order, a candidate in the same network community (``onca network analyze``)
   as a lead already chosen waits until every community has had its turn, so that five leads
   point at up to five networks rather than five members of one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from onca.report._sections import Section
from onca.workspace import Workspace

if TYPE_CHECKING:  # onca.finance imports onca.report: read it only when summarising
    from onca.finance import RankedParty

LEADS = 5
CANDIDATES = 200
"""Candidates read in evidence order before choosing the leads."""


def party_anchor(party_id: str) -> str:
    """The HTML id of a party's row in the screening section's table of parties."""
    return f"party-{party_id}"


@dataclass(frozen=True)
class Lead:
    """One thing to look at first. ``id``: the entity (``ENT-...``) or party; ``record``: its
    party record with the most evidence (what ``onca resolve explain`` takes); ``evidence``:
    the ranking measure (nats); ``links``: anchors of the report where the evidence is, the
    most precise first; ``commands``: what to run next, in order."""

    rank: int
    id: str
    record: str
    name: str
    evidence: float
    why: str
    links: list[str]
    commands: list[str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Summary:
    """What a workspace's analyses found (``counts``, told in ``found``) and the ``leads``."""

    workspace: str
    counts: dict[str, int]
    found: list[str]
    leads: list[Lead] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace,
            "counts": dict(self.counts),
            "found": list(self.found),
            "leads": [lead.to_dict() for lead in self.leads],
        }


def _has_rows(ws: Workspace, table: str) -> bool:
    return bool(ws.db.scalar(f"SELECT count(*) FROM {table}"))


def summarize(ws: Workspace, *, leads: int = LEADS, workspace: str | None = None) -> Summary:
    """The summary of ``ws`` (module doc); ``workspace`` is how commands name the workspace
    file (default: its path)."""
    from onca.finance import alerts_phrase, public_bodies, ranked_parties, typologies_run

    path = workspace or str(ws.path)
    counts: dict[str, int] = {
        "rows": sum(n for k, n in ws.counts().items() if k != "quarantine"),
        "quarantined": ws.count("quarantine"),
        "parties": ws.count("parties"),
        "seizures": ws.count("seizures"),
    }
    found = [
        f"The workspace holds {counts['rows']:,} rows ({counts['parties']:,} parties,"
        f" {ws.count('transactions'):,} transactions, {counts['seizures']:,} seizures);"
        f" {counts['quarantined']:,} rows did not load (see the appendix)."
    ]
    if not _has_rows(ws, "screen_runs"):
        found.append("Nothing was screened yet: run 'onca screen WORKSPACE' to find red flags.")
        return Summary(path, counts, found)
    run = typologies_run(ws.db)
    counts["alerts"] = sum(run.values())
    counts["typologies_run"] = len(run)
    counts["typologies_alerting"] = sum(1 for n in run.values() if n)
    counts["parties_alerted"] = int(
        ws.db.scalar("SELECT count(DISTINCT party_id) FROM alerts WHERE party_id IS NOT NULL")
    )
    resolved = _has_rows(ws, "resolve_runs")
    level = "entity" if resolved else "party"
    sentence = (
        f"Screening raised {alerts_phrase(counts['alerts'], run)}, on"
        f" {counts['parties_alerted']:,} of the {counts['parties']:,} party records"
    )
    if resolved:
        counts["entities"] = ws.count("entities")
        counts["entities_alerted"] = int(ws.db.scalar("SELECT count(*) FROM entity_scores"))
        sentence += (
            f"; resolved, the records are {counts['entities']:,} distinct parties, of which"
            f" {counts['entities_alerted']:,} have alerts"
        )
    found.append(sentence + ".")
    bodies = public_bodies(ws.db)
    counts["public_bodies"] = len(bodies)
    network = _network(ws)
    if network:
        counts["communities"] = network["communities"]
        counts["not_yet_known"] = network["not_yet_known"]
        found.append(
            f"The payment network ties {network['entities']:,} entities in"
            f" {network['communities']:,} communities; risk spread from"
            f" {network['seeds']:,} known offenders (seized or strongly alerted) ranks"
            f" {network['not_yet_known']:,} entities not yet known"
            + (f", first {network['first']}" if network["first"] else "")
            + "."
        )
    if bodies:
        found.append(
            f"{len(bodies):,} public bodies or officials' employers (wildlife departments,"
            " customs, municipalities) are not counted among the suspects: money ties them to"
            " traders through salaries, fees and fines."
        )
    ranked = ranked_parties(ws.db, top=CANDIDATES, level=level)
    chosen = _choose(ws, ranked, bodies, level, leads)
    found_leads = [_lead(ws, i, c, path, level) for i, c in chosen]
    if len(found_leads) < leads:
        # Few red flags (data whose conventions the typologies do not share): the rest of the
        # leads come from the account scores, which judge every account, alerted or not.
        taken = {lead.record for lead in found_leads} | set(bodies)
        found_leads += _score_leads(ws, path, taken, leads - len(found_leads), len(found_leads))
    return Summary(path, counts, found, found_leads)


def _score_leads(ws: Workspace, path: str, taken: set[str], n: int, after: int) -> list[Lead]:
    """Up to ``n`` leads among parties without alerts, by the best score of their accounts
    (``account_scores``: activity, amounts, exposure and structure against their peers)."""
    if not _has_rows(ws, "account_scores"):
        return []
    rows = ws.db.fetch(
        """SELECT a.holder_id, any_value(p.name), max(s.score), min(s.rank),
                  arg_max(s.reasons, s.score)
           FROM account_scores AS s
           JOIN accounts AS a USING (account_id)
           JOIN parties AS p ON p.party_id = a.holder_id
           WHERE a.holder_id NOT IN (SELECT party_id FROM alerts WHERE party_id IS NOT NULL)
           GROUP BY a.holder_id
           ORDER BY max(s.score) DESC, a.holder_id
           LIMIT ?""",
        [n + len(taken)],
    )
    accounts = int(ws.db.scalar("SELECT count(*) FROM account_scores"))
    leads: list[Lead] = []
    for holder, name, score, rank, reasons in rows:
        if holder in taken or len(leads) == n:
            continue
        why = (
            f"no red flag, but one of its accounts ranks {rank:,} of {accounts:,} by account"
            f" score ({score:.4f}" + (f": {reasons}" if reasons else "") + ")"
        )
        leads.append(
            Lead(
                rank=after + len(leads) + 1,
                id=str(holder),
                record=str(holder),
                name=str(name or holder),
                evidence=0.0,
                why=why + ".",
                links=[],
                commands=[f"onca network trace {path} --from {holder}"],
            )
        )
    return leads


def _network(ws: Workspace) -> dict[str, Any]:
    """The last network analysis in numbers ({} when none ran)."""
    if not _has_rows(ws, "network_runs"):
        return {}
    entities, communities, seeds = ws.db.first(
        "SELECT entities, communities, seeds FROM network_runs ORDER BY run_id DESC LIMIT 1"
    ) or (0, 0, 0)
    known = int(ws.db.scalar("SELECT count(risk_rank) FROM network_entities") or 0)
    first = ws.db.first(
        """SELECT n.entity_id, coalesce(e.name, p.name, n.entity_id)
           FROM network_entities AS n
           LEFT JOIN entities AS e USING (entity_id)
           LEFT JOIN parties AS p ON 'ENT-' || p.party_id = n.entity_id
           WHERE n.risk_rank = 1"""
    )
    return {
        "entities": int(entities),
        "communities": int(communities),
        "seeds": int(seeds),
        "not_yet_known": known,
        "first": f"{first[1]} ({first[0]})" if first else "",
    }


def _community(ws: Workspace, level: str) -> dict[str, int]:
    """id -> network community, for ids at ``level`` (empty when no analysis ran)."""
    if not _has_rows(ws, "network_entities"):
        return {}
    if level == "entity":
        rows = ws.db.fetch("SELECT entity_id, community FROM network_entities")
    else:
        rows = ws.db.fetch(
            """SELECT p.party_id, n.community
               FROM parties AS p LEFT JOIN entity_members AS m USING (party_id)
               JOIN network_entities AS n
                 ON n.entity_id = coalesce(m.entity_id, 'ENT-' || p.party_id)"""
        )
    return {str(i): int(c) for i, c in rows if c is not None}


def _choose(
    ws: Workspace, ranked: list[RankedParty], bodies: dict[str, str], level: str, n: int
) -> list[tuple[int, RankedParty]]:
    """The first ``n`` candidates of ``ranked`` that are no public body, one per network
    community before a second from any, numbered in ``ranked``'s order."""
    from onca.finance import public_entities

    barred = public_entities(ws.db, bodies) if level == "entity" else bodies
    open_ = [r for r in ranked if r.id not in barred]
    community = _community(ws, level)
    chosen: set[str] = set()
    seen: set[int] = set()
    for r in open_:
        if len(chosen) == n:
            break
        c = community.get(r.id)
        if c is None or c not in seen:  # an entity outside the network always qualifies
            chosen.add(r.id)
            seen.update([] if c is None else [c])
    for r in open_:  # fewer communities than leads: the strongest of the rest
        if len(chosen) == n:
            break
        chosen.add(r.id)
    return list(enumerate((r for r in open_ if r.id in chosen), start=1))


def _lead(ws: Workspace, rank: int, r: RankedParty, path: str, level: str) -> Lead:
    """The lead for ranked party or entity ``r``: why it comes first, where, and what to run."""
    records = [r.id]
    if level == "entity":
        members = ws.db.fetch(
            "SELECT party_id FROM entity_members WHERE entity_id = ? ORDER BY party_id", [r.id]
        )
        records = [str(p) for (p,) in members] or records
    record = _strongest_record(ws, records) or r.id
    seizures = [
        str(s)
        for (s,) in ws.db.fetch(
            """SELECT DISTINCT s.seizure_id FROM seizures AS s, unnest(s.offender_ids) AS o(pid)
               WHERE list_contains(?, o.pid) ORDER BY 1""",
            [records],
        )
    ]
    flags = ", ".join(r.typology_ids[:4]) + (
        f" and {len(r.typology_ids) - 4} more" if len(r.typology_ids) > 4 else ""
    )
    why = (
        f"{r.typologies} red-flag typolog{'y' if r.typologies == 1 else 'ies'}"
        f" ({flags}) in {r.alerts} alert{'s' if r.alerts != 1 else ''}: evidence"
        f" {r.evidence:.2f}; US$ {r.usd:,.0f} through its accounts"
    )
    if len(records) > 1:
        why += f"; {len(records)} records resolved into one"
    if seizures:
        why += f"; named in seizure{'s' if len(seizures) > 1 else ''} {', '.join(seizures[:3])}"
    player = _key_player(ws, r.id if level == "entity" else f"ENT-{r.id}")
    if player:
        why += f"; {player}"
    start = seizures[0] if seizures else r.id
    commands = [f"onca network trace {path} --from {start}"]
    if seizures:
        commands.append(f"onca network trace {path} --from {r.id}")
    if level == "entity":
        commands.append(f"onca resolve explain {path} {record}")
    return Lead(
        rank=rank,
        id=r.id,
        record=record,
        name=r.name,
        evidence=r.evidence,
        why=why + ".",
        # Its row in the screening section's party table when it is there; a lead ranked lower
        # than that table reaches carries its evidence in ``why`` and is not linked elsewhere.
        links=[party_anchor(record)],
        commands=commands,
    )


def _strongest_record(ws: Workspace, records: list[str]) -> str | None:
    """Of ``records``, the one with the highest stored risk (then the most alerts)."""
    row = ws.db.first(
        """SELECT party_id FROM party_scores WHERE list_contains(?, party_id)
           ORDER BY score DESC, alerts DESC, party_id LIMIT 1""",
        [records],
    )
    return None if row is None else str(row[0])


def _key_player(ws: Workspace, entity: str) -> str:
    """ "key player: arrest 1 of its community" when the network analysis chose it, else ""."""
    if not _has_rows(ws, "network_entities"):
        return ""
    step = ws.db.scalar(
        "SELECT key_player_step FROM network_entities WHERE entity_id = ?", [entity]
    )
    return "" if step is None else f"key player: arrest {int(step)} in its community"


def summary_section(summary: Summary, *, anchors: set[str]) -> Section:
    """The report's first section: ``summary`` in plain words and the leads as a table whose
    links go to the first of each lead's ``links`` that the report has (``anchors``)."""
    from markupsafe import Markup, escape

    items = []
    for lead in summary.leads:
        target = next((a for a in lead.links if a in anchors), None)
        label = escape(f"{lead.name} ({lead.id})")
        head = Markup(f'<a href="#{escape(target)}">{label}</a>') if target else label
        commands = Markup("<br>").join(Markup("<code>{}</code>").format(c) for c in lead.commands)
        items.append(
            Markup("<li><strong>{}</strong>: {}<br>Next: {}</li>").format(head, lead.why, commands)
        )
    html = []
    if items:
        html.append(
            Markup(
                '<h3 id="leads">The {} things to look at first</h3>'
                "<p>Ranked by evidence (the red flags that point at each, added up), one per"
                " network community before a second from any; public bodies left out. Each"
                " links to its evidence below and gives the commands that follow it.</p>"
                "<ol>{}</ol>"
            ).format(len(items), Markup("").join(items))
        )
    return Section(
        "Summary",
        list(summary.found),
        html=html,
        anchor="summary",
        data=summary.to_dict(),
    )
