"""The network of a workspace as typed nodes and typed edges in python-igraph.

Nodes (vertex attribute ``kind``): ``entity`` (a resolved person or company; a party record that
entity resolution has not grouped is its own entity ``ENT-<party_id>``), ``account``, ``seizure``,
``shipment``, ``permit``.

Edges (attribute ``kind``), all directed:

| kind | from -> to | meaning |
|---|---|---|
| holds_account | entity -> account | the entity holds the account |
| pays | account -> account | transactions, aggregated: ``count``, ``weight`` (US dollars), first and last time |
| consignor_of | entity -> shipment | the entity sent the shipment |
| ships_to | shipment -> entity | the shipment was consigned to the entity |
| uses_permit | shipment -> permit | the shipment declared the permit |
| holds_permit | entity -> permit | the permit was issued to the entity |
| named_in_seizure | seizure -> entity | the seizure names the entity as an offender |
| seized_shipment | seizure -> shipment | the seizure was of that shipment |
| shares_identifier | entity -> entity | two entities share a phone number or ID number |

Every vertex has ``name`` (its id), ``kind``, ``label``, ``party_kind``, ``country`` and ``risk``
(the screening score rolled up to the entity, 0 to 1; None for other kinds). Every edge has
``weight`` (US dollars for ``pays``, 1 otherwise), ``count``, ``first_ts`` and ``last_ts`` (ISO
8601 UTC). :func:`entity_projection` folds this into an undirected graph of entities only, the
input of communities, brokers, key players and risk propagation.

Ownership and directorship edges (``owns``/``directs``) need a relationships table the data
contract does not have yet; they are not built.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import igraph as ig

from onca.network._flows import usd_sql
from onca.sql import id_key, phone_key
from onca.workspace import Workspace

NODE_KINDS = ("entity", "account", "seizure", "shipment", "permit")
EDGE_KINDS = (
    "holds_account",
    "pays",
    "consignor_of",
    "ships_to",
    "uses_permit",
    "holds_permit",
    "named_in_seizure",
    "seized_shipment",
    "shares_identifier",
)
VERTEX_ATTRIBUTES = ("kind", "label", "party_kind", "country", "risk")
EDGE_ATTRIBUTES = ("kind", "weight", "count", "first_ts", "last_ts")

_PARTY_ENTITY = """
    SELECT p.party_id, coalesce(m.entity_id, 'ENT-' || p.party_id) AS entity_id
    FROM parties AS p LEFT JOIN entity_members AS m USING (party_id)"""

_NODES = {
    "entity": """
        SELECT pe.entity_id AS name, 'entity' AS kind,
               coalesce(any_value(e.name), min(p.name)) AS label,
               min(p.kind) AS party_kind, mode(p.country) AS country,
               coalesce(any_value(s.score), max(ps.score), 0.0) AS risk
        FROM _onca_pe AS pe JOIN parties AS p USING (party_id)
        LEFT JOIN entities AS e USING (entity_id)
        LEFT JOIN entity_scores AS s USING (entity_id)
        LEFT JOIN party_scores AS ps ON ps.party_id = p.party_id
        GROUP BY pe.entity_id""",
    "account": """
        SELECT account_id AS name, 'account' AS kind,
               account_id || coalesce(' at ' || institution, '') AS label,
               NULL AS party_kind, country, NULL AS risk
        FROM accounts""",
    "seizure": """
        SELECT seizure_id AS name, 'seizure' AS kind,
               coalesce(commodity, taxon) || ' seized at ' || coalesce(place, country)
                 || ', ' || strftime(ts, '%Y-%m-%d') AS label,
               NULL AS party_kind, country, NULL AS risk
        FROM seizures""",
    "shipment": """
        SELECT shipment_id AS name, 'shipment' AS kind,
               coalesce(goods_description, hs_code, shipment_id) || ' (' || origin_country
                 || ' to ' || destination_country || ')' AS label,
               NULL AS party_kind, origin_country AS country, NULL AS risk
        FROM shipments""",
    "permit": """
        SELECT permit_id AS name, 'permit' AS kind,
               coalesce(permit_type, 'permit') || ' permit for ' || coalesce(taxon, '?') AS label,
               NULL AS party_kind, issuing_country AS country, NULL AS risk
        FROM permits""",
}

_SINGLE = "1.0 AS weight, 1 AS count"


def _edges_sql(identifier_sql: str) -> dict[str, str]:
    return {
        "holds_account": f"""
            SELECT pe.entity_id AS src, a.account_id AS dst, {_SINGLE},
                   a.opened_at AS first_ts, a.opened_at AS last_ts
            FROM accounts AS a JOIN _onca_pe AS pe ON pe.party_id = a.holder_id""",
        "pays": f"""
            SELECT t.from_account AS src, t.to_account AS dst,
                   coalesce(sum({usd_sql()}), 0.0) AS weight, count(*) AS count,
                   min(t.ts) AS first_ts, max(t.ts) AS last_ts
            FROM transactions AS t
            WHERE t.from_account IS NOT NULL AND t.to_account IS NOT NULL
            GROUP BY 1, 2""",
        "consignor_of": f"""
            SELECT pe.entity_id AS src, s.shipment_id AS dst, {_SINGLE},
                   s.ts AS first_ts, s.ts AS last_ts
            FROM shipments AS s JOIN _onca_pe AS pe ON pe.party_id = s.consignor_id""",
        "ships_to": f"""
            SELECT s.shipment_id AS src, pe.entity_id AS dst, {_SINGLE},
                   s.ts AS first_ts, s.ts AS last_ts
            FROM shipments AS s JOIN _onca_pe AS pe ON pe.party_id = s.consignee_id""",
        "uses_permit": f"""
            SELECT s.shipment_id AS src, s.permit_id AS dst, {_SINGLE},
                   s.ts AS first_ts, s.ts AS last_ts
            FROM shipments AS s JOIN permits AS p USING (permit_id)""",
        "holds_permit": f"""
            SELECT pe.entity_id AS src, p.permit_id AS dst, {_SINGLE},
                   p.issued_at AS first_ts, p.valid_until AS last_ts
            FROM permits AS p JOIN _onca_pe AS pe ON pe.party_id = p.holder_id""",
        "named_in_seizure": f"""
            SELECT DISTINCT s.seizure_id AS src, pe.entity_id AS dst, {_SINGLE},
                   s.ts AS first_ts, s.ts AS last_ts
            FROM seizures AS s, unnest(s.offender_ids) AS o(party_id)
            JOIN _onca_pe AS pe ON pe.party_id = o.party_id""",
        "seized_shipment": f"""
            SELECT s.seizure_id AS src, s.shipment_id AS dst, {_SINGLE},
                   s.ts AS first_ts, s.ts AS last_ts
            FROM seizures AS s JOIN shipments AS sh USING (shipment_id)""",
        "shares_identifier": f"""
            WITH keys AS ({identifier_sql})
            SELECT a.entity_id AS src, b.entity_id AS dst, {_SINGLE},
                   NULL AS first_ts, NULL AS last_ts
            FROM keys AS a JOIN keys AS b ON a.key = b.key AND a.entity_id < b.entity_id
            GROUP BY 1, 2""",
    }


def _identifier_sql() -> str:
    phone = phone_key("p.phone")
    id_number = id_key("p.id_number")
    # A key shared by more than 20 entities is a call centre or a placeholder, not a tie.
    return f"""
        WITH raw AS (
          SELECT pe.entity_id, 'phone:' || {phone} AS key
          FROM parties AS p JOIN _onca_pe AS pe USING (party_id)
          UNION ALL
          SELECT pe.entity_id, 'id:' || {id_number}
          FROM parties AS p JOIN _onca_pe AS pe USING (party_id)),
        distinct_keys AS (SELECT DISTINCT entity_id, key FROM raw WHERE key IS NOT NULL)
        SELECT entity_id, key FROM distinct_keys
        WHERE key IN (SELECT key FROM distinct_keys GROUP BY key
                      HAVING count(*) BETWEEN 2 AND 20)"""


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


def build_graph(ws: Workspace, *, edge_kinds: Sequence[str] = EDGE_KINDS) -> ig.Graph:
    """The whole workspace as one directed igraph graph (module doc for kinds and attributes)."""
    db = ws.db
    db.execute(f"CREATE OR REPLACE TEMP VIEW _onca_pe AS {_PARTY_ENTITY}")
    names: list[str] = []
    columns: dict[str, list[Any]] = {a: [] for a in VERTEX_ATTRIBUTES}
    for sql in _NODES.values():
        for row in db.fetch(sql):
            names.append(row[0])
            for key, value in zip(VERTEX_ATTRIBUTES, row[1:], strict=True):
                columns[key].append(value)
    graph = ig.Graph(n=len(names), directed=True)
    graph.vs["name"] = names
    for key, values in columns.items():
        graph.vs[key] = values
    index = {n: i for i, n in enumerate(names)}
    pairs: list[tuple[int, int]] = []
    attrs: dict[str, list[Any]] = {a: [] for a in EDGE_ATTRIBUTES}
    queries = _edges_sql(_identifier_sql())
    for kind in edge_kinds:
        for src, dst, weight, count, first, last in db.fetch(queries[kind]):
            if src not in index or dst not in index:
                continue  # a reference the contract allows to dangle (e.g. an unknown account)
            pairs.append((index[src], index[dst]))
            attrs["kind"].append(kind)
            attrs["weight"].append(float(weight))
            attrs["count"].append(int(count))
            attrs["first_ts"].append(_iso(first))
            attrs["last_ts"].append(_iso(last))
    graph.add_edges(pairs)
    for key, values in attrs.items():
        graph.es[key] = values
    return graph


def entity_projection(graph: ig.Graph) -> ig.Graph:
    """Entities only, undirected and simple: two entities are tied when money moved between
    their accounts, a shipment went from one to the other, they share an identifier or one seizure
    names both. ``weight`` is the US dollars that moved between them plus 1 for each tie without
    money (a shipment, a shared key, a seizure); ``count`` counts all those interactions and
    ``usd`` is the money alone."""
    kind = graph.vs["kind"]
    holder: dict[int, int] = {}
    for e in graph.es.select(kind="holds_account"):
        holder[e.target] = e.source
    ties: dict[tuple[int, int], list[float]] = {}  # interactions, US dollars, ties without money

    def tie(a: int | None, b: int | None, count: float, usd: float | None = None) -> None:
        if a is None or b is None or a == b:
            return
        key = (min(a, b), max(a, b))
        row = ties.setdefault(key, [0.0, 0.0, 0.0])
        row[0] += count
        if usd is None:
            row[2] += count
        else:
            row[1] += usd

    shipment_ends: dict[int, list[int | None]] = {}
    named: dict[int, list[int]] = {}
    for e in graph.es:
        k = e["kind"]
        if k == "pays":
            tie(holder.get(e.source), holder.get(e.target), e["count"], e["weight"])
        elif k == "shares_identifier":
            tie(e.source, e.target, 1.0)
        elif k == "consignor_of":
            shipment_ends.setdefault(e.target, [None, None])[0] = e.source
        elif k == "ships_to":
            shipment_ends.setdefault(e.source, [None, None])[1] = e.target
        elif k == "named_in_seizure":
            named.setdefault(e.source, []).append(e.target)
    for consignor, consignee in shipment_ends.values():
        tie(consignor, consignee, 1.0)
    for offenders in named.values():
        for i, a in enumerate(offenders):
            for b in offenders[i + 1 :]:
                tie(a, b, 1.0)
    entities = [v for v in range(graph.vcount()) if kind[v] == "entity"]
    position = {v: i for i, v in enumerate(entities)}
    out = ig.Graph(n=len(entities), directed=False)
    for key in ("name", *VERTEX_ATTRIBUTES):
        values = graph.vs[key]
        out.vs[key] = [values[v] for v in entities]
    out.add_edges([(position[a], position[b]) for a, b in ties])
    out.es["count"] = [int(n) for n, _, _ in ties.values()]
    out.es["usd"] = [u for _, u, _ in ties.values()]
    out.es["weight"] = [u + other for _, u, other in ties.values()]
    return out
