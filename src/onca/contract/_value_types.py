"""The value types of reference lists (``reference.yaml``) and the checker that applies them.

A type is a name (``text``, ``positive``, ``date``) or a mapping with one key: ``pattern``,
``one_of``, ``code`` (a cross-reference to another list's codes), ``list``, ``mapping`` or
``record``. :class:`ValueChecker` raises :class:`BadValue` with the path of the bad value inside
a list's values; :func:`place` writes that path as messages show it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onca.errors import ContractError

if TYPE_CHECKING:
    from onca.contract._reference import ReferenceList

SIMPLE_TYPES = ("text", "positive", "date")
COMPOUND_TYPES = ("pattern", "one_of", "code", "list", "mapping", "record")


def file_label(path: Path) -> str:
    """A file as messages name it: its folder and name (``lists/cash_thresholds.yaml``)."""
    return f"{path.parent.name}/{path.name}"


def check_spec(spec: Any, where: str) -> None:
    """Refuse a malformed type in ``reference.yaml`` (or a code list's default type)."""
    if isinstance(spec, str):
        if spec not in SIMPLE_TYPES:
            raise ContractError(
                f"{where}: unknown type {spec!r}; expected one of {', '.join(SIMPLE_TYPES)}"
                f" or a mapping with one of {', '.join(COMPOUND_TYPES)}"
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
        check_spec(arg, f"{where}.list")
    elif kind == "mapping":
        if not isinstance(arg, list) or len(arg) != 2:
            raise ContractError(f"{where}: mapping needs [KEY, VALUE] types, found {arg!r}")
        check_spec(arg[0], f"{where}.mapping key")
        check_spec(arg[1], f"{where}.mapping value")
    elif kind == "record":
        if not isinstance(arg, dict) or not arg:
            raise ContractError(f"{where}: record needs a mapping of field to type")
        for field, sub in arg.items():
            check_spec(sub, f"{where}.{field}")
    else:
        raise ContractError(
            f"{where}: unknown type {kind!r}; expected one of {', '.join(COMPOUND_TYPES)}"
        )


def codes_named(spec: Any) -> set[str]:
    """The lists a type refers to with ``{code: LIST}``."""
    if isinstance(spec, dict):
        ((kind, arg),) = spec.items()
        if kind == "code":
            return {str(arg)}
        if kind == "list":
            return codes_named(arg)
        if kind == "mapping":
            return codes_named(arg[0]) | codes_named(arg[1])
        if kind == "record":
            return set().union(*(codes_named(s) for s in arg.values()))
    return set()


class BadValue(Exception):
    """A value that breaks its type, with where it sits inside the list's values."""

    def __init__(self, path: list[str | int], problem: str) -> None:
        super().__init__(problem)
        self.path = path
        self.problem = problem


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class ValueChecker:
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
                    f"{file_label(Path(ref.path))}: field 'extends': no list named {ref.extends!r}"
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
                raise BadValue(path, f"expected text, found {_shown(value)} (quote it)")
            if kind == "pattern" and not re.fullmatch(str(arg), value):
                raise BadValue(path, f"{_shown(value)} does not match {arg}")
            if kind == "one_of" and value not in arg:
                raise BadValue(path, f"{_shown(value)} is not one of {', '.join(map(str, arg))}")
            if kind == "code":
                try:
                    known = self.codes(str(arg))
                except KeyError:
                    raise BadValue(
                        path, f"refers to the list {arg!r}, which is not loaded"
                    ) from None
                if value not in known:
                    raise BadValue(path, f"{_shown(value)} is not a code of {arg}")
        elif kind == "list":
            if not isinstance(value, list):
                raise BadValue(path, f"expected a list, found {_shown(value)}")
            for i, item in enumerate(value, start=1):
                self.check(item, arg, [*path, i])
        elif kind == "mapping":
            if not isinstance(value, dict):
                raise BadValue(path, f"expected a mapping, found {_shown(value)}")
            for key, item in value.items():
                try:
                    self.check(key, arg[0], [*path, str(key)])
                except BadValue as e:
                    raise BadValue(e.path, f"key {e.problem}") from None
                self.check(item, arg[1], [*path, str(key)])
        elif kind == "record":
            self._record(value, arg, path)

    def _simple(self, value: Any, spec: str, path: list[str | int]) -> None:
        if spec == "text" and not isinstance(value, str):
            raise BadValue(path, f"expected text, found {_shown(value)} (quote it)")
        if spec == "positive" and (
            isinstance(value, bool) or not isinstance(value, int | float) or not value > 0
        ):
            raise BadValue(path, f"expected a number above zero, found {_shown(value)}")
        if spec == "date" and not isinstance(value, dt.date):
            try:
                dt.date.fromisoformat(str(value))
            except ValueError:
                raise BadValue(path, f"expected a date YYYY-MM-DD, found {_shown(value)}") from None

    def _record(self, value: Any, fields: dict[str, Any], path: list[str | int]) -> None:
        if not isinstance(value, dict):
            raise BadValue(path, f"expected a mapping with fields, found {_shown(value)}")
        allowed = {f.rstrip("?"): spec for f, spec in fields.items()}
        required = [f for f in fields if not f.endswith("?")]
        unknown = sorted(str(k) for k in value if k not in allowed)
        if unknown:
            raise BadValue(
                path, f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}"
            )
        missing = [f for f in required if f not in value]
        if missing:
            raise BadValue(path, f"missing field(s) {', '.join(missing)}")
        for field, item in value.items():
            self.check(item, allowed[field], [*path, field])


def place(path: list[str | int]) -> str:
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
