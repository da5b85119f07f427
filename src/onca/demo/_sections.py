"""The report sections a workspace and, optionally, the scenario it was loaded from support.

:func:`analysis_sections` reads the workspace: screening and entity resolution when they have
run, against the scenario's truth when given. :func:`survey_sections` reads the scenario's
folder (``onca synth``'s ``OUT``, the demo's ``data/``): the camera-trap survey, the
distribution layers and the CITES records, when the folder holds them. Neither writes to the
workspace, so ``onca report`` can re-render a workspace that ``onca demo`` left behind.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onca.demo._story import MARKED_SPECIES, UNMARKED_SPECIES

if TYPE_CHECKING:  # the CLI imports this package for its defaults: keep that import light
    from onca.report import Section
    from onca.workspace import Workspace

Step = Callable[[str, int, int], None]


def _quiet(description: str, done: int, total: int) -> None:
    """A progress callback that shows nothing."""


def analysis_sections(ws: Workspace, *, truth_dir: Path | None = None) -> list[Section]:
    """Screening (when the workspace was screened; with ``truth_dir``, also its quality against
    the truth) and entity resolution (when resolved; with ``truth_dir``, its accuracy)."""
    from onca.finance._report import quality_section, screening_section
    from onca.resolve._report import resolve_section
    from onca.synth import Truth
    from onca.synth._truth import COLUMNS

    truth = None if truth_dir is None else Truth.load(truth_dir)
    # a scenario without its transaction truth (a survey-only one) has nothing to score against
    screened_truth = truth is not None and all(
        truth.has(name) for name in COLUMNS if name != "roles.csv"
    )
    sections = []
    if ws.db.scalar("SELECT count(*) FROM screen_runs"):
        sections.append(screening_section(ws))
        if screened_truth and truth_dir is not None:
            sections.append(quality_section(ws, truth_dir=truth_dir))
    if ws.db.scalar("SELECT count(*) FROM resolve_runs"):
        known = truth is not None and truth.has("identities.csv")
        sections.append(resolve_section(ws, truth_dir=truth_dir if known else None))
    return sections


def survey_sections(
    ws: Workspace | None,
    *,
    scenario: Path,
    permits: dict[str, Any] | None = None,
    progress: Step = _quiet,
) -> list[Section]:
    """Density, occupancy (and its trend over the seasons), distribution and legal trade, for
    each of ``scenario``'s ``camtrap``, ``seasons``, ``distribution`` and ``cites`` folders
    that is there with its truth, each against it."""
    from onca.ecology.occupancy._report import distribution_section, occupancy_section
    from onca.ecology.scr._report import density_section
    from onca.synth import Truth
    from onca.synth._distribution import true_suitability
    from onca.trade._report import trade_section

    truth = Truth.load(scenario / "truth")
    sections = []
    camtrap = scenario / "camtrap"
    if camtrap.is_dir() and truth.has("camtrap_truth.json"):
        progress("estimating jaguar density", 0, 0)
        survey = truth.camtrap
        sections.append(density_section(ws, package=camtrap, species=MARKED_SPECIES, truth=survey))
        progress("occupancy and distribution", 0, 0)
        sections.append(
            occupancy_section(
                ws, package=camtrap, unmarked=UNMARKED_SPECIES, truth=survey["occupancy"]
            )
        )
    if (scenario / "seasons").is_dir() and truth.has("seasons_truth.json"):
        from onca.ecology.occupancy._trend import trend_section

        progress("occupancy over the seasons", 0, 0)
        seasons_truth = json.loads((scenario / "truth" / "seasons_truth.json").read_text())
        sections.append(trend_section(ws, folder=scenario / "seasons", truth=seasons_truth))
    if (scenario / "distribution").is_dir() and truth.has("distribution_truth.json"):
        sections.append(
            distribution_section(
                ws,
                folder=scenario / "distribution",
                true_suitability=true_suitability,
                truth=truth.distribution,
            )
        )
    if (scenario / "cites").is_dir() and truth.has("cites_truth.json"):
        progress("legal trade: CITES records and permits", 0, 0)
        sections.append(
            trade_section(ws, folder=scenario / "cites", truth=truth.cites, permits=permits)
        )
    return sections


def report_sections(ws: Workspace, *, scenario: Path | None = None) -> list[Section]:
    """The sections ``onca report`` adds to the standard ones: :func:`analysis_sections`, and
    with ``scenario`` (a folder ``onca synth`` wrote) the comparisons with its truth and
    :func:`survey_sections`. Reads only."""
    if scenario is None:
        return analysis_sections(ws)
    truth_dir = scenario / "truth"
    return [
        *analysis_sections(ws, truth_dir=truth_dir),
        *survey_sections(ws, scenario=scenario),
    ]
