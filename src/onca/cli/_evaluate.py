"""``onca evaluate``: measure results against labels the user brings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from onca.cli._common import errors_as_exit, numbers_table, out, print_json, print_warnings
from onca.cli._options import json_option, seed_option, workspace_argument

app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode="markdown",
    help="""Measure Onca's results against labels you bring (confirmed cases, a simulator's truth).

**onca evaluate screening WORKSPACE --labels FILE** measures the alerts and the account scores
of the last 'onca screen' run, beside the trivial baselines of the same run.
""",
)


def _row(name: str, r: dict[str, Any], ks: list[int]) -> list[str]:
    return [
        name,
        _fmt(r["roc_auc"]),
        _fmt(r["average_precision"]),
        *(_fmt(r["top_k"][str(k)]["recall"]) for k in ks),
    ]


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.3f}"


def _print(part: dict[str, Any], title: str, ks: list[int]) -> None:
    alerts = part["alerts"]
    out.print(
        f"[bold]{title}[/]: {part['rows']:,} rows, {part['positives']:,} labelled 1. Alerts:"
        f" {alerts['flagged']:,} flagged, precision {_fmt(alerts['precision'])}, recall"
        f" {_fmt(alerts['recall'])}, F1 {_fmt(alerts['f1'])}",
        highlight=False,
    )
    table = numbers_table(
        None, ("ranking", "ROC AUC", "avg precision", *(f"recall@{k}" for k in ks))
    )
    table.add_row(*_row("account score", part["score"], ks))
    for base in part["baselines"]:
        table.add_row(*_row(f"baseline: {base['name']}", base, ks))
    out.print(table)


@app.command()
def screening(
    workspace: Annotated[Path, workspace_argument("Workspace screened with 'onca screen'.")],
    labels: Annotated[
        Path,
        typer.Option(
            help="CSV with a header: the id column for --level, then label (1 = illicit)."
        ),
    ],
    level: Annotated[
        str, typer.Option(help="What the labels are about: account, party or transaction.")
    ] = "account",
    top: Annotated[
        list[int] | None, typer.Option(help="k for precision and recall in the top k (repeat).")
    ] = None,
    seed: Annotated[int, seed_option("Seed of the random baseline.")] = 0,
    as_json: Annotated[bool, json_option("the measures")] = False,
) -> None:
    """Precision, recall and F1 of the alerts; ROC AUC, average precision and recall at the
    top k of the scores; and the same for two baselines computed in the same run: counting
    transactions, and a random order. If the score does not beat counting, say so to whoever
    tuned it.

    Labels: account_id,label (or party_id,label with --level party, txn_id,label with --level
    transaction); ids missing from the labels count as 0. After 'onca screen --labels', the
    measures are also shown for the test accounts alone (never trained or calibrated on).

    Example (AMLSim's fan-in sample, converted with 'onca convert amlsim'):

        onca convert amlsim 20K_fanin200.tgz --out fanin/

        onca ingest fanin.duckdb parties fanin/parties.csv  (then accounts, then transactions)

        onca screen fanin.duckdb

        onca evaluate screening fanin.duckdb --labels fanin/labels/accounts.csv
    """
    from onca.finance import evaluate_screening, read_labels
    from onca.workspace import open_workspace

    ks = sorted(set(top or [100, 1000]))
    with errors_as_exit():
        truth = read_labels(labels, level)
        with open_workspace(workspace, create=False) as ws:
            result = evaluate_screening(ws, truth, level=level, top_k=ks, seed=seed)
    if as_json:
        print_json({"workspace": str(workspace), **result})
        return
    print_warnings(result["warnings"])
    plural = {"account": "accounts", "party": "parties", "transaction": "transactions"}[level]
    if "test" in result:
        _print(result["test"], f"{plural} in the supervised model's test split", ks)
        _print(
            result["all"],
            f"all {plural} (including those the model was trained and calibrated on: read the"
            " test split above)",
            ks,
        )
    else:
        _print(result["all"], f"all {plural}", ks)
    if result["all"]["positives"] == 0:
        print_warnings([f"no {level} in the workspace is labelled 1: nothing to find"])
    if result["unlabelled_counted_as_0"]:
        out.print(
            f"{result['unlabelled_counted_as_0']:,} {plural} without a label counted as 0"
            " (not illicit).",
            highlight=False,
        )
    missing = result["labels_not_in_workspace"]
    if missing:
        out.print(
            f"{missing:,} labelled id{' is' if missing == 1 else 's are'} not in the workspace.",
            highlight=False,
        )
