"""Every typology gives the same alerts on DuckDB and on Spark, on a generated world."""

from __future__ import annotations

from pathlib import Path

import pytest

import onca.workspace
from onca.engines import open_engine
from onca.finance import run_typologies
from onca.finance._typology import Typology


@pytest.mark.slow
@pytest.mark.xdist_group("spark")
def test_duckdb_and_spark_raise_identical_alerts(
    scenario: tuple[Path, Path], library: dict[str, Typology]
) -> None:
    path, _ = scenario
    typologies = [library[t] for t in sorted(library)]
    with onca.workspace.open(path) as ws:
        with open_engine(ws, "duckdb") as duck:
            duck_alerts, _ = run_typologies(duck, typologies)
        with open_engine(ws, "spark") as spark:
            spark_alerts, _ = run_typologies(spark, typologies)
    assert len(duck_alerts) > 0
    by_typology = {t.id: 0 for t in typologies}
    for alert in duck_alerts:
        by_typology[alert.typology_id] += 1
    # A few typologies need data the small world may not hold (a permit used after it expired, a
    # shipment priced 3 standard deviations off); their hand-made tests cover them.
    silent = [t for t, n in by_typology.items() if n == 0]
    assert len(silent) <= 3, f"typologies with no alert on the scenario: {silent}"
    duck_keys = sorted(a.key() for a in duck_alerts)
    spark_keys = sorted(a.key() for a in spark_alerts)
    only_duck = [k for k in duck_keys if k not in set(spark_keys)][:5]
    only_spark = [k for k in spark_keys if k not in set(duck_keys)][:5]
    assert duck_keys == spark_keys, (only_duck, only_spark)
    assert sorted(a.alert_id for a in duck_alerts) == sorted(a.alert_id for a in spark_alerts)


@pytest.mark.slow
@pytest.mark.xdist_group("spark")
def test_account_features_are_the_same_on_spark(scenario: tuple[Path, Path]) -> None:
    from onca.finance import load_lists
    from onca.finance._account_features import account_features

    fx = load_lists()["fx_units_per_usd"].values
    assert isinstance(fx, dict)
    path, _ = scenario
    with onca.workspace.open(path) as ws:
        with open_engine(ws, "duckdb") as duck:
            on_duck = account_features(duck, fx)
        with open_engine(ws, "spark", tables=["transactions", "accounts"]) as spark:
            on_spark = account_features(spark, fx)
    assert len(on_duck) == len(on_spark) > 100
    assert sum(r["outlier_payments"] for r in on_duck) > 0
    for d, s in zip(on_duck, on_spark, strict=True):
        assert d["account_id"] == s["account_id"]
        for key, value in d.items():
            if key != "account_id":
                assert float(s[key]) == pytest.approx(float(value), rel=1e-9, abs=1e-6), (d, key)
