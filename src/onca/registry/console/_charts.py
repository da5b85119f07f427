"""Pictures drawn on the server as inline SVG (no script, no CDN): bar charts, and a world
map with country outlines from the ``countryinfo`` package (Natural Earth shapes by country,
longitude and latitude) in an equirectangular projection, seizures as dots and trade routes as
lines between country centroids. Every picture has a text alternative; the numbers are also in
tables next to it."""

from __future__ import annotations

import functools
import html
import json
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Any

from markupsafe import Markup

BLUE, ORANGE, GREY = "#0072B2", "#D55E00", "#6b6b6b"
W, H = 960.0, 480.0


def bars(items: Sequence[tuple[str, int]], *, label: str, width: int = 460) -> Markup:
    """Horizontal bars, one per (name, count), largest first as given."""
    if not items:
        return Markup("")
    top = max(n for _, n in items) or 1
    row, left = 22, 170
    height = row * len(items) + 6
    e = html.escape
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{e(label)}">'
    ]
    for i, (name, n) in enumerate(items):
        y = i * row + 3
        w = (width - left - 50) * n / top
        parts.append(
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{e(name[:26])}</text>'
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{row - 6}" fill="{BLUE}"><title>{e(name)}: {n:,}</title></rect>'
            f'<text x="{left + w + 4:.1f}" y="{y + 14}">{n:,}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(
    items: Sequence[tuple[str, int]], *, label: str, width: int = 940, height: int = 180
) -> Markup:
    """Vertical bars over time (one per month), labelled every sixth."""
    if not items:
        return Markup("")
    top = max(n for _, n in items) or 1
    step = (width - 40) / len(items)
    e = html.escape
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height + 24}" role="img" aria-label="{e(label)}">'
    ]
    for i, (month, n) in enumerate(items):
        h = (height - 10) * n / top
        x = 30 + i * step
        parts.append(
            f'<rect x="{x:.1f}" y="{height - h:.1f}" width="{max(step - 2, 1):.1f}" height="{h:.1f}" fill="{BLUE}">'
            f"<title>{e(month)}: {n:,}</title></rect>"
        )
        if i % 6 == 0:
            parts.append(f'<text x="{x:.1f}" y="{height + 16}">{e(month)}</text>')
    parts.append(f'<text x="0" y="12">{top:,}</text></svg>')
    return Markup("".join(parts))


def _xy(lon: float, lat: float) -> tuple[float, float]:
    return (lon + 180.0) / 360.0 * W, (90.0 - lat) / 180.0 * H


def _ring(coords: Sequence[Sequence[float]]) -> str:
    pts = [_xy(float(c[0]), float(c[1])) for c in coords]
    return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pts) + "Z"


@functools.cache
def countries() -> dict[str, dict[str, Any]]:
    """ISO alpha-2 -> {"name", "path" (SVG), "centre" (x, y)} from countryinfo's data."""
    out: dict[str, dict[str, Any]] = {}
    for item in (resources.files("countryinfo") / "data").iterdir():
        if not item.name.endswith(".json"):
            continue
        d = json.loads(item.read_text(encoding="utf-8"))
        code = (d.get("ISO") or {}).get("alpha2")
        if not code:
            continue
        path: list[str] = []
        for feature in (d.get("geoJSON") or {}).get("features", []):
            geom = feature.get("geometry") or {}
            polys = geom.get("coordinates", [])
            if geom.get("type") == "Polygon":
                polys = [polys]
            for poly in polys if geom.get("type") in ("Polygon", "MultiPolygon") else []:
                path.extend(_ring(ring) for ring in poly)
        latlng = d.get("latlng") or [0, 0]
        out[code.upper()] = {
            "name": d.get("name", code),
            "path": "".join(path),
            "centre": _xy(float(latlng[1]), float(latlng[0])),
        }
    return out


def world_map(
    points: Sequence[tuple[float, float, str]],
    routes: Sequence[tuple[str, str, int]],
    *,
    label: str,
    country_name: Callable[[str], str] | None = None,
) -> Markup:
    """Country outlines, seizure dots ((lat, lon, text)) and routes ((from, to, seizures));
    ``country_name`` names a country by its ISO code in the reader's language (default: the
    outlines' English names)."""
    e = html.escape
    shapes = countries()
    parts = [
        f'<svg class="map" viewBox="0 0 {W:.0f} {H:.0f}" role="img" aria-label="{e(label)}">',
        f'<rect width="{W:.0f}" height="{H:.0f}" fill="#eef4f8"/>',
    ]
    for code, c in sorted(shapes.items()):
        if c["path"]:
            parts.append(
                f'<path d="{c["path"]}" fill="#d9d9d9" stroke="#ffffff" stroke-width="0.4">'
                f"<title>{e(country_name(code) if country_name else c['name'])} ({code})</title>"
                "</path>"
            )
    top = max((n for *_, n in routes), default=1)
    for a, b, n in routes:
        if a in shapes and b in shapes and a != b:
            (x1, y1), (x2, y2) = shapes[a]["centre"], shapes[b]["centre"]
            parts.append(
                f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{ORANGE}"'
                f' stroke-opacity="0.7" stroke-width="{1 + 4 * n / top:.1f}"><title>{e(a)} → {e(b)}: {n:,}</title></line>'
            )
    for lat, lon, text in points:
        x, y = _xy(lon, lat)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{BLUE}" stroke="#000" stroke-width="0.5">'
            f"<title>{e(text)}</title></circle>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
