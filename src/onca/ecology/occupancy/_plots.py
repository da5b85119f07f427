"""Pictures of an occupancy fit (PNG bytes): occupancy against a site covariate with its 95%
band, and a map of each site's probability of being occupied given the data."""

from __future__ import annotations

from typing import Any

import numpy as np

from onca.ecology.occupancy._terms import base_of
from onca.report._figures import PALETTE, _png, map_axes


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def covariate_curve_png(model: Any, covariate: str) -> bytes:
    """psi (or lambda) against ``covariate`` over its observed range, other covariates at their
    means (text covariates at their first level)."""
    plt = _plt()
    h = model.history_
    x = np.asarray(h.site_covs[covariate], dtype=np.float64)
    grid = np.linspace(x.min(), x.max(), 100)
    values = {}
    bases = dict.fromkeys(base_of(t)[0] for t in model.design_.state_cols.terms)  # I(x^2): x
    for term in bases:
        raw = np.asarray(h.site_covs[term])
        if term == covariate:
            values[term] = grid
        elif term in model.design_.state_cols.levels:
            values[term] = np.full(
                grid.size, model.design_.state_cols.levels[term][0], dtype=object
            )
        else:
            values[term] = np.full(grid.size, float(raw.astype(np.float64).mean()))
    est, lo, hi = model.predict_state(values)
    label = "occupancy probability" if model.model == "occu" else "expected abundance (lambda)"
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    ax.fill_between(grid, lo, hi, color=PALETTE[5], alpha=0.35, label="95% band")
    ax.plot(grid, est, color=PALETTE[0], lw=2, label="estimate")
    ax.plot(
        x,
        np.full(x.size, 0.0 if model.model == "occu" else float(lo.min()) * 0.9),
        "|",
        color="#555555",
        ms=8,
        label="sites",
    )
    ax.set_xlabel(covariate)
    ax.set_ylabel(label)
    if model.model == "occu":
        ax.set_ylim(-0.03, 1.03)
    ax.legend(frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def site_map_png(model: Any, title: str = "") -> bytes:
    """Sites at their coordinates, coloured by P(occupied | data); detections ringed."""
    plt = _plt()
    h = model.history_
    if h.xy is None:
        raise ValueError("the sites have no coordinates")
    seen = np.nansum(h.y, axis=1) > 0
    fig, ax = plt.subplots(figsize=(6.5, 4.8))
    pts = ax.scatter(
        h.xy[:, 0],
        h.xy[:, 1],
        c=model.site_occupancy_,
        cmap="viridis",
        vmin=0,
        vmax=1,
        s=80,
        edgecolors=np.where(seen, "black", "none"),
    )
    fig.colorbar(pts, ax=ax, label="P(occupied | detections)")
    ax.set_aspect("equal")
    map_axes(ax)
    ax.set_title(title or "Conditional occupancy per site (ringed: detected)", fontsize=10)
    return _png(fig)
