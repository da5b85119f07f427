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

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from onca.errors import ContractError

ONCA_DIR = Path(str(resources.files("onca")))
"""The folder the ``folders`` of ``reference.yaml`` are relative to."""
DECLARATIONS = Path(__file__).with_name("reference.yaml")

_FILE_KEYS = ("name", "title", "description", "source", "extends", "values")
_SIMPLE_TYPES = ("text", "positive", "date")
_COMPOUND_TYPES = ("pattern", "one_of", "code", "list", "mapping", "record")


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


def _where(path: Path) -> str:
    """A file as messages name it: its folder and name (``lists/cash_thresholds.yaml``)."""
    return f"{path.parent.name}/{path.name}"


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise ContractError(f"{_where(path)}: not valid YAML: {e}") from e
    except OSError as e:
        raise ContractError(f"{_where(path)}: cannot read it: {e}") from e


def read_reference(path: Path) -> ReferenceList:
    """Read one list file and check its shape (not yet its values' types)."""
    where = _where(path)
    doc = _read_yaml(path)
    if not isinstance(doc, dict):
        raise ContractError(
            f"{where}: expected a mapping with name, title, source and values,"
            f" found {type(doc).__name__}"
        )
    unknown = sorted(str(k) for k in doc if k not in _FILE_KEYS)
    if unknown:
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


def read_reference_dir(directory: Path) -> dict[str, ReferenceList]:
    """Every ``*.yaml`` list in ``directory``, by name (shapes checked, values not yet)."""
    return {p.stem: read_reference(p) for p in sorted(Path(directory).glob("*.yaml"))}


# -- declarations -------------------------------------------------------------------------------


def _check_spec(spec: Any, where: str) -> None:
    """Refuse a malformed type in ``reference.yaml`` (or a code list's default type)."""
    if isinstance(spec, str):
        if spec not in _SIMPLE_TYPES:
            raise ContractError(
                f"{where}: unknown type {spec!r}; expected one of {', '.join(_SIMPLE_TYPES)}"
                f" or a mapping with one of {', '.join(_COMPOUND_TYPES)}"
            )
        return
    if not isinstance(spec, dict) or len(spec) != 1:
        raise ContractError(f"{where}: a type is a name or a mapping with one key, found {spec!r}")
    ((kind, arg),) = spec.items()
    if kind == "pattern":
        try:
            re.compile(str(arg))
        except re.error as e:
            raise ContractError(f"{where}: pattern {arg!r} is not a regular expression: {e}") from e
    elif kind == "one_of":
        if not isinstance(arg, list) or not arg:
            raise ContractError(f"{where}: one_of needs a non-empty list")
    elif kind == "code":
        if not isinstance(arg, str):
            raise ContractError(f"{where}: code needs a list name, found {arg!r}")
    elif kind == "list":
        _check_spec(arg, f"{where}.list")
    elif kind == "mapping":
        if not isinstance(arg, list) or len(arg) != 2:
            raise ContractError(f"{where}: mapping needs [KEY, VALUE] types, found {arg!r}")
        _check_spec(arg[0], f"{where}.mapping key")
        _check_spec(arg[1], f"{where}.mapping value")
    elif kind == "record":
        if not isinstance(arg, dict) or not arg:
            raise ContractError(f"{where}: record needs a mapping of field to type")
        for field, sub in arg.items():
            _check_spec(sub, f"{where}.{field}")
    else:
        raise ContractError(
            f"{where}: unknown type {kind!r}; expected one of {', '.join(_COMPOUND_TYPES)}"
        )


def _codes_named(spec: Any) -> set[str]:
    """The lists a type refers to with ``{code: LIST}``."""
    if isinstance(spec, dict):
        ((kind, arg),) = spec.items()
        if kind == "code":
            return {str(arg)}
        if kind == "list":
            return _codes_named(arg)
        if kind == "mapping":
            return _codes_named(arg[0]) | _codes_named(arg[1])
        if kind == "record":
            return set().union(*(_codes_named(s) for s in arg.values()))
    return set()


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
        _check_spec(spec["values"], f"{at}, values")
        out[str(name)] = Declaration(str(name), str(spec["folder"]), spec["values"])
    for decl in out.values():
        for target in sorted(_codes_named(decl.values) - set(out)):
            raise ContractError(
                f"{where}: list {decl.name!r} refers to codes of {target!r}, which is not declared"
            )
    return out


@cache
def declarations() -> dict[str, Declaration]:
    """The declarations of the lists Onca ships (``reference.yaml``; read once)."""
    return load_declarations()


# -- checking values ----------------------------------------------------------------------------


class _Bad(Exception):
    """A value that breaks its type, with where it sits inside the list's values."""

    def __init__(self, path: list[str | int], problem: str) -> None:
        super().__init__(problem)
        self.path = path
        self.problem = problem


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Checker:
    """Checks values against types; ``{code: LIST}`` is looked up in ``lists``."""

    def __init__(self, lists: Mapping[str, ReferenceList]) -> None:
        self.lists = lists
        self._codes: dict[str, set[str]] = {}

    def codes(self, name: str, seen: tuple[str, ...] = ()) -> set[str]:
        """Every code of list ``name``, with those of the lists it extends."""
        if name in self._codes:
            return self._codes[name]
        if name in seen:
            raise ContractError(f"lists extend each other in a cycle: {' -> '.join(seen)}")
        ref = self.lists.get(name)
        if ref is None:
            raise KeyError(name)
        codes = set(ref.codes)
        if ref.extends:
            try:
                codes |= self.codes(ref.extends, (*seen, name))
            except KeyError:
                raise ContractError(
                    f"{_where(Path(ref.path))}: field 'extends': no list named {ref.extends!r}"
                ) from None
        self._codes[name] = codes
        return codes

    def check(self, value: Any, spec: Any, path: list[str | int]) -> None:
        if isinstance(spec, str):
            self._simple(value, spec, path)
            return
        ((kind, arg),) = spec.items()
        if kind in ("pattern", "one_of", "code"):
            if not isinstance(value, str):
                raise _Bad(path, f"expected text, found {_shown(value)} (quote it)")
            if kind == "pattern" and not re.fullmatch(str(arg), value):
                raise _Bad(path, f"{_shown(value)} does not match {arg}")
            if kind == "one_of" and value not in arg:
                raise _Bad(path, f"{_shown(value)} is not one of {', '.join(map(str, arg))}")
            if kind == "code":
                try:
                    known = self.codes(str(arg))
                except KeyError:
                    raise _Bad(path, f"refers to the list {arg!r}, which is not loaded") from None
                if value not in known:
                    raise _Bad(path, f"{_shown(value)} is not a code of {arg}")
        elif kind == "list":
            if not isinstance(value, list):
                raise _Bad(path, f"expected a list, found {_shown(value)}")
            for i, item in enumerate(value, start=1):
                self.check(item, arg, [*path, i])
        elif kind == "mapping":
            if not isinstance(value, dict):
                raise _Bad(path, f"expected a mapping, found {_shown(value)}")
            for key, item in value.items():
                try:
                    self.check(key, arg[0], [*path, str(key)])
                except _Bad as e:
                    raise _Bad(e.path, f"key {e.problem}") from None
                self.check(item, arg[1], [*path, str(key)])
        elif kind == "record":
            self._record(value, arg, path)

    def _simple(self, value: Any, spec: str, path: list[str | int]) -> None:
        if spec == "text" and not isinstance(value, str):
            raise _Bad(path, f"expected text, found {_shown(value)} (quote it)")
        if spec == "positive" and (
            isinstance(value, bool) or not isinstance(value, int | float) or not value > 0
        ):
            raise _Bad(path, f"expected a number above zero, found {_shown(value)}")
        if spec == "date" and not isinstance(value, dt.date):
            try:
                dt.date.fromisoformat(str(value))
            except ValueError:
                raise _Bad(path, f"expected a date YYYY-MM-DD, found {_shown(value)}") from None

    def _record(self, value: Any, fields: dict[str, Any], path: list[str | int]) -> None:
        if not isinstance(value, dict):
            raise _Bad(path, f"expected a mapping with fields, found {_shown(value)}")
        allowed = {f.rstrip("?"): spec for f, spec in fields.items()}
        required = [f for f in fields if not f.endswith("?")]
        unknown = sorted(str(k) for k in value if k not in allowed)
        if unknown:
            raise _Bad(
                path, f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}"
            )
        missing = [f for f in required if f not in value]
        if missing:
            raise _Bad(path, f"missing field(s) {', '.join(missing)}")
        for field, item in value.items():
            self.check(item, allowed[field], [*path, field])


def _place(path: list[str | int]) -> str:
    """``entry 'g', field 'convert.to'`` for the path ``['g', 'convert', 'to']``."""
    if not path:
        return "field 'values'"
    head, rest = path[0], path[1:]
    entry = f"entry {head}" if isinstance(head, int) else f"entry {head!r}"
    if not rest:
        return entry
    field = ""
    for part in rest:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else part)
    return f"{entry}, field {field!r}"


def check_reference_set(
    lists: Mapping[str, ReferenceList], declared: Mapping[str, Declaration] | None = None
) -> None:
    """Check every list's values against its declared type, cross-references included.

    A list that ``declared`` (default: Onca's declarations) does not name is checked for its
    ``extends`` only. ``{code: LIST}`` looks LIST up in ``lists``.
    """
    declared = declarations() if declared is None else declared
    checker = _Checker(lists)
    for ref in lists.values():
        where = _where(Path(ref.path))
        if ref.extends:
            checker.codes(ref.name)
        decl = declared.get(ref.name)
        if decl is None:
            continue
        try:
            checker.check(ref.values, decl.values, [])
        except _Bad as e:
            raise ContractError(f"{where}: {_place(e.path)}: {e.problem}") from None


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
                    f"{_where(Path(ref.path))}: the list {name!r} is not declared in"
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
        extra.update(read_reference_dir(Path(directory)))
    if extra:
        check_reference_set({**shipped, **extra})
    ours = {n: r for n, r in shipped.items() if declarations()[n].folder == folder}
    return {**ours, **extra}


def code_set(names: Iterable[str]) -> set[str]:
    """Every code of the shipped lists ``names``, with the codes of lists they extend."""
    checker = _Checker(shipped_references())
    return set().union(*(checker.codes(n) for n in names))
