"""``onca screen``: run the red-flag typologies over a workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table as RichTable
from rich.text import Text

from onca.cli._common import (
    err,
    errors_as_exit,
    listing_table,
    out,
    print_json,
    print_warnings,
    progress_bar,
)
from onca.cli._options import JsonOption, date_option, engine_option, parse_date
from onca.engines import SUPPORTED
from onca.errors import ParameterError


def parse_params(items: list[str]) -> dict[str, dict[str, Any]]:
    """``ID.NAME=VALUE`` items (VALUE read as YAML: 7, 0.8, [CN, HK]) as id -> name -> value."""
    import yaml

    params: dict[str, dict[str, Any]] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        typology, dot, name = key.partition(".")
        if not sep or not dot or not typology or not name:
            raise ParameterError(
                f"--param: expected TYPOLOGY.PARAMETER=VALUE (e.g. structuring.window_days=10),"
                f" got {item!r}"
            )
        try:
            value = yaml.safe_load(raw)
        except yaml.YAMLError as e:
            raise ParameterError(f"--param {key}: cannot read the value {raw!r}: {e}") from None
        params.setdefault(typology, {})[name] = value
    return params


def _list_typologies(typologies_dir: list[Path], as_json: bool) -> None:
    from onca.finance import load_library

    library = load_library(*typologies_dir)
    if as_json:
        print_json(
            [
                {
                    "id": t.id,
                    "title": t.title,
                    "severity": t.severity,
                    "subject": t.subject,
                    "tables": list(t.tables),
                    "source": list(t.sources),
                    "description": t.description,
                    "parameters": {
                        p.name: {"type": p.type, "default": p.default, "description": p.description}
                        for p in t.parameters.values()
                    },
                    "path": t.path,
                }
                for t in library.values()
            ]
        )
        return
    rows = [
        (t.id, t.severity, t.subject, Text(t.title).append(f"\nreads {', '.join(t.tables)}", "dim"))
        for t in library.values()
    ]
    out.print(
        listing_table(
            f"{len(library)} typologies (run some with -t ID)",
            ("id", "severity", "subject", "title"),
            rows,
            ids=("id",),
        )
    )
    out.print("Details and parameters: onca screen --list-typologies --json")


def screen(
    workspace: Annotated[
        Path | None, typer.Argument(help="Workspace file (DuckDB) to screen.", show_default=False)
    ] = None,
    engine: Annotated[str, engine_option(SUPPORTED["screen"])] = "duckdb",
    typology: Annotated[
        list[str] | None,
        typer.Option("--typology", "-t", help="Run only this typology (repeat for several)."),
    ] = None,
    since: Annotated[
        str | None, date_option("Screen transactions from this date (UTC, inclusive).")
    ] = None,
    until: Annotated[
        str | None, date_option("Screen transactions before this date (UTC, exclusive).")
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param", "-p", help="Override a parameter: TYPOLOGY.NAME=VALUE (repeatable)."
        ),
    ] = None,
    typologies_dir: Annotated[
        list[Path] | None,
        typer.Option(
            "--typologies-dir",
            help="Folder of your own typology YAML files (and lists/); same id replaces.",
        ),
    ] = None,
    list_typologies: Annotated[
        bool, typer.Option("--list-typologies", help="List the typologies and exit.")
    ] = False,
    labels: Annotated[
        Path | None,
        typer.Option(
            help="CSV of confirmed cases (account_id,label; 1 = illicit): also train a"
            " supervised model (LightGBM, time-aware split) for the account scores.",
        ),
    ] = None,
    account_scores: Annotated[
        bool,
        typer.Option(
            "--account-scores/--no-account-scores",
            help="Score every account and party (tables account_scores, party_scores).",
        ),
    ] = True,
    top: Annotated[int, typer.Option(min=0, help="Alerts to print (highest score first).")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Screen a workspace for wildlife-trafficking red flags and store the alerts.

    Every typology (structuring, funnel accounts, rapid pass-through, keywords in narratives,
    route-country exposure, permit reuse...) is a YAML file with its SQL, parameters, sources
    and the sentence it writes as evidence. Alerts go to the workspace table 'alerts' (replacing
    those of the same typologies), party risk scores to 'party_scores'. The same alerts come out
    of --engine duckdb and --engine spark.

    Every account also gets a score in 'account_scores', alerted or not: how unusual its
    activity, amounts (against its peer group), counterparties and fan-in/fan-out bursts are,
    with the alerts, combined by Fisher's method (docs/screening.md, "Account scores"). With
    --labels, a LightGBM model trained on confirmed cases ranks them instead. 'onca evaluate
    screening' measures both against labels.

    Examples:

      onca screen work.duckdb

      onca screen work.duckdb --labels confirmed.csv

      onca screen work.duckdb -t structuring -p structuring.window_days=10 --json

      onca screen --list-typologies
    """
    from onca.finance import alerts_phrase, load_library
    from onca.finance import screen as run_screen
    from onca.workspace import open_workspace

    extra = list(typologies_dir or [])
    with errors_as_exit():
        if list_typologies:
            _list_typologies(extra, as_json)
            return
        if workspace is None:
            raise ParameterError(
                "WORKSPACE: name the workspace to screen (or use --list-typologies)"
            )
        start, end = parse_date(since, "--since"), parse_date(until, "--until")
        overrides = parse_params(list(param or []))
        library = load_library(*extra)
        confirmed = None
        if labels is not None:
            from onca.finance import read_labels

            if not account_scores:
                raise ParameterError("--labels trains the account scores: drop --no-account-scores")
            confirmed = read_labels(labels, "account", for_option="level")
        with (
            open_workspace(workspace, create=False) as ws,
            progress_bar(enabled=not as_json and err.is_terminal) as bar,
        ):
            result = run_screen(
                ws,
                library,
                engine=engine,
                typologies=list(typology or []) or None,
                since=start,
                until=end,
                parameters=overrides,
                progress=bar,
                score_accounts=account_scores,
                labels=confirmed,
            )
    if as_json:
        print_json(
            {
                "workspace": str(workspace),
                "engine": result.engine,
                "run_id": result.run_id,
                "transactions": result.transactions,
                "alerts": len(result.alerts),
                "by_typology": result.by_typology,
                "accounts_scored": result.accounts_scored,
                "warnings": result.warnings,
                "top_accounts": result.top_accounts,
                "account_model": result.account_model,
                "seconds": result.seconds,
                "top": [
                    {
                        "alert_id": a.alert_id,
                        "typology": a.typology_id,
                        "subject_type": a.subject_type,
                        "subject_id": a.subject_id,
                        "party_id": a.party_id,
                        "score": a.score,
                        "evidence": a.evidence,
                    }
                    for a in sorted(result.alerts, key=lambda a: (-a.score, a.alert_id))[:top]
                ],
            }
        )
        return
    print_warnings(result.warnings)
    table = RichTable(title=f"alerts by typology ({result.engine})", title_justify="left")
    table.add_column("typology")
    table.add_column("alerts", justify="right")
    table.add_column("seconds", justify="right")
    for typology_id, n in sorted(result.by_typology.items(), key=lambda kv: (-kv[1], kv[0])):
        table.add_row(typology_id, f"{n:,}", f"{result.seconds.get(typology_id, 0):.2f}")
    out.print(table)
    for a in sorted(result.alerts, key=lambda a: (-a.score, a.alert_id))[:top]:
        out.print(
            f"[bold]{a.score:.2f}[/] {a.typology_id} {a.subject_type} {a.subject_id}: {a.evidence}",
            highlight=False,
        )
    out.print(
        f"{alerts_phrase(len(result.alerts), result.by_typology)},"
        f" on {result.transactions:,} transactions in"
        f" {result.total_seconds:.1f} s; stored in {workspace} (tables alerts, party_scores)"
    )
    if result.accounts_scored:
        model = result.account_model
        how = (
            f"LightGBM on {model.get('train', 0):,} labelled accounts, test ROC AUC"
            f" {model.get('test_auc')}, unsupervised {model.get('unsupervised_test_auc')}"
            if model.get("kind") == "lightgbm"
            else "unsupervised, Fisher's method"
        )
        out.print(
            f"{result.accounts_scored:,} accounts scored ({how}) in table account_scores:"
            " rank 1 comes first (alerted accounts, then the most unusual); score is the share"
            " of accounts ranked below (a rank, not a probability)."
            f" Measure it: onca evaluate screening {workspace} --labels FILE",
            highlight=False,
        )
        for row in result.top_accounts:
            out.print(
                f"  {row['rank']:>4} {row['account_id']} ({row['holder'] or 'no holder'}):"
                f" {row['reasons'] or ('its alerts' if row['alerts'] else '-')}",
                highlight=False,
            )
