"""Red-flag typologies as data: one YAML file each, loaded into typed objects and checked.

A typology file holds::

    id: structuring                    # the file name without .yaml
    title: Structuring below the cash reporting threshold
    titles: {es: Fraccionamiento ..., pt: Fracionamento ...}   # optional: the title translated
    description: what an analyst should know, in plain words
    source: [FATF 2020 ..., ...]
    severity: high                     # low | medium | high
    subject: account                   # party | account | transaction | shipment | permit
    tables: [transactions, accounts]   # contract tables the SQL reads
    parameters:
      window_days: {type: integer, default: 7, min: 1, description: ...}
      thresholds: {type: mapping, default: {list: cash_thresholds}, description: ...}
    evidence: "{{ n }} cash deposits of {{ amounts | amounts }} {{ currency }} ..."
    sql: |
      SELECT ... AS subject_id, ... AS party_id, ... AS window_start, ... AS window_end,
             ... AS score, <evidence columns>
      FROM ...

The SQL is a Jinja2 template in DuckDB's dialect (see ``_sqltemplate``). It must return the
columns in :data:`REQUIRED_COLUMNS` plus every name the evidence template uses. Loading checks
all of it, naming the file and the field: required fields, parameter types and bounds, tables and
columns against the data contract (with sqlglot), output columns and template names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import sqlglot
import yaml
from sqlglot import exp
from sqlglot.optimizer.qualify import qualify

from onca.contract import Contract, load_contract
from onca.errors import TypologyError
from onca.finance import _evidence
from onca.finance._lists import ReferenceList, load_lists
from onca.finance._sqltemplate import make_environment

TYPOLOGIES_DIR = Path(__file__).with_name("typologies")
REQUIRED_COLUMNS = ("subject_id", "party_id", "window_start", "window_end", "score")
SEVERITY_WEIGHT = {"low": 0.4, "medium": 0.7, "high": 1.0}
SUBJECTS = ("party", "account", "transaction", "shipment", "permit")
PARAMETER_TYPES = ("integer", "number", "string", "list", "mapping")
_FIELDS = (
    "id",
    "title",
    "titles",
    "description",
    "source",
    "severity",
    "subject",
    "tables",
    "parameters",
    "evidence",
    "sql",
)
_ID = re.compile(r"^[a-z][a-z0-9_]{2,63}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_SQL_TYPES = {
    "string": "VARCHAR",
    "code": "VARCHAR",
    "code_list": "VARCHAR[]",
    "string_list": "VARCHAR[]",
    "decimal": "DECIMAL(18, 3)",
    "double": "DOUBLE",
    "integer": "BIGINT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}


@dataclass(frozen=True)
class Parameter:
    """A typology parameter: its type, default value, bounds and meaning."""

    name: str
    type: str
    default: Any
    description: str
    min: float | None = None
    max: float | None = None

    def check(self, value: Any, where: str) -> Any:
        """``value`` converted to this parameter's type; TypologyError naming ``where`` if not."""
        kind = self.type
        ok = (
            (kind == "integer" and isinstance(value, int) and not isinstance(value, bool))
            or (kind == "number" and isinstance(value, int | float) and not isinstance(value, bool))
            or (kind == "string" and isinstance(value, str))
            or (kind == "list" and isinstance(value, list) and value)
            or (kind == "mapping" and isinstance(value, dict) and value)
        )
        if not ok:
            raise TypologyError(f"expected a non-empty {kind}, found {value!r}", source=where)
        if kind in ("integer", "number"):
            if self.min is not None and value < self.min:
                raise TypologyError(f"must be >= {self.min}, found {value!r}", source=where)
            if self.max is not None and value > self.max:
                raise TypologyError(f"must be <= {self.max}, found {value!r}", source=where)
        return float(value) if kind == "number" else value


@dataclass(frozen=True)
class Typology:
    """One red-flag typology, checked against the data contract when loaded."""

    id: str
    title: str
    description: str
    sources: tuple[str, ...]
    severity: str
    subject: str
    tables: tuple[str, ...]
    parameters: dict[str, Parameter]
    evidence: str
    sql_template: str
    path: str
    fx_units_per_usd: Mapping[str, float] = field(repr=False, default_factory=dict)
    cash_desks: Mapping[str, Any] = field(repr=False, default_factory=dict)
    titles: Mapping[str, str] = field(default_factory=dict)

    def title_in(self, language: str) -> str:
        """The title in ``language`` (a two-letter code), else the English ``title``."""
        return self.titles.get(language, self.title)

    @property
    def weight(self) -> float:
        return SEVERITY_WEIGHT[self.severity]

    def values(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Parameter values: defaults, replaced by ``overrides`` (checked)."""
        values = {name: p.default for name, p in self.parameters.items()}
        for name, value in (overrides or {}).items():
            if name not in self.parameters:
                known = ", ".join(sorted(self.parameters)) or "none"
                raise TypologyError(
                    f"typology {self.id} has no parameter {name!r} (it has: {known})",
                    source=self.path,
                )
            values[name] = self.parameters[name].check(value, f"{self.id}.{name}")
        return values

    def render(self, overrides: Mapping[str, Any] | None = None) -> str:
        """The typology's SQL (DuckDB dialect) with its parameter values filled in."""
        env = make_environment(self.fx_units_per_usd, self.cash_desks)
        try:
            return env.from_string(self.sql_template).render(**self.values(overrides))
        except (jinja2.TemplateError, TypeError) as e:
            raise TypologyError(f"cannot render the SQL: {e}", source=self.path, field="sql") from e

    def sentence(self, row: Mapping[str, Any], values: Mapping[str, Any] | None = None) -> str:
        """The evidence template filled with one result row and the parameter ``values``."""
        context = {**(self.values() if values is None else values), **row}
        try:
            return _evidence.template(self.evidence).render(**context).strip()
        except (jinja2.TemplateError, TypeError, ValueError) as e:
            raise TypologyError(
                f"cannot render the evidence: {e}", source=self.path, field="evidence"
            ) from e


def _parameter(name: str, spec: Any, lists: dict[str, ReferenceList], where: str) -> Parameter:
    ctx = f"{where}, field 'parameters.{name}'"
    if not isinstance(spec, dict):
        raise TypologyError(f"expected a mapping with type and default, found {spec!r}", source=ctx)
    unknown = set(spec) - {"type", "default", "description", "min", "max"}
    if unknown:
        raise TypologyError(f"unknown keys {sorted(unknown)}", source=ctx)
    kind = spec.get("type")
    if kind not in PARAMETER_TYPES:
        raise TypologyError(
            f"type must be one of {', '.join(PARAMETER_TYPES)}, found {kind!r}", source=ctx
        )
    if "default" not in spec or not spec.get("description"):
        raise TypologyError("needs a default and a description", source=ctx)
    default = spec["default"]
    if isinstance(default, dict) and set(default) == {"list"}:
        ref = lists.get(str(default["list"]))
        if ref is None:
            raise TypologyError(
                f"default names the list {default['list']!r}, which does not exist"
                f" (lists: {', '.join(sorted(lists))})",
                source=ctx,
            )
        default = list(ref.values) if kind == "list" else ref.values
    param = Parameter(
        name, kind, default, str(spec["description"]), spec.get("min"), spec.get("max")
    )
    return Parameter(name, kind, param.check(default, ctx), param.description, param.min, param.max)


def _schema(contract: Contract) -> dict[str, object]:
    return {
        name: {c.name: _SQL_TYPES.get(c.type, "VARCHAR") for c in contract.table(name).columns}
        for name in contract.load_order()
    }


def check_sql(typology: Typology, contract: Contract) -> None:
    """Parse the rendered SQL and check tables, columns and output names against the contract."""
    sql = typology.render()
    where = typology.path
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as e:
        raise TypologyError(f"the SQL does not parse: {e}", source=where, field="sql") from e
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    read = {t.name for t in tree.find_all(exp.Table) if t.name and t.name not in ctes}
    known = set(contract.load_order())
    unknown = sorted(read - known)
    if unknown:
        raise TypologyError(
            f"the SQL reads {', '.join(unknown)}, which the data contract does not have"
            f" (tables: {', '.join(sorted(known))})",
            source=where,
            field="sql",
        )
    undeclared = sorted(read - set(typology.tables))
    if undeclared:
        raise TypologyError(
            f"the SQL reads {', '.join(undeclared)}, which 'tables' does not list",
            source=where,
            field="tables",
        )
    try:
        qualify(
            tree.copy(), schema=_schema(contract), dialect="duckdb", validate_qualify_columns=True
        )
    except sqlglot.errors.OptimizeError as e:
        raise TypologyError(
            f"{e} (columns are those of the data contract)", source=where, field="sql"
        ) from e
    outputs = set(tree.named_selects) if isinstance(tree, exp.Query) else set()
    missing = [c for c in REQUIRED_COLUMNS if c not in outputs]
    if missing:
        raise TypologyError(
            f"the SQL must return the columns {', '.join(missing)}", source=where, field="sql"
        )
    env = _evidence.make_environment()
    try:
        names = jinja2.meta.find_undeclared_variables(env.parse(typology.evidence))
    except jinja2.TemplateSyntaxError as e:
        raise TypologyError(f"template error: {e}", source=where, field="evidence") from e
    absent = sorted(names - outputs - set(typology.parameters))
    if absent:
        raise TypologyError(
            f"the template uses {', '.join(absent)}, which the SQL does not return",
            source=where,
            field="evidence",
        )


def load_typology(
    path: Path, lists: dict[str, ReferenceList], contract: Contract | None = None
) -> Typology:
    """Load and check one typology file."""
    where = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise TypologyError(f"not valid YAML: {e}", source=where) from e
    if not isinstance(data, dict):
        raise TypologyError("expected a mapping of typology fields", source=where)
    unknown = sorted(set(data) - set(_FIELDS))
    if unknown:
        raise TypologyError(f"unknown fields {unknown} (known: {', '.join(_FIELDS)})", source=where)
    for key in _FIELDS:
        if key not in ("parameters", "titles") and not data.get(key):
            raise TypologyError("missing or empty", source=where, field=key)
    if not isinstance(data["id"], str) or not _ID.match(data["id"]) or data["id"] != path.stem:
        raise TypologyError(
            f"must be lower_snake_case and equal the file name {path.stem!r}, found {data['id']!r}",
            source=where,
            field="id",
        )
    if data["severity"] not in SEVERITY_WEIGHT:
        raise TypologyError(
            f"must be low, medium or high, found {data['severity']!r}",
            source=where,
            field="severity",
        )
    if data["subject"] not in SUBJECTS:
        raise TypologyError(
            f"must be one of {', '.join(SUBJECTS)}, found {data['subject']!r}",
            source=where,
            field="subject",
        )
    sources = data["source"] if isinstance(data["source"], list) else [data["source"]]
    tables = data["tables"]
    if not isinstance(tables, list) or not all(isinstance(t, str) for t in tables):
        raise TypologyError(
            f"expected a list of table names, found {tables!r}", source=where, field="tables"
        )
    params = data.get("parameters") or {}
    if not isinstance(params, dict):
        raise TypologyError("expected a mapping of parameters", source=where, field="parameters")
    titles = data.get("titles") or {}
    if not isinstance(titles, dict) or not all(
        isinstance(k, str) and _LANGUAGE.match(k) and isinstance(v, str) and v.strip()
        for k, v in titles.items()
    ):
        raise TypologyError(
            f"expected a mapping of two-letter language codes to titles, found {titles!r}",
            source=where,
            field="titles",
        )
    fx = lists["fx_units_per_usd"].values if "fx_units_per_usd" in lists else {}
    desks = lists["cash_desks"].values if "cash_desks" in lists else {}
    typology = Typology(
        id=data["id"],
        title=str(data["title"]).strip(),
        description=" ".join(str(data["description"]).split()),
        sources=tuple(str(s) for s in sources),
        severity=data["severity"],
        subject=data["subject"],
        tables=tuple(tables),
        parameters={n: _parameter(n, s, lists, where) for n, s in params.items()},
        evidence=" ".join(str(data["evidence"]).split()),
        sql_template=str(data["sql"]),
        path=where,
        fx_units_per_usd=fx if isinstance(fx, dict) else {},
        cash_desks=desks if isinstance(desks, dict) else {},
        titles={k: v.strip() for k, v in titles.items()},
    )
    check_sql(typology, contract or load_contract())
    return typology


def load_library(*extra_dirs: Path | str) -> dict[str, Typology]:
    """Built-in typologies, then each ``extra_dirs``'s (a user's own; the same id replaces).

    A user folder may hold a ``lists/`` subfolder of reference lists, which replace or add lists.
    """
    folders = [Path(d) for d in extra_dirs]
    for folder in folders:
        if not folder.is_dir():
            raise TypologyError(f"--typologies-dir: {folder} is not a folder")
    lists = load_lists(*(f / "lists" for f in folders if (f / "lists").is_dir()))
    contract = load_contract()
    library: dict[str, Typology] = {}
    for folder in (TYPOLOGIES_DIR, *folders):
        for path in sorted(folder.glob("*.yaml")):
            item = load_typology(path, lists, contract)
            library[item.id] = item
    return library
