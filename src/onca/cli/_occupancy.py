"""``onca occupancy``: where a species lives, corrected for imperfect detection."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from onca.cli._camtrap import OccasionDaysOption, SpeciesOption, camtrap_option, camtrap_species
from onca.cli._common import numbers_table, out, print_result, recording_warnings, write_pictures
from onca.cli._options import ResultsJson, plots_option, seed_option
from onca.cli._uncertainty import (
    CiOption,
    bootstrap_option,
    cells,
    check_ci,
    print_uncertainty,
    uncertainty,
)


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
    factor: Annotated[
        list[str] | None,
        typer.Option(
            "--factor",
            help="NAME: a numeric covariate that codes categories (repeatable); text ones are"
            " factors already.",
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
    ci: CiOption = "wald",
    bootstrap: Annotated[int, bootstrap_option("the proportion and number of sites occupied")] = 0,
    seed: Annotated[int, seed_option("Seed of the bootstraps (goodness of fit, --bootstrap).")] = 0,
    as_json: ResultsJson = False,
) -> None:
    """Occupancy models: the share of sites where a species lives, corrected for imperfect
    detection, with covariates on occupancy (site) and detection (site or occasion).

    With --camtrap-dp and --species, camera stations are the sites, occasions last
    --occasion-days, an occasion with no camera running is missing and the share of the
    occasion a camera ran is the observation covariate effort (use --p '~ effort').

    Counts above 1 in the history are read as detections (with a warning). A covariate
    holding text is a factor (its first level, sorted, is the reference; coefficients are
    named as R names them, e.g. p.obsNum2); --factor makes a numeric code one. obsNum, the
    occasion's number, is always there. Several seasons: onca colext.

    Examples:

        onca occupancy history.csv --site-covs sites.csv --psi '~ forest' --p '~ date' --obs-cov date=date.csv

        onca occupancy --camtrap-dp survey/ --species ocelot --p '~ effort' --model rn --json
    """
    from onca.ecology.occupancy import Occupancy, camtrap_history, mb_gof, read_history_csv
    from onca.errors import ParameterError

    with recording_warnings() as messages:
        check_ci(ci)
        source: dict[str, Any]
        if camtrap_dp is not None:
            survey, source = _camtrap_survey(camtrap_dp, history, species, occasion_days)
            h = camtrap_history(survey, site_covs=site_covs, factors=factor or [])
        elif history is not None:
            files = _named_files(obs_cov, "--obs-cov")
            h = read_history_csv(history, site_covs=site_covs, obs_covs=files, factors=factor or [])
            source = {"history": str(history)}
        else:
            raise ParameterError("give a detection history CSV, or --camtrap-dp and --species")
        fitted = Occupancy(model=model, psi=psi, p=p, K=k).fit(h)
        payload: dict[str, Any] = {**source, **fitted.to_dict()}
        payload.update(uncertainty(fitted, ci, bootstrap, seed, bar=not as_json))
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
        if term not in cols.levels and "(" not in term  # I(x^2) is drawn on x's curve
    }
    if fitted.history_.xy is not None:
        pictures["site_occupancy.png"] = site_map_png(fitted)
    return write_pictures(folder, pictures)


def _print(p: dict[str, Any]) -> None:
    title = f"{'occupancy' if p['model'] == 'occu' else 'Royle-Nichols'} model: " + ", ".join(
        f"{k} {v}" for k, v in p["formulas"].items()
    )
    _print_fit(title, p, "link scale", 5)
    out.print(
        f"{p['n_sites']} sites, {p['n_occasions']} occasions; detected at {p['sites_detected']}"
        f" (naive occupancy {p['naive_occupancy']:.3f}); expected occupied sites given the data"
        f" {p['occupied_sites_expected']:.1f}; log-likelihood {p['loglik']:.4f}, AIC {p['aic']:.2f}",
        highlight=False,
    )
    print_uncertainty(p)
    if "gof" in p:
        g = p["gof"]
        out.print(
            f"MacKenzie-Bailey: chi-square {g['statistic']:.2f}, p = {g['p_value']:.3f},"
            f" c-hat {g['c_hat']:.2f} ({g['replicates']} bootstrap replicates)",
            highlight=False,
        )


def _print_fit(title: str, p: dict[str, Any], scale: str, digits: int) -> None:
    """The real-scale estimates (when a part is constant) and the coefficients, a missing SE
    shown as a dash."""
    if p["estimates"]:
        table = numbers_table(title, ("parameter", "estimate", "SE", "95% CI"))
        for name, e in p["estimates"].items():
            table.add_row(name, *cells(e, 4))
        out.print(table)
    coefs = numbers_table(f"coefficients ({scale})", ("coefficient", "beta", "SE"))
    for name, c in p["coefficients"].items():
        coefs.add_row(name, *cells({"estimate": c["beta"], "se": c["se"]}, digits)[:2])
    out.print(coefs)


def _camtrap_survey(
    package: Path, history: Path | None, species: str | None, occasion_days: float
) -> tuple[Any, dict[str, Any]]:
    """The species' survey from a Camtrap DP package, and the payload's source fields."""
    from onca.ecology import read_camtrap_dp
    from onca.errors import ParameterError

    if history is not None:
        raise ParameterError("give either a history CSV or --camtrap-dp, not both")
    survey = read_camtrap_dp(package, camtrap_species(species), occasion_days=occasion_days)
    source = {"camtrap_dp": str(package), "species": survey.species, "occasion_days": occasion_days}
    return survey, source


def _named_files(items: list[str] | None, option: str) -> dict[str, Path | str]:
    from onca.errors import ParameterError

    files: dict[str, Path | str] = {}
    for item in items or []:
        name, sep, file = item.partition("=")
        if not sep or not name.strip() or not file.strip():
            raise ParameterError(f"{option}: expected NAME=FILE, got {item!r}")
        files[name.strip()] = file.strip()
    return files


def colext(
    history: Annotated[
        Path | None,
        typer.Argument(
            help="Detection history CSV: site_id, then --seasons x J columns, season by season"
            " (season 1's J occasions, then season 2's...), each 1, 0 or empty."
        ),
    ] = None,
    seasons: Annotated[
        int | None,
        typer.Option(min=2, help="Number of seasons (years) in the history's columns."),
    ] = None,
    site_covs: Annotated[
        Path | None, typer.Option(help="Site covariates CSV keyed by site_id.")
    ] = None,
    yearly_cov: Annotated[
        list[str] | None,
        typer.Option(
            "--yearly-cov",
            help="NAME=FILE: a yearly-site covariate, site_id then one column per season"
            " (repeatable).",
        ),
    ] = None,
    obs_cov: Annotated[
        list[str] | None,
        typer.Option(
            "--obs-cov",
            help="NAME=FILE: an observation covariate, a CSV shaped like the history (repeatable).",
        ),
    ] = None,
    factor: Annotated[
        list[str] | None,
        typer.Option(
            "--factor", help="NAME: a numeric covariate that codes categories (repeatable)."
        ),
    ] = None,
    season_labels: Annotated[
        str | None,
        typer.Option(help="Comma-separated names of the seasons, e.g. 2019,2020,2021."),
    ] = None,
    psi: Annotated[
        str, typer.Option(help="Formula for first-season occupancy (site covariates).")
    ] = "~1",
    gamma: Annotated[
        str,
        typer.Option(help="Formula for colonisation (site and yearly-site covariates)."),
    ] = "~1",
    epsilon: Annotated[
        str,
        typer.Option(help="Formula for extinction (site and yearly-site covariates)."),
    ] = "~1",
    p: Annotated[
        str,
        typer.Option("--p", help="Formula for detection (site, yearly-site and observation)."),
    ] = "~1",
    camtrap_dp: Annotated[
        Path | None,
        camtrap_option(
            "A Camtrap DP package spanning several years instead of a CSV: each calendar year"
            " is a season."
        ),
    ] = None,
    species: SpeciesOption = None,
    occasion_days: OccasionDaysOption = 7.0,
    ci: CiOption = "wald",
    as_json: ResultsJson = False,
) -> None:
    """Dynamic (multi-season) occupancy, MacKenzie et al. (2003), as unmarked's colext: how
    many sites a species occupies season by season, and why sites are colonised or lost,
    corrected for imperfect detection.

    Four parts, each a logit-linear formula: first-season occupancy (--psi), colonisation of
    an empty site between seasons (--gamma), extinction at an occupied one (--epsilon), and
    detection (--p). Occupancy does not change within a season; between seasons it does.
    '~ season - 1' gives one coefficient per season (season is the seasons' label, a
    factor); '~ forest_loss' makes extinction depend on a yearly-site covariate (the
    transition from season t uses season t's value).

    Prints the coefficients, the estimates of constant parts, and occupancy per season:
    projected (psi carried forward by gamma and epsilon, averaged over the sites, with a
    delta-method 95% interval) and smoothed (the share of these sites occupied given their
    detections, unmarked's smoothed).

    Examples:

        onca colext y.csv --seasons 9 --site-covs sites.csv --psi '~ forest' --gamma '~ season - 1' --epsilon '~ season - 1' --p '~ season + date' --obs-cov date=date.csv

        onca colext y.csv --seasons 4 --yearly-cov loss=forest_loss.csv --epsilon '~ loss' --json

        onca colext --camtrap-dp survey/ --species ocelot --p '~ effort'
    """
    from onca.ecology.occupancy import DynamicOccupancy, camtrap_seasons, read_seasons_csv
    from onca.errors import ParameterError

    with recording_warnings() as messages:
        check_ci(ci)
        source: dict[str, Any]
        if camtrap_dp is not None:
            survey, source = _camtrap_survey(camtrap_dp, history, species, occasion_days)
            h = camtrap_seasons(survey, site_covs=site_covs, factors=factor or [])
        elif history is not None:
            if seasons is None:
                raise ParameterError("--seasons: how many seasons the history's columns hold")
            labels = [x.strip() for x in season_labels.split(",")] if season_labels else None
            h = read_seasons_csv(
                history,
                seasons,
                site_covs=site_covs,
                yearly_covs=_named_files(yearly_cov, "--yearly-cov"),
                obs_covs=_named_files(obs_cov, "--obs-cov"),
                factors=factor or [],
                season_labels=labels,
            )
            source = {"history": str(history)}
        else:
            raise ParameterError("give a detection history CSV, or --camtrap-dp and --species")
        fitted = DynamicOccupancy(psi=psi, gamma=gamma, epsilon=epsilon, p=p).fit(h)
        payload: dict[str, Any] = {**source, **fitted.to_dict()}
        payload.update(uncertainty(fitted, ci, 0, 0, bar=False))
    payload["warnings"] = messages
    print_result(payload, as_json, _print_colext)


def _print_colext(p: dict[str, Any]) -> None:
    title = "dynamic occupancy (colext): " + ", ".join(f"{k} {v}" for k, v in p["formulas"].items())
    _print_fit(title, p, "logit scale", 4)
    per = numbers_table(
        "occupancy per season",
        ("season", "surveyed", "detected", "naive", "projected", "95% CI", "smoothed"),
    )
    for s in p["seasons"]:
        e = s["projected"]
        naive = "-" if s["naive_occupancy"] is None else f"{s['naive_occupancy']:.3f}"
        per.add_row(
            s["season"],
            str(s["sites_surveyed"]),
            str(s["sites_detected"]),
            naive,
            *(cells(e, 3)[::2]),
            f"{s['smoothed']:.3f}",
        )
    out.print(per)
    out.print(
        f"{p['n_sites']} sites, {p['n_seasons']} seasons of {p['occasions_per_season']}"
        f" occasions; log-likelihood {p['loglik']:.4f}, AIC {p['aic']:.2f}"
        f" ({p['n_parameters']} parameters)",
        highlight=False,
    )
    print_uncertainty(p)
