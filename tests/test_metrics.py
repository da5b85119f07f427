"""onca.metrics: one convention for scores, with the empty cases undefined (None), not 0 or 1."""

from __future__ import annotations

import pytest

from onca.errors import ParameterError
from onca.metrics import (
    Scores,
    average_precision,
    f1_score,
    flag_scores,
    fmt,
    percent,
    ratio,
    roc_auc,
    set_scores,
)


def test_flag_scores_counts_and_measures() -> None:
    s = flag_scores([True, True, True, False, False], [True, True, False, True, False])
    assert (s.n, s.positives, s.flagged, s.true_positives) == (5, 3, 3, 2)
    assert (s.false_positives, s.false_negatives) == (1, 1)
    assert s.precision == pytest.approx(2 / 3) and s.recall == pytest.approx(2 / 3)
    assert s.f1 == pytest.approx(2 / 3)


def test_empty_predictions_leave_precision_undefined() -> None:
    s = flag_scores([True, False], [False, False])
    assert s.precision is None and s.recall == 0.0 and s.f1 is None


def test_empty_truth_leaves_recall_undefined() -> None:
    s = flag_scores([False, False], [True, False])
    assert s.precision == 0.0 and s.recall is None and s.f1 is None


def test_both_empty_leave_everything_undefined() -> None:
    for s in (flag_scores([False], [False]), flag_scores([], []), set_scores(set(), set())):
        assert (s.precision, s.recall, s.f1) == (None, None, None)


def test_defined_but_all_wrong_is_zero_not_undefined() -> None:
    s = set_scores({("a", "b")}, {("c", "d")})
    assert (s.precision, s.recall, s.f1) == (0.0, 0.0, 0.0)
    assert f1_score(0.0, 0.0) == 0.0 and f1_score(None, 1.0) is None


def test_set_scores_and_to_dict() -> None:
    s = set_scores({1, 2, 3, 4}, {2, 3, 5})
    assert s == Scores(0, 3, 4, 2, 0.5, 2 / 3, pytest.approx(4 / 7))
    assert s.to_dict()["true_positives"] == 2 and set(s.to_dict()) == {
        "n",
        "positives",
        "flagged",
        "true_positives",
        "precision",
        "recall",
        "f1",
    }


def test_shapes_must_agree() -> None:
    with pytest.raises(ParameterError, match=r"flagged: expected shape \(1,\)"):
        flag_scores([True], [True, False])


def test_ranking_measures_need_both_classes() -> None:
    assert roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    assert average_precision([0, 1], [0.2, 0.9]) == 1.0
    assert roc_auc([1, 1], [0.2, 0.9]) is None and roc_auc([], []) is None
    assert average_precision([0, 0], [0.2, 0.9]) is None


def test_undefined_prints_as_a_dash() -> None:
    assert ratio(1, 4) == 0.25 and ratio(3, 0) is None
    assert fmt(None) == "-" and fmt(0.12345) == "0.123" and fmt(0.5, "+.2f") == "+0.50"
    assert percent(None) == "-" and percent(0.256) == "26%"
