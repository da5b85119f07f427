"""Resolving parties: deduplicate one table, or link two, and explain every link."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from onca.errors import ParameterError
from onca.resolve._features import party_features
from onca.resolve._model import Prediction, Progress, predict

DEFAULT_THRESHOLD = 0.9


def _check_threshold(threshold: float) -> None:
    if not 0.0 < threshold < 1.0 or math.isnan(threshold):
        raise ParameterError(f"--threshold: a match probability between 0 and 1, got {threshold}")


@dataclass
class Links:
    """Linked pairs with their probability and explanation, and the model that scored them."""

    pairs: pa.Table  # left_id, right_id, match_probability, match_weight, explanation (JSON)
    prediction: Prediction
    features: list[pa.Table]


def explain(prediction: Prediction) -> list[str]:
    """For each scored pair: which comparison said what, and how much it weighed (JSON).

    ``weight`` is log2 of the Bayes factor: +3 makes a match 8 times likelier, -3 8 times less
    likely. The prior is the weight before any comparison."""
    comparisons = prediction.model["comparisons"]
    labels: dict[str, dict[int, str]] = {}
    for comp in comparisons:
        levels = [lvl for lvl in comp["comparison_levels"]]
        n = len([lvl for lvl in levels if not lvl.get("is_null_level")])
        by_gamma: dict[int, str] = {}
        for i, lvl in enumerate(x for x in levels if not x.get("is_null_level")):
            by_gamma[n - 1 - i] = lvl.get("label_for_charts") or lvl["sql_condition"]
        by_gamma[-1] = "missing"
        labels[comp["output_column_name"]] = by_gamma
    prior = prediction.model["probability_two_random_records_match"]
    prior_weight = math.log2(prior / (1 - prior))
    n = prediction.pairs.num_rows
    cols = set(prediction.pairs.column_names)

    def column(name: str) -> list[Any]:
        return prediction.pairs.column(name).to_pylist() if name in cols else [None] * n

    per_comparison = [
        (name, by_gamma, column(f"gamma_{name}"), column(f"mw_{name}"), column(f"mw_tf_adj_{name}"))
        for name, by_gamma in labels.items()
    ]
    prior_part = {
        "comparison": "prior",
        "level": "two records picked at random",
        "weight": round(prior_weight, 2),
    }
    out = []
    for i in range(n):
        parts = [prior_part]
        for name, by_gamma, gammas, weights, tfs in per_comparison:
            gamma, weight, tf = gammas[i], weights[i], tfs[i]
            total = (float(weight) if weight is not None else 0.0) + (
                float(tf) if tf is not None else 0.0
            )
            parts.append(
                {
                    "comparison": name,
                    "level": "missing" if gamma is None else by_gamma.get(int(gamma), str(gamma)),
                    "weight": round(total, 2),
                }
            )
        out.append(json.dumps(parts, ensure_ascii=False))
    return out


def _pairs_table(prediction: Prediction, left_right: bool) -> pa.Table:
    p = prediction.pairs
    left = p.column("unique_id_l")
    right = p.column("unique_id_r")
    if left_right and "source_l" in p.column_names:
        # Splink orders the two sides by source name; put the left file first.
        swap = pc.not_equal(p.column("source_l"), pa.scalar("left"))
        left, right = pc.if_else(swap, right, left), pc.if_else(swap, left, right)
    table = pa.table(
        {
            "left_id": left,
            "right_id": right,
            "match_probability": p.column("match_probability"),
            "match_weight": p.column("match_weight"),
            "explanation": pa.array(explain(prediction), pa.string()),
        }
    )
    return table.sort_by([("match_probability", "descending"), ("left_id", "ascending")])


def link_tables(
    left: pa.Table,
    right: pa.Table,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    engine: str = "duckdb",
    progress: Progress | None = None,
) -> Links:
    """Link two party tables: one row per pair of records judged the same party."""
    _check_threshold(threshold)
    features = [party_features(left, "left"), party_features(right, "right")]
    prediction = predict(
        features, link_type="link_only", threshold=threshold, engine=engine, progress=progress
    )
    return Links(_pairs_table(prediction, left_right=True), prediction, features)


def dedupe_table(
    parties: pa.Table,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    engine: str = "duckdb",
    labels: pa.Table | None = None,
    progress: Progress | None = None,
    source: str = "parties",
) -> Links:
    """Find the records of one table that are the same party (pairs, explained)."""
    _check_threshold(threshold)
    features = [party_features(parties, source)]
    prediction = predict(
        features,
        link_type="dedupe_only",
        threshold=threshold,
        engine=engine,
        labels=labels,
        progress=progress,
    )
    return Links(_pairs_table(prediction, left_right=False), prediction, features)


def flagged(features: Sequence[pa.Table]) -> dict[str, int]:
    """How many records carry each data-quality flag."""
    counts: dict[str, int] = {}
    for table in features:
        for flags in table.column("quality_flags").to_pylist():
            for flag in flags or ():
                counts[flag] = counts.get(flag, 0) + 1
    return dict(sorted(counts.items()))


def as_dicts(table: pa.Table) -> list[dict[str, Any]]:
    return table.to_pylist()
