"""Interface text in English, Spanish and Portuguese: one YAML catalogue per language
(``locales/``), the same keys in each (a test holds them equal). A missing key falls back to
English, then to the key itself."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

LANGUAGES = ("en", "es", "pt")
LOCALES = Path(__file__).parent / "locales"


@functools.cache
def catalogue(language: str) -> dict[str, str]:
    return yaml.safe_load((LOCALES / f"{language}.yaml").read_text(encoding="utf-8"))


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
