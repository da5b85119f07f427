"""Ingest files into a workspace: every row is loaded or quarantined with its reason, never lost.

One call is one database transaction: if the process dies half-way, the workspace is as it was.
Loading the same file again adds nothing: identical rows count as loaded ("unchanged").
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from onca import __version__
from onca._totals import FilesTotal
from onca.contract import Contract, Table
from onca.errors import EngineError, InputFileError
from onca.ingest._readers import LINE_COLUMN, Source, open_source
from onca.ingest._rules import lit, q, shown, typing_sql
from onca.workspace import Workspace, open_workspace

ProgressCallback = Callable[[str, int, int], None]
"""Called as ``progress(description, completed, total)`` while an ingest runs."""

PAUSE_BEFORE_COMMIT_ENV = "ONCA_TEST_PAUSE_BEFORE_COMMIT"
"""Test hook: seconds to wait, with everything written, just before COMMIT (for the kill test)."""


@dataclass
class FileResult:
    """What happened to one file. ``rows == loaded + quarantined`` always holds."""

    path: str
    kind: str
    format: str
    rows: int
    loaded: int
    inserted: int
    unchanged: int
    quarantined: int
    encoding: str | None = None
    delimiter: str | None = None
    ignored_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    top_reasons: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class IngestResult:
    """The outcome of one ingest (one transaction), totalled over its files."""

    workspace: str
    kind: str
    files: list[FileResult]
    seconds: float

    rows = FilesTotal()
    loaded = FilesTotal()
    inserted = FilesTotal()
    unchanged = FilesTotal()
    quarantined = FilesTotal()

    def to_dict(self) -> dict[str, object]:
        return {
            "workspace": self.workspace,
            "kind": self.kind,
            "rows": self.rows,
            "loaded": self.loaded,
            "inserted": self.inserted,
            "unchanged": self.unchanged,
            "quarantined": self.quarantined,
            "seconds": round(self.seconds, 3),
            "files": [asdict(f) for f in self.files],
        }


def ingest_files(
    workspace: Workspace | Path | str,
    kind: str,
    paths: Sequence[Path | str],
    *,
    fmt: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    progress: ProgressCallback | None = None,
) -> IngestResult:
    """Load ``paths`` into the ``kind`` table of ``workspace`` (a Workspace or a file path).

    Whole-file problems (missing file, empty file, missing required column, unreadable format)
    raise InputFileError before anything is written. Row problems go to the quarantine.
    """
    if not paths:
        raise InputFileError("no files given to ingest")
    (result,) = ingest_plan(
        workspace,
        [(kind, list(paths))],
        fmt=fmt,
        encoding=encoding,
        delimiter=delimiter,
        progress=progress,
    )
    return result


def ingest_plan(
    workspace: Workspace | Path | str,
    plan: Sequence[tuple[str, Sequence[Path | str]]],
    *,
    fmt: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    progress: ProgressCallback | None = None,
) -> list[IngestResult]:
    """Load each ``(kind, paths)`` of ``plan`` in its order, all in one database transaction;
    one result per kind. Every file is opened and its header checked before anything is
    written, so a whole-file problem in the last file leaves the workspace as it was."""
    own = not isinstance(workspace, Workspace)
    ws = open_workspace(workspace) if not isinstance(workspace, Workspace) else workspace
    try:
        opened = []
        for kind, paths in plan:
            table = ws.contract.table(kind)
            sources = [
                open_source(p, fmt=fmt, encoding=encoding, delimiter=delimiter) for p in paths
            ]
            for source in sources:
                _check_header(source, table)
                _leave_out_unneeded(source, table)
                source.check_readable()
            opened.append((table, sources))
        con = ws.con
        results = []
        con.execute("BEGIN TRANSACTION")
        try:
            for table, sources in opened:
                started = time.perf_counter()
                files = [_ingest_one(con, ws.contract, table, s, progress) for s in sources]
                seconds = time.perf_counter() - started
                results.append(IngestResult(str(ws.path), table.name, files, seconds))
            _pause_for_kill_test()
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return results
    finally:
        if own:
            ws.close()


def _check_header(source: Source, table: Table) -> None:
    matched = table.match_header(source.columns)
    missing = [c for c in table.required_columns if c not in matched]
    if missing:
        found = ", ".join(_cut(c) for c in source.columns[:12]) or "(none)"
        hint = ""
        if source.format == "csv" and len(source.columns) == 1:
            hint = (
                f" The header was read as a single column with delimiter {source.delimiter!r};"
                " is the file separated by another character? Pass --delimiter."
            )
        raise InputFileError(
            f"{source.path}: missing required column(s) for {table.name}: {', '.join(missing)}."
            f" Found: {found}.{hint}"
        )
    dupes = sorted({c for c in source.columns if source.columns.count(c) > 1})
    if dupes:
        raise InputFileError(
            f"{source.path}: column(s) appear twice in the header: {', '.join(map(_cut, dupes))}"
        )


def _cut(name: str, chars: int = 60) -> str:
    """A column name as shown in a message: a hostile header may hold megabytes."""
    return name if len(name) <= chars else name[:chars] + "..."


def _leave_out_unneeded(source: Source, table: Table) -> None:
    """Leave out the binary and nested (Parquet) columns that the contract does not use.

    They would only be kept as the quarantine's copy of the row, and nested values have no
    text form; binary ones that the contract uses are read as UTF-8 text.
    """
    used = set(table.match_header(source.columns).values())
    unneeded = [c for c in [*source.binary, *source.nested] if c not in used]
    if unneeded:
        source.leave_out(unneeded)
        types = ", ".join(
            f"{_cut(c)} ({source.binary.get(c) or source.nested[c]})" for c in unneeded
        )
        source.warnings.append(
            f"{source.path.name}: left out column(s) {types}: binary or nested values that"
            f" {table.name} does not use, not kept in the quarantine's copy of a row"
        )


def _pause_for_kill_test() -> None:
    seconds = float(os.environ.get(PAUSE_BEFORE_COMMIT_ENV, "0") or 0)
    if seconds > 0:
        print("onca: all rows written, waiting before commit", file=sys.stderr, flush=True)
        time.sleep(seconds)


def _run(
    con: duckdb.DuckDBPyConnection, sql: str, table: str, params: list[object] | None = None
) -> list[tuple]:
    try:
        return con.execute(sql, params or []).fetchall()
    except duckdb.Error as e:
        raise EngineError(f"ingest step failed: {e}", sql=sql, table=table) from e


def _stage(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    source: Source,
    progress: ProgressCallback | None,
) -> int:
    """Copy the file's rows, as text, into the temp table ``_stage``; return the row count."""
    # Every column read is staged, so the quarantine keeps the row as it was read.
    staged = [c for c in source.read_columns if not c.startswith("_")]
    cols = ", ".join(f"{q(c)} VARCHAR" for c in staged)
    _run(
        con, f"CREATE OR REPLACE TEMP TABLE _stage (_row BIGINT, _line BIGINT, {cols})", table.name
    )
    done = 0
    label = f"reading {source.path.name}"

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(label, min(done, source.size), source.size)

    count = 0
    select = ", ".join(q(c) for c in staged)
    for batch in source.batches(advance):
        rows = np.arange(count, count + batch.num_rows, dtype=np.int64)
        arrow = pa.Table.from_batches([batch]).append_column("_idx", pa.array(rows))
        line = LINE_COLUMN if LINE_COLUMN in batch.schema.names else "NULL"
        con.register("_batch", arrow)
        _run(con, f"INSERT INTO _stage SELECT _idx, {line}, {select} FROM _batch", table.name)
        con.unregister("_batch")
        count += batch.num_rows
    _renumber_after_malformed(con, source, table.name)
    return count


def _renumber_after_malformed(con: duckdb.DuckDBPyConnection, source: Source, table: str) -> None:
    """Turn the staged row index into the file's data-row number (1 = first row after the header).

    Without malformed rows that is index + 1. With malformed rows at data rows s_1 < s_2 < ...,
    the good row with index i sits at i + 1 + #{j : s_j - j <= i}.
    """
    if not source.malformed:
        _run(con, "UPDATE _stage SET _row = _row + 1", table)
        return
    marks = sorted(m.row_number for m in source.malformed)
    starts = [s - j for j, s in enumerate(marks, start=1)]
    offsets = pa.table({"t": starts, "k": list(range(1, len(marks) + 1))})
    con.register("_offsets", offsets)
    _run(
        con,
        """
        CREATE OR REPLACE TEMP TABLE _stage AS
        SELECT s.* REPLACE (s._row + 1 + coalesce(o.k, 0) AS _row)
        FROM _stage s ASOF LEFT JOIN (SELECT t, max(k) AS k FROM _offsets GROUP BY t) o
          ON s._row >= o.t
        """,
        table,
    )
    con.unregister("_offsets")


def _reference_checks(con: duckdb.DuckDBPyConnection, table: Table) -> tuple[str, list[str]]:
    """JOIN clauses and reason expressions for the table's foreign keys.

    A reference is checked against what the workspace holds, including rows loaded earlier in
    the same ingest; list columns (``offender_ids``) are checked item by item.
    """
    joins, problems = [], []
    for i, col in enumerate(table.foreign_keys):
        target, key = q(col.referenced_table or ""), q(col.referenced_column or "")
        what = lit(f" is not in {col.referenced_table} (no such {col.referenced_column})")
        if col.is_list:
            missing = f"_missing_{i}"
            _run(
                con,
                f"""CREATE OR REPLACE TEMP TABLE {missing} AS
                    SELECT _row, string_agg(v, ', ' ORDER BY v) AS ids
                    FROM (SELECT _row, unnest({q(col.name)}) AS v FROM _typed) u
                    WHERE NOT EXISTS (SELECT 1 FROM {target} p WHERE p.{key} = u.v)
                    GROUP BY _row""",
                table.name,
            )
            joins.append(f"LEFT JOIN {missing} m{i} ON t._row = m{i}._row")
            problems.append(
                f"CASE WHEN m{i}.ids IS NOT NULL THEN {lit(col.name + ': ')} || m{i}.ids || {what} END"
            )
        else:
            joins.append(f"LEFT JOIN {target} r{i} ON t.{q(col.name)} = r{i}.{key}")
            problems.append(
                f"CASE WHEN t.{q(col.name)} IS NOT NULL AND r{i}.{key} IS NULL THEN"
                f" {lit(col.name + ': ')} || {shown('t.' + q(col.name))} || {what} END"
            )
    return "\n".join(joins), problems


def _empty_reference_warnings(con: duckdb.DuckDBPyConnection, table: Table) -> list[str]:
    """Say so when a table this one references is empty: its rows were probably not loaded yet."""
    out = []
    for target in sorted(table.depends_on):
        if not _run(con, f"SELECT count(*) FROM {q(target)}", table.name)[0][0]:
            out.append(
                f"{target} is empty, so every {table.name} row that names one is quarantined:"
                f" load {target} first, then ingest this file again"
            )
    return out


def _key_checks(
    con: duckdb.DuckDBPyConnection, table: Table, source: Source
) -> tuple[str, list[str], str]:
    """JOIN clauses, reason expressions and the "already loaded" test of the primary key.

    A key twice in the file quarantines the later rows; a key already in the workspace with other
    values is quarantined (ingest never overwrites), with the same values it is unchanged. A table
    without a key holds rows with no identity of their own: a file whose checksum the ingest log
    already holds for it loaded before, so its rows are unchanged.
    """
    name, pk = table.name, table.primary_key
    if pk is None:
        seen = _run(
            con,
            "SELECT count(*) FROM ingest_log WHERE kind = ? AND sha256 = ? AND loaded > 0",
            name,
            [name, source.sha256],
        )[0][0]
        return "", [], "true" if seen else "false"
    _run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE _dups AS
            SELECT {q(pk)} AS key, min(_row) AS first_row FROM _typed
            WHERE {q(pk)} IS NOT NULL GROUP BY {q(pk)} HAVING count(*) > 1""",
        name,
    )
    cols = table.column_names
    same = " AND ".join(f"t.{q(c)} IS NOT DISTINCT FROM e.{q(c)}" for c in cols)
    changed = ", ".join(
        f"CASE WHEN t.{q(c)} IS DISTINCT FROM e.{q(c)} THEN {lit(c)} END" for c in cols
    )
    joins = f"""LEFT JOIN _dups d ON t.{q(pk)} = d.key AND t._row <> d.first_row
            LEFT JOIN {q(name)} e ON t.{q(pk)} = e.{q(pk)}"""
    problems = [
        f"CASE WHEN d.key IS NOT NULL THEN {lit(pk + ': ')} || '''' || t.{q(pk)} || ''''"
        f" || ' appears more than once in this file (kept the first, line ' || (d.first_row + 1) || ')' END",
        f"CASE WHEN d.key IS NULL AND e.{q(pk)} IS NOT NULL AND NOT ({same}) THEN {lit(pk + ': ')}"
        f" || '''' || t.{q(pk)} || '''' || ' is already in the workspace with different values ('"
        f" || concat_ws(', ', {changed}) || '); ingest never overwrites' END",
    ]
    return joins, problems, f"(e.{q(pk)} IS NOT NULL AND ({same}))"


def _ingest_one(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    table: Table,
    source: Source,
    progress: ProgressCallback | None,
) -> FileResult:
    name = table.name
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = _stage(con, table, source, progress)
    if progress:
        progress(f"checking {source.path.name}", 0, 0)
    present = table.match_header(source.columns)
    _run(
        con,
        f"CREATE OR REPLACE TEMP TABLE _typed AS {typing_sql(table, contract, '_stage', present)}",
        name,
    )
    key_joins, problems, unchanged_sql = _key_checks(con, table, source)
    joins, reference_problems = _reference_checks(con, table)
    cols = table.column_names
    reasons = ", ".join(["NULLIF(t._reason, '')", *reference_problems, *problems])
    _run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE _checked AS
            SELECT t.*, concat_ws('; ', {reasons}) AS _why, {unchanged_sql} AS _unchanged
            FROM _typed t
            {key_joins}
            {joins}""",
        name,
    )
    _run(con, "DROP TABLE _typed", name)  # _checked has it all; free the memory early
    ingest_id = int(_run(con, "SELECT nextval('ingest_id_seq')", name)[0][0])
    col_list = ", ".join(q(c) for c in cols)
    if progress:
        progress(f"writing {source.path.name}", 0, 0)
    _run(
        con,
        f"""INSERT INTO {q(name)} ({col_list}, _ingest_id)
            SELECT {col_list}, ? FROM _checked WHERE _why = '' AND NOT _unchanged""",
        name,
        [ingest_id],
    )
    # A file loaded before: its earlier quarantine is replaced by this attempt's.
    _run(con, "DELETE FROM quarantine WHERE kind = ? AND sha256 = ?", name, [name, source.sha256])
    original = ", ".join(
        f"{lit(c)}, s.{q(c)}" for c in source.read_columns if not c.startswith("_")
    )
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    _run(
        con,
        f"""INSERT INTO quarantine
              (kind, source_file, row_number, line, original, reason, quarantined_at, ingest_id, sha256)
            SELECT ?, ?, c._row, coalesce(s._line, c._row + 1), json_object({original}), c._why, ?, ?, ?
            FROM _checked c JOIN _stage s USING (_row) WHERE c._why <> ''""",
        name,
        [name, str(source.path), now, ingest_id, source.sha256],
    )
    if source.malformed:
        con.executemany(
            """INSERT INTO quarantine
                 (kind, source_file, row_number, line, original, reason, quarantined_at, ingest_id, sha256)
               VALUES (?, ?, ?, ?, json_object('raw', ?), ?, ?, ?, ?)""",
            [
                [
                    name,
                    str(source.path),
                    m.row_number,
                    m.line,
                    m.text,
                    m.reason,
                    now,
                    ingest_id,
                    source.sha256,
                ]
                for m in source.malformed
            ],
        )
    stats = _run(
        con,
        "SELECT count(*) FILTER (_why <> ''), count(*) FILTER (_why = '' AND _unchanged) FROM _checked",
        name,
    )[0]
    bad, unchanged = int(stats[0]), int(stats[1])
    quarantined = bad + len(source.malformed)
    total = rows + len(source.malformed)
    loaded = rows - bad
    top = _run(
        con,
        """SELECT reason, count(*) AS n FROM quarantine WHERE ingest_id = ?
           GROUP BY reason ORDER BY n DESC, reason LIMIT 8""",
        name,
        [ingest_id],
    )
    log = [ingest_id, name, str(source.path), source.sha256, source.format, total, loaded]
    log += [loaded - unchanged, unchanged, quarantined, started, now, __version__]
    _run(con, "INSERT INTO ingest_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", name, log)
    temps = ["_stage", "_dups", "_checked"]
    temps += [f"_missing_{i}" for i, c in enumerate(table.foreign_keys) if c.is_list]
    for temp in temps:
        _run(con, f"DROP TABLE IF EXISTS {temp}", name)
    return FileResult(
        path=str(source.path),
        kind=name,
        format=source.format,
        rows=total,
        loaded=loaded,
        inserted=loaded - unchanged,
        unchanged=unchanged,
        quarantined=quarantined,
        encoding=source.encoding if source.format == "csv" else None,
        delimiter=source.delimiter if source.format == "csv" else None,
        ignored_columns=[c for c in source.columns if c not in present.values()],
        warnings=[*source.warnings, *_empty_reference_warnings(con, table)],
        top_reasons=[(str(r), int(n)) for r, n in top],
    )
