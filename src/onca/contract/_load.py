"""Load the data contract from its YAML files and check that it hangs together."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from onca.contract._model import COLUMN_TYPES, CodeList, Column, Contract, RowCheck, Table
from onca.contract._reference import (
    ReferenceList,
    check_reference_set,
    read_reference_dir,
    read_yaml_text,
)
from onca.errors import ContractError

CONTRACT_VERSION = 1
"""Bumped when a table changes shape; the workspace records it and migrates older files."""

_TABLE_KEYS = {"name", "title", "description", "primary_key", "columns", "checks"}
_COLUMN_KEYS = {
    *("name", "type", "required", "description", "codes", "references"),
    *("scale", "min", "max", "min_exclusive", "pattern", "headers"),
}
_CHECK_KEYS = {"name", "sql", "reason", "description"}
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        doc = read_yaml_text(path.read_text(encoding="utf-8"))
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


def code_list(ref: ReferenceList, base: CodeList | None = None) -> CodeList:
    """The code list of a reference list whose values map code to label (or to a record with a
    ``label`` and ``aliases``) or list the codes; ``base`` is the list it extends."""
    where = Path(ref.path).name
    codes: dict[str, str] = dict(base.values) if base else {}
    aliases: dict[str, str] = dict(base.aliases) if base else {}
    items = ref.values.items() if isinstance(ref.values, dict) else ((v, v) for v in ref.values)
    for code, entry in items:
        label = entry.get("label") if isinstance(entry, dict) else entry
        if not isinstance(code, str) or not isinstance(label, str):
            raise ContractError(
                f"{where}: entry {code!r}: a code list maps a code to a label (text), or to a"
                f" record with a label; found {entry!r}"
            )
        codes[code] = label
        named = (entry.get("aliases") or []) if isinstance(entry, dict) else []
        for alias in named:
            if aliases.get(alias, code) != code:
                raise ContractError(
                    f"{where}: entry {code!r}, field 'aliases': {alias!r} already names"
                    f" {aliases.get(alias, alias)!r}"
                )
            aliases[str(alias)] = code
    clash = sorted(set(codes) & set(aliases))
    if clash:
        raise ContractError(f"{where}: {', '.join(clash)} is both a code and an alias")
    return CodeList(
        name=ref.name, title=ref.title, source=ref.source, values=codes, aliases=aliases
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
    headers = doc.get("headers") or []
    if not isinstance(headers, list) or not all(
        isinstance(h, str) and h == h.strip().lower() and h for h in headers
    ):
        raise ContractError(f"{where}: 'headers' must be a list of lower-case column names")
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
        headers=tuple(headers),
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
    if doc["primary_key"] is not None and doc["primary_key"] not in names:
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
        if table.primary_key is not None:
            pk = table.column(table.primary_key)
            if not pk.required or pk.type != "string":
                raise ContractError(
                    f"{table.name}: primary key {pk.name!r} must be a required string"
                )
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


def _load_tables(folder: Path) -> dict[str, Table]:
    """Parse every ``*.yaml`` in ``folder``; each table's name must match its file name."""
    tables: dict[str, Table] = {}
    for path in sorted(folder.glob("*.yaml")):
        table = parse_table(_read_yaml(path), path.name)
        if table.name != path.stem:
            raise ContractError(f"{path.name}: name {table.name!r} must match the file name")
        tables[table.name] = table
    return tables


def _load_codes(folder: Path) -> dict[str, CodeList]:
    """The code lists in ``folder``, read and checked by the reference-data loader."""
    refs = read_reference_dir(folder)
    check_reference_set(refs)
    codes: dict[str, CodeList] = {}

    def build(name: str) -> CodeList:
        if name not in codes:
            ref = refs[name]
            base = build(ref.extends) if ref.extends else None
            codes[name] = code_list(ref, base)
        return codes[name]

    for name in refs:
        build(name)
    return dict(sorted(codes.items()))


def load_contract_from(directory: Path) -> Contract:
    """Load a contract from ``directory/tables/*.yaml`` and ``directory/codes/*.yaml``."""
    codes = _load_codes(directory / "codes")
    tables = _load_tables(directory / "tables")
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
