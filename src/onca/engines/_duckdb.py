"""The DuckDB engine: the embedded default, running on the workspace's own connection."""

from __future__ import annotations

import datetime as dt

import duckdb

from onca.engines._base import SCOPED_TABLES, Dialect, Engine, Row, rows_from, scope_predicate
from onca.errors import EngineError
from onca.workspace import Workspace


class DuckDBEngine(Engine):
    """Runs SQL on a workspace's DuckDB connection; a time scope is a set of TEMP views."""

    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.dialect = Dialect()
        self._database = str(con.execute("SELECT current_database()").fetchall()[0][0])
        self._scoped: list[str] = []

    @classmethod
    def from_workspace(cls, ws: Workspace) -> DuckDBEngine:
        return cls(ws.con)

    def query(self, sql: str) -> list[Row]:
        try:
            cursor = self.con.execute(sql)
            columns = [d[0] for d in cursor.description or ()]
            return rows_from(columns, cursor.fetchall())
        except duckdb.Error as e:
            raise EngineError(f"DuckDB failed: {e}", sql=sql) from e

    def materialize(self, name: str, sql: str) -> None:
        try:
            self.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {sql}')
        except duckdb.Error as e:
            raise EngineError(f"DuckDB failed: {e}", sql=sql) from e

    def drop(self, name: str) -> None:
        self.con.execute(f'DROP TABLE IF EXISTS temp."{name}"')

    def tables(self) -> dict[str, list[str]]:
        rows = self.con.execute(
            """SELECT table_name, list(column_name ORDER BY ordinal_position)
               FROM information_schema.columns
               WHERE table_catalog = ? AND table_schema = 'main'
               GROUP BY table_name""",
            [self._database],
        ).fetchall()
        return {str(name): [str(c) for c in cols] for name, cols in rows}

    def scope(self, since: dt.datetime | None, until: dt.datetime | None) -> None:
        self._drop_scope()
        if since is None and until is None:
            return
        where = scope_predicate(since, until)
        for table in SCOPED_TABLES:
            self.con.execute(
                f'CREATE TEMP VIEW "{table}" AS '
                f'SELECT * FROM "{self._database}".main."{table}" WHERE {where}'
            )
            self._scoped.append(table)

    def _drop_scope(self) -> None:
        for table in self._scoped:
            self.con.execute(f'DROP VIEW IF EXISTS temp."{table}"')
        self._scoped.clear()

    def close(self) -> None:
        self._drop_scope()
