"""Build person, company and organisation names, vectorised per naming tradition.

``person_names(rng, culture, n)`` gives n full names as an Arrow array, written the way a bank
in the person's country of residence would record them: Spanish given name(s) and two surnames,
Portuguese names with particles, Chinese family name first (sometimes given name first, as
foreign banks often do), Vietnamese family-middle-given. Variants of one name (what another
source would write) come from ``onca.synth._identity``.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from onca.synth._industries import INDUSTRIES, ORGANIZATION_KINDS
from onca.synth._name_pools import COMPANY_CORES, GIVEN, PT_PARTICLES, SURNAMES, VI_MIDDLE
from onca.synth._places import Country
from onca.synth._text import concat, pick, when

CULTURES: tuple[str, ...] = tuple(GIVEN)


def _draw(rng: np.random.Generator, pool: tuple[str, ...], n: int) -> pa.Array:
    return pick(pool, rng.integers(0, len(pool), n))


def _given(rng: np.random.Generator, culture: str, female: np.ndarray) -> pa.Array:
    male_pool, female_pool = GIVEN[culture]
    n = len(female)
    male = _draw(rng, male_pool, n)
    fem = _draw(rng, female_pool, n)
    return when(female, fem, male)


def _maybe(rng: np.random.Generator, p: float, part: pa.Array, before: str = " ") -> pa.Array:
    """``before + part`` for a random share ``p`` of rows, else ''."""
    return when(rng.random(len(part)) < p, concat(before, part), "")


def _second_given(
    rng: np.random.Generator, culture: str, female: np.ndarray, first: pa.Array
) -> pa.Array:
    """A second given name for about a third of the rows, never the same as the first."""
    second = _given(rng, culture, female)
    use = (rng.random(len(female)) < 0.33) & np.asarray(pc.not_equal(first, second))
    return when(use, concat(" ", second), "")


def _portuguese_surname(rng: np.random.Generator, n: int, p_particle: float) -> pa.Array:
    pool = SURNAMES["pt"]
    idx = rng.integers(0, len(pool), n)
    with_particle = [f"{PT_PARTICLES[s]} {s}" if s in PT_PARTICLES else s for s in pool]
    use = rng.random(n) < p_particle
    return when(use, pick(with_particle, idx), pick(pool, idx))


def person_names(rng: np.random.Generator, culture: str, n: int) -> tuple[pa.Array, np.ndarray]:
    """``n`` full names of ``culture`` and whether each person is female (bool array)."""
    female = rng.random(n) < 0.5
    given = _given(rng, culture, female)
    if culture == "es":
        second = _second_given(rng, culture, female, given)
        paternal = _draw(rng, SURNAMES["es"], n)
        maternal = _maybe(rng, 0.95, _draw(rng, SURNAMES["es"], n))
        names = concat(given, second, " ", paternal, maternal)
    elif culture == "pt":
        second = _second_given(rng, culture, female, given)
        first_surname = _maybe(rng, 0.6, _portuguese_surname(rng, n, 0.3))
        last_surname = _portuguese_surname(rng, n, 0.4)
        names = concat(given, second, first_surname, " ", last_surname)
    elif culture == "en":
        initials = pick([f"{c}." for c in "ABCDEFGHJKLMNPRSTW"], rng.integers(0, 18, n))
        names = concat(given, _maybe(rng, 0.3, initials), " ", _draw(rng, SURNAMES["en"], n))
    elif culture == "zh":
        family = _draw(rng, SURNAMES["zh"], n)
        given_first = rng.random(n) < 0.1
        names = when(given_first, concat(given, " ", family), concat(family, " ", given))
    elif culture == "vi":
        middle = when(
            female,
            _draw(rng, VI_MIDDLE[1], n),
            _draw(rng, VI_MIDDLE[0], n),
        )
        names = concat(_draw(rng, SURNAMES["vi"], n), " ", middle, " ", given)
    elif culture == "ar":
        father = _maybe(rng, 0.25, _draw(rng, GIVEN["ar"][0], n), " bin ")
        names = when(
            female,
            concat(given, " ", _draw(rng, SURNAMES["ar"], n)),
            concat(given, father, " ", _draw(rng, SURNAMES["ar"], n)),
        )
    else:  # nl_sr, de
        names = concat(given, " ", _draw(rng, SURNAMES[culture], n))
    return names, female


def company_style(country: Country) -> str:
    """Which words a company registered in ``country`` is named with."""
    return {"AE": "ar", "CN": "zh", "HK": "zh", "VN": "vi"}.get(country.code, country.language)


def company_names(rng: np.random.Generator, country: Country, industry: np.ndarray) -> pa.Array:
    """Names of companies registered in ``country``; ``industry`` indexes INDUSTRIES."""
    n = len(industry)
    style = company_style(country)
    words = pick([i.word(country.language) for i in INDUSTRIES], industry)
    english = pick([i.word("en") for i in INDUSTRIES], industry)
    core = _draw(rng, COMPANY_CORES[style], n)
    legal = _draw(rng, country.legal_forms, n)
    if style in ("es", "pt"):
        return concat(words, " ", core, " ", legal)
    if style == "zh":
        city = _draw(rng, tuple(c.name for c in country.cities), n)
        return concat(city, " ", core, " ", english, " ", legal)
    if style in ("vi", "ar"):
        return concat(core, " ", english, " ", legal)
    return concat(core, " ", words, " ", legal)


def organization_names(
    rng: np.random.Generator, country: Country, kind: np.ndarray
) -> tuple[pa.Array, pa.Array]:
    """Names and declared sectors of organisations; ``kind`` indexes ORGANIZATION_KINDS."""
    n = len(kind)
    lang = country.language if country.language in ("es", "pt") else "en"
    words = pick([k[2].get(lang, k[2]["en"]) for k in ORGANIZATION_KINDS], kind)
    sector = pick([k[0] for k in ORGANIZATION_KINDS], kind)
    city = _draw(rng, tuple(c.name for c in country.cities), n)
    joiner = {"es": " de ", "pt": " de "}.get(lang, " ")
    place_first = lang == "en"
    named = concat(city, " ", words) if place_first else concat(words, joiner, city)
    return named, sector
