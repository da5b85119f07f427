"""Report section: the ocelot's occupancy trend over the seasons of a monitoring programme
(dynamic occupancy), against the truth when the programme is simulated."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

from onca.ecology.occupancy._dynamic import DynamicOccupancy
from onca.ecology.occupancy._plots import _plt
from onca.ecology.occupancy._seasons import read_seasons_csv
from onca.errors import OncaWarning
from onca.report import Figure, Section, TableBlock
from onca.report._figures import PALETTE, _png
from onca.workspace import Workspace

FORMULAS = {"psi": "~ forest", "gamma": "~1", "epsilon": "~ forest_loss", "p": "~1"}


def fit_trend(folder: Path, seasons: list[str]) -> DynamicOccupancy:
    """colext with first-season occupancy on forest cover and extinction on the year's forest
    loss, on ``folder``'s ``detections.csv``, ``site_covariates.csv`` and ``forest_loss.csv``,
    whose ``seasons`` are named as given."""
    h = read_seasons_csv(
        folder / "detections.csv",
        len(seasons),
        site_covs=folder / "site_covariates.csv",
        yearly_covs={"forest_loss": folder / "forest_loss.csv"},
        season_labels=seasons,
    )
    return DynamicOccupancy(**FORMULAS).fit(h)


def trend_png(model: DynamicOccupancy, truth: dict[str, Any] | None) -> bytes:
    """Projected occupancy per season with its 95% band, the smoothed share of surveyed sites
    occupied, the naive share, and with ``truth`` the true share and its expectation."""
    plt = _plt()
    h = model.history_
    x = np.arange(h.n_seasons)
    est = np.array([e.estimate for e in model.projected_])
    lo = np.array([e.lcl for e in model.projected_])
    hi = np.array([e.ucl for e in model.projected_])
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    ax.fill_between(x, lo, hi, color=PALETTE[5], alpha=0.35, label="95% interval")
    ax.plot(x, est, "o-", color=PALETTE[0], lw=2, label="estimate (projected)")
    naive = [np.nan if v is None else v for v in h.naive_occupancy()]
    ax.plot(x, naive, "s:", color="#777777", label="naive (detected / surveyed)")
    if truth:
        ax.plot(x, truth["occupied_share"], "D--", color=PALETTE[2], label="truth (occupied)")
    ax.set_xticks(x, [str(s) for s in h.seasons])
    ax.set_xlabel("season")
    ax.set_ylabel("share of stations occupied")
    ax.set_ylim(0, 1.03)
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def trend_section(
    ws: Workspace | None, *, folder: Path, truth: dict[str, Any] | None = None
) -> Section:
    """The dynamic occupancy of the programme in ``folder`` (seasons named in ``truth``, or five
    numbered);
    ``data``: per season the estimate, interval and truth, and the extinction coefficient. ``ws``
    is not read: sections share one signature."""
    seasons = [str(s) for s in (truth or {}).get("seasons", range(1, 6))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OncaWarning)
        model = fit_trend(folder, seasons)
    h = model.history_
    true_share = (truth or {}).get("occupied_share", [None] * h.n_seasons)
    naive = h.naive_occupancy()
    rows, per_season = [], []
    for t, label in enumerate(h.seasons):
        e = model.projected_[t]
        real = true_share[t]
        rows.append(
            [
                label,
                f"{naive[t]:.2f}" if naive[t] is not None else "not surveyed",
                f"{e.estimate:.2f} ({e.lcl:.2f} to {e.ucl:.2f})",
                f"{real:.2f}" if real is not None else "",
            ]
        )
        per_season.append({"season": label, **e.to_dict(), "naive": naive[t], "truth": real})
    b, se = model.coef_["epsilon.forest_loss"]
    first, last = model.projected_[0], model.projected_[-1]
    true_eps = (truth or {}).get("epsilon")
    paragraphs = [
        f"The same question over time: {h.n_sites} stations of a monitoring programme surveyed in"
        f" {h.n_seasons} seasons ({h.seasons[0]} to {h.seasons[-1]}), {h.n_occasions} weekly occasions"
        " each. A dynamic occupancy model (MacKenzie et al. 2003; unmarked's colext) separates"
        " where the ocelot was at the start from colonisation and local extinction between"
        " seasons, each corrected for the weeks the cameras missed it (onca colext detections.csv"
        " --seasons 5 --site-covs site_covariates.csv --yearly-cov forest_loss=forest_loss.csv"
        " --psi '~ forest' --epsilon '~ forest_loss').",
        f"Occupancy went from {first.estimate:.2f} to {last.estimate:.2f}. Each year's forest loss"
        f" raises the odds of local extinction: logit coefficient {b:.2f} ± {1.96 * se:.2f}"
        + (f" (truth {true_eps[1]:g})." if true_eps else "."),
    ]
    return Section(
        "Is the ocelot losing ground? Occupancy over five seasons",
        paragraphs,
        tables=[
            TableBlock(
                "Share of stations occupied per season (truth from the scenario)",
                ["season", "naive", "estimate (95% interval)", "truth"],
                rows,
                [False, True, True, True],
            )
        ],
        figures=[
            Figure(
                trend_png(model, truth),
                alt=(
                    f"Line chart of ocelot occupancy falling from {first.estimate:.2f} to"
                    f" {last.estimate:.2f} over {h.n_seasons} seasons, with its interval, the naive"
                    " share and the truth."
                ),
                caption="Ocelot occupancy per season: the model's estimate with its 95% interval,"
                " the naive share of surveyed stations with a detection, and the true share.",
            )
        ],
        anchor="occupancy-trend",
        data={
            "seasons": per_season,
            "epsilon_forest_loss": {"beta": b, "se": se},
            "truth_epsilon_forest_loss": true_eps[1] if true_eps else None,
        },
    )
