"""The options and output that every maximum-likelihood command shares for its uncertainty:
``--ci wald|profile`` and ``--bootstrap N`` with ``--seed``, and table cells that show a
missing SE or interval (a parameter at a boundary) as a dash with its note."""

from __future__ import annotations

import math
from typing import Annotated, Any

import typer

from onca.cli._common import numbers_table, out, progress_bar

CI_METHODS = ("wald", "profile")

CiOption = Annotated[
    str,
    typer.Option(
        "--ci",
        help="Intervals: wald (from the inverse Hessian, as secr and unmarked) or profile"
        " (profile likelihood for every coefficient; open where a parameter is at a boundary).",
    ),
]


def bootstrap_option(what: str) -> Any:
    """``--bootstrap N``: a parametric bootstrap of ``what`` (0: none)."""
    return typer.Option(
        "--bootstrap",
        min=0,
        help=f"Parametric bootstrap of {what}: this many data sets simulated from the fit and"
        " refitted (0: none); with --seed.",
    )


def check_ci(ci: str) -> None:
    from onca.errors import ParameterError

    if ci not in CI_METHODS:
        raise ParameterError(f"--ci: expected one of {', '.join(CI_METHODS)}, got {ci!r}")


def uncertainty(model: Any, ci: str, replicates: int, seed: int, *, bar: bool) -> dict[str, Any]:
    """``profile`` (profile-likelihood intervals of the coefficients and constant estimates)
    when ``ci`` asks, and ``bootstrap`` (derived quantities) when ``replicates`` > 0, with a
    progress bar on stderr when ``bar``."""
    result: dict[str, Any] = {}
    if ci == "profile":
        intervals = model.profile_intervals()
        result["profile"] = {
            part: {name: i.to_dict() for name, i in items.items()}
            for part, items in intervals.items()
        }
    if replicates:
        with progress_bar(enabled=bar) as update:
            boot = model.bootstrap(
                replicates,
                seed,
                progress=lambda done, total: update("parametric bootstrap", done, total),
            )
        result["bootstrap"] = boot.to_dict()
    return result


def cells(e: dict[str, Any], digits: int = 5, scale: float = 1.0) -> tuple[str, str, str]:
    """(estimate, SE, interval) cells of an estimate's dict; a missing value is a dash."""

    def number(value: float | None, places: int) -> str:
        return "—" if value is None or math.isnan(value) else f"{value * scale:.{places}g}"

    interval = (
        "—"
        if e.get("lcl") is None or e.get("ucl") is None
        else f"{number(e['lcl'], digits)} - {number(e['ucl'], digits)}"
    )
    return number(e["estimate"], digits), number(e.get("se"), digits - 1), interval


def print_uncertainty(p: dict[str, Any]) -> None:
    """The profile and bootstrap tables, if any (a missing SE's reason is in the warnings)."""
    profile = p.get("profile")
    if profile:
        table = numbers_table(
            "profile-likelihood 95% intervals", ("parameter", "estimate", "95% CI")
        )
        for part in ("estimates", "coefficients"):
            for name, i in profile[part].items():
                low = "open" if i["lower_open"] else f"{i['lcl']:.5g}"
                high = "open" if i["upper_open"] else f"{i['ucl']:.5g}"
                if part == "estimates":  # open at the parameter's limit: 0, 1 or infinity
                    low = f"{i['lcl'] or 0:.5g} (open)" if i["lower_open"] else low
                    high = (
                        ("∞" if i["ucl"] is None else f"{i['ucl']:.5g}") + " (open)"
                        if i["upper_open"]
                        else high
                    )
                label = name if part == "estimates" else f"{name} (link)"
                table.add_row(label, f"{i['estimate']:.5g}", f"{low} - {high}")
        out.print(table)
    boot = p.get("bootstrap")
    if boot:
        table = numbers_table(
            f"parametric bootstrap, {boot['replicates']} replicates (seed {boot['seed']},"
            f" {boot['failed']} failed)",
            ("quantity", "estimate", "SE", "95% CI"),
        )
        for name, e in boot["estimates"].items():
            table.add_row(name, *cells(e))
        out.print(table)
