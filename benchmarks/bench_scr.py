"""Spatial capture-recapture benchmark: speed against the issue's targets, and a simulation
study of bias and interval coverage.

a. secr's captdata, null model (HN, buffer 100, full likelihood): median wall time of
   ``SCR().fit`` over --repeats runs in this process (target <= 0.5 s; secr's book reports a
   median of 2.31 s with 2 threads on other hardware). Baseline in the same run: the same
   likelihood maximised with a finite-difference gradient and Hessian (what a straightforward
   port does).
b. A 50-camera, 90-night proximity survey with a mask of about 4,000 points (target <= 5 s).
c. Simulation study: --datasets surveys simulated from the model with known D for multi-catch
   traps and for proximity detectors (a 10 x 10 grid 30 m apart, 5 occasions, HN with
   sigma 25 m; D 5 per hectare; mask buffer 100 m); per detector, the relative bias of D
   (mean of D-hat / D - 1, with its Monte Carlo SE) and the coverage of the 95% interval
   (target: bias within +/- 3%, coverage 0.92 to 0.98).

    .venv/bin/python benchmarks/bench_scr.py                   # 200 data sets per detector
    .venv/bin/python benchmarks/bench_scr.py --datasets 20     # a quick look
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import time
import warnings
from pathlib import Path

import numpy as np
import psutil
from scipy.optimize import minimize

from onca.ecology.scr import SCR, make_mask, read_secr
from onca.ecology.scr._simulate import simulate_captures, simulate_population, trap_grid
from onca.errors import OncaWarning

ROOT = Path(__file__).resolve().parents[1]
CAPTDATA = (
    Path(os.environ.get("ONCA_SHARED_DATA", ROOT.parent / "shared" / "data")) / "secr-captdata"
)


def captdata_timing(repeats: int) -> dict:
    ch = read_secr(CAPTDATA / "trap.txt", CAPTDATA / "capt.txt", detector="single")
    SCR().fit(ch)  # compile and load the kernels once
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        model = SCR().fit(ch)
        times.append(time.perf_counter() - t)
    prep = model.prepare(ch)
    t = time.perf_counter()
    baseline = minimize(lambda b: -prep.loglik(b), model._start(prep), method="BFGS")
    h = 1e-4
    k = baseline.x.size
    for i in range(k):  # a forward-difference Hessian, as R's nlm does
        for j in range(i, k):
            e_i, e_j = np.eye(k)[i] * h, np.eye(k)[j] * h
            prep.loglik(baseline.x + e_i + e_j)
            prep.loglik(baseline.x + e_i)
    baseline_s = time.perf_counter() - t
    return {
        "median_s": statistics.median(times),
        "max_s": max(times),
        "baseline_numeric_gradient_s": baseline_s,
        "baseline_evaluations": int(baseline.nfev),
        "D": model.estimates_["D"].estimate,
        "loglik": model.loglik_,
    }


def camera_survey(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    traps = trap_grid(10, 5, 1500.0, "proximity")
    region = make_mask(traps, buffer=6000, spacing=400)
    centres = simulate_population(region, 0.0012, rng)  # 12 per 100 km2
    sim = simulate_captures(traps, centres, p0=0.04, sigma=1500.0, occasions=90, rng=rng)
    spacing = math.sqrt(((9 * 1500 + 12000) * (4 * 1500 + 12000)) / 4000)
    mask = make_mask(traps, buffer=6000, spacing=spacing, type="traprect")
    SCR().fit(sim.capthist, mask)  # warm
    t = time.perf_counter()
    model = SCR().fit(sim.capthist, mask)
    seconds = time.perf_counter() - t
    return {
        "cameras": len(traps),
        "nights": 90,
        "mask_points": len(mask),
        "animals": sim.capthist.n,
        "detections": sim.capthist.detections,
        "seconds": seconds,
        "D_per_100km2": model.estimates_["D"].estimate * 1e4,
        "true_D_per_100km2": 12.0,
    }


def simulation_study(detector: str, datasets: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    traps = trap_grid(10, 10, 30.0, detector)
    region = make_mask(traps, buffer=100, nx=64)
    truth = 5.0
    p0 = 0.25 if detector == "multi" else 0.15
    ratios, covered, se_ratio, animals, failures = [], 0, [], [], 0
    for _ in range(datasets):
        centres = simulate_population(region, truth, rng)
        sim = simulate_captures(traps, centres, p0=p0, sigma=25.0, occasions=5, rng=rng)
        try:
            model = SCR(buffer=100).fit(sim.capthist)
        except Exception:  # a failed fit is counted, not hidden
            failures += 1
            continue
        d = model.estimates_["D"]
        ratios.append(d.estimate / truth)
        se_ratio.append(d.se / truth)
        covered += d.lcl <= truth <= d.ucl
        animals.append(sim.capthist.n)
    fitted = len(ratios)
    bias = statistics.fmean(ratios) - 1
    return {
        "detector": detector,
        "datasets": datasets,
        "fitted": fitted,
        "failures": failures,
        "true_D": truth,
        "mean_animals": statistics.fmean(animals),
        "relative_bias": bias,
        "bias_mc_se": statistics.stdev(ratios) / math.sqrt(fitted),
        "coverage": covered / fitted,
        "mean_se_over_sd": statistics.fmean(se_ratio) / statistics.stdev(ratios),
        "bias_ok": abs(bias) <= 0.03,
        "coverage_ok": 0.92 <= covered / fitted <= 0.98,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    warnings.simplefilter("ignore", OncaWarning)
    started = time.perf_counter()
    timing = captdata_timing(args.repeats)
    survey = camera_survey(args.seed)
    studies = [
        simulation_study(d, args.datasets, args.seed + i)
        for i, d in enumerate(("multi", "proximity"))
    ]
    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB",
        "captdata": timing,
        "camera_survey": survey,
        "simulation": studies,
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(
        f"captdata null fit: median {timing['median_s']:.3f} s (max {timing['max_s']:.3f} s) over {args.repeats};"
        f" baseline with a numerical gradient {timing['baseline_numeric_gradient_s']:.3f} s"
    )
    print(
        f"50 cameras x 90 nights, {survey['mask_points']} mask points, {survey['animals']} animals:"
        f" {survey['seconds']:.3f} s"
    )
    print()
    print(
        "| detectors | data sets | fitted | animals (mean) | relative bias of D | Monte Carlo SE | 95% CI coverage | mean SE / SD |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for s in studies:
        print(
            f"| {s['detector']} | {s['datasets']} | {s['fitted']} | {s['mean_animals']:.1f} | {s['relative_bias']:+.4f} |"
            f" {s['bias_mc_se']:.4f} | {s['coverage']:.3f} | {s['mean_se_over_sd']:.3f} |"
        )
    print()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
