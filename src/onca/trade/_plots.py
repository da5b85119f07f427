"""Pictures of trade findings (PNG bytes): a route's yearly series as each side reported it,
a taxon's wild and captive exports around a source shift, and captive-bred exports against
breeding capacity; the years that raised a finding are marked in each."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from onca.report._figures import PALETTE, _png
from onca.trade._read import TradeData

FLAG = "#D55E00"


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def route_series(
    data: TradeData, *, taxon: str, term: str, unit: str, exporter: str, importer: str
) -> list[dict[str, Any]]:
    """Per year, the quantity the exporter and the importer reported on one route (std units)."""
    if data.kind == "comptab":
        e, i = "sum(exporter_qty)", "sum(importer_qty)"
    else:
        e = "sum(quantity) FILTER (WHERE reporter = 'E')"
        i = "sum(quantity) FILTER (WHERE reporter = 'I')"
    rows = data.db.fetch(
        f"SELECT year, {e}, {i} FROM trade WHERE taxon = ? AND term = ? AND std_unit = ?"
        " AND exporter = ? AND importer = ? GROUP BY year ORDER BY year",
        [taxon, term, unit, exporter, importer],
    )
    return [
        {"year": int(y), "exporter": float(a or 0), "importer": float(b or 0)} for y, a, b in rows
    ]


def _what(unit: str) -> str:
    return "specimens" if unit == "number" else unit


def mirror_png(series: Sequence[dict[str, Any]], findings: Sequence[dict[str, Any]]) -> bytes:
    """Exporter- and importer-reported quantities per year on one route; the years with the
    largest discrepancies (at least a tenth of the route's largest) ringed."""
    plt = _plt()
    f0 = findings[0]
    years = [p["year"] for p in series]
    fig, ax = plt.subplots(figsize=(7.0, 3.4))
    for n, (side, marker) in enumerate((("exporter", "o"), ("importer", "s"))):
        ax.plot(
            years,
            [p[side] for p in series],
            marker=marker,
            color=PALETTE[n],
            label=f"reported by the {side} ({f0[side]})",
        )
    top = {p["year"]: max(p["exporter"], p["importer"]) for p in series}
    largest = max(f["difference"] for f in findings)
    for f in findings:
        year = f["year_exporter"]
        y = top.get(year, max(f["exporter_qty"], f["importer_qty"]))
        if f["difference"] >= 0.1 * largest:  # the small ones would hide the series
            ax.scatter([year], [y], s=220, facecolors="none", edgecolors=FLAG, linewidths=2)
            ax.annotate(
                f"difference {f['difference']:,.0f}",
                (year, y),
                textcoords="offset points",
                xytext=(8, 8),
                color=FLAG,
                fontsize=8,
            )
    ax.set_ylim(0, max(top.values(), default=1) * 1.25)
    ax.set_title(f"{f0['taxon']} ({f0['term']}), {f0['exporter']} to {f0['importer']}", fontsize=10)
    ax.set_ylabel(_what(f0["unit"]))
    ax.set_xlabel("year")
    ax.legend(fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def shift_png(finding: dict[str, Any]) -> bytes:
    """Wild and captive quantities per year, with the split year and both mean shares."""
    plt = _plt()
    s = finding["series"]
    years = [p["year"] for p in s]
    wild = [p["wild"] for p in s]
    captive = [p["captive"] for p in s]
    fig, ax = plt.subplots(figsize=(7.0, 3.4))
    ax.bar(years, wild, color=PALETTE[2], label="wild (W)")
    ax.bar(years, captive, bottom=wild, color=PALETTE[4], label="captive or ranched (C, D, F, R)")
    split = finding["years_after"][0] - 0.5
    ax.axvline(split, color=FLAG, linestyle="--", linewidth=1.5)
    ax.annotate(
        f"captive share {finding['captive_share_before']:.0%} → {finding['captive_share_after']:.0%}",
        (split, max(w + c for w, c in zip(wild, captive, strict=True))),
        textcoords="offset points",
        xytext=(6, 4),
        color=FLAG,
        fontsize=8,
    )
    ax.set_ylim(0, max(w + c for w, c in zip(wild, captive, strict=True)) * 1.35)
    ax.set_title(
        f"{finding['taxon']} exported by {finding['exporter']}, by declared source", fontsize=10
    )
    ax.set_ylabel(_what(finding["unit"]))
    ax.set_xlabel("year")
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def capacity_png(findings: Sequence[dict[str, Any]]) -> bytes:
    """Captive-bred exports per year against breeding capacity; years over capacity in red."""
    plt = _plt()
    f0 = findings[0]
    s = f0["series"]
    flagged = {f["year"] for f in findings}
    years = [p["year"] for p in s]
    fig, ax = plt.subplots(figsize=(7.0, 3.4))
    ax.bar(
        years,
        [p["exported"] for p in s],
        color=[FLAG if y in flagged else PALETTE[0] for y in years],
        label="captive-bred exports",
    )
    ax.step(
        years,
        [p["capacity"] for p in s],
        where="mid",
        color="black",
        linewidth=1.8,
        label="what registered facilities could raise",
    )
    ax.set_title(
        f"{f0['taxon']} exported as captive-bred by {f0['exporter']} (red: above capacity)",
        fontsize=10,
    )
    ax.set_ylim(0, max(max(p["exported"], p["capacity"]) for p in s) * 1.3)
    ax.set_ylabel("specimens")
    ax.set_xlabel("year")
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def write_plots(folder: Path, pictures: dict[str, bytes]) -> list[str]:
    """Write ``name -> PNG`` into the existing ``folder``; return the paths written."""
    out = folder
    paths = []
    for name, png in pictures.items():
        path = out / f"{name}.png"
        path.write_bytes(png)
        paths.append(str(path))
    return paths


def _slug(*parts: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9]+", "-", "-".join(parts)).strip("-").lower()


def mirror_pictures(
    data: TradeData, findings: Sequence[dict[str, Any]], n: int = 3
) -> dict[str, bytes]:
    """One picture per route for the ``n`` routes with the largest discrepancies."""
    routes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for f in findings:
        key = (f["taxon"], f["term"], f["unit"], f["exporter"], f["importer"])
        if key in routes or len(routes) < n:
            routes.setdefault(key, []).append(f)
    out = {}
    for (taxon, term, unit, exporter, importer), fs in routes.items():
        series = route_series(
            data, taxon=taxon, term=term, unit=unit, exporter=exporter, importer=importer
        )
        out[_slug("mirror", taxon, term, exporter, importer)] = mirror_png(series, fs)
    return out


def shift_pictures(findings: Sequence[dict[str, Any]], n: int = 3) -> dict[str, bytes]:
    """One picture for each of the ``n`` largest source shifts."""
    return {
        _slug("shift", f["taxon"], f["exporter"], f["unit"]): shift_png(f) for f in findings[:n]
    }


def capacity_pictures(findings: Sequence[dict[str, Any]], n: int = 3) -> dict[str, bytes]:
    """One picture per taxon and exporter for the ``n`` with the largest excess."""
    pairs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for f in findings:
        key = (f["taxon"], f["exporter"])
        if key in pairs or len(pairs) < n:
            pairs.setdefault(key, []).append(f)
    return {_slug("capacity", t, e): capacity_png(fs) for (t, e), fs in pairs.items()}
