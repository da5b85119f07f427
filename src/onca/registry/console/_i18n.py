"""Interface text in English, Spanish and Portuguese: one YAML catalogue per language
(``locales/``), the same keys in each (a test holds them equal). A missing key falls back to
English, then to the key itself."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from onca.finance._typology import Typology

LANGUAGES = ("en", "es", "pt")
LOCALES = Path(__file__).parent / "locales"


@functools.cache
def catalogue(language: str) -> dict[str, str]:
    return yaml.safe_load((LOCALES / f"{language}.yaml").read_text(encoding="utf-8"))


@functools.cache
def _country_names(language: str) -> dict[str, str]:
    from babel import Locale

    return {code: str(name) for code, name in Locale(language).territories.items()}


@functools.cache
def _typologies() -> dict[str, Typology]:
    """The built-in typologies, loaded once per process on first need (about 2 s: every
    file is checked against the data contract)."""
    from onca.finance._typology import load_library

    return load_library()


def choose(preferred: str | None, accept_language: str | None = None) -> str:
    """The user's language if set, else the first supported one the browser asks for, else en."""
    if preferred in LANGUAGES:
        return str(preferred)
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"


class Translator:
    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else "en"
        self._text = catalogue(self.language)
        self._fallback = catalogue("en")

    def __call__(self, key: str, **values: Any) -> str:
        text = self._text.get(key) or self._fallback.get(key) or key
        return text.format(**values) if values else text

    def label(self, prefix: str, value: str | None) -> str:
        """The label of a code (``label('unit', 'kg')`` is ``unit_kg``'s text); a code without
        one shows as it is (data, not interface text), and no code as a dash."""
        if not value:
            return "—"
        return self._text.get(f"{prefix}_{value}") or str(value)

    def country(self, code: str | None) -> str:
        """A country's name in this language (CLDR's, through Babel), else its code."""
        return _country_names(self.language).get(code or "", code or "—")

    def typology(self, typology_id: str) -> str:
        """A red flag's title in this language (its typology file's ``titles``), else its
        English title, else its id (an alert of a typology this Onca does not ship)."""
        found = _typologies().get(typology_id)
        return found.title_in(self.language) if found is not None else typology_id

    def problem(self, error: Mapping[str, Any]) -> str:
        """A pydantic error (one item of ``ValidationError.errors()``) said in this language:
        what the field needs, never pydantic's English message."""
        kind, ctx = str(error.get("type", "")), error.get("ctx") or {}
        if kind in ("missing", "string_too_short", "too_short"):
            return self("err_required")
        if kind.startswith("date") or kind.startswith("datetime"):
            return self("err_date")
        if kind in ("float_parsing", "int_parsing", "float_type", "finite_number"):
            return self("err_number")
        if kind in ("greater_than_equal", "greater_than"):
            return self("err_min", limit=ctx.get("ge", ctx.get("gt", "")))
        if kind in ("less_than_equal", "less_than"):
            return self("err_max", limit=ctx.get("le", ctx.get("lt", "")))
        if kind == "string_too_long":
            return self("err_too_long", limit=ctx.get("max_length", ""))
        if kind in ("literal_error", "enum"):
            return self("err_code")
        message = str(error.get("msg", ""))
        if kind == "value_error" and " is not " in message:  # a value not on a code list
            return self("err_code")
        if kind == "value_error" and "shares" in message:
            return self("err_shares")
        if kind == "string_pattern_mismatch":
            where = [str(x) for x in error.get("loc", ())]
            return self("err_reference" if where[-1:] == ["reference"] else "err_format")
        return self("err_invalid")
