"""Shared pieces of the command line: consoles, progress bars, JSON output, error handling."""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console, RenderableType
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table as RichTable
from rich.text import Text

from onca.errors import OncaError

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

EXIT_BAD_INPUT = 2


def print_json(payload: Any) -> None:
    """Machine-readable output: one JSON document on stdout, nothing else there."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str, indent=2) + "\n")


@contextmanager
def errors_as_exit() -> Iterator[None]:
    """Turn Onca's errors into a one-paragraph message on stderr and exit code 2."""
    try:
        yield
    except OncaError as e:
        err.print(f"[bold red]error:[/] {e}", highlight=False, markup=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


class _SizedOnly(ProgressColumn):
    """Show the wrapped amount column only for steps of known size (not for spinner steps)."""

    def __init__(self, inner: ProgressColumn) -> None:
        super().__init__()
        self.inner = inner

    def render(self, task: Task) -> RenderableType:
        return self.inner.render(task) if task.fields.get("sized") else Text("")


@contextmanager
def progress_bar(
    *, enabled: bool, bytes_mode: bool = False
) -> Iterator[Callable[[str, int, int], None]]:
    """A Rich progress bar on stderr, driven by ``update(description, completed, total)``.

    ``total == 0`` shows a spinner for steps whose length is unknown. Disabled (a no-op) when
    ``enabled`` is false, for --json and --quiet runs.
    """
    if not enabled:
        yield lambda description, completed, total: None
        return
    amount = _SizedOnly(DownloadColumn() if bytes_mode else MofNCompleteColumn())
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        amount,
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    tasks: dict[str, TaskID] = {}
    with Progress(*columns, console=err, transient=False) as bar:

        def update(description: str, completed: int, total: int) -> None:
            if description not in tasks:
                for other in tasks.values():
                    task = bar.tasks[other]
                    if task.total is None:
                        bar.update(other, total=1, completed=1)
                tasks[description] = bar.add_task(
                    description, total=total or None, sized=bool(total)
                )
            bar.update(tasks[description], completed=completed, total=total or None)

        yield update
        for task_id in tasks.values():
            task = bar.tasks[task_id]
            if task.total is None:
                bar.update(task_id, total=1, completed=1)


def write_table(table: Any, path: Path, option: str = "--out") -> None:
    """Write an Arrow table to ``path``: Parquet for ``.parquet``, else CSV (list columns joined
    with ``;``, as the network exports do; text that a spreadsheet would run as a formula gets a
    leading apostrophe). Errors name ``option``."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from onca.errors import ParameterError
    from onca.text import spreadsheet_safe

    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise ParameterError(f"{option} {path}: expected a file ending in .csv or .parquet")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".parquet":
            pq.write_table(table, path)
            return
        columns = [
            pa.array([None if v is None else ";".join(v) for v in col.to_pylist()], pa.string())
            if pa.types.is_list(col.type)
            else col
            for col in table.columns
        ]
        columns = [
            pa.array([spreadsheet_safe(v) for v in col.to_pylist()], pa.string())
            if pa.types.is_string(col.type) or pa.types.is_large_string(col.type)
            else col
            for col in columns
        ]
        pacsv.write_csv(pa.table(columns, names=table.column_names), path)
    except OSError as e:
        raise ParameterError(f"{option} {path}: cannot write it: {e}") from None


def numbers_table(title: str | None, columns: Sequence[str]) -> RichTable:
    """A Rich table whose first column names the row (left-aligned) and whose other columns
    hold figures (right-aligned); the title, if any, sits on the left."""
    table = RichTable(title=title, title_justify="left")
    for i, col in enumerate(columns):
        table.add_column(col, justify="left" if i == 0 else "right")
    return table


def listing_table(
    title: str | None,
    columns: Sequence[str],
    rows: Iterable[Sequence[str | Text]],
    *,
    ids: Collection[str] = (),
) -> RichTable:
    """A Rich table of ``rows`` that fits a narrow terminal (80 columns) without cutting an
    identifier: each column named in ``ids`` is as wide as its longest value and never wraps or
    shortens (a user copies those into the next command); the others wrap at spaces, and a word
    longer than its column folds onto the next line instead of ending in an ellipsis. A ``str``
    cell is plain text (brackets in the data are not Rich markup)."""
    cells = [[Text(c) if isinstance(c, str) else c for c in row] for row in rows]
    table = RichTable(title=title, title_justify="left")
    for i, col in enumerate(columns):
        if col in ids:
            widest = max((row[i].cell_len for row in cells), default=0)
            table.add_column(col, no_wrap=True, min_width=max(widest, len(col)))
        else:
            table.add_column(col, overflow="fold")
    for row in cells:
        table.add_row(*row)
    return table


@contextmanager
def recording_warnings() -> Iterator[list[str]]:
    """:func:`errors_as_exit` that also records Onca's warnings: once the block has run, the
    list it yields holds their distinct messages, in order, for the result to report."""
    from onca.errors import OncaWarning

    messages: list[str] = []
    with errors_as_exit(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", OncaWarning)
        yield messages
    messages.extend(onca_warnings(caught))


def onca_warnings(caught: list[Any]) -> list[str]:
    """The distinct messages of the OncaWarnings among recorded warnings, in order."""
    from onca.errors import OncaWarning

    return list(
        dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, OncaWarning))
    )


def print_warnings(messages: list[str]) -> None:
    for message in messages:
        err.print(f"[yellow]warning:[/] {message}", highlight=False)


def make_folder(folder: Path, option: str) -> Path:
    """Create ``folder`` (and parents); a failure names the option."""
    from onca.errors import ParameterError

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ParameterError(f"{option} {folder}: cannot create it: {e}") from None
    return folder


def write_pictures(
    folder: Path, pictures: Mapping[str, bytes], option: str = "--plots"
) -> list[str]:
    """Write each PNG of ``pictures`` (file name -> bytes) into ``folder``, created if missing
    (a failure names ``option``); the paths written, in order."""
    make_folder(folder, option)
    for name, png in pictures.items():
        (folder / name).write_bytes(png)
    return [str(folder / name) for name in pictures]


def print_result(
    payload: Mapping[str, Any], as_json: bool, print_text: Callable[[Any], None]
) -> None:
    """Print a command's result: ``payload`` as one JSON document; or its ``warnings`` on
    stderr, then ``print_text(payload)``, then the pictures it wrote (``plots``) on stderr."""
    if as_json:
        print_json(payload)
        return
    print_warnings(payload.get("warnings", []))
    print_text(payload)
    for path in payload.get("plots", []):
        err.print(f"wrote {path}", highlight=False)
