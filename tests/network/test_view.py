"""The network pictures: the interactive HTML view, the PNG, and their place in the report."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from typing import cast

import igraph as ig
import pytest
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from onca.errors import ParameterError
from onca.network._view import (
    NEUTRAL,
    ROLE_COLOURS,
    network_html,
    network_png,
    network_section,
)
from onca.report import Section

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
EVIL = "<script>alert(1)</script>"
VOID = {"br", "img", "input", "meta", "hr", "link", "wbr", "source"}


def star(n: int = 6) -> ig.Graph:
    """An entity paying out to ``n - 1`` accounts: roles, risk and money on every edge."""
    g = ig.Graph(directed=True)
    g.add_vertices([f"V{i:04d}" for i in range(n)])
    g.vs["kind"] = ["entity"] + ["account"] * (n - 1)
    g.vs["label"] = [EVIL] + [f"Account {i} & co" for i in range(1, n)]
    g.vs["role"] = ["start"] + ["reached", "broker", "made-up role", None] * n
    g.vs["role"] = g.vs["role"][:n]
    g.vs["risk"] = [1.0] + [i / n for i in range(1, n)]
    g.add_edges([(0, i) for i in range(1, n)])
    g.es["kind"] = ["pays"] * (n - 1)
    g.es["weight"] = [10.0 ** (i % 6) for i in range(n - 1)]
    g.es["count"] = [2] * (n - 1)
    g.es["first_ts"] = ["2021-01-01T00:00:00"] * (n - 1)
    g.es["last_ts"] = ["2021-02-01T00:00:00"] * (n - 1)
    return g


class Tags(HTMLParser):
    """Checks that every element opened is closed, in order, and collects ids."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.ids: list[str] = []
        self.tags: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        self.ids += [v for k, v in attrs if k == "id" and v]
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        self.ids += [v for k, v in attrs if k == "id" and v]

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack.pop() == tag, tag


def parse(fragment: str) -> Tags:
    tags = Tags()
    tags.feed(fragment)
    tags.close()
    assert tags.stack == []
    return tags


def test_view_is_self_contained_escaped_and_complete() -> None:
    html = network_html(star(), title="Trace from <V0>", dom_id="t1")
    tags = parse(html)
    assert isinstance(html, Markup)
    assert "http://" not in html and "https://" not in html  # nothing fetched, not even xmlns
    assert not re.search(r"\b(src|href)\s*=", html)
    assert tags.tags["circle"] == 6 and html.count('<g class="n" tabindex="0"') == 6
    assert html.count("<line ") == 5 and tags.tags["script"] == 1 and tags.tags["style"] == 1
    assert EVIL not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Account 1 &amp; co" in html and "Trace from &lt;V0&gt;" in html
    assert (
        '<svg id="t1-svg" role="img" aria-label="Trace from &lt;V0&gt;: network of 6 nodes and 5 links.'
        in html
    )
    assert "window.oncaNetwork('t1')" in html
    # details for hover and keyboard, and the same nodes as a table for screen readers
    assert "kind: entity&#10;" in html or "kind: entity\n" in html
    assert "amount: 10,000.00 USD" in html and "transactions: 2" in html
    assert "dates: 2021-01-01T00:00:00 to 2021-02-01T00:00:00" in html
    assert "<details><summary>The 6 drawn nodes as a table</summary>" in html
    assert html.count("<tr><td>") == 6
    assert "left out" not in html


def test_colours_follow_roles_with_a_legend() -> None:
    html = network_html(star(), title="t", dom_id="t2")
    fills = re.findall(r'<circle [^>]*fill="(#[0-9A-Fa-f]{6})"', html)
    assert fills[:4] == [
        ROLE_COLOURS["start"],
        ROLE_COLOURS["reached"],
        ROLE_COLOURS["broker"],
        NEUTRAL,
    ]
    legend = re.search(r'<ul class="onca-net-legend".*?</ul>', html, re.S)
    assert legend is not None
    assert re.findall(r"</span>([a-z ]+) \((\d+)\)", legend.group()) == [
        ("start", "1"),
        ("broker", "1"),
        ("reached", "2"),
        ("other", "2"),
    ]
    widths = [float(w) for w in re.findall(r'<line [^>]*stroke-width="([0-9.]+)"', html)]
    assert widths == sorted(widths) and widths[0] < widths[-1]  # wider for more money (log)


def test_view_caps_the_drawn_nodes_and_says_so() -> None:
    g = star(350)
    html = network_html(g, title="big", max_nodes=300, dom_id="t3")
    assert html.count("<circle") == 300 and html.count("<tr><td>") == 300
    assert "Showing 300 of 350 nodes: 50 left out (those ranked lowest by risk" in html
    assert "with 50 of their links" in html
    assert ">V0349<" in html or "id: V0349" in html  # the riskiest accounts stay
    assert "id: V0001" not in html  # the least risky go
    assert "of which the 300 highest by risk are drawn" in html


def test_ids_are_unique_when_two_views_share_a_page() -> None:
    page = network_html(star(), title="a") + network_html(star(), title="b")
    ids = parse(page).ids
    assert len(ids) == len(set(ids)) and len(ids) >= 8
    same = network_html(star(), title="a", dom_id="x"), network_html(star(), title="a", dom_id="x")
    assert same[0] == same[1]  # a seeded layout: the same picture every time


def test_positions_from_the_vertices_when_given() -> None:
    g = star(3)
    g.vs["x"], g.vs["y"] = [0.0, 10.0, 0.0], [0.0, 0.0, 10.0]
    cx = [float(v) for v in re.findall(r'<circle cx="([0-9.]+)"', network_html(g, title="p"))]
    assert cx[0] == cx[2] < cx[1]


def test_sparse_attributes_and_bad_parameters() -> None:
    g = ig.Graph(n=3, edges=[(0, 1)], directed=True)  # no attributes at all
    html = network_html(g, title="bare", dom_id="t4")
    assert html.count("<circle") == 3 and "kind: node" in html
    with pytest.raises(ParameterError, match="max_nodes must be at least 1, got 0"):
        network_html(g, title="x", max_nodes=0)
    with pytest.raises(ParameterError, match="dom_id must be"):
        network_html(g, title="x", dom_id="a'); alert(1); ('")


def test_empty_graph_gives_a_message_not_a_crash() -> None:
    empty = ig.Graph(directed=True)
    assert "the network is empty" in network_html(empty, title="Nothing <here>")
    assert "&lt;here&gt;" in network_html(empty, title="Nothing <here>")
    assert network_png(empty, title="none").startswith(PNG_MAGIC)
    section = network_section(empty, title="Trace")
    assert section.html == [] and section.paragraphs == [
        "The network is empty: no parties, accounts or links to draw."
    ]


def test_png_for_print() -> None:
    png = network_png(star(40), title="Trace", max_nodes=30)
    assert png.startswith(PNG_MAGIC) and len(png) > 10_000


def test_section_renders_in_the_report_template() -> None:
    section = network_section(star(), title="Network", png=True, dom_id="t5", anchor="network")
    assert len(section.figures) == 1 and section.figures[0].png.startswith(PNG_MAGIC)
    plain = Section("Plain", ["no html here"], anchor="plain")
    raw = Section("Raw", html=[cast(Markup, "<b>not trusted</b>")], anchor="raw")  # a plain str
    env = Environment(
        loader=PackageLoader("onca.report", "templates"), autoescape=select_autoescape(["html"])
    )
    page = env.get_template("report.html").render(
        title="r", sections=[section, plain, raw], workspace="w", version="0", generated="now"
    )
    assert page.index("<figure>") < page.index('<div class="onca-net" id="t5">')
    assert page.count("<circle") == 6 and "<p>no html here</p>" in page
    assert "&lt;b&gt;not trusted&lt;/b&gt;" in page  # only Markup passes unescaped
    assert "http://" not in page and "https://" not in page
