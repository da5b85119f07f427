"""Figure helpers: finding labels that collide, placing labels so that they do not, and map
axes whose tick labels never run together."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from onca.report._figures import map_axes, place_labels, stacked_weekly, text_overlaps


def test_overlapping_texts_are_found_and_separate_ones_are_not() -> None:
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.text(0.5, 0.5, "Kowloon Wanli General Trading")
    ax.text(0.52, 0.51, "Ingrid Fung A Loi")
    ax.text(0.1, 0.1, "far away")
    ax.text(0.5, 0.5, "   ")  # blank: not a label
    assert text_overlaps(fig) == [("Kowloon Wanli General Trading", "Ingrid Fung A Loi")]
    plt.close(fig)


def test_map_axes_keep_long_eastings_apart() -> None:
    """Eastings of a UTM zone (400,000 to 450,000 m) on a narrow map ran together as metres."""
    fig, ax = plt.subplots(figsize=(3.5, 3))
    ax.scatter([410_000, 445_000], [8_030_000, 8_060_000])
    ax.set_aspect("equal")
    assert text_overlaps(fig)  # Matplotlib's defaults collide here
    map_axes(ax)
    assert text_overlaps(fig) == []
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert all(len(label) <= 5 for label in labels) and ax.get_xlabel() == "x (km)"
    assert ax.yaxis.get_offset_text().get_text() == ""  # no "1e6" above the axis
    plt.close(fig)


def test_map_axes_in_degrees_keep_their_values() -> None:
    fig, ax = plt.subplots(figsize=(3.5, 3))
    ax.scatter([-64.1, -63.2], [-17.9, -17.1])
    map_axes(ax, metres=False, crs="EPSG:4326")
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    minus = "\N{MINUS SIGN}"  # Matplotlib's tick labels use the typographic minus
    assert any(label.replace(minus, "-").startswith("-64") for label in labels)
    assert ax.get_xlabel() == "x (map units, EPSG:4326)" and text_overlaps(fig) == []
    plt.close(fig)


def test_labels_are_placed_where_they_fit_or_left_out() -> None:
    rng = np.random.default_rng(3)
    fig, ax = plt.subplots(figsize=(4, 3))
    points = [tuple(p) for p in rng.uniform(0.4, 0.6, size=(30, 2))]
    ax.scatter(*zip(*points, strict=True))
    ax.set_title("A crowded network")
    placed = place_labels(ax, points, [f"Party number {i}" for i in range(30)], fontsize=7)
    assert 1 <= len(placed) < 30  # the most important always; the rest only where free
    assert placed[0].get_text() == "Party number 0"
    assert text_overlaps(fig) == []
    plt.close(fig)


def test_labels_need_as_many_texts_as_points() -> None:
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="zip"):
        place_labels(ax, [(0.0, 0.0)], ["a", "b"])
    plt.close(fig)


def test_weekly_bars_label_at_most_eight_weeks() -> None:
    weeks = [f"2024-W{i:02d}" for i in range(105)]
    png = stacked_weekly(weeks, {"wire": list(range(105))}, ylabel="transactions")
    assert png.startswith(b"\x89PNG")
