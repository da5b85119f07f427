"""The learned scorer against the screening rules, on a workspace with known truth.

Labels: a transaction is positive when ``truth/transactions.csv`` lists it; a party is positive
when ``truth/identities.csv`` maps it to a person in ``truth/roles.csv``. The ground truth is
read only for labels, never for features.

Rules-only baseline: the alerts already in the workspace, mapped to transactions at three
levels, each including the one before:

1. ``transaction``: the transaction is the subject of an alert;
2. ``account``: or its sending or receiving account is the subject of an alert whose window
   [window_start, window_end] covers the transaction's ts;
3. ``party``: or an alert on any subject rolls up (``alerts.party_id``) to the holder of the
   sending or receiving account, and its window covers the ts.

A missing window bound counts as open. The level with the best F1 on the validation split is
the baseline, as the learned scorer's threshold is chosen on the validation split too. Per
party, the rules flag a party with any alert (any time); the scorer flags a party with at least
one test-split transaction it flags (sender or receiver holder); both are scored over the
parties that hold an account in a test-split transaction.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from onca.errors import ParameterError
from onca.network._features import CATEGORICAL, FeatureFrame, transaction_features
from onca.network._learn import SPLITS, Scores, TransactionScorer, scores, temporal_split
from onca.network._motifs import MotifParams
from onca.synth import Truth
from onca.workspace import Workspace

RULE_LEVELS = ("transaction", "account", "party")

RULES_SQL = """
WITH t AS (SELECT txn_id, ts, from_account, to_account FROM transactions),
al AS (SELECT * FROM alerts),
holder AS (SELECT account_id, holder_id FROM accounts),
covers AS (
  SELECT t.txn_id, 2 AS level FROM t JOIN al ON al.subject_type = 'account'
    AND al.subject_id = t.from_account
  WHERE t.ts BETWEEN coalesce(al.window_start, t.ts) AND coalesce(al.window_end, t.ts)
  UNION ALL
  SELECT t.txn_id, 2 FROM t JOIN al ON al.subject_type = 'account'
    AND al.subject_id = t.to_account
  WHERE t.ts BETWEEN coalesce(al.window_start, t.ts) AND coalesce(al.window_end, t.ts)
  UNION ALL
  SELECT t.txn_id, 3 FROM t JOIN holder h ON h.account_id = t.from_account
    JOIN al ON al.party_id = h.holder_id
  WHERE t.ts BETWEEN coalesce(al.window_start, t.ts) AND coalesce(al.window_end, t.ts)
  UNION ALL
  SELECT t.txn_id, 3 FROM t JOIN holder h ON h.account_id = t.to_account
    JOIN al ON al.party_id = h.holder_id
  WHERE t.ts BETWEEN coalesce(al.window_start, t.ts) AND coalesce(al.window_end, t.ts)
  UNION ALL
  SELECT al.subject_id, 1 FROM al WHERE al.subject_type = 'transaction'
)
SELECT txn_id, min(level) AS level FROM covers GROUP BY txn_id
"""


def transaction_labels(
    truth_dir: Path | str, txn_id: npt.NDArray[np.object_]
) -> npt.NDArray[np.bool_]:
    """(n,) True for each of ``txn_id`` listed in ``truth_dir/transactions.csv``."""
    illicit = Truth.load(truth_dir).illicit_transactions
    return np.array([t in illicit for t in txn_id], dtype=bool)


def network_parties(truth_dir: Path | str) -> set[str] | None:
    """Party IDs whose person has a role in a network (identities.csv joined to roles.csv);
    None when the folder has no roles.csv (labels for transactions only)."""
    truth = Truth.load(truth_dir)
    return truth.network_parties() if truth.has("roles.csv") else None


def rule_levels(ws: Workspace, txn_id: npt.NDArray[np.object_]) -> npt.NDArray[np.int8]:
    """(n,) the lowest rules level (1 transaction, 2 account, 3 party; 0 none) flagging each
    transaction; see the module docstring."""
    level = dict(ws.db.fetch(RULES_SQL, table="alerts"))
    return np.array([level.get(t, 0) for t in txn_id], dtype=np.int8)


@dataclass
class LearnReport:
    """The learned scorer against the rules on the test split (see the module docstring).
    Per transaction (``txn_id`` order, (n,) each): ``split`` (0/1/2), ``probability`` and
    ``rule_level``; not part of :meth:`to_dict`."""

    transactions: int
    positives: int
    splits: dict[str, dict[str, Any]]
    rules_level: str
    rules: Scores
    learned: Scores
    f1_difference: float | None
    threshold: float
    best_iteration: int
    importances: list[tuple[str, float]]
    parties: dict[str, Any] | None
    seconds: dict[str, float]
    txn_id: npt.NDArray[np.object_] = field(repr=False)
    split: npt.NDArray[np.int8] = field(repr=False)
    probability: npt.NDArray[np.float64] = field(repr=False)
    rule_level: npt.NDArray[np.int8] = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        skip = {"txn_id", "split", "probability", "rule_level"}
        out = {k: v for k, v in self.__dict__.items() if k not in skip}
        out["rules"], out["learned"] = self.rules.to_dict(), self.learned.to_dict()
        return out


def _party_scores(
    frame: FeatureFrame,
    test: npt.NDArray[np.bool_],
    flagged: npt.NDArray[np.bool_],
    alerted: set[str],
    members: set[str],
) -> dict[str, Any]:
    parties = sorted({p for side in (frame.from_party, frame.to_party) for p in side[test] if p})
    hit = {p for side in (frame.from_party, frame.to_party) for p in side[test & flagged] if p}
    truth = [p in members for p in parties]
    return {
        "parties": len(parties),
        "rules": scores(truth, [p in alerted for p in parties]).to_dict(),
        "learned": scores(truth, [p in hit for p in parties]).to_dict(),
    }


def evaluate_learning(
    ws: Workspace,
    truth_dir: Path | str,
    *,
    scorer: TransactionScorer | None = None,
    fractions: tuple[float, float, float] = (0.6, 0.2, 0.2),
    window_days: float = 7.0,
    params: MotifParams | None = None,
    frame: FeatureFrame | None = None,
    features: Sequence[str] | None = None,
) -> LearnReport:
    """Features, labels, temporal split, the scorer fitted on train (validation for stopping
    and threshold), the rules baseline, and both scored on the test split. ``frame``: features
    already computed (else computed with ``window_days`` and ``params``); ``features``: the
    columns to learn from (default: all of :data:`FEATURES`)."""
    started = time.perf_counter()
    transaction_labels(truth_dir, np.empty(0, dtype=object))  # a missing truth fails early
    members = network_parties(truth_dir)
    if frame is None:
        frame = transaction_features(ws, window_days=window_days, params=params)
    if not ws.db.scalar("SELECT count(*) FROM screen_runs"):
        raise ParameterError(
            f"the workspace {ws.path} has not been screened: the rules baseline is the screening"
            f" alerts, so run `onca screen {ws.path}` first"
        )
    names = tuple(features) if features is not None else frame.names
    unknown = sorted(set(names) - set(frame.names))
    if unknown or not names:
        raise ParameterError(f"features: expected some of {frame.names}, got unknown {unknown}")
    X = frame.X[:, [frame.names.index(n) for n in names]]
    featured = time.perf_counter()
    y = transaction_labels(truth_dir, frame.txn_id)
    part = temporal_split(frame.ts, fractions)
    model = scorer if scorer is not None else TransactionScorer()
    train, val = part == 0, part == 1
    categorical = tuple(c for c in CATEGORICAL if c in names)
    model.fit(
        X[train], y[train], X_val=X[val], y_val=y[val], feature_names=names, categorical=categorical
    )
    trained = time.perf_counter()
    proba = model.predict_proba(X)[:, 1]
    level = rule_levels(ws, frame.txn_id)
    test = part == 2
    best = max(
        range(1, 4),
        key=lambda k: (scores(y[val], (level[val] > 0) & (level[val] <= k)).f1 or 0.0, -k),
    )
    rules = scores(y[test], (level[test] > 0) & (level[test] <= best))
    learned = scores(y[test], proba[test] >= model.threshold_)
    alerted = {r[0] for r in ws.db.fetch("SELECT DISTINCT party_id FROM alerts")}
    splits = {
        name: {
            "transactions": int((part == i).sum()),
            "positives": int(y[part == i].sum()),
            "first_ts": int(frame.ts[part == i].min(initial=np.iinfo(np.int64).max)),
            "last_ts": int(frame.ts[part == i].max(initial=0)),
        }
        for i, name in enumerate(SPLITS)
    }
    return LearnReport(
        transactions=len(frame),
        positives=int(y.sum()),
        splits=splits,
        rules_level=RULE_LEVELS[best - 1],
        rules=rules,
        learned=learned,
        f1_difference=None if learned.f1 is None or rules.f1 is None else learned.f1 - rules.f1,
        threshold=model.threshold_,
        best_iteration=model.best_iteration_,
        importances=model.importances(),
        parties=None
        if members is None
        else _party_scores(frame, test, proba >= model.threshold_, alerted, members),
        seconds={
            "features": round(featured - started, 2),
            "train": round(trained - featured, 2),
            "total": round(time.perf_counter() - started, 2),
        },
        txn_id=frame.txn_id,
        split=part,
        probability=proba,
        rule_level=level,
    )
