"""Pictures of an SCR fit, as PNG bytes (Matplotlib, no display needed): the detection function
with its 95% band, the detections on the detector layout, and the density surface."""

from __future__ import annotations

from typing import Any

import numpy as np

from onca.ecology.scr._data import CaptureHistory
from onca.ecology.scr._fit import SCR
from onca.ecology.scr._likelihood import Prepared
from onca.errors import ParameterError
from onca.report._figures import PALETTE, _png, map_axes


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _one_session(model: SCR) -> Prepared:
    if not isinstance(model.prepared_, Prepared):
        raise ParameterError("pictures of a fit: one session at a time")
    return model.prepared_


def detection_function_png(model: SCR, *, draws: int = 2000, seed: int = 0) -> bytes:
    """g(d) for one occasion at full usage, 0 to 4 sigma, with a pointwise 95% band from
    ``draws`` coefficient vectors drawn from the estimate's normal approximation."""
    plt = _plt()
    prep = _one_session(model)
    fn = prep.spec.detectfn
    sigma = model.estimates_["sigma"].estimate
    d = np.linspace(0, 4 * sigma, 200)
    rng = np.random.default_rng(seed)
    # a coefficient with no variance (at a boundary) is held at its estimate
    vcov = np.nan_to_num(model.vcov_)
    sample = rng.multivariate_normal(model.beta_, vcov, size=draws, check_valid="ignore")
    curves = []
    for beta in sample:
        p0, s = prep.class_values(beta)
        curves.append(fn.probability(d, float(p0[0]), float(s[0])))
    lo, hi = np.percentile(np.asarray(curves), [2.5, 97.5], axis=0)
    p0, s = prep.class_values(model.beta_)
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    ax.fill_between(d, lo, hi, color=PALETTE[5], alpha=0.35, label="95% band")
    ax.plot(
        d, fn.probability(d, float(p0[0]), float(s[0])), color=PALETTE[0], lw=2, label="estimate"
    )
    ax.set_xlabel("distance from the activity centre (m)")
    ax.set_ylabel("detection probability per occasion")
    ax.set_title(f"Detection function ({fn.name}, {fn.title})", fontsize=10)
    ax.set_ylim(0, max(0.05, float(hi.max()) * 1.1))
    ax.legend(frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def detections_png(ch: CaptureHistory, mask_xy: np.ndarray | None = None) -> bytes:
    """The detectors (crosses; grey when they never ran), the mask (light dots) and each
    animal's detections joined to their centre (a spider per animal)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    if mask_xy is not None:
        ax.scatter(mask_xy[:, 0], mask_xy[:, 1], s=1, color="#dddddd", zorder=0)
    xy = ch.traps.xy
    ran = ch.effort().sum(axis=1) > 0
    ax.scatter(
        xy[ran, 0], xy[ran, 1], marker="+", s=40, color="#333333", zorder=2, label="detector"
    )
    if (~ran).any():
        ax.scatter(xy[~ran, 0], xy[~ran, 1], marker="+", s=40, color="#aaaaaa", zorder=2)
    for i in range(ch.n):
        k = np.nonzero(ch.counts[i].sum(axis=0))[0]
        pts = xy[k]
        centre = pts.mean(axis=0)
        colour = PALETTE[i % len(PALETTE)]
        for p in pts:
            ax.plot([centre[0], p[0]], [centre[1], p[1]], color=colour, lw=1, alpha=0.8, zorder=3)
        ax.scatter(pts[:, 0], pts[:, 1], s=18, color=colour, zorder=4)
    ax.set_aspect("equal")
    map_axes(ax)
    ax.set_title(
        f"{ch.n} animals, {ch.detections} detections at {len(ch.traps)} detectors", fontsize=10
    )
    return _png(fig)


def density_surface_png(model: SCR) -> bytes:
    """The fitted density at each mask point (animals per 100 km2); flat for ~1 models."""
    plt = _plt()
    prep = _one_session(model)
    mask = prep.mask
    dens = prep.density(model.beta_) * 1e4
    fig, ax = plt.subplots(figsize=(6.5, 5.2))
    pts = ax.scatter(
        mask.xy[:, 0],
        mask.xy[:, 1],
        c=dens,
        s=max(2.0, 4000 / len(mask)),
        marker="s",
        cmap="viridis",
    )
    ax.scatter(prep.ch.traps.xy[:, 0], prep.ch.traps.xy[:, 1], marker="+", color="white", s=30)
    fig.colorbar(pts, ax=ax, label="animals per 100 km²")
    ax.set_aspect("equal")
    map_axes(ax)
    ax.set_title("Density surface", fontsize=10)
    return _png(fig)
