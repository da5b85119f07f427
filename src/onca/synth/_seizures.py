"""Seizures by customs, police and wildlife authorities at airports, ports and roads.

Some consignments of each network are seized (naming the courier or middleman, under a police
record of their own, and the shipment); poachers are caught on roads near the source; and
other traffickers' seizures (jaguar fangs, parrots, turtles, totoaba maw, shark fin, pangolin
scales) fill the register. A police record is a noisy copy of the person's bank record when
the person banks, else a new person.
"""

from __future__ import annotations

import numpy as np

from onca.synth._calendar import PERIOD_END, PERIOD_START
from onca.synth._networks import Network
from onca.synth._population import World
from onca.synth._records import add_person, noisy_copy
from onca.synth._store import Columns
from onca.synth._trade import Trade, consignment_shipment
from onca.synth._wildlife import BACKGROUND_SEIZURES

SEIZURE_SPEC = {
    "ts": "int64",
    "country": "text",
    "place": "text",
    "lat": "float64",
    "lon": "float64",
    "agency": "text",
    "taxon": "text",
    "commodity": "text",
    "quantity_milli": "int64",
    "unit": "text",
    "value_cents": "int64",
    "mode": "text",
    "origin": "text",
    "transit": "text",
    "destination": "text",
    "offenders": "text",
    "shipment": "int64",
}
"""Seizures; ``offenders`` holds ';'-joined party rows until IDs are given."""

# Data tables, one row per line so they read as tables (the formatter would break rows apart).
# fmt: off
PLACES: dict[str, tuple[tuple[str, float, float, str], ...]] = {
    "BO": (("Aeropuerto Internacional Viru Viru", -17.645, -63.135, "air"),
           ("Aeropuerto Internacional El Alto", -16.513, -68.192, "air"),
           ("Puesto de control Puerto Quijarro", -19.000, -57.717, "road"),
           ("Puesto de control Desaguadero", -16.566, -69.040, "road"),
           ("Mercado Los Pozos Santa Cruz", -17.787, -63.176, "road"),
           ("Puerto Rurrenabaque", -14.441, -67.528, "river")),
    "PE": (("Aeropuerto Internacional Jorge Chávez", -12.022, -77.114, "air"),
           ("Puerto del Callao", -12.050, -77.150, "sea"),
           ("Puesto de control Puerto Maldonado", -12.593, -69.189, "road"),
           ("Puerto de Iquitos", -3.743, -73.244, "river")),
    "BR": (("Aeroporto Internacional de Guarulhos", -23.435, -46.473, "air"),
           ("Porto de Santos", -23.982, -46.300, "sea"),
           ("Posto fiscal de Corumbá", -19.009, -57.653, "road"),
           ("Aeroporto Internacional de Manaus", -3.039, -60.050, "air")),
    "SR": (("Johan Adolf Pengel Airport", 5.453, -55.188, "air"),
           ("Haven van Paramaribo", 5.825, -55.150, "sea")),
    "GY": (("Cheddi Jagan International Airport", 6.499, -58.254, "air"),),
    "MX": (("Aeropuerto Internacional de la Ciudad de México", 19.436, -99.072, "air"),
           ("Garita de Mexicali", 32.664, -115.499, "road"), ("Puerto de Manzanillo", 19.057, -104.314, "sea"),
           ("Retén San Felipe", 31.025, -114.842, "road")),
    "CO": (("Aeropuerto Internacional El Dorado", 4.702, -74.147, "air"),
           ("Puerto de Leticia", -4.214, -69.941, "river")),
    "EC": (("Aeropuerto Internacional José Joaquín de Olmedo", -2.157, -79.884, "air"),
           ("Puerto de Manta", -0.934, -80.721, "sea")),
    "PY": (("Aeropuerto Internacional Silvio Pettirossi", -25.240, -57.519, "air"),
           ("Puente de la Amistad", -25.509, -54.602, "road")),
    "AR": (("Aeropuerto Internacional de Ezeiza", -34.822, -58.536, "air"),),
    "GT": (("Aeropuerto Internacional La Aurora", 14.583, -90.527, "air"),
           ("Puesto de control Flores", 16.928, -89.893, "road")),
    "PA": (("Aeropuerto Internacional de Tocumen", 9.071, -79.383, "air"),
           ("Puerto de Balboa", 8.950, -79.567, "sea")),
    "US": (("Miami International Airport", 25.795, -80.287, "air"),
           ("Los Angeles International Airport", 33.942, -118.408, "air"),
           ("San Ysidro Port of Entry", 32.543, -117.029, "road")),
    "CN": (("Guangzhou Baiyun International Airport", 23.392, 113.299, "air"),
           ("Kunming Changshui International Airport", 25.101, 102.929, "air"),
           ("Port of Shenzhen Yantian", 22.578, 114.270, "sea")),
    "HK": (("Hong Kong International Airport", 22.308, 113.918, "air"),
           ("Kwai Tsing Container Terminals", 22.345, 114.120, "sea")),
    "VN": (("Tan Son Nhat International Airport", 10.819, 106.652, "air"),
           ("Cat Lai Port", 10.758, 106.790, "sea")),
    "AE": (("Dubai International Airport", 25.253, 55.366, "air"),
           ("Jebel Ali Port", 25.011, 55.061, "sea")),
    "NL": (("Amsterdam Airport Schiphol", 52.310, 4.768, "air"),
           ("Port of Rotterdam", 51.950, 4.140, "sea")),
    "ES": (("Aeropuerto Adolfo Suárez Madrid-Barajas", 40.498, -3.568, "air"),),
    "DE": (("Frankfurt Airport", 50.038, 8.562, "air"),),
}
AGENCIES: dict[str, str] = {
    "BO": "Dirección General de Biodiversidad y Áreas Protegidas", "PE": "SERFOR",
    "BR": "IBAMA", "SR": "Surinaamse douane", "GY": "Guyana Wildlife Conservation and Management Commission",
    "MX": "PROFEPA", "CO": "Policía Nacional de Colombia", "EC": "Ministerio del Ambiente", "PY": "MADES",
    "AR": "Policía Federal Argentina", "GT": "CONAP", "PA": "Ministerio de Ambiente de Panamá",
    "US": "U.S. Fish and Wildlife Service", "CN": "China Customs", "HK": "Customs and Excise Department",
    "VN": "Vietnam Customs", "AE": "Dubai Customs", "NL": "Douane Nederland", "ES": "Guardia Civil SEPRONA",
    "DE": "Zoll",
}
# fmt: on


def _police_record(world: World, rng: np.random.Generator, bank_row: int) -> int:
    return noisy_copy(world, rng, bank_row, source="police", noise=0.7)


def _place(
    rng: np.random.Generator, country: str, mode: str | None
) -> tuple[str, float, float, str]:
    places = PLACES[country]
    fitting = [p for p in places if p[3] == mode] or list(places)
    return fitting[int(rng.integers(0, len(fitting)))]


def _add(
    store: Columns,
    rng: np.random.Generator,
    *,
    ts: int,
    country: str,
    mode: str | None,
    taxon: str,
    commodity: str,
    quantity: float,
    unit: str,
    usd: float,
    origin: str,
    transit: str | None,
    destination: str,
    offenders: list[int],
    shipment: int = -1,
) -> None:
    name, lat, lon, place_mode = _place(rng, country, mode)
    store.append(
        ts=int(min(max(ts, PERIOD_START), PERIOD_END - 1)),
        country=country,
        place=name,
        lat=round(lat + rng.normal(0, 0.002), 5),
        lon=round(lon + rng.normal(0, 0.002), 5),
        agency=AGENCIES[country],
        taxon=taxon,
        commodity=commodity,
        quantity_milli=round(quantity * 1000),
        unit=unit,
        value_cents=round(usd * 100),
        mode=mode or place_mode,
        origin=origin,
        transit=transit,
        destination=destination,
        offenders=";".join(str(o) for o in offenders) or None,
        shipment=shipment,
    )


def add_network_seizures(
    world: World, trade: Trade, store: Columns, rng: np.random.Generator, net: Network
) -> None:
    """Seize up to half of a network's consignments (at least one), and catch a poacher."""
    k = len(net.consignments)
    seized = rng.choice(k, max(1, min(k // 2, int(rng.integers(1, 4)))), replace=False)
    for i in sorted(int(s) for s in seized):
        c = net.consignments[i]
        stops = [net.origin, *c.route, net.destination]
        where = int(rng.integers(0, len(stops)))
        country = stops[where] if stops[where] in PLACES else net.origin
        people = net.having("courier") if c.mode == "air" else net.having("middleman")
        person = people[int(rng.integers(0, len(people)))]
        offenders = [_police_record(world, rng, person.rows[0])]
        shipment = consignment_shipment(trade, net, c)
        if rng.random() < 0.5:
            offenders.append(int(trade.shipments.value("consignor", shipment)))
        quantity = c.quantity if rng.random() < 0.8 else max(1, c.quantity // 2)
        _add(
            store,
            rng,
            ts=c.ts + int(rng.uniform(0.2, 6) * 86_400 * (where + 1) / len(stops)),
            country=country,
            mode=c.mode if c.mode != "post" else "air",
            taxon=net.line.taxon,
            commodity=c.goods.description,
            quantity=quantity,
            unit=c.goods.unit,
            usd=quantity * c.goods.usd_per_unit,
            origin=net.origin,
            transit=";".join(c.route) or None,
            destination=net.destination,
            offenders=offenders,
            shipment=shipment,
        )
    poachers = net.having("poacher") + net.having("collector")
    caught = [
        poachers[int(i)] for i in rng.choice(len(poachers), int(rng.integers(1, 3)), replace=False)
    ]
    goods = net.line.goods[0]
    _add(
        store,
        rng,
        ts=int(rng.uniform(net.start, net.end)),
        country=net.origin,
        mode="road",
        taxon=net.line.taxon,
        commodity=goods.description,
        quantity=max(1, goods.per_shipment[0] // 2),
        unit=goods.unit,
        usd=goods.per_shipment[0] // 2 * goods.usd_per_unit * 0.3,
        origin=net.origin,
        transit=None,
        destination=net.origin,
        offenders=[_police_record(world, rng, m.rows[0]) for m in caught],
    )


def add_background_seizures(
    world: World, store: Columns, rng: np.random.Generator, n: int, persons: np.ndarray
) -> None:
    """``n`` seizures of other traffickers; about a third name someone who also banks."""
    for _ in range(n):
        taxon, commodity, unit, usd, lo, hi, origins, destinations = BACKGROUND_SEIZURES[
            int(rng.integers(0, len(BACKGROUND_SEIZURES)))
        ]
        origin = str(rng.choice(origins))
        destination = str(rng.choice(destinations))
        candidates = [c for c in (origin, destination) if c in PLACES]
        country = str(rng.choice(candidates))
        offenders = []
        for _ in range(int(rng.choice([0, 1, 1, 1, 2, 3]))):
            if rng.random() < 0.35:
                offenders.append(_police_record(world, rng, int(rng.choice(persons))))
            else:
                home = (
                    country
                    if country in PLACES and country not in ("CN", "HK", "VN")
                    else ("BO" if origin not in PLACES else origin)
                )
                culture = {"BR": "pt", "SR": "nl_sr", "GY": "en", "US": "en"}.get(home, "es")
                offenders.append(
                    add_person(
                        world,
                        rng,
                        country=home,
                        culture=culture,
                        nationality=home,
                        occupation=None,
                        source="police",
                    )
                )
        quantity = float(np.exp(rng.uniform(np.log(lo), np.log(hi))))
        quantity = round(quantity) if unit == "number" else round(quantity, 1)
        mode = None if rng.random() < 0.5 else str(rng.choice(["air", "road", "sea", "post"]))
        _add(
            store,
            rng,
            ts=int(rng.integers(PERIOD_START, PERIOD_END)),
            country=country,
            mode=mode,
            taxon=taxon,
            commodity=commodity,
            quantity=quantity,
            unit=unit,
            usd=quantity * usd,
            origin=origin,
            transit=None,
            destination=destination,
            offenders=offenders,
        )
