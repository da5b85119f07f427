"""Matplotlib figures for the report, returned as PNG bytes (Agg backend, no display needed)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from itertools import pairwise

import matplotlib

matplotlib.use("Agg")  # before pyplot is imported: no display on servers
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

# Colour-blind-safe palette (Okabe and Ito 2008).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def stacked_weekly(
    weeks: Sequence[str], series: Mapping[str, Sequence[int]], *, ylabel: str
) -> bytes:
    """Stacked bars, one per week, one colour per series (e.g. payment channel)."""
    fig, ax = plt.subplots(figsize=(9, 3.6))
    bottom = [0] * len(weeks)
    x = range(len(weeks))
    for i, (name, values) in enumerate(series.items()):
        ax.bar(x, values, bottom=bottom, width=1.0, label=name, color=PALETTE[i % len(PALETTE)])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    step = max(1, len(weeks) // 12)
    ax.set_xticks(
        list(x)[::step], [weeks[i] for i in range(0, len(weeks), step)], rotation=45, ha="right"
    )
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def log_histogram(edges: Sequence[float], counts: Sequence[int], *, xlabel: str) -> bytes:
    """A histogram already binned on a log scale (edges has one more item than counts)."""
    fig, ax = plt.subplots(figsize=(7, 3.4))
    widths = [b - a for a, b in pairwise(edges)]
    ax.bar(edges[:-1], counts, width=widths, align="edge", color=PALETTE[0], edgecolor="white")
    ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("transactions")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def horizontal_bars(labels: Sequence[str], values: Sequence[float], *, xlabel: str) -> bytes:
    """Ranked horizontal bars, largest on top."""
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(labels) + 1.0))
    ax.barh(list(labels)[::-1], list(values)[::-1], color=PALETTE[2])
    ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)
