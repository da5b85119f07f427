"""The engine adapter: what an analysis needs from a database, and nothing more.

Analyses write SQL once, in DuckDB's dialect. An engine runs it, after its :class:`Dialect` has
translated it (sqlglot for Spark). Every failure is wrapped in :class:`EngineError` carrying the
SQL, so the person reading it sees what ran.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Sequence
from types import TracebackType
from typing import Any

import sqlglot

from onca.errors import EngineError

Row = dict[str, Any]

SCOPED_TABLES = ("transactions",)
"""Tables that a time scope (``since``/``until``) filters on their ``ts`` column."""


class Dialect:
    """Translates SQL written in DuckDB's dialect into one engine's own."""

    name = "duckdb"

    def translate(self, sql: str) -> str:
        return sql


class SqlglotDialect(Dialect):
    """Transpiles with sqlglot from DuckDB to ``target`` (for example ``spark``)."""

    def __init__(self, target: str) -> None:
        self.name = target

    def translate(self, sql: str) -> str:
        try:
            return ";\n".join(sqlglot.transpile(sql, read="duckdb", write=self.name, pretty=True))
        except sqlglot.errors.SqlglotError as e:
            raise EngineError(f"cannot translate SQL to {self.name}: {e}", sql=sql) from e


def scope_predicate(since: dt.datetime | None, until: dt.datetime | None) -> str:
    """A WHERE clause (DuckDB dialect) keeping rows with ``since <= ts < until``."""
    parts = ["TRUE"]
    if since is not None:
        parts.append(f"ts >= TIMESTAMP '{since:%Y-%m-%d %H:%M:%S}'")
    if until is not None:
        parts.append(f"ts < TIMESTAMP '{until:%Y-%m-%d %H:%M:%S}'")
    return " AND ".join(parts)


class Engine(ABC):
    """Runs SQL over the workspace tables. Use as a context manager, or call :meth:`close`."""

    name: str
    dialect: Dialect

    @abstractmethod
    def query(self, sql: str) -> list[Row]:
        """Run ``sql`` (DuckDB dialect) and return its rows as dicts, in the order returned."""

    @abstractmethod
    def tables(self) -> dict[str, list[str]]:
        """The tables this engine can read, with their columns."""

    @abstractmethod
    def scope(self, since: dt.datetime | None, until: dt.datetime | None) -> None:
        """Restrict the tables in :data:`SCOPED_TABLES` to ``since <= ts < until``."""

    @abstractmethod
    def materialize(self, name: str, sql: str) -> None:
        """Compute ``sql`` (DuckDB dialect) once and keep it as a temporary table ``name`` that
        later queries read, until :meth:`drop`. For intermediate results read several times."""

    @abstractmethod
    def drop(self, name: str) -> None:
        """Forget the temporary table ``name`` made by :meth:`materialize` (no error if absent)."""

    def close(self) -> None:  # noqa: B027 - engines without resources need not override it
        """Release what the engine holds."""

    def row_count(self, table: str) -> int:
        return int(self.query(f'SELECT count(*) AS n FROM "{table}"')[0]["n"])

    def __enter__(self) -> Engine:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def rows_from(columns: Sequence[str], values: Sequence[Sequence[Any]]) -> list[Row]:
    return [dict(zip(columns, row, strict=True)) for row in values]
