"""Ingest: load CSV, Parquet, XLSX and FollowTheMoney files into a workspace, row by row checked.

Rows that break the data contract go to the ``quarantine`` table with their file, row, original
values and the reason; the rest load. ``rows == loaded + quarantined`` for every file.
"""

from onca.ingest._ingest import (
    PAUSE_BEFORE_COMMIT_ENV,
    FileResult,
    IngestResult,
    ProgressCallback,
    ingest_files,
)
from onca.ingest._readers import FORMATS, Source, open_source

__all__ = [
    "FORMATS",
    "PAUSE_BEFORE_COMMIT_ENV",
    "FileResult",
    "IngestResult",
    "ProgressCallback",
    "Source",
    "ingest_files",
    "open_source",
]
