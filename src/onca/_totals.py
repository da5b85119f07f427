"""Totals of a result that is made of per-file results (an ingest, a conversion)."""

from __future__ import annotations

from typing import Any, overload


class FilesTotal:
    """A read-only attribute of a result with a ``files`` list: the sum of the attribute of the
    same name over those files. ``rows = FilesTotal()`` on the result reads ``sum(f.rows ...)``;
    ``FilesTotal(over="results")`` sums over another list of parts (a folder's tables).
    """

    def __init__(self, over: str = "files") -> None:
        self.over = over

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, result: None, owner: type | None = None) -> FilesTotal: ...
    @overload
    def __get__(self, result: object, owner: type | None = None) -> int: ...
    def __get__(self, result: Any, owner: type | None = None) -> int | FilesTotal:
        if result is None:
            return self
        return sum(getattr(part, self.name) for part in getattr(result, self.over))
