"""Engines: analyses write SQL once (DuckDB dialect); an engine runs it on DuckDB or Spark.

>>> from onca.engines import open_engine
>>> with open_engine(ws, "duckdb") as engine:   # doctest: +SKIP
...     engine.query("SELECT count(*) AS n FROM transactions")
[{'n': 100000}]
"""

from __future__ import annotations

from onca.engines._base import Dialect, Engine, Row, SqlglotDialect
from onca.engines._duckdb import DuckDBEngine
from onca.errors import ParameterError
from onca.workspace import Workspace

ENGINES = ("duckdb", "spark")


def open_engine(ws: Workspace, name: str = "duckdb", *, tables: list[str] | None = None) -> Engine:
    """An engine over ``ws``: ``duckdb`` (default, in place) or ``spark`` (local mode)."""
    if name == "duckdb":
        return DuckDBEngine.from_workspace(ws)
    if name == "spark":
        from onca.engines._spark import SparkEngine

        return SparkEngine.from_workspace(ws, tables)
    raise ParameterError(f"--engine: expected one of {', '.join(ENGINES)}, got {name!r}")


__all__ = ["ENGINES", "Dialect", "DuckDBEngine", "Engine", "Row", "SqlglotDialect", "open_engine"]
