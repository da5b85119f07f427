"""Reference lists for screening (route countries, thresholds, exchange rates, terms), as data.

One YAML file per list in ``onca/finance/lists/``, read and checked by the reference-data loader
of :mod:`onca.contract` (each list's schema is declared in ``onca/contract/reference.yaml``).
Typology parameters take them as defaults with ``default: {list: NAME}``; a user's
``--typologies-dir`` may carry a ``lists/`` folder whose files replace or add lists of the same
name (a replacement is checked against the built-in list's schema).
"""

from __future__ import annotations

from pathlib import Path

from onca.contract import ReferenceList, load_references

FOLDER = "finance/lists"

__all__ = ["ReferenceList", "load_lists"]


def load_lists(*extra_dirs: Path) -> dict[str, ReferenceList]:
    """The built-in lists, then those in each of ``extra_dirs`` (same name replaces)."""
    return load_references(FOLDER, *extra_dirs)
