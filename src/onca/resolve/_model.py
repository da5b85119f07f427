"""The Splink model: comparisons, blocking, training and prediction on DuckDB or Spark.

The comparisons follow what differs between sources that write one person (see
``onca.names``): names in another order or with a surname left out, typos, day and month of
birth swapped, one digit of an ID changed, a phone written another way, an address abbreviated.
Every comparison has a level for a missing value, so a record without a phone is neither helped
nor hurt by it. Records of different kinds (person, company) are never compared.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq

from onca.errors import EngineError, ParameterError

LinkType = Literal["dedupe_only", "link_only"]
Progress = Callable[[str], None]

# Columns Splink keeps on each predicted pair (besides the compared ones).
RETAINED = ("name", "kind")


def _name_comparison() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    jw = "jaro_winkler_similarity"
    return cl.CustomComparison(
        output_column_name="name",
        comparison_description="name, folded, particles and legal forms removed",
        comparison_levels=[
            cll.NullLevel("name_clean"),
            cll.ExactMatchLevel("name_clean").configure(
                tf_adjustment_column="name_clean", label_for_charts="the same"
            ),
            cll.CustomLevel(
                "name_sorted_l = name_sorted_r", label_for_charts="same words, other order"
            ),
            cll.CustomLevel(
                f"{jw}(name_sorted_l, name_sorted_r) >= 0.95"
                f" OR {jw}(name_clean_l, name_clean_r) >= 0.95",
                label_for_charts="nearly the same (Jaro-Winkler >= 0.95)",
            ),
            cll.CustomLevel(
                "len(list_intersect(name_tokens_l, name_tokens_r)) >= 2",
                label_for_charts="two or more words in common",
            ),
            cll.CustomLevel(
                f"{jw}(name_sorted_l, name_sorted_r) >= 0.85"
                f" OR {jw}(name_clean_l, name_clean_r) >= 0.85",
                label_for_charts="similar (Jaro-Winkler >= 0.85)",
            ),
            cll.CustomLevel(
                "len(list_intersect(name_tokens_l, name_tokens_r)) >= 1",
                label_for_charts="one word in common",
            ),
            cll.ElseLevel(),
        ],
    )


def _birth_comparison() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name="birth_date",
        comparison_description="date of birth",
        comparison_levels=[
            cll.NullLevel("birth_date"),
            cll.ExactMatchLevel("birth_date").configure(label_for_charts="the same"),
            cll.CustomLevel(
                "substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4)"
                " AND substr(birth_date_l, 6, 2) = substr(birth_date_r, 9, 2)"
                " AND substr(birth_date_l, 9, 2) = substr(birth_date_r, 6, 2)",
                label_for_charts="day and month swapped",
            ),
            cll.DamerauLevenshteinLevel("birth_date", 1).configure(
                label_for_charts="one digit off"
            ),
            cll.DamerauLevenshteinLevel("birth_date", 2).configure(
                label_for_charts="two digits off"
            ),
            cll.ElseLevel(),
        ],
    )


def _id_comparison() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name="id_number",
        comparison_description="ID number, letters and digits only",
        comparison_levels=[
            cll.NullLevel("id_key"),
            cll.ExactMatchLevel("id_key").configure(label_for_charts="the same"),
            cll.DamerauLevenshteinLevel("id_key", 1).configure(label_for_charts="one character off"),
            cll.DamerauLevenshteinLevel("id_key", 2).configure(
                label_for_charts="two characters off"
            ),
            cll.ElseLevel(),
        ],
    )


def _phone_comparison() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name="phone",
        comparison_description="phone number in E.164",
        comparison_levels=[
            cll.And(cll.NullLevel("phone_e164"), cll.NullLevel("phone_tail")),
            cll.ExactMatchLevel("phone_e164").configure(label_for_charts="the same"),
            cll.ExactMatchLevel("phone_tail").configure(label_for_charts="same last 8 digits"),
            cll.ElseLevel(),
        ],
    )


def _address_comparison() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    jw = "jaro_winkler_similarity"
    return cl.CustomComparison(
        output_column_name="address",
        comparison_description="address, folded, street types abbreviated",
        comparison_levels=[
            cll.NullLevel("address_clean"),
            cll.ExactMatchLevel("address_clean").configure(label_for_charts="the same"),
            cll.CustomLevel(
                f"{jw}(address_clean_l, address_clean_r) >= 0.92",
                label_for_charts="nearly the same (Jaro-Winkler >= 0.92)",
            ),
            cll.CustomLevel(
                "address_number_l = address_number_r"
                f" AND {jw}(address_clean_l, address_clean_r) >= 0.75",
                label_for_charts="same number, similar street",
            ),
            cll.ElseLevel(),
        ],
    )


def _country_comparison() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name="country",
        comparison_description="country of residence and nationality",
        comparison_levels=[
            cll.And(cll.NullLevel("country"), cll.NullLevel("nationality")),
            cll.And(cll.ExactMatchLevel("country"), cll.ExactMatchLevel("nationality")).configure(
                label_for_charts="same country and nationality"
            ),
            cll.Or(cll.ExactMatchLevel("country"), cll.ExactMatchLevel("nationality")).configure(
                label_for_charts="same country or nationality"
            ),
            cll.ElseLevel(),
        ],
    )


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
        comparisons=[
            _name_comparison(),
            _birth_comparison(),
            _id_comparison(),
            _phone_comparison(),
            _address_comparison(),
            _country_comparison(),
        ],
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


def _quiet_splink() -> None:
    for name in ("splink", "py4j"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _register(db_api: Any, engine: str, table: pa.Table, name: str, workdir: Path) -> Any:
    if engine == "duckdb":
        return db_api.register(table, table_name=name)
    path = workdir / f"{name}.parquet"
    pq.write_table(table, path)
    return db_api.register(db_api.spark.read.parquet(str(path)), table_name=name)


def _db_api(engine: str) -> Any:
    _quiet_splink()
    if engine == "duckdb":
        from splink import DuckDBAPI

        return DuckDBAPI()
    if engine == "spark":
        from splink import SparkAPI

        from onca.engines._spark import spark_session

        return SparkAPI(spark_session=spark_session(), break_lineage_method="parquet")
    raise ParameterError(f"--engine: expected duckdb or spark, got {engine!r}")


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

    db_api = _db_api(engine)
    total = sum(t.num_rows for t in inputs)
    with tempfile.TemporaryDirectory(prefix="onca-resolve-") as tmp:
        frames = [
            _register(db_api, engine, t, f"parties_{i}", Path(tmp)) for i, t in enumerate(inputs)
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
            linker.training.estimate_probability_two_random_records_match(
                [
                    block_on("kind", "id_key", "birth_date"),
                    block_on("kind", "name_sorted", "birth_date"),
                    block_on("kind", "name_sorted", "phone_e164"),
                    block_on("kind", "name_sorted", "id_key"),
                ],
                recall=0.7,
            )
            step("estimating how often unrelated records agree (u)")
            linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=17)
            if labels is not None and labels.num_rows:
                step("estimating m from the labelled pairs")
                linker.training.estimate_m_from_pairwise_labels(
                    _register(db_api, engine, labels, "labels", Path(tmp))
                )
            else:
                step("expectation maximisation on pairs with the same name")
                linker.training.estimate_parameters_using_expectation_maximisation(
                    block_on("kind", "name_sorted"), estimate_without_term_frequencies=True
                )
                step("expectation maximisation on pairs with the same birth date")
                linker.training.estimate_parameters_using_expectation_maximisation(
                    block_on("kind", "birth_date"), estimate_without_term_frequencies=True
                )
                step("expectation maximisation on pairs with the same ID number")
                linker.training.estimate_parameters_using_expectation_maximisation(
                    block_on("kind", "id_key"), estimate_without_term_frequencies=True
                )
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
    return Prediction(
        pairs=pairs.filter(pa.compute.greater_equal(pairs["match_probability"], threshold)),
        clusters=clusters.select(["unique_id", "source", "cluster_id"])
        if "source" in clusters.column_names
        else clusters.select(["unique_id", "cluster_id"]),
        model=model,
        compared_pairs=compared,
        threshold=threshold,
        engine=engine,
    )


def _count_compared(linker: Any) -> int:
    try:
        counts = linker.inference.compute_blocked_pairs_for_predict()
        return int(counts.as_pyarrow_table().num_rows)
    except Exception:
        return -1
