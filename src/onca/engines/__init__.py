"""Engines: analyses write SQL once (DuckDB dialect); an engine runs it on DuckDB or Spark.

One registry (:data:`ENGINES`) turns an engine's name into an engine, with one error message for
a name that is not there; :data:`SUPPORTED` declares the engines each analysis runs on, and the
analysis calls :func:`check_engine` with its list. Importing this package is light (the command
line reads the registry for its help); the engine classes load when first used.

>>> from onca.engines import open_engine
>>> with open_engine(ws, "duckdb") as engine:   # doctest: +SKIP
...     engine.query("SELECT count(*) AS n FROM transactions")
[{'n': 100000}]
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from onca.errors import ParameterError

if TYPE_CHECKING:
    from onca.engines._base import Dialect, Engine, Params, Row, SqlglotDialect
    from onca.engines._duckdb import DuckDBEngine
    from onca.engines._splink import SplinkBackend
    from onca.workspace import Workspace
else:
    _LAZY = {
        "Dialect": "onca.engines._base",
        "Engine": "onca.engines._base",
        "Params": "onca.engines._base",
        "Row": "onca.engines._base",
        "SqlglotDialect": "onca.engines._base",
        "DuckDBEngine": "onca.engines._duckdb",
    }

    def __getattr__(name: str) -> Any:
        if name in _LAZY:
            return getattr(importlib.import_module(_LAZY[name]), name)
        raise AttributeError(f"module 'onca.engines' has no attribute {name!r}")


ENGINES: dict[str, tuple[str, str]] = {
    "duckdb": ("onca.engines._duckdb:DuckDBEngine", "DuckDB, embedded, on the workspace in place"),
    "spark": (
        "onca.engines._spark:SparkEngine",
        "Apache Spark (local mode, or the cluster in ONCA_SPARK_MASTER); needs onca[spark]",
    ),
}
"""Every engine: name -> (where its class lives, what it is). Spark is imported only when used."""

ALL_ENGINES: tuple[str, ...] = tuple(ENGINES)

SUPPORTED: dict[str, tuple[str, ...]] = {
    "screen": ("duckdb", "spark"),  # typologies and account features are SQL, transpiled
    "resolve": ("duckdb", "spark"),  # Splink's two backends
    "trace": ("duckdb", "memory", "spark"),  # memory: NumPy arrays, not an engine
}
"""The engines (and engine-like choices) each analysis runs on; the first is its default."""


def check_engine(
    name: str, supported: Sequence[str] = ALL_ENGINES, *, option: str = "--engine"
) -> str:
    """``name`` if it is one of ``supported``; otherwise the one error message for engine names."""
    if name not in supported:
        raise ParameterError(f"{option}: expected one of {', '.join(supported)}, got {name!r}")
    return name


def engine_class(name: str, supported: Sequence[str] = ALL_ENGINES) -> type[Engine]:
    """The class of the engine ``name`` (checked against ``supported``)."""
    check_engine(name, [s for s in supported if s in ENGINES])
    module, _, attribute = ENGINES[name][0].partition(":")
    cls: type[Engine] = getattr(importlib.import_module(module), attribute)
    return cls


def open_engine(
    ws: Workspace,
    name: str = "duckdb",
    *,
    tables: list[str] | None = None,
    supported: Sequence[str] = ALL_ENGINES,
) -> Engine:
    """An engine over ``ws``: ``duckdb`` (default, in place) or ``spark`` (local mode, over
    Parquet copies of ``tables``, default every contract table)."""
    return engine_class(name, supported).from_workspace(ws, tables)


def splink_backend(name: str) -> SplinkBackend:
    """Where Splink runs for the engine ``name`` (entity resolution)."""
    return engine_class(name).splink_backend()


__all__ = [
    "ALL_ENGINES",
    "ENGINES",
    "SUPPORTED",
    "Dialect",
    "DuckDBEngine",
    "Engine",
    "Params",
    "Row",
    "SqlglotDialect",
    "check_engine",
    "engine_class",
    "open_engine",
    "splink_backend",
]
