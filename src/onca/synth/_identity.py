"""Identifiers of parties (phones, ID numbers, addresses, birth dates) and their noisy variants.

The vectorised builders give what one source records. The ``*_variant`` functions give what a
second source (another bank, customs, the police) writes for the same real person: dropped
accents, one surname instead of two, given and family name swapped, typos, initials, day and
month of birth swapped, a digit of the ID changed, the phone written another way.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from onca.synth._name_pools import STREETS
from onca.synth._names import company_style
from onca.synth._places import Country
from onca.synth._text import EPOCH, concat, fill_pattern, integers, pick, strip_accents

_PHONE_STYLES = 4  # +DIAL LOCAL | +DIALDIGITS | 00DIAL DIGITS | LOCAL


def phone_numbers(rng: np.random.Generator, country: Country, n: int) -> pa.Array:
    """Mobile numbers of ``country`` written in one of four common styles."""
    local = fill_pattern(rng, country.mobile, n)
    digits = pc.replace_substring_regex(local, "[ -]", "")
    style = pa.array(rng.choice(_PHONE_STYLES, n, p=[0.35, 0.3, 0.1, 0.25]).astype(np.int8))
    return pc.choose(
        style,
        concat(f"+{country.dial} ", local),
        concat(f"+{country.dial}", digits),
        concat(f"00{country.dial} ", digits),
        local,
    )


def addresses(rng: np.random.Generator, country: Country, n: int) -> pa.Array:
    """Street addresses in the local style, with the city."""
    style = company_style(country)
    street = pick(STREETS[style], rng.integers(0, len(STREETS[style]), n))
    number = integers(np.clip(np.round(rng.lognormal(4.6, 1.1, n)), 1, 9999).astype(np.int64))
    city = pick([c.name for c in country.cities], rng.integers(0, len(country.cities), n))
    if style == "es":
        return concat(street, " ", number, ", ", city)
    if style == "pt":
        return concat(street, ", ", number, " - ", city)
    if style in ("en", "zh", "vi"):
        return concat(number, " ", street, ", ", city)
    if style == "ar":
        return concat(street, ", ", city)
    return concat(street, " ", number, ", ", city)


def birth_days(rng: np.random.Generator, n: int) -> np.ndarray:
    """Birth dates as days since 1970-01-01, ages about 18 to 80 in 2024."""
    lo = (dt.date(1944, 1, 1) - EPOCH).days
    hi = (dt.date(2005, 12, 31) - EPOCH).days
    return np.round(rng.triangular(lo, (lo + 2 * hi) / 3, hi, n)).astype(np.int64)


# -- variants (a handful of records each; plain Python) -------------------------------------


def typo(text: str, rng: np.random.Generator) -> str:
    """One keyboard slip (two letters swapped, one dropped, doubled or a vowel changed)."""
    for _ in range(5):
        slipped = _slip(text, rng)
        if slipped != text:
            return slipped
    return text + text[-1:]


def _slip(text: str, rng: np.random.Generator) -> str:
    letters = [i for i, ch in enumerate(text) if ch.isalpha() and i > 0]
    if len(letters) < 2:
        return text + text[-1:]
    i = letters[int(rng.integers(0, len(letters)))]
    kind = int(rng.integers(0, 4))
    if kind == 0 and i + 1 < len(text) and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == 1:
        return text[:i] + text[i + 1 :]
    if kind == 2:
        return text[:i] + text[i] + text[i:]
    vowels = "aeiou"
    swap = vowels[(vowels.find(text[i].lower()) + 1) % 5] if text[i].lower() in vowels else "e"
    return text[:i] + swap + text[i + 1 :]


def _culture_variants(name: str, culture: str) -> list[str]:
    tokens = name.split()
    out: list[str] = []
    if culture == "es" and len(tokens) >= 3:
        out.append(" ".join(tokens[:-1]))  # maternal surname dropped
        if len(tokens) >= 4:
            out.append(f"{tokens[0]} {tokens[1][0]}. {' '.join(tokens[2:])}")
            out.append(" ".join([tokens[0], *tokens[2:]]))  # second given name dropped
        out.append(f"{' '.join(tokens[-2:])} {' '.join(tokens[:-2])}")  # surnames first
    elif culture == "pt":
        no_particles = [t for t in tokens if t not in ("da", "de", "do", "das", "dos")]
        out.append(" ".join(no_particles))
        if len(no_particles) >= 3:
            out.append(f"{no_particles[0]} {no_particles[-1]}")
    elif culture == "zh" and len(tokens) == 2:
        out.append(f"{tokens[1]} {tokens[0]}")  # order swapped
        out.append(f"{tokens[0].upper()} {tokens[1]}")
        given = tokens[1]
        split = re.search(r"(?<=[a-z])(?=(?:zh|ch|sh|[bcdfghjklmnpqrstwxyz])[aeiou])", given[1:])
        if split:
            cut = split.start() + 1
            out.append(f"{tokens[0]} {given[:cut]}-{given[cut:].capitalize()}")
    elif culture == "vi" and len(tokens) >= 3:
        out.append(f"{tokens[0]} {tokens[-1]}")
        out.append(f"{' '.join(tokens[1:])} {tokens[0]}")
    elif culture == "ar":
        out.extend(
            name.replace(a, b)
            for a, b in (("Mohammed", "Mohamed"), ("Mohammed", "Muhammad"), ("Al ", "Al-"))
            if a in name
        )
    elif culture == "en" and len(tokens) == 3 and tokens[1].endswith("."):
        out.append(f"{tokens[0]} {tokens[2]}")
    return out


def name_variant(name: str, culture: str, rng: np.random.Generator) -> str:
    """Another way a second source writes ``name`` (never identical to it)."""
    options = _culture_variants(name, culture)
    plain = strip_accents(name)
    if plain != name:
        options += [plain, plain]
    options += [name.upper(), typo(name, rng)]
    choice = options[int(rng.integers(0, len(options)))]
    if rng.random() < 0.25:  # a second slip on top
        choice = strip_accents(choice) if rng.random() < 0.5 else typo(choice, rng)
    return choice if choice != name else typo(name, rng)


def company_variant(name: str, rng: np.random.Generator) -> str:
    """A company name as customs or a registry writes it: upper case, legal form shortened."""
    plain = strip_accents(name).upper()
    forms = (
        ("S.R.L.", "SRL"),
        ("S.A.C.", "SAC"),
        ("LTDA.", "LTDA"),
        ("S.A. DE C.V.", "SA DE CV"),
        ("CO., LTD.", "CO LTD"),
        ("LIMITED", "LTD"),
        ("N.V.", "NV"),
        ("S.A.", "SA"),
    )
    for long, short in forms:
        if plain.endswith(long):
            options = [plain[: -len(long)] + short, plain[: -len(long)].rstrip(), plain]
            return options[int(rng.integers(0, len(options)))]
    return plain if plain != name else typo(name, rng)


def birth_variant(day: int, rng: np.random.Generator) -> int:
    """Birth date with day and month swapped, or one digit of day or year mistyped."""
    date = EPOCH + dt.timedelta(days=day)
    if date.day <= 12 and date.day != date.month and rng.random() < 0.6:
        return (dt.date(date.year, date.day, date.month) - EPOCH).days
    if rng.random() < 0.5:
        year = date.year + int(rng.choice([-10, -1, 1, 10]))
        try:
            return (date.replace(year=year) - EPOCH).days
        except ValueError:  # 29 February in a year without it
            return day + 1
    return day + int(rng.choice([-1, 1, 10, -10]))


def id_variant(id_number: str, rng: np.random.Generator) -> str:
    """The ID with one digit changed, or without its punctuation, or with a suffix."""
    digits = [i for i, ch in enumerate(id_number) if ch.isdigit()]
    kind = int(rng.integers(0, 3))
    if kind == 1 and re.search(r"[.\-/ ]", id_number):
        return re.sub(r"[.\-/ ]", "", id_number)
    if kind == 2 and id_number.isdigit() and len(id_number) == 7:
        return f"{id_number} {rng.choice(['LP', 'SC', 'CB', 'BE', 'PD'])}"
    if not digits:
        return id_number + "1"
    i = digits[int(rng.integers(0, len(digits)))]
    new = str((int(id_number[i]) + int(rng.integers(1, 10))) % 10)
    return id_number[:i] + new + id_number[i + 1 :]


def phone_variant(phone: str, dial: str, rng: np.random.Generator) -> str:
    """The same number in another style (+591 7..., 00591 7..., local 7...)."""
    digits = re.sub(r"\D", "", phone)
    for prefix in ("00" + dial, dial):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 6:
            digits = digits[len(prefix) :]
            break
    styles = [
        f"+{dial} {digits}",
        f"00{dial} {digits}",
        digits,
        f"({dial}) {digits}",
        f"+{dial}-{digits[:3]}-{digits[3:]}",
        f"0{digits}",
    ]
    options = [s for s in styles if s != phone]
    return options[int(rng.integers(0, len(options)))]


def address_variant(address: str, rng: np.random.Generator) -> str:
    """The address abbreviated or expanded, without accents, or without the city."""
    swaps = (("Av. ", "Avenida "), ("Calle ", "C. "), ("Rua ", "R. "), ("Jr. ", "Jirón "))
    for a, b in swaps:
        if a in address and rng.random() < 0.7:
            return address.replace(a, b)
    if "," in address and rng.random() < 0.5:
        return address.rsplit(",", 1)[0]
    plain = strip_accents(address).upper()
    return plain if plain != address else address + " S/N"
