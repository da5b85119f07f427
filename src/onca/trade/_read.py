"""Reading CITES Trade Database exports: the comparative tabulation and the shipment-level
records, checked row by row, with units harmonised.

Both formats are detected from their header. Every row is checked (year, appendix, term,
unit, purpose, source, importer, exporter and origin codes, quantities, reporter type); a row
that fails is kept in ``quarantine`` with its line and the reason, never silently dropped, and
the counts add up: rows = loaded + quarantined. Units are harmonised by the conversion table
(``lists/conversions.yaml``: g and mg to kg, ml to l, cm to m); a unit without a rule keeps its
own (``convertible`` false), so that quantities in different units are never added together.

The loaded rows live in an in-memory DuckDB table ``trade`` with the columns: ``line``,
``year``, ``appendix``, ``taxon``, ``family``, ``genus``, ``term``, ``unit`` (canonical),
``std_unit``, ``importer``, ``exporter``, ``origin``, ``purpose``, ``source`` and, for the
comparative tabulation, ``importer_qty`` and ``exporter_qty`` (standard units); for shipments,
``id``, ``quantity`` (standard units), ``reporter`` (I or E) and the three permit random ids.

A file needs the columns of ``COMPTAB`` or ``SHIPMENTS``; the taxonomy (family, genus) and,
for shipments, the permit random ids are optional (NULL when the file lacks them; shipments
without export permit ids are then paired by route and year only).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import yaml

from onca.contract import load_contract
from onca.errors import InputFileError
from onca.sql import text_list

LISTS = Path(__file__).parent / "lists"
CITES_SPECIAL_COUNTRIES = {"XX": "unknown", "XA": "French Antilles", "XC": "Caribbean", "XE": "Europe (unspecified)",
                           "XF": "Africa (unspecified)", "XM": "South America (unspecified)", "XS": "Asia (unspecified)",
                           "XV": "various", "ZZ": "introduction from the sea",
                           # codes of states that no longer exist, found in older records
                           "SU": "USSR", "YU": "Yugoslavia", "CS": "Czechoslovakia", "DD": "German Democratic Republic",
                           "AN": "Netherlands Antilles", "ZR": "Zaire", "BU": "Burma"}  # fmt: skip
COMPTAB = ("Year", "App.", "Taxon", "Importer", "Exporter", "Origin", "Importer reported quantity",
           "Exporter reported quantity", "Term", "Unit", "Purpose", "Source")  # fmt: skip
SHIPMENTS = ("id", "year", "appendix", "taxon", "term", "quantity", "unit", "importer", "exporter",
             "origin", "purpose", "source", "reporter_type")  # fmt: skip
COMPTAB_OPTIONAL = ("Family", "Genus")
SHIPMENTS_OPTIONAL = ("family", "genus", "import_permit_randomid", "export_permit_randomid",
                      "origin_permit_randomid")  # fmt: skip


@functools.cache
def trade_lists() -> dict[str, Any]:
    """The trade's code lists: terms, units, conversions, listings (YAML in ``lists/``)."""
    out = {}
    for name in ("terms", "units", "conversions", "listings"):
        out[name] = yaml.safe_load((LISTS / f"{name}.yaml").read_text(encoding="utf-8"))["values"]
    codes = load_contract().codes
    out["countries"] = set(codes["countries"].values) | set(CITES_SPECIAL_COUNTRIES)
    out["sources"] = set(codes["cites_sources"].values)
    out["purposes"] = set(codes["cites_purposes"].values)
    return out


@dataclass
class TradeData:
    """A checked CITES export in DuckDB (table ``trade``) with its quarantine."""

    path: Path
    kind: str  # "comptab" or "shipments"
    con: duckdb.DuckDBPyConnection
    rows: int
    loaded: int
    quarantine: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        reasons: dict[str, int] = {}
        for q in self.quarantine:
            reasons[q["reason"]] = reasons.get(q["reason"], 0) + 1
        return {"file": str(self.path), "format": self.kind, "rows": self.rows, "loaded": self.loaded,
                "quarantined": len(self.quarantine), "quarantine_reasons": reasons}  # fmt: skip


def _run(db: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> None:
    db.execute(sql, params or []).fetchall()


_sql_list = text_list


def read_trade(path: Path | str, con: duckdb.DuckDBPyConnection | None = None) -> TradeData:
    """Read and check a comparative tabulation or shipment-level CSV (module docstring)."""
    p = Path(path)
    if not p.is_file():
        raise InputFileError(f"{p}: not found")
    db = con or duckdb.connect()
    try:
        _run(
            db,
            "CREATE OR REPLACE TEMP TABLE raw AS SELECT row_number() OVER () + 1 AS line, * FROM "
            "read_csv(?, all_varchar = true, header = true, quote = '\"', null_padding = true)",
            [str(p)],
        )
    except duckdb.Error as e:
        raise InputFileError(f"{p}: cannot read it as CSV: {e}") from None
    columns = [r[0] for r in db.execute("DESCRIBE raw").fetchall()]
    optional: tuple[str, ...]
    if all(c in columns for c in COMPTAB):
        kind, optional = "comptab", COMPTAB_OPTIONAL
    elif all(c in columns for c in SHIPMENTS):
        kind, optional = "shipments", SHIPMENTS_OPTIONAL
    else:
        raise InputFileError(
            f"{p}: not a CITES export: expected the comparative tabulation's columns"
            f" ({', '.join(COMPTAB)}; optionally {', '.join(COMPTAB_OPTIONAL)}) or the"
            f" shipments' ({', '.join(SHIPMENTS)}; optionally {', '.join(SHIPMENTS_OPTIONAL)})"
        )
    present = {c.lower() for c in columns}  # DuckDB names are case-insensitive
    for name in optional:
        if name.lower() not in present:
            _run(db, f'ALTER TABLE raw ADD COLUMN "{name}" VARCHAR')
    lists = trade_lists()
    units = lists["units"]
    _run(db, "CREATE OR REPLACE TEMP TABLE units AS SELECT * FROM (VALUES " + ", ".join(
        f"('{k.replace(chr(39), chr(39) * 2)}', '{v}')" for k, v in units.items()) + ") t(name, unit)")  # fmt: skip
    conv = lists["conversions"]
    _run(db, "CREATE OR REPLACE TEMP TABLE conversions AS SELECT * FROM (VALUES " + ", ".join(
        f"('{k}', '{v['to']}', {float(v['factor'])!r})" for k, v in conv.items()) + ") t(unit, std_unit, factor)")  # fmt: skip
    q = _comptab_sql(lists) if kind == "comptab" else _shipments_sql(lists)
    _run(db, f"CREATE OR REPLACE TEMP TABLE checked AS {q}")
    bad = db.execute(
        "SELECT line, reason FROM checked WHERE reason IS NOT NULL ORDER BY line"
    ).fetchall()
    _run(
        db,
        "CREATE OR REPLACE TABLE trade AS SELECT * EXCLUDE (reason) FROM checked WHERE reason IS NULL",
    )
    rows = db.execute("SELECT count(*) FROM raw").fetchall()[0][0]
    loaded = db.execute("SELECT count(*) FROM trade").fetchall()[0][0]
    quarantine = [{"line": int(line), "reason": reason} for line, reason in bad]
    return TradeData(p, kind, db, int(rows), int(loaded), quarantine)


def _checks(lists: dict[str, Any], year: str, app: str, term: str, unit: str, purpose: str,
            source: str, places: tuple[str, str, str]) -> str:  # fmt: skip
    """A CASE expression naming the first failed check of a raw row (NULL when it passes)."""
    countries = _sql_list(sorted(lists["countries"]))
    checks = [
        (f"try_cast({year} AS INTEGER) IS NULL OR try_cast({year} AS INTEGER) NOT BETWEEN 1975 AND 2100",
         f"'year ' || coalesce('''' || {year} || '''', 'missing') || ' is not a year from 1975'"),
        (f"coalesce({app}, '') NOT IN ('I', 'II', 'III', 'N')",
         f"'appendix ' || coalesce('''' || {app} || '''', 'missing') || ' is not I, II, III or N'"),
        (f"lower(coalesce({term}, '')) NOT IN (SELECT unnest({_sql_list(lists['terms'])}))",
         f"'term ' || coalesce('''' || {term} || '''', 'missing') || ' is not a CITES term'"),
        (f"coalesce({unit}, '') NOT IN (SELECT name FROM units)",
         f"'unit ''' || {unit} || ''' is not a CITES unit'"),
        (f"coalesce({purpose}, '') <> '' AND {purpose} NOT IN (SELECT unnest({_sql_list(sorted(lists['purposes']))}))",
         f"'purpose ''' || {purpose} || ''' is not a CITES purpose code'"),
        (f"coalesce({source}, '') <> '' AND {source} NOT IN (SELECT unnest({_sql_list(sorted(lists['sources']))}))",
         f"'source ''' || {source} || ''' is not a CITES source code'"),
    ]  # fmt: skip
    for column, label in zip(places, ("importer", "exporter", "origin"), strict=True):
        required = label != "origin"
        test = f"coalesce({column}, '') NOT IN (SELECT unnest({countries}))"
        if not required:
            test = f"coalesce({column}, '') <> '' AND {test}"
        checks.append(
            (
                test,
                f"'{label} ' || coalesce('''' || {column} || '''', 'missing') || ' is not an ISO 3166 or CITES country code'",
            )
        )
    return "CASE " + " ".join(f"WHEN {c} THEN {m}" for c, m in checks)


def _std(qty: str, unit_col: str) -> str:
    return f"try_cast({qty} AS DOUBLE) * coalesce((SELECT factor FROM conversions c WHERE c.unit = {unit_col}), 1.0)"


def _comptab_sql(lists: dict[str, Any]) -> str:
    case = _checks(lists, '"Year"', '"App."', '"Term"', '"Unit"', '"Purpose"', '"Source"',
                   ('"Importer"', '"Exporter"', '"Origin"'))  # fmt: skip
    iq, eq = '"Importer reported quantity"', '"Exporter reported quantity"'
    return f"""
    WITH r AS (SELECT raw.*, u.unit AS unit_c FROM raw LEFT JOIN units u ON u.name = coalesce(raw."Unit", ''))
    SELECT line,
      {case}
        WHEN {iq} IS NULL AND {eq} IS NULL THEN 'neither importer nor exporter reported a quantity'
        WHEN ({iq} IS NOT NULL AND (try_cast({iq} AS DOUBLE) IS NULL OR try_cast({iq} AS DOUBLE) < 0))
          OR ({eq} IS NOT NULL AND (try_cast({eq} AS DOUBLE) IS NULL OR try_cast({eq} AS DOUBLE) < 0))
          THEN 'a reported quantity is not a number of zero or more'
        ELSE NULL END AS reason,
      try_cast("Year" AS INTEGER) AS year, "App." AS appendix, "Taxon" AS taxon,
      "Family" AS family, "Genus" AS genus, lower("Term") AS term, unit_c AS unit,
      coalesce((SELECT std_unit FROM conversions c WHERE c.unit = unit_c), unit_c) AS std_unit,
      (SELECT count(*) FROM conversions c WHERE c.unit = unit_c) > 0 OR unit_c IN ('number', 'kg', 'l', 'm') AS convertible,
      "Importer" AS importer, "Exporter" AS exporter, nullif("Origin", '') AS origin,
      nullif("Purpose", '') AS purpose, nullif("Source", '') AS source,
      {_std(iq, "unit_c")} AS importer_qty, {_std(eq, "unit_c")} AS exporter_qty
    FROM r"""


def _shipments_sql(lists: dict[str, Any]) -> str:
    case = _checks(
        lists,
        "year",
        "appendix",
        "term",
        "unit",
        "purpose",
        "source",
        ("importer", "exporter", "origin"),
    )
    return f"""
    WITH r AS (SELECT raw.*, u.unit AS unit_c FROM raw LEFT JOIN units u ON u.name = coalesce(raw.unit, ''))
    SELECT line,
      {case}
        WHEN try_cast(quantity AS DOUBLE) IS NULL OR try_cast(quantity AS DOUBLE) < 0
          THEN 'quantity ' || coalesce('''' || quantity || '''', 'missing') || ' is not a number of zero or more'
        WHEN coalesce(reporter_type, '') NOT IN ('I', 'E') THEN 'reporter_type must be I (importer) or E (exporter)'
        ELSE NULL END AS reason,
      id, try_cast(year AS INTEGER) AS year, appendix, taxon, family, genus, lower(term) AS term,
      unit_c AS unit,
      coalesce((SELECT std_unit FROM conversions c WHERE c.unit = unit_c), unit_c) AS std_unit,
      (SELECT count(*) FROM conversions c WHERE c.unit = unit_c) > 0 OR unit_c IN ('number', 'kg', 'l', 'm') AS convertible,
      importer, exporter, nullif(origin, '') AS origin, nullif(purpose, '') AS purpose,
      nullif(source, '') AS source, {_std("quantity", "unit_c")} AS quantity, reporter_type AS reporter,
      nullif(import_permit_randomid, '') AS import_permit, nullif(export_permit_randomid, '') AS export_permit,
      nullif(origin_permit_randomid, '') AS origin_permit
    FROM r"""
