"""CITES trade records for the scenario, with laundering planted in them.

Writes, under ``OUT/cites/``, shipment-level records in the CITES Trade Database's bulk format
(``shipments.csv``: each shipment reported by its exporter and, usually, its importer, most on
a shared export permit random id), a breeding-facility table (``facilities.csv``) and a
productivity table (``productivity.csv``); the truth goes to ``OUT/truth/cites_truth.json``.

Eleven ordinary routes of Americas wildlife trade run from 2012 to 2023: both sides report each
shipment, the importer a little less now and then (animals dead on arrival), sometimes in the
next year (shipments across the new year), sometimes without the permit id. Planted in them:

- **mirror gaps**: importers reporting far more than exporters (tortoises from Guyana to the
  United States in 2021, poison frogs from Suriname to the Netherlands in 2019);
- **a wild-to-captive shift**: boas from Guyana declared wild until 2017, then captive-bred;
- **exports over breeding capacity**: macaws declared captive-bred from Suriname beyond what
  its two registered facilities could raise, from 2019;
- two malformed records and one malformed facility row, which must be quarantined.

Breeding stock and productivity in the tables are the scenario's own assumptions, not
published figures.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from onca.errors import ParameterError
from onca.synth._csvfile import csv_table, positive_number, read_rows, write_csv

YEARS = range(2012, 2024)
COLUMNS = (
    "id",
    "year",
    "appendix",
    "taxon",
    "class",
    "ord",
    "family",
    "genus",
    "term",
    "quantity",
    "unit",
    "importer",
    "exporter",
    "origin",
    "purpose",
    "source",
    "reporter_type",
    "import_permit_randomid",
    "export_permit_randomid",
    "origin_permit_randomid",
)

Flow = tuple[str, str, str, str, str, str, str, str, str, float]
FLOWS_FILE = Path(__file__).with_name("cites_flows.csv")
"""One legal trade flow a row: taxon, class, order, family, term, unit (empty: a count),
exporter, importer, source and the yearly quantity around which the records vary."""
_FLOW_COLUMNS = (
    "taxon",
    "class",
    "order",
    "family",
    "term",
    "unit",
    "exporter",
    "importer",
    "source",
    "yearly_quantity",
)


def load_flows(path: Path = FLOWS_FILE) -> list[Flow]:
    """The flows of ``path``, in file order; ParameterError naming the line of a bad row."""
    flows: list[Flow] = []
    for where, row in read_rows(path, _FLOW_COLUMNS):
        taxon, cls, order, family, term, unit, exporter, importer, source, yearly = row
        if not all((taxon, cls, order, family, term, exporter, importer, source)):
            raise ParameterError(f"{where}: every column but unit is required")
        quantity = positive_number(yearly, "yearly_quantity", where)
        flows.append((taxon, cls, order, family, term, unit, exporter, importer, source, quantity))
    return flows


FLOWS = load_flows()

MIRROR_GAPS = [  # taxon, year, exporter-reported share of what the importer reported
    ("Chelonoidis carbonarius", 2021, 1800.0),
    ("Dendrobates tinctorius", 2019, 2400.0),
]
SHIFT = ("Boa constrictor", 2018)
OVER_CAPACITY = ("Ara ararauna", 2019, (220.0, 280.0, 310.0, 260.0, 330.0))

# facility, country, taxon, breeding females, young per female and year ('' = productivity table)
FACILITIES = [
    ("Criadero Los Quebrachos", "AR", "Amazona aestiva", 40, ""),
    ("Aviario Chaco Norte", "AR", "Amazona aestiva", 35, ""),
    ("Paramaribo Frog Farm", "SR", "Dendrobates tinctorius", 150, ""),
    ("Zoocriadero del Magdalena", "CO", "Caiman crocodilus fuscus", 900, 8),
    ("Granja Iguanera La Libertad", "SV", "Iguana iguana", 90, 12),
    ("Commewijne Aviaries", "SR", "Ara ararauna", 18, ""),
    ("Saramacca Parrot Breeders", "SR", "Ara ararauna", 12, ""),
]
PRODUCTIVITY = [("Amazona", 2.0), ("Dendrobates tinctorius", 6.0), ("Ara ararauna", 2.0)]
ASSUMPTION = "Onca scenario assumption (not a published figure)"


def _permit(rng: np.random.Generator) -> str:
    return "".join(rng.choice(list("0123456789abcdef"), 10))


def _records(rng: np.random.Generator) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    gaps = {(t, y): q for t, y, q in MIRROR_GAPS}
    for taxon, cls, order, family, term, unit, exporter, importer, source, yearly in FLOWS:
        genus = taxon.split(" ")[0]
        for year in YEARS:
            total = yearly * rng.uniform(0.85, 1.15)
            src = source
            if taxon == SHIFT[0] and year >= SHIFT[1]:
                src = "C"
            if taxon == OVER_CAPACITY[0] and year >= OVER_CAPACITY[1]:
                total = OVER_CAPACITY[2][year - OVER_CAPACITY[1]]
            k = int(rng.integers(3, 7))
            parts = rng.dirichlet(np.ones(k)) * total
            for part in parts:
                qty = round(float(part), 1) if unit else max(1, round(float(part)))
                permit = _permit(rng)
                base = {
                    "year": year,
                    "appendix": "II",
                    "taxon": taxon,
                    "class": cls,
                    "ord": order,
                    "family": family,
                    "genus": genus,
                    "term": term,
                    "unit": unit,
                    "importer": importer,
                    "exporter": exporter,
                    "origin": "",
                    "purpose": "T",
                    "source": src,
                    "import_permit_randomid": "",
                    "origin_permit_randomid": "",
                }
                rows.append(
                    {
                        **base,
                        "quantity": qty,
                        "reporter_type": "E",
                        "export_permit_randomid": permit,
                    }
                )
                got = qty if rng.random() < 0.8 else qty * (1 - rng.uniform(0.0, 0.03))
                got = round(got, 1) if unit else max(1, round(got))
                late = rng.random() < 0.08
                rows.append(
                    {
                        **base,
                        "year": year + 1 if late else year,
                        "quantity": got,
                        "reporter_type": "I",
                        "export_permit_randomid": permit if rng.random() < 0.7 else "",
                        "import_permit_randomid": _permit(rng),
                    }
                )
            if (taxon, year) in gaps:  # importer reports far more, on no export permit
                extra = gaps[(taxon, year)] - total
                rows.append(
                    {
                        **base,
                        "year": year,
                        "quantity": round(extra),
                        "reporter_type": "I",
                        "export_permit_randomid": "",
                        "import_permit_randomid": _permit(rng),
                    }
                )
    for row in rows:
        if row["unit"] == "kg" and rng.random() < 0.2:  # some reporters give grams
            row["unit"], row["quantity"] = "g", round(row["quantity"] * 1000)
    order_ = rng.permutation(len(rows))
    rows = [rows[i] for i in order_]
    bad = [
        {**rows[0], "unit": "kgs"},  # not a CITES unit
        {**rows[1], "exporter": "QQ"},  # not a country code
    ]
    rows.extend(bad)
    for i, row in enumerate(rows, start=1):
        row["id"] = 900_000 + i
    return rows


def write_cites_records(out_dir: Path | str, *, seed: int = 7) -> dict[str, Any]:
    """Write the scenario's CITES records, facility and productivity tables; return the truth."""
    out = Path(out_dir)
    folder = out / "cites"
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 8])
    rows = _records(rng)
    with (folder / "shipments.csv").open("w", newline="", encoding="utf-8") as fh:
        records = csv.DictWriter(fh, COLUMNS, quoting=csv.QUOTE_MINIMAL)
        records.writeheader()
        records.writerows(rows)
    with csv_table(
        folder / "facilities.csv",
        [
            "facility",
            "country",
            "taxon",
            "breeding_females",
            "offspring_per_female_year",
            "from_year",
            "to_year",
            "source",
        ],
    ) as writer:
        for name, country, taxon, females, rate in FACILITIES:
            writer.writerow([name, country, taxon, females, rate, 2010, "", ASSUMPTION])
        writer.writerow(["Unnamed breeder", "XQ", "Ara ararauna", 10, 2, 2010, "", ASSUMPTION])
    write_csv(
        folder / "productivity.csv",
        ["taxon", "offspring_per_female_year", "source"],
        ([taxon, rate, ASSUMPTION] for taxon, rate in PRODUCTIVITY),
    )
    flows = {f[0]: f for f in FLOWS}
    truth = {
        "records": len(rows),
        "malformed_records": 2,
        "malformed_facilities": 1,
        "mirror_gaps": [
            {
                "taxon": t,
                "exporter": flows[t][6],
                "importer": flows[t][7],
                "year": y,
                "importer_reported": q,
            }
            for t, y, q in MIRROR_GAPS
        ],
        "source_shift": {
            "taxon": SHIFT[0],
            "exporter": flows[SHIFT[0]][6],
            "first_captive_year": SHIFT[1],
            "direction": "wild to captive",
        },
        "over_capacity": {
            "taxon": OVER_CAPACITY[0],
            "exporter": flows[OVER_CAPACITY[0]][6],
            "years": [OVER_CAPACITY[1] + i for i in range(len(OVER_CAPACITY[2]))],
        },
    }
    (out / "truth").mkdir(parents=True, exist_ok=True)
    (out / "truth" / "cites_truth.json").write_text(json.dumps(truth, indent=2), encoding="utf-8")
    return truth
