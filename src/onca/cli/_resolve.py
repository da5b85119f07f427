"""``onca resolve``: entity resolution of a workspace, and linking two party files."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table as RichTable
from typer.core import TyperGroup

from onca.cli._common import err, errors_as_exit, listing_table, out, print_json, progress_bar
from onca.cli._options import JsonOption, engine_option, json_option, out_option, workspace_argument
from onca.engines import SUPPORTED
from onca.errors import ParameterError


class _WorkspaceByDefault(TyperGroup):
    """``onca resolve WORKSPACE`` runs the hidden ``run`` command; ``link`` and ``explain``
    are subcommands."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_WorkspaceByDefault,
    no_args_is_help=True,
    rich_markup_mode="markdown",
    help="""Entity resolution: find the records that are one real person or company.

Banks, customs and the police write one trafficker differently: accents dropped, surnames in
another order or left out, a digit of the birth date or ID wrong, the phone written another way.
Onca compares names, birth dates, ID numbers, phones, addresses and countries with a
probabilistic model (Splink, trained without labels) and explains every link.

**onca resolve WORKSPACE** deduplicates the workspace's parties into the tables `entities`,
`entity_members` and `entity_links`, and rolls screening alerts up to `entity_scores`.

**onca resolve link LEFT RIGHT --out PAIRS.csv** links two party files (CSV or Parquet).

**onca resolve explain WORKSPACE PARTY_ID** shows a record's entity and why its records match.

Examples:

    onca resolve work.duckdb

    onca resolve work.duckdb --engine spark --json

    onca resolve link bank.csv customs.parquet --out pairs.csv --threshold 0.95
""",
)


@contextmanager
def _steps(enabled: bool) -> Iterator[Callable[[str], None]]:
    with progress_bar(enabled=enabled) as bar:
        yield lambda description: bar(description, 0, 0)


@app.command("run", hidden=True)
def run(
    workspace: Annotated[Path, workspace_argument("Workspace file (DuckDB) to resolve.")],
    engine: Annotated[str, engine_option(SUPPORTED["resolve"])] = "duckdb",
    threshold: Annotated[
        float,
        typer.Option(help="Link two records when the match probability is at least this."),
    ] = 0.9,
    labels: Annotated[
        Path | None,
        typer.Option(
            help="Optional CSV of reviewed pairs (left_id, right_id, is_match): the model"
            " learns from them instead of expectation maximisation."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Deduplicate a workspace's parties into entities (see `onca resolve --help`)."""
    from onca.resolve import read_match_labels, resolve_workspace
    from onca.workspace import open_workspace

    with errors_as_exit():
        label_table = read_match_labels(labels) if labels else None
        with (
            open_workspace(workspace, create=False) as ws,
            _steps(not as_json and err.is_terminal) as step,
        ):
            summary = resolve_workspace(
                ws, engine=engine, threshold=threshold, labels=label_table, progress=step
            )
    if as_json:
        print_json({"workspace": str(workspace), **summary.to_dict()})
        return
    table = RichTable(title=f"entity resolution ({summary.engine})", title_justify="left")
    table.add_column("")
    table.add_column("", justify="right")
    for label, value in (
        ("party records", summary.records),
        ("pairs compared", summary.compared_pairs),
        (f"links (probability >= {summary.threshold})", summary.links),
        ("entities", summary.entities),
        ("entities with 2+ records", summary.duplicate_entities),
        ("records in those", summary.records_in_duplicates),
    ):
        table.add_row(label, f"{value:,}")
    for flag, n in summary.flags.items():
        table.add_row(f"records flagged {flag}", f"{n:,}")
    out.print(table)
    for e in summary.largest:
        out.print(f"  {e['entity_id']}: {e['name']} ({e['members']} records)", highlight=False)
    out.print(
        f"Resolved in {summary.seconds:.1f} s; stored in {workspace} (tables entities,"
        " entity_members, entity_links, entity_scores). Why two records match:"
        f" onca resolve explain {workspace} PARTY_ID"
    )


@app.command()
def link(
    left: Annotated[Path, typer.Argument(help="First party file (CSV or Parquet).")],
    right: Annotated[Path, typer.Argument(help="Second party file (CSV or Parquet).")],
    out_path: Annotated[Path, out_option("Where to write the linked pairs (CSV).", "-o")],
    threshold: Annotated[
        float, typer.Option(help="Keep pairs whose match probability is at least this.")
    ] = 0.9,
    engine: Annotated[str, engine_option(SUPPORTED["resolve"])] = "duckdb",
    explain: Annotated[
        bool,
        typer.Option(
            "--explain", help="Add match_weight and explanation (JSON) columns to the CSV."
        ),
    ] = False,
    as_json: Annotated[bool, json_option("a summary")] = False,
) -> None:
    """Link two party files: one CSV row per pair of records judged the same party.

    Files follow the data contract's parties table: party_id and name are required; kind,
    birth_date, nationality, country, address, phone and id_number are used when present.
    The CSV has the columns left_id, right_id, match_probability (best first).

    Example:

        onca resolve link bank_customers.csv customs_traders.parquet --out pairs.csv
    """
    from onca.resolve import link_tables, read_party_file
    from onca.resolve._resolve import flagged

    with errors_as_exit():
        left_table, right_table = read_party_file(left), read_party_file(right)
        with _steps(not as_json and err.is_terminal) as step:
            links = link_tables(
                left_table, right_table, threshold=threshold, engine=engine, progress=step
            )
        from onca.text import spreadsheet_safe

        columns = ["left_id", "right_id", "match_probability"]
        if explain:
            columns += ["match_weight", "explanation"]
        try:
            out_path.parent.mkdir(parents=True, exist_ok=True)
            with out_path.open("w", newline="") as f:
                writer = csv.writer(f)
                writer.writerow(columns)
                data = [links.pairs.column(c).to_pylist() for c in columns]
                for row in zip(*data, strict=True):
                    writer.writerow([spreadsheet_safe(v) for v in row])
        except OSError as e:
            raise ParameterError(f"--out {out_path}: cannot write it: {e}") from None
    summary = {
        "left": str(left),
        "right": str(right),
        "left_records": left_table.num_rows,
        "right_records": right_table.num_rows,
        "pairs_compared": links.prediction.compared_pairs,
        "links": links.pairs.num_rows,
        "threshold": threshold,
        "engine": engine,
        "flags": flagged(links.features),
        "out": str(out_path),
    }
    if as_json:
        print_json(summary)
        return
    out.print(
        f"{summary['links']:,} linked pairs between {left_table.num_rows:,} and"
        f" {right_table.num_rows:,} records ({summary['pairs_compared']:,} pairs compared)"
        f" written to {out_path}",
        highlight=False,
    )
    for flag, n in summary["flags"].items():
        out.print(f"  {n:,} records flagged {flag}", highlight=False)


@app.command("explain")
def explain_cmd(
    workspace: Annotated[Path, workspace_argument("A resolved workspace.")],
    party_id: Annotated[str, typer.Argument(help="Any party record of the entity.")],
    as_json: JsonOption = False,
) -> None:
    """Show a record's entity: its members and, for each link, which comparisons said what.

    A weight is log2 of how much likelier the evidence is for a match than for two unrelated
    records: +10 is about a thousand times likelier, -5 thirty-two times less likely.
    """
    from onca.resolve import explain_entity
    from onca.workspace import open_workspace

    with errors_as_exit(), open_workspace(workspace, create=False, read_only=True) as ws:
        payload = explain_entity(ws, party_id)
    entity_id, members = payload["entity_id"], payload["members"]
    if as_json:
        print_json(payload)
        return
    rows = [[str(v) if v is not None else "" for v in list(m.values())[:6]] for m in members]
    out.print(
        listing_table(
            f"{entity_id}: {len(members)} record(s)",
            ("party", "name", "born", "ID", "phone", "address"),
            rows,
            ids=("party", "born", "ID"),
        )
    )
    for lnk in payload["links"]:
        out.print(
            f"[bold]{lnk['left_id']} = {lnk['right_id']}[/]  probability"
            f" {lnk['match_probability']:.6f}, weight {lnk['match_weight']:+.1f}",
            highlight=False,
        )
        for part in lnk["explanation"]:
            out.print(
                f"    {part['weight']:+6.1f}  {part['comparison']}: {part['level']}",
                highlight=False,
            )
