"""``onca network``: follow the money, find the structure of a network, export it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table as RichTable

from onca.cli._common import err, errors_as_exit, numbers_table, out, print_json
from onca.cli._options import (
    WorkspaceArg,
    date_option,
    engine_option,
    json_option,
    out_option,
    parse_date,
    seed_option,
)
from onca.engines import SUPPORTED, check_engine

app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode="markdown",
    help="""Network intelligence: from a seizure or a suspect to the people who profit.

The workspace becomes one graph: resolved persons and companies, their accounts, the money
between accounts, shipments, permits and seizures. Resolve the workspace first
(`onca resolve WORKSPACE`) so that a courier named by the police and the same man as a bank
customer are one node.

**onca network trace WORKSPACE --from ID** follows the money forwards and backwards in time from
a seizure, entity, party, account or shipment, and attributes amounts along the paths.

**onca network analyze WORKSPACE** finds communities, brokers and key players (the arrests that
would fragment a network most) and spreads risk from known offenders.

**onca network motifs WORKSPACE** finds the laundering shapes (fan-in, fan-out, cycles,
scatter-gather, gather-scatter, bipartite, stack) in time order.

**onca network learn WORKSPACE --truth DIR** trains a scorer on graph features and measures it
against the screening rules.

**onca network export WORKSPACE --format gexf --out FILE** writes the network for Gephi, Aleph
or a spreadsheet.

Examples:

    onca network trace work.duckdb --from SZ000031

    onca network trace work.duckdb --from ENT-BNK0001146 --direction backward --hops 6 --json

    onca network trace work.duckdb --from SZ000031 --export gexf --out seizure.gexf
""",
)


def _fmt_usd(value: float) -> str:
    return f"{value:,.2f}"


@app.command()
def trace(
    workspace: WorkspaceArg,
    start: Annotated[
        str,
        typer.Option(
            "--from",
            help="Where to start: a seizure, entity (ENT-...), party, account or shipment id.",
        ),
    ],
    direction: Annotated[
        str,
        typer.Option(
            help="forward: where the money went; backward: where it came from; both.",
        ),
    ] = "both",
    hops: Annotated[int, typer.Option(help="Most payments on a path (1 to 20).")] = 4,
    since: Annotated[
        str | None,
        date_option(
            "Only transactions at or after this date (default for a seizure: a year before it)."
        ),
    ] = None,
    until: Annotated[
        str | None,
        date_option("Only transactions up to this date (default for a seizure: 90 days after it)."),
    ] = None,
    min_amount: Annotated[
        float, typer.Option(help="Ignore transactions below this many US dollars.")
    ] = 0.0,
    max_edges: Annotated[
        int,
        typer.Option(help="Stop after this many transactions (the trace says when it was cut)."),
    ] = 50_000,
    top: Annotated[int, typer.Option(help="Paths and entities to list.")] = 10,
    engine: Annotated[
        str,
        engine_option(
            SUPPORTED["trace"],
            {"memory": "the transactions loaded into NumPy arrays first (fast for many traces)"},
        ),
    ] = "duckdb",
    export: Annotated[
        str | None,
        typer.Option(
            help="Also write the traced network for other tools: graphml, gexf (Gephi), csv or"
            " ftm (Aleph); needs --out."
        ),
    ] = None,
    out_path: Annotated[
        Path | None,
        out_option("Where --export writes: a folder, or a file for one-file formats."),
    ] = None,
    as_json: Annotated[bool, json_option("nodes, edges, paths, ranking and totals")] = False,
) -> None:
    """Follow the money from a seizure, entity, party or account.

    Time is respected: money moves on only after it arrived. Amounts are attributed first in,
    first out, so no account passes on more traced money than reached it; each reached entity
    gets the traced money that went through it, and the widest paths are listed.
    """
    from onca.network import export_graph, open_flows, trace_workspace
    from onca.workspace import open_workspace

    with errors_as_exit():
        check_engine(engine, SUPPORTED["trace"])
        _check_export(export, out_path)
        window = (parse_date(since, "--since"), parse_date(until, "--until"))
        with open_workspace(workspace, create=False) as ws, open_flows(ws, engine) as flows:
            result = trace_workspace(
                ws,
                start,
                flows,
                direction=direction,  # type: ignore[arg-type]  # checked by trace_workspace
                hops=hops,
                since=window[0],
                until=window[1],
                min_amount=min_amount,
                max_edges=max_edges,
                top_paths=max(top, 25),
            )
            data = result.to_dict()
        if export is not None and out_path is not None:
            data["exported"] = [str(p) for p in export_graph(result.to_graph(), out_path, export)]
    if as_json:
        print_json(data)
        return
    _print_trace(data, top)
    if data.get("exported"):
        err.print(f"wrote {', '.join(data['exported'])}", highlight=False)


def _check_export(fmt: str | None, out_path: Path | None) -> None:
    from onca.errors import ParameterError
    from onca.network import FORMATS

    if fmt is None and out_path is None:
        return
    if fmt is None or out_path is None:
        raise ParameterError("--export and --out go together: a format and where to write it")
    if fmt not in FORMATS:
        raise ParameterError(f"--export: expected one of {', '.join(FORMATS)}, got {fmt!r}")


def _print_trace(data: dict[str, Any], top: int) -> None:
    s = data["start"]
    out.print(f"[bold]{s['label']}[/bold]", highlight=False)
    out.print(
        f"  {len(s['entities'])} entities, {len(s['accounts'])} accounts to start from",
        highlight=False,
    )
    for note in data["notes"]:
        err.print(f"  note: {note}", highlight=False)
    summary = numbers_table(
        "traced", ("direction", "transactions", "accounts", "entities", "US dollars")
    )
    for way, t in data["totals"].items():
        summary.add_row(
            way + (" (cut short)" if t["truncated"] else ""),
            f"{t['transactions']:,}",
            f"{t['accounts_reached']:,}",
            f"{t['entities_reached']:,}",
            _fmt_usd(t["traced_usd"]),
        )
    out.print(summary)
    ranking = RichTable(title=f"top {top} entities by traced money", title_justify="left")
    for col in ("entity", "name", "money in (backward)", "money out (forward)"):
        ranking.add_column(col, justify="right" if "money" in col else "left")
    for row in data["ranking"][:top]:
        ranking.add_row(
            row["entity"], row["label"], _fmt_usd(row["backward_usd"]), _fmt_usd(row["forward_usd"])
        )
    out.print(ranking)
    paths = sorted(data["paths"], key=lambda p: -p["amount_usd"])[:top]
    if paths:
        out.print(
            f"[bold]widest {len(paths)} paths[/bold] (amount = smallest traced payment on it)"
        )
    for p in paths:
        chain = " -> ".join(f"{label}" for label in p["labels"])
        out.print(
            f"  {p['direction']:8} {_fmt_usd(p['amount_usd']):>14}  {p['first_ts'][:10]}..{p['last_ts'][:10]}  {chain}",
            highlight=False,
        )


@app.command()
def analyze(
    workspace: WorkspaceArg,
    k: Annotated[
        int, typer.Option("--k", help="Key players to find in each suspect community.")
    ] = 5,
    resolution: Annotated[
        float, typer.Option(help="Leiden resolution: higher gives more, smaller communities.")
    ] = 1.0,
    alert_threshold: Annotated[
        float,
        typer.Option(
            help="Entities screened at this score or more count as known bad, with seized ones."
        ),
    ] = 0.5,
    seed: Annotated[int, seed_option("Random seed (Leiden): same seed, same result.")] = 0,
    as_json: Annotated[bool, json_option("the summary")] = False,
) -> None:
    """Communities, brokers, key players and risk propagated from known offenders.

    Works on the entity network (persons and companies tied by money, shipments, shared
    identifiers and seizures). Seeds are the entities seizures name and those screening scored at
    --alert-threshold or more; every other entity tied to them gets a risk rank and the path that
    explains it. In each community holding seeds, the --k arrests that would fragment it most
    are found (key players; Patel et al. 2015, PNAS). Results: tables network_entities and
    network_runs.
    """
    from onca.cli._resolve import _steps
    from onca.network import analyze_workspace
    from onca.workspace import open_workspace

    with errors_as_exit():
        with (
            open_workspace(workspace, create=False) as ws,
            _steps(not as_json and err.is_terminal) as step,
        ):
            analysis = analyze_workspace(
                ws,
                k=k,
                resolution=resolution,
                alert_threshold=alert_threshold,
                seed=seed,
                progress=step,
            )
        summary = analysis.to_dict()
    if as_json:
        print_json({"workspace": str(workspace), **summary})
        return
    out.print(
        f"{summary['entities']:,} entities, {summary['ties']:,} ties, "
        f"{summary['communities']:,} communities (modularity {summary['modularity']}), "
        f"{summary['seeds']:,} known offenders as seeds",
        highlight=False,
    )
    risk = RichTable(title="highest risk, not yet known", title_justify="left")
    for col in ("rank", "entity", "name", "explained by"):
        risk.add_column(col)
    for r in summary["top_risk"]:
        risk.add_row(str(r["rank"]), r["entity"], r["label"] or "", " - ".join(r["path"]))
    out.print(risk)
    for s in summary["suspect_communities"]:
        table = RichTable(
            title=f"community {s['community']}: {s['size']} entities, {s['seeds']} known; "
            "arrest in this order",
            title_justify="left",
        )
        for col in ("step", "entity", "name", "fragmentation after", "largest group left"):
            table.add_column(col, justify="right" if col[0] in "fl" else "left")
        for p in s["key_players"]:
            table.add_row(
                str(p["step"]),
                p["entity"],
                p["label"] or "",
                f"{p['fragmentation']:.3f}",
                f"{p['largest_component']:,}",
            )
        out.print(table)
    out.print(
        f"Stored in {workspace} (tables network_entities, network_runs) in "
        f"{summary['seconds']:.1f} s."
    )


@app.command("export")
def export_network(
    workspace: WorkspaceArg,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", help="graphml (Gephi, Cytoscape, yEd), gexf (Gephi), csv or ftm (Aleph)."
        ),
    ],
    out_path: Annotated[
        Path,
        out_option("A folder, or a file for the one-file formats."),
    ],
    as_json: Annotated[bool, json_option("what was written")] = False,
) -> None:
    """Write the whole workspace network: entities, accounts, payments (one edge per pair of
    accounts, with count and US dollars), shipments, permits and seizures.

    To export only the network around a seizure or a suspect, use
    `onca network trace WORKSPACE --from ID --export FORMAT --out PATH`.
    Formats and how to open them: docs/network-exports.md.

    Example: onca network export work.duckdb --format gexf --out work.gexf
    """
    from onca.network import build_graph, export_graph
    from onca.workspace import open_workspace

    with errors_as_exit():
        _check_export(fmt, out_path)
        with open_workspace(workspace, create=False, read_only=True) as ws:
            graph = build_graph(ws)
        files = export_graph(graph, out_path, fmt)
    summary = {
        "workspace": str(workspace),
        "format": fmt,
        "nodes": graph.vcount(),
        "edges": graph.ecount(),
        "files": [str(f) for f in files],
    }
    if as_json:
        print_json(summary)
        return
    out.print(
        f"wrote {summary['nodes']:,} nodes and {summary['edges']:,} edges to "
        + ", ".join(summary["files"]),
        highlight=False,
    )
