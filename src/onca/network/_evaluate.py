"""How well tracing finds a scenario's planted organisers (needs the scenario's ``truth/``).

For every seizure that names a member of a planted network, trace both ways from it and look at
the reached entities ranked by traced money: are the network's **organisers** (its financier and
its middlemen, the people who pay the couriers and poachers and receive the buyers' money) among
the first ``top``?
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from onca.network._flows import FlowSource
from onca.network._trace import trace_workspace
from onca.synth import Truth
from onca.workspace import Workspace

ORGANISER_ROLES = ("financier", "middleman")


@dataclass(frozen=True)
class SeizureTrace:
    seizure_id: str
    network_id: str
    organisers: int  # organiser entities of the network
    found: int  # of those, named by the seizure or among the top reached entities
    financier_rank: int | None  # 1-based rank of the financier among reached entities
    entities_reached: int


def organiser_traces(
    ws: Workspace, truth_dir: Path | str, flows: FlowSource, *, top: int = 10, hops: int = 4
) -> list[SeizureTrace]:
    """One row per seizure naming a network member (see the module doc)."""
    truth = Truth.load(truth_dir)
    keys = truth.identities
    roles = {r.person_key: (r.network_id, r.role) for r in truth.roles}
    members = ws.db.fetch(
        """SELECT coalesce(m.entity_id, 'ENT-' || p.party_id), p.party_id
           FROM parties AS p LEFT JOIN entity_members AS m USING (party_id)"""
    )
    role_of: dict[str, tuple[str, str]] = {}
    for entity, party in members:
        key = keys.get(party)
        if key in roles:
            role_of.setdefault(entity, roles[key])
    seizures = ws.db.fetch("SELECT seizure_id, offender_ids FROM seizures ORDER BY seizure_id")
    party_entity = {p: e for e, p in members}
    rows = []
    for seizure_id, offenders in seizures:
        networks = {
            role_of[party_entity[p]][0] for p in offenders or [] if party_entity.get(p) in role_of
        }
        if len(networks) != 1:
            continue
        network = networks.pop()
        organisers = {
            e for e, (n, role) in role_of.items() if n == network and role in ORGANISER_ROLES
        }
        result = trace_workspace(ws, seizure_id, flows, hops=hops)
        ranked = [e for e, _ in result.entity_money()]
        financier = [
            i + 1 for i, e in enumerate(ranked) if role_of.get(e) == (network, "financier")
        ]
        rows.append(
            SeizureTrace(
                seizure_id,
                network,
                len(organisers),
                len(organisers & (set(ranked[:top]) | set(result.start.entities))),
                financier[0] if financier else None,
                len(ranked),
            )
        )
    return rows
