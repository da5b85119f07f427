"""The Splink model: comparisons, blocking, training and prediction on DuckDB or Spark.

The comparisons follow what differs between sources that write one person (see
``onca.names``): names in another order or with a surname left out, typos, day and month of
birth swapped, one digit of an ID changed, a phone written another way, an address abbreviated.
Every comparison has a level for a missing value, so a record without a phone is neither helped
nor hurt by it. Records of different kinds (person, company) are never compared.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa

from onca.engines import SUPPORTED, check_engine, splink_backend
from onca.errors import EngineError, ParameterError

ENGINES = SUPPORTED["resolve"]
"""The engines Splink runs on for Onca."""

LinkType = Literal["dedupe_only", "link_only"]
Progress = Callable[[str], None]

# Columns Splink keeps on each predicted pair (besides the compared ones).
RETAINED = ("name", "kind")


def _comparison(
    name: str, description: str, null: Any, levels: list[tuple[Any, str, float]]
) -> Any:
    """A comparison from its levels, most alike first: (level, label, starting m).

    The starting m is the share of true matches expected at that level: what sources do to one
    party's record; 'else' gets the rest. Expectation maximisation replaces them when the data
    allow; on a few hundred records they are what the model uses, so they must be sensible.
    """
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    rest = 1.0 - sum(m for _, _, m in levels)
    if not 0.0 < rest < 1.0:
        raise ValueError(f"comparison {name}: starting m values must leave room for 'else'")
    configured = [null]
    for level, label, m in levels:
        configured.append(level.configure(label_for_charts=label, m_probability=m))
    configured.append(
        cll.ElseLevel().configure(m_probability=1.0 - sum(m for *_, m in levels) or 1e-3)
    )
    return cl.CustomComparison(
        output_column_name=name, comparison_description=description, comparison_levels=configured
    )


def _comparisons() -> list[Any]:
    import splink.comparison_level_library as cll

    jw, exact = cll.JaroWinklerLevel, cll.ExactMatchLevel
    name = _comparison(
        "name",
        "name, folded, particles and legal forms removed",
        cll.NullLevel("name_clean"),
        [
            (exact("name_clean").configure(tf_adjustment_column="name_clean"), "the same", 0.55),
            (exact("name_sorted"), "same words, other order", 0.08),
            (
                cll.Or(jw("name_sorted", 0.95), jw("name_clean", 0.95)),
                "nearly the same (Jaro-Winkler >= 0.95)",
                0.15,
            ),
            (cll.ArrayIntersectLevel("name_tokens", 2), "two or more words in common", 0.12),
            (
                cll.Or(jw("name_sorted", 0.85), jw("name_clean", 0.85)),
                "similar (Jaro-Winkler >= 0.85)",
                0.05,
            ),
            (cll.ArrayIntersectLevel("name_tokens", 1), "one word in common", 0.04),
        ],
    )
    birth = _comparison(
        "birth_date",
        "date of birth",
        cll.NullLevel("birth_date"),
        [
            (exact("birth_date"), "the same", 0.8),
            (
                cll.CustomLevel(
                    "substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4)"
                    " AND substr(birth_date_l, 6, 2) = substr(birth_date_r, 9, 2)"
                    " AND substr(birth_date_l, 9, 2) = substr(birth_date_r, 6, 2)"
                ),
                "day and month swapped",
                0.05,
            ),
            (cll.DamerauLevenshteinLevel("birth_date", 1), "one digit off", 0.1),
            (cll.DamerauLevenshteinLevel("birth_date", 2), "two digits off", 0.03),
        ],
    )
    id_number = _comparison(
        "id_number",
        "ID number, letters and digits only",
        cll.NullLevel("id_key"),
        [
            (exact("id_key"), "the same", 0.8),
            (cll.DamerauLevenshteinLevel("id_key", 1), "one character off", 0.12),
            (cll.DamerauLevenshteinLevel("id_key", 2), "two characters off", 0.04),
        ],
    )
    phone = _comparison(
        "phone",
        "phone number in E.164",
        cll.And(cll.NullLevel("phone_e164"), cll.NullLevel("phone_tail")),
        [
            (exact("phone_e164"), "the same", 0.7),
            (exact("phone_tail"), "same last 8 digits", 0.15),
        ],
    )
    address = _comparison(
        "address",
        "address, folded, street types abbreviated",
        cll.NullLevel("address_clean"),
        [
            # A street many share ('Travessa São José' without a number) counts less.
            (
                exact("address_clean").configure(tf_adjustment_column="address_clean"),
                "the same",
                0.6,
            ),
            (jw("address_clean", 0.92), "nearly the same (Jaro-Winkler >= 0.92)", 0.2),
            (
                cll.And(exact("address_number"), jw("address_clean", 0.75)),
                "same number, similar street",
                0.1,
            ),
        ],
    )
    country = _comparison(
        "country",
        "country of residence and nationality",
        cll.And(cll.NullLevel("country"), cll.NullLevel("nationality")),
        [
            (
                cll.And(exact("country"), exact("nationality")),
                "same country and nationality",
                0.85,
            ),
            (cll.Or(exact("country"), exact("nationality")), "same country or nationality", 0.1),
        ],
    )
    return [name, birth, id_number, phone, address, country]


def blocking_rules() -> list[Any]:
    """Which pairs are compared at all: records sharing at least one of these keys."""
    from splink import block_on

    return [
        block_on("kind", "id_key"),
        block_on("kind", "phone_tail"),
        block_on("kind", "name_sorted"),
        block_on("kind", "birth_date", "name_first"),
        block_on("kind", "birth_date", "name_last"),
        block_on("kind", "birth_date", "address_number"),
        block_on("kind", "address_clean"),
        block_on("kind", "name_first", "name_last", "address_number"),
    ]


def settings(link_type: LinkType, prior: float) -> Any:
    from splink import SettingsCreator

    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="unique_id",
        source_dataset_column_name="source",
        comparisons=_comparisons(),
        blocking_rules_to_generate_predictions=blocking_rules(),
        probability_two_random_records_match=prior,
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=list(RETAINED),
        max_iterations=20,
    )


@dataclass
class Prediction:
    """Scored pairs at or above the threshold, and the trained model's description."""

    pairs: pa.Table
    clusters: pa.Table  # unique_id, source, cluster_id
    model: dict[str, Any]
    compared_pairs: int
    threshold: float
    engine: str
    notes: list[str] = field(default_factory=list)


def predict(
    inputs: Sequence[pa.Table],
    *,
    link_type: LinkType,
    threshold: float,
    engine: str = "duckdb",
    labels: pa.Table | None = None,
    progress: Progress | None = None,
) -> Prediction:
    """Train the model on ``inputs`` (feature tables from ``party_features``) without labels
    (u by random sampling, m by expectation maximisation), or with m from ``labels`` when given
    (columns ``unique_id_l``, ``unique_id_r``, ``clerical_match_score``), then score and cluster.
    """
    step = progress or (lambda _msg: None)
    from splink import Linker, block_on

    backend = splink_backend(check_engine(engine, ENGINES))
    notes: list[str] = []
    total = sum(t.num_rows for t in inputs)
    # Names unique to this run: a Spark session outlives it and keeps its views.
    run = uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory(prefix="onca-resolve-") as tmp:
        frames = [
            backend.register(t, f"onca_{run}_parties_{i}", Path(tmp)) for i, t in enumerate(inputs)
        ]
        # A starting prior (about one record in ten has another of the same party), replaced
        # by the estimate from records that agree on two strong identifiers.
        prior = min(0.5, 0.1 / max(total, 2))
        linker = Linker(
            frames if link_type == "link_only" else frames[0],
            settings(link_type, prior),
            log_level=None,
        )
        try:
            step("estimating how many pairs are matches (the prior)")
            try:
                linker.training.estimate_probability_two_random_records_match(
                    [
                        block_on("kind", "id_key", "birth_date"),
                        block_on("kind", "name_sorted", "birth_date"),
                        block_on("kind", "name_sorted", "phone_e164"),
                        block_on("kind", "name_sorted", "id_key"),
                    ],
                    recall=0.7,
                )
            except Exception as e:  # no pair agrees on two strong identifiers
                notes.append(f"prior left at {prior:.2g}: {str(e).splitlines()[0]}")
            estimated = linker._settings_obj._probability_two_random_records_match
            if not 0.0 < estimated < 1.0:
                notes.append(f"no pair agrees on two strong identifiers; prior left at {prior:.2g}")
                linker._settings_obj._probability_two_random_records_match = prior
            step("estimating how often unrelated records agree (u)")
            linker.training.estimate_u_using_random_sampling(
                max_pairs=1e6, seed=17, num_chunks=backend.u_chunks
            )
            if labels is not None and labels.num_rows:
                step("estimating m from the labelled pairs")
                linker.training.estimate_m_from_pairwise_labels(
                    backend.register(labels, f"onca_{run}_labels", Path(tmp))
                )
            else:
                for label, columns in (
                    ("the same name", ("name_sorted",)),
                    # Not birth date alone: at a million records a day has dozens of people.
                    ("the same birth date and country", ("birth_date", "country")),
                    ("the same ID number", ("id_key",)),
                ):
                    # A session with no pairs fails half-way in Splink and leaves the model
                    # without that comparison: count first, skip when there is nothing to learn.
                    if _pairs_sharing(inputs, columns, link_type) < MIN_TRAINING_PAIRS:
                        notes.append(f"too few pairs with {label} to train on; skipped")
                        continue
                    step(f"expectation maximisation on pairs with {label}")
                    try:
                        linker.training.estimate_parameters_using_expectation_maximisation(
                            block_on("kind", *columns), estimate_without_term_frequencies=True
                        )
                    except Exception as e:  # Splink raises plain exceptions
                        # On little data a session can drive a level's m probability to 0,
                        # which Splink then refuses; the other sessions still train the model.
                        notes.append(f"training on pairs with {label} failed and was skipped: {e}")
            step("scoring the candidate pairs")
            scored = linker.inference.predict(threshold_match_probability=min(threshold, 0.5))
            pairs = scored.as_pyarrow_table()
            step("grouping linked records into entities")
            clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
                scored, threshold_match_probability=threshold
            ).as_pyarrow_table()
            compared = _count_compared(linker)
            model = linker.misc.save_model_to_json()
        except ParameterError:
            raise
        except Exception as e:  # Splink raises plain exceptions with the backend's message
            raise EngineError(f"Splink on {engine} failed: {e}") from e
        finally:
            backend.cleanup(linker, frames)
    return Prediction(
        pairs=pairs.filter(pa.compute.greater_equal(pairs["match_probability"], threshold)),
        clusters=clusters.select(["unique_id", "source", "cluster_id"])
        if "source" in clusters.column_names
        else clusters.select(["unique_id", "cluster_id"]),
        model=model,
        compared_pairs=compared,
        threshold=threshold,
        engine=engine,
        notes=notes,
    )


MIN_TRAINING_PAIRS = 10


def _pairs_sharing(inputs: Sequence[pa.Table], columns: Sequence[str], link_type: LinkType) -> int:
    """How many record pairs of one kind agree on ``columns`` (what a training session sees)."""
    keys = ["kind", *columns]
    counts: list[dict[tuple[Any, ...], int]] = []
    for t in inputs:
        valid = t.select(keys)
        for column in columns:
            valid = valid.filter(pa.compute.is_valid(valid[column]))
        grouped = valid.group_by(keys).aggregate([([], "count_all")])
        key_values = zip(*(grouped.column(k).to_pylist() for k in keys), strict=True)
        counts.append(dict(zip(key_values, grouped.column("count_all").to_pylist(), strict=True)))
    if link_type == "link_only" and len(counts) == 2:
        return sum(n * counts[1].get(key, 0) for key, n in counts[0].items())
    merged: dict[tuple[Any, ...], int] = {}
    for per_input in counts:
        for key, n in per_input.items():
            merged[key] = merged.get(key, 0) + n
    return sum(n * (n - 1) // 2 for n in merged.values())


def _count_compared(linker: Any) -> int:
    try:
        counts = linker.inference.compute_blocked_pairs_for_predict()
        return int(counts.as_pyarrow_table().num_rows)
    except Exception:
        return -1
