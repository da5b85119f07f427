"""``onca trade``: legal-trade monitoring on CITES Trade Database exports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from onca.cli._common import err, errors_as_exit, out, print_json

app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode="markdown",
    help="""Legal-trade monitoring: laundering through CITES trade records.

Reads the CITES Trade Database's comparative tabulation or shipment-level export (the format
is detected), checks every row (codes, quantities; bad rows are quarantined with their line and
reason) and harmonises units.

**onca trade mirror FILE** ranks discrepancies between what exporters and importers reported.

**onca trade source-shift FILE** finds sudden shifts between wild and captive-bred sources.
""",
)


def _payload(data: Any, findings: list[dict[str, Any]], top: int) -> dict[str, Any]:
    return {**data.summary(), "findings_total": len(findings), "findings": findings[:top],
            "quarantine": data.quarantine[:50]}  # fmt: skip


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
    file: Annotated[
        Path, typer.Argument(help="A CITES export: comparative tabulation or shipment-level CSV.")
    ],
    min_difference: Annotated[
        float, typer.Option(min=0, help="Report differences of at least this quantity.")
    ] = 1.0,
    top: Annotated[int, typer.Option(min=1, help="Findings to list (JSON: to include).")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
) -> None:
    """Mirror discrepancies: exporter-reported against importer-reported trade.

    Shipment records are paired by export permit (random ids) where both sides carry one, else
    by year, taxon, term, unit and route, with the importer's next year allowed (shipments
    across the new year). Re-exports are named. Example: onca trade mirror shipments.csv --json
    """
    from onca.trade import read_trade
    from onca.trade._listings import appendix_at
    from onca.trade._mirror import mirror

    with errors_as_exit():
        data = read_trade(file)
        findings = mirror(data, min_difference=min_difference)
        for f in findings:
            f["listed_appendix"] = appendix_at(f["taxon"], f["year_exporter"])
    payload = _payload(data, findings, top)
    if as_json:
        print_json(payload)
        return
    _print(payload, "mirror discrepancies, largest first")


@app.command("source-shift")
def source_shift_command(
    file: Annotated[
        Path, typer.Argument(help="A CITES export: comparative tabulation or shipment-level CSV.")
    ],
    min_change: Annotated[
        float, typer.Option(help="Smallest change in the captive share to report (0-1).")
    ] = 0.5,
    min_years: Annotated[int, typer.Option(min=2, help="Years of trade a series needs.")] = 4,
    min_quantity: Annotated[
        float, typer.Option(min=0, help="Quantity each side of the shift needs.")
    ] = 10.0,
    top: Annotated[int, typer.Option(min=1, help="Findings to list.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
) -> None:
    """Shifts of declared source between wild (W) and captive-bred or ranched (C, D, F, R).

    Per taxon and exporter, the year that splits the series into the most different captive
    shares. Example: onca trade source-shift comptab.csv --min-change 0.4
    """
    from onca.trade import read_trade
    from onca.trade._shift import source_shifts

    with errors_as_exit():
        data = read_trade(file)
        findings = source_shifts(
            data, min_change=min_change, min_years=min_years, min_quantity=min_quantity
        )
    payload = _payload(data, findings, top)
    if as_json:
        print_json(payload)
        return
    _print(payload, "source shifts")
