"""The DuckDB engine: the embedded default, running on the workspace's own connection.

It is also the workspace's writer (:meth:`DuckDBEngine.execute`, :meth:`DuckDBEngine.transaction`):
analyses read through any engine, and store their results through the workspace's one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from onca.engines._base import SCOPED_TABLES, Dialect, Engine, Params, scope_predicate

if TYPE_CHECKING:
    from onca.engines._splink import SplinkBackend
    from onca.workspace import Workspace


class DuckDBEngine(Engine):
    """Runs SQL on a workspace's DuckDB connection; a time scope is a set of TEMP views."""

    name = "duckdb"
    label = "DuckDB"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.dialect = Dialect()
        self._database = str(con.execute("SELECT current_database()").fetchall()[0][0])
        self._scoped: list[str] = []

    @classmethod
    def from_workspace(cls, ws: Workspace, tables: list[str] | None = None) -> DuckDBEngine:
        """An engine on ``ws``'s connection; ``tables`` is ignored (every table is in place)."""
        return cls(ws.con)

    @staticmethod
    def splink_backend() -> SplinkBackend:
        from onca.engines._splink import SplinkBackend

        return SplinkBackend()

    def _describe(self, error: BaseException) -> str:
        return str(error)  # DuckDB's messages are short and their later lines point at the SQL

    def _fetch(self, sql: str, params: Params) -> tuple[list[str], list[tuple[Any, ...]]]:
        cursor = self.con.execute(sql, list(params) if params else None)
        return [d[0] for d in cursor.description or ()], cursor.fetchall()

    def _arrow(self, sql: str, params: Params) -> pa.Table:
        return self.con.sql(sql, params=list(params) if params else None).to_arrow_table()

    def _materialize(self, name: str, sql: str) -> None:
        self.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {sql}')

    def _drop(self, name: str) -> None:
        self.con.execute(f'DROP TABLE IF EXISTS temp."{name}"')

    def _register(self, name: str, table: pa.Table) -> None:
        self.con.register(name, table)

    def _unregister(self, name: str) -> None:
        self.con.unregister(name)

    # -- the workspace's writer --------------------------------------------------------------------

    def execute(self, sql: str, params: Params = ()) -> None:
        """Run a statement that changes the workspace (``INSERT``, ``DELETE``, ``UPDATE``...)."""
        with self._failures(sql):
            self.con.execute(sql, list(params) if params else None)

    @contextmanager
    def transaction(self) -> Iterator[DuckDBEngine]:
        """``BEGIN`` ... ``COMMIT``, or ``ROLLBACK`` if the block raises."""
        self.execute("BEGIN TRANSACTION")
        try:
            yield self
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    def next_value(self, sequence: str) -> int:
        """The next number of the workspace sequence ``sequence`` (run ids)."""
        return int(self.scalar(f"SELECT nextval('{sequence}')"))

    def batches(self, sql: str, rows: int) -> pa.RecordBatchReader:
        """Stream the result of ``sql`` in batches of ``rows`` (large exports). The stream holds
        the connection: read it to the end before the next query (or use :meth:`cursor`)."""
        with self._failures(sql):
            return self.con.sql(sql).to_arrow_reader(rows)

    def cursor(self) -> DuckDBEngine:
        """An engine on a cursor of its own, whose results outlive queries on this one. It sees
        the workspace's tables, not this connection's temporary tables and views."""
        return DuckDBEngine(self.con.cursor())

    # -- tables and scope ------------------------------------------------------------------------

    def tables(self) -> dict[str, list[str]]:
        rows = self.fetch(
            """SELECT table_name, list(column_name ORDER BY ordinal_position)
               FROM information_schema.columns
               WHERE table_catalog = ? AND table_schema = 'main'
               GROUP BY table_name""",
            [self._database],
        )
        return {str(name): [str(c) for c in cols] for name, cols in rows}

    def scope(self, since: dt.datetime | None, until: dt.datetime | None) -> None:
        self._drop_scope()
        if since is None and until is None:
            return
        where = scope_predicate(since, until)
        for table in SCOPED_TABLES:
            self.execute(
                f'CREATE TEMP VIEW "{table}" AS '
                f'SELECT * FROM "{self._database}".main."{table}" WHERE {where}'
            )
            self._scoped.append(table)

    def _drop_scope(self) -> None:
        for table in self._scoped:
            self.execute(f'DROP VIEW IF EXISTS temp."{table}"')
        self._scoped.clear()

    def close(self) -> None:
        self._drop_scope()
