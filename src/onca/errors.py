"""Onca's exceptions: one root, and subclasses that also derive from the matching builtin.

Messages say what was wrong, where (file, row, column, parameter), what was expected and what was
found, so that the person reading them can fix their input without opening the code.
"""

from __future__ import annotations

__all__ = [
    "ContractError",
    "EngineError",
    "InputFileError",
    "OncaError",
    "OncaWarning",
    "ParameterError",
    "TypologyError",
    "WorkspaceError",
]


class OncaError(Exception):
    """Root of every error Onca raises on purpose."""


class ContractError(OncaError, ValueError):
    """A table schema or code list in the data contract is malformed or inconsistent."""


class InputFileError(OncaError, ValueError):
    """A file given to ingest cannot be read as a whole (not a row-level problem)."""


class ParameterError(OncaError, ValueError):
    """A parameter given by the user is out of range or of the wrong kind."""


class TypologyError(OncaError, ValueError):
    """A screening typology (YAML) is malformed: the message names the file, field or SQL."""

    def __init__(
        self, message: str, *, source: str | None = None, field: str | None = None
    ) -> None:
        self.source = source
        self.field = field
        where = ", ".join(p for p in (source, f"field '{field}'" if field else None) if p)
        super().__init__(f"{where}: {message}" if where else message)


class WorkspaceError(OncaError, RuntimeError):
    """A workspace cannot be opened, migrated or written."""


class EngineError(OncaError, RuntimeError):
    """The database engine failed on a statement; the message carries the table and the SQL."""

    def __init__(self, message: str, *, sql: str | None = None, table: str | None = None) -> None:
        self.sql = sql
        self.table = table
        detail = message
        if table:
            detail += f"\n  table: {table}"
        if sql:
            detail += f"\n  SQL: {sql[:2000]}"
        super().__init__(detail)


class OncaWarning(UserWarning):
    """Something in the input that Onca worked around (and says how): a repeat detection
    dropped, a capture while a camera was off, a habitat mask that may be too small."""
