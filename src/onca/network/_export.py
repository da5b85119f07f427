"""Write a network graph for other tools: GraphML and GEXF (Gephi, Cytoscape, yEd), CSV (a
spreadsheet, Gephi's table import) and FollowTheMoney entities (Aleph).

The graph is the ``igraph.Graph`` of the network package: vertices have ``name``, ``kind``,
``label``, ``party_kind``, ``country``, ``role``, ``risk``, ``size``; edges have ``kind``,
``weight`` (USD for payments), ``count``, ``first_ts``, ``last_ts``, ``txn_id``, ``amount`` and
``attributed``. Any of these may be missing; other attributes are written too.
"""

from __future__ import annotations

import csv
import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import igraph as ig

from onca import __version__
from onca.errors import ParameterError
from onca.network._export_ftm import _number, _text, _vertex_ids, graph_entities, write_ftm
from onca.network._view import role_colour
from onca.text import spreadsheet_safe

FORMATS = ("graphml", "gexf", "csv", "ftm")
_SUFFIX = {"graphml": ".graphml", "gexf": ".gexf", "ftm": ".ftm.json"}
NODE_COLUMNS = ("kind", "label", "party_kind", "country", "role", "risk", "size")
EDGE_COLUMNS = ("kind", "weight", "count", "first_ts", "last_ts", "txn_id", "amount", "attributed")
_GEXF = "http://gexf.net/1.3"
_VIZ = "http://gexf.net/1.3/viz"

__all__ = [
    "FORMATS",
    "export_graph",
    "graph_entities",
    "write_csv",
    "write_ftm",
    "write_gexf",
    "write_graphml",
]


def _column_type(values: list[Any]) -> str:
    """'boolean', 'long', 'double' or 'string': the narrowest type that holds every value."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return "boolean"
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "long"
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "double"
    return "string"


def _columns(seq: ig.VertexSeq | ig.EdgeSeq, first: tuple[str, ...]) -> list[str]:
    names = set(seq.attributes())
    return [c for c in first if c in names] + sorted(names - set(first) - {"name"})


def _target(out: Path | str, fmt: str) -> Path:
    """``out`` itself when it names a file, else ``out/network<suffix>``."""
    path = Path(out)
    if path.is_dir() or not path.suffix:
        path = path / f"network{_SUFFIX[fmt]}"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_graphml(graph: ig.Graph, path: Path | str) -> Path:
    """Write GraphML with igraph's writer; return the path.

    igraph writes None as the text 'None' and drops list attributes, so text columns are
    cleaned first: None becomes '', lists are joined with ';'. Numeric columns keep their type
    (a missing number is left out, and reads back as NaN).
    """
    copy = graph.copy()
    for seq in (copy.vs, copy.es):
        for attr in seq.attributes():
            values = seq[attr]
            kind = _column_type(values)
            if kind == "string" or (kind == "boolean" and None in values):
                seq[attr] = [_text(v) for v in values]
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    copy.write_graphml(str(out))
    return out


def _gexf_attributes(
    parent: ET.Element, cls: str, seq: ig.VertexSeq | ig.EdgeSeq, columns: list[str]
) -> dict[str, str]:
    block = ET.SubElement(parent, f"{{{_GEXF}}}attributes", {"class": cls, "mode": "static"})
    types = {}
    for i, name in enumerate(columns):
        types[name] = _column_type(seq[name])
        attrs = {"id": f"{cls[0]}{i}", "title": name, "type": types[name]}
        ET.SubElement(block, f"{{{_GEXF}}}attribute", attrs)
    return types


def _attvalues(parent: ET.Element, cls: str, item: dict[str, Any], columns: list[str]) -> None:
    values = ET.SubElement(parent, f"{{{_GEXF}}}attvalues")
    for i, name in enumerate(columns):
        text = _text(item.get(name))
        if text:
            ET.SubElement(values, f"{{{_GEXF}}}attvalue", {"for": f"{cls[0]}{i}", "value": text})


def write_gexf(graph: ig.Graph, path: Path | str, *, description: str = "") -> Path:
    """Write GEXF 1.3 (Gephi's own format); return the path.

    Every attribute becomes a typed GEXF attribute (boolean, long, double or string; lists
    joined with ';'); node ids are the vertex names; edge ``kind`` is also GEXF's edge kind.
    Nodes carry a viz colour by role, a viz size from ``size`` and a viz position when the
    vertices have numeric ``x`` and ``y``.
    """
    ET.register_namespace("", _GEXF)
    ET.register_namespace("viz", _VIZ)
    root = ET.Element(f"{{{_GEXF}}}gexf", {"version": "1.3"})
    meta = ET.SubElement(
        root, f"{{{_GEXF}}}meta", {"lastmodifieddate": dt.date.today().isoformat()}
    )
    ET.SubElement(meta, f"{{{_GEXF}}}creator").text = f"Onca {__version__}"
    ET.SubElement(meta, f"{{{_GEXF}}}description").text = description or "Onca network"
    directed = "directed" if graph.is_directed() else "undirected"
    body = ET.SubElement(root, f"{{{_GEXF}}}graph", {"defaultedgetype": directed, "mode": "static"})
    node_cols = [c for c in _columns(graph.vs, NODE_COLUMNS) if c != "label"]
    edge_cols = _columns(graph.es, EDGE_COLUMNS)
    _gexf_attributes(body, "node", graph.vs, node_cols)
    _gexf_attributes(body, "edge", graph.es, edge_cols)
    ids = _vertex_ids(graph)
    nodes = ET.SubElement(body, f"{{{_GEXF}}}nodes")
    for v in graph.vs:
        item = v.attributes()
        label = _text(item.get("label")) or ids[v.index]
        node = ET.SubElement(nodes, f"{{{_GEXF}}}node", {"id": ids[v.index], "label": label})
        _attvalues(node, "node", item, node_cols)
        red, green, blue = (int(role_colour(item.get("role"))[i : i + 2], 16) for i in (1, 3, 5))
        colour = {"r": str(red), "g": str(green), "b": str(blue), "a": "1.0"}
        ET.SubElement(node, f"{{{_VIZ}}}color", colour)
        x, y = _number(item.get("x")), _number(item.get("y"))
        if x is not None and y is not None:
            ET.SubElement(node, f"{{{_VIZ}}}position", {"x": repr(x), "y": repr(y), "z": "0.0"})
        size = _number(item.get("size"))
        if size is not None:
            ET.SubElement(node, f"{{{_VIZ}}}size", {"value": repr(size)})
    edges = ET.SubElement(body, f"{{{_GEXF}}}edges")
    for e in graph.es:
        item = e.attributes()
        attrs = {"id": str(e.index), "source": ids[e.source], "target": ids[e.target]}
        weight = _number(item.get("weight"))
        if weight is not None:
            attrs["weight"] = repr(weight)
        if _text(item.get("kind")):
            attrs["kind"] = attrs["label"] = _text(item["kind"])
        _attvalues(ET.SubElement(edges, f"{{{_GEXF}}}edge", attrs), "edge", item, edge_cols)
    ET.indent(root)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)
    return out


def write_csv(graph: ig.Graph, out_dir: Path | str) -> tuple[Path, Path]:
    """Write ``nodes.csv`` (id, then the vertex attributes) and ``edges.csv`` (source, target,
    then the edge attributes, ids as in nodes.csv) into ``out_dir``; return both paths.

    Empty cells are missing values; lists are joined with ';'; text that a spreadsheet would
    run as a formula gets a leading apostrophe (``onca.text.spreadsheet_safe``). Gephi's import
    reads the ``id``/``label`` and ``source``/``target``/``weight`` columns as such.
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    ids = _vertex_ids(graph)
    node_cols = _columns(graph.vs, NODE_COLUMNS)
    edge_cols = _columns(graph.es, EDGE_COLUMNS)
    nodes, edges = folder / "nodes.csv", folder / "edges.csv"
    with nodes.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", *node_cols])
        for v in graph.vs:
            writer.writerow([ids[v.index], *(_text(spreadsheet_safe(v[c])) for c in node_cols)])
    with edges.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["source", "target", *edge_cols])
        for e in graph.es:
            cells = (_text(spreadsheet_safe(e[c])) for c in edge_cols)
            writer.writerow([ids[e.source], ids[e.target], *cells])
    return nodes, edges


def export_graph(
    graph: ig.Graph, out: Path | str, fmt: str, *, dataset: str = "onca"
) -> list[Path]:
    """Write ``graph`` in format ``fmt`` (one of :data:`FORMATS`); return the files written.

    ``out`` is a folder (``csv`` always; the others then write ``network.graphml``,
    ``network.gexf`` or ``network.ftm.json`` in it) or, for one-file formats, a file path.
    """
    name = fmt.lower().strip() if isinstance(fmt, str) else fmt
    if name not in FORMATS:
        raise ParameterError(
            f"fmt: unknown network export format {fmt!r}; expected one of {', '.join(FORMATS)}"
        )
    if name == "csv":
        return list(write_csv(graph, out))
    path = _target(out, name)
    if name == "graphml":
        return [write_graphml(graph, path)]
    if name == "gexf":
        return [write_gexf(graph, path)]
    write_ftm(graph, path, dataset=dataset)
    return [path]
