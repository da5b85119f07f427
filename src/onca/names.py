"""Normalising the identifiers of parties: names, phones, ID numbers, addresses, birth dates.

One place for every area: entity resolution compares these keys, privacy-preserving linkage
encodes them, and screening's SQL helpers (``phone_key``, ``id_key``, ``fold``) follow the same
rules. Each function takes one raw value and returns the key, or ``None`` when nothing usable is
left (an empty name, an impossible date, a garbage ID): the caller keeps the record and flags it.

Names: Spanish double surnames, Portuguese particles (de, da, dos), honorifics and initials,
given and family names in either order, pinyin written joined or hyphenated ('Xiao-Ming',
'Xiaoming'), company legal forms ('S.A.C.', 'Ltda.', 'Co., Ltd.').
"""

from __future__ import annotations

import datetime as dt
import functools
import re

import phonenumbers

from onca.text import fold_text

__all__ = [
    "COMPANY_FORMS",
    "PARTICLES",
    "address_clean",
    "address_number",
    "birth_date_clean",
    "id_key",
    "name_clean",
    "name_sorted",
    "name_tokens",
    "phone_e164",
    "phone_tail",
]

# Particles and connectors inside names: 'Maria da Silva', 'Juan de la Cruz', 'Ruiz y Pérez',
# 'van der Berg', 'bin Laden', 'al Hassan' (the Arabic article also comes joined: 'Al-Hassan').
PARTICLES = frozenset(
    [
        "de",
        "da",
        "do",
        "das",
        "dos",
        "del",
        "della",
        "di",
        "la",
        "las",
        "los",
        "le",
        "y",
        "e",
        "van",
        "von",
        "der",
        "den",
        "ter",
        "bin",
        "ibn",
        "al",
        "el",
    ]
)
# Titles and honorifics that sources add or leave out.
HONORIFICS = frozenset(
    [
        "sr",
        "sra",
        "srta",
        "dr",
        "dra",
        "don",
        "dona",
        "lic",
        "ing",
        "mr",
        "mrs",
        "ms",
        "miss",
        "sir",
        "prof",
    ]
)
# Company legal forms and filler words, after folding and with punctuation removed.
COMPANY_FORMS = frozenset(
    [
        "sa",
        "sac",
        "saa",
        "srl",
        "sas",
        "sa",
        "de",
        "cv",
        "sapi",
        "spa",
        "eirl",
        "ltda",
        "ltd",
        "limited",
        "lda",
        "me",
        "epp",
        "eireli",
        "cia",
        "co",
        "company",
        "corp",
        "corporation",
        "inc",
        "llc",
        "plc",
        "gmbh",
        "ag",
        "bv",
        "nv",
        "fze",
        "fzco",
        "fzc",
        "llp",
        "lp",
        "pte",
        "pty",
        "sdn",
        "bhd",
        "trading",
        "group",
        "holding",
        "holdings",
        "the",
        "y",
        "e",
        "and",
    ]
)
_NON_WORD = re.compile(r"[^\w]+")
_JOINED_ARTICLE = re.compile(r"\b(al|el)-(?=\w)")
_PINYIN_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")
_ABBREVIATION_DOT = re.compile(r"(?<=\b\w)\.(?=\w\b)")  # 'S.R.L.' -> 'SRL.', 'N.V.' -> 'NV.'


def _words(text: str) -> list[str]:
    folded = fold_text(text)
    folded = _JOINED_ARTICLE.sub(r"\1 ", folded)
    folded = _PINYIN_HYPHEN.sub("", folded)  # 'xiao-ming' -> 'xiaoming', as pinyin is written
    return [w for w in _NON_WORD.sub(" ", folded).replace("_", " ").split() if w]


@functools.lru_cache(maxsize=200_000)
def name_tokens(name: str | None, kind: str | None = "person") -> tuple[str, ...]:
    """The words of a name that identify: folded, no particles, titles or legal forms.

    Initials stay ('Sergio O. Terrazas' -> sergio, o, terrazas) so that they can match a full
    given name by its first letter. A company loses its legal form and filler words; when
    nothing else is left the words are kept as they are.
    """
    if name is None:
        return ()
    words = _words(_ABBREVIATION_DOT.sub("", name))
    drop = COMPANY_FORMS if kind in ("company", "organization") else HONORIFICS
    kept = [w for w in words if w not in PARTICLES and w not in drop]
    return tuple(kept or words)


def name_clean(name: str | None, kind: str | None = "person") -> str | None:
    """The identifying words of a name in their written order, or None when there are none."""
    tokens = name_tokens(name, kind)
    return " ".join(tokens) if tokens else None


def name_sorted(name: str | None, kind: str | None = "person") -> str | None:
    """The identifying words in alphabetical order: the same whichever name comes first."""
    tokens = name_tokens(name, kind)
    return " ".join(sorted(tokens)) if tokens else None


_INTERNATIONAL = re.compile(r"^\s*\+[1-9][\d\s.\-]*$")
_NOT_DIGIT = re.compile(r"\D")


@functools.lru_cache(maxsize=200_000)
def phone_e164(phone: str | None, country: str | None) -> str | None:
    """A phone number in E.164 ('+5198...'), read as written in ``country`` when it has no
    country code; None when it cannot be a phone number. Uses Google's libphonenumber rules."""
    if phone is None or not any(c.isdigit() for c in phone):
        return None
    if _INTERNATIONAL.match(phone):  # '+51 987-369-682': E.164 is the plus and the digits
        digits = _NOT_DIGIT.sub("", phone)
        return "+" + digits if 8 <= len(digits) <= 15 else None
    region = country.upper() if country and len(country) == 2 else None
    try:
        parsed = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        digits = re.sub(r"\D", "", phone)
        return "+" + digits if phone.strip().startswith("+") and len(digits) >= 8 else None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_tail(phone: str | None, digits: int = 8) -> str | None:
    """The last ``digits`` digits: what two ways of writing one number nearly always share.

    Screening's ``phone_key`` SQL helper is this function with 8 digits."""
    if phone is None:
        return None
    only = re.sub(r"\D", "", phone)
    return only[-digits:] if len(only) >= min(digits, 6) else None


_ID_GARBAGE = re.compile(r"^(.)\1*$")  # one character repeated: 000000, XXXXXX


def id_key(id_number: str | None) -> str | None:
    """An ID number upper-cased with letters and digits only; None for garbage (fewer than 4
    characters, or one character repeated) so that it never links two records.

    Screening's ``id_key`` SQL helper keeps the same characters."""
    if id_number is None:
        return None
    key = re.sub(r"[^0-9A-Z]", "", fold_text(id_number).upper())
    if len(key) < 4 or _ID_GARBAGE.match(key):
        return None
    return key


# Street types written short or long, in the languages of the Americas: each line is the
# short form Onca keeps, then every way of writing it.
_STREET_FORMS = """
av: avenida ave avda avenue
cl: calle c cll
r: rua r
jr: jiron jr
psje: pasaje psje
cra: carrera cra kr
st: street st
rd: road rd
blvd: boulevard blvd
tv: travessa tv
al: alameda
rod: rodovia rod
carr: carretera carr
dr: drive dr
ln: lane
cres: crescent cres
pl: place pl
ct: court
"""
_STREET_WORDS = {
    word: short
    for line in _STREET_FORMS.strip().splitlines()
    for short, words in [line.split(":")]
    for word in words.split()
}


@functools.lru_cache(maxsize=200_000)
def address_clean(address: str | None) -> str | None:
    """An address folded, punctuation removed, street types abbreviated one way
    ('Avenida' / 'Av.' -> 'av'), particles dropped; None when empty."""
    if address is None:
        return None
    words = [_STREET_WORDS.get(w, w) for w in _words(address) if w not in PARTICLES]
    return " ".join(words) or None


def address_number(address: str | None) -> str | None:
    """The first number in an address (the house number, usually)."""
    if address is None:
        return None
    found = re.search(r"\d+", address)
    return found.group(0) if found else None


_DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%d/%m/%Y", "%Y/%m/%d", "%d.%m.%Y")


def _parse_date(text: str) -> dt.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def birth_date_clean(value: object, *, today: dt.date | None = None) -> str | None:
    """A birth date as 'YYYY-MM-DD', or None when it is missing or impossible (no such day,
    before 1900, in the future)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        parsed = _parse_date(str(value).strip())
        if parsed is None:
            return None
        day = parsed
    if day.year < 1900 or day > (today or dt.date.today()):
        return None
    return day.isoformat()
