"""``onca network trace``: follow the money from a seizure, entity, party or account.

The start is found by its id in this order: seizure, account, resolved entity, party, shipment.
A seizure starts from every account of the entities it names (and of its shipment's consignor and
consignee); an entity or a party from every account of the resolved entity. The trail is then
traced with :func:`onca.network._trail.trace_flows`, forwards, backwards or both, and given back
as typed nodes, typed edges and paths (:meth:`TraceResult.to_json`) or as an igraph graph
(:meth:`TraceResult.to_graph`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

import igraph as ig

from onca.errors import ParameterError
from onca.network._flows import FlowSource
from onca.network._trail import MoneyTrail, TracedPayment, trace_flows
from onca.workspace import Workspace

TraceDirection = Literal["forward", "backward", "both"]
START_KINDS = ("seizure", "account", "entity", "party", "shipment")
SEIZURE_DAYS_BEFORE = 365  # default window around a seizure: the year of business before it
SEIZURE_DAYS_AFTER = 90  # and the proceeds that moved in the months after


@dataclass(frozen=True)
class Start:
    """Where a trace begins: the id as given, what it is, and the accounts money is traced from."""

    id: str
    kind: str
    label: str
    entities: tuple[str, ...]
    accounts: tuple[str, ...]
    seized_at: dt.datetime | None = None


@dataclass
class TraceResult:
    start: Start
    trails: list[MoneyTrail]
    holders: dict[str, str]  # account -> entity_id
    entity_labels: dict[str, tuple[str, str]]  # entity_id -> (label, party kind)
    hops: int
    notes: list[str] = field(default_factory=list)

    @property
    def truncated(self) -> bool:
        return any(t.truncated for t in self.trails)

    def reached_entities(self) -> set[str]:
        accounts = {a for t in self.trails for a in t.reached}
        return {self.holders[a] for a in accounts if a in self.holders} - set(self.start.entities)

    def entity_money(self) -> list[tuple[str, dict[str, float]]]:
        """Reached entities (not the start's) ranked by the traced money through their accounts:
        ``backward_usd`` is how much of the money reaching the start came through them,
        ``forward_usd`` how much of the money leaving the start reached them."""
        money: dict[str, dict[str, float]] = {}
        start = set(self.start.entities)
        for trail in self.trails:
            for account in trail.reached:
                entity = self.holders.get(account)
                if entity is None or entity in start:
                    continue
                row = money.setdefault(entity, {"backward_usd": 0.0, "forward_usd": 0.0})
                row[f"{trail.direction}_usd"] += trail.received.get(account, 0.0)
        ranked = sorted(money.items(), key=lambda kv: (-max(kv[1].values()), kv[0]))
        return [(e, {k: round(v, 2) for k, v in m.items()}) for e, m in ranked]

    def entity_graph(self, top: int = 40) -> ig.Graph:
        """The trace as people and companies: the start, its entities and the ``top`` reached
        entities by traced money, with the traced money between them (``pays``, summed per pair
        and direction; ``weight`` and ``attributed`` in US dollars). Vertex ``size`` is the traced
        money through the entity; ``role`` is seized (named by the seizure), start or reached."""
        money = self.entity_money()[:top]
        start_role = "seized" if self.start.kind == "seizure" else "start"
        rows: list[dict[str, Any]] = []
        if self.start.kind not in ("entity", "account"):
            rows.append(
                {
                    "name": self.start.id,
                    "kind": self.start.kind,
                    "role": "start",
                    "label": self.start.label,
                }
            )
        total = max((t.total for t in self.trails), default=0.0)
        rows.extend(self._entity_node(e, start_role, total) for e in self.start.entities)
        rows.extend(self._entity_node(e, "reached", max(a.values())) for e, a in money)
        graph = ig.Graph(directed=True)
        graph.add_vertices(len(rows))
        for key in ("name", "kind", "label", "party_kind", "role", "size"):
            graph.vs[key] = [r.get(key) for r in rows]
        index = {r["name"]: i for i, r in enumerate(rows)}
        pays: dict[tuple[int, int], list[Any]] = {}
        for trail in self.trails:
            for p in trail.payments:
                a, b = self.holders.get(p.src), self.holders.get(p.dst)
                if p.attributed <= 0 or a == b or a not in index or b not in index:
                    continue
                row = pays.setdefault((index[a], index[b]), [0.0, 0, p.ts, p.ts])
                row[0] += p.attributed
                row[1] += 1
                row[2], row[3] = min(row[2], p.ts), max(row[3], p.ts)
        edges: list[tuple[int, int]] = []
        attrs: list[dict[str, Any]] = []
        if self.start.id in index:
            kind = _start_edge(self.start.kind)
            for entity in self.start.entities:
                edges.append((index[self.start.id], index[entity]))
                attrs.append({"kind": kind, "weight": 1.0, "count": 1})
        for (i, j), (usd, count, first, last) in pays.items():
            edges.append((i, j))
            attrs.append(
                {
                    "kind": "pays",
                    "weight": usd,
                    "attributed": usd,
                    "amount": usd,
                    "count": count,
                    "first_ts": _iso(first),
                    "last_ts": _iso(last),
                }
            )
        graph.add_edges(edges)
        for key in ("kind", "weight", "attributed", "amount", "count", "first_ts", "last_ts"):
            graph.es[key] = [a.get(key) for a in attrs]
        return graph

    def _entity_node(self, entity: str, role: str, size: float) -> dict[str, Any]:
        """A node row of :meth:`entity_graph` for ``entity``, with its label and party kind."""
        label, party_kind = self.entity_labels.get(entity, (entity, None))
        return {
            "name": entity,
            "kind": "entity",
            "label": label,
            "party_kind": party_kind,
            "role": role,
            "size": size,
        }

    def to_dict(self) -> dict[str, Any]:
        """Nodes, edges, paths and totals (see docs/network.md for every field)."""
        return _to_json(self)

    def to_graph(self) -> ig.Graph:
        """The traced subgraph: accounts, their holders and the start, with typed edges."""
        return _to_graph(self)


def _iso(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).replace(tzinfo=None).isoformat()


def _epoch(value: dt.datetime | None) -> int | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return int((value - dt.datetime(1970, 1, 1)).total_seconds())


_ENTITY_OF_PARTY = """
    SELECT p.party_id, coalesce(m.entity_id, 'ENT-' || p.party_id) AS entity_id
    FROM parties AS p LEFT JOIN entity_members AS m USING (party_id)"""


def find_start(ws: Workspace, start_id: str) -> Start:
    """Look ``start_id`` up as a seizure, account, entity, party or shipment."""
    db = ws.db
    db.execute(f"CREATE OR REPLACE TEMP VIEW _onca_party_entity AS {_ENTITY_OF_PARTY}")
    seizure = db.first(
        """SELECT s.seizure_id, s.taxon, s.commodity, s.place, s.ts, s.offender_ids,
                  sh.consignor_id, sh.consignee_id
           FROM seizures AS s LEFT JOIN shipments AS sh USING (shipment_id)
           WHERE s.seizure_id = ?""",
        [start_id],
    )
    if seizure is not None:
        parties = [*(seizure[5] or []), seizure[6], seizure[7]]
        label = f"seizure {seizure[0]}: {seizure[2] or seizure[1]} at {seizure[3]}, {seizure[4]:%Y-%m-%d}"
        found = _start(ws, start_id, "seizure", label, [p for p in parties if p])
        return Start(found.id, found.kind, found.label, found.entities, found.accounts, seizure[4])
    account = db.first(
        """SELECT a.account_id, pe.entity_id FROM accounts AS a
           LEFT JOIN _onca_party_entity AS pe ON pe.party_id = a.holder_id
           WHERE a.account_id = ?""",
        [start_id],
    )
    if account is not None:
        entities = (account[1],) if account[1] else ()
        return Start(start_id, "account", f"account {start_id}", entities, (start_id,))
    entity = db.first(
        "SELECT list(party_id) FROM _onca_party_entity WHERE entity_id = ?", [start_id]
    )
    if entity is not None and entity[0]:
        return _start(ws, start_id, "entity", f"entity {start_id}", list(entity[0]))
    party = db.first("SELECT party_id FROM parties WHERE party_id = ?", [start_id])
    if party is not None:
        return _start(ws, start_id, "party", f"party {start_id}", [start_id])
    shipment = db.first(
        "SELECT consignor_id, consignee_id FROM shipments WHERE shipment_id = ?", [start_id]
    )
    if shipment is not None:
        parties = [p for p in shipment if p]
        return _start(ws, start_id, "shipment", f"shipment {start_id}", parties)
    raise ParameterError(_unknown(ws, start_id))


def _unknown(ws: Workspace, start_id: str) -> str:
    near = ws.db.fetch(
        """SELECT id FROM (
             SELECT seizure_id AS id FROM seizures UNION ALL SELECT account_id FROM accounts
             UNION ALL SELECT entity_id FROM entities UNION ALL SELECT party_id FROM parties)
           WHERE levenshtein(upper(id), upper(?)) <= 2
           ORDER BY levenshtein(upper(id), upper(?)), id LIMIT 3""",
        [start_id, start_id],
    )
    hint = f" Did you mean {', '.join(r[0] for r in near)}?" if near else ""
    return (
        f"--from: {start_id!r} is not a seizure, account, entity, party or shipment id in "
        f"this workspace.{hint}"
    )


def _start(ws: Workspace, start_id: str, kind: str, label: str, parties: list[str]) -> Start:
    rows = ws.db.fetch(
        """WITH named AS (SELECT DISTINCT pe.entity_id FROM _onca_party_entity AS pe
                          WHERE pe.party_id IN (SELECT unnest(?::VARCHAR[])))
           SELECT n.entity_id, a.account_id
           FROM named AS n
           LEFT JOIN _onca_party_entity AS pe USING (entity_id)
           LEFT JOIN accounts AS a ON a.holder_id = pe.party_id
           ORDER BY 1, 2""",
        [parties],
    )
    entities = tuple(sorted({r[0] for r in rows}))
    accounts = tuple(sorted({r[1] for r in rows if r[1] is not None}))
    return Start(start_id, kind, label, entities, accounts)


def trace_workspace(
    ws: Workspace,
    start_id: str,
    flows: FlowSource,
    *,
    direction: TraceDirection = "both",
    hops: int = 4,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    min_amount: float = 0.0,
    max_edges: int = 50_000,
    top_paths: int = 25,
) -> TraceResult:
    """Trace the money around ``start_id`` (see the module doc)."""
    if direction not in ("forward", "backward", "both"):
        raise ParameterError(f"--direction: expected forward, backward or both, got {direction!r}")
    start = find_start(ws, start_id)
    notes = []
    if start.seized_at is not None and since is None and until is None:
        since = start.seized_at - dt.timedelta(days=SEIZURE_DAYS_BEFORE)
        until = start.seized_at + dt.timedelta(days=SEIZURE_DAYS_AFTER)
        notes.append(
            f"window {since:%Y-%m-%d} to {until:%Y-%m-%d}: {SEIZURE_DAYS_BEFORE} days before "
            f"the seizure to {SEIZURE_DAYS_AFTER} after (set --since/--until to change it)"
        )
    if not start.accounts:
        notes.append(
            f"{start.label} has no accounts in this workspace (resolve the workspace first if "
            "its parties are bank customers under other records: onca resolve WORKSPACE)"
        )
    ways: list[Literal["forward", "backward"]] = (
        ["backward", "forward"] if direction == "both" else [direction]
    )
    trails = [
        trace_flows(
            flows,
            start.accounts,
            way,
            hops=hops,
            since=_epoch(since),
            until=_epoch(until),
            min_amount=min_amount,
            max_edges=max_edges,
            top_paths=top_paths,
        )
        for way in ways
    ]
    accounts = sorted({a for t in trails for a in t.reached} | set(start.accounts))
    holders = dict(
        ws.db.fetch(
            """SELECT a.account_id, pe.entity_id FROM accounts AS a
               JOIN _onca_party_entity AS pe ON pe.party_id = a.holder_id
               WHERE a.account_id IN (SELECT unnest(?::VARCHAR[]))""",
            [accounts],
        )
    )
    entities = sorted(set(holders.values()) | set(start.entities))
    labels = {
        r[0]: (r[1], r[2])
        for r in ws.db.fetch(
            """SELECT pe.entity_id, coalesce(any_value(e.name), min(p.name)), min(p.kind)
               FROM _onca_party_entity AS pe JOIN parties AS p USING (party_id)
               LEFT JOIN entities AS e USING (entity_id)
               WHERE pe.entity_id IN (SELECT unnest(?::VARCHAR[]))
               GROUP BY 1""",
            [entities],
        )
    }
    for trail in trails:
        notes.extend(f"{trail.direction}: {n}" for n in trail.notes)
    return TraceResult(start, trails, holders, labels, hops, notes)


def _payment_json(p: TracedPayment) -> dict[str, Any]:
    return {
        "id": p.txn_id,
        "kind": "pays",
        "source": p.src,
        "target": p.dst,
        "ts": _iso(p.ts),
        "amount_usd": round(p.amount, 2),
        "attributed_usd": round(p.attributed, 2),
        "hop": p.hop,
        "direction": p.direction,
    }


def _to_json(r: TraceResult) -> dict[str, Any]:
    start_entities = set(r.start.entities)
    nodes: list[dict[str, Any]] = []
    if r.start.kind not in ("entity", "account"):
        nodes.append(
            {"id": r.start.id, "kind": r.start.kind, "label": r.start.label, "role": "start"}
        )
    for entity in sorted(set(r.holders.values()) | start_entities):
        label, party_kind = r.entity_labels.get(entity, (entity, None))
        nodes.append(
            {
                "id": entity,
                "kind": "entity",
                "label": label,
                "party_kind": party_kind,
                "role": "start" if entity in start_entities else "reached",
            }
        )
    accounts: dict[str, dict[str, Any]] = {}
    for trail in r.trails:
        for account, (hop, ts) in sorted(trail.reached.items()):
            node = accounts.setdefault(
                account,
                {
                    "id": account,
                    "kind": "account",
                    "label": account,
                    "holder": r.holders.get(account),
                    "role": "start" if hop == 0 else "reached",
                },
            )
            if hop:
                node[f"{trail.direction}_hop"] = hop
                node["first_in" if trail.direction == "forward" else "last_out"] = _iso(ts)
            node[f"{trail.direction}_received_usd"] = round(trail.received.get(account, 0.0), 2)
            node[f"{trail.direction}_sent_usd"] = round(trail.sent.get(account, 0.0), 2)
            ratio = trail.pass_through(account)
            if ratio is not None:
                node[f"{trail.direction}_pass_through"] = round(ratio, 4)
    nodes.extend(accounts[a] for a in sorted(accounts))
    edges: list[dict[str, Any]] = []
    if r.start.kind not in ("entity", "account"):
        edges.extend(
            {
                "id": f"{r.start.id}>{e}",
                "kind": _start_edge(r.start.kind),
                "source": r.start.id,
                "target": e,
            }
            for e in r.start.entities
        )
    edges.extend(
        {"id": f"{r.holders[a]}>{a}", "kind": "holds_account", "source": r.holders[a], "target": a}
        for a in sorted(accounts)
        if a in r.holders
    )
    for trail in r.trails:
        edges.extend(_payment_json(p) for p in trail.payments if p.attributed > 0)
    paths = [
        {
            "direction": p.direction,
            "accounts": list(p.accounts),
            "entities": [r.holders.get(a) for a in p.accounts],
            "labels": [r.entity_labels.get(r.holders.get(a, ""), (a, None))[0] for a in p.accounts],
            "txn_ids": [q.txn_id for q in p.payments],
            "amount_usd": round(p.amount, 2),
            "hops": p.hops,
            "first_ts": _iso(p.payments[0].ts),
            "last_ts": _iso(p.payments[-1].ts),
        }
        for trail in r.trails
        for p in trail.paths
    ]
    ranking = [
        {"entity": e, "label": r.entity_labels.get(e, (e, None))[0], **money}
        for e, money in r.entity_money()
    ]
    totals = {
        trail.direction: {
            "transactions": sum(1 for p in trail.payments if p.attributed > 0),
            "accounts_reached": len(trail.reached) - len(trail.start),
            "entities_reached": len(
                {r.holders[a] for a in trail.reached if a in r.holders} - start_entities
            ),
            "traced_usd": round(trail.total, 2),
            "truncated": trail.truncated,
        }
        for trail in r.trails
    }
    return {
        "start": {
            "id": r.start.id,
            "kind": r.start.kind,
            "label": r.start.label,
            "entities": list(r.start.entities),
            "accounts": list(r.start.accounts),
        },
        "hops": r.hops,
        "nodes": nodes,
        "edges": edges,
        "paths": paths,
        "ranking": ranking,
        "totals": totals,
        "truncated": r.truncated,
        "notes": r.notes,
    }


def _start_edge(kind: str) -> str:
    return {"seizure": "named_in_seizure", "shipment": "ships_to"}.get(kind, "same_as")


def _to_graph(r: TraceResult) -> ig.Graph:
    data = _to_json(r)
    graph = ig.Graph(directed=True)
    names = [n["id"] for n in data["nodes"]]
    graph.add_vertices(names)
    for key in ("kind", "label", "role", "party_kind"):
        graph.vs[key] = [n.get(key) for n in data["nodes"]]
    index = {n: i for i, n in enumerate(names)}
    pays: dict[tuple[str, str], dict[str, Any]] = {}
    other = []
    for e in data["edges"]:
        if e["kind"] != "pays":
            other.append(e)
            continue
        agg = pays.setdefault(
            (e["source"], e["target"]),
            {"kind": "pays", "weight": 0.0, "count": 0, "first_ts": e["ts"], "last_ts": e["ts"]},
        )
        agg["weight"] += e["attributed_usd"]
        agg["count"] += 1
        agg["first_ts"] = min(agg["first_ts"], e["ts"])
        agg["last_ts"] = max(agg["last_ts"], e["ts"])
    pairs = [(e["source"], e["target"]) for e in other] + list(pays)
    attrs = [{"kind": e["kind"], "weight": 1.0, "count": 1} for e in other] + list(pays.values())
    graph.add_edges([(index[a], index[b]) for a, b in pairs])
    for key in ("kind", "weight", "count", "first_ts", "last_ts"):
        graph.es[key] = [a.get(key) for a in attrs]
    graph.es["attributed"] = [a["weight"] if a["kind"] == "pays" else None for a in attrs]
    return graph
