"""Reading CITES Trade Database exports: the comparative tabulation and the shipment-level
records, loaded through the data contract, with units harmonised.

Both formats are detected from their header and are tables of the data contract
(``cites_comptab`` and ``cites_shipments``): :func:`read_trade` ingests the file with
:mod:`onca.ingest` into a workspace of its own, in memory, so that every row is checked as any
ingested row is (year, appendix, term, unit, purpose, source, importer, exporter and origin
codes, quantities, reporter type); a row that fails is kept in the quarantine with its line and
the reason, never silently dropped, and the counts add up: rows = loaded + quarantined. Units
are harmonised by the one units list (``onca/contract/codes/units.yaml``: g and mg to kg, ml to
l, cm to m); a unit without a conversion keeps its own (``convertible`` false), so that
quantities in different units are never added together.

The analyses read the temporary table ``trade`` through the workspace's engine (``data.db``),
with the columns: ``year``, ``appendix``, ``taxon``, ``family``, ``genus``, ``term``, ``unit``
(the unit's code; ``number`` when blank), ``std_unit``, ``convertible``, ``importer``,
``exporter``, ``origin``, ``purpose``, ``source`` and, for the comparative tabulation,
``importer_qty`` and ``exporter_qty`` (standard units); for shipments, ``id``, ``quantity``
(standard units), ``reporter`` (I or E) and the three permit random ids.

A file needs the columns of ``COMPTAB`` or ``SHIPMENTS``; the taxonomy (family, genus) and,
for shipments, the permit random ids are optional (NULL when the file lacks them; shipments
without export permit ids are then paired by route and year only).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onca._closing import Closing
from onca.contract import code_set, load_contract, load_reference
from onca.engines import DuckDBEngine
from onca.errors import InputFileError
from onca.ingest import ingest_files, open_source
from onca.sql import literal
from onca.workspace import Workspace, open_workspace

COMPTAB: tuple[str, ...] = ("Year", "App.", "Taxon", "Importer", "Exporter", "Origin")
COMPTAB += ("Importer reported quantity", "Exporter reported quantity", "Term", "Unit")
COMPTAB += ("Purpose", "Source")
SHIPMENTS: tuple[str, ...] = (
    "id",
    "year",
    "appendix",
    "taxon",
    "term",
    "quantity",
    "unit",
    "importer",
)
SHIPMENTS += ("exporter", "origin", "purpose", "source", "reporter_type")
COMPTAB_OPTIONAL: tuple[str, ...] = ("Family", "Genus")
SHIPMENTS_OPTIONAL: tuple[str, ...] = (
    "family",
    "genus",
    "import_permit_randomid",
    "export_permit_randomid",
)
SHIPMENTS_OPTIONAL += ("origin_permit_randomid",)

TABLES = {"comptab": "cites_comptab", "shipments": "cites_shipments"}
"""The contract table each format is loaded into."""


@functools.cache
def unit_conversions() -> dict[str, tuple[str, float]]:
    """``{unit: (standard unit, factor)}`` from the CITES units list and the contract's units
    it extends (``convert``)."""
    conversions = {}
    for name in ("units", "cites_units"):
        units = load_reference(name).values
        assert isinstance(units, dict)
        for code, u in units.items():
            if u.get("convert"):
                conversions[code] = (str(u["convert"]["to"]), float(u["convert"]["factor"]))
    return conversions


@functools.cache
def trade_lists() -> dict[str, Any]:
    """The trade's reference data: terms, units (name -> unit code), conversions, listings,
    countries, sources and purposes; read by :func:`onca.contract.load_reference`."""
    units = load_contract().codes["cites_units"]
    conversions = unit_conversions()
    return {
        "terms": list(load_reference("cites_terms").codes),
        "units": {"": "number", **{c: c for c in units.values}, **units.aliases},
        "conversions": {u: {"to": to, "factor": f} for u, (to, f) in conversions.items()},
        "listings": load_reference("cites_listings").values,
        "countries": code_set(["cites_countries"]),
        "sources": code_set(["cites_sources"]),
        "purposes": code_set(["cites_purposes"]),
    }


@dataclass
class TradeData(Closing):
    """A checked CITES export in a workspace (table ``trade``, read through ``db``) with its
    quarantine (``[{"line": ..., "reason": ...}]``, in the order of the file)."""

    path: Path
    kind: str  # "comptab" or "shipments"
    ws: Workspace
    rows: int
    loaded: int
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    owns_workspace: bool = True
    """Whether :meth:`close` closes ``ws`` (it does not close a workspace the caller gave)."""

    @property
    def db(self) -> DuckDBEngine:
        """The engine the analyses read ``trade`` through."""
        return self.ws.db

    def quantity_sql(self, template: str) -> str:
        """``template`` with ``{qty}`` (one quantity per row) and ``{reporter}`` (``E`` or ``I``:
        whose figure it is) filled in for this kind of export: the comparative tabulation
        takes the exporter's figure where there is one, else the importer's."""
        if self.kind == "comptab":
            return template.format(
                qty="coalesce(exporter_qty, importer_qty)",
                reporter="CASE WHEN exporter_qty IS NOT NULL THEN 'E' ELSE 'I' END",
            )
        return template.format(qty="quantity", reporter="reporter")

    def summary(self) -> dict[str, Any]:
        reasons: dict[str, int] = {}
        for q in self.quarantine:
            reasons[q["reason"]] = reasons.get(q["reason"], 0) + 1
        return {
            "file": str(self.path),
            "format": self.kind,
            "rows": self.rows,
            "loaded": self.loaded,
            "quarantined": len(self.quarantine),
            "quarantine_reasons": reasons,
        }

    def close(self) -> None:
        """Release the workspace :func:`read_trade` opened (an in-memory one is gone with it);
        a workspace the caller passed in stays open, with its ``trade`` table dropped."""
        if self.owns_workspace:
            self.ws.close()
        else:
            self.ws.db.drop("trade")


def detect_kind(path: Path) -> str:
    """``comptab`` or ``shipments``, from the file's header; InputFileError for anything else."""
    header = set(open_source(path, fmt="csv").columns)  # trimmed and lower-cased
    if all(c.lower() in header for c in COMPTAB):
        return "comptab"
    if all(c.lower() in header for c in SHIPMENTS):
        return "shipments"
    raise InputFileError(
        f"{path}: not a CITES export: expected the comparative tabulation's columns"
        f" ({', '.join(COMPTAB)}; optionally {', '.join(COMPTAB_OPTIONAL)}) or the"
        f" shipments' ({', '.join(SHIPMENTS)}; optionally {', '.join(SHIPMENTS_OPTIONAL)})"
    )


def read_trade(path: Path | str, ws: Workspace | None = None) -> TradeData:
    """Ingest and harmonise a comparative tabulation or shipment-level CSV (module docstring).

    The file is loaded into ``ws`` (default: a new in-memory workspace), whose contract table
    must not hold other records of the same format: the analyses read all of it.
    """
    p = Path(path)
    if not p.is_file():
        raise InputFileError(f"{p}: not found")
    kind = detect_kind(p)
    owned = ws is None
    ws = ws or open_workspace(":memory:")
    result = ingest_files(ws, TABLES[kind], [p], fmt="csv")
    quarantine = ws.db.query(  # this file's latest ingest only, in a workspace that had others
        """SELECT line, reason FROM quarantine
           WHERE ingest_id = (SELECT max(ingest_id) FROM ingest_log
                              WHERE kind = ? AND source_file = ?)
           ORDER BY row_number""",
        [TABLES[kind], str(p)],
    )
    ws.db.materialize("trade", trade_sql(kind))
    return TradeData(p, kind, ws, result.rows, result.loaded, quarantine, owned)


def _std_unit(unit: str) -> str:
    """SQL: the standard unit of the unit code ``unit`` (itself when nothing converts it)."""
    cases = " ".join(
        f"WHEN {literal(u)} THEN {literal(to)}" for u, (to, _) in unit_conversions().items()
    )
    return f"CASE {unit} {cases} ELSE {unit} END"


def _std(quantity: str, unit: str) -> str:
    """SQL: ``quantity`` in the standard unit of ``unit``."""
    cases = " ".join(
        f"WHEN {literal(u)} THEN {factor!r}" for u, (_, factor) in unit_conversions().items()
    )
    return f"{quantity} * CASE {unit} {cases} ELSE 1.0 END"


def trade_sql(kind: str) -> str:
    """The harmonised ``trade`` rows of the format ``kind`` from its contract table."""
    conversions = unit_conversions()
    standard = sorted({"number", *(to for to, _ in conversions.values())})
    unit = "coalesce(unit, 'number')"  # CITES leaves the unit blank for a number of specimens
    common = f"""
      year, appendix, taxon, family, genus, term, {unit} AS unit,
      {_std_unit(unit)} AS std_unit,
      {unit} IN {literal([*conversions, *standard])} AS convertible,
      importer, exporter, origin, purpose, source"""
    if kind == "comptab":
        return f"""SELECT {common},
          {_std("importer_qty", unit)} AS importer_qty, {_std("exporter_qty", unit)} AS exporter_qty
        FROM cites_comptab"""
    return f"""SELECT id, {common},
      {_std("quantity", unit)} AS quantity, reporter_type AS reporter,
      import_permit_randomid AS import_permit, export_permit_randomid AS export_permit,
      origin_permit_randomid AS origin_permit
    FROM cites_shipments"""
