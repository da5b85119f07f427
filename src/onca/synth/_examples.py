"""Sample inputs for the commands of the tour (docs/tour.md), cut from a written scenario.

Each command of the tour reads a kind of file that an analyst brings from elsewhere: a bank's and
a customs agency's party extracts, secr's trap and capture files, a detection history, occurrence
records and rasters, an AMLSim sample. ``onca synth --examples`` writes one of each into
``OUT/examples/`` from the scenario itself (and simulated occurrence records and rasters in
``OUT/distribution/``), so the tour runs from a clean clone. They are the
scenario in other clothes: quality measured on them says nothing about foreign data (the
benchmarks use the real samples for that).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np

from onca.errors import InputFileError
from onca.synth._csvfile import csv_table

_PARTY_FILES = {"bank.csv": "BNK", "customs.parquet": "CUS", "agency.csv": "POL"}
"""Party extracts of one institution each, chosen by the prefix of the scenario's ids."""

AMLSIM_START = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)


def write_examples(out_dir: Path | str, *, seed: int = 7) -> dict[str, str]:
    """Write ``OUT/examples/`` from the scenario in ``out_dir`` (its parties, accounts,
    transactions, truth and camera-trap survey, written first when missing), and the
    distribution layers in ``OUT/distribution/``; returns path under OUT -> what it is for."""
    from onca.synth._camtrap import write_camtrap_survey
    from onca.synth._distribution import write_distribution_data

    out = Path(out_dir)
    for needed in ("parties.csv", "accounts.csv", "transactions.csv", "truth/roles.csv"):
        if not (out / needed).is_file():
            raise InputFileError(
                f"{out / needed}: missing; --examples cuts its files from a scenario written as"
                " CSV (onca synth --format csv)"
            )
    folder = out / "examples"
    folder.mkdir(parents=True, exist_ok=True)
    if not (out / "camtrap" / "datapackage.json").is_file():
        write_camtrap_survey(out, seed=seed)
    written = _party_extracts(out, folder)
    written |= _amlsim(out, folder / "amlsim")
    written |= _secr_files(out / "camtrap", folder)
    written |= _history(out / "camtrap", folder)
    write_distribution_data(out, seed=seed)
    written = {f"examples/{name}": use for name, use in written.items()}
    written["distribution/"] = "occurrence records and two rasters, for onca distribution"
    return written


def _party_extracts(out: Path, folder: Path) -> dict[str, str]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    with (out / "parties.csv").open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    for name, prefix in _PARTY_FILES.items():
        chosen = [r for r in rows if r["party_id"].startswith(prefix)]
        if name.endswith(".parquet"):
            columns = {c: [r[c] or None for r in chosen] for c in header}
            pq.write_table(pa.table(columns), folder / name)
        else:
            with csv_table(folder / name, header) as writer:
                writer.writerows([r[c] for c in header] for r in chosen)
    return {
        "bank.csv": "a bank's customers, for onca resolve link and onca pprl",
        "customs.parquet": "a customs agency's traders, for onca resolve link",
        "agency.csv": "a police agency's offenders, for onca pprl",
    }


def _amlsim(out: Path, folder: Path) -> dict[str, str]:
    """The scenario's accounts and payments in IBM AMLSim's sample layout (nodes.csv,
    transactions.csv; a node is fraud when it pays or receives a planted illicit payment)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (out / "truth" / "transactions.csv").open(newline="", encoding="utf-8") as fh:
        illicit = {r["txn_id"] for r in csv.DictReader(fh)}
    with (out / "accounts.csv").open(newline="", encoding="utf-8") as fh:
        node = {r["account_id"]: i for i, r in enumerate(csv.DictReader(fh))}
    fraud: set[int] = set()
    with (
        (out / "transactions.csv").open(newline="", encoding="utf-8") as fh,
        csv_table(
            folder / "transactions.csv", ["sourceNodeId", "targetNodeId", "value", "time"]
        ) as writer,
    ):
        for r in csv.DictReader(fh):
            source, target = node.get(r["from_account"]), node.get(r["to_account"])
            if source is None or target is None:
                continue  # cash and outside accounts have no AMLSim node
            ts = dt.datetime.fromisoformat(r["ts"].replace("Z", "+00:00"))
            writer.writerow([source, target, r["amount"], (ts - AMLSIM_START).days])
            if r["txn_id"] in illicit:
                fraud.update((source, target))
    with csv_table(folder / "nodes.csv", ["nodeid", "isFraud", "init_balance", "fraudStep"]) as w:
        w.writerows([n, int(n in fraud), 1000, 0 if n in fraud else -1] for n in node.values())
    return {"amlsim/": "the scenario in IBM AMLSim's sample layout, for onca convert amlsim"}


def _secr_files(camtrap: Path, folder: Path) -> dict[str, str]:
    """The jaguar survey as secr's text files: traps (trapID x y, metres) and captures (session,
    animal, occasion, trapID), for ``onca density --traps --captures``."""
    from onca.ecology import read_camtrap_dp

    survey = read_camtrap_dp(camtrap, "Panthera onca")
    with (folder / "trap.txt").open("w", encoding="utf-8") as fh:
        fh.write("# trapID x y (metres, " + survey.crs + ")\n")
        for station, (x, y) in zip(survey.stations, survey.xy, strict=True):
            fh.write(f"{station} {x:.1f} {y:.1f}\n")
    with (folder / "capt.txt").open("w", encoding="utf-8") as fh:
        fh.write("# session animalID occasion trapID (proximity detectors: cameras)\n")
        seen = set()
        for d in survey.detections:
            key = (d.individual, d.occasion, d.station)
            if d.individual is not None and key not in seen:
                seen.add(key)
                fh.write(f"jaguar {d.individual} {d.occasion + 1} {survey.stations[d.station]}\n")
    return {
        "trap.txt": "camera stations in secr's trap format, for onca density --traps",
        "capt.txt": "jaguar captures in secr's capture format, for onca density --captures",
    }


def _history(camtrap: Path, folder: Path) -> dict[str, str]:
    """The ocelot's detection history per station and the stations' covariates, as CSV."""
    from onca.ecology import read_camtrap_dp
    from onca.ecology.occupancy import camtrap_history

    covariates = camtrap / "site_covariates.csv"
    survey = read_camtrap_dp(camtrap, "Leopardus pardalis")
    h = camtrap_history(survey, site_covs=covariates if covariates.is_file() else None)
    occasions = h.y.shape[1]
    with csv_table(
        folder / "history.csv", ["site_id", *(f"o{j + 1}" for j in range(occasions))]
    ) as w:
        for site, row in zip(h.sites, h.y, strict=True):
            w.writerow([site, *("" if np.isnan(v) else int(v) for v in row)])
    names = sorted(h.site_covs)
    with csv_table(folder / "sites.csv", ["site_id", *names]) as w:
        for i, site in enumerate(h.sites):
            w.writerow([site, *(h.site_covs[n][i] for n in names)])
    with csv_table(
        folder / "effort.csv", ["site_id", *(f"o{j + 1}" for j in range(occasions))]
    ) as w:
        for i, site in enumerate(h.sites):
            w.writerow([site, *(round(float(v), 3) for v in survey.effort[i])])
    return {
        "history.csv": "ocelot detections per station and occasion, for onca occupancy",
        "sites.csv": "the stations' covariates, for onca occupancy --site-covs",
        "effort.csv": "camera-days per station and occasion, for onca occupancy --obs-cov",
    }
