"""``onca network analyze``: the structure of a workspace's entity network, stored per entity.

1. The entity projection of the workspace graph (:func:`onca.network.entity_projection`).
2. Communities (Leiden), brokers (betweenness, bridging, cutpoints) over the whole projection.
3. Seeds, the known bad: every entity a seizure names (prior 1.0) and every entity whose
   screening score reaches ``alert_threshold`` (prior = that score). Risk is propagated from them
   by personalised PageRank; every other entity connected to a seed gets a rank (by PageRank per
   tie, see :meth:`NetworkAnalysis.ranked_risk`) and the path that explains it.
4. Key players in each *suspect community* (one holding a seed, of ``min_size`` to ``max_size``
   entities; the ``max_communities`` with the most seeds): the ``k`` arrests that fragment it most
   (Borgatti's KPP-Neg as Patel et al. 2015 applied it to wildlife trade networks).

Results go to ``network_entities`` (one row per entity) and ``network_runs`` (the run, with the
key-player removal orders as JSON); both are replaced on each run.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import igraph as ig
import pyarrow as pa

from onca import __version__
from onca.errors import ParameterError
from onca.network._graph import build_graph, entity_projection
from onca.network._keyplayers import KeyPlayers, find_key_players
from onca.network._risk import RiskRow, propagate_risk
from onca.network._structure import Broker, Communities, find_brokers, find_communities
from onca.workspace import Workspace

Progress = Callable[[str], None]
EXACT_BETWEENNESS_UP_TO = 20_000  # entities; beyond, betweenness uses a path-length cutoff


@dataclass(frozen=True)
class SuspectCommunity:
    community: int
    size: int
    seeds: int
    key_players: KeyPlayers


@dataclass
class NetworkAnalysis:
    run_id: int
    projection: ig.Graph
    communities: Communities
    brokers: list[Broker]
    risk: list[RiskRow]
    seeds: dict[str, float]
    suspects: list[SuspectCommunity] = field(default_factory=list)
    seconds: float = 0.0
    not_suspects: dict[str, str] = field(default_factory=dict)
    """entity -> why it is ranked neither by risk nor as a key player (a public body or an
    official's employer: :func:`onca.finance.public_bodies`)."""

    def ranked_risk(self) -> list[RiskRow]:
        """Entities that are neither seeds nor public bodies, by risk per tie: personalised
        PageRank divided by the entity's degree. Raw PageRank favours hubs everyone pays
        (utilities, supermarkets); dividing by degree (as in Andersen, Chung and Lang 2006)
        ranks the entities whose few ties lead to known offenders first."""
        degree = dict(zip(self.projection.vs["name"], self.projection.degree(), strict=True))
        rows = [r for r in self.risk if not r.is_seed and r.name not in self.not_suspects]
        return sorted(rows, key=lambda r: (-r.score / max(degree.get(r.name, 1), 1), r.name))

    def to_dict(self) -> dict[str, Any]:
        ranked = self.ranked_risk()
        return {
            "run_id": self.run_id,
            "entities": self.projection.vcount(),
            "ties": self.projection.ecount(),
            "communities": self.communities.count,
            "modularity": round(self.communities.modularity, 4),
            "seeds": len(self.seeds),
            "not_suspects": len(self.not_suspects),
            "suspect_communities": [
                {
                    "community": s.community,
                    "size": s.size,
                    "seeds": s.seeds,
                    "key_players": [
                        {
                            "step": r.step,
                            "entity": r.name,
                            "label": r.label,
                            "fragmentation": round(r.fragmentation, 4),
                            "largest_component": r.largest_component,
                        }
                        for r in s.key_players.chosen
                    ],
                    "fragmentation_by_degree": round(s.key_players.by_degree[-1].fragmentation, 4),
                    "fragmentation_by_betweenness": round(
                        s.key_players.by_betweenness[-1].fragmentation, 4
                    ),
                }
                for s in self.suspects
            ],
            "top_brokers": [
                {"entity": b.name, "label": b.label, "betweenness": round(b.betweenness, 6)}
                for b in self.brokers[:10]
            ],
            "top_risk": [
                {
                    "rank": i + 1,
                    "entity": r.name,
                    "label": r.label,
                    "risk": r.score,
                    "path": list(r.path),
                }
                for i, r in enumerate(ranked[:10])
            ],
            "seconds": round(self.seconds, 2),
        }


def workspace_seeds(ws: Workspace, *, alert_threshold: float = 0.5) -> dict[str, float]:
    """Known bad entities: named in a seizure (1.0), or screened at ``alert_threshold`` or more."""
    if not 0 < alert_threshold <= 1:
        raise ParameterError(
            f"--alert-threshold: expected a score in (0, 1], got {alert_threshold}"
        )
    rows = ws.db.fetch(
        """WITH pe AS (SELECT p.party_id, coalesce(m.entity_id, 'ENT-' || p.party_id) AS entity_id
                       FROM parties AS p LEFT JOIN entity_members AS m USING (party_id)),
           seized AS (SELECT DISTINCT pe.entity_id, 1.0 AS prior
                      FROM seizures AS s, unnest(s.offender_ids) AS o(party_id)
                      JOIN pe ON pe.party_id = o.party_id),
           alerted AS (SELECT pe.entity_id, max(ps.score) AS prior
                       FROM party_scores AS ps JOIN pe USING (party_id)
                       WHERE ps.score >= ? GROUP BY 1)
           SELECT entity_id, max(prior) FROM (SELECT * FROM seized UNION ALL SELECT * FROM alerted)
           GROUP BY 1 ORDER BY 1""",
        [alert_threshold],
    )
    return {e: float(p) for e, p in rows}


def analyze_workspace(
    ws: Workspace,
    *,
    k: int = 5,
    resolution: float = 1.0,
    seed: int = 0,
    damping: float = 0.85,
    alert_threshold: float = 0.5,
    min_size: int = 5,
    max_size: int = 5_000,
    max_communities: int = 10,
    progress: Progress | None = None,
) -> NetworkAnalysis:
    """Analyse the workspace's entity network and store the results (module doc)."""
    if k < 1:
        raise ParameterError(f"--k: expected at least 1 key player, got {k}")
    step = progress or (lambda _: None)
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    clock = time.perf_counter()
    step("building the graph")
    projection = entity_projection(build_graph(ws))
    if projection.vcount() == 0:
        raise ParameterError(f"{ws.path}: no parties to analyse (ingest and resolve first)")
    step("finding communities (Leiden)")
    communities = find_communities(projection, resolution=resolution, seed=seed)
    step("finding brokers")
    cutoff = None if projection.vcount() <= EXACT_BETWEENNESS_UP_TO else 2.0
    brokers = find_brokers(projection, communities=communities, cutoff=cutoff, seed=seed)
    names = projection.vs["name"]
    seeds = {e: p for e, p in workspace_seeds(ws, alert_threshold=alert_threshold).items()}
    seeds = {e: p for e, p in seeds.items() if e in set(names)}
    step("propagating risk from known offenders")
    risk = propagate_risk(projection, seeds, damping=damping) if seeds else []
    step("finding key players")
    not_suspects = not_suspects_of(ws)
    suspects = _suspect_communities(
        projection, communities, seeds, k, min_size, max_size, max_communities, not_suspects
    )
    analysis = NetworkAnalysis(
        0, projection, communities, brokers, risk, seeds, suspects, not_suspects=not_suspects
    )
    analysis.seconds = time.perf_counter() - clock
    params = {
        "k": k,
        "resolution": resolution,
        "seed": seed,
        "damping": damping,
        "alert_threshold": alert_threshold,
        "min_size": min_size,
        "max_size": max_size,
        "max_communities": max_communities,
        "betweenness_cutoff": cutoff,
    }
    step("storing network_entities")
    analysis.run_id = _store(ws, analysis, started, params)
    return analysis


def not_suspects_of(ws: Workspace) -> dict[str, str]:
    """Entities that are public bodies or officials' employers, with the reason."""
    from onca.finance import public_bodies, public_entities  # screening loads only when used

    return public_entities(ws.db, public_bodies(ws.db))


def _suspect_communities(
    projection: ig.Graph,
    communities: Communities,
    seeds: dict[str, float],
    k: int,
    min_size: int,
    max_size: int,
    most: int,
    exclude: dict[str, str],
) -> list[SuspectCommunity]:
    membership = communities.membership
    names = projection.vs["name"]
    seeded: dict[int, int] = {}
    for v, name in enumerate(names):
        if name in seeds:
            seeded[membership[v]] = seeded.get(membership[v], 0) + 1
    chosen = sorted(
        (c for c in seeded if min_size <= communities.sizes[c] <= max_size),
        key=lambda c: (-seeded[c], c),
    )[:most]
    out = []
    for c in chosen:
        members = [v for v in range(len(membership)) if membership[v] == c]
        barred = [names[v] for v in members if names[v] in exclude]
        if len(members) - len(barred) < 2:
            continue
        sub = projection.induced_subgraph(members)
        players = find_key_players(sub, min(k, len(members) - len(barred) - 1), exclude=barred)
        out.append(SuspectCommunity(c, len(members), seeded[c], players))
    return out


def _store(ws: Workspace, a: NetworkAnalysis, started: dt.datetime, params: dict[str, Any]) -> int:
    db = ws.db
    run_id = db.next_value("network_run_seq")
    names = a.projection.vs["name"]
    broker = {b.name: b for b in a.brokers}
    risk = {r.name: r for r in a.risk}
    ranked = {r.name: i + 1 for i, r in enumerate(a.ranked_risk())}
    key: dict[str, tuple[int, float]] = {}
    for s in a.suspects:
        for r in s.key_players.chosen:
            key[r.name] = (r.step, r.fragmentation)
    membership, sizes = a.communities.membership, a.communities.sizes
    degree = a.projection.degree()
    table = pa.table(
        {
            "entity_id": names,
            "run_id": [run_id] * len(names),
            "community": list(membership),
            "community_size": [sizes[c] for c in membership],
            "degree": degree,
            "betweenness": [broker[n].betweenness if n in broker else None for n in names],
            "bridging": [broker[n].bridging if n in broker else None for n in names],
            "is_cutpoint": [broker[n].is_cutpoint if n in broker else None for n in names],
            "key_player_step": [key[n][0] if n in key else None for n in names],
            "fragmentation_after": [key[n][1] if n in key else None for n in names],
            "is_seed": [n in a.seeds for n in names],
            "seed_prior": [a.seeds.get(n) for n in names],
            "risk": [risk[n].score if n in risk else None for n in names],
            "risk_rank": [ranked.get(n) for n in names],
            "risk_seed": [risk[n].seed if n in risk else None for n in names],
            "risk_path": [list(risk[n].path) if n in risk else None for n in names],
        }
    )
    key_players = {
        str(s.community): [
            {"step": r.step, "entity": r.name, "fragmentation": r.fragmentation}
            for r in s.key_players.chosen
        ]
        for s in a.suspects
    }
    with db.transaction():
        db.execute("DELETE FROM network_entities")
        with db.registered("_onca_network_rows", table) as name:
            db.execute(f"INSERT INTO network_entities BY NAME SELECT * FROM {name}")
        db.execute(
            "INSERT INTO network_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                started,
                dt.datetime.now(dt.UTC).replace(tzinfo=None),
                len(names),
                a.projection.ecount(),
                a.communities.count,
                a.communities.modularity,
                len(a.seeds),
                json.dumps(params),
                json.dumps(key_players),
                __version__,
            ],
        )
    return run_id
