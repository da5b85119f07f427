"""The small CSV files of the side scenarios (camera traps, CITES records, occurrences), and the
scenario's own tables that ship as CSV (industries, CITES flows)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from onca.errors import ParameterError


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


def read_rows(path: Path, columns: Sequence[str]) -> Iterator[tuple[str, list[str]]]:
    """The rows of ``path`` after its header, each with where it stands (``"path line N"``);
    ParameterError when the header is not ``columns`` or a row has another number of fields."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = csv.reader(f)
        header = next(rows, None)
        if header != list(columns):
            raise ParameterError(f"{path}: expected the columns {list(columns)}, found {header}")
        for n, row in enumerate(rows, start=2):
            where = f"{path} line {n}"
            if len(row) != len(columns):
                raise ParameterError(f"{where}: expected {len(columns)} fields, found {len(row)}")
            yield where, row


def positive_number(text: str, name: str, where: str) -> float:
    """``text`` as a number above 0; ParameterError naming ``name`` and ``where`` if it is not."""
    try:
        value = float(text)
    except ValueError:
        raise ParameterError(f"{where}: {name} {text!r} is not a number") from None
    if not value > 0:
        raise ParameterError(f"{where}: {name} must be above 0, found {text}")
    return value
