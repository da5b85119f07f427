"""Typed objects for the data contract: code lists, columns, tables, and the contract as a whole."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from onca.errors import ContractError

COLUMN_TYPES = (
    "string",
    "integer",
    "double",
    "decimal",
    "date",
    "timestamp",
    "boolean",
    "code",
    "code_list",
    "string_list",
)

LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class CodeList:
    """A closed list of codes, each with a label: countries, currencies, channels...

    ``aliases`` maps other names a file may give a code (``kilograms``) to the code (``kg``);
    ingest stores the code.
    """

    name: str
    title: str
    source: str
    values: Mapping[str, str]
    aliases: Mapping[str, str] = field(default_factory=dict)

    def __contains__(self, code: object) -> bool:
        return code in self.values

    @property
    def case(self) -> str:
        """'upper' when every code and alias is upper case (ISO codes), else 'lower' or 'mixed'."""
        codes = [*self.values, *self.aliases]
        if all(c == c.upper() for c in codes):
            return "upper"
        if all(c == c.lower() for c in codes):
            return "lower"
        return "mixed"


@dataclass(frozen=True)
class Column:
    """One column of a contract table.

    ``type`` is one of COLUMN_TYPES. ``codes`` names the code list of a ``code`` or ``code_list``
    column; ``references`` is ``table.column`` for a foreign key; ``scale`` is the number of
    decimal places a ``decimal`` column keeps; ``min``/``max`` bound numeric columns;
    ``headers`` are other names the column has in files (lower case: ``app.`` for ``appendix``).
    """

    name: str
    type: str
    required: bool = False
    description: str = ""
    codes: str | None = None
    references: str | None = None
    scale: int | None = None
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    pattern: str | None = None
    headers: tuple[str, ...] = ()

    @property
    def is_list(self) -> bool:
        return self.type in ("code_list", "string_list")

    @property
    def referenced_table(self) -> str | None:
        return self.references.split(".", 1)[0] if self.references else None

    @property
    def referenced_column(self) -> str | None:
        return self.references.split(".", 1)[1] if self.references else None

    @property
    def sql_type(self) -> str:
        """The DuckDB type the column is stored as in a workspace."""
        return {
            "string": "VARCHAR",
            "integer": "BIGINT",
            "double": "DOUBLE",
            "decimal": f"DECIMAL(18, {self.scale})",
            "date": "DATE",
            "timestamp": "TIMESTAMP",
            "boolean": "BOOLEAN",
            "code": "VARCHAR",
            "code_list": "VARCHAR[]",
            "string_list": "VARCHAR[]",
        }[self.type]

    @property
    def compiled_pattern(self) -> re.Pattern[str] | None:
        return re.compile(self.pattern) if self.pattern else None


@dataclass(frozen=True)
class RowCheck:
    """A rule across columns, as a SQL condition on the typed values that must hold."""

    name: str
    sql: str
    reason: str
    description: str = ""


@dataclass(frozen=True)
class Table:
    """A table of the data contract: its columns, primary key and cross-column checks.

    ``primary_key`` is None for a table whose rows have no identity of their own (the CITES
    comparative tabulation: counts per year, taxon, route, term and source).
    """

    name: str
    title: str
    primary_key: str | None
    columns: tuple[Column, ...]
    description: str = ""
    checks: tuple[RowCheck, ...] = ()

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"table {self.name!r} has no column {name!r}")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def match_header(self, header: list[str]) -> dict[str, str]:
        """Which file column each contract column reads: ``{column: header name}``.

        ``header`` holds the file's column names as ingest reads them (trimmed, lower case). A
        column is found under its own name, else under the first of its ``headers`` present.
        """
        present = set(header)
        found: dict[str, str] = {}
        for col in self.columns:
            for name in (col.name, *col.headers):
                if name in present:
                    found[col.name] = name
                    break
        return found

    @property
    def foreign_keys(self) -> list[Column]:
        return [c for c in self.columns if c.references]

    @property
    def depends_on(self) -> set[str]:
        return {c.referenced_table for c in self.foreign_keys if c.referenced_table} - {self.name}


@dataclass(frozen=True)
class Contract:
    """The whole data contract: every table and every code list, checked to hang together."""

    version: int
    tables: Mapping[str, Table]
    codes: Mapping[str, CodeList] = field(default_factory=dict)

    def table(self, name: str) -> Table:
        try:
            return self.tables[name]
        except KeyError:
            known = ", ".join(sorted(self.tables))
            raise ContractError(f"unknown table kind {name!r}; expected one of: {known}") from None

    def load_order(self) -> list[str]:
        """Tables in an order where every table comes after the tables it references."""
        order: list[str] = []
        pending = dict(self.tables)
        while pending:
            ready = sorted(n for n, t in pending.items() if t.depends_on <= set(order))
            if not ready:
                raise ContractError(f"foreign keys form a cycle among tables {sorted(pending)}")
            order.extend(ready)
            for n in ready:
                del pending[n]
        return order
