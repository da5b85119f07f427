"""Load the data contract from its YAML files and check that it hangs together."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml

from onca.contract._model import COLUMN_TYPES, CodeList, Column, Contract, RowCheck, Table
from onca.errors import ContractError

CONTRACT_VERSION = 1
"""Bumped when a table changes shape; the workspace records it and migrates older files."""

_TABLE_KEYS = {"name", "title", "description", "primary_key", "columns", "checks"}
_COLUMN_KEYS = {
    "name", "type", "required", "description", "codes", "references",
    "scale", "min", "max", "min_exclusive", "pattern",
}  # fmt: skip
_CHECK_KEYS = {"name", "sql", "reason", "description"}
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
T = TypeVar("T", CodeList, Table)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise ContractError(f"{path.name}: not valid YAML: {e}") from e
    if not isinstance(doc, dict):
        raise ContractError(
            f"{path.name}: expected a mapping at the top, found {type(doc).__name__}"
        )
    return doc


def _require(doc: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    missing = [k for k in keys if k not in doc]
    if missing:
        raise ContractError(f"{where}: missing required field(s) {', '.join(missing)}")


def _no_unknown(doc: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(doc) - allowed)
    if unknown:
        raise ContractError(
            f"{where}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )


def parse_code_list(doc: dict[str, Any], where: str) -> CodeList:
    _require(doc, ("name", "title", "source", "values"), where)
    values = doc["values"]
    if not isinstance(values, dict) or not values:
        raise ContractError(f"{where}: 'values' must be a non-empty mapping of code to label")
    return CodeList(
        name=str(doc["name"]),
        title=str(doc["title"]),
        source=str(doc["source"]),
        values={str(k): str(v) for k, v in values.items()},
    )


def parse_column(doc: dict[str, Any], where: str) -> Column:
    _require(doc, ("name", "type"), where)
    _no_unknown(doc, _COLUMN_KEYS, where)
    where = f"{where} column {doc['name']!r}"
    if not _IDENTIFIER.match(str(doc["name"])):
        raise ContractError(f"{where}: name must be lower_snake_case")
    if doc["type"] not in COLUMN_TYPES:
        raise ContractError(
            f"{where}: unknown type {doc['type']!r}; expected one of {', '.join(COLUMN_TYPES)}"
        )
    if doc["type"] in ("code", "code_list") and not doc.get("codes"):
        raise ContractError(f"{where}: a {doc['type']} column needs 'codes' (a code list name)")
    if doc["type"] not in ("code", "code_list") and doc.get("codes"):
        raise ContractError(f"{where}: 'codes' only applies to code and code_list columns")
    if doc["type"] == "decimal" and not isinstance(doc.get("scale"), int):
        raise ContractError(f"{where}: a decimal column needs an integer 'scale'")
    ref = doc.get("references")
    if ref is not None and (not isinstance(ref, str) or ref.count(".") != 1):
        raise ContractError(f"{where}: 'references' must read table.column, found {ref!r}")
    pattern = doc.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as e:
            raise ContractError(f"{where}: 'pattern' is not a valid regular expression: {e}") from e
    return Column(
        name=doc["name"],
        type=doc["type"],
        required=bool(doc.get("required", False)),
        description=str(doc.get("description", "")),
        codes=doc.get("codes"),
        references=ref,
        scale=doc.get("scale"),
        min=doc.get("min"),
        max=doc.get("max"),
        min_exclusive=bool(doc.get("min_exclusive", False)),
        pattern=pattern,
    )


def parse_table(doc: dict[str, Any], where: str) -> Table:
    _require(doc, ("name", "title", "primary_key", "columns"), where)
    _no_unknown(doc, _TABLE_KEYS, where)
    if not isinstance(doc["columns"], list) or not doc["columns"]:
        raise ContractError(f"{where}: 'columns' must be a non-empty list")
    columns = tuple(parse_column(c, where) for c in doc["columns"])
    names = [c.name for c in columns]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ContractError(f"{where}: duplicate column(s) {', '.join(dupes)}")
    if doc["primary_key"] not in names:
        raise ContractError(f"{where}: primary_key {doc['primary_key']!r} is not a column")
    checks = []
    for c in doc.get("checks") or []:
        _require(c, ("name", "sql", "reason"), f"{where} check")
        _no_unknown(c, _CHECK_KEYS, f"{where} check {c['name']!r}")
        checks.append(RowCheck(c["name"], c["sql"], c["reason"], c.get("description", "")))
    return Table(
        name=doc["name"],
        title=doc["title"],
        primary_key=doc["primary_key"],
        columns=columns,
        description=str(doc.get("description", "")).strip(),
        checks=tuple(checks),
    )


def check_contract(contract: Contract) -> None:
    """Raise ContractError unless every reference in the contract resolves."""
    for table in contract.tables.values():
        pk = table.column(table.primary_key)
        if not pk.required or pk.type != "string":
            raise ContractError(f"{table.name}: primary key {pk.name!r} must be a required string")
        for col in table.columns:
            where = f"{table.name}.{col.name}"
            if col.codes and col.codes not in contract.codes:
                raise ContractError(f"{where}: unknown code list {col.codes!r}")
            if col.references:
                target_table, target_col = col.references.split(".")
                if target_table not in contract.tables:
                    raise ContractError(f"{where}: references unknown table {target_table!r}")
                if target_col != contract.tables[target_table].primary_key:
                    raise ContractError(
                        f"{where}: references {col.references}, which is not the primary key"
                        f" of {target_table}"
                    )
    contract.load_order()  # raises on a cycle


def _load_folder(folder: Path, parse: Callable[[dict[str, Any], str], T]) -> dict[str, T]:
    """Parse every ``*.yaml`` in ``folder``; each item's name must match its file name."""
    items: dict[str, T] = {}
    for path in sorted(folder.glob("*.yaml")):
        item = parse(_read_yaml(path), path.name)
        name = item.name
        if name != path.stem:
            raise ContractError(f"{path.name}: name {name!r} must match the file name")
        items[name] = item
    return items


def load_contract_from(directory: Path) -> Contract:
    """Load a contract from ``directory/tables/*.yaml`` and ``directory/codes/*.yaml``."""
    codes = _load_folder(directory / "codes", parse_code_list)
    tables = _load_folder(directory / "tables", parse_table)
    if not tables:
        raise ContractError(f"{directory}: no table schemas found under tables/")
    contract = Contract(version=CONTRACT_VERSION, tables=tables, codes=codes)
    check_contract(contract)
    return contract


@cache
def load_contract() -> Contract:
    """The data contract shipped with Onca (cached: it is read once per process)."""
    directory = Path(str(resources.files("onca.contract")))
    return load_contract_from(directory)
