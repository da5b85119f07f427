"""The workspace: one DuckDB file holding every analytic table, the quarantine and the ingest log."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from onca import __version__
from onca._closing import Closing
from onca.contract import Contract, load_contract
from onca.errors import WorkspaceError
from onca.workspace._migrations import MIGRATIONS, SCHEMA_VERSION, sync_contract_columns

if TYPE_CHECKING:
    from onca.engines import DuckDBEngine

DEFAULT_MEMORY_LIMIT = "2GB"


class Workspace(Closing):
    """An open workspace. Use :func:`open_workspace` (``onca.workspace.open``) to get one.

    ``db`` is the workspace's own engine: analyses and reports read and store through it (or
    through another engine from :func:`onca.engines.open_engine`). ``con``, the DuckDB connection
    underneath, is for the engines, migrations and ingest only. Close the workspace (or use
    ``with``) to release the file lock.
    """

    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
        self.path = path
        self.con = con
        self.contract = contract

    @cached_property
    def db(self) -> DuckDBEngine:
        """The workspace's DuckDB engine: reads, and the one writer of analysis results."""
        from onca.engines import DuckDBEngine

        return DuckDBEngine(self.con)

    @property
    def schema_version(self) -> int:
        return int(_meta(self.con, "schema_version") or 0)

    def count(self, table: str) -> int:
        rows = self.con.execute(f'SELECT count(*) FROM "{table}"').fetchall()
        return int(rows[0][0])

    def counts(self) -> dict[str, int]:
        """Rows per contract table, plus the quarantine."""
        names = [*self.contract.load_order(), "quarantine"]
        return {name: self.count(name) for name in names}

    def close(self) -> None:
        self.con.close()

    def __repr__(self) -> str:
        return f"Workspace({str(self.path)!r}, schema_version={self.schema_version})"


def _meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    has_meta = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = '_onca_meta'"
    ).fetchall()
    if not has_meta[0][0]:
        return None
    rows = con.execute("SELECT value FROM _onca_meta WHERE key = ?", [key]).fetchall()
    return str(rows[0][0]) if rows else None


def _set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO _onca_meta VALUES (?, ?)", [key, value])


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with Onca's session settings (UTC, a memory cap, spill directory)."""
    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": os.environ.get("ONCA_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT)
    }
    try:
        con = duckdb.connect(str(path), read_only=read_only, config=config)
    except duckdb.IOException as e:
        raise WorkspaceError(
            f"cannot open workspace {path}: {e}. Is another Onca process using it?"
        ) from e
    except duckdb.Error as e:
        raise WorkspaceError(f"cannot open workspace {path}: {e}") from e
    con.execute("SET TimeZone = 'UTC'")  # ICU is built in; it cannot be set before it loads
    return con


def migrate(
    con: duckdb.DuckDBPyConnection, contract: Contract, *, upto: int = SCHEMA_VERSION
) -> int:
    """Apply the migrations after the workspace's recorded version, up to ``upto``.

    Runs in one transaction: either every step lands or none. Returns the version reached.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "CREATE TABLE IF NOT EXISTS _onca_meta (key VARCHAR PRIMARY KEY, value VARCHAR)"
        )
        current = int(_meta(con, "schema_version") or 0)
        if current > SCHEMA_VERSION:
            raise WorkspaceError(
                f"workspace schema version {current} is newer than this Onca supports"
                f" ({SCHEMA_VERSION}); upgrade Onca (installed: {__version__})"
            )
        for number in range(current + 1, upto + 1):
            MIGRATIONS[number - 1](con, contract)
            _set_meta(con, "schema_version", str(number))
        if upto == SCHEMA_VERSION:
            sync_contract_columns(con, contract)
            _set_meta(con, "contract_version", str(contract.version))
            _set_meta(con, "onca_version", __version__)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return max(current, upto)


def open_workspace(path: Path | str, *, create: bool = True, read_only: bool = False) -> Workspace:
    """Open the workspace at ``path``, creating it (when ``create``) and migrating it forward.

    Raises WorkspaceError when the file does not exist and ``create`` is false, when it is not a
    DuckDB file, or when it was written by a newer Onca.
    """
    path = Path(path)
    if not path.exists() and (not create or read_only):
        raise WorkspaceError(
            f"no workspace at {path}; run 'onca ingest' or 'onca demo' to make one"
        )
    if path.exists() and path.is_dir():
        raise WorkspaceError(
            f"{path} is a directory; a workspace is one file, e.g. {path}/onca.duckdb"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    contract = load_contract()
    con = connect(path, read_only=read_only)
    if not read_only:
        try:
            migrate(con, contract)
        except BaseException:
            con.close()
            raise
    elif int(_meta(con, "schema_version") or 0) != SCHEMA_VERSION:
        con.close()
        raise WorkspaceError(f"workspace {path} needs migrating; open it once without read_only")
    return Workspace(path, con, contract)
