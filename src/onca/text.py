"""Text normalisation shared by every area: one place that folds case and diacritics.

Screening (``fold`` in typology SQL), the Spark engine and, later, entity resolution use these,
so that 'ONÇA', 'Onça' and 'onca', or 'Võ Quốc Tuấn' and 'Vo Quoc Tuan', compare equal alike in
Python, DuckDB and Spark.
"""

from __future__ import annotations

import unicodedata
from typing import Any

__all__ = [
    "FOLD_EXTRA_FROM",
    "FOLD_EXTRA_TO",
    "FORMULA_STARTS",
    "fold_text",
    "spreadsheet_safe",
    "strip_accents",
]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet reads as the start of a formula in a CSV cell (OWASP's list)."""


def spreadsheet_safe(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+``, ``-``, ``@``,
    tab, CR first) gets a leading apostrophe, as OWASP advises: text from the data is data in
    the reader's spreadsheet, never code. Numbers (a negative latitude) stay numbers. Every CSV
    that Onca writes from data passes its text cells through this."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# Letters that Unicode does not decompose into a base letter and a mark: folded by hand after
# strip_accents.
FOLD_EXTRA_FROM = "đøł"
FOLD_EXTRA_TO = "dol"
_EXTRA_TABLE = str.maketrans(FOLD_EXTRA_FROM, FOLD_EXTRA_TO)


def strip_accents(text: str) -> str:
    """DuckDB's ``strip_accents`` in Python (canonical decomposition, marks removed).

    The Spark engine registers it as a SQL function, so both engines fold text alike.
    """
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    )


def fold_text(text: str) -> str:
    """Lower case without diacritics: what ``fold`` does in typology SQL."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    return strip_accents(lowered).translate(_EXTRA_TABLE)
