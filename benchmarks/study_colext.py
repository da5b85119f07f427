"""Simulation study of dynamic occupancy (``DynamicOccupancy``, unmarked's colext): bias, root
mean square error and 95% interval coverage over many simulated data sets.

Each data set is drawn by ``bench_colext.simulate`` (200 sites x 4 seasons x 5 occasions,
covariates on every part, 10% of occasions not surveyed) with its own seed, and fitted with
the true formulas. For every coefficient: mean bias, RMSE and the share of Wald 95% intervals
that hold the true value; for the projected occupancy of each season: the share of its 95%
intervals that hold the true expected occupancy (psi carried forward by the true gamma and
epsilon, averaged over the sites).

    .venv/bin/python benchmarks/study_colext.py              # 200 data sets, seeds 1..200
    .venv/bin/python benchmarks/study_colext.py --datasets 50 --first-seed 1000
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.special import expit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_colext import FORMULAS, TRUTH, simulate

from onca.ecology._mle import Z95
from onca.ecology.occupancy import DynamicOccupancy
from onca.errors import OncaWarning


def true_projected(seed: int, seasons: int = 4) -> np.ndarray:
    """The expected share occupied per season under the true coefficients, for the covariates
    of data set ``seed`` (``simulate`` draws them first from the same generator)."""
    h = simulate(seed)
    forest = np.asarray(h.site_covs["forest"], dtype=np.float64)
    loss = np.asarray(h.yearly_covs["loss"], dtype=np.float64)
    psi = expit(TRUTH["psi"][0] + TRUTH["psi"][1] * forest)
    out = [psi.mean()]
    gamma = expit(TRUTH["gamma"][0])
    for t in range(1, seasons):
        eps = expit(TRUTH["epsilon"][0] + TRUTH["epsilon"][1] * loss[:, t - 1])
        psi = psi * (1 - eps) + (1 - psi) * gamma
        out.append(psi.mean())
    return np.array(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=200)
    parser.add_argument("--first-seed", type=int, default=1)
    args = parser.parse_args()
    load = os.getloadavg()
    truth = np.concatenate([TRUTH[k] for k in ("psi", "gamma", "epsilon", "p")])
    estimates, covered, projected_covered = [], [], []
    failed = 0
    started = time.perf_counter()
    for seed in range(args.first_seed, args.first_seed + args.datasets):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OncaWarning)
            model = DynamicOccupancy(**FORMULAS).fit(simulate(seed))
        if not model.converged_:
            failed += 1
        se = np.sqrt(np.diag(model.vcov_))
        estimates.append(model.beta_)
        covered.append(np.abs(model.beta_ - truth) <= Z95 * se)
        want = true_projected(seed)
        projected_covered.append(
            [e.lcl <= w <= e.ucl for e, w in zip(model.projected_, want, strict=True)]
        )
    seconds = time.perf_counter() - started
    est = np.array(estimates)
    names = model.names_
    result = {
        "load_average_1_5_15": [round(x, 2) for x in load],
        "datasets": args.datasets,
        "seeds": [args.first_seed, args.first_seed + args.datasets - 1],
        "not_converged": failed,
        "seconds": round(seconds, 1),
        "coefficients": {
            n: {
                "truth": float(t),
                "mean": round(float(est[:, j].mean()), 4),
                "bias": round(float(est[:, j].mean() - t), 4),
                "rmse": round(float(np.sqrt(((est[:, j] - t) ** 2).mean())), 4),
                "coverage_95": round(float(np.mean([c[j] for c in covered])), 3),
            }
            for j, (n, t) in enumerate(zip(names, truth, strict=True))
        },
        "projected_coverage_95": [
            round(float(v), 3) for v in np.mean(np.array(projected_covered), axis=0)
        ],
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
