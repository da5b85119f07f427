"""Report sections: occupancy of the unmarked species of the camera-trap survey, and the
distribution model of the synthetic occurrence records, each against the truth."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from onca.ecology._camtrap import read_camtrap_dp
from onca.ecology.occupancy._data import camtrap_history
from onca.ecology.occupancy._models import Occupancy
from onca.ecology.occupancy._plots import covariate_curve_png, site_map_png
from onca.errors import OncaWarning
from onca.report import Figure, Section, TableBlock
from onca.workspace import Workspace


def occupancy_section(
    ws: Workspace | None,
    *,
    package: Path,
    unmarked: Sequence[str],
    truth: dict[str, Any] | None = None,
    occasion_days: float = 7.0,
) -> Section:
    """Occupancy of each of the ``unmarked`` species (psi ~ forest, p ~ effort; weekly
    occasions); ``data`` holds each one's estimates and truth. ``ws`` is not read (the survey
    is the package): sections share one signature."""
    rows, summary, figures = [], {}, []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OncaWarning)
        for species in unmarked:
            survey = read_camtrap_dp(package, species, occasion_days=occasion_days)
            h = camtrap_history(survey, site_covs=package / "site_covariates.csv")
            model = Occupancy(psi="~ forest", p="~ effort").fit(h)
            mean_psi = float(model.predict_state({"forest": h.site_covs["forest"]})[0].mean())
            b, se = model.coef_["psi.forest"]
            true = (truth or {}).get(species, {})
            rows.append(
                [
                    species,
                    int((np.nansum(h.y, axis=1) > 0).sum()),
                    f"{h.naive_occupancy():.2f}",
                    f"{mean_psi:.2f}",
                    f"{true['mean_psi']:.2f}" if true else "",
                    f"{b:.2f} ± {1.96 * se:.2f}",
                    f"{true['beta_forest']:g}" if true else "",
                    f"{model.site_occupancy_.sum():.1f}",
                    true.get("occupied_stations", ""),
                ]
            )
            summary[species] = {"mean_psi": mean_psi, "beta_forest": b, "se": se, "true": true}
            if species == "Leopardus pardalis":
                figures.append(
                    Figure(
                        covariate_curve_png(model, "forest"),
                        alt="Ocelot occupancy probability rising with forest cover, with its 95% band.",
                        caption="Ocelot: occupancy against forest cover (camera stations as ticks).",
                    )
                )
                figures.append(
                    Figure(
                        site_map_png(model, "Ocelot: P(occupied | detections) per station"),
                        alt=f"Map of the {h.y.shape[0]} camera stations coloured by the probability that ocelots occupy them.",
                        caption="Ocelot: each station's probability of being occupied given what the cameras saw (ringed: detected).",
                    )
                )
    headings = [
        "species",
        "stations detected",
        "naive occupancy",
        "occupancy (mean psi)",
        "truth",
        "forest effect (logit, ± 95%)",
        "truth",
        "occupied stations (empirical Bayes)",
        "truth",
    ]
    paragraphs = [
        "Species without individual marks cannot give a density, but occupancy models (MacKenzie"
        " et al. 2002) say where they live while correcting for nights a camera missed them:"
        f" {h.y.shape[0]} stations, weekly occasions, occupancy on forest cover and detection on each"
        " week's camera effort (onca occupancy --camtrap-dp ... --psi '~ forest' --p '~ effort').",
        "Naive occupancy (the share of stations with a detection) underestimates where a species"
        " lives; the model's estimate and the truth are side by side below.",
    ]
    section = Section(
        "Where the unmarked species live: occupancy",
        paragraphs,
        tables=[
            TableBlock(
                "Occupancy by species (truth from the scenario)",
                headings,
                rows,
                [False, True, True, True, True, False, True, True, True],
            )
        ],
        figures=figures,
        anchor="occupancy",
        data=summary,
    )
    return section


def distribution_section(
    ws: Workspace | None,
    *,
    folder: Path,
    true_suitability: Callable[[np.ndarray, np.ndarray], np.ndarray],
    truth: dict[str, Any] | None = None,
) -> Section:
    """MaxEnt on the synthetic ocelot records and layers; agreement with the true suitability
    (a function of the elevation and forest layers, from whoever planted the records: the
    ecology package does not know the scenario). ``data``: cv_auc and spearman_truth. ``ws``
    is not read: sections share one signature."""
    from scipy.stats import spearmanr

    from onca.ecology.distribution import (
        MaxEnt,
        project,
        read_occurrences,
        read_rasters,
        suitability_png,
    )

    stack = read_rasters([folder / "elevation.tif", folder / "forest.tif"])
    lon, lat, name = read_occurrences(folder / "occurrences.csv")
    x, y = project(lon, lat, stack.crs)
    fit = MaxEnt().fit(stack, x, y)
    true = true_suitability(stack.layers["elevation"], stack.layers["forest"])
    ok = np.isfinite(fit.suitability_) & np.isfinite(true)
    rho = float(spearmanr(fit.suitability_[ok], true[ok]).statistic)
    paragraphs = [
        f"{name}: {lon.size} occurrence records (GBIF style) on two layers (elevation, forest"
        f" cover; 1 km pixels). MaxEnt through elapid with {fit.n_background_:,} background points;"
        f" spatially blocked 4-fold cross-validation AUC {fit.cv_auc_mean_:.3f} (onca distribution).",
        f"Against the scenario's true suitability ({(truth or {}).get('suitability', 'known')}):"
        f" Spearman correlation {rho:.3f} over {int(ok.sum()):,} pixels.",
    ]
    section = Section(
        "Where the ocelot could live: distribution",
        paragraphs,
        figures=[
            Figure(
                suitability_png(fit, stack, (x, y)),
                alt=f"Map of predicted ocelot suitability with {lon.size} records as dots.",
                caption="MaxEnt relative suitability (cloglog) with the occurrence records.",
            )
        ],
        anchor="distribution",
        data={"cv_auc": fit.cv_auc_mean_, "spearman_truth": rho},
    )
    return section
