"""Options that many commands share, declared once so that they read the same everywhere.

>>> def cmd(engine: EngineOption = "duckdb", as_json: JsonOption = False) -> None: ...

``--engine`` lists the engines an analysis supports, with what each is, from the one engine
registry (:data:`onca.engines.ENGINES`); the analysis itself checks the name
(:func:`onca.engines.check_engine`), so the library and the command line give the same message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

import typer

from onca.engines import ALL_ENGINES, ENGINES


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
    return typer.Option("--engine", help=engine_help(supported, extra))


JsonOption = Annotated[bool, json_option()]
"""``--json`` printing the command's result."""

EngineOption = Annotated[str, engine_option()]
"""``--engine`` for an analysis that runs on every engine."""
