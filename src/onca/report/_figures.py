"""Matplotlib figures for the report, returned as PNG bytes (Agg backend, no display needed)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before pyplot is imported: no display on servers
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

# Colour-blind-safe palette (Okabe and Ito 2008).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def text_overlaps(fig: Figure, *, pad: float = 0.5) -> list[tuple[str, str]]:
    """Pairs of visible texts of ``fig`` (titles, axis and tick labels, annotations, legend
    entries) whose boxes on the drawn figure overlap by more than ``pad`` pixels each way:
    labels that run together. Draws the figure first; empty texts and texts outside the
    figure (tick labels beyond the axis limits) do not count."""
    from matplotlib.text import Text

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg canvases have one
    whole = fig.bbox
    boxes = []
    for text in fig.findobj(Text):
        if not text.get_visible() or not text.get_text().strip():
            continue
        box = text.get_window_extent(renderer)
        if box.width <= 0 or box.height <= 0 or not box.overlaps(whole):
            continue
        boxes.append((text.get_text(), box.expanded(1.0, 1.0)))
    found = []
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            dx = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
            dy = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
            if dx > pad and dy > pad:
                found.append((a, b))
    return found


# Where a label may sit around its point, in order of preference: (dx, dy) in points, and the
# label's alignment there.
_AROUND = (
    (6, 0, "left", "center"),
    (-6, 0, "right", "center"),
    (0, 6, "center", "bottom"),
    (0, -6, "center", "top"),
    (5, 5, "left", "bottom"),
    (-5, 5, "right", "bottom"),
    (5, -5, "left", "top"),
    (-5, -5, "right", "top"),
)


def place_labels(
    ax: Any, points: Sequence[tuple[float, float]], texts: Sequence[str], **style: Any
) -> list[Any]:
    """Annotate ``points`` (data coordinates) with ``texts``, most important first, each at the
    first spot around its point (right, left, above, below, then the diagonals) where it
    overlaps no text already on the figure (title, legend, labels placed before) and stays
    inside the figure; a label with no free spot is left out. ``style`` passes on to
    ``ax.annotate`` (fontsize, path_effects...). Returns the annotations placed."""
    from matplotlib.text import Text

    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    taken = [
        t.get_window_extent(renderer)
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip()
    ]
    placed = []
    for xy, text in zip(points, texts, strict=True):
        for dx, dy, ha, va in _AROUND:
            label = ax.annotate(
                text, xy, xytext=(dx, dy), textcoords="offset points", ha=ha, va=va, **style
            )
            box = label.get_window_extent(renderer)
            inside = fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1
            inside = inside and fig.bbox.y0 <= box.y0 and box.y1 <= fig.bbox.y1
            if inside and not any(box.overlaps(other) for other in taken):
                taken.append(box)
                placed.append(label)
                break
            label.remove()
    return placed


def map_axes(ax: Any, *, metres: bool = True, crs: str = "") -> None:
    """Map axes whose tick labels never run together: at most six ticks per axis, none on the
    y axis at its lower end (where it would meet the first x label), no offset text ("1e6"),
    and projected coordinates in ``metres`` shown as kilometres (an easting of 445,000 reads
    445, a northing of 8,042,500 reads 8,042.5). ``crs`` is named in the axis labels."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator, ScalarFormatter

    for axis, prune in ((ax.xaxis, None), (ax.yaxis, "lower")):  # no y label in the corner
        axis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10], prune=prune))
        if metres:
            axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / 1000:,g}"))
        else:
            plain = ScalarFormatter(useOffset=False)
            plain.set_scientific(False)
            axis.set_major_formatter(plain)
    unit = "km" if metres else "map units"
    where = f", {crs}" if crs else ""
    ax.set_xlabel(f"x ({unit}{where})")
    ax.set_ylabel(f"y ({unit})")


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
    step = max(1, -(-len(weeks) // 8))  # at most 8 labels: they fit side by side, unrotated
    ax.set_xticks(list(x)[::step], [weeks[i] for i in range(0, len(weeks), step)], fontsize=8)
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
