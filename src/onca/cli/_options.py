"""Options that many commands share, declared once so that they read the same everywhere.

>>> def cmd(
...     workspace: WorkspaceArg, engine: EngineOption = "duckdb", as_json: JsonOption = False
... ) -> None: ...

``--engine`` lists the engines an analysis supports, with what each is, from the one engine
registry (:data:`onca.engines.ENGINES`); the analysis itself checks the name
(:func:`onca.engines.check_engine`), so the library and the command line give the same message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from onca.engines import ALL_ENGINES, ENGINES
from onca.errors import ParameterError


def workspace_argument(help: str = "Workspace file (DuckDB).") -> Any:
    """``WORKSPACE``: the DuckDB file a command reads or writes; ``help`` says what it expects
    of it (already screened, created if missing...)."""
    return typer.Argument(help=help)


def out_option(help: str, *aliases: str) -> Any:
    """``--out`` (and ``aliases`` such as ``-o``): where a command writes; ``help`` says what,
    a folder or a file."""
    return typer.Option("--out", *aliases, help=help)


def seed_option(help: str) -> Any:
    """``--seed``: the random seed; ``help`` says what it draws (the same seed, the same result)."""
    return typer.Option("--seed", help=help)


def date_option(help: str) -> Any:
    """A date (or ISO time) option such as ``--since``/``--until``, read by :func:`parse_date`."""
    return typer.Option(help=help, metavar="DATE")


def plots_option(help: str) -> Any:
    """``--plots DIR``: a folder for the command's PNG pictures; ``help`` says which."""
    return typer.Option("--plots", help=help, metavar="DIR")


def parse_date(value: str | None, option: str) -> dt.datetime | None:
    """A ``--since``/``--until`` value as a naive UTC datetime (None stays None); an aware time
    is converted to UTC. A value that is no ISO date names ``option``."""
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ParameterError(
            f"{option}: expected a date like 2024-01-31 (or 2024-01-31T12:00), got {value!r}"
        ) from None
    return parsed.astimezone(dt.UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def json_option(what: str = "the result") -> Any:
    """``--json``: print ``what`` as one JSON document on stdout, and nothing else there."""
    return typer.Option("--json", help=f"Print {what} as JSON (one document on stdout).")


def engine_help(supported: Sequence[str], extra: Mapping[str, str] | None = None) -> str:
    """``name: what it is`` for each of ``supported``, the first being the default."""
    described = {name: about for name, (_, about) in ENGINES.items()} | dict(extra or {})
    parts = [f"{name}: {described[name]}" for name in supported]
    return f"Where it runs. {'; '.join(parts)}. Default: {supported[0]}."


def engine_option(
    supported: Sequence[str] = ALL_ENGINES, extra: Mapping[str, str] | None = None
) -> Any:
    """``--engine`` for an analysis that runs on ``supported`` (``extra`` describes choices
    that are not engines, such as the tracer's in-memory arrays)."""
    choices = dict.fromkeys([*supported, *(extra or {})])  # in order, once each
    return typer.Option("--engine", help=engine_help(supported, extra), metavar="|".join(choices))


WorkspaceArg = Annotated[Path, workspace_argument()]
"""``WORKSPACE``, the workspace file (DuckDB)."""

ResultsJson = Annotated[bool, json_option("the results")]
"""``--json`` printing an analysis's results."""

JsonOption = Annotated[bool, json_option()]
"""``--json`` printing the command's result."""

EngineOption = Annotated[str, engine_option()]
"""``--engine`` for an analysis that runs on every engine."""
