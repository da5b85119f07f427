"""``onca occupancy``: where a species lives, corrected for imperfect detection."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from onca.cli._camtrap import OccasionDaysOption, SpeciesOption, camtrap_option, camtrap_species
from onca.cli._common import numbers_table, out, print_result, recording_warnings, write_pictures
from onca.cli._options import ResultsJson, plots_option, seed_option


def occupancy(
    history: Annotated[
        Path | None,
        typer.Argument(
            help="Detection history CSV: site_id, then one column per occasion (1, 0 or empty)."
        ),
    ] = None,
    site_covs: Annotated[
        Path | None, typer.Option(help="Site covariates CSV keyed by site_id.")
    ] = None,
    obs_cov: Annotated[
        list[str] | None,
        typer.Option(
            "--obs-cov",
            help="NAME=FILE: an observation covariate, a CSV shaped like the history (repeatable).",
        ),
    ] = None,
    psi: Annotated[
        str,
        typer.Option(
            help="Formula for occupancy (or lambda with --model rn), e.g. '~ forest + elev'."
        ),
    ] = "~1",
    p: Annotated[
        str,
        typer.Option("--p", help="Formula for detection (or r with --model rn), e.g. '~ effort'."),
    ] = "~1",
    model: Annotated[
        str, typer.Option(help="occu (MacKenzie et al. 2002) or rn (Royle-Nichols 2003).")
    ] = "occu",
    k: Annotated[
        int | None,
        typer.Option("--K", help="rn: largest abundance per site summed over (default 25)."),
    ] = None,
    gof: Annotated[
        int,
        typer.Option(
            min=0, help="MacKenzie-Bailey test with this many bootstrap replicates (0: none)."
        ),
    ] = 0,
    camtrap_dp: Annotated[
        Path | None, camtrap_option("A Camtrap DP package instead of a CSV: stations are sites.")
    ] = None,
    species: SpeciesOption = None,
    occasion_days: OccasionDaysOption = 7.0,
    plots: Annotated[
        Path | None, plots_option("Folder for PNG pictures (covariate curves, site map).")
    ] = None,
    seed: Annotated[int, seed_option("Seed of the goodness-of-fit bootstrap.")] = 0,
    as_json: ResultsJson = False,
) -> None:
    """Occupancy models: the share of sites where a species lives, corrected for imperfect
    detection, with covariates on occupancy (site) and detection (site or occasion).

    With --camtrap-dp and --species, camera stations are the sites, occasions last
    --occasion-days, an occasion with no camera running is missing and the share of the
    occasion a camera ran is the observation covariate effort (use --p '~ effort').

    Examples:

        onca occupancy history.csv --site-covs sites.csv --psi '~ forest' --p '~ date' --obs-cov date=date.csv

        onca occupancy --camtrap-dp survey/ --species ocelot --p '~ effort' --model rn --json
    """
    from onca.ecology import read_camtrap_dp
    from onca.ecology.occupancy import Occupancy, camtrap_history, mb_gof, read_history_csv
    from onca.errors import ParameterError

    with recording_warnings() as messages:
        source: dict[str, Any]
        if camtrap_dp is not None:
            if history is not None:
                raise ParameterError("give either a history CSV or --camtrap-dp, not both")
            survey = read_camtrap_dp(
                camtrap_dp, camtrap_species(species), occasion_days=occasion_days
            )
            h = camtrap_history(survey, site_covs=site_covs)
            source = {
                "camtrap_dp": str(camtrap_dp),
                "species": survey.species,
                "occasion_days": occasion_days,
            }
        elif history is not None:
            files: dict[str, Path | str] = {}
            for item in obs_cov or []:
                name, sep, file = item.partition("=")
                if not sep or not name.strip() or not file.strip():
                    raise ParameterError(f"--obs-cov: expected NAME=FILE, got {item!r}")
                files[name.strip()] = file.strip()
            h = read_history_csv(history, site_covs=site_covs, obs_covs=files)
            source = {"history": str(history)}
        else:
            raise ParameterError("give a detection history CSV, or --camtrap-dp and --species")
        fitted = Occupancy(model=model, psi=psi, p=p, K=k).fit(h)
        payload: dict[str, Any] = {**source, **fitted.to_dict()}
        if gof:
            payload["gof"] = mb_gof(fitted, gof, seed).to_dict()
        if plots is not None:
            payload["plots"] = _plots(fitted, plots)
    payload["warnings"] = messages
    print_result(payload, as_json, _print)


def _plots(fitted: Any, folder: Path) -> list[str]:
    from onca.ecology.occupancy._plots import covariate_curve_png, site_map_png

    state = "psi" if fitted.model == "occu" else "lambda"
    cols = fitted.design_.state_cols
    pictures = {
        f"{state}_{term}.png": covariate_curve_png(fitted, term)
        for term in cols.terms
        if term not in cols.levels
    }
    if fitted.history_.xy is not None:
        pictures["site_occupancy.png"] = site_map_png(fitted)
    return write_pictures(folder, pictures)


def _print(p: dict[str, Any]) -> None:
    title = f"{'occupancy' if p['model'] == 'occu' else 'Royle-Nichols'} model: " + ", ".join(
        f"{k} {v}" for k, v in p["formulas"].items()
    )
    if p["estimates"]:
        table = numbers_table(title, ("parameter", "estimate", "SE", "95% CI"))
        for name, e in p["estimates"].items():
            table.add_row(
                name, f"{e['estimate']:.4f}", f"{e['se']:.4f}", f"{e['lcl']:.4f} - {e['ucl']:.4f}"
            )
        out.print(table)
    coefs = numbers_table("coefficients (link scale)", ("coefficient", "beta", "SE"))
    for name, c in p["coefficients"].items():
        coefs.add_row(name, f"{c['beta']:.4f}", f"{c['se']:.4f}")
    out.print(coefs)
    out.print(
        f"{p['n_sites']} sites, {p['n_occasions']} occasions; detected at {p['sites_detected']}"
        f" (naive occupancy {p['naive_occupancy']:.3f}); expected occupied sites given the data"
        f" {p['occupied_sites_expected']:.1f}; log-likelihood {p['loglik']:.4f}, AIC {p['aic']:.2f}",
        highlight=False,
    )
    if "gof" in p:
        g = p["gof"]
        out.print(
            f"MacKenzie-Bailey: chi-square {g['statistic']:.2f}, p = {g['p_value']:.3f},"
            f" c-hat {g['c_hat']:.2f} ({g['replicates']} bootstrap replicates)",
            highlight=False,
        )
