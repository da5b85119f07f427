"""``onca report``: write the HTML report of a workspace that already exists."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from onca.cli._common import err, errors_as_exit, out, print_json
from onca.cli._options import json_option, workspace_argument


def report(
    workspace: Annotated[
        Path, workspace_argument("The workspace file (e.g. onca-demo/onca.duckdb).")
    ],
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="The HTML file to write. Default: report.html beside the workspace.",
            dir_okay=False,
        ),
    ] = None,
    scenario: Annotated[
        Path | None,
        typer.Option(
            help="The folder 'onca synth' wrote (the demo's OUT/data): adds screening quality"
            " and entity-resolution accuracy against its truth/, and the density, occupancy,"
            " distribution and CITES sections for the surveys it holds.",
            file_okay=False,
            exists=True,
        ),
    ] = None,
    title: Annotated[str, typer.Option(help="The report's title.")] = "Onca workspace report",
    as_json: Annotated[
        bool, json_option("the report's path and its summary (what was found, the leads)")
    ] = False,
) -> None:
    """Write a workspace's report: one self-contained HTML file, figures included.

    It opens with a summary in plain words: what the analyses found and the five things to
    look at first, each linked to its evidence with the command that follows it. Then the
    screening alerts and scores (after 'onca screen') and the entities (after 'onca resolve'),
    the transactions, seizures and shipments, and at the end the tables, ingest log and
    quarantine. It only reads the workspace, so it is safe to run at any time, as often as
    needed. The network and learned-scoring sections run analyses and are written by 'onca
    demo' (or see 'onca network'); the summary reads what 'onca network analyze' stored.

    Example, after 'onca demo --out onca-demo':

        onca report onca-demo/onca.duckdb --scenario onca-demo/data --out demo.html
    """
    from onca.demo import report_sections
    from onca.report import REPORT_FILE, summarize, write_report
    from onca.workspace import open_workspace

    target = out_file if out_file is not None else workspace.parent / REPORT_FILE
    with errors_as_exit(), open_workspace(workspace, create=False, read_only=True) as ws:
        if not as_json and err.is_terminal:
            err.print("writing report...")
        sections = report_sections(ws, scenario=scenario)
        path = write_report(
            ws, target.parent, title=title, extra_sections=sections, file_name=target.name
        )
        summary = summarize(ws) if as_json else None
    if summary is not None:
        print_json({"workspace": str(workspace), "report": str(path), "summary": summary.to_dict()})
        return
    out.print(f"wrote {path}. Open it in a browser: file://{path.resolve()}")
    err.print(
        "note: the network sections of 'onca demo' (the money behind a seizure, the organisers,"
        " risk from offenders, learned scoring) run analyses, so a re-render leaves them out;"
        " 'onca network trace/analyze/learn' give them on the command line.",
        highlight=False,
    )
