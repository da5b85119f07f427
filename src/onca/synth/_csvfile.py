"""The small CSV files of the side scenarios (camera traps, CITES records, occurrences)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def csv_table(path: Path, header: Sequence[str]) -> Iterator[Any]:
    """Write ``path`` (UTF-8, the csv module's default dialect) with ``header`` as its first row;
    yields the csv writer for the rows."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        yield writer


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """``path`` with ``header`` and then ``rows``, as :func:`csv_table` writes them."""
    with csv_table(path, header) as writer:
        writer.writerows(rows)
