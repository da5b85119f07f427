"""The Spark engine: the same SQL on Apache Spark (local mode here, a cluster in deployment).

Workspace tables are exported from DuckDB to Parquet and registered as Spark temporary views;
queries are transpiled from DuckDB's dialect by sqlglot. Needs ``pip install 'onca[spark]'`` and
Java 17.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pyarrow as pa
import pyarrow.parquet as pq

from onca.engines._base import SCOPED_TABLES, Engine, Params, SqlglotDialect, scope_predicate
from onca.errors import EngineError
from onca.text import strip_accents
from onca.workspace import Workspace

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from onca.engines._splink import SplinkBackend

_SESSION: SparkSession | None = None


def spark_session(master: str | None = None) -> SparkSession:
    """One SparkSession per process: local mode on every core unless ``ONCA_SPARK_MASTER`` says.

    UTC session time, no web UI, loopback only (nothing listens beyond this machine).
    """
    global _SESSION
    if _SESSION is not None:
        return _SESSION
    try:
        from pyspark.sql import SparkSession
    except ImportError as e:
        raise EngineError(
            "the Spark engine needs PySpark: pip install 'onca[spark]' (and Java 17)"
        ) from e
    # Python workers run this interpreter, so they import the same Onca (its UDFs live there).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = (
        SparkSession.builder.appName("onca")
        .master(master or os.environ.get("ONCA_SPARK_MASTER", "local[*]"))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", os.environ.get("ONCA_SPARK_PARTITIONS", "8"))
        .config("spark.driver.memory", os.environ.get("ONCA_SPARK_MEMORY", "2g"))
        .config("spark.sql.ansi.enabled", "false")
    )
    jar = _splink_jar()
    if jar:  # Splink's string similarity functions (Jaro-Winkler...) for entity resolution
        builder = builder.config("spark.jars", jar)
    try:
        _SESSION = builder.getOrCreate()
    except Exception as e:  # Java missing, port clash...: say so, with the cause
        raise EngineError(f"cannot start Spark: {e}") from e
    _SESSION.sparkContext.setLogLevel("OFF")
    _register_functions(_SESSION)
    return _SESSION


def _splink_jar() -> str | None:
    try:
        from splink.backends.spark import similarity_jar_location
    except ImportError:
        return None
    return str(similarity_jar_location())


def _strip_accents(value: str | None) -> str | None:
    return None if value is None else strip_accents(value)


class SparkDialect(SqlglotDialect):
    """Spark SQL: transpiled by sqlglot, plus the DuckDB functions Spark lacks."""

    functions: ClassVar[Mapping[str, tuple[Callable[[Any], Any], str]]] = {
        "strip_accents": (_strip_accents, "string")
    }

    def __init__(self) -> None:
        super().__init__("spark")


def _register_functions(spark: SparkSession) -> None:
    """The functions :class:`SparkDialect` declares, as Spark UDFs."""
    for name, (function, returns) in SparkDialect.functions.items():
        spark.udf.register(name, function, returns)


class SparkEngine(Engine):
    """Runs transpiled SQL on Spark over Parquet copies of the workspace tables."""

    name = "spark"
    label = "Spark"

    def __init__(self, spark: SparkSession, tables: dict[str, Path], workdir: Path) -> None:
        self.spark = spark
        self.dialect = SparkDialect()
        self._paths = tables
        self._workdir = workdir
        self._columns: dict[str, list[str]] = {}
        self._materialized: dict[str, Any] = {}
        self._registered: set[str] = set()
        for name, path in tables.items():
            frame = spark.read.parquet(str(path))
            frame.createOrReplaceTempView(name)
            self._columns[name] = list(frame.columns)

    @classmethod
    def from_workspace(
        cls, ws: Workspace, tables: list[str] | None = None, *, master: str | None = None
    ) -> SparkEngine:
        """Export ``tables`` (default: every contract table) to Parquet and open them in Spark."""
        names = tables if tables is not None else ws.contract.load_order()
        workdir = Path(tempfile.mkdtemp(prefix="onca-spark-"))
        paths: dict[str, Path] = {}
        for name in names:
            path = workdir / f"{name}.parquet"
            ws.db.execute(
                f"COPY (SELECT * EXCLUDE (_ingest_id) FROM \"{name}\") TO '{path}' (FORMAT parquet)"
            )
            paths[name] = path
        return cls(spark_session(master), paths, workdir)

    @staticmethod
    def splink_backend() -> SplinkBackend:
        from onca.engines._splink import SparkSplinkBackend

        return SparkSplinkBackend()

    def _frame(self, sql: str, params: Params) -> Any:
        return self.spark.sql(sql, args=list(params)) if params else self.spark.sql(sql)

    def _fetch(self, sql: str, params: Params) -> tuple[list[str], list[tuple[Any, ...]]]:
        frame = self._frame(sql, params)
        # by position: two output columns may share a name, which a dict would fold into one
        return list(frame.columns), [tuple(_plain(v) for v in r) for r in frame.collect()]

    def _arrow(self, sql: str, params: Params) -> pa.Table:
        """Spark's own Arrow conversion, so that the types hold even with no rows; timestamps
        are made naive UTC, as DuckDB gives them."""
        table = self._frame(sql, params).toArrow()
        fields = [
            pa.field(f.name, pa.timestamp(f.type.unit)) if _zoned(f.type) else f
            for f in table.schema
        ]
        return table.cast(pa.schema(fields))

    def _materialize(self, name: str, sql: str) -> None:
        frame = self.spark.sql(sql).cache()
        frame.count()  # compute it now, once
        frame.createOrReplaceTempView(name)
        self._materialized[name] = frame

    def _drop(self, name: str) -> None:
        frame = self._materialized.pop(name, None)
        if frame is not None:
            frame.unpersist()
            self.spark.catalog.dropTempView(name)

    def _register(self, name: str, table: pa.Table) -> None:
        path = self._workdir / f"registered-{name}.parquet"  # Spark hides names starting "_"
        pq.write_table(table, path)
        self.spark.read.parquet(str(path)).createOrReplaceTempView(name)
        self._registered.add(name)

    def _unregister(self, name: str) -> None:
        self._registered.discard(name)
        self.spark.catalog.dropTempView(name)

    def tables(self) -> dict[str, list[str]]:
        return dict(self._columns)

    def scope(self, since: dt.datetime | None, until: dt.datetime | None) -> None:
        where = self.dialect.translate(f"SELECT * FROM t WHERE {scope_predicate(since, until)}")
        where = where.split("WHERE", 1)[1]
        for table in SCOPED_TABLES:
            if table not in self._paths:
                continue
            frame = self.spark.read.parquet(str(self._paths[table])).where(where)
            frame.createOrReplaceTempView(table)

    def close(self) -> None:
        for name in list(self._materialized):
            self.drop(name)
        for name in [*self._paths, *self._registered]:
            self.spark.catalog.dropTempView(name)
        shutil.rmtree(self._workdir, ignore_errors=True)


def _plain(value: Any) -> Any:
    """A Spark value as DuckDB gives it: timestamps naive UTC (Spark returns local time),
    structs as dicts."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if hasattr(value, "asDict"):  # a pyspark Row (a struct)
        return value.asDict(recursive=True)
    return value


def _zoned(kind: pa.DataType) -> bool:
    return pa.types.is_timestamp(kind) and kind.tz is not None
