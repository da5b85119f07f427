"""Trafficking networks: who is in them (with their bank records and accounts) and when they ship.

A network has poachers and collectors in a source country, middlemen, front companies, a
freight forwarder, buyers abroad, a financier with an offshore company, couriers, money mules
and sometimes corrupt officials. Some members bank at two banks under two slightly different
records. Its consignments are spread over an active period of 9 to 20 months.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from onca.synth._calendar import PERIOD_END, PERIOD_START
from onca.synth._places import BY_CODE, HUBS
from onca.synth._population import (
    BUSINESS,
    CHECKING,
    CRYPTO,
    ORGANIZATION,
    REMITTANCE,
    SAVINGS,
    WALLET,
    World,
)
from onca.synth._records import add_company, add_person, noisy_copy
from onca.synth._wildlife import NETWORK_ORDER, PRODUCT_LINES, Goods, ProductLine

_OCCUPATION = {
    "poacher": ("agricultor", "cazador", "pescador", "recolector de castaña"),
    "collector": ("comerciante", "acopiador", "transportista"),
    "middleman": ("comerciante", "importador", "empresario"),
    "financier": ("empresario", "inversionista"),
    "buyer": ("businessman", "trader"),
    "courier": ("estudiante", "chofer", "independiente"),
    "money_mule": ("student", "clerk", "self-employed"),
    "official": ("funcionario de aduanas", "inspector forestal", "policía"),
}
_SECOND_RECORD = {
    "middleman": 0.7,
    "financier": 0.7,
    "buyer": 0.5,
    "courier": 0.5,
    "collector": 0.4,
    "front_company": 0.5,
    "poacher": 0.15,
    "official": 0.3,
    "money_mule": 0.3,
    "forwarder": 0.3,
}
_ACCOUNTS = {
    "poacher": (("wallet", WALLET, "local"),),
    "collector": (("main", CHECKING, "local"), ("wallet", WALLET, "local")),
    "middleman": (
        ("main", CHECKING, "local"),
        ("usd", SAVINGS, "USD"),
        ("wallet", WALLET, "local"),
        ("remit", REMITTANCE, "local"),
    ),
    "front_company": (("main", BUSINESS, "local"), ("usd", BUSINESS, "USD")),
    "forwarder": (("main", BUSINESS, "local"), ("usd", BUSINESS, "USD")),
    "buyer": (
        ("main", CHECKING, "local"),
        ("crypto", CRYPTO, "USD"),
        ("remit", REMITTANCE, "local"),
    ),
    "buyer_company": (("main", BUSINESS, "local"), ("usd", BUSINESS, "USD")),
    "financier": (("main", CHECKING, "local"), ("usd", SAVINGS, "USD"), ("crypto", CRYPTO, "USD")),
    "courier": (("main", CHECKING, "local"), ("remit", REMITTANCE, "local")),
    "money_mule": (("main", CHECKING, "local"), ("remit", REMITTANCE, "local")),
    "official": (("main", CHECKING, "local"), ("wallet", WALLET, "local")),
}


@dataclass
class Member:
    """One real person or company in a network: its true key, role, records and accounts.

    ``accounts`` maps a purpose ('main', 'usd', 'wallet', 'crypto', 'remit', 'alt') to an
    account row; 'alt' is the account held under the member's second bank record.
    """

    key: int
    role: str
    country: str
    rows: list[int]
    accounts: dict[str, int] = field(default_factory=dict)


@dataclass
class Consignment:
    """One load of wildlife goods: when it leaves, what it is and how it travels."""

    ts: int
    goods: Goods
    quantity: int
    route: tuple[str, ...]
    mode: str
    misdeclared: bool


@dataclass
class Network:
    id: str
    line: ProductLine
    origin: str
    destination: str
    members: list[Member]
    consignments: list[Consignment]
    start: int
    end: int

    def having(self, role: str) -> list[Member]:
        return [m for m in self.members if m.role == role]


def _culture(country: str, rng: np.random.Generator) -> str:
    cultures, weights = zip(*BY_CODE[country].cultures, strict=True)
    main = [c for c in cultures if c != "zh"] or list(cultures)
    w = np.array([weights[cultures.index(c)] for c in main])
    return str(rng.choice(main, p=w / w.sum()))


def _open_accounts(
    world: World,
    rng: np.random.Generator,
    member: Member,
    row: int,
    plan: tuple[tuple[str, int, str], ...],
    opened: int,
) -> None:
    country = world.parties.value("country", row)
    home = BY_CODE[country]
    bank = home.banks[int(rng.integers(0, len(home.banks)))]
    for purpose, kind, currency in plan:
        code = home.currency if currency == "local" else currency
        institution = {WALLET: home.wallet, REMITTANCE: "Envíos Cóndor", CRYPTO: "CriptoAndes"}.get(
            kind, bank
        )
        member.accounts[purpose] = world.add_account(
            row, country, code, kind, institution, opened, activity=float(rng.uniform(0.5, 3.0))
        )


def _member(
    world: World,
    rng: np.random.Generator,
    role: str,
    country: str,
    *,
    culture: str | None = None,
    nationality: str | None = None,
    industry: str | None = None,
) -> Member:
    opened = int(PERIOD_START // 86_400 - rng.integers(60, 3_000))
    if industry is not None:
        row = add_company(world, rng, country=country, industry=industry)
        plan = _ACCOUNTS["buyer_company" if role == "buyer" else role]
    else:
        job = _OCCUPATION.get(role, ("comerciante",))
        row = add_person(
            world,
            rng,
            country=country,
            culture=culture or _culture(country, rng),
            nationality=nationality or country,
            occupation=str(job[int(rng.integers(0, len(job)))]),
        )
        plan = _ACCOUNTS[role]
    member = Member(int(world.parties.value("person_key", row)), role, country, [row])
    _open_accounts(world, rng, member, row, plan, opened)
    if rng.random() < _SECOND_RECORD.get(role, 0.2):
        second = noisy_copy(world, rng, row, source="bank")
        member.rows.append(second)
        abroad = role in ("financier", "middleman") and rng.random() < 0.5
        bank_country = "PA" if abroad else country
        home = BY_CODE[bank_country]
        member.accounts["alt"] = world.add_account(
            second,
            bank_country,
            "USD" if abroad else home.currency,
            BUSINESS if industry else SAVINGS,
            home.banks[-1],
            opened + 200,
        )
    return member


def _employ_official(world: World, rng: np.random.Generator, member: Member) -> None:
    acc = world.accounts
    country_idx = acc.value("country", member.accounts["main"])
    orgs = np.flatnonzero((acc["holder_kind"] == ORGANIZATION) & (acc["country"] == country_idx))
    if len(orgs):
        salary = acc["salary_usd"].copy()
        employer = acc["employer"].copy()
        employer[member.accounts["main"]] = orgs[0]
        salary[member.accounts["main"]] = float(rng.uniform(500, 1_200))
        acc.replace(salary_usd=salary, employer=employer)


def consignments_per_network(transactions: int) -> int:
    """How many consignments a network ships: 2 for a tiny world, up to 16 for a huge one."""
    return int(np.clip(round(2 + 2 * np.log10(transactions / 1_000)), 2, 16))


def network_count(transactions: int) -> int:
    """Networks embedded: 3 for 1,000 transactions, growing by 2 per tenfold, at most 12."""
    return int(np.clip(3 + np.floor(2 * np.log10(transactions / 1_000)), 3, 12))


def build_network(world: World, rng: np.random.Generator, number: int, k: int) -> Network:
    """Network ``number`` (1-based) with ``k`` consignments, its members added to ``world``."""
    line = PRODUCT_LINES[NETWORK_ORDER[(number - 1) % len(NETWORK_ORDER)]]
    origin = str(rng.choice(line.origins))
    destination = str(rng.choice(line.destinations))
    dest_culture = {"CN": "zh", "HK": "zh", "VN": "vi"}.get(destination)
    members: list[Member] = []

    def add(role: str, n: int, country: str, **kw: str) -> None:
        members.extend(_member(world, rng, role, country, **kw) for _ in range(n))

    add("poacher", 9 + int(rng.integers(0, 3 + k)), origin)
    add("collector", int(rng.integers(1, 4)), origin)
    if line.key == "jaguar" and rng.random() < 0.7:
        add("middleman", 1, origin, culture="zh", nationality="CN")
    add("middleman", int(rng.integers(1, 3)), origin)
    for _ in range(int(rng.integers(1, 3))):
        add("front_company", 1, origin, industry=str(rng.choice(line.front_industries)))
    forwarder_country = origin if rng.random() < 0.6 else str(rng.choice(["PA", "AE"]))
    add("forwarder", 1, forwarder_country, industry="freight forwarder")
    add(
        "buyer",
        int(rng.integers(1, 3)),
        destination,
        culture=dest_culture or _culture(destination, rng),
    )
    buyer_industry = {
        "jaguar": "traditional medicine",
        "parrots": "pet shop",
        "turtles": "pet shop",
    }.get(line.key, "general trading")
    add("buyer", 1, destination, industry=buyer_industry)
    add("financier", 1, origin)
    add("front_company", 1, str(rng.choice(["PA", "HK"])), industry="general trading")
    add("courier", int(rng.integers(1, 4)), origin)
    mule_countries = [destination, "US", "ES"]
    for _ in range(6 + int(rng.integers(0, 5))):
        country = str(rng.choice(mule_countries))
        add("money_mule", 1, country)
    add("official", int(rng.integers(0, 3)), origin)
    for member in members:
        if member.role == "official":
            _employ_official(world, rng, member)
    margin = 45 * 86_400  # room before the first and after the last consignment's payments
    span = PERIOD_END - PERIOD_START - 2 * margin
    start = PERIOD_START + margin + int(rng.uniform(0.0, 0.4) * span)
    end = min(PERIOD_END - margin, start + int(rng.uniform(270, 600) * 86_400))
    hubs = [h for h in HUBS if h not in (origin, destination)]
    consignments = []
    for i in range(k):
        ts = start + int((i + rng.uniform(0.1, 0.9)) / k * (end - start))
        goods = line.goods[int(rng.integers(0, len(line.goods)))]
        route = line.routes[int(rng.integers(0, len(line.routes)))]
        route = tuple(c for c in route if c not in (origin, destination)) or (
            (str(rng.choice(hubs)),) if rng.random() < 0.5 else ()
        )
        consignments.append(
            Consignment(
                ts=ts,
                goods=goods,
                quantity=int(rng.integers(*goods.per_shipment)),
                route=route,
                mode=str(rng.choice(line.modes)),
                misdeclared=bool(rng.random() < line.misdeclared_share),
            )
        )
    return Network(f"N{number:02d}", line, origin, destination, members, consignments, start, end)
