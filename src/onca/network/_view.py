"""Pictures of a network: an interactive SVG view for the HTML report and a PNG for print.

Both draw the same thing: at most ``max_nodes`` vertices (those ranked highest by ``priority``),
placed by igraph's Fruchterman-Reingold layout with a fixed seed (or the vertices' own ``x`` and
``y``), coloured by ``role``, sized by ``size`` (else degree), with edges as wide as the log of
their ``weight``. The HTML is one self-contained fragment: inline SVG, CSS and a small script
(view.js) for pan, zoom and details; it fetches nothing and escapes every text from the data.
"""

from __future__ import annotations

import html
import io
import math
import random
import re
import uuid
from dataclasses import dataclass
from importlib import resources
from typing import Any

import igraph as ig
from markupsafe import Markup

from onca.errors import ParameterError
from onca.report import Figure, Section
from onca.report._figures import place_labels

MAX_NODES = 300
NEUTRAL = "#A6A6A6"
# Okabe-Ito colours, in the order a trace reads: where it starts, what was seized or alerted,
# who matters, who was reached. Nodes are outlined in near-black, so each keeps 3:1 contrast
# with the white page whatever its fill; roles also appear in words in tooltips and the table.
ROLE_COLOURS = {
    "start": "#0072B2",
    "seized": "#D55E00",
    "alerted": "#E69F00",
    "key player": "#CC79A7",
    "broker": "#009E73",
    "reached": "#56B4E9",
    "other": NEUTRAL,
}
_KNOWN = ("name", "kind", "label", "party_kind", "country", "role", "risk", "size", "x", "y")
VIEW_WORDS: dict[str, str] = {
    "controls": "Network view controls",
    "zoom_in": "Zoom in",
    "zoom_out": "Zoom out",
    "reset": "Reset view",
    "help": "Drag to pan; wheel, + or - to zoom; Tab to a node for its details.",
    "legend": "Node colour by role",
    "lines": "solid line: payment (wider = more USD, log scale); dashed: other link",
    "empty": "{title}: the network is empty; nothing to draw.",
    "table": "The {n} drawn nodes as a table",
    "caption": "Nodes, highest {priority} (then most links) first",
    "columns": "label,id,kind,role,country,risk,links",
    "summary": "{title}: network of {nodes} nodes and {links} links",
    "summary_drawn": ", of which the {n} highest by {priority} are drawn",
    "summary_roles": ". Roles: {roles}.",
    "left_out": "Showing {n} of {total} nodes: {hidden} left out (those ranked lowest by"
    " {priority}, then by number of links), with {edges} of their links.",
    "id": "id",
    "kind": "kind",
    "role": "role",
    "country": "country",
    "risk": "risk",
    "links": "links: {into} in, {out} out",
    "paid": "paid {paid}; received {received}",
}
"""The view's own words, in English; ``network_html(words=...)`` replaces any of them (the
console passes its catalogue's), and may add ``role_<role>`` names for the legend."""

__all__ = ["MAX_NODES", "ROLE_COLOURS", "network_html", "network_png", "network_section"]


def role_colour(role: Any) -> str:
    """The fill for a vertex role; roles not in :data:`ROLE_COLOURS` get the neutral grey."""
    return ROLE_COLOURS.get(str(role).strip().lower(), NEUTRAL) if role else NEUTRAL


def _get(item: dict[str, Any], key: str) -> Any:
    value = item.get(key)
    return None if isinstance(value, float) and math.isnan(value) else value


def _num(value: Any) -> float | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    return float(value) if ok else None


@dataclass(frozen=True)
class _Drawing:
    """The drawn part of a graph: vertex and edge attributes, pixel positions and sizes."""

    nodes: list[dict[str, Any]]  # attributes, plus "_deg_in", "_deg_out", "_paid", "_received"
    edges: list[tuple[int, int, dict[str, Any]]]
    xy: list[tuple[float, float]]
    radius: list[float]
    rank: list[int]  # drawn vertices, highest priority first
    total_nodes: int
    total_edges: int
    priority: str


def _layout(graph: ig.Graph, seed: int) -> list[tuple[float, float]]:
    coords = [(_num(v.attributes().get("x")), _num(v.attributes().get("y"))) for v in graph.vs]
    if all(x is not None and y is not None for x, y in coords):
        return [(float(x or 0), float(y or 0)) for x, y in coords]
    # igraph draws from Python's random module; a private generator keeps the layout fixed.
    ig.set_random_number_generator(random.Random(seed))
    try:
        return [(float(x), float(y)) for x, y in graph.layout_fruchterman_reingold().coords]
    finally:
        ig.set_random_number_generator(random)


def _prepare(
    graph: ig.Graph, *, max_nodes: int, priority: str, width: int, height: int, seed: int
) -> _Drawing:
    if max_nodes < 1:
        raise ParameterError(f"max_nodes must be at least 1, got {max_nodes!r}")
    degree = graph.degree()
    items = [v.attributes() for v in graph.vs]

    def score(i: int) -> tuple[float, int, str]:
        value = _num(items[i].get(priority))
        return (-math.inf if value is None else value, degree[i], str(items[i].get("name", "")))

    ranked = sorted(range(graph.vcount()), key=score, reverse=True)
    keep = sorted(ranked[:max_nodes])
    sub = graph.induced_subgraph(keep)
    nodes = [dict(items[i], _deg_in=0, _deg_out=0, _paid=0.0, _received=0.0) for i in keep]
    where = {old: new for new, old in enumerate(keep)}
    for e in graph.es:  # details count every link of a drawn vertex, drawn or not
        attrs = e.attributes()
        money = _num(attrs.get("amount")) or _num(attrs.get("weight")) or 0.0
        for end, deg, total in (
            (e.source, "_deg_out", "_paid"),
            (e.target, "_deg_in", "_received"),
        ):
            if end in where:
                nodes[where[end]][deg] += 1
                if attrs.get("kind") == "pays":
                    nodes[where[end]][total] += money
    edges = [(e.source, e.target, e.attributes()) for e in sub.es]
    raw = _layout(sub, seed) if sub.vcount() else []
    sizes = [_num(n.get("size")) for n in nodes]
    if not any(s is not None for s in sizes):
        sizes = [float(d) for d in sub.degree()]
    top = max([s or 0.0 for s in sizes] + [0.0])
    radius = [4.0 + 10.0 * math.sqrt(max(s or 0.0, 0.0) / top) if top > 0 else 6.0 for s in sizes]
    pad = 16.0 + max(radius, default=0.0)
    xs, ys = [p[0] for p in raw] or [0.0], [p[1] for p in raw] or [0.0]
    dx, dy = max(xs) - min(xs), max(ys) - min(ys)
    fits = [
        room / span for room, span in ((width - 2 * pad, dx), (height - 2 * pad, dy)) if span > 1e-9
    ]
    scale = max(min(fits), 1e-6) if fits else 1.0
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    xy = [(width / 2 + (x - cx) * scale, height / 2 + (y - cy) * scale) for x, y in raw]
    position = {v: k for k, v in enumerate(ranked[:max_nodes])}
    rank = sorted(range(len(keep)), key=lambda i: position[keep[i]])
    return _Drawing(nodes, edges, xy, radius, rank, graph.vcount(), graph.ecount(), priority)


def _label(node: dict[str, Any]) -> str:
    return str(_get(node, "label") or _get(node, "name") or "(no label)")


def _money(value: float) -> str:
    return f"{value:,.2f} USD"


def _node_tip(node: dict[str, Any], w: dict[str, str] = VIEW_WORDS) -> str:
    kind = str(_get(node, "kind") or "node")
    if _get(node, "party_kind"):
        kind += f" ({node['party_kind']})"
    lines = [_label(node), f"{w['id']}: {_get(node, 'name') or '-'}", f"{w['kind']}: {kind}"]
    if _get(node, "role"):
        lines.append(f"{w['role']}: {_role_name(str(node['role']), w)}")
    if _get(node, "country"):
        lines.append(f"{w['country']}: {node['country']}")
    if (risk := _num(_get(node, "risk"))) is not None:
        lines.append(f"{w['risk']}: {risk:.2f}")
    lines.append(w["links"].format(into=node["_deg_in"], out=node["_deg_out"]))
    if node["_paid"] or node["_received"]:
        lines.append(
            w["paid"].format(paid=_money(node["_paid"]), received=_money(node["_received"]))
        )
    extra = [k for k in sorted(node) if k not in _KNOWN and not k.startswith("_")]
    lines += [f"{k}: {node[k]}" for k in extra[:4] if _get(node, k) not in (None, "", [])]
    return "\n".join(lines)


def _edge_tip(edge: dict[str, Any], source: str, target: str) -> str:
    kind = str(_get(edge, "kind") or "link").replace("_", " ")
    lines = [f"{kind}: {source} → {target}"]
    amount = _num(_get(edge, "amount"))
    if amount is None and edge.get("kind") == "pays":
        amount = _num(_get(edge, "weight"))
    if amount is not None:
        lines.append(f"amount: {_money(amount)}")
    if (count := _num(_get(edge, "count"))) is not None and count != 1:
        lines.append(f"transactions: {count:,.0f}")
    first, last = _get(edge, "first_ts"), _get(edge, "last_ts")
    if first or last:
        lines.append(f"dates: {first}" + (f" to {last}" if last and last != first else ""))
    if (traced := _num(_get(edge, "attributed"))) is not None:
        lines.append(f"traced: {_money(traced)}")
    if _get(edge, "txn_id"):
        lines.append(f"transaction: {edge['txn_id']}")
    return "\n".join(lines)


def _edge_width(edge: dict[str, Any]) -> float:
    weight = _num(_get(edge, "weight"))
    return min(8.0, 0.75 + 0.8 * math.log10(1.0 + max(weight if weight is not None else 1.0, 0.0)))


def _roles(d: _Drawing) -> list[tuple[str, str, int]]:
    """(role, colour, drawn vertices) per known role; any other role counts as 'other'."""
    counts: dict[str, int] = {}
    for node in d.nodes:
        role = str(_get(node, "role") or "other").strip().lower()
        key = role if role in ROLE_COLOURS else "other"
        counts[key] = counts.get(key, 0) + 1
    return [(r, c, counts[r]) for r, c in ROLE_COLOURS.items() if r in counts]


def _role_name(role: str, w: dict[str, str]) -> str:
    return w.get(f"role_{role.strip().lower()}", role)


def _left_out(d: _Drawing, w: dict[str, str] = VIEW_WORDS) -> str:
    hidden = d.total_nodes - len(d.nodes)
    if not hidden:
        return ""
    return w["left_out"].format(
        n=f"{len(d.nodes):,}",
        total=f"{d.total_nodes:,}",
        hidden=f"{hidden:,}",
        priority=w.get(d.priority, d.priority),
        edges=f"{d.total_edges - len(d.edges):,}",
    )


def _summary(d: _Drawing, title: str, w: dict[str, str] = VIEW_WORDS) -> str:
    roles = ", ".join(f"{_role_name(r, w)} {n}" for r, _, n in _roles(d))
    text = w["summary"].format(title=title, nodes=f"{d.total_nodes:,}", links=f"{d.total_edges:,}")
    if d.total_nodes > len(d.nodes):
        text += w["summary_drawn"].format(
            n=f"{len(d.nodes):,}", priority=w.get(d.priority, d.priority)
        )
    return text + (w["summary_roles"].format(roles=roles) if roles else ".")


def _asset(name: str) -> str:
    """view.js or view.css, shipped next to this module and inlined into every view."""
    return resources.files("onca.network").joinpath(name).read_text(encoding="utf-8")


def _svg(
    d: _Drawing,
    uid: str,
    title: str,
    width: int,
    height: int,
    labels: int,
    w: dict[str, str] = VIEW_WORDS,
) -> list[str]:
    e = html.escape
    out = [
        f'<svg id="{uid}-svg" role="img" aria-label="{e(_summary(d, title, w))}"'
        f' viewBox="0 0 {width} {height}" preserveAspectRatio="xMidYMid meet">',
        f"<title>{e(title)}</title>",
        f'<defs><marker id="{uid}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7"'
        ' markerHeight="7" markerUnits="userSpaceOnUse" orient="auto">'
        '<path d="M0,0L10,5L0,10z" fill="#4d4d4d"/></marker></defs>',
        '<g class="onca-net-vp"><g class="onca-net-edges">',
    ]
    for s, t, attrs in d.edges:
        (x1, y1), (x2, y2) = d.xy[s], d.xy[t]
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        x2, y2 = x2 - (x2 - x1) * d.radius[t] / length, y2 - (y2 - y1) * d.radius[t] / length
        money = "pay" if attrs.get("kind") == "pays" else "other"
        tip = _edge_tip(attrs, _label(d.nodes[s]), _label(d.nodes[t]))
        out.append(
            f'<line class="e {money}" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"'
            f' stroke-width="{_edge_width(attrs):.2f}" marker-end="url(#{uid}-arrow)"'
            f' data-s="{s}" data-t="{t}" data-tip="{e(tip)}"/>'
        )
    out.append('</g><g class="onca-net-nodes">')
    labelled = set(d.rank[:labels])
    for i, node in enumerate(d.nodes):
        (x, y), tip = d.xy[i], _node_tip(node, w)
        text = ""
        if i in labelled:  # left of the node near the right edge, so that it stays in view
            left = x > width * 0.7
            at = x - d.radius[i] - 3 if left else x + d.radius[i] + 3
            anchor = ' text-anchor="end"' if left else ""
            text = f'<text x="{at:.1f}" y="{y + 4:.1f}"{anchor}>{e(_label(node)[:40])}</text>'
        out.append(
            f'<g class="n" tabindex="0" data-i="{i}" data-tip="{e(tip)}"><circle cx="{x:.1f}"'
            f' cy="{y:.1f}" r="{d.radius[i]:.1f}" fill="{role_colour(_get(node, "role"))}"/>'
            f"{text}</g>"
        )
    out.append("</g></g></svg>")
    return out


def _table(d: _Drawing, uid: str, w: dict[str, str] = VIEW_WORDS) -> list[str]:
    e = html.escape
    rows = []
    for i in d.rank:
        node = d.nodes[i]
        risk = _num(_get(node, "risk"))
        cells = [
            _label(node),
            _get(node, "name") or "",
            _get(node, "kind") or "",
            _role_name(str(_get(node, "role") or ""), w),
            _get(node, "country") or "",
            "" if risk is None else f"{risk:.2f}",
            node["_deg_in"] + node["_deg_out"],
        ]
        rows.append("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in cells) + "</tr>")
    head = "".join(f'<th scope="col">{h}</th>' for h in w["columns"].split(","))
    caption = w["caption"].format(priority=w.get(d.priority, d.priority))
    return [
        f"<details><summary>{e(w['table'].format(n=f'{len(d.nodes):,}'))}</summary>",
        f'<table id="{uid}-table"><caption>{e(caption)}</caption>',
        f"<thead><tr>{head}</tr></thead><tbody>",
        *rows,
        "</tbody></table></details>",
    ]


def network_html(
    graph: ig.Graph,
    *,
    title: str,
    max_nodes: int = MAX_NODES,
    priority: str = "risk",
    labels: int = 15,
    width: int = 900,
    height: int = 600,
    seed: int = 7,
    dom_id: str | None = None,
    nonce: str | None = None,
    words: dict[str, str] | None = None,
) -> Markup:
    """An interactive view of ``graph`` as one self-contained HTML fragment (trusted Markup).

    Draws the ``max_nodes`` vertices highest by the numeric vertex attribute ``priority`` (then
    by degree), labels the first ``labels`` of them, and lays them out in a ``width`` x
    ``height`` pixel box. ``dom_id`` prefixes every element id (default: a random one, so two
    views can share a page). ``nonce``, the page's Content-Security-Policy nonce, goes on the
    inline ``<script>`` and ``<style>`` (default: none, for self-contained reports). ``words``
    replaces any of :data:`VIEW_WORDS` (the view in another language). An empty graph gives a
    paragraph saying so.
    """
    if dom_id is not None and not re.fullmatch(r"[A-Za-z][\w-]{0,63}", dom_id):
        raise ParameterError(
            f"dom_id must be a letter then letters, digits, _ or -; got {dom_id!r}"
        )
    if nonce is not None and not re.fullmatch(r"[A-Za-z0-9+/_-]{8,128}={0,2}", nonce):
        raise ParameterError(
            f"nonce must be 8 to 128 base64 characters (a CSP nonce); got {nonce!r}"
        )
    attr = f' nonce="{nonce}"' if nonce is not None else ""
    e = html.escape
    w = {**VIEW_WORDS, **(words or {})}
    if graph.vcount() == 0:
        return Markup(f'<p class="onca-net-empty">{e(w["empty"].format(title=title))}</p>')
    d = _prepare(
        graph, max_nodes=max_nodes, priority=priority, width=width, height=height, seed=seed
    )
    uid = dom_id or f"onca-net-{uuid.uuid4().hex[:10]}"
    legend = [
        f'<li><span class="onca-net-sw" style="background:{colour}"></span>'
        f"{e(_role_name(role, w))} ({n:,})</li>"
        for role, colour, n in _roles(d)
    ]
    legend.append(f"<li>{e(w['lines'])}</li>")
    note = _left_out(d, w)
    parts = [
        f'<div class="onca-net" id="{uid}">',
        f"<style{attr}>{_asset('view.css')}</style>",
        f'<div class="onca-net-bar" role="toolbar" aria-label="{e(w["controls"])}"'
        f' aria-controls="{uid}-svg"><button type="button" data-zoom="in"'
        f' aria-label="{e(w["zoom_in"])}">+</button><button type="button" data-zoom="out"'
        f' aria-label="{e(w["zoom_out"])}">&minus;</button><button type="button"'
        f' data-zoom="reset">{e(w["reset"])}</button><span>{e(w["help"])}</span></div>',
        '<div class="onca-net-stage">',
        *_svg(d, uid, title, width, height, labels, w),
        '<div class="onca-net-tip" aria-hidden="true"></div></div>',
        '<p class="onca-net-live" aria-live="polite"></p>',
        f'<ul class="onca-net-legend" aria-label="{e(w["legend"])}">{"".join(legend)}</ul>',
        f'<p class="onca-net-note">{e(note)}</p>' if note else "",
        *_table(d, uid, w),
        f"<script{attr}>{_asset('view.js')}\nwindow.oncaNetwork({uid!r});</script>",
        "</div>",
    ]
    return Markup("\n".join(p for p in parts if p))


def network_png(
    graph: ig.Graph,
    *,
    title: str,
    max_nodes: int = MAX_NODES,
    priority: str = "risk",
    labels: int = 12,
    width: int = 1000,
    height: int = 750,
    seed: int = 7,
    dpi: int = 150,
) -> bytes:
    """A static PNG of the same drawing, for print: role colours, legend, the top labels.

    ``width`` and ``height`` are in pixels at 100 per inch (the picture is rendered at ``dpi``).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.lines import Line2D
    from matplotlib.patheffects import withStroke

    fig = MplFigure(figsize=(width / 100, height / 100))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title, loc="left", fontsize=11)
    if graph.vcount() == 0:
        ax.text(0.5, 0.5, "The network is empty: nothing to draw.", ha="center", va="center")
    else:
        d = _prepare(
            graph, max_nodes=max_nodes, priority=priority, width=width, height=height, seed=seed
        )
        segments = [[d.xy[s], d.xy[t]] for s, t, _ in d.edges]
        styles = ["solid" if a.get("kind") == "pays" else (0, (4, 3)) for _, _, a in d.edges]
        widths = [_edge_width(a) * 0.72 for _, _, a in d.edges]
        ax.add_collection(
            LineCollection(
                segments,
                linewidths=widths,
                linestyles=styles,
                colors="#595959",
                alpha=0.7,
                zorder=1,
            )
        )
        xs, ys = [p[0] for p in d.xy], [p[1] for p in d.xy]
        colours = [role_colour(_get(n, "role")) for n in d.nodes]
        area = [(1.44 * r) ** 2 for r in d.radius]
        ax.scatter(xs, ys, s=area, c=colours, edgecolors="#1a1a1a", linewidths=0.6, zorder=2)
        ax.set_xlim(0, width)
        ax.set_ylim(height, 0)  # SVG's y axis points down
        handles = [
            Line2D(
                [],
                [],
                marker="o",
                ls="",
                markerfacecolor=c,
                markeredgecolor="#1a1a1a",
                label=f"{r} ({n:,})",
            )
            for r, c, n in _roles(d)
        ]
        ax.legend(
            handles=handles, fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0)
        )
        if note := _left_out(d):
            fig.text(0.01, 0.01, note, fontsize=7, color="#333333")
        top = d.rank[:labels]  # the most important first: a label without room is left out
        place_labels(
            ax,
            [d.xy[i] for i in top],
            [_label(d.nodes[i])[:30] for i in top],
            fontsize=7,
            zorder=3,
            path_effects=[withStroke(linewidth=3, foreground="white")],
        )
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def network_section(
    graph: ig.Graph,
    *,
    title: str,
    paragraphs: list[str] | None = None,
    png: bool = False,
    anchor: str = "",
    **view: Any,
) -> Section:
    """A report section holding the interactive view (and, with ``png``, the print picture).

    ``view`` passes on to :func:`network_html` (max_nodes, priority, labels, width, ...).
    """
    texts = list(paragraphs or [])
    if graph.vcount() == 0:
        texts.append("The network is empty: no parties, accounts or links to draw.")
        return Section(title, texts, anchor=anchor)
    figures = []
    if png:
        keys = ("max_nodes", "priority", "seed")
        picture = network_png(graph, title=title, **{k: v for k, v in view.items() if k in keys})
        alt = f"Static picture of the network: {graph.vcount():,} nodes, {graph.ecount():,} links."
        figures.append(Figure(picture, alt, "The network, for print."))
    return Section(
        title,
        texts,
        figures=figures,
        anchor=anchor,
        html=[network_html(graph, title=title, **view)],
    )
