"""Business sectors of the companies, with the words their names are made of.

``high_risk`` follows the sectors that IWT red-flag guidance names (pet shops, breeders, zoos,
seafood and handicraft exporters, freight forwarders, customs brokers, general trading,
taxidermy, hunting, traditional medicine, jewellery, leather, timber). ``role`` says how the
sector takes part in ordinary payments: ``merchant`` takes card payments, ``utility`` bills
households, ``trader`` ships goods across borders, ``other`` does business-to-business only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from onca.errors import ParameterError
from onca.synth._csvfile import positive_number, read_rows


@dataclass(frozen=True)
class Industry:
    key: str
    weight: float
    high_risk: bool
    role: str
    words: dict[str, str]  # language -> word used in company names ('en' always present)

    def word(self, language: str) -> str:
        return self.words.get(language, self.words["en"])


INDUSTRIES_FILE = Path(__file__).with_name("industries.csv")
"""One sector a row: key, weight (relative share of companies), high_risk (yes/no), role, and
the word used in company names in es, pt, en, nl and de (nl and de may be empty: English is
used)."""
ROLES = ("merchant", "utility", "trader", "other")
_COLUMNS = ["key", "weight", "high_risk", "role", "es", "pt", "en", "nl", "de"]


def load_industries(path: Path = INDUSTRIES_FILE) -> tuple[Industry, ...]:
    """The sectors of ``path``, in file order; ParameterError naming the line of a bad row."""
    industries = [_industry(row, where) for where, row in read_rows(path, _COLUMNS)]
    keys = [i.key for i in industries]
    if len(set(keys)) != len(keys):
        twice = sorted({k for k in keys if keys.count(k) > 1})
        raise ParameterError(f"{path}: sectors listed twice: {', '.join(twice)}")
    return tuple(industries)


def _industry(row: list[str], where: str) -> Industry:
    key, weight, risk, role, es, pt, en, nl, de = row
    share = positive_number(weight, "weight", where)
    if risk not in ("yes", "no"):
        raise ParameterError(f"{where}: high_risk must be yes or no, found {risk!r}")
    if role not in ROLES:
        raise ParameterError(f"{where}: role must be one of {', '.join(ROLES)}, found {role!r}")
    if not (key and es and pt and en):
        raise ParameterError(f"{where}: key and the es, pt and en words are required")
    words = {"es": es, "pt": pt, "en": en}
    words.update((language, word) for language, word in (("nl", nl), ("de", de)) if word)
    return Industry(key, share, risk == "yes", role, words)


INDUSTRIES: tuple[Industry, ...] = load_industries()

INDUSTRY_KEYS: tuple[str, ...] = tuple(i.key for i in INDUSTRIES)
BY_KEY: dict[str, Industry] = {i.key: i for i in INDUSTRIES}


def industry_index(key: str) -> int:
    return INDUSTRY_KEYS.index(key)


ORGANIZATION_KINDS: tuple[tuple[str, str, dict[str, str]], ...] = (
    # (industry written in the record, name pattern key, words by language)
    (
        "government",
        "authority",
        {
            "es": "Dirección de Biodiversidad",
            "pt": "Secretaria de Meio Ambiente",
            "en": "Wildlife Department",
        },
    ),
    ("government", "customs", {"es": "Aduana Regional", "pt": "Alfândega", "en": "Customs Office"}),
    (
        "government",
        "municipality",
        {"es": "Gobierno Municipal", "pt": "Prefeitura", "en": "County Office"},
    ),
    ("non-profit", "foundation", {"es": "Fundación", "pt": "Fundação", "en": "Foundation"}),
    (
        "non-profit",
        "association",
        {
            "es": "Asociación de Productores",
            "pt": "Associação de Produtores",
            "en": "Growers Association",
        },
    ),
)
"""Organisations: public bodies (which employ officials) and non-profits."""
