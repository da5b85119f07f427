"""``onca ingest`` and ``onca quarantine``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table as RichTable

from onca.cli._common import err, errors_as_exit, numbers_table, out, print_json, progress_bar
from onca.cli._options import json_option, workspace_argument
from onca.ingest import FORMATS

if TYPE_CHECKING:
    from onca.ingest import IngestResult


def _kinds() -> str:
    from onca.contract import load_contract  # when the help is built, not on import

    return ", ".join(load_contract().load_order())


def ingest(
    workspace: Annotated[Path, workspace_argument("Workspace file (DuckDB); created if missing.")],
    kind: Annotated[
        str,
        typer.Argument(
            metavar="KIND_OR_FOLDER",
            help="Contract table to load the FILES into ("
            + _kinds()
            + "), or a folder whose files are named after the tables (then no FILES).",
        ),
    ],
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="One or more CSV, Parquet, XLSX or FtM JSON-lines files."),
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help=f"Force the format ({', '.join(FORMATS)}).")
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(help="Text encoding of CSV files. Default: UTF-8, or Latin-1 if not UTF-8."),
    ] = None,
    delimiter: Annotated[
        str | None,
        typer.Option(help="CSV delimiter (',', ';', 'tab', '|'). Default: detected."),
    ] = None,
    as_json: Annotated[bool, json_option("the counts per file")] = False,
) -> None:
    """Load files into a workspace table, checking every row against the data contract.

    Rows that break the contract (bad dates, amounts, codes, unknown accounts, duplicate IDs...)
    go to the quarantine table with their file, line and reason; the rest load. The counts
    always add up: rows = loaded + quarantined. Loading the same file twice adds nothing. One
    ingest is one transaction: if it is interrupted, the workspace is unchanged.

    Given a folder, each file loads into the table its name gives (parties.csv,
    transactions-2024.parquet...), tables in the order their references need; other files are
    listed and left alone. Given a table, load parties before accounts, accounts before
    transactions, permits before shipments (references are checked).

    Examples: onca ingest work.duckdb world/ ;
    onca ingest work.duckdb transactions txns-2024-*.csv
    """
    if not files:
        _ingest_folder(workspace, Path(kind), as_json=as_json, forced=(fmt, encoding, delimiter))
        return
    from onca.ingest import ingest_files

    with (
        errors_as_exit(),
        progress_bar(enabled=not as_json and err.is_terminal, bytes_mode=True) as bar,
    ):
        result = ingest_files(
            workspace, kind, files, fmt=fmt, encoding=encoding, delimiter=delimiter, progress=bar
        )
    if as_json:
        print_json(result.to_dict())
    else:
        _print_result(result)


def _ingest_folder(
    workspace: Path, folder: Path, *, as_json: bool, forced: tuple[str | None, ...]
) -> None:
    from onca.errors import InputFileError
    from onca.ingest import ingest_folder

    with errors_as_exit():
        if not folder.is_dir():
            raise InputFileError(
                f"{folder}: not a folder and not a table; give a table and its files"
                f" (onca ingest {workspace} transactions txns.csv) or a folder of files named"
                f" after the tables ({_kinds()})"
            )
        if any(forced):
            raise InputFileError(
                "--format, --encoding and --delimiter apply to the files of one table;"
                " with a folder, each file's own suffix and content decide"
            )
    with (
        errors_as_exit(),
        progress_bar(enabled=not as_json and err.is_terminal, bytes_mode=True) as bar,
    ):
        result = ingest_folder(workspace, folder, progress=bar)
    if as_json:
        print_json(result.to_dict())
        return
    table = numbers_table(
        f"ingest of {folder}", ("table", "file", "rows", "loaded", "unchanged", "quarantined")
    )
    for one in result.results:
        for f in one.files:
            table.add_row(
                one.kind,
                Path(f.path).name,
                f"{f.rows:,}",
                f"{f.loaded:,}",
                f"{f.unchanged:,}",
                f"{f.quarantined:,}",
            )
    out.print(table)
    for one in result.results:
        _print_notes(one)
    if result.left_alone:
        err.print(
            f"[yellow]note:[/] left alone (no contract table in the name):"
            f" {', '.join(result.left_alone)}",
            highlight=False,
        )
    out.print(
        f"{result.rows:,} rows in {len(result.results)} tables = {result.loaded:,} loaded +"
        f" {result.quarantined:,} quarantined in {result.seconds:.1f} s",
        highlight=False,
    )


def _print_result(result: IngestResult) -> None:
    table = numbers_table(
        f"ingest into {result.kind}", ("file", "rows", "loaded", "new", "unchanged", "quarantined")
    )
    for f in result.files:
        table.add_row(
            Path(f.path).name,
            f"{f.rows:,}",
            f"{f.loaded:,}",
            f"{f.inserted:,}",
            f"{f.unchanged:,}",
            f"{f.quarantined:,}",
        )
    out.print(table)
    out.print(
        f"{result.rows:,} rows = {result.loaded:,} loaded + {result.quarantined:,} quarantined"
        f" in {result.seconds:.1f} s -> {result.workspace}"
    )
    _print_notes(result)


def _print_notes(result: IngestResult) -> None:
    """Warnings, ignored columns and the commonest quarantine reasons of one table's files."""
    for f in result.files:
        for warning in f.warnings:
            err.print(f"[yellow]warning:[/] {warning}")
        if f.ignored_columns:
            err.print(
                f"[yellow]note:[/] {Path(f.path).name}: ignored columns not in the contract:"
                f" {', '.join(f.ignored_columns)}"
            )
        for reason, n in f.top_reasons:
            out.print(f"  quarantined x{n}: {reason}", highlight=False)
    if result.quarantined:
        out.print(f"See them with: onca quarantine {result.workspace} --kind {result.kind}")


def quarantine(
    workspace: Annotated[Path, workspace_argument("Workspace file.")],
    kind: Annotated[str | None, typer.Option(help="Only rows meant for this table.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many rows.")] = 50,
    as_json: Annotated[bool, json_option("the rows")] = False,
) -> None:
    """List quarantined rows: file, row, line, reason and the original values."""
    import onca.workspace

    with errors_as_exit(), onca.workspace.open(workspace, create=False) as ws:
        where, params = ("WHERE kind = ?", [kind]) if kind else ("", [])
        rows = ws.db.fetch(
            f"""SELECT kind, source_file, row_number, line, reason, CAST(original AS VARCHAR)
                FROM quarantine {where} ORDER BY kind, source_file, row_number LIMIT ?""",
            [*params, limit],
        )
    keys = ("kind", "source_file", "row_number", "line", "reason", "original")
    if as_json:
        import json

        records = [dict(zip(keys, r, strict=True)) for r in rows]
        for rec in records:
            rec["original"] = json.loads(rec["original"])
        print_json(records)
        return
    if not rows:
        scope = f" for {kind}" if kind else ""
        out.print(f"Nothing in quarantine{scope} in {workspace}.", highlight=False)
        return
    table = RichTable(title="quarantine", title_justify="left", show_lines=True)
    for col in ("kind", "file", "line", "reason", "original"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r[0], Path(r[1]).name, str(r[3]), r[4], r[5])
    out.print(table)
