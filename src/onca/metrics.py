"""Scores of a detector against the truth: one set of definitions for every analysis.

Convention for empty sets: a measure whose denominator is empty is **undefined** and is
``None``, never 0 or 1, and is printed as ``-`` (:func:`fmt`, :func:`percent`):

- precision = true positives / flagged: ``None`` when nothing is flagged;
- recall = true positives / positives: ``None`` when there is no positive;
- F1 = 2 precision recall / (precision + recall): ``None`` when either is ``None``, and 0.0 when
  both are defined and no flag is right;
- ROC AUC and average precision: ``None`` unless both classes are present.

>>> flag_scores([True, True, False, False], [True, False, True, False]).f1
0.5
>>> flag_scores([False, False], [False, False]).precision is None
True
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from onca.errors import ParameterError

__all__ = [
    "Scores",
    "average_precision",
    "f1_score",
    "flag_scores",
    "fmt",
    "percent",
    "ratio",
    "roc_auc",
    "set_scores",
]


def ratio(part: float, whole: float) -> float | None:
    """``part / whole``; ``None`` when ``whole`` is 0 (the share of nothing is undefined)."""
    return part / whole if whole else None


def f1_score(precision: float | None, recall: float | None) -> float | None:
    """The harmonic mean of ``precision`` and ``recall``; ``None`` when either is undefined."""
    if precision is None or recall is None:
        return None
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0


@dataclass(frozen=True)
class Scores:
    """Confusion counts of a yes/no flag and the measures made from them (module docstring).

    ``n``: items scored (0 for sets, where true negatives are not counted); ``flagged`` = true
    positives + false positives; ``positives`` = true positives + false negatives.
    """

    n: int
    positives: int
    flagged: int
    true_positives: int
    precision: float | None
    recall: float | None
    f1: float | None

    @classmethod
    def from_counts(cls, *, n: int, positives: int, flagged: int, true_positives: int) -> Scores:
        precision = ratio(true_positives, flagged)
        recall = ratio(true_positives, positives)
        return cls(
            n, positives, flagged, true_positives, precision, recall, f1_score(precision, recall)
        )

    @property
    def false_positives(self) -> int:
        return self.flagged - self.true_positives

    @property
    def false_negatives(self) -> int:
        return self.positives - self.true_positives

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def flag_scores(truth: npt.ArrayLike, flagged: npt.ArrayLike) -> Scores:
    """:class:`Scores` of boolean ``flagged`` against boolean ``truth`` (arrays of one shape)."""
    y, f = np.asarray(truth, dtype=bool), np.asarray(flagged, dtype=bool)
    if y.shape != f.shape:
        raise ParameterError(f"flagged: expected shape {y.shape} as the truth, got {f.shape}")
    return Scores.from_counts(
        n=int(y.size),
        positives=int(y.sum()),
        flagged=int(f.sum()),
        true_positives=int((y & f).sum()),
    )


def set_scores(predicted: Set[Any], truth: Set[Any]) -> Scores:
    """:class:`Scores` of a predicted set against the true set (pairs, ids...); ``n`` is 0."""
    return Scores.from_counts(
        n=0,
        positives=len(truth),
        flagged=len(predicted),
        true_positives=len(predicted & truth),
    )


def _both_classes(y: npt.NDArray[np.int64]) -> bool:
    return 0 < int(y.sum()) < y.size


def roc_auc(truth: npt.ArrayLike, score: npt.ArrayLike) -> float | None:
    """Area under the ROC curve of ``score`` for the 0/1 ``truth``; ``None`` without both."""
    from sklearn.metrics import roc_auc_score

    y = np.asarray(truth, dtype=np.int64)
    if not _both_classes(y):
        return None
    return float(roc_auc_score(y, np.asarray(score, dtype=np.float64)))


def average_precision(truth: npt.ArrayLike, score: npt.ArrayLike) -> float | None:
    """Average precision of ``score`` for the 0/1 ``truth``; ``None`` without both classes."""
    from sklearn.metrics import average_precision_score

    y = np.asarray(truth, dtype=np.int64)
    if not _both_classes(y):
        return None
    return float(average_precision_score(y, np.asarray(score, dtype=np.float64)))


def fmt(value: float | None, spec: str = ".3f") -> str:
    """``value`` formatted with ``spec``; ``-`` when it is undefined (``None``)."""
    return "-" if value is None else format(value, spec)


def percent(value: float | None) -> str:
    """A share as a whole percentage (``0.25`` -> ``25%``); ``-`` when undefined."""
    return "-" if value is None else f"{value * 100:.0f}%"
