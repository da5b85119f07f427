"""Ingest: load CSV, Parquet, XLSX and FollowTheMoney files into a workspace, row by row checked.

Rows that break the data contract go to the ``quarantine`` table with their file, row, original
values and the reason; the rest load. ``rows == loaded + quarantined`` for every file.

Importing the package is light (the command line imports it to name the formats): the readers
and the loader, which need DuckDB and Arrow, are imported when first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from onca.ingest._formats import FORMATS

if TYPE_CHECKING:
    from onca.ingest._folder import FolderPlan, FolderResult, ingest_folder, plan_folder
    from onca.ingest._ingest import (
        PAUSE_BEFORE_COMMIT_ENV,
        FileResult,
        IngestResult,
        ProgressCallback,
        ingest_files,
        ingest_plan,
    )
    from onca.ingest._readers import Source, open_source

_WHERE = {
    "PAUSE_BEFORE_COMMIT_ENV": "_ingest",
    "FileResult": "_ingest",
    "IngestResult": "_ingest",
    "ProgressCallback": "_ingest",
    "ingest_files": "_ingest",
    "ingest_plan": "_ingest",
    "FolderPlan": "_folder",
    "FolderResult": "_folder",
    "ingest_folder": "_folder",
    "plan_folder": "_folder",
    "Source": "_readers",
    "open_source": "_readers",
}

__all__ = [
    "FORMATS",
    "PAUSE_BEFORE_COMMIT_ENV",
    "FileResult",
    "FolderPlan",
    "FolderResult",
    "IngestResult",
    "ProgressCallback",
    "Source",
    "ingest_files",
    "ingest_folder",
    "ingest_plan",
    "open_source",
    "plan_folder",
]


def __getattr__(name: str) -> Any:
    """Import the reader or the loader when one of their names is first used."""
    if name not in _WHERE:
        raise AttributeError(f"module 'onca.ingest' has no attribute {name!r}")
    return getattr(importlib.import_module(f"onca.ingest.{_WHERE[name]}"), name)
