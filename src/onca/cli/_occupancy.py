"""``onca occupancy``: where a species lives, corrected for imperfect detection."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table as RichTable

from onca.cli._common import (
    err,
    errors_as_exit,
    make_folder,
    onca_warnings,
    out,
    print_json,
    print_warnings,
)
from onca.cli._options import json_option


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
        Path | None,
        typer.Option(
            "--camtrap-dp", help="A Camtrap DP package instead of a CSV: stations are sites."
        ),
    ] = None,
    species: Annotated[
        str | None, typer.Option(help="With --camtrap-dp: scientific or common name.")
    ] = None,
    occasion_days: Annotated[
        float, typer.Option(help="With --camtrap-dp: occasion length in days.")
    ] = 7.0,
    plots: Annotated[
        Path | None, typer.Option(help="Folder for PNG pictures (covariate curves, site map).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the goodness-of-fit bootstrap.")] = 0,
    as_json: Annotated[bool, json_option("the results")] = False,
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
    from onca.errors import OncaWarning, ParameterError

    with errors_as_exit(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", OncaWarning)
        source: dict[str, Any]
        if camtrap_dp is not None:
            if history is not None:
                raise ParameterError("give either a history CSV or --camtrap-dp, not both")
            if not species:
                raise ParameterError("--camtrap-dp needs --species (a scientific or common name)")
            survey = read_camtrap_dp(camtrap_dp, species, occasion_days=occasion_days)
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
    payload["warnings"] = onca_warnings(caught)
    if as_json:
        print_json(payload)
        return
    print_warnings(payload["warnings"])
    _print(payload)


def _plots(fitted: Any, folder: Path) -> list[str]:
    from onca.ecology.occupancy._plots import covariate_curve_png, site_map_png

    make_folder(folder, "--plots")
    written = []
    cols = fitted.design_.state_cols
    for term in cols.terms:
        if term not in cols.levels:
            path = folder / f"{'psi' if fitted.model == 'occu' else 'lambda'}_{term}.png"
            path.write_bytes(covariate_curve_png(fitted, term))
            written.append(str(path))
    if fitted.history_.xy is not None:
        path = folder / "site_occupancy.png"
        path.write_bytes(site_map_png(fitted))
        written.append(str(path))
    return written


def _print(p: dict[str, Any]) -> None:
    title = f"{'occupancy' if p['model'] == 'occu' else 'Royle-Nichols'} model: " + ", ".join(
        f"{k} {v}" for k, v in p["formulas"].items()
    )
    if p["estimates"]:
        table = RichTable(title=title, title_justify="left")
        for col in ("parameter", "estimate", "SE", "95% CI"):
            table.add_column(col, justify="left" if col == "parameter" else "right")
        for name, e in p["estimates"].items():
            table.add_row(
                name, f"{e['estimate']:.4f}", f"{e['se']:.4f}", f"{e['lcl']:.4f} - {e['ucl']:.4f}"
            )
        out.print(table)
    coefs = RichTable(title="coefficients (link scale)", title_justify="left")
    for col in ("coefficient", "beta", "SE"):
        coefs.add_column(col, justify="left" if col == "coefficient" else "right")
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
    for path in p.get("plots", []):
        err.print(f"wrote {path}", highlight=False)
