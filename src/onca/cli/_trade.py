"""``onca trade``: legal-trade monitoring on CITES Trade Database exports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from onca.cli._common import err, errors_as_exit, make_folder, out, print_json, print_result
from onca.cli._options import engine_option, json_option, plots_option, workspace_argument
from onca.engines import SUPPORTED

PlotsOption = Annotated[
    Path | None, plots_option("Draw the largest findings (yearly series, PNG) into this folder.")
]

CitesFile = Annotated[
    Path, typer.Argument(help="A CITES export: comparative tabulation or shipment-level CSV.")
]
"""``FILE``: the CITES Trade Database export the command reads (the format is detected)."""

FindingsJson = Annotated[bool, json_option("the file's counts and the findings")]
"""``--json``: print the counts and the findings as one object."""

TopFindings = Annotated[int, typer.Option(min=1, help="Findings to list (JSON: to include).")]
"""``--top``: how many findings to list, largest first; the JSON holds as many."""

app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode="markdown",
    help="""Legal-trade monitoring: laundering through CITES trade records.

Reads the CITES Trade Database's comparative tabulation or shipment-level export (the format
is detected), checks every row against the data contract as onca ingest does (tables
cites_comptab and cites_shipments: codes, quantities; bad rows are quarantined with their line
and reason) and harmonises units.

**onca trade mirror FILE** ranks discrepancies between what exporters and importers reported.

**onca trade source-shift FILE** finds sudden shifts between wild and captive-bred sources.

**onca trade capacity FILE --facilities CSV** flags captive-bred exports above what registered
breeders could raise.

**onca trade permits WORKSPACE** checks the permits of the workspace's shipments (exists, covers
the goods and quantity, valid on the date, used once) and stores the findings as alerts.

With **--json** each prints an object whose list **findings** holds the findings, each with its
keys and a sentence **explanation**; **--plots DIR** draws the largest ones.
""",
)


def _payload(data: Any, findings: list[dict[str, Any]], top: int) -> dict[str, Any]:
    return {
        **data.summary(),
        "findings_total": len(findings),
        "findings": findings[:top],
        "quarantine": data.quarantine[:50],
    }


def _plots(folder: Path | None, draw: Any, payload: dict[str, Any]) -> None:
    """Write the pictures ``draw()`` makes into ``folder`` and list them in ``payload``."""
    if folder is None:
        return
    from onca.trade._plots import write_plots

    payload["plots"] = write_plots(make_folder(folder, "--plots"), draw())


def _report(payload: dict[str, Any], as_json: bool, what: str) -> None:
    """Print ``payload`` as JSON, or as a line of counts (``what`` names the findings), the
    reasons rows were quarantined, one line per finding and the pictures drawn."""
    print_result(payload, as_json, lambda p: _print(p, what))


def _print(payload: dict[str, Any], what: str) -> None:
    s = payload
    out.print(
        f"{s['file']} ({s['format']}): {s['rows']:,} rows, {s['loaded']:,} loaded,"
        f" {s['quarantined']:,} quarantined; {s['findings_total']:,} {what}",
        highlight=False,
    )
    for reason, n in s["quarantine_reasons"].items():
        err.print(f"  quarantined {n:,}: {reason}", highlight=False)
    for i, f in enumerate(s["findings"], start=1):
        out.print(f"{i:>3}. {f['explanation']}", highlight=False)


@app.command("mirror")
def mirror_command(
    file: CitesFile,
    min_difference: Annotated[
        float, typer.Option(min=0, help="Report differences of at least this quantity.")
    ] = 1.0,
    top: TopFindings = 20,
    plots: PlotsOption = None,
    as_json: FindingsJson = False,
) -> None:
    """Mirror discrepancies: exporter-reported against importer-reported trade.

    Shipment records are paired by export permit (random ids) where both sides carry one, else
    by year, taxon, term, unit and route, with the importer's next year allowed (shipments
    across the new year). Re-exports are named. Example: onca trade mirror shipments.csv --json
    """
    from onca.trade import read_trade
    from onca.trade._listings import appendix_at
    from onca.trade._mirror import mirror
    from onca.trade._plots import mirror_pictures

    with errors_as_exit(), read_trade(file) as data:
        findings = mirror(data, min_difference=min_difference)
        for f in findings:
            f["listed_appendix"] = appendix_at(f["taxon"], f["year_exporter"])
        payload = _payload(data, findings, top)
        _plots(plots, lambda: mirror_pictures(data, findings), payload)
    _report(payload, as_json, "mirror discrepancies, largest first")


@app.command("source-shift")
def source_shift_command(
    file: CitesFile,
    min_change: Annotated[
        float, typer.Option(help="Smallest change in the captive share to report (0-1).")
    ] = 0.5,
    min_years: Annotated[int, typer.Option(min=2, help="Years of trade a series needs.")] = 4,
    min_quantity: Annotated[
        float, typer.Option(min=0, help="Quantity each side of the shift needs.")
    ] = 10.0,
    top: TopFindings = 20,
    plots: PlotsOption = None,
    as_json: FindingsJson = False,
) -> None:
    """Shifts of declared source between wild (W) and captive-bred or ranched (C, D, F, R).

    Per taxon and exporter, the year that splits the series into the most different captive
    shares. Example: onca trade source-shift comptab.csv --min-change 0.4
    """
    from onca.trade import read_trade
    from onca.trade._plots import shift_pictures
    from onca.trade._shift import source_shifts

    with errors_as_exit(), read_trade(file) as data:
        findings = source_shifts(
            data, min_change=min_change, min_years=min_years, min_quantity=min_quantity
        )
        payload = _payload(data, findings, top)
        _plots(plots, lambda: shift_pictures(findings), payload)
    _report(payload, as_json, "source shifts")


@app.command("capacity")
def capacity_command(
    file: CitesFile,
    facilities: Annotated[
        Path,
        typer.Option(
            help="Breeding facilities (CSV: facility, country, taxon, breeding_females and"
            " optionally offspring_per_female_year, from_year, to_year, source)."
        ),
    ],
    productivity: Annotated[
        Path | None,
        typer.Option(
            help="Young per breeding female per year by taxon or genus (CSV: taxon,"
            " offspring_per_female_year, source), for facility rows that do not give it."
        ),
    ] = None,
    tolerance: Annotated[
        float, typer.Option(min=0, help="Share above capacity tolerated (0.1 = 10%).")
    ] = 0.1,
    source: Annotated[
        list[str] | None,
        typer.Option("--source", help="Source codes that mean captive-bred (default C, D, F)."),
    ] = None,
    unregistered: Annotated[
        bool,
        typer.Option(
            help="Also flag captive-bred exports of taxa a country has no registered facility for."
        ),
    ] = False,
    top: TopFindings = 20,
    plots: PlotsOption = None,
    as_json: FindingsJson = False,
) -> None:
    """Captive-bred exports above what registered breeding facilities could raise.

    A country's capacity for a taxon in a year is the sum of breeding females times young per
    female per year over its facilities registered that year; exports are the whole animals
    (live, bodies, skins, trophies, skulls) declared captive-bred. Bad facility rows are
    quarantined with their line and reason.
    Example: onca trade capacity shipments.csv --facilities facilities.csv --productivity prod.csv
    """
    from onca.trade import read_trade
    from onca.trade._capacity import CAPTIVE_BRED, capacity, read_facilities, read_productivity
    from onca.trade._plots import capacity_pictures

    with errors_as_exit():
        table = read_productivity(productivity) if productivity else None
        registry = read_facilities(facilities, table)
    with errors_as_exit(), read_trade(file) as data:
        findings = capacity(
            data,
            registry,
            tolerance=tolerance,
            unregistered=unregistered,
            sources=tuple(source or CAPTIVE_BRED),
        )
        payload = {
            **_payload(data, findings, top),
            **registry.summary(),
            "facilities_quarantine": registry.quarantine[:50],
        }
        _plots(plots, lambda: capacity_pictures(findings), payload)

    def print_text(payload: dict[str, Any]) -> None:
        for q in registry.quarantine:
            err.print(
                f"  facility quarantined, {facilities} line {q['line']}: {q['reason']}",
                highlight=False,
            )
        out.print(
            f"{len(registry.rows):,} registered facilities from {facilities}", highlight=False
        )
        _print(payload, "exports above breeding capacity")

    print_result(payload, as_json, print_text)


@app.command("permits")
def permits_command(
    workspace: Annotated[Path, workspace_argument("The workspace (DuckDB file) to check.")],
    engine: Annotated[str, engine_option(SUPPORTED["screen"])] = "duckdb",
    tolerance: Annotated[
        float,
        typer.Option(
            min=0, help="Weight over a permit's kilograms allowed for packaging (0.25 = 25%)."
        ),
    ] = 0.25,
    top: TopFindings = 20,
    as_json: FindingsJson = False,
) -> None:
    """Check the CITES permits of the workspace's shipments; store the findings as alerts.

    A permit must exist (shipments naming an unknown permit are in the quarantine), cover the
    goods (HS code of its taxon) and the quantity (weight under permits in kg), be valid on the
    shipment's date and serve one shipment. The findings are alerts of the typologies
    permit_commodity_mismatch, permit_quantity_exceeded, permit_expired_or_early and
    permit_reused: party scores and the network's risk use them.
    Example: onca trade permits onca.duckdb --json
    """
    from onca.trade._permits import check_permits
    from onca.workspace import open_workspace

    if not workspace.exists():
        err.print(f"error: {workspace}: no such workspace (create one with onca ingest)")
        raise typer.Exit(2)
    with errors_as_exit(), open_workspace(workspace) as ws:
        result = check_permits(
            ws, engine=engine, parameters={"permit_quantity_exceeded": {"tolerance": tolerance}}
        )
    payload = {
        **{k: v for k, v in result.items() if k != "findings"},
        "findings_total": len(result["findings"]),
        "findings": result["findings"][:top],
    }
    if as_json:
        print_json(payload)
        return
    out.print(
        f"{workspace}: {payload['shipments']:,} shipments, {payload['shipments_with_permit']:,} under"
        f" a permit, {payload['permits']:,} permits; {payload['findings_total']:,} findings"
        " (stored as alerts)",
        highlight=False,
    )
    for check, n in payload["by_check"].items():
        out.print(f"  {check:<27} {n:>6,}", highlight=False)
    for i, f in enumerate(payload["findings"], start=1):
        out.print(f"{i:>3}. [{f['check']}] {f['explanation']}", highlight=False)
