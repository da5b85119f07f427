"""Mirror analysis: what exporters reported against what importers reported for the same trade.

Comparative tabulation: each row already pairs the two reports. Shipment-level records are
paired in two ways:

1. **by permit**: an exporter's and an importer's records that carry the same export permit
   random id are one shipment, compared per (permit, taxon, term, unit);
2. **by route and year** for the records without a shared permit: totals per (year, taxon,
   term, unit, exporter, importer) from each side. Shipments sent in December arrive in
   January: each year's reports are matched with each other first; an exporter's surplus is
   carried forward and absorbed by an importer's excess in the next year, or the year after
   when it can pass through a year whose own trade balances (a chain of late shipments). What
   is never absorbed is unexplained in the year it was reported, so a gap is named in its own
   year; no quantity is matched twice.

Quantities are compared only within one standard unit (g and kg together; never cartons and
kg). A discrepancy is the absolute difference (less what the new year explains); a finding says who reported what, which is
missing, and whether the trade is a re-export (origin differs from the exporter). Findings are
ranked by the difference, largest first. Where the records of one pair or route-year differ in
appendix, origin, source or purpose, the finding names the first in alphabetical order, so that
it does not depend on the order of the rows.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from onca.trade._read import TradeData

KEYS = "taxon, term, std_unit, exporter, importer"


def _comptab(min_difference: float) -> str:
    return f"""
    SELECT year AS year_exporter, year AS year_importer, appendix, taxon, term, std_unit AS unit,
           exporter, importer, origin, source, purpose,
           coalesce(exporter_qty, 0) AS exporter_qty, coalesce(importer_qty, 0) AS importer_qty,
           exporter_qty IS NULL AS exporter_missing, importer_qty IS NULL AS importer_missing,
           'comparative tabulation' AS matched_by, NULL AS permit,
           0.0 AS lag_next, 0.0 AS lag_previous,
           abs(coalesce(exporter_qty, 0) - coalesce(importer_qty, 0)) AS difference
    FROM trade
    WHERE abs(coalesce(exporter_qty, 0) - coalesce(importer_qty, 0)) >= {float(min_difference)!r}"""


_PAIRS = f"""
WITH by_permit AS (
  SELECT export_permit AS permit, {KEYS}, min(year) AS year, min(appendix) AS appendix,
         min(origin) AS origin, min(source) AS source, min(purpose) AS purpose,
         sum(quantity) FILTER (WHERE reporter = 'E') AS e_qty,
         sum(quantity) FILTER (WHERE reporter = 'I') AS i_qty,
         min(year) FILTER (WHERE reporter = 'E') AS e_year,
         min(year) FILTER (WHERE reporter = 'I') AS i_year
  FROM trade WHERE export_permit IS NOT NULL
  GROUP BY export_permit, {KEYS}
)
SELECT * FROM by_permit WHERE e_qty IS NOT NULL AND i_qty IS NOT NULL
"""

_SIDE = f"""
WITH rest AS (
  SELECT * FROM trade t
  WHERE t.export_permit IS NULL OR t.export_permit NOT IN (SELECT permit FROM mirror_pairs)
)
SELECT dense_rank() OVER (ORDER BY {KEYS}) AS gid, year, {KEYS}, min(appendix) AS appendix,
       min(origin) AS origin, min(source) AS source, min(purpose) AS purpose,
       sum(quantity) FILTER (WHERE reporter = 'E') AS e_qty,
       sum(quantity) FILTER (WHERE reporter = 'I') AS i_qty
FROM rest GROUP BY year, {KEYS}
ORDER BY gid, year
"""


LAG_YEARS = 2
"""How many new years an exporter's surplus may take to reach the importer's reports: one
December shipment late, or two in a row (a surplus passing through a year whose own trade
balances)."""


def _carry(gid: list[int], year: list[int], e: list[float], i: list[float]) -> pa.Table:
    """Per route-year (sorted by route, then year): what the new year explains, and the rest.

    Each year's reports are first matched with each other. An exporter's surplus is carried
    forward; an importer's excess in a later year absorbs carried surpluses, oldest first. A
    surplus may pass through a year whose own matched trade is at least as large (a chain of
    late shipments), for ``LAG_YEARS`` years at most; what is never absorbed is unexplained in
    the year it was reported, so a gap is named in its own year, never pushed down the series.
    """
    n = len(gid)
    lag_previous, lag_next, difference = [0.0] * n, [0.0] * n, [0.0] * n
    carries: list[list[float]] = []  # [origin row, amount, years travelled]
    for k in range(n):
        if not (k > 0 and gid[k] == gid[k - 1] and year[k] == year[k - 1] + 1):
            for origin, amount, _ in carries:
                difference[int(origin)] += amount
            carries = []
        matched = min(e[k], i[k])
        excess = i[k] - matched
        kept: list[list[float]] = []
        capacity = matched  # how much surplus can pass through this year
        for carry in carries:
            take = min(carry[1], excess)
            excess -= take
            lag_previous[k] += take
            lag_next[int(carry[0])] += take
            rest = carry[1] - take
            passing = min(rest, capacity) if carry[2] < LAG_YEARS else 0.0
            capacity -= passing
            difference[int(carry[0])] += rest - passing
            if passing > 0:
                kept.append([carry[0], passing, carry[2] + 1])
        difference[k] += excess
        if e[k] > matched:
            kept.append([float(k), e[k] - matched, 1.0])
        carries = kept
    for origin, amount, _ in carries:
        difference[int(origin)] += amount
    columns = {"gid": pa.array(gid, pa.int64()), "year": pa.array(year, pa.int64())}
    columns |= {"lag_previous": lag_previous, "lag_next": lag_next, "difference": difference}
    return pa.table(columns)


def _shipments(data: TradeData) -> pa.Table:
    """Pair the shipment records (temporary tables ``mirror_pairs`` and ``mirror_side``) and
    return what the new year explains per route-year (for ``mirror_lag``)."""
    data.db.materialize("mirror_pairs", _PAIRS)
    data.db.materialize("mirror_side", _SIDE)
    cols = data.db.arrow(
        "SELECT gid, year, coalesce(e_qty, 0) AS e, coalesce(i_qty, 0) AS i"
        " FROM mirror_side ORDER BY gid, year"
    )
    g, y, e, i = (cols.column(c).to_pylist() for c in ("gid", "year", "e", "i"))
    return _carry(g, y, e, i)


def _shipments_sql(min_difference: float) -> str:
    return f"""
    SELECT e_year AS year_exporter, i_year AS year_importer, appendix, taxon, term, std_unit AS unit,
           exporter, importer, origin, source, purpose, e_qty AS exporter_qty, i_qty AS importer_qty,
           false AS exporter_missing, false AS importer_missing, 'export permit' AS matched_by, permit,
           0.0 AS lag_next, 0.0 AS lag_previous, abs(e_qty - i_qty) AS difference
    FROM mirror_pairs WHERE abs(e_qty - i_qty) >= {float(min_difference)!r}
    UNION ALL
    SELECT s.year, s.year, appendix, taxon, term, std_unit, exporter, importer, origin, source,
           purpose, coalesce(e_qty, 0), coalesce(i_qty, 0), e_qty IS NULL, i_qty IS NULL,
           'route and year', NULL, l.lag_next, l.lag_previous, l.difference
    FROM mirror_side s JOIN mirror_lag l USING (gid, year)
    WHERE l.difference >= {float(min_difference)!r}"""


def _number(x: float) -> str:
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-9 else f"{x:,.3f}"


def _what(term: str, unit: str) -> str:
    if unit == "number":
        return "live specimens" if term == "live" else term
    return f"{unit} of {term}"


def explain(r: dict[str, Any]) -> str:
    """A sentence an analyst can read for one mirror finding."""
    what = _what(r["term"], r["unit"])
    years = (
        str(r["year_exporter"])
        if r["year_exporter"] == r["year_importer"]
        else f"{r['year_exporter']}/{r['year_importer']}"
    )
    via = (
        f" (re-export of specimens from {r['origin']})"
        if r["origin"] and r["origin"] not in (r["exporter"], "XX")
        else ""
    )
    if r["exporter_missing"]:
        head = f"{r['importer']} reported importing {_number(r['importer_qty'])} {what} of {r['taxon']} from {r['exporter']} in {years}; {r['exporter']} reported no such export"
    elif r["importer_missing"]:
        head = f"{r['exporter']} reported exporting {_number(r['exporter_qty'])} {what} of {r['taxon']} to {r['importer']} in {years}; {r['importer']} reported no such import"
    else:
        head = (
            f"{r['exporter']} reported exporting {_number(r['exporter_qty'])} {what} of {r['taxon']} to"
            f" {r['importer']} and {r['importer']} reported importing {_number(r['importer_qty'])} ({years})"
        )
    match = f", on one export permit ({r['permit']})" if r["matched_by"] == "export permit" else ""
    lag = ""
    if r["lag_previous"] > 0:
        lag += (
            f"; {_number(r['lag_previous'])} of {r['importer']}'s reports match"
            f" {r['exporter']}'s exports of the years before"
        )
    if r["lag_next"] > 0:
        lag += (
            f"; {_number(r['lag_next'])} of {r['exporter']}'s reports reappear in"
            f" {r['importer']}'s of the years after"
        )
    if lag:
        lag += " (shipments across the new year)"
    if lag:
        return f"{head}{via}{match}{lag}: an unexplained difference of {_number(r['difference'])}."
    return f"{head}{via}{match}: a difference of {_number(r['difference'])}."


def mirror(
    data: TradeData, *, min_difference: float = 1.0, top: int | None = None
) -> list[dict[str, Any]]:
    """Mirror discrepancies, largest first (module docstring), each with its ``explanation``."""
    order = " ORDER BY difference DESC, taxon, exporter, importer, year_exporter"
    order += f" LIMIT {int(top)}" if top else ""
    if data.kind == "comptab":
        rows = data.db.query(f"SELECT * FROM ({_comptab(min_difference)}){order}")
    else:
        with data.db.registered("mirror_lag", _shipments(data)):
            rows = data.db.query(f"SELECT * FROM ({_shipments_sql(min_difference)}){order}")
        data.db.drop("mirror_pairs")
        data.db.drop("mirror_side")
    out = []
    for r in rows:
        r["exporter_qty"], r["importer_qty"] = float(r["exporter_qty"]), float(r["importer_qty"])
        r["difference"] = float(r["difference"])
        r["lag_next"], r["lag_previous"] = float(r["lag_next"]), float(r["lag_previous"])
        r["re_export"] = bool(r["origin"] and r["origin"] not in (r["exporter"], "XX"))
        r["explanation"] = explain(r)
        out.append(r)
    return out
