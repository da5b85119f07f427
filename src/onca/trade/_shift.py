"""Source-code shifts: a sudden change in the share of captive-bred or ranched specimens (source
codes C, D, F, R) against wild ones (W) in one exporter's trade of one taxon.

Per (taxon, exporter, year) the quantity declared wild and captive is summed (exporter-reported
records where they exist, else importer-reported; number of specimens and kilograms kept
apart). For each series of at least ``min_years`` years with trade, every split year is tried:
the mean captive share after it minus the mean share before it; the split with the largest
change is a finding when the change is at least ``min_change`` (default 0.5) and both sides hold
at least ``min_quantity`` specimens. A shift from wild to captive is the laundering pattern of
Janssen and Leupen (2019) found for Tiliqua gigas; a shift back is reported too.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from onca.errors import ParameterError
from onca.trade._read import TradeData

CAPTIVE = ("C", "D", "F", "R")

_SQL = """
WITH r AS (
  SELECT taxon, exporter, year, std_unit, source,
         {qty} AS qty, {reporter} AS reporter
  FROM trade WHERE source IN ('W', 'C', 'D', 'F', 'R')
),
pick AS (SELECT taxon, exporter, std_unit, max(CASE WHEN reporter = 'E' THEN 1 ELSE 0 END) AS has_e FROM r GROUP BY ALL)
SELECT r.taxon, r.exporter, r.std_unit, r.year,
       sum(qty) FILTER (WHERE source = 'W') AS wild,
       sum(qty) FILTER (WHERE source IN ('C', 'D', 'F', 'R')) AS captive
FROM r JOIN pick USING (taxon, exporter, std_unit)
WHERE pick.has_e = 0 OR r.reporter = 'E'
GROUP BY ALL ORDER BY r.taxon, r.exporter, r.std_unit, r.year
"""


def source_shifts(
    data: TradeData, *, min_change: float = 0.5, min_years: int = 4, min_quantity: float = 10.0
) -> list[dict[str, Any]]:
    """Shifts between wild and captive sources, largest change first (module docstring)."""
    if not 0 < min_change <= 1:
        raise ParameterError(f"min_change: expected a share between 0 and 1, got {min_change}")
    if min_years < 2:
        raise ParameterError(f"min_years: expected at least 2, got {min_years}")
    sql = data.quantity_sql(_SQL)
    series: dict[tuple[str, str, str], list[tuple[int, float, float]]] = defaultdict(list)
    for taxon, exporter, unit, year, wild, captive in data.db.fetch(sql):
        series[(taxon, exporter, unit)].append((int(year), float(wild or 0), float(captive or 0)))
    findings: list[dict[str, Any]] = []
    for (taxon, exporter, unit), points in series.items():
        points = [p for p in points if p[1] + p[2] > 0]
        if len(points) < min_years:
            continue
        best = None
        for k in range(1, len(points)):
            before, after = points[:k], points[k:]
            q_before = sum(w + c for _, w, c in before)
            q_after = sum(w + c for _, w, c in after)
            if q_before < min_quantity or q_after < min_quantity:
                continue
            share_b = sum(c / (w + c) for _, w, c in before) / len(before)
            share_a = sum(c / (w + c) for _, w, c in after) / len(after)
            change = share_a - share_b
            if best is None or abs(change) > abs(best[0]):
                best = (change, k, share_b, share_a, q_before, q_after)
        if best is None or abs(best[0]) < min_change:
            continue
        change, k, share_b, share_a, q_b, q_a = best
        before, after = points[:k], points[k:]
        finding: dict[str, Any] = {
            "taxon": taxon,
            "exporter": exporter,
            "unit": unit,
            "years_before": [before[0][0], before[-1][0]],
            "years_after": [after[0][0], after[-1][0]],
            "captive_share_before": share_b,
            "captive_share_after": share_a,
            "change": change,
            "quantity_before": q_b,
            "quantity_after": q_a,
            "direction": "wild to captive" if change > 0 else "captive to wild",
            "series": [{"year": y, "wild": w, "captive": c} for y, w, c in points],
        }
        finding["explanation"] = _explain(finding)
        findings.append(finding)
    findings.sort(key=lambda f: (-abs(float(f["change"])), str(f["taxon"]), str(f["exporter"])))
    return findings


def _span(years: list[int]) -> str:
    return str(years[0]) if years[0] == years[1] else f"{years[0]}-{years[1]}"


def _explain(f: dict[str, Any]) -> str:
    what = "specimens" if f["unit"] == "number" else f["unit"]
    return (
        f"{f['exporter']}'s trade in {f['taxon']} was {f['captive_share_before']:.0%} captive-bred or"
        f" ranched (C, D, F, R) in {_span(f['years_before'])} ({f['quantity_before']:,.0f} {what}) and"
        f" {f['captive_share_after']:.0%} in {_span(f['years_after'])} ({f['quantity_after']:,.0f}"
        f" {what}): a shift from {f['direction']}."
    )
