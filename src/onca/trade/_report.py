"""Report section: the scenario's CITES records analysed (mirror gaps, a source shift, exports
over breeding capacity) against the planted truth, and the workspace's permit checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from onca.report import Figure, Section, TableBlock
from onca.trade._capacity import capacity, read_facilities, read_productivity
from onca.trade._mirror import mirror
from onca.trade._plots import capacity_png, mirror_png, route_series, shift_png
from onca.trade._read import read_trade
from onca.trade._shift import source_shifts
from onca.workspace import Workspace


def evaluate_trade(folder: Path, truth: dict[str, Any]) -> dict[str, Any]:
    """Run the three analyses on ``folder``'s records and say whether each planted pattern is found."""
    data = read_trade(folder / "shipments.csv")
    facilities = read_facilities(
        folder / "facilities.csv", read_productivity(folder / "productivity.csv")
    )
    mirrors = mirror(data)
    shifts = source_shifts(data)
    over = capacity(data, facilities)
    planted: list[dict[str, Any]] = []
    for gap in truth["mirror_gaps"]:
        hits = [
            (rank, f)
            for rank, f in enumerate(mirrors, start=1)
            if (f["taxon"], f["exporter"], f["importer"], f["year_exporter"])
            == (gap["taxon"], gap["exporter"], gap["importer"], gap["year"])
            and f["difference"] >= 0.5 * gap["importer_reported"]
        ]
        where = f"{gap['taxon']}, {gap['exporter']} to {gap['importer']}, {gap['year']}"
        planted.append(_planted("mirror gap", where, hits, len(mirrors)))
    s = truth["source_shift"]
    hits = [
        (rank, f)
        for rank, f in enumerate(shifts, start=1)
        if (f["taxon"], f["exporter"], f["direction"], f["years_after"][0])
        == (s["taxon"], s["exporter"], s["direction"], s["first_captive_year"])
    ]
    where = f"{s['taxon']}, {s['exporter']}, from {s['first_captive_year']}"
    planted.append(_planted("wild-to-captive shift", where, hits, len(shifts)))
    c = truth["over_capacity"]
    flagged = [f for f in over if (f["taxon"], f["exporter"]) == (c["taxon"], c["exporter"])]
    years = sorted(f["year"] for f in flagged)
    planted.append(
        {
            "pattern": "exports over breeding capacity",
            "where": f"{c['taxon']}, {c['exporter']}, {c['years'][0]}-{c['years'][-1]}",
            "found": years == sorted(c["years"]),
            "rank": 1 if flagged else None,
            "of": len(over),
            "finding": flagged[0] if flagged else None,
            "years_flagged": years,
        }
    )
    return {
        "data": data,
        "facilities": facilities,
        "mirror": mirrors,
        "shifts": shifts,
        "capacity": over,
        "planted": planted,
    }


def _planted(
    pattern: str, where: str, hits: list[tuple[int, dict[str, Any]]], of: int
) -> dict[str, Any]:
    """How a planted ``pattern`` at ``where`` fared: found if any finding matched it (``hits``:
    (rank, finding), best first), with the rank and the finding of the first, out of ``of``."""
    return {
        "pattern": pattern,
        "where": where,
        "found": bool(hits),
        "rank": hits[0][0] if hits else None,
        "of": of,
        "finding": hits[0][1] if hits else None,
    }


def trade_section(
    ws: Workspace | None,
    *,
    folder: Path,
    truth: dict[str, Any],
    permits: dict[str, Any] | None = None,
) -> Section:
    """The legal-trade section of the demo report, with a summary of what was found as its
    ``data``. ``ws`` is not read (``permits`` are the workspace's permit checks, when given):
    sections share one signature."""
    ev = evaluate_trade(folder, truth)
    data, facilities = ev["data"], ev["facilities"]
    rows = []
    for p in ev["planted"]:
        f = p["finding"]
        rank = f"{p['rank']} of {p['of']}" if p["rank"] else ""
        rows.append(
            [
                p["pattern"],
                p["where"],
                "yes" if p["found"] else "NO",
                rank,
                f["explanation"] if f else "",
            ]
        )
    figures = []
    for p in ev["planted"]:
        f = p["finding"]
        if f is None:
            continue
        if p["pattern"] == "mirror gap":
            series = route_series(
                data,
                taxon=f["taxon"],
                term=f["term"],
                unit=f["unit"],
                exporter=f["exporter"],
                importer=f["importer"],
            )
            route = [
                m
                for m in ev["mirror"]
                if (m["taxon"], m["term"], m["exporter"], m["importer"])
                == (f["taxon"], f["term"], f["exporter"], f["importer"])
            ]
            png, what = mirror_png(series, route), "exporter- and importer-reported quantities"
        elif p["pattern"] == "wild-to-captive shift":
            png, what = shift_png(f), "wild and captive-bred exports per year"
        else:
            flagged = [
                x
                for x in ev["capacity"]
                if (x["taxon"], x["exporter"]) == (f["taxon"], f["exporter"])
            ]
            png, what = capacity_png(flagged), "captive-bred exports against breeding capacity"
        figures.append(
            Figure(
                png,
                alt=f"{p['pattern']}: {what}, {p['where']}.",
                caption=f"{p['pattern'].capitalize()}: {p['where']}.",
            )
        )
    top = [[i, f["explanation"]] for i, f in enumerate(ev["mirror"][:8], start=1)]
    found = sum(p["found"] for p in ev["planted"])
    paragraphs = [
        f"The scenario's CITES records ({data.rows:,} shipment-level records in the Trade"
        f" Database's bulk format, {data.loaded:,} loaded, {len(data.quarantine)} quarantined for"
        f" bad codes; {len(facilities.rows)} breeding facilities, {len(facilities.quarantine)}"
        " quarantined) hide laundering of three kinds. onca trade mirror pairs what exporters"
        " and importers reported, onca trade source-shift looks for sudden moves from wild to"
        " captive-bred sources, and onca trade capacity compares captive-bred exports with what"
        " registered breeders could raise.",
        f"{found} of the {len(ev['planted'])} planted patterns are found. Mirror discrepancies:"
        f" {len(ev['mirror'])}; source shifts: {len(ev['shifts'])}; exports over capacity:"
        f" {len(ev['capacity'])}.",
    ]
    tables = [
        TableBlock(
            "Planted laundering and what Onca found",
            ["pattern", "where", "found", "rank", "finding"],
            rows,
            [False, False, False, True, False],
        ),
        TableBlock("Largest mirror discrepancies", ["#", "finding"], top, [True, False]),
    ]
    summary: dict[str, Any] = {
        "planted": len(ev["planted"]),
        "found": found,
        "mirror_findings": len(ev["mirror"]),
        "shift_findings": len(ev["shifts"]),
        "capacity_findings": len(ev["capacity"]),
        "quarantined_records": len(data.quarantine),
        "quarantined_facilities": len(facilities.quarantine),
    }
    if permits is not None:
        counts = permits["by_check"]
        paragraphs.append(
            f"Permits in the workspace (onca trade permits): {permits['shipments_with_permit']:,} of"
            f" {permits['shipments']:,} shipments are declared under one of {permits['permits']:,}"
            f" permits; {len(permits['findings']):,} findings, stored as alerts that party scores"
            " and the network's risk use."
        )
        tables.append(
            TableBlock(
                "Permit checks",
                ["check", "findings", "first finding"],
                [
                    [
                        k,
                        n,
                        next(
                            (f["explanation"] for f in permits["findings"] if f["check"] == k), ""
                        ),
                    ]
                    for k, n in counts.items()
                ],
                [False, True, False],
            )
        )
        summary["permit_findings"] = len(permits["findings"])
    title = "Legal trade: laundering in CITES records"
    return Section(title, paragraphs, tables=tables, figures=figures, anchor="trade", data=summary)
