"""A simulated multi-year camera-trap programme for the ocelot, where forest loss drives local
extinction: the data for dynamic occupancy (MacKenzie et al. 2003), with the truth beside it.

120 stations of a regional monitoring grid (12 x 10, 3 km apart, around the jaguar survey in
the Pantanal) are surveyed in five dry seasons, 2020 to 2024, six weekly occasions each. A
deforestation front moves in from the east: each station starts with a forest cover and loses
a share of it before each season after the first. The ocelot's dynamics:

- first season: logit(psi1) = PSI[0] + PSI[1] * forest (forest cover in 2020, 0 to 1);
- colonisation of an empty station: logit(gamma) = GAMMA (constant);
- extinction at an occupied station between season t and t+1: logit(epsilon) = EPS[0] +
  EPS[1] * loss, where loss is the share of the station's forest cleared in the year after
  season t (0 to 1): the yearly covariate of season t drives the transition that follows it,
  as in unmarked's ``colext``;
- detection on a week at an occupied station: logit(p) = P.

Some weeks are not surveyed (a camera down), and a few stations miss a whole season. Written:

- ``seasons/detections.csv``: ``site_id`` then 5 x 6 columns, season by season (empty: not
  surveyed), the layout ``onca colext`` reads with ``--seasons 5``;
- ``seasons/site_covariates.csv``: ``site_id, forest`` (2020 cover);
- ``seasons/forest_loss.csv``: ``site_id`` then one column per season, the share of forest
  lost in the year after that season's survey (a yearly-site covariate; the last column,
  after the programme ends, is not used by a model);
- ``truth/seasons_truth.json``: the coefficients, and per season the share of stations truly
  occupied and its expectation given the forest.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from scipy.special import expit

from onca.synth._csvfile import write_csv

SPECIES = "Leopardus pardalis"
YEARS = (2020, 2021, 2022, 2023, 2024)
PSI = (-0.5, 2.5)  # logit(psi1) = PSI[0] + PSI[1] * forest
GAMMA = -2.0  # logit(colonisation)
EPS = (-2.5, 6.0)  # logit(extinction) = EPS[0] + EPS[1] * loss
P = -0.4  # logit(weekly detection)
MISSING_WEEK = 0.08  # share of station-weeks with no camera working
MISSING_SEASON = 0.03  # share of station-seasons not surveyed at all


@dataclass(frozen=True)
class SeasonsTruth:
    """What the simulated programme really was."""

    species: str
    seasons: list[int]
    occasions: int
    stations: int
    psi: list[float]
    gamma: float
    epsilon: list[float]
    p: float
    occupied_share: list[float]  # realised: stations occupied / stations, per season
    expected_share: list[float]  # the model's expectation, per season, given the forest
    seed: int


def write_seasons_survey(
    out_dir: Path | str, *, seed: int = 7, stations: int = 120, occasions: int = 6
) -> SeasonsTruth:
    """Write ``out_dir/seasons/`` and ``out_dir/truth/seasons_truth.json``."""
    rng = np.random.default_rng([seed, 2020])
    n_seasons = len(YEARS)
    ids = tuple(f"RM{k + 1:03d}" for k in range(stations))
    columns = 12
    east = np.array([(k % columns) / (columns - 1) for k in range(stations)])
    forest = np.clip(0.9 - 0.3 * east + rng.normal(0, 0.08, stations), 0.05, 1.0).round(3)
    loss = _forest_loss(east, n_seasons, rng)
    occupied = np.zeros((stations, n_seasons), dtype=bool)
    expected = np.zeros((stations, n_seasons))
    expected[:, 0] = expit(PSI[0] + PSI[1] * forest)
    occupied[:, 0] = rng.random(stations) < expected[:, 0]
    gamma = float(expit(GAMMA))
    for t in range(1, n_seasons):
        eps = expit(EPS[0] + EPS[1] * loss[:, t - 1])
        stay = occupied[:, t - 1] & (rng.random(stations) >= eps)
        arrive = ~occupied[:, t - 1] & (rng.random(stations) < gamma)
        occupied[:, t] = stay | arrive
        expected[:, t] = expected[:, t - 1] * (1 - eps) + (1 - expected[:, t - 1]) * gamma
    p = float(expit(P))
    seen = occupied[:, :, None] & (rng.random((stations, n_seasons, occasions)) < p)
    y = seen.astype(float)
    y[rng.random(y.shape) < MISSING_WEEK] = np.nan
    y[rng.random((stations, n_seasons)) < MISSING_SEASON] = np.nan
    folder = Path(out_dir) / "seasons"
    folder.mkdir(parents=True, exist_ok=True)
    header = [f"{year}_w{j + 1}" for year in YEARS for j in range(occasions)]
    write_csv(
        folder / "detections.csv",
        ["site_id", *header],
        (
            [s, *("" if np.isnan(v) else int(v) for v in row.ravel())]
            for s, row in zip(ids, y, strict=True)
        ),
    )
    write_csv(
        folder / "site_covariates.csv",
        ["site_id", "forest"],
        ([s, f] for s, f in zip(ids, forest.tolist(), strict=True)),
    )
    write_csv(
        folder / "forest_loss.csv",
        ["site_id", *(str(year) for year in YEARS)],
        ([s, *row] for s, row in zip(ids, loss.round(3).tolist(), strict=True)),
    )
    truth = SeasonsTruth(
        SPECIES,
        list(YEARS),
        occasions,
        stations,
        list(PSI),
        GAMMA,
        list(EPS),
        P,
        [round(float(v), 4) for v in occupied.mean(axis=0)],
        [round(float(v), 4) for v in expected.mean(axis=0)],
        seed,
    )
    truth_dir = Path(out_dir) / "truth"
    truth_dir.mkdir(parents=True, exist_ok=True)
    (truth_dir / "seasons_truth.json").write_text(json.dumps(asdict(truth), indent=2) + "\n")
    return truth


def _forest_loss(east: np.ndarray, seasons: int, rng: np.random.Generator) -> np.ndarray:
    """(stations, seasons): the share of forest cleared in the year after each season; a front
    that reaches further west each year, clearing most near its edge."""
    loss = np.zeros((len(east), seasons))
    for t in range(seasons):
        front = 0.8 - 0.2 * t  # the front's position, from the east edge (1) westwards
        near = np.clip(1 - np.abs(east - front) / 0.25, 0, 1)
        loss[:, t] = np.clip(0.6 * near * rng.beta(2, 2, len(east)), 0, 1)
    return loss
