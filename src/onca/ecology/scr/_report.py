"""Report section: jaguar density from the camera-trap survey, against the truth."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from onca.ecology.scr._buffer import rpsv
from onca.ecology.scr._camtrap import read_camtrap_capthist
from onca.ecology.scr._fit import SCR
from onca.ecology.scr._mask import make_mask
from onca.ecology.scr._plots import detection_function_png, detections_png
from onca.errors import OncaWarning
from onca.report import Figure, Section, TableBlock
from onca.workspace import Workspace

PER_100KM2 = 1e4  # animals per hectare -> per 100 km2


def density_section(
    ws: Workspace | None,
    *,
    package: Path,
    species: str = "Panthera onca",
    truth: dict[str, Any] | None = None,
) -> Section:
    """Fit HHN and HN models to ``species`` in a Camtrap DP package; the section, with a summary
    (estimate, interval, truth) as its ``data``. The mask buffer is 5 x the first sigma
    estimate. ``ws`` is not read (the survey is the package): sections share one signature."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", OncaWarning)
        ch, survey = read_camtrap_capthist(package, species)
        buffer = 5 * (rpsv(ch) or 2000.0)
        mask = make_mask(ch.traps, buffer=buffer, nx=48)
        fits = {fn: SCR(detectfn=fn, buffer=buffer).fit(ch, mask) for fn in ("HHN", "HN")}
    best = min(fits, key=lambda k: fits[k].aic_)
    model = fits[best]
    d = model.estimates_["D"]
    rows = []
    for fn, f in fits.items():
        e = f.estimates_["D"]
        rows.append(
            [
                fn,
                f"{e.estimate * PER_100KM2:.2f}",
                f"{e.se * PER_100KM2:.2f}",
                f"{e.lcl * PER_100KM2:.2f} - {e.ucl * PER_100KM2:.2f}",
                f"{f.estimates_['sigma'].estimate:,.0f}",
                f"{f.aic_:.2f}",
            ]
        )
    headings = ["detection function", "D per 100 km²", "SE", "95% CI", "sigma (m)", "AIC"]
    paragraphs = [
        f"{survey.species}: {len(survey.stations)} camera stations, {survey.occasions} nights"
        f" ({survey.effort.sum():,.0f} camera-nights of effort from the deployment periods),"
        f" {ch.n} individuals identified by their rosettes in {ch.detections} station-nights;"
        f" {survey.skipped.get('no individualID', 0)} observations without an individual ID"
        " were left out. Spatially explicit capture-recapture (onca density; the likelihood"
        " of the R package secr, proximity detectors, full likelihood).",
        f"Estimated density ({best}, lowest AIC): {d.estimate * PER_100KM2:.2f} jaguars per"
        f" 100 km² (95% CI {d.lcl * PER_100KM2:.2f} to {d.ucl * PER_100KM2:.2f}).",
    ]
    summary: dict[str, Any] = {
        "detectfn": best,
        "D_per_100km2": d.estimate * PER_100KM2,
        "lcl_per_100km2": d.lcl * PER_100KM2,
        "ucl_per_100km2": d.ucl * PER_100KM2,
        "animals": ch.n,
    }
    if truth is not None:
        true = float(truth["density_per_100km2"])
        covered = d.lcl * PER_100KM2 <= true <= d.ucl * PER_100KM2
        paragraphs.append(
            f"The scenario's true density is {true:g} per 100 km² ({truth['population']} jaguars"
            f" over {truth['region_area_km2']:,.0f} km², {truth['detected']} of them detected):"
            f" the estimate is {d.estimate * PER_100KM2 / true - 1:+.0%} off, and the interval"
            f" {'covers' if covered else 'misses'} it."
        )
        summary.update(true_per_100km2=true, covered=covered)
    notes = sorted({str(w.message) for w in caught if issubclass(w.category, OncaWarning)})
    paragraphs.extend(f"Note: {n}" for n in notes)
    section = Section(
        "Jaguar density from camera traps",
        paragraphs,
        tables=[
            TableBlock(
                "Density by detection function",
                headings,
                rows,
                [False, True, True, False, True, True],
            )
        ],
        figures=[
            Figure(
                detections_png(ch, mask.xy),
                alt=f"Map of {len(survey.stations)} camera stations with the detections of each of {ch.n} jaguars joined to their centre.",
                caption="Detections on the camera layout: each colour one jaguar; grey dots are the habitat mask.",
            ),
            Figure(
                detection_function_png(model),
                alt=f"Detection probability per night against distance for the {best} model, with its 95% band.",
                caption="Detection function: the chance a camera records a jaguar in one night, by distance from the animal's activity centre.",
            ),
        ],
        anchor="density",
        data=summary,
    )
    return section
