"""Mirror analysis: what exporters reported against what importers reported for the same trade.

Comparative tabulation: each row already pairs the two reports. Shipment-level records are
paired in two ways:

1. **by permit**: an exporter's and an importer's records that carry the same export permit
   random id are one shipment, compared per (permit, taxon, term, unit);
2. **by route and year** for the records without a shared permit: totals per (year, taxon,
   term, unit, exporter, importer) from each side; an exporter's year is also compared with the
   importer's next year (a shipment sent in December arrives in January), and the closer of the
   two is kept (and that importer year is not compared again).

Quantities are compared only within one standard unit (g and kg together; never cartons and
kg). A discrepancy is the absolute difference; a finding says who reported what, which is
missing, and whether the trade is a re-export (origin differs from the exporter). Findings are
ranked by the difference, largest first.
"""

from __future__ import annotations

from typing import Any

from onca.trade._read import TradeData

KEYS = "taxon, term, std_unit, exporter, importer"


def _comptab(min_difference: float) -> str:
    return f"""
    SELECT year AS year_exporter, year AS year_importer, appendix, taxon, term, std_unit AS unit,
           exporter, importer, origin, source, purpose,
           coalesce(exporter_qty, 0) AS exporter_qty, coalesce(importer_qty, 0) AS importer_qty,
           exporter_qty IS NULL AS exporter_missing, importer_qty IS NULL AS importer_missing,
           'comparative tabulation' AS matched_by, NULL AS permit
    FROM trade
    WHERE abs(coalesce(exporter_qty, 0) - coalesce(importer_qty, 0)) >= {float(min_difference)!r}"""


def _shipments(min_difference: float) -> str:
    return f"""
    WITH by_permit AS (
      SELECT export_permit AS permit, {KEYS}, min(year) AS year, any_value(appendix) AS appendix,
             any_value(origin) AS origin, any_value(source) AS source, any_value(purpose) AS purpose,
             sum(quantity) FILTER (WHERE reporter = 'E') AS e_qty,
             sum(quantity) FILTER (WHERE reporter = 'I') AS i_qty,
             min(year) FILTER (WHERE reporter = 'E') AS e_year,
             min(year) FILTER (WHERE reporter = 'I') AS i_year
      FROM trade WHERE export_permit IS NOT NULL
      GROUP BY export_permit, {KEYS}
    ),
    paired AS (SELECT * FROM by_permit WHERE e_qty IS NOT NULL AND i_qty IS NOT NULL),
    used AS (SELECT DISTINCT permit FROM paired),
    rest AS (
      SELECT * FROM trade t WHERE t.export_permit IS NULL OR t.export_permit NOT IN (SELECT permit FROM used)
    ),
    side AS (
      SELECT year, {KEYS}, any_value(appendix) AS appendix, any_value(origin) AS origin,
             any_value(source) AS source, any_value(purpose) AS purpose,
             sum(quantity) FILTER (WHERE reporter = 'E') AS e_qty,
             sum(quantity) FILTER (WHERE reporter = 'I') AS i_qty
      FROM rest GROUP BY year, {KEYS}
    ),
    lagged AS (
      SELECT s.*, n.i_qty AS i_next,
             s.e_qty IS NOT NULL AND n.i_qty IS NOT NULL
               AND abs(s.e_qty - n.i_qty) < abs(s.e_qty - coalesce(s.i_qty, 0)) AS use_next
      FROM side s
      LEFT JOIN side n ON n.year = s.year + 1 AND n.taxon = s.taxon AND n.term = s.term
        AND n.std_unit = s.std_unit AND n.exporter = s.exporter AND n.importer = s.importer
    ),
    marked AS (  -- an importer's year already matched with the exporter's year before it
      SELECT l.*, coalesce(p.use_next, false) AS consumed FROM lagged l
      LEFT JOIN lagged p ON p.year = l.year - 1 AND p.taxon = l.taxon AND p.term = l.term
        AND p.std_unit = l.std_unit AND p.exporter = l.exporter AND p.importer = l.importer
    ),
    route AS (
      SELECT year AS year_exporter, CASE WHEN use_next THEN year + 1 ELSE year END AS year_importer,
             appendix, taxon, term, std_unit AS unit, exporter, importer, origin, source, purpose,
             coalesce(e_qty, 0) AS exporter_qty,
             CASE WHEN use_next THEN i_next WHEN consumed THEN 0 ELSE coalesce(i_qty, 0) END AS importer_qty,
             e_qty IS NULL AS exporter_missing,
             NOT use_next AND (i_qty IS NULL OR consumed) AS importer_missing,
             'route and year' AS matched_by, NULL AS permit
      FROM marked WHERE NOT (consumed AND e_qty IS NULL)
    )
    SELECT e_year AS year_exporter, i_year AS year_importer, appendix, taxon, term, std_unit AS unit,
           exporter, importer, origin, source, purpose, e_qty AS exporter_qty, i_qty AS importer_qty,
           false AS exporter_missing, false AS importer_missing, 'export permit' AS matched_by, permit
    FROM paired WHERE abs(e_qty - i_qty) >= {float(min_difference)!r}
    UNION ALL
    SELECT * FROM route WHERE abs(exporter_qty - importer_qty) >= {float(min_difference)!r}"""


def _number(x: float) -> str:
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-9 else f"{x:,.3f}"


def _what(term: str, unit: str) -> str:
    return term if unit == "number" else f"{unit} of {term}"


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
    match = {"export permit": f", on one export permit ({r['permit']})", "route and year": "",
             "comparative tabulation": ""}[r["matched_by"]]  # fmt: skip
    lag = "; matched across the year boundary" if r["year_exporter"] != r["year_importer"] else ""
    return f"{head}{via}{match}{lag}: a difference of {_number(r['difference'])}."


def mirror(
    data: TradeData, *, min_difference: float = 1.0, top: int | None = None
) -> list[dict[str, Any]]:
    """Mirror discrepancies, largest first (module docstring), each with its ``explanation``."""
    sql = _comptab(min_difference) if data.kind == "comptab" else _shipments(min_difference)
    rows = data.con.execute(
        f"SELECT *, abs(exporter_qty - importer_qty) AS difference FROM ({sql})"
        " ORDER BY difference DESC, taxon, exporter, importer, year_exporter"
        + (f" LIMIT {int(top)}" if top else "")
    )
    names = [d[0] for d in rows.description]
    out = []
    for values in rows.fetchall():
        r = dict(zip(names, values, strict=True))
        r["exporter_qty"], r["importer_qty"] = float(r["exporter_qty"]), float(r["importer_qty"])
        r["difference"] = float(r["difference"])
        r["re_export"] = bool(r["origin"] and r["origin"] not in (r["exporter"], "XX"))
        r["explanation"] = explain(r)
        out.append(r)
    return out
