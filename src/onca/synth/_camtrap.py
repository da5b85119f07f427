"""A simulated jaguar camera-trap survey as a Camtrap DP package, with its true density.

Forty camera stations on an 8 x 5 grid 2.5 km apart in the Pantanal (UTM zone 21S), run for
90 nights from 2024-07-01. Jaguars are placed at a known density over the survey region
(stations plus 11 km) and detected by the model SCR assumes: a hazard half-normal detection
function (lambda0 per night, sigma in metres), independently at each station on each night,
scaled by the share of the night the camera ran. Some cameras fail early, one is stolen and
replaced, so effort varies. Each detection becomes one or two observations with the animal's
``individualID`` (a few without: flank not visible); ocelots, peccaries and tapirs pass by the
cameras without IDs, present at a station with a probability that depends on its forest cover
(``camtrap/site_covariates.csv``), for occupancy models. The truth goes to
``truth/camtrap_truth.json``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from onca.ecology.scr._data import Traps
from onca.ecology.scr._mask import make_mask
from onca.ecology.scr._simulate import Simulated, simulate_captures, simulate_population
from onca.synth._csvfile import csv_table, write_csv

Periods = list[list[tuple[dt.datetime, dt.datetime]]]
CRS = "EPSG:32721"  # UTM 21S
ORIGIN = (420_000.0, 8_040_000.0)  # south-west station, near Porto Jofre (Pantanal)
START = dt.datetime(2024, 7, 1, tzinfo=dt.UTC)
# Unmarked species: occupancy logit(psi) = alpha + beta * forest, detection per night p at an
# occupied station (scaled by the camera's running time).
OTHERS = (
    ("Leopardus pardalis", -1.5, 4.0, 0.06),
    ("Tayassu pecari", -0.5, 2.0, 0.05),
    ("Tapirus terrestris", 1.0, -1.0, 0.04),
)
TAXA = [
    {
        "scientificName": "Panthera onca",
        "taxonRank": "species",
        "vernacularNames": {"eng": "jaguar", "spa": "yaguareté", "por": "onça-pintada"},
    },
    {
        "scientificName": "Leopardus pardalis",
        "taxonRank": "species",
        "vernacularNames": {"eng": "ocelot", "spa": "ocelote", "por": "jaguatirica"},
    },
    {
        "scientificName": "Tayassu pecari",
        "taxonRank": "species",
        "vernacularNames": {"eng": "white-lipped peccary", "por": "queixada"},
    },
    {
        "scientificName": "Tapirus terrestris",
        "taxonRank": "species",
        "vernacularNames": {"eng": "lowland tapir", "por": "anta"},
    },
]


@dataclass(frozen=True)
class CamtrapTruth:
    """What the simulated survey really was."""

    species: str
    density_per_100km2: float
    density_per_ha: float
    detectfn: str
    lambda0: float
    sigma_m: float
    nights: int
    stations: int
    region_area_km2: float
    population: int
    detected: int
    seed: int


def write_camtrap_survey(
    out_dir: Path | str,
    *,
    seed: int = 7,
    density_per_100km2: float = 3.0,
    lambda0: float = 0.05,
    sigma: float = 2200.0,
    nights: int = 90,
) -> CamtrapTruth:
    """Write ``out_dir/camtrap/`` (datapackage.json, deployments.csv, media.csv,
    observations.csv) and ``out_dir/truth/camtrap_truth.json``."""
    from pyproj import Transformer

    rng = np.random.default_rng([seed, 2024])
    xy = np.array(
        [[ORIGIN[0] + i * 2500.0, ORIGIN[1] + j * 2500.0] for j in range(5) for i in range(8)]
    )
    ids = tuple(f"PJ{k + 1:02d}" for k in range(len(xy)))
    periods = _deployment_periods(len(xy), nights, rng)
    usage = _usage(periods, nights)
    traps = Traps(ids, xy, "proximity", usage)
    region = make_mask(traps, buffer=5 * sigma, spacing=500.0, type="traprect")
    density = density_per_100km2 / 1e4
    centres = simulate_population(region, density, rng)
    sex = rng.choice(np.array(["female", "male"], dtype=object), size=len(centres))
    sim = simulate_captures(
        traps,
        centres,
        detectfn_name="HHN",
        p0=lambda0,
        sigma=sigma,
        occasions=nights,
        rng=rng,
        covariates={"sex": sex},
    )
    to_lonlat = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)
    lon, lat = to_lonlat.transform(xy[:, 0], xy[:, 1])
    folder = Path(out_dir) / "camtrap"
    folder.mkdir(parents=True, exist_ok=True)
    deployments = _write_deployments(folder, ids, lon, lat, periods)
    observations = _observations(sim, periods, ids, deployments, rng, nights)
    east = (xy[:, 0] - xy[:, 0].min()) / np.ptp(xy[:, 0])
    forest = np.clip(0.15 + 0.7 * east + rng.normal(0, 0.1, len(ids)), 0.0, 1.0).round(3)
    unmarked, occupancy_truth = _unmarked(periods, deployments, forest, rng, nights)
    observations = sorted(observations + unmarked, key=lambda r: (r[1], r[0]))
    _write_observations(folder, observations)
    write_csv(
        folder / "site_covariates.csv",
        ["site_id", "forest"],
        ([i, v] for i, v in zip(ids, forest.tolist(), strict=True)),
    )
    _write_package(folder, lon, lat, nights)
    truth = CamtrapTruth(
        "Panthera onca",
        density_per_100km2,
        density,
        "HHN",
        lambda0,
        sigma,
        nights,
        len(ids),
        region.area_ha / 100,
        sim.population,
        sim.capthist.n,
        seed,
    )
    truth_dir = Path(out_dir) / "truth"
    truth_dir.mkdir(parents=True, exist_ok=True)
    (truth_dir / "camtrap_truth.json").write_text(
        json.dumps(asdict(truth) | {"occupancy": occupancy_truth}, indent=2) + "\n"
    )
    return truth


def _deployment_periods(stations: int, nights: int, rng: np.random.Generator) -> Periods:
    """Per station, its deployments: most run the whole survey; some fail early; one is
    stolen and replaced after a gap."""
    end = START + dt.timedelta(days=nights)
    out = []
    for k in range(stations):
        start = START + dt.timedelta(hours=int(rng.integers(9, 17)))
        if k == 17:  # stolen on day 40, replaced on day 46
            out.append(
                [
                    (start, START + dt.timedelta(days=40, hours=10)),
                    (START + dt.timedelta(days=46, hours=15), end),
                ]
            )
        elif rng.random() < 0.15:  # batteries or flooding
            fail = START + dt.timedelta(
                days=int(rng.integers(30, nights - 5)), hours=int(rng.integers(0, 24))
            )
            out.append([(start, fail)])
        else:
            out.append([(start, end)])
    return out


def _usage(periods: Periods, nights: int) -> np.ndarray:
    day = dt.timedelta(days=1)
    usage = np.zeros((len(periods), nights))
    for k, spans in enumerate(periods):
        for a, b in spans:
            for s in range(nights):
                lo, hi = max(a, START + s * day), min(b, START + (s + 1) * day)
                usage[k, s] += max((hi - lo) / day, 0.0)
    return usage


def _write_deployments(
    folder: Path, ids: tuple[str, ...], lon, lat, periods
) -> dict[tuple[int, int], str]:
    """deployments.csv; returns (station, deployment number) -> deploymentID."""
    names = {}
    with csv_table(
        folder / "deployments.csv",
        [
            "deploymentID",
            "locationID",
            "locationName",
            "latitude",
            "longitude",
            "deploymentStart",
            "deploymentEnd",
            "cameraModel",
            "cameraHeight",
            "baitUse",
            "featureType",
            "habitat",
            "deploymentComments",
        ],
    ) as w:
        for k, spans in enumerate(periods):
            for j, (a, b) in enumerate(spans):
                dep = f"{ids[k]}-{j + 1}"
                names[(k, j)] = dep
                comment = "camera stolen; replaced" if len(spans) > 1 and j == 0 else ""
                w.writerow(
                    [
                        dep,
                        ids[k],
                        f"Porto Jofre {ids[k]}",
                        f"{lat[k]:.6f}",
                        f"{lon[k]:.6f}",
                        a.isoformat(),
                        b.isoformat(),
                        "Reconyx HyperFire 2",
                        "0.5",
                        "false",
                        "roadDirt",
                        "gallery forest",
                        comment,
                    ]
                )
    return names


def _observations(
    sim: Simulated,
    periods: Periods,
    ids: tuple[str, ...],
    deployments: dict[tuple[int, int], str],
    rng: np.random.Generator,
    nights: int,
) -> list[tuple[str, dt.datetime, str, str, str]]:
    day = dt.timedelta(days=1)
    rows = []
    ch = sim.capthist
    sex = ch.covariates["sex"]
    names = [f"JAG-{i + 1:02d}" for i in range(ch.n)]
    for i, s, k in zip(*np.nonzero(ch.counts), strict=True):
        window = [
            (max(a, START + s * day), min(b, START + (s + 1) * day), j)
            for j, (a, b) in enumerate(periods[k])
            if a < START + (s + 1) * day and b > START + s * day
        ]
        for _ in range(int(rng.integers(1, 3))):
            a, b, j = window[int(rng.integers(len(window)))]
            when = a + (b - a) * float(rng.random())
            identified = rng.random() > 0.06
            rows.append(
                (
                    deployments[(k, j)],
                    when,
                    "Panthera onca",
                    names[i] if identified else "",
                    sex[i] if identified else "",
                )
            )
    rows.sort(key=lambda r: (r[1], r[0]))
    return rows


def _unmarked(
    periods: Periods,
    deployments: dict[tuple[int, int], str],
    forest: np.ndarray,
    rng: np.random.Generator,
    nights: int,
) -> tuple[list[tuple[str, dt.datetime, str, str, str]], dict[str, Any]]:
    """Observations of the unmarked species, and their truth."""
    day = dt.timedelta(days=1)
    usage = _usage(periods, nights)
    rows, truth = [], {}
    for species, alpha, beta, p_night in OTHERS:
        psi = 1 / (1 + np.exp(-(alpha + beta * forest)))
        occupied = rng.random(forest.size) < psi
        for k in np.flatnonzero(occupied).tolist():
            for s in range(nights):
                if usage[k, s] == 0 or rng.random() >= 1 - (1 - p_night) ** usage[k, s]:
                    continue
                window = [
                    (max(a, START + s * day), min(b, START + (s + 1) * day), j)
                    for j, (a, b) in enumerate(periods[k])
                    if a < START + (s + 1) * day and b > START + s * day
                ]
                a, b, j = window[int(rng.integers(len(window)))]
                rows.append(
                    (deployments[(k, j)], a + (b - a) * float(rng.random()), species, "", "")
                )
        truth[species] = {
            "alpha": alpha,
            "beta_forest": beta,
            "p_per_night": p_night,
            "mean_psi": float(psi.mean()),
            "occupied_stations": int(occupied.sum()),
        }
    return rows, truth


def _write_observations(folder: Path, rows: list[tuple[str, dt.datetime, str, str, str]]) -> None:
    with csv_table(
        folder / "observations.csv",
        [
            "observationID",
            "deploymentID",
            "mediaID",
            "eventID",
            "eventStart",
            "eventEnd",
            "observationLevel",
            "observationType",
            "scientificName",
            "count",
            "lifeStage",
            "sex",
            "individualID",
            "classificationMethod",
        ],
    ) as w:
        for n, (dep, when, species, individual, sex) in enumerate(rows, start=1):
            end = when + dt.timedelta(seconds=30)
            w.writerow(
                [
                    f"OBS{n:06d}",
                    dep,
                    "",
                    f"EV{n:06d}",
                    when.isoformat(timespec="seconds"),
                    end.isoformat(timespec="seconds"),
                    "event",
                    "animal",
                    species,
                    1,
                    "adult",
                    sex,
                    individual,
                    "human",
                ]
            )
    write_csv(
        folder / "media.csv",
        [
            "mediaID",
            "deploymentID",
            "captureMethod",
            "timestamp",
            "filePath",
            "filePublic",
            "fileMediatype",
        ],
        [],
    )


def _write_package(folder: Path, lon: Any, lat: Any, nights: int) -> None:
    package = {
        "profile": "https://raw.githubusercontent.com/tdwg/camtrap-dp/1.0/camtrap-dp-profile.json",
        "name": "onca-pantanal-jaguar-survey",
        "title": "Simulated jaguar camera-trap survey, Porto Jofre (Operation Jaguar scenario)",
        "description": "Generated by onca synth for the density demo; the true density is in truth/camtrap_truth.json.",
        "created": "2024-10-01T00:00:00Z",
        "contributors": [{"title": "Onca scenario generator", "role": "contributor"}],
        "licenses": [{"name": "CC0-1.0", "scope": "data"}],
        "project": {
            "title": "Operation Jaguar",
            "samplingDesign": "systematicRandom",
            "captureMethod": ["activityDetection"],
            "individualAnimals": True,
            "observationLevel": ["event"],
        },
        "spatial": {
            "type": "Polygon",
            "coordinates": [
                [
                    [float(min(lon)), float(min(lat))],
                    [float(max(lon)), float(min(lat))],
                    [float(max(lon)), float(max(lat))],
                    [float(min(lon)), float(max(lat))],
                    [float(min(lon)), float(min(lat))],
                ]
            ],
        },
        "temporal": {
            "start": START.date().isoformat(),
            "end": (START + dt.timedelta(days=nights)).date().isoformat(),
        },
        "taxonomic": TAXA,
        "resources": [
            {
                "name": n,
                "path": f"{n}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": f"https://raw.githubusercontent.com/tdwg/camtrap-dp/1.0/{n}-table-schema.json",
            }
            for n in ("deployments", "media", "observations")
        ],
    }
    (folder / "datapackage.json").write_text(
        json.dumps(package, indent=2, ensure_ascii=False) + "\n"
    )
