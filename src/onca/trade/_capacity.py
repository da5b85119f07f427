"""Breeding capacity: are captive-bred exports larger than registered breeders could produce?

The facility table is data the management authority keeps (a CSV, one row per facility and
taxon): ``facility``, ``country`` (ISO code), ``taxon``, ``breeding_females`` and, optionally,
``offspring_per_female_year`` (young raised per breeding female per year), ``from_year`` and
``to_year`` (when the facility was registered) and ``source`` (the registration or study the
numbers come from). Productivity missing in a row is taken from a productivity table (CSV:
``taxon``, ``offspring_per_female_year``, ``source``) by species, then by genus. Rows that do
not check (unknown country, a negative count, years in the wrong order, no productivity
anywhere) are quarantined with their line and reason; counts add up.

A country's capacity for a taxon in a year is the sum over its registered facilities of
``breeding_females * offspring_per_female_year``. Captive-bred exports are the specimens
(unit: number) of the taxon declared with a captive source (C, D, F by default) in terms that
count whole animals (live, bodies, skins, trophies, skulls), as the exporter reported them,
or the importer where the exporter reported nothing. Exports above ``(1 + tolerance) *
capacity`` are findings, with the facilities behind the capacity. Countries exporting a taxon
as captive-bred with no registered facility at all are findings only with
``unregistered=True`` (a facility table that lists a few taxa would flag everything else).

This is the check Lyons and Natusch (2011) made by hand for green pythons declared captive-bred
in Indonesia.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onca.contract import code_set
from onca.errors import InputFileError, ParameterError
from onca.trade._read import TradeData

WHOLE_ANIMAL_TERMS = ("live", "bodies", "skins", "trophies", "skulls")
CAPTIVE_BRED = ("C", "D", "F")
REQUIRED = ("facility", "country", "taxon", "breeding_females")


@dataclass
class Facilities:
    """Checked facility rows (productivity resolved) and the quarantined ones."""

    path: Path
    rows: list[dict[str, Any]] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "facilities_file": str(self.path),
            "facilities": len(self.rows),
            "facilities_quarantined": len(self.quarantine),
        }


def _number(text: str | None, what: str, *, positive: bool = False) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{what} {text!r} is not a number") from None
    if value < 0 or (positive and value == 0):
        raise ValueError(f"{what} {text!r} must be {'above' if positive else 'at least'} zero")
    return value


def _year(text: str | None, what: str) -> int | None:
    if text is None or not text.strip():
        return None
    if not text.strip().isdigit() or not 1975 <= int(text) <= 2100:
        raise ValueError(f"{what} {text!r} is not a year from 1975")
    return int(text)


def _read_csv(path: Path, required: tuple[str, ...], what: str) -> list[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise InputFileError(f"{path}: not found ({what})")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise InputFileError(
                f"{path}: the {what} needs the columns {', '.join(required)}; missing"
                f" {', '.join(missing)}"
            )
        return [(i, row) for i, row in enumerate(reader, start=2)]


def read_productivity(path: Path | str) -> dict[str, tuple[float, str]]:
    """A productivity table: taxon -> (young per breeding female per year, source)."""
    p = Path(path)
    out: dict[str, tuple[float, str]] = {}
    for line, row in _read_csv(p, ("taxon", "offspring_per_female_year"), "productivity table"):
        try:
            value = _number(
                row["offspring_per_female_year"], "offspring_per_female_year", positive=True
            )
        except ValueError as e:
            raise InputFileError(f"{p} line {line}: {e}") from None
        if value is None or not (row.get("taxon") or "").strip():
            raise InputFileError(
                f"{p} line {line}: taxon and offspring_per_female_year are required"
            )
        out[row["taxon"].strip()] = (value, (row.get("source") or "").strip())
    return out


def read_facilities(
    path: Path | str, productivity: dict[str, tuple[float, str]] | None = None
) -> Facilities:
    """Read and check a facility table (module docstring)."""
    p = Path(path)
    countries = code_set(["cites_countries"])
    table = productivity or {}
    result = Facilities(p)
    for line, row in _read_csv(p, REQUIRED, "facility table"):
        try:
            for column in ("facility", "country", "taxon"):
                if not (row.get(column) or "").strip():
                    raise ValueError(f"{column} is empty")
            taxon, country = row["taxon"].strip(), row["country"].strip()
            if country not in countries:
                raise ValueError(f"country {country!r} is not an ISO 3166 or CITES country code")
            females = _number(row["breeding_females"], "breeding_females")
            if females is None:
                raise ValueError("breeding_females is empty")
            rate = _number(
                row.get("offspring_per_female_year"), "offspring_per_female_year", positive=True
            )
            source = (row.get("source") or "").strip()
            if rate is None:
                found = table.get(taxon) or table.get(taxon.split(" ")[0])
                if found is None:
                    raise ValueError(
                        f"no offspring_per_female_year for {taxon}, in the row or the productivity table"
                    )
                rate, source = found[0], source or found[1]
            start, end = (
                _year(row.get("from_year"), "from_year"),
                _year(row.get("to_year"), "to_year"),
            )
            if start is not None and end is not None and end < start:
                raise ValueError(f"to_year {end} is before from_year {start}")
        except ValueError as e:
            result.quarantine.append({"line": line, "reason": str(e)})
            continue
        result.rows.append(
            {
                "line": line,
                "facility": row["facility"].strip(),
                "country": country,
                "taxon": taxon,
                "breeding_females": females,
                "offspring_per_female_year": rate,
                "from_year": start,
                "to_year": end,
                "source": source,
            }
        )
    return result


_EXPORTS = """
WITH r AS (
  SELECT taxon, exporter, year, {qty} AS qty, {reporter} AS reporter
  FROM trade
  WHERE std_unit = 'number' AND list_contains(?, term) AND list_contains(?, source)
),
pick AS (SELECT taxon, exporter, max(CASE WHEN reporter = 'E' THEN 1 ELSE 0 END) AS has_e FROM r GROUP BY ALL)
SELECT r.taxon, r.exporter, r.year, sum(qty) AS exported, any_value(reporter) AS reporter
FROM r JOIN pick USING (taxon, exporter)
WHERE pick.has_e = 0 OR r.reporter = 'E'
GROUP BY ALL ORDER BY 1, 2, 3
"""


def capacity(
    data: TradeData,
    facilities: Facilities,
    *,
    tolerance: float = 0.1,
    terms: tuple[str, ...] = WHOLE_ANIMAL_TERMS,
    sources: tuple[str, ...] = CAPTIVE_BRED,
    unregistered: bool = False,
) -> list[dict[str, Any]]:
    """Captive-bred exports above breeding capacity, largest excess first (module docstring)."""
    if tolerance < 0:
        raise ParameterError(f"tolerance: expected zero or more, got {tolerance}")
    unknown = [s for s in sources if s not in code_set(["cites_sources"])]
    if unknown:
        raise ParameterError(f"sources: {', '.join(unknown)} are not CITES source codes")
    sql = data.quantity_sql(_EXPORTS)
    exports: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    for taxon, exporter, year, qty, _ in data.db.fetch(sql, [list(terms), list(sources)]):
        exports[(taxon, exporter)][int(year)] = float(qty or 0)
    by_pair: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for f in facilities.rows:
        by_pair[(f["taxon"], f["country"])].append(f)
    findings = []
    for (taxon, exporter), years in exports.items():
        registered = by_pair.get((taxon, exporter), [])
        if not registered and not unregistered:
            continue
        series = []
        for year in sorted(years):
            active = [
                f for f in registered if (f["from_year"] or 0) <= year <= (f["to_year"] or 9999)
            ]
            cap = sum(f["breeding_females"] * f["offspring_per_female_year"] for f in active)
            series.append(
                {"year": year, "exported": years[year], "capacity": cap, "facilities": active}
            )
        for point in series:
            cap, exported = point["capacity"], point["exported"]
            if exported <= cap * (1 + tolerance) or exported <= 0:
                continue
            finding = {
                "taxon": taxon,
                "exporter": exporter,
                "year": point["year"],
                "exported": exported,
                "capacity": cap,
                "excess": exported - cap,
                "ratio": exported / cap if cap else None,
                "facilities": [f["facility"] for f in point["facilities"]],
                "breeding_females": sum(f["breeding_females"] for f in point["facilities"]),
                "sources": list(sources),
                "terms": list(terms),
                "series": [{k: p[k] for k in ("year", "exported", "capacity")} for p in series],
            }
            finding["explanation"] = _explain(finding)
            findings.append(finding)
    findings.sort(key=lambda f: (-f["excess"], f["taxon"], f["exporter"], f["year"]))
    return findings


def _explain(f: dict[str, Any]) -> str:
    head = (
        f"{f['exporter']} exported {f['exported']:,.0f} captive-bred ({', '.join(f['sources'])})"
        f" {f['taxon']} in {f['year']}"
    )
    if not f["facilities"]:
        return f"{head}, but it has no registered breeding facility for this taxon."
    n = len(f["facilities"])
    return (
        f"{head}, but its {n} registered facilit{'y' if n == 1 else 'ies'} ({', '.join(f['facilities'][:4])}"
        f"{', ...' if n > 4 else ''}) with {f['breeding_females']:,.0f} breeding females could raise"
        f" about {f['capacity']:,.0f} a year: exports are {f['ratio']:.1f} times capacity"
        f" ({f['excess']:,.0f} over)."
    )
