"""``onca network motifs`` and ``onca network learn``: laundering shapes in time, and a learned
scorer measured against the screening rules."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from onca.cli._common import err, errors_as_exit, numbers_table, out, print_json, write_table
from onca.cli._network import app
from onca.cli._options import WorkspaceArg, json_option, out_option, seed_option, workspace_argument


def _instance_json(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    for key in ("start", "end"):
        row[key] = row[key].isoformat() + "Z"
    row["usd"] = round(row["usd"], 2)
    return row


@app.command()
def motifs(
    workspace: WorkspaceArg,
    delta_days: Annotated[
        float, typer.Option(min=0.01, help="The window a motif must fit in, in days.")
    ] = 14.0,
    min_fan: Annotated[
        int, typer.Option(min=2, help="Distinct payees (fan-out) or payers (fan-in) within it.")
    ] = 5,
    max_cycle_length: Annotated[
        int, typer.Option(min=2, max=8, help="Longest cycle searched (2 is a round trip).")
    ] = 5,
    min_width: Annotated[
        int,
        typer.Option(min=2, help="Intermediaries of a scatter-gather; sides of a gather-scatter."),
    ] = 3,
    pass_ratio: Annotated[
        bool,
        typer.Option(
            help="In cycles and scatter-gathers, require each payment that passes money on to"
            " carry 0.5 to 1.05 times the one before (--no-pass-ratio: shape only)."
        ),
    ] = True,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            "-k",
            help="Motifs to list (repeatable; default: all). Counting is always all.",
        ),
    ] = None,
    out_file: Annotated[
        Path | None,
        out_option("Write every instance (.csv or .parquet): kind, hub, times, ids."),
    ] = None,
    top: Annotated[int, typer.Option(min=0, help="Instances to list, largest first.")] = 10,
    as_json: Annotated[bool, json_option("the summary")] = False,
) -> None:
    """Temporal motifs: the laundering shapes of AMLSim, found in time order.

    fan_out, fan_in, cycle, scatter_gather, gather_scatter, bipartite and stack: payments that
    occur in a given order within --delta-days (Paranjape et al. 2017). Every search is bounded;
    a motif whose cap was reached is marked, and its count is then a lower bound. Busy shops
    and payrolls form fan-ins and fan-outs too: motifs are evidence to read, not alerts.

    Examples:

        onca network motifs work.duckdb

        onca network motifs work.duckdb -k cycle -k scatter_gather --out motifs.csv --json
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from onca.errors import ParameterError
    from onca.network import MOTIF_KINDS, MotifParams, instances_table, workspace_motifs
    from onca.workspace import open_workspace

    started = time.perf_counter()
    with errors_as_exit():
        kinds = list(kind or MOTIF_KINDS)
        unknown = [k for k in kinds if k not in MOTIF_KINDS]
        if unknown:
            raise ParameterError(
                f"--kind: unknown motif {unknown[0]!r}; expected one of {', '.join(MOTIF_KINDS)}"
            )
        params = MotifParams(
            delta_s=round(delta_days * 86_400),
            min_fan=min_fan,
            max_cycle_length=max_cycle_length,
            min_width=min_width,
            pass_ratio=(0.5, 1.05) if pass_ratio else None,
        )
        with open_workspace(workspace, create=False, read_only=True) as ws:
            if ws.count("transactions") == 0:
                raise ParameterError(f"the workspace {workspace} has no transactions")
            result, payments = workspace_motifs(ws, params=params)
        table = instances_table(result, payments)
        if out_file is not None:
            write_table(table, out_file)
    chosen = table.filter(pc.is_in(table.column("kind"), pa.array(kinds)))
    rows = sorted(chosen.to_pylist(), key=lambda r: (-r["usd"], r["kind"], r["instance"]))[:top]
    accounts = {k: int((result.account_counts[k] > 0).sum()) for k in MOTIF_KINDS}
    summary = {
        "workspace": str(workspace),
        "transactions": len(payments),
        "params": {
            "delta_days": delta_days,
            "min_fan": min_fan,
            "max_cycle_length": max_cycle_length,
            "min_width": min_width,
            "pass_ratio": list(params.pass_ratio) if params.pass_ratio else None,
        },
        "counts": result.counts(),
        "accounts": accounts,
        "truncated": sorted(result.truncated),
        "top": [_instance_json(r) for r in rows],
        "out": str(out_file) if out_file else None,
        "seconds": round(time.perf_counter() - started, 2),
    }
    if as_json:
        print_json(summary)
        return
    counts = numbers_table(
        f"motifs in {len(payments):,} transactions",
        ("motif", "instances", "accounts in one", "cap reached"),
    )
    for k in MOTIF_KINDS:
        capped = "yes: a lower bound" if k in result.truncated else ""
        counts.add_row(k, f"{result.counts()[k]:,}", f"{accounts[k]:,}", capped)
    out.print(counts)
    if rows:
        out.print(f"[bold]largest {len(rows)} instances[/bold] (US dollars of all their payments)")
    for r in rows:
        out.print(
            f"  {r['kind']:<14} hub {r['hub_account']}  {r['start']:%Y-%m-%d}..{r['end']:%Y-%m-%d}"
            f"  {r['txns']:>4} payments  {r['accounts']:>4} accounts  {r['usd']:>14,.2f}",
            highlight=False,
        )
    done = f"{summary['seconds']:.1f} s"
    err.print(f"every instance written to {out_file} ({done})" if out_file else done)


@app.command()
def learn(
    workspace: Annotated[Path, workspace_argument("Workspace file (DuckDB), already screened.")],
    truth: Annotated[
        Path,
        typer.Option(
            help="Folder of known labels: transactions.csv lists the txn_id of illicit"
            " transactions; roles.csv and identities.csv (optional, as `onca synth` writes them)"
            " add scores per party."
        ),
    ],
    out_file: Annotated[
        Path | None,
        out_option(
            "Write per transaction (.csv or .parquet): split, probability, flagged by the"
            " scorer, rules level, label."
        ),
    ] = None,
    window_days: Annotated[
        float, typer.Option(min=0.1, help="The recent window of the sender and receiver counts.")
    ] = 7.0,
    seed: Annotated[int, seed_option("LightGBM's seed: same seed, same model.")] = 0,
    top: Annotated[int, typer.Option(min=0, help="Features to list.")] = 10,
    as_json: Annotated[bool, json_option("the evaluation")] = False,
) -> None:
    """Train a transaction scorer on graph features and measure it against the rules.

    LightGBM on 54 features per payment (amounts, recent fan-in and fan-out, degrees,
    pass-through, temporal motifs; the graph-feature baseline of Altman et al., NeurIPS 2023).
    The split is by time: the earliest 60% of transactions train, the next 20% stop the
    boosting and set the threshold, the last 20% are the test. Rules only = the screening
    alerts in the workspace (run `onca screen` first). Reported: precision, recall and F1 of
    the illicit class on the test split, for both.

    Example: onca network learn work.duckdb --truth world/truth --out scores.parquet
    """
    import numpy as np
    import pyarrow as pa

    from onca.metrics import fmt
    from onca.network import TransactionScorer, evaluate_learning
    from onca.network._learn_report import RULE_LEVELS, transaction_labels
    from onca.workspace import open_workspace

    with errors_as_exit():
        with open_workspace(workspace, create=False, read_only=True) as ws:
            report = evaluate_learning(
                ws, truth, scorer=TransactionScorer(random_state=seed), window_days=window_days
            )
        if out_file is not None:
            flagged = report.probability >= report.threshold
            write_table(
                pa.table(
                    {
                        "txn_id": pa.array(report.txn_id.tolist(), pa.string()),
                        "split": pa.array(
                            [("train", "validation", "test")[i] for i in report.split]
                        ),
                        "probability": pa.array(np.round(report.probability, 6)),
                        "flagged": pa.array(flagged),
                        "rules_level": pa.array(
                            [RULE_LEVELS[i - 1] if i else None for i in report.rule_level],
                            pa.string(),
                        ),
                        "illicit": pa.array(transaction_labels(truth, report.txn_id)),
                    }
                ),
                out_file,
            )
    data = {"workspace": str(workspace), **report.to_dict()}
    data["importances"] = [{"feature": n, "gain_share": round(v, 4)} for n, v in report.importances]
    data["out"] = str(out_file) if out_file else None
    if as_json:
        print_json(data)
        return
    splits = numbers_table("temporal split", ("split", "transactions", "illicit"))
    for name, part in report.splits.items():
        splits.add_row(name, f"{part['transactions']:,}", f"{part['positives']:,}")
    out.print(splits)
    table = numbers_table(
        "test split: the illicit class", ("scorer", "flagged", "precision", "recall", "F1")
    )
    for name, s in (
        (f"rules only ({report.rules_level} level)", report.rules),
        ("learned", report.learned),
    ):
        table.add_row(name, f"{s.flagged:,}", fmt(s.precision), fmt(s.recall), fmt(s.f1))
    out.print(table)
    if report.parties is not None:
        p = report.parties
        out.print(
            f"per party ({p['parties']:,} in the test split): rules F1 {fmt(p['rules']['f1'])},"
            f" learned F1 {fmt(p['learned']['f1'])}",
            highlight=False,
        )
    features = ", ".join(f"{n} {v:.2f}" for n, v in report.importances[:top])
    out.print(f"features carrying the gain: {features}", highlight=False)
    out.print(
        f"learned minus rules F1: [bold]{fmt(report.f1_difference, '+.3f')}[/bold] "
        f"({report.seconds['total']:.1f} s)"
    )
