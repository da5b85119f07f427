"""Screening: run typologies on an engine, turn result rows into alerts, store them, score parties.

Alerts are the same whichever engine ran them: the SQL is one text (transpiled for Spark), the
sentences are rendered here in Python, scores are rounded to 4 decimals and lists are sorted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from onca import __version__
from onca.engines import SUPPORTED, Engine, check_engine, open_engine
from onca.errors import EngineError, ParameterError, TypologyError
from onca.finance import _evidence
from onca.finance._account_features import account_features
from onca.finance._account_scores import (
    AccountScores,
    counterparty_pairs,
    first_seen,
    rank_parties,
    supervise,
    top_accounts,
    unsupervised_scores,
    write_account_scores,
)
from onca.finance._lists import load_lists
from onca.finance._scores import write_entity_scores, write_party_scores
from onca.finance._typology import REQUIRED_COLUMNS, Typology
from onca.sql import literal
from onca.workspace import Workspace

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Alert:
    """One red flag raised by one typology on one subject over one time window."""

    alert_id: str
    typology_id: str
    severity: str
    subject_type: str
    subject_id: str
    party_id: str | None
    window_start: dt.datetime | None
    window_end: dt.datetime | None
    score: float
    evidence: str
    details: dict[str, Any]

    def key(self) -> tuple[Any, ...]:
        """What two engines must agree on."""
        return (
            self.typology_id,
            self.subject_type,
            self.subject_id,
            self.party_id,
            self.window_start,
            self.window_end,
            self.score,
            self.evidence,
        )


@dataclass
class ScreenResult:
    """What a screen run found: alerts, counts per typology, timings (seconds)."""

    engine: str
    run_id: int
    alerts: list[Alert]
    by_typology: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)
    transactions: int = 0
    accounts_scored: int = 0
    account_model: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    top_accounts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def _as_datetime(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return (
            value.replace(tzinfo=None)
            if value.tzinfo is None
            else value.astimezone(dt.UTC).replace(tzinfo=None)
        )
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    raise TypeError(f"expected a timestamp, found {value!r}")


def _alert_id(
    typology: str, subject: str, start: dt.datetime | None, end: dt.datetime | None
) -> str:
    text = f"{typology}|{subject}|{start.isoformat() if start else ''}|{end.isoformat() if end else ''}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def alerts_from_rows(
    typology: Typology,
    rows: Sequence[Mapping[str, Any]],
    overrides: Mapping[str, Any] | None = None,
) -> list[Alert]:
    """Alerts from a typology's result rows, in a stable order; one per subject and window.

    ``overrides`` are the parameter values the SQL ran with (the sentence may quote them).
    """
    values = typology.values(overrides)
    alerts: dict[str, Alert] = {}
    for row in rows:
        if row.get("subject_id") is None:
            continue
        try:
            start, end = _as_datetime(row["window_start"]), _as_datetime(row["window_end"])
        except TypeError as e:
            raise TypologyError(
                f"window_start/window_end: {e}", source=typology.path, field="sql"
            ) from e
        score = row.get("score")
        score = 0.0 if score is None else round(min(1.0, max(0.0, float(score))), 4)
        subject = str(row["subject_id"])
        details = {k: _evidence.plain(v) for k, v in row.items() if k not in REQUIRED_COLUMNS}
        alert_id = _alert_id(typology.id, subject, start, end)
        if alert_id in alerts:
            continue
        alerts[alert_id] = Alert(
            alert_id=alert_id,
            typology_id=typology.id,
            severity=typology.severity,
            subject_type=typology.subject,
            subject_id=subject,
            party_id=None if row.get("party_id") is None else str(row["party_id"]),
            window_start=start,
            window_end=end,
            score=score,
            evidence=typology.sentence(row, values),
            details=details,
        )
    return sorted(alerts.values(), key=lambda a: (-a.score, a.subject_id, a.alert_id))


def run_typologies(
    engine: Engine,
    typologies: Sequence[Typology],
    *,
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    progress: Progress | None = None,
) -> tuple[list[Alert], dict[str, float]]:
    """Run each typology on ``engine``; return the alerts and the seconds each took."""
    available = engine.tables()
    alerts: list[Alert] = []
    seconds: dict[str, float] = {}
    for i, typology in enumerate(typologies):
        if progress:
            progress(f"screening: {typology.id}", i, len(typologies))
        missing = [t for t in typology.tables if t not in available]
        if missing:
            raise TypologyError(
                f"typology {typology.id} needs the tables {', '.join(missing)}, which the engine"
                " does not have",
                source=typology.path,
                field="tables",
            )
        overrides = (parameters or {}).get(typology.id)
        sql = typology.render(overrides)
        started = time.perf_counter()
        try:
            rows = engine.query(sql)
        except EngineError as e:
            raise EngineError(
                f"typology {typology.id} ({typology.path}) failed on {engine.name}: {e}",
                sql=None,
            ) from e
        seconds[typology.id] = round(time.perf_counter() - started, 3)
        alerts.extend(alerts_from_rows(typology, rows, overrides))
    if progress:
        progress("screening", len(typologies), len(typologies))
    return alerts, seconds


ENGINES = SUPPORTED["screen"]
"""The engines screening runs on (typologies are SQL, transpiled for Spark)."""

_ALERT_SCHEMA = pa.schema(
    [
        ("alert_id", pa.string()),
        ("typology_id", pa.string()),
        ("severity", pa.string()),
        ("subject_type", pa.string()),
        ("subject_id", pa.string()),
        ("party_id", pa.string()),
        ("window_start", pa.timestamp("us")),
        ("window_end", pa.timestamp("us")),
        ("score", pa.float64()),
        ("evidence", pa.string()),
        ("details", pa.string()),
    ]
)


def store_alerts(
    ws: Workspace,
    alerts: Sequence[Alert],
    typology_ids: Sequence[str],
    *,
    engine: str,
    since: dt.datetime | None,
    until: dt.datetime | None,
    started_at: dt.datetime,
    account_rows: Sequence[Mapping[str, Any]] | None = None,
    labels: Mapping[str, int] | None = None,
) -> tuple[int, AccountScores | None]:
    """Replace the alerts of ``typology_ids`` in the period ``[since, until)`` with ``alerts``
    (alerts of other periods stay), log the run, rescore parties
    and, given the engine's ``account_rows`` (features), score every account (supervised when
    ``labels`` are given).

    One transaction: a failure leaves the previous alerts in place. Returns the run id and
    the account scores.
    """
    db = ws.db
    table = pa.Table.from_pylist(
        [
            {
                "alert_id": a.alert_id,
                "typology_id": a.typology_id,
                "severity": a.severity,
                "subject_type": a.subject_type,
                "subject_id": a.subject_id,
                "party_id": a.party_id,
                "window_start": a.window_start,
                "window_end": a.window_end,
                "score": a.score,
                "evidence": a.evidence,
                "details": json.dumps(a.details, ensure_ascii=False, sort_keys=True),
            }
            for a in alerts
        ],
        schema=_ALERT_SCHEMA,
    )
    with db.transaction():
        run_id = db.next_value("screen_run_seq")
        with db.registered("_new_alerts", table) as name:
            # A run over a period replaces that period's alerts and keeps the rest: alerts
            # whose window lies wholly outside [since, until) stay, so screening 2024 again
            # does not throw away the alerts of 2023. Alerts without a window, and alerts the
            # run found again (typologies of shipments and permits do not follow the
            # period), are replaced.
            db.execute(
                "DELETE FROM alerts WHERE list_contains(?, typology_id) AND ("
                " window_start IS NULL OR window_end IS NULL"
                f" OR alert_id IN (SELECT alert_id FROM {name}) OR ("
                " (CAST(? AS TIMESTAMP) IS NULL OR window_end >= CAST(? AS TIMESTAMP))"
                " AND (CAST(? AS TIMESTAMP) IS NULL OR window_start < CAST(? AS TIMESTAMP))))",
                [list(typology_ids), since, since, until, until],
            )
            db.execute(
                "INSERT INTO alerts SELECT alert_id, ?, typology_id, severity, subject_type,"
                " subject_id, party_id, window_start, window_end, score, evidence,"
                f" CAST(details AS JSON) FROM {name}",
                [run_id],
            )
        db.execute(
            "INSERT INTO screen_runs (run_id, engine, started_at, finished_at, since, until,"
            " typologies, alerts, onca_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                engine,
                started_at,
                dt.datetime.now(dt.UTC).replace(tzinfo=None),
                since,
                until,
                json.dumps(list(typology_ids)),
                len(alerts),
                __version__,
            ],
        )
        write_party_scores(db)
        write_entity_scores(db)
        scores = None
        if account_rows is not None:
            scores = unsupervised_scores(db, account_rows)
            if labels:
                scores = supervise(
                    scores,
                    labels,
                    first_seen(db, scores.account_id),
                    counterparty_pairs(db, scores.account_id),
                )
            write_account_scores(db, scores, run_id)
            rank_parties(db)
    return run_id, scores


def screen(
    ws: Workspace,
    library: Mapping[str, Typology],
    *,
    engine: str = "duckdb",
    typologies: Sequence[str] | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    progress: Progress | None = None,
    score_accounts: bool = True,
    labels: Mapping[str, int] | None = None,
) -> ScreenResult:
    """Screen the workspace with ``typologies`` (default: all in ``library``) and store alerts.

    ``parameters`` maps typology id -> parameter name -> value. ``since``/``until`` restrict the
    transactions screened to ``since <= ts < until`` (UTC). With ``score_accounts`` (default),
    every account gets a row in ``account_scores`` and every party one in ``party_scores``;
    ``labels`` (account id -> 1 illicit, 0 not) train the supervised model.
    """
    check_engine(engine, ENGINES)
    chosen = list(typologies) if typologies else sorted(library)
    unknown = [t for t in chosen if t not in library]
    if unknown:
        raise ParameterError(
            f"--typology: unknown {', '.join(unknown)}; 'onca screen --list-typologies' lists them"
        )
    for typology_id in parameters or {}:
        if typology_id not in library:
            raise ParameterError(f"--param: unknown typology {typology_id!r}")
    if since and until and since >= until:
        raise ParameterError(
            f"--since ({since:%Y-%m-%d}) must be before --until ({until:%Y-%m-%d})"
        )
    selected = [library[t] for t in chosen]
    started_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    needed = sorted({t for typ in selected for t in typ.tables})
    if score_accounts and "transactions" in needed and "accounts" not in needed:
        needed = sorted({*needed, "accounts"})
    if progress:
        progress(f"opening the {engine} engine", 0, 0)
    with open_engine(ws, engine, tables=needed, supported=ENGINES) as runner:
        runner.scope(since, until)
        n_txn = runner.row_count("transactions") if "transactions" in needed else 0
        alerts, seconds = run_typologies(runner, selected, parameters=parameters, progress=progress)
        listed = load_lists()["fx_units_per_usd"].values
        fx = listed if isinstance(listed, dict) else {}
        warnings: list[str] = _unpriced(runner, fx) if "transactions" in needed else []
        account_rows = None
        if score_accounts and {"transactions", "accounts"} <= set(runner.tables()):
            if progress:
                progress("scoring every account", len(selected), len(selected))
            began = time.perf_counter()
            account_rows = account_features(runner, fx)
            seconds["account_features"] = round(time.perf_counter() - began, 3)
    began = time.perf_counter()
    run_id, scores = store_alerts(
        ws,
        alerts,
        chosen,
        engine=engine,
        since=since,
        until=until,
        started_at=started_at,
        account_rows=account_rows,
        labels=labels,
    )
    if scores is not None:
        seconds["account_scores"] = round(time.perf_counter() - began, 3)
        model = scores.model
        if model.get("kind") == "lightgbm" and model["test_auc"] < model["unsupervised_test_auc"]:
            warnings.append(
                f"the supervised model ranks the test accounts worse (ROC AUC"
                f" {model['test_auc']}) than the unsupervised score"
                f" ({model['unsupervised_test_auc']}); the ranking follows the model: bring more"
                " confirmed cases, or screen without --labels"
            )
    counts = {t: 0 for t in chosen}
    for a in alerts:
        counts[a.typology_id] += 1
    return ScreenResult(
        engine,
        run_id,
        alerts,
        counts,
        seconds,
        n_txn,
        accounts_scored=0 if scores is None else len(scores.account_id),
        account_model={} if scores is None else scores.model,
        warnings=warnings,
        top_accounts=[] if scores is None else top_accounts(ws.db, 5),
    )


def _unpriced(engine: Engine, fx_units_per_usd: Mapping[str, float]) -> list[str]:
    """A warning per currency of the transactions without a US dollar rate: typologies that
    compare amounts in dollars cannot judge those payments."""
    rows = engine.query(
        "SELECT t.currency, count(*) AS n FROM transactions AS t"
        f" WHERE t.currency NOT IN {literal(sorted(fx_units_per_usd))}"
        " GROUP BY t.currency ORDER BY t.currency"
    )
    return [
        f"{int(r['n']):,} transactions in {r['currency']} have no US dollar rate in the list"
        " fx_units_per_usd: typologies that compare amounts in dollars skip them (add the rate"
        " in your own lists/fx_units_per_usd.yaml, see docs/typologies.md)"
        for r in rows
    ]
