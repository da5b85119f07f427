"""Single party records: a new person or company, or another source's noisy copy of one.

Network members, customs declarants, offenders named by the police and the ordinary customers
who bank twice all come through here, one record at a time (there are at most a few thousand).
A copy keeps the true ``person_key`` of the original, so the ground truth knows they are one.
"""

from __future__ import annotations

import numpy as np

from onca.synth._identity import (
    address_variant,
    addresses,
    birth_days,
    birth_variant,
    company_variant,
    id_variant,
    name_variant,
    phone_numbers,
    phone_variant,
)
from onca.synth._industries import INDUSTRY_KEYS
from onca.synth._names import company_names, person_names
from onca.synth._places import BY_CODE
from onca.synth._population import World
from onca.synth._store import MISSING
from onca.synth._text import fill_pattern


def add_person(
    world: World,
    rng: np.random.Generator,
    *,
    country: str,
    culture: str,
    nationality: str,
    occupation: str | None,
    key: int | None = None,
    is_pep: bool = False,
    source: str = "bank",
) -> int:
    """A new person record; a fresh true entity unless ``key`` is given. Returns the row."""
    home = BY_CODE[country]
    names, _ = person_names(rng, culture, 1)
    return world.parties.append(
        kind="person",
        name=names[0].as_py(),
        birth_day=int(birth_days(rng, 1)[0]),
        nationality=nationality,
        country=country,
        address=addresses(rng, home, 1)[0].as_py(),
        phone=phone_numbers(rng, home, 1)[0].as_py(),
        id_number=fill_pattern(rng, BY_CODE[nationality].person_id, 1)[0].as_py(),
        occupation=occupation,
        is_pep=is_pep,
        person_key=int(world.new_keys(1)[0]) if key is None else key,
        culture=culture,
        source=source,
    )


def add_company(
    world: World, rng: np.random.Generator, *, country: str, industry: str, source: str = "bank"
) -> int:
    """A new company record (a fresh true entity) in ``industry``. Returns the row."""
    home = BY_CODE[country]
    name = company_names(rng, home, np.array([INDUSTRY_KEYS.index(industry)]))[0].as_py()
    return world.parties.append(
        kind="company",
        name=name,
        country=country,
        address=addresses(rng, home, 1)[0].as_py(),
        phone=phone_numbers(rng, home, 1)[0].as_py(),
        id_number=fill_pattern(rng, home.company_id, 1)[0].as_py(),
        industry=industry,
        is_pep=False,
        person_key=int(world.new_keys(1)[0]),
        source=source,
    )


def noisy_copy(
    world: World,
    rng: np.random.Generator,
    row: int,
    *,
    source: str,
    noise: float = 0.6,
    country: str | None = None,
) -> int:
    """Another source's record of the party at ``row``: same true entity, noisy details.

    Each identifier is kept, varied or left out; ``noise`` is the chance a field is varied.
    The name always differs in spelling from the original.
    """
    p = world.parties
    get = p.value
    kind = get("kind", row)
    culture = get("culture", row)
    name = get("name", row)
    if kind == "person":
        new_name = name_variant(name, culture or "en", rng)
    else:
        new_name = company_variant(name, rng)
    home = country or get("country", row)
    dial = BY_CODE[get("country", row)].dial

    def vary(value: object, variant: object) -> object:
        if value is None:
            return None
        roll = rng.random()
        return variant if roll < noise else (None if roll > 0.9 else value)

    birth = get("birth_day", row)
    birth_out = None if birth == MISSING else vary(birth, birth_variant(int(birth), rng))
    phone, address, id_number = get("phone", row), get("address", row), get("id_number", row)
    return p.append(
        kind=kind,
        name=new_name,
        birth_day=birth_out,
        nationality=get("nationality", row),
        country=home,
        address=vary(address, address_variant(address, rng) if address else None),
        phone=vary(phone, phone_variant(phone, dial, rng) if phone else None),
        id_number=vary(id_number, id_variant(id_number, rng) if id_number else None),
        industry=get("industry", row),
        occupation=get("occupation", row),
        is_pep=bool(get("is_pep", row)),
        person_key=int(get("person_key", row)),
        culture=culture,
        source=source,
    )


def add_duplicate_customers(world: World, rng: np.random.Generator, share: float) -> list[int]:
    """Second (and some third) bank records for a ``share`` of ordinary persons.

    These are honest customers who bank twice; entity resolution should merge them without
    mistaking them for anything else. Returns the new rows.
    """
    kind = np.asarray(world.parties["kind"].to_numpy(zero_copy_only=False))
    persons = np.flatnonzero(kind == "person")
    chosen = np.sort(rng.choice(persons, max(3, int(len(persons) * share)), replace=False))
    new_rows = [noisy_copy(world, rng, int(r), source="bank", noise=0.5) for r in chosen]
    third = chosen[rng.random(len(chosen)) < 0.15]
    new_rows += [noisy_copy(world, rng, int(r), source="bank", noise=0.7) for r in third]
    return new_rows
