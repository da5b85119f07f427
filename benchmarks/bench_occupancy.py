"""Occupancy benchmark: speed against the issue's targets, and a simulation study with
covariates.

a. ``Occupancy`` with 3 covariates (psi ~ x1 + x2, p ~ w; w an observation covariate) on 500
   sites x 60 occasions: median wall time over --repeats fits (target <= 1 s); the Royle-Nichols
   model on the same data (lambda ~ x1 + x2, r ~ w; K = 25; target <= 5 s). Baseline in the same
   run: the same likelihoods maximised with a finite-difference gradient.
b. Simulation study: --datasets data sets of 200 sites x 5 occasions, 10% of occasions not
   surveyed, logit(psi) = 0.3 + 1.0 x (x ~ N(0, 1) per site), logit(p) = -0.3 + 0.6 w (w ~ N(0, 1)
   per occasion). Per data set: the mean occupancy over the sites, psi-bar = mean_i psi_i, with
   a 95% interval (delta method on the logit scale); the relative bias of psi-bar against the
   true mean psi_i and the coverage of its interval; also the forest-type slope's.

    .venv/bin/python benchmarks/bench_occupancy.py
    .venv/bin/python benchmarks/bench_occupancy.py --datasets 20
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import time

import numpy as np
import psutil
from scipy.optimize import minimize
from scipy.special import expit, logit

from onca.ecology.occupancy import DetectionHistory, Occupancy
from onca.ecology.occupancy._models import _OccuLik, _RNLik
from onca.ecology.occupancy._simulate import simulate_occu, simulate_rn

Z = 1.959963984540054


def timing(repeats: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    s, j = 500, 60
    x1, x2, w = rng.normal(size=s), rng.normal(size=s), rng.normal(size=(s, j))
    psi = expit(0.2 + 0.8 * x1 - 0.5 * x2)
    p = expit(-1.5 + 0.7 * w)
    h, _ = simulate_occu(psi, p, rng, site_covs={"x1": x1, "x2": x2}, obs_covs={"w": w})
    lam = np.exp(0.3 + 0.5 * x1 - 0.2 * x2)
    hr, _ = simulate_rn(lam, expit(-2.2 + 0.3 * w), rng)
    hr = DetectionHistory(hr.sites, hr.y, {"x1": x1, "x2": x2}, {"w": w})
    out = {}
    for name, data, model in (("occu", h, "occu"), ("rn", hr, "rn")):
        Occupancy(model=model, psi="~ x1 + x2", p="~ w").fit(data)
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            fitted = Occupancy(model=model, psi="~ x1 + x2", p="~ w").fit(data)
            times.append(time.perf_counter() - t)
        design = fitted.design_
        lik = _OccuLik(data, design) if model == "occu" else _RNLik(data, design, 25)
        t = time.perf_counter()
        base = minimize(
            lambda b, f=lik: -f.value_grad(b)[0], np.zeros(fitted.beta_.size), method="BFGS"
        )
        baseline = time.perf_counter() - t
        out[name] = {
            "sites": s, "occasions": j, "median_s": statistics.median(times), "max_s": max(times),
            "baseline_numeric_gradient_s": baseline,
            "same_optimum": bool(np.allclose(base.x, fitted.beta_, atol=1e-3)),
        }  # fmt: skip
    return out


def study(datasets: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    s, j = 200, 5
    truth = np.array([0.3, 1.0])
    bias, covered, slope_cov, slope, failures = [], 0, 0, [], 0
    for _ in range(datasets):
        x = rng.normal(size=s)
        w = rng.normal(size=(s, j))
        psi = expit(truth[0] + truth[1] * x)
        p = expit(-0.3 + 0.6 * w)
        surveyed = rng.random((s, j)) > 0.1
        h, _ = simulate_occu(
            psi,
            p,
            rng,
            surveyed=surveyed,
            site_covs={"x": x},
            obs_covs={"w": np.where(surveyed, w, np.nan)},
        )
        try:
            m = Occupancy(psi="~ x", p="~ w").fit(h)
        except Exception:  # a failed fit is counted, not hidden
            failures += 1
            continue
        b, v = m.beta_[:2], m.vcov_[:2, :2]
        X = np.column_stack([np.ones(s), x])
        fitted = expit(X @ b)
        mean_psi = float(fitted.mean())
        grad = (fitted * (1 - fitted)) @ X / s  # d mean psi / d beta
        se_logit = math.sqrt(grad @ v @ grad) / (mean_psi * (1 - mean_psi))
        lo = float(expit(logit(mean_psi) - Z * se_logit))
        hi = float(expit(logit(mean_psi) + Z * se_logit))
        target = float(psi.mean())
        bias.append(mean_psi / target - 1)
        covered += lo <= target <= hi
        se_b = math.sqrt(m.vcov_[1, 1])
        slope.append(float(b[1]))
        slope_cov += abs(b[1] - truth[1]) <= Z * se_b
    n = len(bias)
    return {
        "datasets": datasets, "fitted": n, "failures": failures, "sites": s, "occasions": j,
        "relative_bias_mean_psi": statistics.fmean(bias),
        "bias_mc_se": statistics.stdev(bias) / math.sqrt(n),
        "coverage_mean_psi": covered / n,
        "slope_mean": statistics.fmean(slope), "slope_true": float(truth[1]),
        "coverage_slope": slope_cov / n,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    started = time.perf_counter()
    speed = timing(args.repeats, args.seed)
    sim = study(args.datasets, args.seed + 1)
    for name, r in speed.items():
        print(
            f"{name}: 500 sites x 60 occasions, 3 covariates: median {r['median_s']:.3f} s (max {r['max_s']:.3f} s);"
            f" finite-difference baseline {r['baseline_numeric_gradient_s']:.3f} s; same optimum: {r['same_optimum']}"
        )
    print()
    print(
        "| data sets | fitted | relative bias of mean psi | Monte Carlo SE | 95% CI coverage (mean psi) | slope (truth 1.0) | coverage (slope) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {sim['datasets']} | {sim['fitted']} | {sim['relative_bias_mean_psi']:+.4f} | {sim['bias_mc_se']:.4f} |"
        f" {sim['coverage_mean_psi']:.3f} | {sim['slope_mean']:.3f} | {sim['coverage_slope']:.3f} |"
    )
    print()
    print(json.dumps({"machine": f"{platform.machine()}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB",
                      "speed": speed, "simulation": sim, "seconds": round(time.perf_counter() - started, 1)}, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
