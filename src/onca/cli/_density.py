"""``onca density``: animal density from camera traps by spatial capture-recapture."""

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


def _pairs(text: str | None, option: str) -> dict[str, float]:
    from onca.errors import ParameterError

    values: dict[str, float] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        try:
            if not sep:
                raise ValueError
            values[name.strip()] = float(value)
        except ValueError:
            raise ParameterError(
                f"{option}: expected NAME=VALUE,..., got {part.strip()!r}"
            ) from None
    return values


def _models(items: list[str] | None) -> dict[str, str]:
    from onca.errors import ParameterError

    model = {}
    for item in items or []:
        name, sep, rhs = item.partition("~")
        if not sep or not name.strip():
            raise ParameterError(
                f"--model: expected PARAMETER~FORMULA such as 'g0~b', got {item!r}"
            )
        model[name.strip()] = "~" + rhs
    return model


def density(
    traps: Annotated[
        list[Path] | None,
        typer.Option(
            help="secr trap file: 'trapID x y [usage]' per line (metres); repeat it for one"
            " file per session, in session order."
        ),
    ] = None,
    captures: Annotated[
        Path | None,
        typer.Option(
            help="secr capture file: 'session animalID occasion x y [covariates]' per line."
        ),
    ] = None,
    camtrap_dp: Annotated[
        Path | None, camtrap_option("A Camtrap DP package (folder) instead of secr files.")
    ] = None,
    species: SpeciesOption = None,
    detector: Annotated[
        str | None,
        typer.Option(
            help="multi (multi-catch traps), single (fitted as multi, as secr does), proximity"
            " (cameras, hair snares: the default for Camtrap DP) or count."
        ),
    ] = None,
    detectfn: Annotated[
        str,
        typer.Option(help="Detection function: HN, EX (g0, sigma) or HHN, HEX (lambda0, sigma)."),
    ] = "HN",
    buffer: Annotated[
        float | None,
        typer.Option(
            help="Habitat mask buffer around the detectors, metres (default: 4 x a first sigma estimate)."
        ),
    ] = None,
    nx: Annotated[
        int, typer.Option(min=4, help="Mask points across the buffered detector rectangle.")
    ] = 64,
    spacing: Annotated[
        float | None, typer.Option(help="Mask spacing in metres (overrides --nx).")
    ] = None,
    mask_type: Annotated[
        str, typer.Option(help="trapbuffer (within the buffer of a detector) or traprect.")
    ] = "trapbuffer",
    model: Annotated[
        list[str] | None,
        typer.Option(
            "--model",
            "-m",
            help="PARAMETER~FORMULA, repeatable: 'D~x', 'g0~b' (learned response), 'sigma~sex'.",
        ),
    ] = None,
    conditional: Annotated[
        bool,
        typer.Option(
            "--conditional",
            help="Conditional likelihood (D derived); needed for individual covariates.",
        ),
    ] = False,
    binom_n: Annotated[
        int, typer.Option(min=0, help="Count detectors: 0 Poisson, N binomial of size N.")
    ] = 0,
    occasions: Annotated[
        str | None,
        typer.Option(
            help="Occasions (nights) of the survey when the last ones caught nothing: 10 (every"
            " session), 9,10,10 (per session) or 2005=9,2006=10 (default: usage columns, else"
            " the last occasion with a detection)."
        ),
    ] = None,
    session_covs: Annotated[
        Path | None,
        typer.Option(
            "--session-covs",
            help="CSV of session covariates: a 'session' column and one number per session for"
            " each covariate (session,rain), for formulas such as -m D~rain.",
        ),
    ] = None,
    occasion_days: OccasionDaysOption = 1.0,
    crs: Annotated[
        str | None, typer.Option(help="With --camtrap-dp: projected CRS (default: the UTM zone).")
    ] = None,
    covnames: Annotated[
        str | None,
        typer.Option(
            help="Names of the capture file's covariate columns, comma-separated (e.g. sex)."
        ),
    ] = None,
    mask_covariates: Annotated[
        list[str] | None,
        typer.Option(
            help="Covariates for density models, repeatable: a CSV of x, y and covariates, or a"
            " GeoTIFF sampled at the mask points (named by its file stem, or NAME=FILE.tif);"
            " x and y (km from the mask's centre) are built in."
        ),
    ] = None,
    mask_file: Annotated[
        Path | None,
        typer.Option(
            "--mask",
            help="A mask file instead of one built around the detectors: secr's text format"
            " ('x y [covariates]' per line under a header) or a CSV (x, y, covariates).",
        ),
    ] = None,
    region: Annotated[
        Path | None,
        typer.Option(
            help="Habitat polygon that clips the mask: GeoJSON, ESRI shapefile (.shp) or a CSV"
            " of its x, y vertices (closed), in the detectors' coordinates."
        ),
    ] = None,
    ci: CiOption = "wald",
    bootstrap: Annotated[
        int, bootstrap_option("D, the effective sampling area and the animals in the mask")
    ] = 0,
    seed: Annotated[int, seed_option("Seed of the parametric bootstrap.")] = 0,
    fixed: Annotated[
        str | None,
        typer.Option(
            help="NAME=VALUE,... for every parameter: evaluate the log-likelihood there, no fit."
        ),
    ] = None,
    compare: Annotated[
        bool, typer.Option("--compare", help="Fit HN, EX, HHN and HEX and print the AIC table.")
    ] = False,
    plots: Annotated[Path | None, plots_option("Folder for PNG pictures of the fit.")] = None,
    as_json: ResultsJson = False,
) -> None:
    """Density of individually identified animals by spatial capture-recapture (SCR).

    Reads secr's text files (--traps and --captures) or a Camtrap DP package (--camtrap-dp
    and --species: stations are detectors, nights are occasions, effort comes from the
    deployment periods). Fits by maximum likelihood as the R package secr does, with the same
    numbers on secr's own examples. D is in animals per hectare (and per 100 km2).

    Examples:

        onca density --traps trap.txt --captures capt.txt --detector single --buffer 100

        onca density --camtrap-dp survey/ --species jaguar --detectfn HHN --json

        onca density --traps trap.txt --captures capt.txt --fixed D=5.48,g0=0.273,sigma=29.4

        onca density --traps nets.txt --captures years.txt --occasions 9,10,10 -m D~session
    """
    from onca.ecology.scr import (
        DETECTFNS,
        SCR,
        Sessions,
        auto_buffer,
        parse_occasions,
        read_camtrap_capthist,
        read_secr,
        read_session_covariates,
    )
    from onca.ecology.scr._habitat import habitat_mask
    from onca.errors import ParameterError

    def habitat(traps: Any) -> Any:
        """The mask around ``traps``: built or read, clipped, with its covariates."""
        return habitat_mask(
            traps,
            buffer=use_buffer,
            nx=nx,
            spacing=spacing,
            type=mask_type,
            mask_file=mask_file,
            region=region,
            covariates=mask_covariates or (),
        )

    with recording_warnings() as messages:
        check_ci(ci)
        source: dict[str, Any] = {}
        ch: Any  # a CaptureHistory, or Sessions from a capture file with several
        if camtrap_dp is not None:
            if traps or captures or occasions or session_covs:
                raise ParameterError(
                    "give either --camtrap-dp or --traps and --captures (and --occasions,"
                    " --session-covs), not both"
                )
            ch, survey = read_camtrap_capthist(
                camtrap_dp,
                camtrap_species(species),
                occasion_days=occasion_days,
                detector=detector or "proximity",
                crs=crs,
            )
            source = {
                "camtrap_dp": str(camtrap_dp),
                "species": survey.species,
                "crs": survey.crs,
                "occasion_days": occasion_days,
                "skipped": survey.skipped,
            }
        elif traps and captures:
            names = tuple(c.strip() for c in covnames.split(",")) if covnames else None
            ch = read_secr(
                traps if len(traps) > 1 else traps[0],
                captures,
                detector=detector or "multi",
                occasions=parse_occasions(occasions) if occasions else None,
                covnames=names,
            )
            source = {"traps": ", ".join(map(str, traps)), "captures": str(captures)}
            if session_covs is not None:
                if not isinstance(ch, Sessions):
                    raise ParameterError(
                        "--session-covs: the captures hold one session; session covariates"
                        " need several (the capture file's first column)"
                    )
                ch = read_session_covariates(session_covs, ch)
                source["session_covs"] = str(session_covs)
        else:
            raise ParameterError(
                "give --traps and --captures (secr text files), or --camtrap-dp and --species"
            )
        SCR.check_parameter("detectfn", detectfn, label="--detectfn")
        use_buffer = buffer if buffer is not None else auto_buffer(ch)
        if isinstance(ch, Sessions):  # one mask per session, around its detectors
            mask = {name: habitat(h.traps) for name, h in zip(ch.names, ch, strict=True)}
            if plots is not None:
                raise ParameterError("--plots: draws one session; give one session's captures")
        else:
            mask = habitat(ch.traps)
        settings: dict[str, Any] = {
            "buffer": use_buffer,
            "nx": nx,
            "spacing": spacing,
            "mask_type": mask_type,
            "model": _models(model),
            "conditional": conditional,
            "binom_n": binom_n,
        }
        if fixed is not None:
            values = _pairs(fixed, "--fixed")
            payload = {
                **source,
                "fixed": values,
                "loglik": SCR(detectfn=detectfn, **settings).loglik(ch, values, mask),
                "n_animals": ch.n,
                "n_detections": ch.detections,
                "mask_points": len(next(iter(mask.values())) if isinstance(mask, dict) else mask),
            }
        else:
            chosen_fn = detectfn.upper()
            fits = {
                fn: SCR(detectfn=fn, **settings).fit(ch, mask)
                for fn in (DETECTFNS if compare else (chosen_fn,))
            }
            chosen = fits[chosen_fn]
            payload = {**source, **chosen.to_dict(), "buffer_m": use_buffer}
            payload["expected_n_in_mask"] = chosen.expected_n().to_dict()
            payload.update(uncertainty(chosen, ci, bootstrap, seed, bar=not as_json))
            if compare:
                payload["comparison"] = _comparison(fits)
            if plots is not None:
                payload["plots"] = _write_plots(chosen, ch, plots)
    payload["warnings"] = messages
    print_result(payload, as_json, _print)


def _comparison(fits: dict[str, Any]) -> list[dict[str, Any]]:
    from onca.ecology.scr import compare_models

    return [{"detectfn": r.pop("model"), **r} for r in compare_models(fits)]


def _write_plots(model: Any, ch: Any, folder: Path) -> list[str]:
    from onca.ecology.scr._plots import density_surface_png, detection_function_png, detections_png

    pictures = {
        "detection_function.png": detection_function_png(model),
        "detections.png": detections_png(ch, model.mask_.xy),
    }
    if not model.conditional and model.prepared_.spec.d_terms:
        pictures["density_surface.png"] = density_surface_png(model)
    return write_pictures(folder, pictures)


def _print_sessions(p: dict[str, Any]) -> None:
    table = numbers_table(
        "by session", ("session", "animals", "detections", "occasions", "D /ha", "SE", "95% CI")
    )
    for r in p["sessions"]:
        d = r["estimates"]["D"]
        table.add_row(
            r["session"],
            str(r["n_animals"]),
            str(r["n_detections"]),
            str(r["n_occasions"]),
            *cells(d),
        )
    out.print(table)


def _print(p: dict[str, Any]) -> None:
    if "fixed" in p:
        values = ", ".join(f"{k} = {v:g}" for k, v in p["fixed"].items())
        out.print(
            f"log-likelihood at {values}: [bold]{p['loglik']:.5f}[/bold] ({p['n_animals']} animals, {p['mask_points']:,} mask points)"
        )
        return
    first = f" (session {p['sessions'][0]['session']})" if "sessions" in p else ""
    table = numbers_table(
        f"{p['detectfn']} detection function, {p['detector']} detectors, {p['likelihood']} likelihood{first}",
        ("parameter", "estimate", "SE", "95% CI"),
    )
    for name, e in p["estimates"].items():
        unit = " /ha" if name == "D" else (" m" if name == "sigma" else "")
        table.add_row(name + unit, *cells(e))
    d = p["estimates"]["D"]
    if d["estimate"] < 0.1:  # large animals: per 100 km2 reads better than per hectare
        table.add_row("D /100 km²", *cells(d, 4, 1e4))
    out.print(table)
    if "sessions" in p:
        _print_sessions(p)
    m = p["mask"]
    span = f"{len(p['sessions'])} sessions" if "sessions" in p else f"{p['n_occasions']} occasions"
    out.print(
        f"{p['n_animals']} animals, {p['n_detections']} detections, {span},"
        f" {p['n_detectors']} detectors; mask {m['points']:,} points at {m['spacing_m']:.4g} m"
        f" ({m['area_ha']:,.1f} ha, buffer {p['buffer_m']:g} m); log-likelihood {p['loglik']:.4f},"
        f" AIC {p['aic']:.2f}, AICc {p['aicc']:.2f}; {p['seconds']:.2f} s",
        highlight=False,
    )
    print_uncertainty(p)
    if "comparison" in p:
        table = numbers_table(
            "model comparison",
            ("detectfn", "K", "log-likelihood", "AICc", "ΔAICc", "weight", "D /ha"),
        )
        for r in p["comparison"]:
            table.add_row(
                r["detectfn"],
                str(r["n_parameters"]),
                f"{r['loglik']:.3f}",
                f"{r['aicc']:.2f}",
                f"{r['delta_aicc']:.2f}",
                f"{r['weight']:.3f}",
                f"{r['D']:.5g}",
            )
        out.print(table)
