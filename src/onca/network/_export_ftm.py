"""The network graph as FollowTheMoney entities, for Aleph and the ``ftm`` tools.

Ids follow :func:`onca.export.entity_id`, as the workspace export does, so that a BankAccount, an
account holding or a single transaction has the same id in both and Aleph merges them. The
mapping from vertex and edge kinds to FtM schemata is in :func:`graph_entities`; the value
helpers here (text cells, numbers, vertex ids) are shared with the other export formats.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import igraph as ig
from followthemoney import model
from followthemoney.proxy import EntityProxy

from onca._ftm import SCHEMA_OF_KIND
from onca.export._ftm import ExportError, _entity, entity_id

__all__ = ["graph_entities", "write_ftm"]


def _text(value: Any) -> str:
    """A value as one cell of text: None is empty, lists are joined with ';'."""
    if type(value) is str:  # the common case first: this runs once per cell
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, list | tuple | set | frozenset):
        return ";".join(_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _vertex_ids(graph: ig.Graph) -> list[str]:
    if "name" in graph.vs.attributes():
        return [_text(n) or str(i) for i, n in enumerate(graph.vs["name"])]
    return [str(i) for i in range(graph.vcount())]


_VERTEX_SCHEMA = {
    "account": "BankAccount",
    "seizure": "Event",
    "shipment": "EconomicActivity",
    "permit": "License",
}
_SHIPMENT_PARTY = {"consignor_of": "sender", "ships_to": "receiver"}
# Edges whose first_ts is the time of a seizure or a shipment (see onca.network._graph).
_DATED_BY = {
    "named_in_seizure": "seizure",
    "seized_shipment": "seizure",
    "consignor_of": "shipment",
    "ships_to": "shipment",
    "uses_permit": "shipment",
}


def _ftm_date(value: Any) -> str | None:
    """An ISO 8601 date or timestamp as FtM writes it (UTC, to the second); None if empty."""
    text = _text(value)
    if len(text) <= 10:
        return text or None
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        return text  # FtM's date cleaning decides
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S")


def _dates(item: dict[str, Any]) -> dict[str, str | None]:
    """``date`` for an edge at one time, ``startDate`` and ``endDate`` for one over a period."""
    first, last = _ftm_date(item.get("first_ts")), _ftm_date(item.get("last_ts"))
    if last and last != first:
        return {"startDate": first, "endDate": last}
    return {"date": first}


def _usd(value: Any) -> str | None:
    number = _number(value)
    return None if number is None else f"{number:.2f}"


def _describe(item: dict[str, Any]) -> str:
    parts = [f"network role: {item['role']}" if item.get("role") else ""]
    risk = _number(item.get("risk"))
    parts.append(f"risk {risk:.2f}" if risk is not None else "")
    return "; ".join(p for p in parts if p)


class _Mapping:
    """Turns one graph into FtM entities; see :func:`graph_entities` for the rules."""

    def __init__(self, graph: ig.Graph, dataset: str) -> None:
        self.graph, self.dataset = graph, dataset
        self.names = _vertex_ids(graph)
        self.items = [v.attributes() for v in graph.vs]
        self.kinds = [item.get("kind") for item in self.items]
        for name, kind in zip(self.names, self.kinds, strict=True):
            if kind != "entity" and kind not in _VERTEX_SCHEMA:
                raise ExportError(
                    f"vertex {name!r}: kind {kind!r} has no FollowTheMoney schema; expected"
                    f" one of entity, {', '.join(_VERTEX_SCHEMA)}"
                )
        self.ids = [entity_id(dataset, k, n) for k, n in zip(self.kinds, self.names, strict=True)]
        self.extra: list[dict[str, list[str]]] = [{} for _ in self.names]
        self.used: set[str] = set(self.ids)
        self.side: dict[str, EntityProxy] = {}  # permit authorities, unknown account holders
        self.holder: dict[int, int] = {}
        for e in graph.es:
            ends = {self.kinds[e.source]: e.source, self.kinds[e.target]: e.target}
            if e.attributes().get("kind") == "holds_account" and set(ends) == {"entity", "account"}:
                self.holder.setdefault(ends["account"], ends["entity"])

    def _unique(self, eid: str) -> str:
        candidate, n = eid, 2
        while candidate in self.used:
            candidate, n = f"{eid}-{n}", n + 1
        self.used.add(candidate)
        return candidate

    def _add(self, vertex: int, prop: str, value: str) -> None:
        self.extra[vertex].setdefault(prop, []).append(value)

    def _party(self, vertex: int, where: str) -> tuple[str, str | None]:
        """(legal entity id, bank account id or None) for a payment's side."""
        if self.kinds[vertex] == "entity":
            return self.ids[vertex], None
        if vertex in self.holder:
            return self.ids[self.holder[vertex]], self.ids[vertex]
        eid = entity_id(self.dataset, "holder", self.names[vertex])
        if eid not in self.side:
            name = f"(unknown holder of account {self.names[vertex]})"
            self.side[eid] = _entity("LegalEntity", eid, {"name": name}, where)
        return eid, self.ids[vertex]

    def edge(self, e: ig.Edge) -> EntityProxy | None:
        """The FtM entity for one edge, or None when it became a property of a vertex."""
        item, s, t = e.attributes(), e.source, e.target
        kind = _text(item.get("kind")) or "linked"
        ends = {self.kinds[s]: s, self.kinds[t]: t}
        where = f"edge {self.names[s]!r} -> {self.names[t]!r} ({kind})"
        dates = _dates(item)
        first = _ftm_date(item.get("first_ts"))
        dated = _DATED_BY.get(kind)
        if dated in ends and first:
            self._add(ends[dated], "date", first)
        if kind == "pays" and set(ends) <= {"entity", "account"}:
            (payer, payer_acc), (payee, payee_acc) = self._party(s, where), self._party(t, where)
            amount = _usd(item.get("amount")) or _usd(item.get("weight"))
            txn, count = _text(item.get("txn_id")), _number(item.get("count"))
            traced = _usd(item.get("attributed"))
            notes = [f"{count:,.0f} transactions aggregated" if count and count > 1 else ""]
            notes.append(f"traced amount {traced} USD" if traced else "")
            props = {
                "payer": payer,
                "beneficiary": payee,
                "payerAccount": payer_acc,
                "beneficiaryAccount": payee_acc,
                "amount": amount,
                "currency": amount and "USD",
                "amountUsd": amount,
                "transactionNumber": txn or None,
                "description": "; ".join(n for n in notes if n),
                **dates,
            }
            eid = (
                entity_id(self.dataset, "txn", txn)
                if txn
                else entity_id(self.dataset, "pays", f"{self.names[s]}.{self.names[t]}")
            )
            return _entity("Payment", self._unique(eid), props, where)
        if kind == "holds_account" and set(ends) == {"entity", "account"}:
            owner, asset = self.ids[ends["entity"]], self.ids[ends["account"]]
            # The holding starts when the account was opened (first_ts); it has no known end.
            props = {"owner": owner, "asset": asset, "role": "account holder", "startDate": first}
            eid = self._unique(entity_id(self.dataset, "holds", self.names[ends["account"]]))
            return _entity("Ownership", eid, props, where)
        if "shipment" in ends:
            ship, other = ends["shipment"], s if t == ends["shipment"] else t
            if set(ends) == {"shipment", "entity"} and kind in _SHIPMENT_PARTY:
                self._add(ship, _SHIPMENT_PARTY[kind], self.ids[other])
            elif set(ends) == {"shipment", "permit"}:
                self._add(ship, "contract", self.ids[other])
            else:  # FtM has no link to a customs declaration from a seizure or another one
                label = _text(self.items[other].get("label")) or self.names[other]
                self._add(ship, "description", f"{kind.replace('_', ' ')}: {label}")
                if self.kinds[other] == "seizure":
                    self._add(other, "_seized", str(ship))
            return None
        subject, obj = (
            (t, s) if kind == "named_in_seizure" and self.kinds[t] == "entity" else (s, t)
        )
        key = f"{self.names[subject]}.{kind.replace('_', '-')}.{self.names[obj]}"
        props = {"subject": self.ids[subject], "object": self.ids[obj], **dates}
        props["role"] = kind.replace("_", " ")
        return _entity(
            "UnknownLink", self._unique(entity_id(self.dataset, "link", key)), props, where
        )

    def vertex(self, i: int) -> EntityProxy:
        item, name, kind = self.items[i], self.names[i], self.kinds[i]
        label = _text(item.get("label")) or name
        where = f"vertex {name!r} ({kind})"
        props: dict[str, Any] = {"description": _describe(item)}
        if kind == "entity":
            schema = SCHEMA_OF_KIND.get(_text(item.get("party_kind")).lower(), "LegalEntity")
            if not model.get(schema).get("name").type.clean(label):  # type: ignore[union-attr]
                label = f"(unnamed {name})"  # FtM drops invisible characters
            props |= {"name": label, "country": item.get("country")}
        else:
            schema = _VERTEX_SCHEMA[kind]
            # A shipment's country is where it left from (origin_country in the contract).
            props["departureCountry" if kind == "shipment" else "country"] = item.get("country")
        date = _ftm_date(item.get("ts") or item.get("date"))
        if kind == "account":
            props |= {"name": label, "accountNumber": name}
        elif kind == "seizure":
            props |= {"name": label, "recordId": name, "date": date}
            for ship in self.extra[i].pop("_seized", []):
                for prop in ("sender", "receiver"):
                    for party in self.extra[int(ship)].get(prop, []):
                        self._add(i, "involved", party)
        elif kind == "shipment":
            props |= {"summary": label, "ccdNumber": name, "date": date}
        elif kind == "permit":
            country = _text(item.get("country")) or "country not given"
            authority = entity_id(self.dataset, "cites-authority", country.replace(" ", "-"))
            if authority not in self.side:
                body = {
                    "name": f"CITES Management Authority ({country})",
                    "country": item.get("country"),
                }
                self.side[authority] = _entity("PublicBody", authority, body, where)
            props |= {"name": label, "authority": authority}
        entity = _entity(schema, self.ids[i], props, where)
        for prop, values in self.extra[i].items():
            entity.add(prop, values, quiet=False)
        return entity


def graph_entities(graph: ig.Graph, *, dataset: str = "onca") -> Iterator[EntityProxy]:
    """The graph as FollowTheMoney entities, each checked for its schema's required properties.

    Vertices: ``entity`` -> Person, Company or Organization by ``party_kind`` (LegalEntity if
    not given); ``account`` -> BankAccount; ``seizure`` -> Event; ``shipment`` ->
    EconomicActivity (FtM's customs declaration); ``permit`` -> License, issued by a PublicBody
    "CITES Management Authority (country)". Edges: ``pays`` -> Payment (amount in USD; payer and
    beneficiary are the parties, or an account's holder in the graph, and the accounts);
    ``holds_account`` -> Ownership; ``consignor_of``/``ships_to`` -> the declaration's
    sender/receiver; ``uses_permit`` -> its contract; a seizure of a shipment -> the seizure
    Event's ``involved`` (the shipment's parties); every other edge, ``named_in_seizure``
    included, -> UnknownLink with the edge kind as its role.
    """
    mapping = _Mapping(graph, dataset)
    links = [entity for e in graph.es if (entity := mapping.edge(e)) is not None]
    yield from (mapping.vertex(i) for i in range(graph.vcount()))
    yield from mapping.side.values()
    yield from links


def write_ftm(
    graph: ig.Graph, out: Path | str | TextIO, *, dataset: str = "onca"
) -> dict[str, int]:
    """Write the graph as FollowTheMoney JSON lines (``ftm`` and Aleph read them) to ``out``, a
    path or an open text stream; return the number of entities per FtM schema.

    Ids match :func:`onca.export.export_ftm` for accounts, account holdings and single
    transactions, so Aleph merges them with a workspace export. See docs/network-exports.md.
    """
    if not re.fullmatch(r"[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?", dataset):
        raise ExportError(
            f"dataset {dataset!r} must be 1-40 lower-case letters, digits or inner hyphens"
            " (FollowTheMoney ids allow no other characters)"
        )
    entities: Iterator[EntityProxy] = graph_entities(graph, dataset=dataset)
    counts: dict[str, int] = {}

    def write(stream: TextIO) -> None:
        for entity in entities:
            stream.write(json.dumps(entity.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
            counts[entity.schema.name] = counts.get(entity.schema.name, 0) + 1

    if isinstance(out, str | Path):
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        with Path(out).open("w", encoding="utf-8") as stream:
            write(stream)
    else:
        write(out)
    return counts
