"""How good is a screening run? Alerts and scores measured against labels the user brings.

``evaluate_screening`` reads the workspace's ``alerts``, ``account_scores`` and ``party_scores``
(written by ``onca screen``) and a labels file, and reports at one level (account, party or
transaction):

- the alerts as a yes/no flag: precision, recall and F1 of "has an alert";
- the scores as a ranking: ROC AUC, average precision, and precision and recall among the top
  k ranked;
- the same ranking measures for two trivial baselines computed in the same run: the number of
  transactions (an account's, a party's accounts', or the busier side of a payment) and a
  seeded random order. A screening that does not beat counting transactions is not earning
  its keep.

When the account scores came from a supervised model (``onca screen --labels``), the measures
are also given on the test accounts alone (the latest accounts by first payment, never trained
or calibrated on); those are the honest numbers.

Labels file: CSV with a header, the id column first (``account_id``, ``party_id`` or
``txn_id``, matching the level) and ``label`` (1 = illicit, 0 = not). Workspace rows without a
label count as 0; labels whose id is not in the workspace are counted and left out.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from onca.errors import ParameterError
from onca.metrics import average_precision, flag_scores, ratio, roc_auc
from onca.workspace import Workspace

LEVELS = {"account": "account_id", "party": "party_id", "transaction": "txn_id"}
MAX_LABEL_BYTES = 2 * 1024**3


def read_labels(path: Path | str, level: str, *, for_option: str = "--level") -> dict[str, int]:
    """``{id: 0|1}`` from a labels CSV; ParameterError naming the line for anything else.
    ``for_option`` names what chose the level in messages (screen's labels are accounts')."""
    if level not in LEVELS:
        raise ParameterError(f"--level: expected one of {', '.join(LEVELS)}, got {level!r}")
    p = Path(path)
    if not p.exists():
        raise ParameterError(f"--labels: {p} does not exist")
    if not p.is_file():
        raise ParameterError(f"--labels: {p} is not a file")
    try:
        return _read_labels(p, level, for_option)
    except UnicodeDecodeError as e:
        raise ParameterError(
            f"--labels: {p} is not UTF-8 text (byte {e.start}); save it as UTF-8 CSV"
        ) from None


def _read_labels(p: Path, level: str, for_option: str) -> dict[str, int]:
    if p.stat().st_size > MAX_LABEL_BYTES:
        raise ParameterError(f"--labels: {p} is larger than {MAX_LABEL_BYTES // 1024**3} GiB")
    want = LEVELS[level]
    labels: dict[str, int] = {}
    with p.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            raise ParameterError(f"--labels: {p} is empty")
        names = [h.strip().lower() for h in header]
        if len(names) < 2 or names[0] != want or "label" not in names:
            raise ParameterError(
                f"--labels: {p} line 1: expected the header '{want},label'"
                f" ({for_option} {level}), found {','.join(header)!r}"
                + (
                    "; onca convert writes account labels (labels/accounts.csv): evaluate"
                    " them with --level account"
                    if names and names[0] == "account_id"
                    else ""
                )
            )
        j = names.index("label")
        for line, row in enumerate(reader, start=2):
            if not row or not any(c.strip() for c in row):
                continue
            if len(row) <= j:
                raise ParameterError(f"--labels: {p} line {line}: expected {want},label")
            key, value = row[0].strip(), row[j].strip()
            if value not in ("0", "1") or not key:
                raise ParameterError(
                    f"--labels: {p} line {line}: expected an id and a label 0 or 1,"
                    f" found {key!r}, {value[:40]!r}"
                )
            if key in labels and labels[key] != int(value):
                raise ParameterError(f"--labels: {p} line {line}: {key!r} is labelled both 0 and 1")
            labels[key] = int(value)
    if not labels:
        raise ParameterError(f"--labels: {p} holds no labels")
    return labels


@dataclass(frozen=True)
class Ranking:
    """How well one score ranks the positives."""

    name: str
    roc_auc: float | None
    average_precision: float | None
    at_k: dict[int, dict[str, float | None]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "roc_auc": self.roc_auc,
            "average_precision": self.average_precision,
            "top_k": {str(k): v for k, v in self.at_k.items()},
        }


def ranking(
    name: str, y: npt.NDArray[np.int64], score: npt.ArrayLike, ks: Sequence[int]
) -> Ranking:
    """ROC AUC, average precision and precision/recall in the top k of ``score`` (undefined
    measures are None: :mod:`onca.metrics`)."""
    s = np.asarray(score, dtype=np.float64)
    auc, ap = roc_auc(y, s), average_precision(y, s)
    order = np.argsort(-s, kind="stable")
    at_k: dict[int, dict[str, float | None]] = {}
    positives = int(y.sum())
    for k in ks:
        kk = min(k, y.size)
        hits = int(y[order[:kk]].sum())
        at_k[k] = {"precision": _round(ratio(hits, kk)), "recall": _round(ratio(hits, positives))}
    return Ranking(name, _round(auc), _round(ap), at_k)


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def alert_scores(y: npt.NDArray[np.int64], flagged: npt.NDArray[np.bool_]) -> dict[str, Any]:
    """Precision, recall and F1 of a yes/no flag, rounded; None where undefined (nothing
    flagged, no positive: :mod:`onca.metrics`)."""
    s = flag_scores(y == 1, flagged)
    return {
        "flagged": s.flagged,
        "true_positives": s.true_positives,
        "precision": _round(s.precision),
        "recall": _round(s.recall),
        "f1": _round(s.f1),
    }


_ROWS = {
    "account": """
        SELECT s.account_id AS id, -CAST(s.rank AS DOUBLE) AS score,
               s.n_txn AS n_txn, s.alerts > 0 AS alerted, s.split
        FROM account_scores AS s ORDER BY s.account_id""",
    "party": """
        SELECT p.party_id AS id, -CAST(p.rank AS DOUBLE) AS score,
               coalesce(sum(a.n_txn), 0) AS n_txn, p.alerts > 0 AS alerted, NULL AS split
        FROM party_scores AS p LEFT JOIN account_scores AS a ON a.holder_id = p.party_id
        GROUP BY p.party_id, p.rank, p.alerts ORDER BY p.party_id""",
    "transaction": """
        WITH flagged AS (
          SELECT a.subject_id AS txn_id FROM alerts AS a WHERE a.subject_type = 'transaction'
          UNION
          SELECT t.txn_id FROM alerts AS a
          JOIN transactions AS t
            ON (t.from_account = a.subject_id OR t.to_account = a.subject_id)
           AND t.ts >= a.window_start AND t.ts <= a.window_end
          WHERE a.subject_type = 'account'
        ),
        ranked AS (
          SELECT s.account_id, s.score AS pct, s.n_txn FROM account_scores AS s
        )
        SELECT t.txn_id AS id, greatest(coalesce(f.pct, 0), coalesce(o.pct, 0)) AS score,
               greatest(coalesce(f.n_txn, 0), coalesce(o.n_txn, 0)) AS n_txn,
               t.txn_id IN (SELECT x.txn_id FROM flagged AS x) AS alerted, NULL AS split
        FROM transactions AS t
        LEFT JOIN ranked AS f ON f.account_id = t.from_account
        LEFT JOIN ranked AS o ON o.account_id = t.to_account
        ORDER BY t.txn_id""",
}


_NOUN = {"account": "an account", "party": "a party", "transaction": "a transaction"}


def _staleness(ws: Workspace) -> list[str]:
    """Why the stored scores may not describe the workspace as it is now."""
    out: list[str] = []
    scored = ws.db.fetch(
        "SELECT run_id, finished_at FROM screen_runs WHERE account_model IS NOT NULL"
        " ORDER BY run_id DESC LIMIT 1"
    )
    if not scored:
        return out
    run_id, finished = scored[0]
    later = ws.db.scalar(
        "SELECT count(*) FROM screen_runs WHERE run_id > ? AND account_model IS NULL", [run_id]
    )
    if later:
        out.append(
            f"the account scores are from screen run {run_id}; {later} later run(s) used"
            " --no-account-scores, so the scores do not reflect their alerts"
        )
    ingested = ws.db.scalar(
        "SELECT count(*) FROM ingest_log WHERE finished_at > ? AND inserted > 0", [finished]
    )
    unscored = ws.db.scalar(
        "SELECT count(*) FROM accounts WHERE account_id NOT IN"
        " (SELECT account_id FROM account_scores)"
    )
    if ingested or unscored:
        out.append(
            f"data was ingested after the account scores were computed (screen run {run_id})"
            + (f"; {unscored:,} accounts have no score" if unscored else "")
            + ": run 'onca screen' again"
        )
    return out


def evaluate_screening(
    ws: Workspace,
    labels: dict[str, int],
    *,
    level: str = "account",
    top_k: Sequence[int] = (100, 1000),
    seed: int = 0,
) -> dict[str, Any]:
    """The measures described in the module docstring, as a dict ready for JSON."""
    if level not in LEVELS:
        raise ParameterError(f"--level: expected one of {', '.join(LEVELS)}, got {level!r}")
    if any(k < 1 or k > 10**9 for k in top_k):
        raise ParameterError(
            f"--top: expected whole numbers from 1 to 1,000,000,000, got {list(top_k)}"
        )
    n_scored = int(ws.db.scalar("SELECT count(*) FROM account_scores"))
    if n_scored == 0:
        raise ParameterError(
            "the workspace has no account scores: run 'onca screen WORKSPACE' first"
        )
    warnings = _staleness(ws)
    rows = ws.db.fetch(_ROWS[level])
    ids = [str(r[0]) for r in rows]
    present = set(ids)
    unmatched = sum(1 for key in labels if key not in present)
    if unmatched == len(labels):
        raise ParameterError(
            f"--labels: none of the {len(labels):,} labelled ids is {_NOUN[level]} scored in"
            f" this workspace (first: {next(iter(labels))!r})"
            + ("; " + "; ".join(warnings) if warnings else "")
        )
    y = np.asarray([labels.get(i, 0) for i in ids], dtype=np.int64)
    score = np.asarray([float(r[1]) for r in rows])
    count = np.asarray([float(r[2]) for r in rows])
    alerted = np.asarray([bool(r[3]) for r in rows])
    split = [r[4] for r in rows]
    rng = np.random.default_rng(seed)

    def measures(mask: npt.NDArray[np.bool_]) -> dict[str, Any]:
        yy = y[mask]
        return {
            "rows": int(mask.sum()),
            "positives": int(yy.sum()),
            "alerts": alert_scores(yy, alerted[mask]),
            "score": ranking("account score", yy, score[mask], top_k).to_dict(),
            "baselines": [
                ranking("transaction count", yy, count[mask], top_k).to_dict(),
                ranking("random", yy, rng.random(int(mask.sum())), top_k).to_dict(),
            ],
        }

    everything = np.ones(len(ids), dtype=bool)
    result: dict[str, Any] = {
        "level": level,
        "warnings": warnings,
        "labels": len(labels),
        "labels_not_in_workspace": unmatched,
        "unlabelled_counted_as_0": sum(1 for i in ids if i not in labels),
        "supervised": any(s is not None for s in split),
        "all": measures(everything),
    }
    if result["supervised"]:
        result["test"] = measures(np.asarray([s == "test" for s in split]))
    return result
