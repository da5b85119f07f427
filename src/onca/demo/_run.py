"""The demo pipeline: generate the scenario, ingest it, run every analysis, write the report."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onca.demo._sections import Step, analysis_sections, survey_sections
from onca.demo._story import DEMO_TRANSACTIONS, TITLE, story

if TYPE_CHECKING:  # the CLI imports this package for its defaults: keep that import light
    from onca.report import Section
    from onca.workspace import Workspace

Bars = Callable[[bool], AbstractContextManager[Step]]
"""Opens a progress display: ``bars(bytes_mode)`` gives a context whose value is called as
``step(description, done, total)`` (``total`` 0 for a step of unknown length)."""

SUMMARY_KEYS = (
    "workspace",
    "report",
    "scenario",
    "tables",
    "alerts",
    "by_typology",
    "recall_top_1pct",
    "entities",
    "duplicate_entities",
    "resolve_f1",
    "network_seizure",
    "network_communities",
    "learned_f1",
    "rules_f1",
    "jaguar_density_per_100km2",
    "jaguar_density_ci",
    "jaguar_density_truth",
    "ocelot_occupancy",
    "ocelot_occupancy_truth",
    "ocelot_trend",
    "ocelot_trend_truth",
    "distribution_cv_auc",
    "distribution_spearman_truth",
    "trade_planted",
    "trade_found",
    "permit_findings",
)
"""The keys of :meth:`DemoResult.to_dict` (``onca demo --json`` adds ``seconds``)."""


@contextmanager
def _no_bars(bytes_mode: bool) -> Iterator[Step]:
    yield lambda description, done, total: None


@dataclass
class DemoResult:
    """What a demo run made: ``report`` (the HTML file), ``workspace``, ``scenario`` (the
    generated data), ``facts`` (every number the run reports, for :func:`story`) and
    ``seconds``."""

    report: Path
    workspace: Path
    scenario: Path
    facts: dict[str, Any] = field(repr=False)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The run in numbers, as ``onca demo --json`` prints it (keys: :data:`SUMMARY_KEYS`)."""
        return {key: self.facts[key] for key in SUMMARY_KEYS}

    def story(self) -> list[str]:
        """The numbered lines that tell a person what was done."""
        return story(self.facts)


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _ingest(workspace: Path, data_dir: Path, step: Step) -> dict[str, dict[str, int]]:
    from onca.ingest import ingest_folder

    result = ingest_folder(workspace, data_dir, progress=step)
    return {r.kind: {"loaded": r.loaded, "quarantined": r.quarantined} for r in result.results}


def _network_sections(
    ws: Workspace, truth_dir: Path, step: Step
) -> tuple[list[Section], dict[str, Any]]:
    """Trace the money behind a seizure, check the organisers are reached, propagate risk and
    learn a scorer on graph features; the sections and the facts for the story."""
    from onca.network import analyze_workspace, evaluate_learning, open_flows, transaction_features
    from onca.network._learn_section import learning_section
    from onca.network._report import (
        choose_seizure,
        organiser_section,
        risk_section,
        seizure_section,
    )

    step("analysing the network", 0, 0)
    sections = []
    analysis = analyze_workspace(ws)
    with open_flows(ws, "memory") as flows:
        seizure = choose_seizure(ws, flows)
        if seizure is not None:
            sections.append(
                seizure_section(ws, flows=flows, seizure_id=seizure, truth_dir=truth_dir)
            )
        sections.append(organiser_section(ws, flows=flows, truth_dir=truth_dir))
    sections.append(risk_section(ws, analysis=analysis, truth_dir=truth_dir))
    step("learning from the graph", 0, 0)
    frame = transaction_features(ws)
    learned = evaluate_learning(ws, truth_dir, frame=frame)
    sections.append(learning_section(ws, report=learned, motifs=frame.motifs, truth_dir=truth_dir))
    facts = {
        "network_seizure": seizure,
        "network_communities": analysis.communities.count,
        "learned_f1": _round(learned.learned.f1, 4),
        "rules_f1": _round(learned.rules.f1, 4),
    }
    return sections, facts


def _by_anchor(sections: list[Section]) -> dict[str, dict[str, Any]]:
    return {s.anchor: s.data for s in sections}


def run(
    out_dir: Path | str = "onca-demo",
    *,
    transactions: int = DEMO_TRANSACTIONS,
    seed: int = 7,
    bars: Bars = _no_bars,
) -> DemoResult:
    """Generate the Operation Jaguar scenario in ``out_dir/data`` (with its camera-trap survey,
    distribution layers and CITES records), ingest it into ``out_dir/onca.duckdb``, screen,
    resolve, analyse the network, learn a scorer, estimate density, occupancy and distribution,
    check legal trade and permits, and write ``out_dir/report.html``. Safe to run again:
    ingest skips rows already loaded."""
    from onca.finance import load_library, screen
    from onca.report import write_report
    from onca.resolve import resolve_workspace
    from onca.synth import generate_scenario
    from onca.synth._camtrap import write_camtrap_survey
    from onca.synth._cites import write_cites_records
    from onca.synth._distribution import write_distribution_data
    from onca.synth._seasons import write_seasons_survey
    from onca.trade._permits import check_permits
    from onca.workspace import open_workspace

    started = time.perf_counter()
    out = Path(out_dir)
    data_dir, workspace = out / "data", out / "onca.duckdb"
    with bars(False) as step:
        summary = generate_scenario(
            data_dir,
            transactions=transactions,
            seed=seed,
            progress=lambda done, total: step("generating scenario", done, total),
        )
    with bars(True) as step:
        loaded = _ingest(workspace, data_dir, step)
    with bars(False) as step, open_workspace(workspace) as ws:
        screened = screen(ws, load_library(), progress=step)
        resolved = resolve_workspace(ws, progress=lambda name: step(name, 0, 0))
        sections = analysis_sections(ws, truth_dir=summary.truth_dir)
        network, network_facts = _network_sections(ws, summary.truth_dir, step)
        sections += network
        write_camtrap_survey(data_dir, seed=seed)
        write_seasons_survey(data_dir, seed=seed)
        write_distribution_data(data_dir, seed=seed)
        write_cites_records(data_dir, seed=seed)
        permits = check_permits(ws)
        sections += survey_sections(ws, scenario=data_dir, permits=permits, progress=step)
        step("writing the report", 0, 0)
        report = write_report(ws, out, title=TITLE, extra_sections=sections)
    data = _by_anchor(sections)
    quality, accuracy = data["screening-quality"], data["resolve"]
    density, occupancy = data["density"], data["occupancy"]
    distribution, trade = data["distribution"], data["trade"]
    ocelot = occupancy["Leopardus pardalis"]
    trend = data["occupancy-trend"]["seasons"]
    facts: dict[str, Any] = {
        "workspace": str(workspace),
        "report": str(report),
        "scenario": str(summary.out_dir),
        "seed": seed,
        "tables": loaded,
        "alerts": len(screened.alerts),
        "by_typology": screened.by_typology,
        "budgets": quality["budgets"],
        "recall_top_1pct": quality["budgets"][0]["recall"],
        "records": resolved.records,
        "entities": resolved.entities,
        "duplicate_entities": resolved.duplicate_entities,
        "resolve_precision": accuracy["precision"],
        "resolve_recall": accuracy["recall"],
        "resolve_f1": accuracy["f1"],
        **network_facts,
        "camtrap": str(data_dir / "camtrap"),
        "jaguars_identified": density["animals"],
        "jaguar_density_per_100km2": round(density["D_per_100km2"], 3),
        "jaguar_density_ci": [
            round(density["lcl_per_100km2"], 3),
            round(density["ucl_per_100km2"], 3),
        ],
        "jaguar_density_truth": density["true_per_100km2"],
        "ocelot_occupancy": round(ocelot["mean_psi"], 3),
        "ocelot_occupancy_truth": round(ocelot["true"]["mean_psi"], 3),
        "ocelot_trend": [round(s["estimate"], 3) for s in trend],
        "ocelot_trend_truth": [s["truth"] for s in trend],
        "distribution_cv_auc": round(distribution["cv_auc"], 3),
        "distribution_spearman_truth": round(distribution["spearman_truth"], 3),
        "cites": str(data_dir / "cites"),
        "trade_planted": trade["planted"],
        "trade_found": trade["found"],
        "permit_findings": trade["permit_findings"],
    }
    return DemoResult(report, workspace, summary.out_dir, facts, time.perf_counter() - started)
