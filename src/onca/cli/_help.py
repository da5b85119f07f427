"""How ``--help`` reads in a terminal, 80 columns wide included.

Typer's Rich help writes a type for every option, from its Python annotation: a flag reads
``--json <bool>`` as if it took a value, and a repeatable option ``--scope <list[str]>``. Here a
flag shows no value, and a repeatable option shows the type of one value followed by ``...``
(``--scope <str>...``; an argument that takes several, such as ``FILES...``, shows ``<path>``).
Every other type keeps Typer's label (``<str>``, ``<path>``, ``<int range> [x>=1]``). And where
the terminal is narrow, Typer shortens an option's name (``--no-account-s…``); here the names
stay whole and the help beside them wraps into a narrower column.

:func:`readable_help` makes these changes once, on Typer's parameter and command classes, when
``onca.cli`` is imported, so that every command, and the ``--help`` option itself, reads the
same. ``tests/cli/test_terminal.py`` walks every command's help at 80 columns.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any, get_args

from rich.columns import Columns
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption


def _is_flag(param: TyperArgument | TyperOption) -> bool:
    return isinstance(param, TyperOption) and bool(param.is_flag or param.count)


def _one_value_of_many(param: TyperArgument | TyperOption) -> str | None:
    """For a parameter that takes several values (a ``list``, not of choices), the type of one
    (``<str>...`` for an option, ``<path>`` for an argument, whose name ends in ``...``);
    else None."""
    descriptor = param.type_descriptor
    if not descriptor.is_list or descriptor.is_choice:
        return None
    (element,) = get_args(descriptor.annotation) or (str,)
    if isinstance(element, type) and issubclass(element, PurePath):
        label = "path"
    else:
        label = getattr(element, "__name__", str(element)).lower()
    return f"<{label}>..." if isinstance(param, TyperOption) else f"<{label}>"


def _readable(typer_method: Any) -> Any:
    def display_type_rich(self: Any, ctx: Any) -> str | None:
        if self.metavar is not None:
            return typer_method(self, ctx)
        if _is_flag(self):
            return None
        return _one_value_of_many(self) or typer_method(self, ctx)

    display_type_rich.__doc__ = typer_method.__doc__
    display_type_rich.__wrapped__ = typer_method  # type: ignore[attr-defined]
    return display_type_rich


class _Folded:
    """A renderable whose words longer than the line fold onto the next one (``sqlite:///...``,
    ``ONCA_SPARK_MASTER``) instead of ending in an ellipsis."""

    def __init__(self, inner: RenderableType) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from console.render(self.inner, options.update(overflow="fold"))

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.inner)


class _OptionsTable(Table):
    """Typer's table of options, as its help draws it, except that the columns that hold names
    (``--max-cycle-length``, ``--no-account-scores``, an argument's name) never shorten (the
    help column beside them is narrower instead), and a long word in the help folds."""

    def add_row(self, *renderables: RenderableType | None, **options: Any) -> None:
        if not self.columns and len(renderables) > 2:
            for _ in renderables[:-2]:
                self.add_column(no_wrap=True)
            self.add_column()
            self.add_column()
        if isinstance(renderables[-1], Columns):  # the help, and its [default: ...]
            parts = renderables[-1].renderables
            parts[:] = [_Folded(part) for part in parts]
        super().add_row(*renderables, **options)


def _whole_names(typer_method: Any) -> Any:
    def format_help(self: Any, ctx: Any, formatter: Any) -> None:
        from typer import rich_utils  # loaded for help only, as Typer itself does

        rich_utils.Table = _OptionsTable  # type: ignore[misc]
        typer_method(self, ctx, formatter)

    format_help.__doc__ = typer_method.__doc__
    format_help.__wrapped__ = typer_method  # type: ignore[attr-defined]
    return format_help


def readable_help() -> None:
    """Make Typer's help show flags without a value, repeatable options by one value's type,
    and option names whole (idempotent)."""
    for cls in (TyperOption, TyperArgument):
        method = cls.display_type_rich
        if not hasattr(method, "__wrapped__"):
            cls.display_type_rich = _readable(method)  # type: ignore[method-assign]
    for command in (TyperCommand, TyperGroup):
        if not hasattr(command.format_help, "__wrapped__"):
            command.format_help = _whole_names(command.format_help)  # type: ignore[method-assign]
