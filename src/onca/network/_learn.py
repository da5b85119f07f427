"""A learned transaction scorer: gradient-boosted trees (LightGBM; Ke et al., NeurIPS 2017) on
the graph features of :mod:`onca.network._features`, as in the graph-feature baseline of
Altman et al. (NeurIPS 2023), against the screening rules as they stand.

The split is temporal, never random: the earliest 60% of transactions (by ts) train the model,
the next 20% (validation) stop the boosting and choose the probability threshold that gives
the best F1, and the last 20% (test) are only scored. Scores are for the minority class (a
transaction in ``truth/transactions.csv``): precision, recall and F1.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt

from onca.errors import ParameterError
from onca.metrics import Scores, flag_scores

F64 = npt.NDArray[np.float64]
SPLITS = ("train", "validation", "test")


def scores(truth: npt.ArrayLike, flagged: npt.ArrayLike) -> Scores:
    """:class:`~onca.metrics.Scores` of boolean flags against boolean truth (arrays of one
    length); undefined measures are None (:mod:`onca.metrics`)."""
    return flag_scores(truth, flagged)


def temporal_split(
    ts: npt.ArrayLike, fractions: tuple[float, float, float] = (0.6, 0.2, 0.2)
) -> npt.NDArray[np.int8]:
    """(n,) 0 = train, 1 = validation, 2 = test: the earliest ``fractions[0]`` of the rows by
    ts, then the next ``fractions[1]``, then the rest (rows with equal ts keep their order, so
    the last train ts <= the first validation ts <= the first test ts)."""
    t = np.asarray(ts)
    if (
        len(fractions) != 3
        or any(not f > 0 for f in fractions)
        or not math.isclose(sum(fractions), 1.0)
    ):
        raise ParameterError(
            f"fractions: expected three positive shares summing to 1, got {fractions!r}"
        )
    order = np.argsort(t, kind="stable")
    cut1 = round(t.size * fractions[0])
    cut2 = round(t.size * (fractions[0] + fractions[1]))
    part = np.empty(t.size, dtype=np.int8)
    part[order[:cut1]], part[order[cut1:cut2]], part[order[cut2:]] = 0, 1, 2
    return part


def best_threshold(truth: npt.ArrayLike, proba: npt.ArrayLike) -> tuple[float, float]:
    """The probability threshold (flag when proba >= it) with the best F1 on these rows, and
    that F1. With no positive row: (0.5, 0.0)."""
    y, p = np.asarray(truth, dtype=bool), np.asarray(proba, dtype=np.float64)
    if not y.any():
        return 0.5, 0.0
    order = np.argsort(-p, kind="stable")
    p_sorted, hits = p[order], np.cumsum(y[order])
    last = np.r_[p_sorted[1:] != p_sorted[:-1], True]  # cut only between distinct values
    flagged = np.arange(1, p.size + 1)[last]
    tp = hits[last]
    f1 = 2 * tp / (flagged + y.sum())
    k = int(np.argmax(f1))
    return float(p_sorted[last][k]), float(f1[k])


class TransactionScorer:
    """LightGBM on transaction features (scikit-learn style: ``fit`` returns the scorer, learned
    values end in ``_``).

    Boosting runs up to ``n_estimators`` rounds and stops when average precision on the
    validation rows has not improved for ``early_stopping_rounds``; the threshold is the one
    with the best validation F1. After ``fit``: ``booster_``, ``best_iteration_``,
    ``threshold_``, ``validation_f1_``, ``feature_names_``, ``n_features_in_`` and
    ``feature_importances_`` (total gain per feature, same order as the names)."""

    def __init__(
        self,
        *,
        n_estimators: int = 1000,
        learning_rate: float = 0.05,
        num_leaves: int = 15,
        min_child_samples: int = 20,
        feature_fraction: float = 0.8,
        early_stopping_rounds: int = 100,
        random_state: int = 0,
        n_jobs: int = 1,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.feature_fraction = feature_fraction
        self.early_stopping_rounds = early_stopping_rounds
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _params(self) -> dict[str, Any]:
        return {
            "objective": "binary",
            "metric": "average_precision",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_child_samples,
            "feature_fraction": self.feature_fraction,
            "bagging_fraction": 0.8,
            "bagging_freq": 1,
            "seed": self.random_state,
            "deterministic": True,
            "num_threads": self.n_jobs,
            "verbose": -1,
        }

    def fit(
        self,
        X: npt.ArrayLike,
        y: npt.ArrayLike,
        *,
        X_val: npt.ArrayLike,
        y_val: npt.ArrayLike,
        feature_names: tuple[str, ...] | None = None,
        categorical: tuple[str, ...] = (),
    ) -> TransactionScorer:
        """Train on ``X`` (n, f) float64 (NaN = missing) with labels ``y`` (n,) bool, stopping
        and thresholding on ``X_val``, ``y_val``. ``categorical``: names of columns that hold
        category codes."""
        Xt, yt = _matrix(X, "X"), np.asarray(y, dtype=bool)
        Xv, yv = _matrix(X_val, "X_val"), np.asarray(y_val, dtype=bool)
        if yt.shape != (Xt.shape[0],) or yv.shape != (Xv.shape[0],):
            raise ParameterError(
                f"y, y_val: expected one label per row ({Xt.shape[0]}, {Xv.shape[0]}), got"
                f" {yt.shape} and {yv.shape}"
            )
        if Xv.shape[1] != Xt.shape[1]:
            raise ParameterError(f"X_val: expected {Xt.shape[1]} columns, got {Xv.shape[1]}")
        if not yt.any():
            raise ParameterError(
                f"y: the training rows ({yt.size:,}) hold no positive transaction; a scorer"
                " needs known illicit transactions in the earliest part of the data"
            )
        names = feature_names or tuple(f"f{i}" for i in range(Xt.shape[1]))
        if len(names) != Xt.shape[1]:
            raise ParameterError(f"feature_names: expected {Xt.shape[1]}, got {len(names)}")
        unknown = sorted(set(categorical) - set(names))
        if unknown:
            raise ParameterError(f"categorical: not among the feature names: {unknown}")
        cats = [c for c in names if c in categorical]
        train = lgb.Dataset(
            Xt, label=yt.astype(int), feature_name=list(names), categorical_feature=cats or "auto"
        )
        valid = lgb.Dataset(Xv, label=yv.astype(int), reference=train)
        stop: list[Callable[..., Any]] = []
        if yv.any():
            stop.append(lgb.early_stopping(self.early_stopping_rounds, verbose=False))
        self.booster_ = lgb.train(
            self._params(),
            train,
            num_boost_round=self.n_estimators,
            valid_sets=[valid],
            callbacks=stop,
        )
        self.best_iteration_ = int(self.booster_.best_iteration or self.n_estimators)
        self.feature_names_ = tuple(names)
        self.n_features_in_ = Xt.shape[1]
        self.feature_importances_ = np.asarray(
            self.booster_.feature_importance(importance_type="gain"), dtype=np.float64
        )
        self.threshold_, self.validation_f1_ = best_threshold(yv, self._proba(Xv))
        return self

    def _proba(self, X: F64) -> F64:
        return np.asarray(
            self.booster_.predict(X, num_iteration=self.best_iteration_), dtype=np.float64
        )

    def predict_proba(self, X: npt.ArrayLike) -> F64:
        """(n, 2): probabilities of licit and illicit."""
        Xm = _matrix(X, "X")
        if not hasattr(self, "booster_"):
            raise ParameterError("this TransactionScorer is not fitted yet: call fit first")
        if Xm.shape[1] != self.n_features_in_:
            raise ParameterError(f"X: expected {self.n_features_in_} columns, got {Xm.shape[1]}")
        p = self._proba(Xm)
        return np.column_stack([1.0 - p, p])

    def predict(self, X: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """(n,) True where the illicit probability reaches ``threshold_``."""
        return self.predict_proba(X)[:, 1] >= self.threshold_

    def importances(self) -> list[tuple[str, float]]:
        """(feature, share of the total gain), largest first."""
        total = float(self.feature_importances_.sum()) or 1.0
        pairs = zip(self.feature_names_, self.feature_importances_ / total, strict=True)
        return sorted(((n, float(v)) for n, v in pairs), key=lambda p: -p[1])


def _matrix(X: npt.ArrayLike, name: str) -> F64:
    m = np.asarray(X, dtype=np.float64)
    if m.ndim != 2 or m.shape[0] == 0:
        raise ParameterError(
            f"{name}: expected a non-empty 2-d array (rows, features), got {m.shape}"
        )
    return m
