"""What the demo is about: the Operation Jaguar storyline, its species and its summary lines.

This is the one place that knows the demo's scenario: which species the camera traps record,
how the report is titled, and how the run is told to the person who started it.
"""

from __future__ import annotations

from typing import Any

TITLE = "Onca demo: the Operation Jaguar scenario"
DEMO_TRANSACTIONS = 100_000
"""Transactions in the demo's scenario unless asked otherwise (``onca demo --transactions``)."""

MARKED_SPECIES = "Panthera onca"
"""Identified by their rosettes on camera: density by spatial capture-recapture."""

UNMARKED_SPECIES = ("Leopardus pardalis", "Tayassu pecari", "Tapirus terrestris")
"""Recorded by the same cameras without individual marks: occupancy (ocelot first: its
distribution is modelled too)."""


def story(summary: dict[str, Any]) -> list[str]:
    """The numbered lines that tell a person what the demo did, from the facts
    :func:`onca.demo.run` gathered (``DemoResult.facts``)."""
    from onca.finance import alerts_phrase
    from onca.metrics import fmt, percent

    data_dir = summary["scenario"]
    lines = [
        f"1. generated the Operation Jaguar scenario in {data_dir} (seed {summary['seed']})",
        f"2. ingested it into the workspace {summary['workspace']}:",
    ]
    for kind, counts in summary["tables"].items():
        lines.append(
            f"     {kind:<13} {counts['loaded']:>10,} loaded  {counts['quarantined']:>6,} quarantined"
        )
    top1, top5 = summary["budgets"][0], summary["budgets"][1]
    lines.append(
        f"3. screened it: {alerts_phrase(summary['alerts'], summary['by_typology'])}."
        f" Against the scenario's truth: {top1['bad']} of the {top1['slots']} riskiest"
        f" parties (top 1%) are network members; the top 5% holds {percent(top5['recall'])} of"
        f" all network parties (a perfect ranking: {percent(top5['best_recall'])})"
    )
    lines.append(
        f"4. resolved {summary['records']:,} party records into {summary['entities']:,} parties:"
        f" {summary['duplicate_entities']:,} appear under several records (banks, customs,"
        f" police). Against the truth: precision {fmt(summary['resolve_precision'])}, recall"
        f" {fmt(summary['resolve_recall'])}"
    )
    seizure = summary["network_seizure"]
    lines.append(
        f"5. analysed the network: {summary['network_communities']:,} communities; "
        + (f"traced the money behind seizure {seizure}; " if seizure else "")
        + f"a scorer learned on graph features reaches F1 {fmt(summary['learned_f1'])} on the"
        f" last 20% of the transactions, the screening rules {fmt(summary['rules_f1'])}"
    )
    lo, hi = summary["jaguar_density_ci"]
    lines.append(
        f"6. estimated jaguar density from {summary['jaguars_identified']} identified jaguars on"
        f" camera traps (Camtrap DP in {summary['camtrap']}):"
        f" {summary['jaguar_density_per_100km2']:.2f} per 100 km² (95% CI {lo:.2f} to {hi:.2f});"
        f" the truth is {summary['jaguar_density_truth']:g}"
    )
    lines.append(
        f"7. ocelots occupy {summary['ocelot_occupancy']:.2f} of the stations (truth"
        f" {summary['ocelot_occupancy_truth']:.2f}); over five seasons of forest loss their"
        f" occupancy fell from {summary['ocelot_trend'][0]:.2f} to {summary['ocelot_trend'][-1]:.2f}"
        f" (truth {summary['ocelot_trend_truth'][0]:.2f} to {summary['ocelot_trend_truth'][-1]:.2f});"
        " their MaxEnt distribution has a spatial CV"
        f" AUC of {summary['distribution_cv_auc']:.3f} and correlates"
        f" {summary['distribution_spearman_truth']:.2f} with the true suitability"
    )
    lines.append(
        f"8. checked legal trade: {summary['trade_found']} of the {summary['trade_planted']}"
        f" laundering patterns planted in the CITES records (in {summary['cites']}) are found;"
        f" {summary['permit_findings']} permit findings in the workspace"
    )
    lines.append(f"9. wrote the report: {summary['report']}")
    return lines
