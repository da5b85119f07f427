"""``onca synth`` and ``onca demo``."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from onca.cli._common import err, errors_as_exit, out, print_json, progress_bar

DEMO_TRANSACTIONS = 100_000


def synth(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the scenario into.")],
    transactions: Annotated[
        int, typer.Option(min=1000, help="Number of transactions to generate.")
    ] = DEMO_TRANSACTIONS,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same files.")] = 7,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    chunk_size: Annotated[
        int, typer.Option(min=1, help="Transactions generated per chunk (memory use).")
    ] = 500_000,
    camera_traps: Annotated[
        bool,
        typer.Option(
            help="Also write a simulated jaguar camera-trap survey (Camtrap DP, OUT/camtrap/)"
            " with its true density in OUT/truth/camtrap_truth.json."
        ),
    ] = False,
    cites: Annotated[
        bool,
        typer.Option(
            help="Also write CITES trade records with planted laundering (OUT/cites/: shipment"
            " records, breeding facilities, productivity) with the truth in"
            " OUT/truth/cites_truth.json."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a summary as JSON.")] = False,
) -> None:
    """Write the Operation Jaguar world: a synthetic population with trafficking networks.

    Files follow the data contract (parties, accounts, transactions, shipments, permits,
    seizures); the ground truth (who is whom, which transactions are illicit and why) goes to
    OUT/truth/. Seeded and deterministic; streams in chunks, so memory does not grow with
    --transactions.

    Example: onca synth --out world/ --transactions 1000000 --seed 42
    """
    from onca.synth import generate_scenario

    started = time.perf_counter()
    with errors_as_exit(), progress_bar(enabled=not as_json and err.is_terminal) as bar:
        summary = generate_scenario(
            out_dir,
            transactions=transactions,
            seed=seed,
            chunk_size=chunk_size,
            fmt=fmt,
            progress=lambda done, total: bar("generating transactions", done, total),
        )
    if camera_traps:
        from onca.synth._camtrap import write_camtrap_survey

        with errors_as_exit():
            write_camtrap_survey(out_dir, seed=seed)
    if cites:
        from onca.synth._cites import write_cites_records

        with errors_as_exit():
            write_cites_records(out_dir, seed=seed)
    seconds = time.perf_counter() - started
    payload = {
        "out_dir": str(summary.out_dir),
        "truth_dir": str(summary.truth_dir),
        "seed": summary.seed,
        "networks": summary.networks,
        "counts": summary.counts,
        "seconds": round(seconds, 2),
    }
    if as_json:
        print_json(payload)
        return
    for table, n in summary.counts.items():
        out.print(f"  {table:<13} {n:>12,}")
    out.print(
        f"wrote the Operation Jaguar scenario ({summary.networks} trafficking networks) to"
        f" {summary.out_dir} in {seconds:.1f} s; ground truth in {summary.truth_dir}"
    )


def demo(
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder for data, workspace and report.")
    ] = Path("onca-demo"),
    transactions: Annotated[
        int, typer.Option(min=1000, help="Size of the generated scenario.")
    ] = DEMO_TRANSACTIONS,
    seed: Annotated[int, typer.Option(help="Random seed of the scenario.")] = 7,
    as_json: Annotated[bool, typer.Option("--json", help="Print a summary as JSON.")] = False,
) -> None:
    """Generate a scenario, ingest, screen, resolve and analyse its network, estimate jaguar
    density, occupancy and a distribution from simulated surveys, check CITES trade records
    and permits; write OUT/report.html.

    The network part traces the money behind a seizure, finds communities, key players and
    risk, counts temporal motifs, and trains a scorer on graph features against the rules.

    The quickest way to see Onca work end to end. Safe to run again: ingest skips rows that are
    already loaded.
    """
    from onca.contract import load_contract
    from onca.ecology.occupancy._report import distribution_section, occupancy_section
    from onca.ecology.scr._report import density_section
    from onca.finance import evaluate, load_library, screen
    from onca.finance._report import quality_section, screening_section
    from onca.ingest import ingest_files
    from onca.network import analyze_workspace, evaluate_learning, open_flows, transaction_features
    from onca.network._learn_section import learning_section
    from onca.network._report import (
        choose_seizure,
        organiser_section,
        risk_section,
        seizure_section,
    )
    from onca.report import write_report
    from onca.resolve import resolve_workspace
    from onca.resolve._report import pairwise_accuracy, resolve_section
    from onca.synth import generate_scenario
    from onca.synth._camtrap import write_camtrap_survey
    from onca.synth._cites import write_cites_records
    from onca.synth._distribution import write_distribution_data
    from onca.trade._permits import check_permits
    from onca.trade._report import trade_section
    from onca.workspace import open_workspace

    started = time.perf_counter()
    data_dir = out_dir / "data"
    workspace = out_dir / "onca.duckdb"
    loaded: dict[str, dict[str, int]] = {}
    show = not as_json and err.is_terminal
    with errors_as_exit():
        with progress_bar(enabled=show) as bar:
            summary = generate_scenario(
                data_dir,
                transactions=transactions,
                seed=seed,
                progress=lambda done, total: bar("generating scenario", done, total),
            )
        with progress_bar(enabled=show, bytes_mode=True) as bar:
            for kind in load_contract().load_order():
                files = sorted(data_dir.glob(f"{kind}.*"))
                if not files:
                    continue
                result = ingest_files(workspace, kind, files, progress=bar)
                loaded[kind] = {"loaded": result.loaded, "quarantined": result.quarantined}
        with progress_bar(enabled=show) as bar, open_workspace(workspace) as ws:
            screened = screen(ws, load_library(), progress=bar)
            quality = evaluate(ws, summary.truth_dir)
            resolved = resolve_workspace(ws, progress=lambda step: bar(step, 0, 0))
            accuracy = pairwise_accuracy(ws, summary.truth_dir)
            sections = [
                screening_section(ws),
                quality_section(quality),
                resolve_section(ws, summary.truth_dir),
            ]
            bar("analysing the network", 0, 0)
            analysis = analyze_workspace(ws)
            with open_flows(ws, "memory") as flows:
                seizure = choose_seizure(ws, flows)
                if seizure is not None:
                    sections.append(
                        seizure_section(ws, flows, seizure, truth_dir=summary.truth_dir)
                    )
                sections.append(organiser_section(ws, flows, summary.truth_dir))
            sections.append(risk_section(ws, analysis, summary.truth_dir))
            bar("learning from the graph", 0, 0)
            frame = transaction_features(ws)
            learned = evaluate_learning(ws, summary.truth_dir, frame=frame)
            sections.append(
                learning_section(ws, learned, frame.motifs, truth_dir=summary.truth_dir)
            )
            bar("estimating jaguar density", 0, 0)
            camtrap = write_camtrap_survey(data_dir, seed=seed)
            density, dens = density_section(data_dir / "camtrap", truth=asdict(camtrap))
            sections.append(density)
            bar("occupancy and distribution", 0, 0)
            truth_all = json.loads((summary.truth_dir / "camtrap_truth.json").read_text())
            occupancy, occ = occupancy_section(data_dir / "camtrap", truth_all["occupancy"])
            sections.append(occupancy)
            dist_truth = write_distribution_data(data_dir, seed=seed)
            dist, dist_summary = distribution_section(data_dir / "distribution", dist_truth)
            sections.append(dist)
            bar("legal trade: CITES records and permits", 0, 0)
            cites_truth = write_cites_records(data_dir, seed=seed)
            permits = check_permits(ws)
            trade, trade_summary = trade_section(data_dir / "cites", cites_truth, permits)
            sections.append(trade)
        if not as_json:
            err.print("writing report...")
        report = write_report(
            workspace,
            out_dir,
            title="Onca demo: the Operation Jaguar scenario",
            extra_sections=sections,
        )
    seconds = time.perf_counter() - started
    if as_json:
        print_json(
            {
                "workspace": str(workspace),
                "report": str(report),
                "scenario": str(summary.out_dir),
                "tables": loaded,
                "alerts": len(screened.alerts),
                "by_typology": screened.by_typology,
                "recall_top_1pct": quality.budgets[0].recall,
                "entities": resolved.entities,
                "duplicate_entities": resolved.duplicate_entities,
                "resolve_f1": accuracy["f1"],
                "network_seizure": seizure,
                "network_communities": analysis.communities.count,
                "learned_f1": round(learned.learned.f1, 4),
                "rules_f1": round(learned.rules.f1, 4),
                "jaguar_density_per_100km2": round(dens["D_per_100km2"], 3),
                "jaguar_density_ci": [
                    round(dens["lcl_per_100km2"], 3),
                    round(dens["ucl_per_100km2"], 3),
                ],
                "jaguar_density_truth": dens["true_per_100km2"],
                "ocelot_occupancy": round(occ["Leopardus pardalis"]["mean_psi"], 3),
                "ocelot_occupancy_truth": round(occ["Leopardus pardalis"]["true"]["mean_psi"], 3),
                "distribution_cv_auc": round(dist_summary["cv_auc"], 3),
                "distribution_spearman_truth": round(dist_summary["spearman_truth"], 3),
                "trade_planted": trade_summary["planted"],
                "trade_found": trade_summary["found"],
                "permit_findings": trade_summary["permit_findings"],
                "seconds": round(seconds, 2),
            }
        )
        return
    out.print(f"1. generated the Operation Jaguar scenario in {data_dir} (seed {seed})")
    out.print(f"2. ingested it into the workspace {workspace}:")
    for kind, counts in loaded.items():
        out.print(
            f"     {kind:<13} {counts['loaded']:>10,} loaded  {counts['quarantined']:>6,} quarantined"
        )
    top1, top5 = quality.budgets[0], quality.budgets[1]
    out.print(
        f"3. screened it: {len(screened.alerts):,} alerts from {len(screened.by_typology)}"
        f" typologies. Against the scenario's truth: {top1.bad} of the {top1.slots} riskiest"
        f" parties (top 1%) are network members; the top 5% holds {top5.recall:.0%} of all"
        f" network parties (a perfect ranking: {top5.best_recall:.0%})"
    )
    out.print(
        f"4. resolved {resolved.records:,} party records into {resolved.entities:,} parties:"
        f" {resolved.duplicate_entities:,} appear under several records (banks, customs,"
        f" police). Against the truth: precision {accuracy['precision']:.3f}, recall"
        f" {accuracy['recall']:.3f}"
    )
    out.print(
        f"5. analysed the network: {analysis.communities.count:,} communities; "
        + (f"traced the money behind seizure {seizure}; " if seizure else "")
        + f"a scorer learned on graph features reaches F1 {learned.learned.f1:.3f} on the last"
        f" 20% of the transactions, the screening rules {learned.rules.f1:.3f}"
    )
    out.print(
        f"6. estimated jaguar density from {dens['animals']} identified jaguars on camera traps"
        f" (Camtrap DP in {data_dir / 'camtrap'}): {dens['D_per_100km2']:.2f} per 100 km² (95% CI"
        f" {dens['lcl_per_100km2']:.2f} to {dens['ucl_per_100km2']:.2f}); the truth is"
        f" {dens['true_per_100km2']:g}"
    )
    ocelot = occ["Leopardus pardalis"]
    out.print(
        f"7. ocelots occupy {ocelot['mean_psi']:.2f} of the stations (truth {ocelot['true']['mean_psi']:.2f});"
        f" their MaxEnt distribution has a spatial CV AUC of {dist_summary['cv_auc']:.3f} and"
        f" correlates {dist_summary['spearman_truth']:.2f} with the true suitability"
    )
    out.print(
        f"8. checked legal trade: {trade_summary['found']} of the {trade_summary['planted']} laundering"
        f" patterns planted in the CITES records (in {data_dir / 'cites'}) are found;"
        f" {trade_summary['permit_findings']} permit findings in the workspace"
    )
    out.print(f"9. wrote the report: {report}")
    out.print(f"done in {seconds:.1f} s. Open the report in a browser: file://{report.resolve()}")
