"""A bulk import's report as people read it, the same in the console and on the command line:
counts that add up (the rows of the file are the rows that check plus the rows rejected; a
file is imported whole or not at all) and the rejected rows as a CSV, whose cells a
spreadsheet will not run as formulas.

A report is what ``_imports.import_seizures`` returns (or a job's report): ``rows``,
``imported``, ``rejected_rows``, ``problem_count`` and ``problems``, each problem a ``line``
(the file's line or sheet row; None for the file as a whole), a ``field`` (the file's column)
and a ``message`` (the importer's words).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from onca.text import spreadsheet_safe

REJECTS_COLUMNS = ("line", "field", "message")


@dataclass(frozen=True)
class Tally:
    """How many rows the file had, checked, were rejected and were imported. ``rows`` is
    None when the file itself was refused (not a CSV or XLSX, too large, a column missing)."""

    rows: int | None
    checked: int
    rejected: int
    imported: int
    problems: int
    listed: int

    @property
    def whole_file_refused(self) -> bool:
        return self.rows is None


def tally(report: dict[str, Any]) -> Tally:
    rows = report.get("rows")
    rejected = int(report.get("rejected_rows") or 0)
    problems = list(report.get("problems") or [])
    return Tally(
        rows=None if rows is None else int(rows),
        checked=0 if rows is None else int(rows) - rejected,
        rejected=rejected,
        imported=int(report.get("imported") or 0),
        problems=int(report.get("problem_count") or len(problems)),
        listed=len(problems),
    )


def rejects_csv(report: dict[str, Any]) -> str:
    """The report's problems as CSV (line, field, message), one problem a row; a text that
    starts like a formula gets a leading apostrophe (``onca.text.spreadsheet_safe``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(REJECTS_COLUMNS)
    for p in report.get("problems") or []:
        writer.writerow(
            [spreadsheet_safe(p.get(c)) if p.get(c) is not None else "" for c in REJECTS_COLUMNS]
        )
    return buffer.getvalue()
