"""The report's standard sections, each built from aggregate SQL on the workspace."""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from onca.report import _figures
from onca.workspace import Workspace


@dataclass(frozen=True)
class Figure:
    """A PNG figure with the text a screen reader says instead of it."""

    png: bytes
    alt: str
    caption: str = ""

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass(frozen=True)
class TableBlock:
    """A small table: a caption, column headings and rows of plain values (escaped on render).
    ``row_ids``, when given (one per row), are the rows' HTML ids, so that a link can point at
    one row (the summary's leads do)."""

    caption: str
    headings: list[str]
    rows: list[list[Any]]
    numeric: list[bool] = field(default_factory=list)
    row_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Section:
    """One section of the report. Later analyses pass their own through ``extra_sections``.

    ``paragraphs`` are plain text (escaped); ``tables``, ``figures`` and ``html`` render in that
    order. ``html`` holds trusted fragments (an interactive view, say) that the caller built and
    escaped itself; anything that is not ``Markup`` there is escaped like a paragraph. ``data``
    is not rendered: the section's findings as plain values (numbers, strings, lists, dicts)
    for a program, such as the demo's summary.

    Every section function has one shape: ``name_section(ws, *, options...) -> Section``, the
    workspace first (``None`` is accepted by sections that read files rather than tables).
    """

    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[TableBlock] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    anchor: str = ""
    html: list[Markup] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


def _rows(ws: Workspace, sql: str) -> list[tuple[Any, ...]]:
    return ws.db.fetch(sql)


def overview(ws: Workspace) -> Section:
    counts = ws.counts()
    log = _rows(
        ws,
        """SELECT kind, source_file, file_format, rows_in, loaded, quarantined,
                  rows_in = loaded + quarantined AS adds_up
           FROM ingest_log ORDER BY ingest_id""",
    )
    tables = [
        TableBlock(
            "Rows per table",
            ["table", "rows"],
            [[name, n] for name, n in counts.items()],
            [False, True],
        )
    ]
    paragraphs = [
        f"Workspace {ws.path.name}: schema version {ws.schema_version},"
        f" {sum(v for k, v in counts.items() if k != 'quarantine'):,} rows loaded,"
        f" {counts['quarantine']:,} quarantined."
    ]
    if log:
        ok = all(r[6] for r in log)
        paragraphs.append(
            "Every ingested file adds up: rows in = loaded + quarantined."
            if ok
            else "WARNING: some ingests do not add up (rows in differs from loaded + quarantined)."
        )
        tables.append(
            TableBlock(
                "Ingest log (one row per file loaded)",
                ["table", "file", "format", "rows in", "loaded", "quarantined", "adds up"],
                [
                    [r[0], r[1].rsplit("/", 1)[-1], r[2], r[3], r[4], r[5], "yes" if r[6] else "NO"]
                    for r in log
                ],
                [False, False, False, True, True, True, False],
            )
        )
    else:
        paragraphs.append("Nothing has been ingested yet: run 'onca ingest'.")
    return Section(
        "Appendix: the workspace and its ingest log", paragraphs, tables, anchor="workspace"
    )


QUARANTINE = "Appendix: rows that did not load (quarantine)"


def quarantine(ws: Workspace) -> Section:
    rows = _rows(
        ws,
        """SELECT kind, reason, count(*) AS n FROM quarantine
           GROUP BY kind, reason ORDER BY n DESC, kind, reason LIMIT 15""",
    )
    if not rows:
        return Section(QUARANTINE, ["No rows are in quarantine."], anchor="quarantine")
    return Section(
        QUARANTINE,
        ["The most frequent reasons rows did not load. List them all with 'onca quarantine'."],
        [
            TableBlock(
                "Top quarantine reasons",
                ["table", "reason", "rows"],
                [list(r) for r in rows],
                [False, False, True],
            )
        ],
        anchor="quarantine",
    )


def transactions(ws: Workspace) -> Section:
    title = "Transactions"
    if ws.count("transactions") == 0:
        return Section(title, ["No rows in transactions."], anchor="transactions")
    weekly = _rows(
        ws,
        """SELECT strftime(date_trunc('week', ts), '%Y-%m-%d') AS week, channel, count(*)
           FROM transactions GROUP BY ALL ORDER BY week, channel""",
    )
    weeks = sorted({r[0] for r in weekly})
    channels = sorted({r[1] for r in weekly})
    index = {w: i for i, w in enumerate(weeks)}
    series = {c: [0] * len(weeks) for c in channels}
    for week, channel, n in weekly:
        series[channel][index[week]] = int(n)
    figures = [
        _figure(
            _figures.stacked_weekly(weeks, series, ylabel="transactions per week"),
            alt=f"Stacked bar chart of transactions per week from {weeks[0]} to {weeks[-1]},"
            f" by channel ({', '.join(channels)}).",
            caption="Transactions per week, by channel.",
        )
    ]
    bins = _rows(
        ws,
        """WITH b AS (SELECT floor(log10(CAST(amount AS DOUBLE)) * 4) AS bin FROM transactions
                      WHERE amount > 0)
           SELECT bin, count(*) FROM b GROUP BY bin ORDER BY bin""",
    )
    if bins:
        lo, hi = int(bins[0][0]), int(bins[-1][0])
        counts = dict((int(b), int(n)) for b, n in bins)
        edges = [math.pow(10, b / 4) for b in range(lo, hi + 2)]
        binned = [counts.get(b, 0) for b in range(lo, hi + 1)]
        png = _figures.log_histogram(edges, binned, xlabel="amount (in the transaction's currency)")
        figures.append(
            _figure(
                png,
                alt="Histogram of transaction amounts on a logarithmic scale, from"
                f" {edges[0]:,.2f} to {edges[-1]:,.0f}.",
                caption="Distribution of amounts (log scale; currencies not converted).",
            )
        )
    by_currency = _rows(
        ws,
        """SELECT currency, count(*), sum(amount) FROM transactions
           GROUP BY currency ORDER BY count(*) DESC LIMIT 12""",
    )
    table = TableBlock(
        "Transactions by currency",
        ["currency", "transactions", "total amount"],
        [[c, n, f"{float(s):,.2f}"] for c, n, s in by_currency],
        [False, True, True],
    )
    return Section(title, [], [table], figures, anchor="transactions")


def _ranked(ws: Workspace, sql: str, *, unit: str, what: str, caption: str) -> Figure | None:
    """A ranked bar chart from ``sql`` returning (label, count) rows; None when there are none."""
    rows = _rows(ws, sql)
    if not rows:
        return None
    labels, values = [str(r[0]) for r in rows], [int(r[1]) for r in rows]
    top = ", ".join(f"{label} {n}" for label, n in zip(labels[:5], values[:5], strict=True))
    return _figure(
        _figures.horizontal_bars(labels, values, xlabel=unit),
        alt=f"Bar chart of {unit} by {what}: {top}.",
        caption=caption,
    )


def seizures_and_shipments(ws: Workspace) -> Section:
    top = "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT"
    taxa = _ranked(
        ws,
        f"SELECT taxon, count(*) FROM seizures {top} 12",
        unit="seizures",
        what="taxon",
        caption="Seizures by taxon (top 12).",
    )
    countries = _ranked(
        ws,
        f"SELECT country, count(*) FROM seizures {top} 12",
        unit="seizures",
        what="country",
        caption="Seizures by country where they happened (top 12).",
    )
    routes = _ranked(
        ws,
        f"SELECT origin_country || ' → ' || destination_country, count(*) FROM shipments {top} 10",
        unit="shipments",
        what="route",
        caption="Shipments by route, origin to destination (top 10).",
    )
    paragraphs = []
    if taxa is None:
        paragraphs.append("No rows in seizures.")
    if routes is None:
        paragraphs.append("No rows in shipments.")
    figures = [f for f in (taxa, countries, routes) if f is not None]
    return Section("Seizures and shipments", paragraphs, [], figures, anchor="seizures")


def _figure(png: bytes, *, alt: str, caption: str) -> Figure:
    return Figure(png=png, alt=alt, caption=caption)


def data_sections(ws: Workspace) -> list[Section]:
    """What the data holds: transactions, seizures and shipments (after the analyses)."""
    return [transactions(ws), seizures_and_shipments(ws)]


def appendix_sections(ws: Workspace) -> list[Section]:
    """The bookkeeping, at the end: tables, ingest log, quarantine."""
    return [overview(ws), quarantine(ws)]
