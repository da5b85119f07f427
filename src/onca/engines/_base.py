"""The engine adapter: what an analysis needs from a database, and nothing more.

Analyses write SQL once, in DuckDB's dialect. An engine runs it, after its :class:`Dialect` has
translated it (sqlglot for Spark). The public methods are final: each translates once, calls the
engine's own hook, and wraps any failure once in :class:`EngineError` carrying the SQL that ran,
so the person reading it sees what ran. Subclasses implement only the ``_``-prefixed hooks
(compare Splink's ``DatabaseAPI``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar, final

import pyarrow as pa
import sqlglot

from onca._closing import Closing
from onca.errors import EngineError

if TYPE_CHECKING:
    from onca.engines._splink import SplinkBackend
    from onca.workspace import Workspace

Row = dict[str, Any]
Params = Sequence[Any]

SCOPED_TABLES = ("transactions",)
"""Tables that a time scope (``since``/``until``) filters on their ``ts`` column."""


class Dialect:
    """How one engine's SQL differs from DuckDB's, the dialect analyses write in.

    :meth:`translate` rewrites a statement; :attr:`functions` are the DuckDB functions that
    Onca's SQL vocabulary (:mod:`onca.sql`) uses and the engine lacks, given in Python with
    DuckDB's meaning and registered by the engine when it starts. DuckDB itself needs neither.
    """

    name = "duckdb"
    functions: ClassVar[Mapping[str, tuple[Callable[[Any], Any], str]]] = {}
    """Function name -> (Python implementation, SQL return type)."""

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


class Engine(Closing, ABC):
    """Runs SQL over the workspace tables. Use as a context manager, or call :meth:`close`.

    ``query`` gives rows as dicts, ``fetch`` as tuples, ``first`` the first row, ``scalar`` one
    value, ``arrow`` an Arrow table; ``registered`` lends an Arrow table to SQL under a name for the length of a ``with``.
    ``params`` are positional (``?``) parameters.
    """

    name: ClassVar[str]
    label: ClassVar[str]
    """The engine's name as people write it, for messages (``DuckDB``, ``Spark``)."""
    dialect: Dialect

    # -- what each engine implements (SQL already in its dialect) ------------------------------

    @classmethod
    @abstractmethod
    def from_workspace(cls, ws: Workspace, tables: list[str] | None = None) -> Engine:
        """An engine over the workspace ``ws`` (``tables``: those it will read, if it copies)."""

    @staticmethod
    @abstractmethod
    def splink_backend() -> SplinkBackend:
        """Where Splink runs on this engine (entity resolution)."""

    @abstractmethod
    def _fetch(self, sql: str, params: Params) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows of ``sql``."""

    @abstractmethod
    def _arrow(self, sql: str, params: Params) -> pa.Table:
        """The result of ``sql`` as an Arrow table."""

    @abstractmethod
    def _materialize(self, name: str, sql: str) -> None:
        """Compute ``sql`` now and keep it as the temporary table ``name``."""

    @abstractmethod
    def _drop(self, name: str) -> None:
        """Forget the temporary table ``name`` (no error if absent)."""

    @abstractmethod
    def _register(self, name: str, table: pa.Table) -> None:
        """Make ``table`` readable by SQL as ``name``."""

    @abstractmethod
    def _unregister(self, name: str) -> None:
        """Undo :meth:`_register`."""

    @abstractmethod
    def tables(self) -> dict[str, list[str]]:
        """The tables this engine can read, with their columns."""

    @abstractmethod
    def scope(self, since: dt.datetime | None, until: dt.datetime | None) -> None:
        """Restrict the tables in :data:`SCOPED_TABLES` to ``since <= ts < until``."""

    def _describe(self, error: BaseException) -> str:
        """The part of an engine's exception worth showing: its first line."""
        text = str(error).strip()
        return text.splitlines()[0] if text else type(error).__name__

    # -- what analyses call ----------------------------------------------------------------------

    @final
    @contextmanager
    def _failures(self, sql: str, table: str | None = None) -> Iterator[None]:
        """Wrap every failure of the engine, once, in :class:`EngineError` with the SQL (and
        the ``table`` the statement is about, when the caller says)."""
        try:
            yield
        except EngineError:
            raise
        except Exception as e:  # each driver raises its own kinds (duckdb, py4j, pyspark...)
            message = f"{self.label} failed: {self._describe(e)}"
            raise EngineError(message, sql=sql, table=table) from e

    @final
    def query(self, sql: str, params: Params = (), *, table: str | None = None) -> list[Row]:
        """Run ``sql`` (DuckDB dialect) and return its rows as dicts, in the order returned.
        ``table`` names what the statement reads, for the message when it fails."""
        text = self.dialect.translate(sql)
        with self._failures(text, table):
            columns, values = self._fetch(text, params)
        return rows_from(columns, values)

    @final
    def fetch(
        self, sql: str, params: Params = (), *, table: str | None = None
    ) -> list[tuple[Any, ...]]:
        """Run ``sql`` (DuckDB dialect) and return its rows as tuples, in the order returned."""
        text = self.dialect.translate(sql)
        with self._failures(text, table):
            return self._fetch(text, params)[1]

    @final
    def first(self, sql: str, params: Params = ()) -> tuple[Any, ...] | None:
        """The first row of ``sql`` as a tuple (``None`` when there is no row)."""
        rows = self.fetch(sql, params)
        return rows[0] if rows else None

    @final
    def scalar(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row of ``sql`` (``None`` when there is no row)."""
        row = self.first(sql, params)
        return None if row is None else row[0]

    @final
    def arrow(self, sql: str, params: Params = (), *, table: str | None = None) -> pa.Table:
        """Run ``sql`` (DuckDB dialect) and return the result as an Arrow table."""
        text = self.dialect.translate(sql)
        with self._failures(text, table):
            return self._arrow(text, params)

    @final
    def materialize(self, name: str, sql: str) -> None:
        """Compute ``sql`` (DuckDB dialect) once and keep it as a temporary table ``name`` that
        later queries read, until :meth:`drop`. For intermediate results read several times."""
        text = self.dialect.translate(sql)
        with self._failures(text):
            self._materialize(name, text)

    @final
    def drop(self, name: str) -> None:
        """Forget the temporary table ``name`` made by :meth:`materialize` (no error if absent)."""
        with self._failures(f"DROP {name}"):
            self._drop(name)

    @final
    @contextmanager
    def registered(self, name: str, table: pa.Table) -> Iterator[str]:
        """Lend the Arrow ``table`` to SQL as ``name`` inside the ``with`` block."""
        with self._failures(f"REGISTER {name}"):
            self._register(name, table)
        try:
            yield name
        except BaseException:
            # after a failed statement a transaction may be aborted, and unregistering fails
            # too; the statement's error is the one to see
            with contextlib.suppress(Exception):
                self._unregister(name)
            raise
        self._unregister(name)

    def close(self) -> None:
        """Release what the engine holds (nothing, for an engine without resources)."""

    @final
    def row_count(self, table: str) -> int:
        return int(self.scalar(f'SELECT count(*) AS n FROM "{table}"'))


def rows_from(columns: Sequence[str], values: Sequence[Sequence[Any]]) -> list[Row]:
    return [dict(zip(columns, row, strict=True)) for row in values]
