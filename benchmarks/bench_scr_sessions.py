"""Multi-session spatial capture-recapture: speed against the issue's target, and a simulation
study of bias and interval coverage per session.

a. Five sessions x 40 multi-catch detectors (an 8 x 5 grid 30 m apart) x 10 occasions, HN,
   a density per session (``D ~ session``), g0 per session (``g0 ~ session``), one sigma
   (target <= 5 s for ``SCR().fit``). Baseline in the same run: the same likelihood maximised
   by the same optimiser with a finite-difference gradient (scipy's two-point differences)
   instead of the analytic one.
b. Simulation study: --datasets data sets of three sessions with true densities 3, 5 and 8
   per hectare (g0 0.2, sigma 25 m, the grid above, 5 occasions), each fitted with
   ``D ~ session``; per session, the relative bias of D (with its Monte Carlo SE) and the
   coverage of its 95% interval.

    .venv/bin/python benchmarks/bench_scr_sessions.py                 # 200 data sets
    .venv/bin/python benchmarks/bench_scr_sessions.py --datasets 20   # a quick look
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import time
import warnings

import numpy as np
from scipy.optimize import minimize

from onca.ecology.scr import SCR, make_mask
from onca.ecology.scr._data import Sessions
from onca.ecology.scr._simulate import simulate_captures, simulate_population, trap_grid
from onca.errors import OncaWarning

SIGMA = 25.0


def simulate_sessions(
    densities: list[float], g0: list[float], occasions: int, rng: np.random.Generator
) -> Sessions:
    traps = trap_grid(8, 5, 30.0, "multi")
    region = make_mask(traps, buffer=100, nx=48)
    histories = []
    for d, p0 in zip(densities, g0, strict=True):
        centres = simulate_population(region, d, rng)
        sim = simulate_captures(traps, centres, p0=p0, sigma=SIGMA, occasions=occasions, rng=rng)
        histories.append(sim.capthist)
    return Sessions(tuple(f"s{i + 1}" for i in range(len(densities))), tuple(histories))


def timing(seed: int, repeats: int) -> dict:
    rng = np.random.default_rng(seed)
    sessions = simulate_sessions(
        [3.0, 4.0, 5.0, 6.0, 7.0], [0.15, 0.2, 0.2, 0.25, 0.3], occasions=10, rng=rng
    )
    model = {"D": "~ session", "g0": "~ session"}
    SCR(model=model).fit(sessions)  # compile and load the kernels once
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fitted = SCR(model=model).fit(sessions)
        times.append(time.perf_counter() - t)
    prep = fitted.prepare(sessions)
    evaluations = [0]

    def value_only(beta: np.ndarray) -> float:
        evaluations[0] += 1
        return -prep.loglik(beta)

    start = fitted._start(prep)
    t = time.perf_counter()
    base = minimize(value_only, start, method="BFGS")
    baseline = time.perf_counter() - t
    return {
        "sessions": 5,
        "detectors": 40,
        "occasions": 10,
        "animals": sessions.n,
        "coefficients": len(fitted.names_),
        "fit_median_s": statistics.median(times),
        "fit_max_s": max(times),
        "baseline_finite_difference_s": baseline,
        "baseline_evaluations": evaluations[0],
        "same_optimum": bool(abs(-base.fun - fitted.loglik_) < 1e-3),
        "D_per_session": {
            name: round(e["D"].estimate, 3) for name, e in fitted.session_estimates_.items()
        },
    }


def study(datasets: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    truth = [3.0, 5.0, 8.0]
    ratios: list[list[float]] = [[] for _ in truth]
    covered = [0 for _ in truth]
    failures = 0
    for _ in range(datasets):
        sessions = simulate_sessions(truth, [0.2, 0.2, 0.2], occasions=5, rng=rng)
        try:
            fitted = SCR(model={"D": "~ session"}, buffer=100).fit(sessions)
        except Exception:  # a failed fit is counted, not hidden
            failures += 1
            continue
        for i, name in enumerate(sessions.names):
            d = fitted.session_estimates_[name]["D"]
            ratios[i].append(d.estimate / truth[i])
            covered[i] += d.lcl <= truth[i] <= d.ucl
    fitted_n = len(ratios[0])
    return {
        "datasets": datasets,
        "failures": failures,
        "per_session": [
            {
                "true_D": truth[i],
                "relative_bias": statistics.fmean(r) - 1,
                "bias_mc_se": statistics.stdev(r) / math.sqrt(fitted_n),
                "coverage": covered[i] / fitted_n,
            }
            for i, r in enumerate(ratios)
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    warnings.simplefilter("ignore", OncaWarning)
    load = os.getloadavg()
    started = time.perf_counter()
    result = {
        "load_average_1_5_15": [round(x, 2) for x in load],
        "seed": args.seed,
        "timing": timing(args.seed, args.repeats),
        "study": study(args.datasets, args.seed + 1),
    }
    result["seconds"] = round(time.perf_counter() - started, 1)
    t = result["timing"]
    print(
        f"5 sessions x 40 detectors x 10 occasions, D~session g0~session: fit median"
        f" {t['fit_median_s']:.2f} s (target 5 s); finite-difference baseline"
        f" {t['baseline_finite_difference_s']:.2f} s; same optimum: {t['same_optimum']}"
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
