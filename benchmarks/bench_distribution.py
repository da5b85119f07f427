"""MaxEnt benchmark: the synthetic ocelot records and layers of the demo (seed 7), fitted with
4-fold spatially blocked cross-validation; wall time, CV AUC and the Spearman correlation of
the predicted with the true suitability.

    .venv/bin/python benchmarks/bench_distribution.py
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

from onca.ecology.distribution import MaxEnt, project, read_occurrences, read_rasters
from onca.synth._distribution import true_suitability, write_distribution_data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        write_distribution_data(tmp, seed=args.seed)
        folder = Path(tmp) / "distribution"
        stack = read_rasters([folder / "elevation.tif", folder / "forest.tif"])
        lon, lat, _ = read_occurrences(folder / "occurrences.csv")
        x, y = project(lon, lat, stack.crs)
        started = time.perf_counter()
        fit = MaxEnt().fit(stack, x, y)
        seconds = time.perf_counter() - started
    truth = true_suitability(stack.layers["elevation"], stack.layers["forest"])
    ok = np.isfinite(fit.suitability_) & np.isfinite(truth)
    rho = spearmanr(fit.suitability_[ok], truth[ok]).statistic
    print(
        f"{lon.size} records, {int(stack.valid.sum()):,} pixels, {fit.n_background_:,} background points:"
        f" {seconds:.2f} s; spatial CV AUC {fit.cv_auc_mean_:.3f} (folds {', '.join(f'{a:.3f}' for a in fit.cv_auc_)});"
        f" Spearman with the true suitability {rho:.3f}"
    )


if __name__ == "__main__":
    main()
