"""Reference lists for screening (route countries, thresholds, exchange rates, terms), as data.

One YAML file per list in ``onca/finance/lists/``: ``name``, ``description``, ``source`` and
``values`` (a list, or a mapping of key to value). Typology parameters take them as defaults
with ``default: {list: NAME}``; a user's ``--typologies-dir`` may carry a ``lists/`` folder whose
files replace or add lists of the same name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from onca.errors import TypologyError

LISTS_DIR = Path(__file__).with_name("lists")


@dataclass(frozen=True)
class ReferenceList:
    """A named list or mapping with its description and source."""

    name: str
    description: str
    source: str
    values: list[Any] | dict[str, Any]
    path: str


def _load_list(path: Path) -> ReferenceList:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise TypologyError(f"not valid YAML: {e}", source=str(path)) from e
    if not isinstance(data, dict):
        raise TypologyError("expected a mapping with name and values", source=str(path))
    for key in ("name", "description", "source", "values"):
        if key not in data:
            raise TypologyError("missing", source=str(path), field=key)
    values = data["values"]
    if not isinstance(values, list | dict) or not values:
        raise TypologyError(
            f"expected a non-empty list or mapping, found {type(values).__name__}",
            source=str(path),
            field="values",
        )
    if data["name"] != path.stem:
        raise TypologyError(
            f"name {data['name']!r} differs from the file name {path.stem!r}",
            source=str(path),
            field="name",
        )
    return ReferenceList(
        str(data["name"]), str(data["description"]), str(data["source"]), values, str(path)
    )


def load_lists(*extra_dirs: Path) -> dict[str, ReferenceList]:
    """The built-in lists, then those in each of ``extra_dirs`` (same name replaces)."""
    lists: dict[str, ReferenceList] = {}
    for folder in (LISTS_DIR, *extra_dirs):
        for path in sorted(folder.glob("*.yaml")):
            item = _load_list(path)
            lists[item.name] = item
    return lists
