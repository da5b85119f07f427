"""The ``onca`` command line. Every command takes --help; most take --json."""

from __future__ import annotations

import typer

from onca import __version__
from onca.cli import (
    _convert,
    _density,
    _distribution,
    _evaluate,
    _export,
    _ingest,
    _network,
    _network_patterns,  # noqa: F401  (registers onca network motifs and learn)
    _occupancy,
    _pprl,
    _registry,
    _report,
    _resolve,
    _scenario,
    _screen,
    _trade,
)
from onca.cli._help import readable_help

readable_help()

app = typer.Typer(
    name="onca",
    help=(
        "Onca: analytics against illegal wildlife trade in the Americas.\n\n"
        "Start with 'onca demo', then load your own files with 'onca ingest'."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
app.command()(_scenario.demo)
app.command()(_scenario.synth)
app.command()(_ingest.ingest)
app.command()(_ingest.quarantine)
app.command()(_screen.screen)
app.add_typer(_resolve.app, name="resolve")
app.add_typer(_pprl.app, name="pprl")
app.add_typer(_network.app, name="network")
app.add_typer(_export.app, name="export")
app.add_typer(_trade.app, name="trade")
app.add_typer(_convert.app, name="convert")
app.add_typer(_evaluate.app, name="evaluate")
app.add_typer(_registry.app, name="registry")
app.command()(_density.density)
app.command()(_occupancy.occupancy)
app.command()(_occupancy.colext)
app.command()(_distribution.distribution)
app.command()(_report.report)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"onca {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Onca: analytics against illegal wildlife trade in the Americas."""


def main() -> None:
    app()


__all__ = ["app", "main"]
