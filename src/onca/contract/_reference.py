"""Reference data: every list Onca ships, read by one loader and checked against its schema.

The contract's code lists (``contract/codes``), the screening lists (``finance/lists``) and the
legal-trade lists (``trade/lists``) are YAML files of one shape, each declared in
``reference.yaml`` with the folder it lives in and the type of its values. Loading checks the
shape of each file, its values against the declared type, and every cross-reference (a
``{code: LIST}`` value must be a code of LIST) across the whole set. An error names the file,
the entry and the field:

    lists/fx_units_per_usd.yaml: entry 'XYZ': 'XYZ' is not a code of currencies

>>> load_reference("route_source_countries").values[:3]
['BO', 'PE', 'BR']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from onca.contract._value_types import (
    BadValue,
    ValueChecker,
    check_spec,
    codes_named,
    file_label,
    place,
)
from onca.errors import ContractError

ONCA_DIR = Path(str(resources.files("onca")))
"""The folder the ``folders`` of ``reference.yaml`` are relative to."""
DECLARATIONS = Path(__file__).with_name("reference.yaml")

_FILE_KEYS = ("name", "title", "description", "source", "extends", "values")


@dataclass(frozen=True)
class ReferenceList:
    """One reference list: its name, what it is, where its values come from, and the values.

    ``values`` is a list or a mapping, as the list's declared type says; ``path`` is the file it
    was read from; ``extends`` names a list whose codes this one adds to (code lists only).
    """

    name: str
    title: str
    description: str
    source: str
    values: list[Any] | dict[str, Any]
    path: str
    extends: str | None = None

    @property
    def codes(self) -> list[str]:
        """The list's own codes: the keys of a mapping, or the items of a list."""
        return [str(v) for v in self.values]


@dataclass(frozen=True)
class Declaration:
    """What ``reference.yaml`` says of one list: its folder and the type of its values."""

    name: str
    folder: str
    values: Any


# -- reading files ------------------------------------------------------------------------------

SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""PyYAML's safe loader, in C where libyaml is there: the same documents, read ten times faster
(every command reads the contract, so this is a part of how long ``onca`` takes to start)."""


def read_yaml_text(text: str) -> Any:
    """One YAML document, read safely (no Python objects)."""
    return yaml.load(text, Loader=SAFE_LOADER)


def _read_yaml(path: Path) -> Any:
    try:
        return read_yaml_text(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise ContractError(f"{file_label(path)}: not valid YAML: {e}") from e
    except OSError as e:
        raise ContractError(f"{file_label(path)}: cannot read it: {e}") from e


def read_reference(path: Path, *, strict: bool = True) -> ReferenceList:
    """Read one list file and check its shape (not yet its values' types). ``strict`` refuses
    fields a list file does not have (Onca's own lists); a user's list may carry more (a date,
    an author), which are ignored."""
    where = file_label(path)
    doc = _read_yaml(path)
    if not isinstance(doc, dict):
        raise ContractError(
            f"{where}: expected a mapping with name, title, source and values,"
            f" found {type(doc).__name__}"
        )
    unknown = sorted(str(k) for k in doc if k not in _FILE_KEYS)
    if unknown and strict:
        raise ContractError(
            f"{where}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(_FILE_KEYS)}"
        )
    missing = [k for k in ("name", "source", "values") if k not in doc]
    if not ("title" in doc or "description" in doc):
        missing.append("title (or description)")
    if missing:
        raise ContractError(f"{where}: missing required field(s) {', '.join(missing)}")
    if doc["name"] != path.stem:
        raise ContractError(f"{where}: name {doc['name']!r} must match the file name")
    values = doc["values"]
    if not isinstance(values, list | dict) or not values:
        raise ContractError(
            f"{where}: field 'values': expected a non-empty list or mapping,"
            f" found {type(values).__name__}"
        )
    title = str(doc.get("title") or "").strip()
    description = str(doc.get("description") or "").strip()
    extends = doc.get("extends")
    return ReferenceList(
        name=str(doc["name"]),
        title=title or description,
        description=description or title,
        source=str(doc["source"]),
        values=values,
        path=str(path),
        extends=None if extends is None else str(extends),
    )


def read_reference_dir(directory: Path, *, strict: bool = True) -> dict[str, ReferenceList]:
    """Every ``*.yaml`` list in ``directory``, by name (shapes checked, values not yet)."""
    return {
        p.stem: read_reference(p, strict=strict) for p in sorted(Path(directory).glob("*.yaml"))
    }


# -- declarations -------------------------------------------------------------------------------


def load_declarations(path: Path = DECLARATIONS) -> dict[str, Declaration]:
    """The lists ``reference.yaml`` declares, each checked to be well formed."""
    doc = _read_yaml(path)
    where = path.name
    if not isinstance(doc, dict) or set(doc) != {"folders", "lists"}:
        raise ContractError(f"{where}: expected the two fields folders and lists")
    folders = doc["folders"]
    out: dict[str, Declaration] = {}
    for name, spec in (doc["lists"] or {}).items():
        at = f"{where}: list {name!r}"
        if not isinstance(spec, dict) or set(spec) != {"folder", "values"}:
            raise ContractError(f"{at}: expected the two fields folder and values")
        if spec["folder"] not in folders:
            raise ContractError(
                f"{at}: folder {spec['folder']!r} is not one of {', '.join(folders)}"
            )
        check_spec(spec["values"], f"{at}, values")
        out[str(name)] = Declaration(str(name), str(spec["folder"]), spec["values"])
    for decl in out.values():
        for target in sorted(codes_named(decl.values) - set(out)):
            raise ContractError(
                f"{where}: list {decl.name!r} refers to codes of {target!r}, which is not declared"
            )
    return out


@cache
def declarations() -> dict[str, Declaration]:
    """The declarations of the lists Onca ships (``reference.yaml``; read once)."""
    return load_declarations()


def check_reference_set(
    lists: Mapping[str, ReferenceList], declared: Mapping[str, Declaration] | None = None
) -> None:
    """Check every list's values against its declared type, cross-references included.

    A list that ``declared`` (default: Onca's declarations) does not name is checked for its
    ``extends`` only. ``{code: LIST}`` looks LIST up in ``lists``.
    """
    declared = declarations() if declared is None else declared
    checker = ValueChecker(lists)
    for ref in lists.values():
        where = file_label(Path(ref.path))
        if ref.extends:
            checker.codes(ref.name)
        decl = declared.get(ref.name)
        if decl is None:
            continue
        try:
            checker.check(ref.values, decl.values, [])
        except BadValue as e:
            raise ContractError(f"{where}: {place(e.path)}: {e.problem}") from None


# -- the lists Onca ships -----------------------------------------------------------------------


def load_references_from(
    root: Path, declared: Mapping[str, Declaration] | None = None
) -> dict[str, ReferenceList]:
    """Every declared list under ``root`` (a copy of ``src/onca``), checked as a whole set.

    Each declared list must have its file in its folder, and each file in a declared folder must
    be declared.
    """
    declared = declarations() if declared is None else declared
    lists: dict[str, ReferenceList] = {}
    for folder in sorted({d.folder for d in declared.values()}):
        for name, ref in read_reference_dir(root / folder).items():
            decl = declared.get(name)
            if decl is None or decl.folder != folder:
                raise ContractError(
                    f"{file_label(Path(ref.path))}: the list {name!r} is not declared in"
                    f" {DECLARATIONS.name} for the folder {folder}"
                )
            lists[name] = ref
    for name in sorted(set(declared) - set(lists)):
        raise ContractError(
            f"{DECLARATIONS.name}: the list {name!r} has no file {declared[name].folder}/{name}.yaml"
        )
    check_reference_set(lists, declared)
    return lists


@cache
def shipped_references() -> dict[str, ReferenceList]:
    """Every reference list Onca ships, checked as a whole set (read once per process)."""
    return load_references_from(ONCA_DIR)


def load_reference(name: str) -> ReferenceList:
    """The shipped reference list ``name`` (code list, screening list or trade list)."""
    lists = shipped_references()
    try:
        return lists[name]
    except KeyError:
        raise ContractError(
            f"no reference list named {name!r}; known: {', '.join(sorted(lists))}"
        ) from None


def load_references(folder: str, *extra_dirs: Path) -> dict[str, ReferenceList]:
    """The shipped lists of ``folder`` (``finance/lists``...), then those in ``extra_dirs``.

    A list in ``extra_dirs`` replaces the shipped list of the same name and is checked against
    its declaration; a new name is kept with its shape checked. Cross-references are resolved
    against the shipped set with the replacements in place.
    """
    shipped = shipped_references()
    if folder not in {d.folder for d in declarations().values()}:
        raise ContractError(f"no reference folder {folder!r} in {DECLARATIONS.name}")
    extra: dict[str, ReferenceList] = {}
    for directory in extra_dirs:
        extra.update(read_reference_dir(Path(directory), strict=False))
    if extra:
        check_reference_set({**shipped, **extra})
    ours = {n: r for n, r in shipped.items() if declarations()[n].folder == folder}
    return {**ours, **extra}


def code_set(names: Iterable[str]) -> set[str]:
    """Every code of the shipped lists ``names``, with the codes of lists they extend."""
    checker = ValueChecker(shipped_references())
    return set().union(*(checker.codes(n) for n in names))
