"""Report sections for network intelligence: the network behind a seizure, whether tracing finds
a scenario's organisers, and the risk propagated from known offenders."""

from __future__ import annotations

from pathlib import Path

from onca.network._analyze import NetworkAnalysis, not_suspects_of
from onca.network._evaluate import ORGANISER_ROLES, organiser_traces
from onca.network._flows import FlowSource
from onca.network._keyplayers import KeyPlayers, find_key_players
from onca.network._structure import find_brokers
from onca.network._trace import TraceResult, trace_workspace
from onca.network._view import network_html, network_png
from onca.report import Figure, Section, TableBlock
from onca.synth import Truth
from onca.workspace import Workspace

EMBLEM_TAXON = "Panthera onca"


def choose_seizure(ws: Workspace, flows: FlowSource) -> str | None:
    """The seizure an analyst would start from: among the jaguar seizures (any seizure when there
    are none), the one whose trace moves the most money."""
    rows = ws.db.fetch(
        "SELECT seizure_id, taxon = ? FROM seizures ORDER BY seizure_id", [EMBLEM_TAXON]
    )
    candidates = [s for s, jaguar in rows if jaguar] or [s for s, _ in rows]
    best: tuple[float, str] | None = None
    for seizure in candidates:
        result = trace_workspace(ws, seizure, flows)
        moved = sum(t.total for t in result.trails)
        if moved > 0 and (best is None or moved > best[0]):
            best = (moved, seizure)
    return best[1] if best else None


def planted_roles(ws: Workspace, truth_dir: Path | str | None) -> dict[str, str]:
    """entity_id -> 'N03 financier' for entities holding a planted network member's record;
    empty without a truth or when it has no roles.csv."""
    truth = None if truth_dir is None else Truth.load(truth_dir)
    if truth is None or not truth.has("roles.csv"):
        return {}
    keys = truth.identities
    roles = {r.person_key: f"{r.network_id} {r.role}" for r in truth.roles}
    members = ws.db.fetch(
        """SELECT coalesce(m.entity_id, 'ENT-' || p.party_id), p.party_id
           FROM parties AS p LEFT JOIN entity_members AS m USING (party_id)"""
    )
    return {e: roles[keys[p]] for e, p in members if keys.get(p) in roles}


def _left_out(n: int) -> str:
    """The sentence that says how many public bodies a ranking left out ("" for none)."""
    if not n:
        return ""
    return (
        f" {n} public bod{'y' if n == 1 else 'ies'} or officials' employers (wildlife"
        " departments, customs, municipalities: the public_bodies list) are left out: they are"
        " tied to traders by salaries, fees and fines, and no typology about officials points"
        " at them."
    )


def _money(value: float) -> str:
    return f"{value:,.0f}"


def seizure_section(
    ws: Workspace,
    *,
    flows: FlowSource,
    seizure_id: str,
    truth_dir: Path | None = None,
    top: int = 40,
    k: int = 3,
) -> Section:
    """The network behind one seizure: the money trail, its picture and its key players."""
    result = trace_workspace(ws, seizure_id, flows)
    graph = result.entity_graph(top=top)
    roles = planted_roles(ws, truth_dir)
    players: KeyPlayers | None = None
    entities = [v.index for v in graph.vs if v["kind"] == "entity"]
    people = graph.induced_subgraph(entities)
    public = not_suspects_of(ws)
    barred = [n for n in people.vs["name"] if n in public]
    if people.vcount() - len(barred) > k + 1:
        players = find_key_players(people, k, exclude=barred)
        brokers = find_brokers(people, top=3)
        role = dict(zip(graph.vs["name"], graph.vs["role"], strict=True))
        for b in brokers:
            if role.get(b.name) == "reached":
                role[b.name] = "broker"
        for r in players.chosen:
            role[r.name] = "key player"
        graph.vs["role"] = [role[n] for n in graph.vs["name"]]
    paragraphs = _trail_paragraphs(result)
    tables = [_ranking_table(result, roles), _paths_table(result)]
    if players is not None:
        tables.append(_disruption_table(players, roles))
        paragraphs.append(
            f"Key players: removing the {k} entities below, in that order, leaves the traced "
            f"network most fragmented (Borgatti's fragmentation {players.chosen[-1].fragmentation:.2f}"
            f"; the {k} best connected would give {players.by_degree[-1].fragmentation:.2f}, the "
            f"{k} best brokers {players.by_betweenness[-1].fragmentation:.2f}). Method: the "
            "key-player analysis Patel et al. (2015, PNAS 112:7948) applied to wildlife trade."
            + _left_out(len(barred))
        )
    title = f"The network behind seizure {seizure_id}"
    png = network_png(graph, title=title)
    return Section(
        title=title,
        paragraphs=paragraphs,
        tables=tables,
        figures=[
            Figure(
                png,
                alt=f"Network of {graph.vcount()} nodes around seizure {seizure_id}, coloured by role",
                caption="The same network for print: size is the traced money through each entity.",
            )
        ],
        html=[network_html(graph, title=title, priority="size")],
    )


def _trail_paragraphs(result: TraceResult) -> list[str]:
    s = result.start
    lines = [
        f"{s.label[0].upper()}{s.label[1:]}. It names {len(s.entities)} resolved persons or "
        f"companies with {len(s.accounts)} accounts; the money was followed "
        f"{result.hops} payments back and forward in time (onca network trace --from {s.id})."
    ]
    for trail in result.trails:
        reached = len(trail.reached) - len(trail.start)
        way = (
            "reached the seized parties from" if trail.direction == "backward" else "left them for"
        )
        lines.append(
            f"{trail.direction.capitalize()}: {_money(trail.total)} US dollars {way} "
            f"{reached:,} accounts in {sum(1 for p in trail.payments if p.attributed > 0):,} "
            "payments" + (" (cut short by the edge budget)." if trail.truncated else ".")
        )
    lines.extend(f"Note: {n}." for n in result.notes)
    return lines


def _with_roles(
    headings: list[str], rows: list[tuple[str | None, list[object]]], roles: dict[str, str]
) -> tuple[list[str], list[list[object]]]:
    """``headings`` and the rows, each given with the entity it is about (None: no entity);
    when the scenario's truth is known (``roles`` not empty), a last column holds each entity's
    planted role ("" for an entity outside the network and for a row without entity)."""
    if not roles:
        return headings, [row for _, row in rows]
    return [*headings, "planted role (truth)"], [
        [*row, roles.get(entity, "") if entity is not None else ""] for entity, row in rows
    ]


def _ranking_table(result: TraceResult, roles: dict[str, str]) -> TableBlock:
    headings, rows = _with_roles(
        ["entity", "name", "money in (US$)", "money out (US$)"],
        [
            (
                entity,
                [
                    entity,
                    result.entity_labels.get(entity, (entity, None))[0],
                    _money(money["backward_usd"]),
                    _money(money["forward_usd"]),
                ],
            )
            for entity, money in result.entity_money()[:10]
        ],
        roles,
    )
    return TableBlock(
        "Who the money went through: the 10 entities with the most traced money (in: part of "
        "the money that reached the seized parties; out: part of what left them)",
        headings,
        rows,
        [False, False, True, True, False],
    )


def _paths_table(result: TraceResult) -> TableBlock:
    paths = sorted((p for t in result.trails for p in t.paths), key=lambda p: -p.amount)[:8]
    rows = []
    for p in paths:
        names = [
            result.entity_labels.get(result.holders.get(a, ""), (a, None))[0] for a in p.accounts
        ]
        rows.append(
            [
                p.direction,
                _money(p.amount),
                f"{_day(p.payments[0].ts)} to {_day(p.payments[-1].ts)}",
                " → ".join(names),
            ]
        )
    return TableBlock(
        "The money trail: the widest paths (amount = the smallest traced payment on the path)",
        ["direction", "US$", "dates", "path"],
        rows,
        [False, True, False, False],
    )


def _day(seconds: int) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%d")


def _disruption_table(players: KeyPlayers, roles: dict[str, str]) -> TableBlock:
    before = players.before
    headings, rows = _with_roles(
        ["arrest", "entity", "name", "fragmentation after", "largest group left"],
        [
            (None, ["none", "", "", f"{before.fragmentation:.2f}", before.largest_component]),
            *(
                (
                    r.name,
                    [r.step, r.name, r.label or "", f"{r.fragmentation:.2f}", r.largest_component],
                )
                for r in players.chosen
            ),
        ],
        roles,
    )
    return TableBlock(
        "Disruption ranking: arrests that break the traced network apart fastest",
        headings,
        rows,
        [False, False, False, True, True, False],
    )


def organiser_section(ws: Workspace, *, flows: FlowSource, truth_dir: Path) -> Section:
    """Scenario check: from each seizure of a planted network, does the trace reach its organisers?"""
    rows = organiser_traces(ws, truth_dir, flows)
    if not rows:
        return Section(
            "Does tracing reach the organisers?", ["No seizure names a planted network member."]
        )
    top10 = sum(1 for r in rows if r.financier_rank is not None and r.financier_rank <= 10)
    found = sum(r.found for r in rows)
    wanted = sum(r.organisers for r in rows)
    return Section(
        "Does tracing reach the organisers?",
        [
            f"The scenario plants networks whose organisers ({' and '.join(ORGANISER_ROLES)}) pay "
            "couriers and poachers and receive the buyers' money. From each of the "
            f"{len(rows)} seizures that name a network member, a 4-hop trace both ways ranked the "
            f"network's financier among the 10 entities with the most traced money "
            f"{top10} times, and {found} of {wanted} organisers ({found / wanted:.0%}) were named "
            "by the seizure or among those 10."
        ],
        tables=[
            TableBlock(
                "Per seizure",
                [
                    "seizure",
                    "network",
                    "organisers",
                    "named or in top 10",
                    "financier's rank",
                    "entities reached",
                ],
                [
                    [
                        r.seizure_id,
                        r.network_id,
                        r.organisers,
                        r.found,
                        r.financier_rank if r.financier_rank is not None else "not reached",
                        r.entities_reached,
                    ]
                    for r in rows
                ],
                [False, False, True, True, True, True],
            )
        ],
    )


def risk_section(
    ws: Workspace, *, analysis: NetworkAnalysis, truth_dir: Path | None = None
) -> Section:
    """Risk propagated from known offenders: the top entities not yet known, each explained."""
    labels = dict(zip(analysis.projection.vs["name"], analysis.projection.vs["label"], strict=True))
    roles = planted_roles(ws, truth_dir)
    ranked = analysis.ranked_risk()
    paragraphs = [
        f"Known bad: {len(analysis.seeds):,} entities (named in a seizure, or screened at 0.5 or "
        f"more). Risk spreads from them over the entity network ({analysis.projection.vcount():,} "
        f"entities, {analysis.projection.ecount():,} ties, {analysis.communities.count:,} "
        f"communities, modularity {analysis.communities.modularity:.2f}) by personalised "
        "PageRank; entities are ranked by risk per tie, so that hubs everyone pays do not top "
        "the list. Each is explained by its most likely path from a known offender."
    ]
    left_out = [r for r in analysis.risk if not r.is_seed and r.name in analysis.not_suspects]
    if left_out:
        paragraphs[-1] += _left_out(len(left_out))
    if roles and ranked:
        hits = sum(1 for r in ranked[:50] if r.name in roles)
        base = sum(1 for r in ranked if r.name in roles) / len(ranked)
        paragraphs.append(
            f"Against the scenario's truth: {hits} of the top 50 are planted network members "
            f"({hits / 50:.0%}; {base:.1%} of all ranked entities are)."
        )
    headings, rows = _with_roles(
        ["rank", "entity", "name", "explained by"],
        [
            (r.name, [i, r.name, r.label or "", " → ".join(labels.get(n) or n for n in r.path)])
            for i, r in enumerate(ranked[:15], start=1)
        ],
        roles,
    )
    return Section(
        "Risk from known offenders",
        paragraphs,
        tables=[
            TableBlock(
                "Highest risk, not yet known", headings, rows, [True, False, False, False, False]
            )
        ],
    )
