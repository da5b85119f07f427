"""The ordinary population: persons, companies and organisations, and their accounts.

``build_population(seed, n)`` makes about ``n`` bank-customer records spread over the countries
of ``onca.synth._places`` and gives each one or more accounts. Persons get an employer and a
monthly salary (USD); migrants get a remittance account tied to a relative's account at home.
Everything is drawn as arrays, country by country.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from onca.synth._identity import addresses, birth_days, phone_numbers
from onca.synth._industries import INDUSTRIES, ORGANIZATION_KINDS
from onca.synth._name_pools import OCCUPATIONS
from onca.synth._names import company_names, organization_names, person_names
from onca.synth._places import (
    BY_CODE,
    COUNTRIES,
    COUNTRY_CODES,
    EXCHANGES,
    MONTHLY_INCOME_USD,
    REMITTERS,
    Country,
    currency_index,
)
from onca.synth._pools import Pool
from onca.synth._rng import stream
from onca.synth._store import MISSING, Columns
from onca.synth._text import day_number, fill_pattern, pick

ACCOUNT_KINDS = (
    "checking",
    "savings",
    "business",
    "mobile_wallet",
    "remittance",
    "crypto_wallet",
    "credit",
)
CHECKING, SAVINGS, BUSINESS, WALLET, REMITTANCE, CRYPTO, CREDIT = range(7)
PERSON, COMPANY, ORGANIZATION = 0, 1, 2
ROLES = ("merchant", "utility", "trader", "other")

PARTY_SPEC = {
    "kind": "text",
    "name": "text",
    "birth_day": "int64",
    "nationality": "text",
    "country": "text",
    "address": "text",
    "phone": "text",
    "id_number": "text",
    "industry": "text",
    "occupation": "text",
    "is_pep": "bool",
    "person_key": "int64",
    "culture": "text",
    "source": "text",
}
"""Party records. ``person_key`` is the true entity; ``source`` is bank, customs or police."""

ACCOUNT_SPEC = {
    "holder": "int64",
    "institution": "text",
    "country": "int64",
    "currency": "int64",
    "opened_day": "int64",
    "kind": "int64",
    "activity": "float64",
    "salary_usd": "float64",
    "employer": "int64",
    "partner": "int64",
    "holder_kind": "int64",
    "role": "int64",
}
"""Accounts. ``country``/``currency``/``kind`` index COUNTRY_CODES, CURRENCIES, ACCOUNT_KINDS;
``salary_usd`` is the monthly salary paid into it (0 if none) by account ``employer``;
``partner`` is the account a remittance account sends to; ``role`` indexes ROLES (-1: person)."""

_HOLDER_KINDS = {"person": PERSON, "company": COMPANY, "organization": ORGANIZATION}
_DESTINATIONS = frozenset({"CN", "HK", "VN", "AE", "DE", "NL", "ES"})
_DOLLARISED = frozenset({"BO", "PE", "PY", "AR", "GT", "CO", "SR", "GY"})
_MIGRANT_ORIGINS = {
    "US": (
        ("MX", 0.4),
        ("GT", 0.15),
        ("CO", 0.1),
        ("EC", 0.1),
        ("PE", 0.1),
        ("BO", 0.1),
        ("PY", 0.05),
    ),
    "ES": (("BO", 0.3), ("PE", 0.2), ("EC", 0.2), ("CO", 0.2), ("PY", 0.1)),
    "AR": (("BO", 0.5), ("PY", 0.3), ("PE", 0.2)),
    "BR": (("BO", 0.6), ("PY", 0.4)),
    "PA": (("CO", 1.0),),
}


@dataclass
class World:
    """Everything built before transactions stream: party records and accounts."""

    seed: int
    parties: Columns = field(default_factory=lambda: Columns(PARTY_SPEC))
    accounts: Columns = field(default_factory=lambda: Columns(ACCOUNT_SPEC))
    _next_key: int = 0

    def new_keys(self, n: int) -> np.ndarray:
        """``n`` fresh true-entity keys."""
        keys = np.arange(self._next_key, self._next_key + n)
        self._next_key += n
        return keys

    def add_account(
        self,
        holder: int,
        country: str,
        currency: str,
        kind: int,
        institution: str,
        opened_day: int,
        activity: float = 1.0,
    ) -> int:
        """One account for party row ``holder``; returns its row."""
        return self.accounts.append(
            holder=holder,
            institution=institution,
            country=COUNTRY_CODES.index(country),
            currency=currency_index(currency),
            opened_day=opened_day,
            kind=kind,
            activity=activity,
            salary_usd=0.0,
            employer=-1,
            partner=-1,
            holder_kind=_HOLDER_KINDS[self.parties.value("kind", holder)],
            role=-1,
        )


def _nationalities(rng: np.random.Generator, country: Country, cultures: np.ndarray) -> np.ndarray:
    nat = np.full(len(cultures), country.code, dtype=object)
    foreign_by_culture = {
        "zh": ("CN", 0.7),
        "vi": ("VN", 0.6),
        "pt": ("BR", 0.7),
        "nl_sr": ("SR", 0.3 if country.code == "NL" else 0.0),
    }
    for culture, (code, p) in foreign_by_culture.items():
        if code == country.code or (country.code == "HK" and code == "CN"):
            continue
        mask = (cultures == culture) & (rng.random(len(cultures)) < p)
        nat[mask] = code
    origins = _MIGRANT_ORIGINS.get(country.code)
    if origins:
        local_culture = cultures == "es"
        mask = local_culture & (rng.random(len(cultures)) < 0.45)
        codes, weights = zip(*origins, strict=True)
        nat[mask] = rng.choice(codes, int(mask.sum()), p=np.array(weights) / sum(weights))
    return nat


def _persons(rng: np.random.Generator, country: Country, n: int) -> dict[str, pa.Array]:
    cultures_, weights = zip(*country.cultures, strict=True)
    cultures = rng.choice(np.array(cultures_, dtype=object), n, p=np.array(weights) / sum(weights))
    names = pa.array([""] * n, pa.large_string())
    for culture in cultures_:
        rows = cultures == culture
        if rows.any():
            built, _ = person_names(rng, culture, int(rows.sum()))
            names = pc.replace_with_mask(names, pa.array(rows), built)
    nationality = _nationalities(rng, country, cultures)
    id_number = pa.array([""] * n, pa.large_string())
    for code in sorted(set(nationality)):
        rows = nationality == code
        ids = fill_pattern(rng, BY_CODE[code].person_id, int(rows.sum()))
        id_number = pc.replace_with_mask(id_number, pa.array(rows), ids)
    lang = country.language if country.language in OCCUPATIONS else "en"
    occupation = pick(OCCUPATIONS[lang], rng.integers(0, len(OCCUPATIONS[lang]), n))
    return {
        "kind": pa.array(["person"] * n, pa.large_string()),
        "name": names,
        "birth_day": birth_days(rng, n),
        "nationality": pa.array(nationality.tolist(), pa.large_string()),
        "id_number": id_number,
        "industry": pa.nulls(n, pa.large_string()),
        "occupation": occupation,
        "is_pep": rng.random(n) < 0.004,
        "culture": pa.array(cultures.tolist(), pa.large_string()),
    }


def _companies(rng: np.random.Generator, country: Country, n: int) -> dict[str, pa.Array]:
    weights = np.array(
        [
            i.weight * (2.0 if country.code in _DESTINATIONS and i.role == "trader" else 1.0)
            for i in INDUSTRIES
        ]
    )
    industry = rng.choice(len(INDUSTRIES), n, p=weights / weights.sum())
    return {
        "kind": pa.array(["company"] * n, pa.large_string()),
        "name": company_names(rng, country, industry),
        "birth_day": np.full(n, MISSING),
        "nationality": pa.nulls(n, pa.large_string()),
        "id_number": fill_pattern(rng, country.company_id, n),
        "industry": pick([i.key for i in INDUSTRIES], industry),
        "occupation": pa.nulls(n, pa.large_string()),
        "is_pep": np.zeros(n, bool),
        "culture": pa.nulls(n, pa.large_string()),
    }


def _organizations(rng: np.random.Generator, country: Country, n: int) -> dict[str, pa.Array]:
    kind = rng.integers(0, len(ORGANIZATION_KINDS), n)
    kind[0] = 0  # every country has a wildlife authority, whose staff are officials
    names, sector = organization_names(rng, country, kind)
    return {
        "kind": pa.array(["organization"] * n, pa.large_string()),
        "name": names,
        "birth_day": np.full(n, MISSING),
        "nationality": pa.nulls(n, pa.large_string()),
        "id_number": fill_pattern(rng, country.company_id, n),
        "industry": sector,
        "occupation": pa.nulls(n, pa.large_string()),
        "is_pep": np.zeros(n, bool),
        "culture": pa.nulls(n, pa.large_string()),
    }


def _add_parties(world: World, rng: np.random.Generator, n_total: int) -> None:
    weights = np.array([c.weight for c in COUNTRIES])
    per_country = rng.multinomial(n_total, weights / weights.sum())
    for country, n in zip(COUNTRIES, per_country, strict=True):
        n = max(int(n), 12)
        company_share = 0.35 if country.code in _DESTINATIONS else 0.14
        n_org = max(1, round(n * 0.02))
        n_company = max(4, round(n * company_share))
        n_person = n - n_org - n_company
        for build, count in (
            (_persons, n_person),
            (_companies, n_company),
            (_organizations, n_org),
        ):
            cols = build(rng, country, count)
            world.parties.extend(
                **cols,
                country=pa.array([country.code] * count, pa.large_string()),
                address=addresses(rng, country, count),
                phone=phone_numbers(rng, country, count),
                person_key=world.new_keys(count),
                source=pa.array(["bank"] * count, pa.large_string()),
            )


def _opened_days(rng: np.random.Generator, n: int) -> np.ndarray:
    """Account opening dates, 2005 to 2022, more of them recent."""
    first, last = day_number(2005, 1, 1), day_number(2022, 12, 31)
    return (first + np.floor((last - first) * rng.power(2.0, n))).astype(np.int64)


def _institution(country: Country, kind: int, bank: int, holder: int) -> str:
    """Where an account is held: the wallet, remitter or exchange for those kinds, else a bank."""
    if kind == WALLET:
        return country.wallet
    if kind == REMITTANCE:
        return REMITTERS[holder % len(REMITTERS)]
    if kind == CRYPTO:
        return EXCHANGES[holder % len(EXCHANGES)]
    return country.banks[bank % len(country.banks)]


def _add_accounts(world: World, rng: np.random.Generator) -> None:
    parties = world.parties
    kind = np.asarray(parties["kind"].to_numpy(zero_copy_only=False))
    country_of = {c: i for i, c in enumerate(COUNTRY_CODES)}
    country = np.array([country_of[c] for c in parties["country"].to_pylist()])
    nationality = np.asarray(parties["nationality"].to_numpy(zero_copy_only=False))
    role_of = {i.key: ROLES.index(i.role) for i in INDUSTRIES}
    n = len(kind)
    person = kind == "person"
    holder_kind = np.where(person, PERSON, np.where(kind == "company", COMPANY, ORGANIZATION))
    role = np.array(
        [
            role_of.get(ind, -1) if k == "company" else -1
            for ind, k in zip(parties["industry"].to_pylist(), kind, strict=True)
        ]
    )
    migrant = person & (nationality != np.array(COUNTRY_CODES, dtype=object)[country])
    migrant &= np.isin(np.array(COUNTRY_CODES, dtype=object)[country], list(_MIGRANT_ORIGINS))
    first = np.where(
        person, rng.choice([CHECKING, SAVINGS, WALLET], n, p=[0.45, 0.35, 0.2]), BUSINESS
    )
    extra = np.where(
        person, rng.choice([SAVINGS, CREDIT, WALLET, CRYPTO], n, p=[0.4, 0.3, 0.25, 0.05]), BUSINESS
    )
    has_extra = rng.random(n) < np.where(role == ROLES.index("trader"), 0.6, 0.33)
    holders = np.concatenate([np.arange(n), np.flatnonzero(has_extra), np.flatnonzero(migrant)])
    kinds = np.concatenate([first, extra[has_extra], np.full(int(migrant.sum()), REMITTANCE)])
    order = np.argsort(holders, kind="stable")
    holders, kinds = holders[order], kinds[order]
    acc_country = country[holders]
    codes = [COUNTRIES[c] for c in acc_country]
    local = np.array([currency_index(c.currency) for c in codes])
    usd = currency_index("USD")
    dollar = (kinds == SAVINGS) | (kinds == BUSINESS)
    dollar &= np.isin(acc_country, [COUNTRY_CODES.index(c) for c in _DOLLARISED])
    dollar &= rng.random(len(kinds)) < 0.3
    dollar &= np.concatenate([[False], holders[1:] == holders[:-1]])  # never the first account
    currency = np.where(dollar | (kinds == CRYPTO), usd, local)
    home_bank = rng.integers(0, 3, n)
    institution = [
        _institution(c, k, int(home_bank[h]), int(h))
        for c, k, h in zip(codes, kinds, holders, strict=True)
    ]
    activity = np.minimum(rng.pareto(1.2, len(kinds)) + 1.0, 5_000.0)
    activity *= np.where(holder_kind[holders] == PERSON, 1.0, 4.0)
    world.accounts.extend(
        holder=holders,
        institution=pa.array(institution, pa.large_string()),
        country=acc_country,
        currency=currency,
        opened_day=_opened_days(rng, len(kinds)),
        kind=kinds,
        activity=activity,
        salary_usd=np.zeros(len(kinds)),
        employer=np.full(len(kinds), -1),
        partner=np.full(len(kinds), -1),
        holder_kind=holder_kind[holders],
        role=role[holders],
    )


def assign_employers(world: World, rng: np.random.Generator) -> None:
    """Give most persons' first bank account an employer in their country and a salary."""
    acc = world.accounts
    n_countries = len(COUNTRIES)
    business = np.flatnonzero(acc["kind"] == BUSINESS)
    employers = Pool(business, acc["country"][business], acc["activity"][business], n_countries)
    holder = acc["holder"]
    first_of_holder = np.concatenate([[True], holder[1:] != holder[:-1]])
    candidate = (acc["holder_kind"] == PERSON) & first_of_holder & (acc["kind"] != WALLET)
    employed = candidate & (rng.random(len(acc)) < 0.7)
    rows = np.flatnonzero(employed)
    employer = acc["employer"].copy()
    employer[rows] = employers.sample_in(rng, acc["country"][rows])
    income = np.array([MONTHLY_INCOME_USD[c] for c in COUNTRY_CODES], dtype=np.float64)
    salary = acc["salary_usd"].copy()
    salary[rows] = np.round(income[acc["country"][rows]] * rng.lognormal(0.0, 0.45, len(rows)))
    partner = acc["partner"].copy()
    remit = np.flatnonzero(acc["kind"] == REMITTANCE)
    nationality = world.parties["nationality"]
    home = np.array(
        [COUNTRY_CODES.index(nationality[h].as_py()) for h in holder[remit]], dtype=np.int64
    )
    receivers = np.flatnonzero(
        (acc["holder_kind"] == PERSON) & (acc["kind"] != REMITTANCE) & (acc["kind"] != CRYPTO)
    )
    pool = Pool(receivers, acc["country"][receivers], np.ones(len(receivers)), n_countries)
    chosen = pool.sample_in(rng, home)
    partner[remit] = np.where(acc["country"][chosen] == home, chosen, -1)
    acc.replace(employer=employer, salary_usd=salary, partner=partner)


def build_population(seed: int, n_parties: int) -> World:
    """About ``n_parties`` bank-customer records with accounts, employers and remittance ties."""
    world = World(seed=seed)
    rng = stream(seed, "population")
    _add_parties(world, rng, n_parties)
    acc_rng = stream(seed, "accounts")
    _add_accounts(world, acc_rng)
    assign_employers(world, acc_rng)
    return world
