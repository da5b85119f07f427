"""Customs declarations (shipments) and CITES permits, ordinary and trafficked.

Ordinary shipments move coffee, nuts, shrimp, timber, gold, electronics... between trading
companies; about 3% are legal CITES trade (caiman skins, vicuña fibre, captive-bred parrots)
with a valid permit each. A network's consignments are declared by its front company (or its
forwarder) to the buyer's company, often mis-declared as handicrafts or other seafood,
under-valued, routed through hubs, and covered by a permit for another species or by one
permit reused across several consignments.

Customs knows companies under its own records (``source = customs``): upper-case names without
accents, legal forms abbreviated, the same true entity as the bank's record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from onca.synth._calendar import PERIOD_END, PERIOD_START
from onca.synth._goods import ORDINARY_GOODS
from onca.synth._networks import Consignment, Network
from onca.synth._places import BY_CODE, COUNTRY_CODES, HUBS
from onca.synth._population import BUSINESS, COMPANY, ROLES, World
from onca.synth._records import noisy_copy
from onca.synth._store import Columns
from onca.synth._wildlife import LEGAL_TRADE

SHIPMENT_SPEC = {
    "ts": "int64",
    "consignor": "int64",
    "consignee": "int64",
    "origin": "text",
    "transit": "text",
    "destination": "text",
    "hs_code": "text",
    "description": "text",
    "value_cents": "int64",
    "currency": "text",
    "weight_grams": "int64",
    "mode": "text",
    "permit": "int64",
}
"""Shipments: party rows, ';'-joined transit countries, value in cents, weight in grams."""

PERMIT_SPEC = {
    "permit_type": "text",
    "issuing_country": "text",
    "taxon": "text",
    "quantity_milli": "int64",
    "unit": "text",
    "source_code": "text",
    "purpose_code": "text",
    "issued_day": "int64",
    "valid_day": "int64",
    "holder": "int64",
}
"""Permits: quantity in thousandths of ``unit``, dates as days since the epoch."""

_SOUTH_AMERICA = frozenset({"BO", "PE", "BR", "AR", "PY", "CO", "EC", "GY", "SR"})


@dataclass
class Trade:
    """Shipments and permits, with the truth about the trafficked ones."""

    shipments: Columns = field(default_factory=lambda: Columns(SHIPMENT_SPEC))
    permits: Columns = field(default_factory=lambda: Columns(PERMIT_SPEC))
    customs_record: dict[int, int] = field(default_factory=dict)
    truth: list[tuple[int, str, str, str, bool]] = field(default_factory=list)
    """(shipment row, network, actual goods, actual taxon, misdeclared)."""
    permit_uses: dict[int, list[int]] = field(default_factory=dict)
    consignment_rows: dict[tuple[str, int], int] = field(default_factory=dict)
    """(network, consignment number) -> shipment row."""

    def record_for(self, world: World, rng: np.random.Generator, company_row: int) -> int:
        """Customs' own record of a company known to the banks (made on first use)."""
        if company_row not in self.customs_record:
            self.customs_record[company_row] = noisy_copy(
                world, rng, company_row, source="customs", noise=0.3
            )
        return self.customs_record[company_row]


def _description(origin: str, texts: tuple[str, str, str]) -> str:
    language = BY_CODE[origin].language if origin in BY_CODE else "en"
    return {"es": texts[0], "pt": texts[1]}.get(language, texts[2])


def _route(rng: np.random.Generator, origin: str, destination: str) -> str | None:
    roll = rng.random()
    if roll > 0.35:
        return None
    hubs = [h for h in HUBS if h not in (origin, destination)]
    n = 2 if roll < 0.05 else 1
    return ";".join(str(h) for h in rng.choice(hubs, n, replace=False))


def _traders_by_country(
    world: World, rng: np.random.Generator, per_country: int
) -> dict[str, list[int]]:
    acc = world.accounts
    trader = (acc["kind"] == BUSINESS) & (acc["holder_kind"] == COMPANY)
    trader &= acc["role"] == ROLES.index("trader")
    out: dict[str, list[int]] = {}
    for c, code in enumerate(COUNTRY_CODES):
        holders = np.unique(acc["holder"][trader & (acc["country"] == c)])
        if len(holders):
            chosen = rng.choice(holders, min(per_country, len(holders)), replace=False)
            out[code] = sorted(int(h) for h in chosen)
    return out


def _ship_time(rng: np.random.Generator) -> int:
    day = int(rng.integers(PERIOD_START // 86_400, PERIOD_END // 86_400))
    return day * 86_400 + int(rng.integers(12, 23)) * 3_600 + int(rng.integers(0, 3_600))


def add_permit(
    trade: Trade,
    *,
    taxon: str,
    country: str,
    quantity: float,
    unit: str,
    source: str,
    issued_day: int,
    holder: int,
) -> int:
    """An export permit valid for six months; returns its row."""
    if unit == "number":
        quantity = round(quantity)
    return trade.permits.append(
        permit_type="export",
        issuing_country=country,
        taxon=taxon,
        quantity_milli=round(quantity * 1000),
        unit=unit,
        source_code=source,
        purpose_code="T",
        issued_day=issued_day,
        valid_day=issued_day + 180,
        holder=holder,
    )


def add_ordinary_shipments(world: World, trade: Trade, rng: np.random.Generator, n: int) -> None:
    """``n`` ordinary declarations between trading companies, some of them legal CITES trade."""
    traders = _traders_by_country(world, rng, per_country=max(8, n // 60))
    exporters = {i: [c for c in g[6] if c in traders] for i, g in enumerate(ORDINARY_GOODS)}
    goods_ok = [i for i, c in exporters.items() if c]
    countries = sorted(traders)
    for _ in range(n):
        ts = _ship_time(rng)
        legal = rng.random() < 0.03
        if legal:
            taxon, what, hs, unit, source, origins, usd_unit, kg_unit = LEGAL_TRADE[
                int(rng.integers(0, len(LEGAL_TRADE)))
            ]
            origin = str(rng.choice([o for o in origins if o in traders] or countries))
            quantity = int(rng.integers(10, 400))
            kg = quantity * kg_unit if unit == "number" else float(quantity)
            value = quantity * usd_unit
            description = what
        else:
            g = ORDINARY_GOODS[int(rng.choice(goods_ok))]
            hs, usd_kg, median_kg = g[0], g[4], g[5]
            origin = str(rng.choice(exporters[ORDINARY_GOODS.index(g)]))
            kg = float(median_kg * rng.lognormal(0.0, 0.5))
            value = kg * usd_kg * rng.lognormal(0.0, 0.25)
            description = _description(origin, (g[1], g[2], g[3]))
        destination = str(rng.choice([c for c in countries if c != origin]))
        consignor = trade.record_for(world, rng, int(rng.choice(traders[origin])))
        consignee = trade.record_for(world, rng, int(rng.choice(traders[destination])))
        both_south = origin in _SOUTH_AMERICA and destination in _SOUTH_AMERICA
        mode = (
            "road"
            if both_south and rng.random() < 0.5
            else ("air" if kg < 2_500 or rng.random() < 0.15 else "sea")
        )
        permit = -1
        if legal:
            permit = add_permit(
                trade,
                taxon=taxon,
                country=origin,
                quantity=quantity,
                unit=unit,
                source=source,
                issued_day=ts // 86_400 - int(rng.integers(5, 90)),
                holder=consignor,
            )
        row = trade.shipments.append(
            ts=ts,
            consignor=consignor,
            consignee=consignee,
            origin=origin,
            transit=_route(rng, origin, destination),
            destination=destination,
            hs_code=hs,
            description=description,
            value_cents=round(value * 100),
            currency="EUR" if destination in ("ES", "DE", "NL") and rng.random() < 0.5 else "USD",
            weight_grams=round(kg * 1000),
            mode=mode,
            permit=permit,
        )
        if permit >= 0:
            trade.permit_uses.setdefault(permit, []).append(row)


def add_network_shipments(
    world: World, trade: Trade, rng: np.random.Generator, net: Network
) -> None:
    """The declarations of a network's consignments, with their permits and the truth."""
    line = net.line
    front = [m for m in net.having("front_company") if m.country == net.origin]
    forwarder = net.having("forwarder")[0]
    buyer = next(m for m in net.having("buyer") if "usd" in m.accounts)
    permit = -1
    for i, c in enumerate(net.consignments):
        shipper = forwarder if rng.random() < 0.3 else front[int(rng.integers(0, len(front)))]
        consignor = trade.record_for(world, rng, shipper.rows[0])
        consignee = trade.record_for(world, rng, buyer.rows[0])
        goods_kg = c.quantity * c.goods.kg_per_unit
        cover = line.covers[int(rng.integers(0, len(line.covers)))]
        if c.misdeclared:
            kg = goods_kg * rng.uniform(1.5, 4.0) + 1.0
            hs, description, value = cover.hs_code, cover.description, kg * cover.usd_per_kg
        else:
            kg = goods_kg * rng.uniform(1.05, 1.3) + 0.5
            hs, description = c.goods.hs_code, c.goods.description
            value = c.quantity * c.goods.usd_per_unit * rng.uniform(0.03, 0.15)
        needs_permit = not c.misdeclared or hs.startswith("0106")
        if needs_permit and (permit < 0 or rng.random() < 0.4):
            permit = add_permit(
                trade,
                taxon=line.permit_taxon,
                country=net.origin,
                quantity=c.quantity * rng.uniform(1.0, 2.0),
                unit=c.goods.unit,
                source=line.permit_source,
                issued_day=c.ts // 86_400 - int(rng.integers(10, 60)),
                holder=consignor,
            )
        row = trade.shipments.append(
            ts=c.ts,
            consignor=consignor,
            consignee=consignee,
            origin=net.origin,
            transit=";".join(c.route) or None,
            destination=net.destination,
            hs_code=hs,
            description=description,
            value_cents=round(value * 100),
            currency="USD",
            weight_grams=round(kg * 1000),
            mode=c.mode,
            permit=permit if needs_permit else -1,
        )
        if needs_permit:
            trade.permit_uses.setdefault(permit, []).append(row)
        trade.consignment_rows[(net.id, i)] = row
        trade.truth.append((row, net.id, c.goods.description, line.taxon, c.misdeclared))


def permit_issues(world: World, trade: Trade) -> list[str]:
    """Truth per permit row: 'reused' (on 2+ shipments), 'wrong_species' or 'none'."""
    actual = {row: taxon for row, _, _, taxon, _ in trade.truth}
    issues = []
    for p in range(len(trade.permits)):
        uses = trade.permit_uses.get(p, [])
        taxon = trade.permits.value("taxon", p)
        if len(uses) >= 2:
            issues.append("reused")
        elif any(actual.get(u, taxon) != taxon for u in uses):
            issues.append("wrong_species")
        else:
            issues.append("none")
    return issues


def consignment_shipment(trade: Trade, net: Network, c: Consignment) -> int:
    return trade.consignment_rows[(net.id, net.consignments.index(c))]
