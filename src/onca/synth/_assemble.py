"""Give every record its identifier and lay the small tables out as contract columns.

Identifiers are assigned once everything exists. Party and account numbers are a random
permutation within each source (bank, customs, police), so that a record's number says nothing
about when the generator made it (network members are made last). Shipments and seizures are
numbered in time order; permits as ``YYCC`` + serial (e.g. ``23BO000042``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from onca.synth._places import COUNTRY_CODES, CURRENCIES
from onca.synth._population import ACCOUNT_KINDS, World
from onca.synth._rng import stream
from onca.synth._store import MISSING, Columns
from onca.synth._text import EPOCH, pick, prefixed_ids
from onca.synth._trade import Trade
from onca.synth._writer import Raw, RawValue

PARTY_PREFIX = {"bank": "BNK", "customs": "CUS", "police": "POL"}


@dataclass
class Identifiers:
    """IDs by row for each table, and the order in which rows are written (by ID)."""

    party: pa.Array
    party_order: np.ndarray
    account: pa.Array
    account_order: np.ndarray
    shipment: pa.Array
    shipment_order: np.ndarray
    permit: pa.Array
    permit_order: np.ndarray
    seizure: pa.Array
    seizure_order: np.ndarray


def _numbered_in_order(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rank of each row when sorted by ``keys`` (stable), and the sorted order."""
    order = np.argsort(keys, kind="stable")
    rank = np.empty(len(keys), dtype=np.int64)
    rank[order] = np.arange(len(keys))
    return rank, order


def assign_ids(seed: int, world: World, trade: Trade, seizures: Columns) -> Identifiers:
    rng = stream(seed, "order")
    source = np.asarray(world.parties["source"].to_numpy(zero_copy_only=False))
    number = np.zeros(len(source), dtype=np.int64)
    party_text = pa.array([""] * len(source), pa.large_string())
    for src, prefix in PARTY_PREFIX.items():
        rows = np.flatnonzero(source == src)
        number[rows] = rng.permutation(len(rows)) + 1
        ids = prefixed_ids(prefix, number[rows], 7)
        party_text = pc.replace_with_mask(party_text, pa.array(source == src), ids)
    rank = np.array([list(PARTY_PREFIX).index(s) for s in source], dtype=np.int64)
    party_order = np.lexsort((number, rank))
    n_acc = len(world.accounts)
    acc_number = rng.permutation(n_acc) + 1
    account = prefixed_ids("ACC", acc_number, 8)
    ship_rank, ship_order = _numbered_in_order(trade.shipments["ts"])
    seiz_rank, seiz_order = _numbered_in_order(seizures["ts"])
    permits = trade.permits
    issued = permits["issued_day"]
    permit_rank, permit_order = _numbered_in_order(issued)
    countries = permits["issuing_country"].to_pylist()
    permit_ids = [
        f"{(EPOCH + dt.timedelta(days=int(d))).year % 100:02d}{c}{r + 1:06d}"
        for d, c, r in zip(issued, countries, permit_rank, strict=True)
    ]
    return Identifiers(
        party=party_text,
        party_order=party_order,
        account=account,
        account_order=np.argsort(acc_number),
        shipment=prefixed_ids("SHP", ship_rank + 1, 7),
        shipment_order=ship_order,
        permit=pa.array(permit_ids, pa.large_string()),
        permit_order=permit_order,
        seizure=prefixed_ids("SZ", seiz_rank + 1, 6),
        seizure_order=seiz_order,
    )


def _take(value: RawValue, order: np.ndarray) -> RawValue:
    if isinstance(value, pa.Array):
        return pc.take(value, pa.array(order))
    if isinstance(value, Raw):
        valid = None if value.valid is None else np.asarray(value.valid)[order]
        return Raw(np.asarray(value.values)[order], valid)
    return np.asarray(value)[order]


def _ordered(columns: dict[str, RawValue], order: np.ndarray) -> dict[str, RawValue]:
    return {name: _take(value, order) for name, value in columns.items()}


def _refs(ids: pa.Array, rows: np.ndarray) -> pa.Array:
    """IDs of referenced rows (-1: empty)."""
    return pick(ids, np.asarray(rows, dtype=np.int64))


def parties_table(world: World, ids: Identifiers) -> dict[str, RawValue]:
    p = world.parties
    birth = p["birth_day"]
    return _ordered(
        {
            "party_id": ids.party,
            "kind": p["kind"],
            "name": p["name"],
            "birth_date": Raw(birth, birth != MISSING),
            "nationality": p["nationality"],
            "country": p["country"],
            "address": p["address"],
            "phone": p["phone"],
            "id_number": p["id_number"],
            "industry": p["industry"],
            "occupation": p["occupation"],
            "is_pep": p["is_pep"],
        },
        ids.party_order,
    )


def accounts_table(world: World, ids: Identifiers) -> dict[str, RawValue]:
    a = world.accounts
    return _ordered(
        {
            "account_id": ids.account,
            "holder_id": _refs(ids.party, a["holder"]),
            "institution": a["institution"],
            "country": pick(COUNTRY_CODES, a["country"]),
            "currency": pick(CURRENCIES, a["currency"]),
            "opened_at": a["opened_day"],
            "kind": pick(ACCOUNT_KINDS, a["kind"]),
        },
        ids.account_order,
    )


def shipments_table(trade: Trade, ids: Identifiers) -> dict[str, RawValue]:
    s = trade.shipments
    return _ordered(
        {
            "shipment_id": ids.shipment,
            "ts": s["ts"],
            "consignor_id": _refs(ids.party, s["consignor"]),
            "consignee_id": _refs(ids.party, s["consignee"]),
            "origin_country": s["origin"],
            "transit_countries": s["transit"],
            "destination_country": s["destination"],
            "hs_code": s["hs_code"],
            "goods_description": s["description"],
            "declared_value": s["value_cents"],
            "currency": s["currency"],
            "weight_kg": s["weight_grams"],
            "transport_mode": s["mode"],
            "permit_id": _refs(ids.permit, s["permit"]),
        },
        ids.shipment_order,
    )


def permits_table(trade: Trade, ids: Identifiers) -> dict[str, RawValue]:
    p = trade.permits
    return _ordered(
        {
            "permit_id": ids.permit,
            "permit_type": p["permit_type"],
            "issuing_country": p["issuing_country"],
            "taxon": p["taxon"],
            "quantity": p["quantity_milli"],
            "unit": p["unit"],
            "source_code": p["source_code"],
            "purpose_code": p["purpose_code"],
            "issued_at": p["issued_day"],
            "valid_until": p["valid_day"],
            "holder_id": _refs(ids.party, p["holder"]),
        },
        ids.permit_order,
    )


def seizures_table(seizures: Columns, ids: Identifiers) -> dict[str, RawValue]:
    s = seizures
    party = ids.party.to_pylist()
    offenders = [
        None if text is None else ";".join(party[int(r)] for r in text.split(";"))
        for text in s["offenders"].to_pylist()
    ]
    return _ordered(
        {
            "seizure_id": ids.seizure,
            "ts": s["ts"],
            "country": s["country"],
            "place": s["place"],
            "lat": s["lat"],
            "lon": s["lon"],
            "agency": s["agency"],
            "taxon": s["taxon"],
            "commodity": s["commodity"],
            "quantity": s["quantity_milli"],
            "unit": s["unit"],
            "value_usd": s["value_cents"],
            "transport_mode": s["mode"],
            "origin_country": s["origin"],
            "transit_countries": s["transit"],
            "destination_country": s["destination"],
            "offender_ids": pa.array(offenders, pa.large_string()),
            "shipment_id": _refs(ids.shipment, s["shipment"]),
        },
        ids.seizure_order,
    )
