"""``onca export``: hand workspace data to other tools."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from onca.cli._common import err, errors_as_exit, print_json
from onca.cli._options import json_option, out_option, workspace_argument

app = typer.Typer(
    help="Export workspace data for other tools (FollowTheMoney / Aleph).", no_args_is_help=True
)


@app.command("ftm")
def ftm(
    workspace: Annotated[Path, workspace_argument("Workspace file.")],
    out_file: Annotated[
        Path | None, out_option("JSON-lines file to write; default: stdout.")
    ] = None,
    dataset: Annotated[
        str, typer.Option(help="Dataset name used to namespace entity IDs.")
    ] = "onca",
    as_json: Annotated[bool, json_option("entity counts")] = False,
) -> None:
    """Write parties, accounts and transactions as FollowTheMoney entities (JSON lines).

    Person, Company and Organization for parties, BankAccount for accounts (with the holder's
    ownership), Payment for transactions: the format Aleph, OpenSanctions and `ftm` tools load.

    Example: onca export ftm work.duckdb --out work.ftm.json
    """
    from onca.export import export_ftm

    with errors_as_exit():
        if out_file is None:
            counts = export_ftm(workspace, sys.stdout, dataset=dataset)
        else:
            counts = export_ftm(workspace, out_file, dataset=dataset)
    if as_json:
        print_json({"out": str(out_file) if out_file else "-", "entities": counts})
    else:
        summary = ", ".join(f"{n:,} {schema}" for schema, n in counts.items())
        err.print(f"exported {summary}" + (f" to {out_file}" if out_file else ""))
