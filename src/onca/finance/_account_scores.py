"""A score for every account and every party, not only the alerted ones.

Without labels (the default), each account's features (:mod:`onca.finance._account_features`
and the alerts) fall into five families, each asking one question:

============  ===========================================================================
family        features (the larger, the more unusual)
============  ===========================================================================
activity      n_txn, counterparties
amounts       outlier_payments (amounts far from the peer group's)
exposure      exposed_counterparties, alerted_counterparties
structure     max_in_day, max_out_day (fan-in and fan-out bursts)
alerts        alert_score (the alerts on the account or its holder, combined as in
              party_scores)
============  ===========================================================================

For a feature value x, its tail probability is the share of accounts with a value >= x (an
account with nothing unusual, e.g. no outlier payment, gets 1 for that feature). A family's
p-value is the smallest tail probability of its features, corrected for the number of features
(Sidak: 1 - (1 - p_min)^k), so a family with more features is not favoured. The families are
combined by a weighted Fisher's method, X = sum_f w_f x (-2 ln p_f), with weight 1 for amounts,
exposure and alerts and 1/2 for activity and structure: these two describe how much and in what
shape an account trades, which busy honest businesses share, so they count half (measured: on
Onca's scenario, counting transactions ranks worse than chance). Accounts with alerts come first
(by their alert score: alerts are the explained red flags), then all others by X; ``rank`` 1 is
the first, and ``score`` = (N - rank) / (N - 1) is the share of accounts ranked below it. The
score ranks; it is not a probability that the account is criminal.

With labels (``labels``, 1 = illicit), a LightGBM model is trained on the same features and
family p-values with a time-aware split (accounts ordered by their first payment: the earliest
60% train, the next 20% calibrate, the last 20% test) and its calibrated probability
(isotonic regression on the calibration accounts) becomes ``supervised_score``; the rank then
follows it, and ``split`` says which part each account was in, so that an evaluation can keep to
the test accounts.

A party's row in ``party_scores`` keeps its alert risk as ``score`` (the noisy-OR of
docs/screening.md, 0 without alerts) and adds ``account_score`` (the highest score of the
accounts it holds) and ``rank``: alerted parties first, by alert risk, then every other party
by its accounts' score; a supervised run ranks parties by their accounts' supervised score.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from onca.engines import DuckDBEngine, Engine
from onca.errors import ParameterError
from onca.finance._account_features import FEATURES
from onca.finance._scores import scores_sql

F64 = npt.NDArray[np.float64]

FAMILIES: dict[str, tuple[str, ...]] = {
    "activity": ("n_txn", "counterparties"),
    "amounts": ("outlier_payments",),
    "exposure": ("exposed_counterparties", "alerted_counterparties"),
    "structure": ("max_in_day", "max_out_day"),
    "alerts": ("alert_score",),
}
ALL_FEATURES = (*FEATURES, "alerted_counterparties", "alert_score", "alerts")
"""Every feature stored in ``account_scores``; the supervised model uses them all."""
SPLITS = ("train", "calibration", "test")
WEIGHTS = {"activity": 0.5, "amounts": 1.0, "exposure": 1.0, "structure": 0.5, "alerts": 1.0}
"""Each family's weight in the combined statistic (see the module docstring)."""


def tail_probability(values: npt.ArrayLike) -> F64:
    """For each value, the share of values >= it (1 for the smallest; ties share the larger)."""
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0:
        return np.zeros(0)
    order = np.sort(v)
    at_least = v.size - np.searchsorted(order, v, side="left")
    return at_least / v.size


def family_pvalues(features: Mapping[str, npt.ArrayLike]) -> dict[str, F64]:
    """Each family's Sidak-corrected smallest tail probability, per account."""
    out: dict[str, F64] = {}
    for family, names in FAMILIES.items():
        p_min = np.min(np.vstack([tail_probability(features[n]) for n in names]), axis=0)
        out[family] = 1.0 - (1.0 - p_min) ** len(names)
    return out


def fisher(pvalues: Mapping[str, F64]) -> F64:
    """The weighted Fisher statistic X = sum_f w_f x (-2 ln p_f) per account."""
    return np.sum(
        [-2.0 * WEIGHTS[f] * np.log(np.clip(p, 1e-300, 1.0)) for f, p in pvalues.items()],
        axis=0,
    )


@dataclass
class AccountScores:
    """Scores of every account: ids, features, family p-values and the combined score."""

    account_id: list[str]
    holder_id: list[str | None]
    features: dict[str, F64]
    pvalues: dict[str, F64]
    statistic: F64
    supervised: F64 | None = None
    split: list[str | None] | None = None
    model: dict[str, Any] = field(default_factory=lambda: {"kind": "unsupervised"})

    def rank(self) -> npt.NDArray[np.int64]:
        """1 = first: by the supervised score when there is one, else alerted accounts by
        alert score, then the rest by the statistic; ties by account id (the ids are sorted)."""
        n = len(self.account_id)
        if self.supervised is not None:
            keys = np.vstack([np.arange(n), -self.supervised])
        else:
            alert = self.features["alert_score"]
            keys = np.vstack([np.arange(n), -self.statistic, -alert, -(alert > 0).astype(float)])
        order = np.lexsort(keys)
        ranks = np.empty(n, dtype=np.int64)
        ranks[order] = np.arange(1, n + 1)
        return ranks

    def all_reasons(self) -> list[str]:
        """:meth:`reasons` of every account ('' where no family has p < 0.05)."""
        p = np.vstack(list(self.pvalues.values()))
        some = np.flatnonzero((p < 0.05).any(axis=0))
        out = [""] * len(self.account_id)
        for i in some.tolist():
            out[i] = self.reasons(i)
        return out

    def reasons(self, i: int) -> str:
        """The families that set account ``i`` apart (p < 0.05), strongest first, with the
        feature behind each."""
        parts = []
        for family in sorted(self.pvalues, key=lambda f: self.pvalues[f][i]):
            p = float(self.pvalues[family][i])
            if p >= 0.05:
                break
            names = FAMILIES[family]
            best = max(names, key=lambda n: float(self.features[n][i]))
            value = float(self.features[best][i])
            shown = f"{value:.2f}" if best == "alert_score" else f"{value:,.0f}"
            parts.append(f"{family}: {best} = {shown} (p = {p:.2g})")
        return "; ".join(parts)


def _alert_features(
    db: Engine,
) -> tuple[dict[str, float], dict[str, int], dict[str, int]]:
    """Per account: the alert score (the party risk formula of :mod:`onca.finance._scores` over
    the alerts on it or on its holder), the number of those alerts, and the distinct
    counterparties with an alert score."""
    hits = """(
          SELECT a.subject_id AS account_id, a.typology_id, a.score, a.severity
          FROM alerts AS a WHERE a.subject_type = 'account'
          UNION ALL
          SELECT acc.account_id, a.typology_id, a.score, a.severity
          FROM alerts AS a JOIN accounts AS acc ON acc.holder_id = a.party_id
          WHERE a.subject_type <> 'account'
        )"""
    rows = db.fetch(
        f"""
        WITH scored AS ({scores_sql("account_id", hits)}),
        alerted AS (SELECT s.account_id FROM scored AS s WHERE s.score > 0),
        touching AS (
          SELECT t.to_account AS account_id, t.from_account AS other
          FROM transactions AS t
          WHERE t.from_account IN (SELECT x.account_id FROM alerted AS x)
            AND t.to_account IS NOT NULL AND t.to_account <> t.from_account
          UNION
          SELECT t.from_account, t.to_account
          FROM transactions AS t
          WHERE t.to_account IN (SELECT x.account_id FROM alerted AS x)
            AND t.from_account IS NOT NULL AND t.to_account <> t.from_account
        ),
        exposed AS (
          SELECT h.account_id, count(*) AS k FROM touching AS h GROUP BY h.account_id
        )
        SELECT coalesce(s.account_id, e.account_id), coalesce(s.score, 0.0),
               coalesce(s.alerts, 0), coalesce(e.k, 0)
        FROM scored AS s FULL JOIN exposed AS e ON e.account_id = s.account_id
        """
    )
    score = {str(r[0]): float(r[1]) for r in rows}
    n = {str(r[0]): int(r[2]) for r in rows}
    exposed = {str(r[0]): int(r[3]) for r in rows}
    return score, n, exposed


def unsupervised_scores(db: Engine, rows: Sequence[Mapping[str, Any]]) -> AccountScores:
    """Combine the engine's feature ``rows`` with the workspace's alerts (read through ``db``)."""
    ids = [str(r["account_id"]) for r in rows]
    holders = dict(db.fetch("SELECT account_id, holder_id FROM accounts"))
    alert_score, alert_n, exposed = _alert_features(db)
    features = {
        name: np.asarray([float(r[name] or 0) for r in rows], dtype=np.float64) for name in FEATURES
    }
    features["alerted_counterparties"] = np.asarray(
        [exposed.get(a, 0) for a in ids], dtype=np.float64
    )
    features["alert_score"] = np.asarray([alert_score.get(a, 0.0) for a in ids])
    features["alerts"] = np.asarray([alert_n.get(a, 0) for a in ids], dtype=np.float64)
    pvalues = family_pvalues(features)
    statistic = fisher(pvalues)
    return AccountScores(
        account_id=ids,
        holder_id=[None if holders.get(a) is None else str(holders[a]) for a in ids],
        features=features,
        pvalues=pvalues,
        statistic=statistic,
    )


def first_seen(db: Engine, account_ids: Sequence[str]) -> F64:
    """Seconds since 1970 of each account's first payment (accounts without one: +inf)."""
    rows = db.fetch(
        """SELECT account_id, min(epoch(ts)) FROM (
             SELECT from_account AS account_id, ts FROM transactions WHERE from_account IS NOT NULL
             UNION ALL
             SELECT to_account, ts FROM transactions WHERE to_account IS NOT NULL)
           GROUP BY account_id"""
    )
    seen = {str(a): float(t) for a, t in rows}
    return np.asarray([seen.get(a, math.inf) for a in account_ids], dtype=np.float64)


def counterparty_pairs(
    db: Engine, account_ids: Sequence[str]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Distinct (account, counterparty) index pairs, both directions, over ``account_ids``."""
    index = pa.table({"account_id": list(account_ids), "i": np.arange(len(account_ids))})
    with db.registered("_onca_account_index", index) as name:
        table = db.arrow(
            f"""SELECT DISTINCT a.i AS a, b.i AS b
               FROM transactions AS t
               JOIN {name} AS a ON a.account_id = t.from_account
               JOIN {name} AS b ON b.account_id = t.to_account
               WHERE a.i <> b.i"""
        )
    a = np.asarray(table.column("a").to_numpy(), dtype=np.int64)
    b = np.asarray(table.column("b").to_numpy(), dtype=np.int64)
    both_a, both_b = np.concatenate([a, b]), np.concatenate([b, a])
    keys = np.unique(both_a * len(account_ids) + both_b)
    return keys // len(account_ids), keys % len(account_ids)


def supervise(
    scores: AccountScores,
    labels: Mapping[str, int],
    first_ts: npt.ArrayLike,
    pairs: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
    *,
    seed: int = 0,
) -> AccountScores:
    """Train LightGBM on the labelled accounts with a time-aware split and set
    ``supervised``, ``split`` and ``model`` (see the module docstring). Accounts without a label
    are scored, never trained on."""
    import lightgbm as lgb
    from sklearn.isotonic import IsotonicRegression
    from sklearn.metrics import roc_auc_score

    ids = scores.account_id
    known = np.asarray([a in labels for a in ids])
    y_all = np.asarray([int(labels.get(a, 0)) for a in ids], dtype=np.int64)
    if known.sum() < 50 or len({labels[a] for a in ids if a in labels}) < 2:
        raise ParameterError(
            "--labels: needs at least 50 labelled accounts of this workspace, both 0 and 1;"
            f" found {int(known.sum())} labelled, {int(y_all[known].sum())} of them 1"
        )
    t = np.asarray(first_ts, dtype=np.float64)
    labelled = np.flatnonzero(known)
    order = labelled[np.lexsort((labelled, t[labelled]))]
    cut1, cut2 = round(order.size * 0.6), round(order.size * 0.8)
    part = np.full(len(ids), -1, dtype=np.int8)
    part[order[:cut1]], part[order[cut1:cut2]], part[order[cut2:]] = 0, 1, 2
    train, calib, test = (np.flatnonzero(part == k) for k in range(3))
    # counterparties of confirmed cases: only the training accounts' labels are used
    known_bad = np.zeros(len(ids))
    known_bad[train[y_all[train] == 1]] = 1.0
    a, b = pairs
    bad_counterparties = np.bincount(a, weights=known_bad[b], minlength=len(ids))
    degree = np.maximum(np.bincount(a, minlength=len(ids)), 1)
    own = np.column_stack(
        [scores.features[n] for n in ALL_FEATURES]
        + [np.log(np.clip(scores.pvalues[f], 1e-300, 1.0)) for f in FAMILIES]
    )
    # the mean of each over the account's counterparties (one hop, as a GraphSAGE mean
    # aggregator would, by hand): launderers trade with launderers
    neighbours = np.zeros_like(own)
    np.add.at(neighbours, a, own[b])
    neighbours /= degree[:, None]
    X = np.column_stack([own, neighbours, bad_counterparties, bad_counterparties / degree])
    for name, rows in (("train", train), ("calibration", calib), ("test", test)):
        if len(set(y_all[rows].tolist())) < 2:
            raise ParameterError(
                f"--labels: the {name} accounts (by first payment) hold only one class;"
                " a time-aware split needs illicit and licit accounts in every period"
            )
    model = lgb.LGBMClassifier(
        n_estimators=300,
        learning_rate=0.05,
        num_leaves=31,
        min_child_samples=20,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.8,
        random_state=seed,
        n_jobs=2,
        deterministic=True,
        force_row_wise=True,
        verbose=-1,
    )
    unsupervised_rank = scores.rank()
    model.fit(X[train], y_all[train])
    raw = np.asarray(model.predict_proba(X), dtype=np.float64)[:, 1]
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
    iso.fit(raw[calib], y_all[calib])
    calibrated = iso.predict(raw)
    # isotonic steps tie many accounts; the raw score orders accounts within a step
    scores.supervised = np.round(calibrated, 6) + raw * 1e-7
    scores.split = [SPLITS[k] if k >= 0 else None for k in part.tolist()]
    test_auc = float(roc_auc_score(y_all[test], raw[test]))
    unsupervised_auc = float(roc_auc_score(y_all[test], -unsupervised_rank[test]))
    scores.model = {
        "kind": "lightgbm",
        "features": [
            *ALL_FEATURES,
            *(f"log_p_{f}" for f in FAMILIES),
            *(f"counterparty_mean_{n}" for n in (*ALL_FEATURES, *FAMILIES)),
            "confirmed_counterparties",
            "confirmed_counterparty_share",
        ],
        "train": int(train.size),
        "calibration": int(calib.size),
        "test": int(test.size),
        "test_auc": round(test_auc, 4),
        "unsupervised_test_auc": round(unsupervised_auc, 4),
        "seed": seed,
    }
    return scores


_SCHEMA = pa.schema(
    [
        ("account_id", pa.string()),
        ("holder_id", pa.string()),
        ("score", pa.float64()),
        ("rank", pa.int64()),
        ("statistic", pa.float64()),
        *((f"p_{f}", pa.float64()) for f in FAMILIES),
        *((n, pa.float64()) for n in ALL_FEATURES),
        ("reasons", pa.string()),
        ("supervised_score", pa.float64()),
        ("split", pa.string()),
    ]
)


def write_account_scores(db: DuckDBEngine, scores: AccountScores, run_id: int) -> None:
    """Replace ``account_scores`` and the account columns of ``party_scores`` (inside the
    caller's transaction)."""
    ranks = scores.rank()
    n = len(scores.account_id)
    columns: dict[str, Any] = {
        "account_id": scores.account_id,
        "holder_id": scores.holder_id,
        "score": np.round((n - ranks) / max(n - 1, 1), 6),  # share of accounts ranked below
        "rank": ranks,
        "statistic": np.round(scores.statistic, 6),
        **{f"p_{f}": np.round(p, 8) for f, p in scores.pvalues.items()},
        **{name: scores.features[name] for name in ALL_FEATURES},
        "reasons": scores.all_reasons(),
        "supervised_score": scores.supervised,
        "split": scores.split,
    }
    arrays = [
        pa.array([None] * n if columns[f.name] is None else columns[f.name], f.type)
        for f in _SCHEMA
    ]
    table = pa.Table.from_arrays(arrays, schema=_SCHEMA)
    db.execute("DELETE FROM account_scores")
    with db.registered("_new_account_scores", table) as name:
        db.execute(
            f"INSERT INTO account_scores ({', '.join(_SCHEMA.names)})"
            f" SELECT {', '.join(_SCHEMA.names)} FROM {name}"
        )
    db.execute(
        "UPDATE screen_runs SET account_model = ? WHERE run_id = ?",
        [json.dumps(scores.model), run_id],
    )


def rank_parties(db: DuckDBEngine) -> None:
    """Give every party a row in ``party_scores`` with its accounts' best score and a rank."""
    db.execute(
        """INSERT INTO party_scores (party_id, score, alerts, typologies, top_typology,
                                     typology_ids)
           SELECT p.party_id, 0.0, 0, 0, NULL, []
           FROM parties AS p
           WHERE p.party_id NOT IN (SELECT s.party_id FROM party_scores AS s)"""
    )
    db.execute(
        """UPDATE party_scores AS s
           SET account_score = a.best, supervised_score = a.best_supervised
           FROM (SELECT holder_id, max(score) AS best, max(supervised_score) AS best_supervised
                 FROM account_scores WHERE holder_id IS NOT NULL GROUP BY holder_id) AS a
           WHERE a.holder_id = s.party_id"""
    )
    db.execute(
        """UPDATE party_scores AS s SET rank = r.rank
           FROM (SELECT p.party_id,
                        row_number() OVER (
                          ORDER BY coalesce(p.supervised_score, -1) DESC,
                                   (p.score > 0) DESC, p.score DESC,
                                   coalesce(b.best_rank, 9223372036854775807),
                                   p.typologies DESC, p.alerts DESC, p.party_id) AS rank
                 FROM party_scores AS p
                 LEFT JOIN (SELECT holder_id, min(rank) AS best_rank FROM account_scores
                            GROUP BY holder_id) AS b ON b.holder_id = p.party_id) AS r
           WHERE r.party_id = s.party_id"""
    )


def top_accounts(db: Engine, n: int) -> list[dict[str, Any]]:
    """The first ``n`` accounts by rank: rank, account_id, holder (name or id), score, alerts,
    reasons."""
    rows = db.fetch(
        """SELECT s.rank, s.account_id, coalesce(p.name, s.holder_id), s.score,
                  CAST(s.alerts AS BIGINT), s.reasons
           FROM account_scores AS s LEFT JOIN parties AS p ON p.party_id = s.holder_id
           ORDER BY s.rank LIMIT ?""",
        [n],
    )
    keys = ("rank", "account_id", "holder", "score", "alerts", "reasons")
    return [dict(zip(keys, r, strict=True)) for r in rows]
