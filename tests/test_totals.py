"""onca._totals.FilesTotal: a result's total is the sum over its files, read when asked."""

from __future__ import annotations

from dataclasses import dataclass, field

from onca._totals import FilesTotal


@dataclass
class _File:
    rows: int
    rejected: int


@dataclass
class _Result:
    files: list[_File] = field(default_factory=list)

    rows = FilesTotal()
    rejected = FilesTotal()


def test_sums_the_attribute_of_the_same_name() -> None:
    result = _Result([_File(3, 1), _File(4, 0)])
    assert (result.rows, result.rejected) == (7, 1)


def test_no_files_is_zero_and_later_files_count() -> None:
    result = _Result()
    assert result.rows == 0
    result.files.append(_File(5, 2))
    assert result.rows == 5


def test_is_no_dataclass_field() -> None:
    assert _Result.__dataclass_fields__.keys() == {"files"}
    assert isinstance(_Result.rows, FilesTotal)
