"""Where Splink runs: the one place the DuckDB and Spark runs of entity resolution differ.

A backend makes Splink's database API, hands it the feature tables, says how to sample u, and
cleans up after a run. Everything else in ``onca.resolve`` is the same on both engines. Each
engine class names its backend (``Engine.splink_backend``); ``onca.engines.splink_backend(name)``
goes through the one engine registry.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa
import pyarrow.parquet as pq


class SplinkBackend:
    """DuckDB, in memory: the embedded default."""

    name: ClassVar[str] = "duckdb"
    u_chunks: ClassVar[int] = 10
    """Chunks of Splink's u sampling; each is a query per comparison."""

    def __init__(self) -> None:
        for logger in ("splink", "py4j"):
            logging.getLogger(logger).setLevel(logging.ERROR)
        self.db_api = self._make_db_api()

    def _make_db_api(self) -> Any:
        from splink import DuckDBAPI

        return DuckDBAPI()

    def register(self, table: pa.Table, name: str, workdir: Path) -> Any:
        """Hand ``table`` to Splink under ``name`` (unique to the run)."""
        return self.db_api.register(table, table_name=name)

    def cleanup(self, linker: Any, frames: list[Any]) -> None:
        """Nothing to do: the in-memory database goes with the run."""


class SparkSplinkBackend(SplinkBackend):
    """Spark (local mode, or a cluster via ``ONCA_SPARK_MASTER``): Onca's session, with
    Splink's similarity jar and a checkpoint folder."""

    name = "spark"
    u_chunks = 1  # each chunk is a Spark job per comparison: costly, whatever the data size

    def _make_db_api(self) -> Any:
        from splink import SparkAPI

        from onca.engines._spark import spark_session

        spark = spark_session()
        if not spark.sparkContext.getCheckpointDir():
            spark.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="onca-spark-checkpoints-"))
        return SparkAPI(spark_session=spark, break_lineage_method="parquet")

    def register(self, table: pa.Table, name: str, workdir: Path) -> Any:
        path = workdir / f"{name}.parquet"
        pq.write_table(table, path)
        return self.db_api.register(self.db_api.spark.read.parquet(str(path)), table_name=name)

    def cleanup(self, linker: Any, frames: list[Any]) -> None:
        """The session outlives the run; the run's tables and views need not."""
        linker.table_management.delete_tables_created_by_splink_from_db()
        for frame in frames:
            self.db_api.spark.catalog.dropTempView(frame.physical_name)
