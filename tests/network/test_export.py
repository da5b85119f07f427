"""Network exports: GraphML, GEXF, CSV and FollowTheMoney, each read back and checked."""

from __future__ import annotations

import csv
import io
import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import igraph as ig
import pytest
from followthemoney import model

from onca.errors import ParameterError
from onca.export import ExportError, entity_id
from onca.network._export import (
    FORMATS,
    export_graph,
    graph_entities,
    write_csv,
    write_ftm,
    write_gexf,
    write_graphml,
)

EVIL = "<script>alert(1)</script>"
NS = {"g": "http://gexf.net/1.3", "viz": "http://gexf.net/1.3/viz"}


def small_graph() -> ig.Graph:
    """Two parties, their accounts (one without a holder), money between them, and a seizure of
    a shipment sent under a permit. Attributes have the gaps a real graph has."""
    g = ig.Graph(directed=True)
    g.add_vertices(["ENT-P1", "ENT-P2", "A1", "A2", "A9", "SZ1", "SH1", "PM1"])
    g.vs["kind"] = [
        "entity",
        "entity",
        "account",
        "account",
        "account",
        "seizure",
        "shipment",
        "permit",
    ]
    g.vs["label"] = [
        EVIL,
        "Acme Ltd",
        "A1 at Bank",
        "A2 at Bank",
        None,
        "Ivory seized",
        "Ivory",
        "CITES export",
    ]
    g.vs["party_kind"] = ["person", "company", None, None, None, None, None, None]
    g.vs["country"] = ["KE", "VN", "KE", "VN", None, "KE", "KE", "KE"]
    g.vs["role"] = ["start", "broker", None, "reached", None, "seized", "made-up role", None]
    g.vs["risk"] = [0.9, 0.25, None, None, None, None, None, None]
    g.vs["aliases"] = [["J. Doe", "John D."], None, None, None, None, None, None, None]
    jan, mar, apr = "2021-01-05T10:00:00", "2021-03-30T00:00:00", "2021-04-01T08:00:00"
    cairo = "2021-02-02T09:00:00+02:00"
    edges = [  # source, target, kind, weight, count, first_ts, last_ts, txn_id, amount
        (0, 2, "holds_account", 1.0, 1, "2020-01-01T00:00:00", "2020-01-01T00:00:00", None, None),
        (1, 3, "holds_account", 1.0, 1, "2019-05-01T00:00:00", "2019-05-01T00:00:00", None, None),
        (2, 3, "pays", 12345.5, 3, jan, "2021-03-01T12:30:00", None, None),
        (4, 2, "pays", 250.0, 1, cairo, cairo, "T7", 250.0),
        (5, 0, "named_in_seizure", 1.0, 1, apr, apr, None, None),
        (5, 6, "seized_shipment", 1.0, 1, apr, apr, None, None),
        (0, 6, "consignor_of", 1.0, 1, mar, mar, None, None),
        (6, 1, "ships_to", 1.0, 1, mar, mar, None, None),
        (6, 7, "uses_permit", 1.0, 1, mar, mar, None, None),
        (0, 7, "holds_permit", 1.0, 1, "2021-01-01", "2022-01-01", None, None),
        (0, 1, "shares_identifier", 1.0, 1, None, None, None, None),
    ]
    g.add_edges([(s, t) for s, t, *_ in edges])
    for i, key in enumerate(("kind", "weight", "count", "first_ts", "last_ts", "txn_id", "amount")):
        g.es[key] = [row[i + 2] for row in edges]
    g.es["attributed"] = [None, None, 1000.0, None, None, None, None, None, None, None, None]
    return g


def test_graphml_round_trip_keeps_values_and_gaps(tmp_path: Path) -> None:
    g = small_graph()
    back = ig.Graph.Read_GraphML(str(write_graphml(g, tmp_path / "net.graphml")))
    assert (back.vcount(), back.ecount(), back.is_directed()) == (8, 11, True)
    assert back.vs["name"] == g.vs["name"] and back.vs["kind"] == g.vs["kind"]
    assert back.vs[0]["label"] == EVIL and back.vs[4]["label"] == ""  # None is empty, not 'None'
    assert back.vs[0]["aliases"] == "J. Doe;John D."  # lists survive as ';'-joined text
    assert back.vs[0]["risk"] == 0.9 and math.isnan(back.vs[2]["risk"])
    assert back.es[2]["kind"] == "pays" and back.es[2]["weight"] == 12345.5
    assert back.es[3]["txn_id"] == "T7" and back.es[2]["txn_id"] == ""
    assert [back.vs[e.source]["name"] for e in back.es][:3] == ["ENT-P1", "ENT-P2", "A1"]
    assert "None" not in (tmp_path / "net.graphml").read_text(encoding="utf-8")
    assert g.vs[4]["label"] is None  # the caller's graph is left as it was


def test_gexf_is_typed_coloured_and_parses(tmp_path: Path) -> None:
    g = small_graph()
    g.vs["x"] = [float(i) for i in range(8)]
    g.vs["y"] = [float(-i) for i in range(8)]
    g.vs["size"] = [3.0, 2.0, 1.0, 1.0, None, 1.0, 1.0, 1.0]
    root = ET.parse(write_gexf(g, tmp_path / "net.gexf")).getroot()
    assert root.tag == "{http://gexf.net/1.3}gexf" and root.get("version") == "1.3"
    graph = root.find("g:graph", NS)
    assert graph is not None and graph.get("defaultedgetype") == "directed"
    declared = {
        (block.get("class"), a.get("title")): (a.get("id"), a.get("type"))
        for block in graph.findall("g:attributes", NS)
        for a in block.findall("g:attribute", NS)
    }
    assert declared[("node", "risk")][1] == "double" and declared[("node", "kind")][1] == "string"
    assert declared[("edge", "count")][1] == "long" and declared[("edge", "weight")][1] == "double"
    nodes = graph.findall("g:nodes/g:node", NS)
    assert [n.get("id") for n in nodes] == g.vs["name"]
    first = nodes[0]
    assert first.get("label") == EVIL and nodes[4].get("label") == "A9"  # no label: the id
    values = {v.get("for"): v.get("value") for v in first.findall("g:attvalues/g:attvalue", NS)}
    assert values[declared[("node", "kind")][0]] == "entity"
    assert values[declared[("node", "risk")][0]] == "0.9"
    assert values[declared[("node", "aliases")][0]] == "J. Doe;John D."
    colour = first.find("viz:color", NS)
    assert colour is not None and (colour.get("r"), colour.get("g"), colour.get("b")) == (
        "0",
        "114",
        "178",
    )
    position = nodes[3].find("viz:position", NS)
    assert position is not None and (position.get("x"), position.get("y")) == ("3.0", "-3.0")
    assert nodes[4].find("viz:size", NS) is None and first.find("viz:size", NS) is not None
    edges = graph.findall("g:edges/g:edge", NS)
    assert len(edges) == 11
    pay = edges[2]
    assert (pay.get("source"), pay.get("target"), pay.get("kind")) == ("A1", "A2", "pays")
    assert float(pay.get("weight", "nan")) == 12345.5
    edge_values = {v.get("for"): v.get("value") for v in pay.findall("g:attvalues/g:attvalue", NS)}
    assert edge_values[declared[("edge", "attributed")][0]] == "1000.0"
    assert declared[("edge", "txn_id")][0] not in edge_values  # a gap writes no value


def test_gexf_without_positions_has_no_viz_position(tmp_path: Path) -> None:
    root = ET.parse(write_gexf(small_graph(), tmp_path / "n.gexf")).getroot()
    assert root.findall(".//viz:position", NS) == []
    assert len(root.findall(".//viz:color", NS)) == 8


def test_csv_rows_and_headers(tmp_path: Path) -> None:
    nodes, edges = write_csv(small_graph(), tmp_path / "csv")
    with nodes.open(encoding="utf-8", newline="") as f:
        node_rows = list(csv.DictReader(f))
    with edges.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        edge_rows = list(reader)
        edge_header = reader.fieldnames
    assert list(node_rows[0]) == [
        "id",
        "kind",
        "label",
        "party_kind",
        "country",
        "role",
        "risk",
        "aliases",
    ]
    assert edge_header == [
        "source",
        "target",
        "kind",
        "weight",
        "count",
        "first_ts",
        "last_ts",
        "txn_id",
        "amount",
        "attributed",
    ]
    assert len(node_rows) == 8 and len(edge_rows) == 11
    assert node_rows[0]["label"] == EVIL and node_rows[0]["aliases"] == "J. Doe;John D."
    assert node_rows[4] == {
        "id": "A9",
        "kind": "account",
        "label": "",
        "party_kind": "",
        "country": "",
        "role": "",
        "risk": "",
        "aliases": "",
    }
    pay = edge_rows[2]
    assert (pay["source"], pay["target"], pay["kind"], pay["weight"]) == (
        "A1",
        "A2",
        "pays",
        "12345.5",
    )
    assert pay["count"] == "3" and pay["txn_id"] == "" and pay["attributed"] == "1000.0"


def reload(text: str) -> dict[str, dict]:
    """Every line through followthemoney and back; required properties present."""
    out = {}
    for line in text.splitlines():
        data = json.loads(line)
        proxy = model.get_proxy(data, cleaned=False)
        assert proxy.to_dict()["properties"] == data["properties"], data
        for prop in proxy.schema.required:
            assert proxy.get(prop), (data, prop)
        assert data["id"] not in out, "ids are unique"
        out[data["id"]] = data
    return out


def props(entities: dict[str, dict], eid: str) -> dict[str, list[str]]:
    return entities[eid]["properties"]


def test_ftm_entities_validate_and_carry_the_money() -> None:
    buffer = io.StringIO()
    counts = write_ftm(small_graph(), buffer)
    entities = reload(buffer.getvalue())
    assert counts == {
        "Person": 1,
        "Company": 1,
        "BankAccount": 3,
        "Event": 1,
        "EconomicActivity": 1,
        "License": 1,
        "PublicBody": 1,
        "LegalEntity": 1,
        "Ownership": 2,
        "Payment": 2,
        "UnknownLink": 3,
    }
    aggregated = props(entities, "onca-pays-A1.A2")
    assert aggregated["amount"] == ["12345.50"] and aggregated["currency"] == ["USD"]
    assert aggregated["payer"] == ["onca-entity-ENT-P1"]  # the account holder in the graph
    assert aggregated["beneficiary"] == ["onca-entity-ENT-P2"]
    assert aggregated["payerAccount"] == ["onca-account-A1"]
    assert aggregated["startDate"] == ["2021-01-05T10:00:00"]
    assert aggregated["endDate"] == ["2021-03-01T12:30:00"]
    assert (
        "3 transactions" in aggregated["description"][0]
        and "1000.00" in aggregated["description"][0]
    )
    single = props(entities, entity_id("onca", "txn", "T7"))  # the workspace export's id
    assert single["transactionNumber"] == ["T7"] and single["amount"] == ["250.00"]
    assert single["date"] == ["2021-02-02T07:00:00"]  # in UTC
    # A9 has no holder in the graph: a placeholder keeps the Payment valid, and says so.
    holder = props(entities, single["payer"][0])
    assert entities[single["payer"][0]]["schema"] == "LegalEntity"
    assert holder["name"] == ["(unknown holder of account A9)"]


def test_ftm_schemas_for_trade_seizure_and_links() -> None:
    entities = reload(
        "".join(json.dumps(e.to_dict()) + "\n" for e in graph_entities(small_graph()))
    )
    person = entities["onca-entity-ENT-P1"]
    assert person["schema"] == "Person" and person["properties"]["name"] == [EVIL]
    assert entities["onca-entity-ENT-P2"]["schema"] == "Company"
    holding = props(entities, entity_id("onca", "holds", "A1"))
    assert holding["owner"] == ["onca-entity-ENT-P1"] and holding["asset"] == ["onca-account-A1"]
    assert holding["startDate"] == ["2020-01-01T00:00:00"] and "endDate" not in holding
    seizure = props(entities, "onca-seizure-SZ1")
    assert seizure["date"] == ["2021-04-01T08:00:00"] and seizure["country"] == ["ke"]
    assert sorted(seizure["involved"]) == ["onca-entity-ENT-P1", "onca-entity-ENT-P2"]
    shipment = props(entities, "onca-shipment-SH1")
    assert shipment["sender"] == ["onca-entity-ENT-P1"] and shipment["receiver"] == [
        "onca-entity-ENT-P2"
    ]
    assert shipment["contract"] == ["onca-permit-PM1"] and shipment["departureCountry"] == ["ke"]
    permit = props(entities, "onca-permit-PM1")
    assert entities[permit["authority"][0]]["schema"] == "PublicBody"
    links = {
        tuple(p["role"]): p
        for e in entities.values()
        if e["schema"] == "UnknownLink"
        for p in [e["properties"]]
    }
    named = links[("named in seizure",)]
    assert named["subject"] == ["onca-entity-ENT-P1"] and named["object"] == ["onca-seizure-SZ1"]
    permit_link = links[("holds permit",)]
    assert (permit_link["startDate"], permit_link["endDate"]) == (["2021-01-01"], ["2022-01-01"])
    assert set(links) == {("named in seizure",), ("holds permit",), ("shares identifier",)}


def test_ftm_ids_match_the_workspace_export(loaded_ws: Path, tmp_path: Path) -> None:
    from onca.export import export_ftm
    from onca.network._graph import build_graph
    from onca.workspace import open_workspace

    export_ftm(loaded_ws, tmp_path / "ws.ftm.json")
    workspace = reload((tmp_path / "ws.ftm.json").read_text(encoding="utf-8"))
    with open_workspace(loaded_ws) as ws:
        graph = build_graph(ws)
    write_ftm(graph, tmp_path / "net.ftm.json")
    network = reload((tmp_path / "net.ftm.json").read_text(encoding="utf-8"))
    for schema in ("BankAccount", "Ownership"):
        ours = {i for i, e in network.items() if e["schema"] == schema}
        theirs = {i for i, e in workspace.items() if e["schema"] == schema}
        assert ours and ours == theirs, schema


def test_export_graph_dispatch(tmp_path: Path) -> None:
    g = small_graph()
    assert export_graph(g, tmp_path / "a", "csv") == [
        tmp_path / "a/nodes.csv",
        tmp_path / "a/edges.csv",
    ]
    assert export_graph(g, tmp_path / "b", "GEXF") == [tmp_path / "b/network.gexf"]
    assert export_graph(g, tmp_path / "c/x.graphml", "graphml") == [tmp_path / "c/x.graphml"]
    (path,) = export_graph(g, tmp_path / "d", "ftm")
    assert path.name == "network.ftm.json" and len(path.read_text().splitlines()) == 17
    with pytest.raises(ParameterError, match=r"'dot'.*graphml, gexf, csv, ftm"):
        export_graph(g, tmp_path, "dot")
    assert FORMATS == ("graphml", "gexf", "csv", "ftm")


def test_empty_graph_exports_empty_files(tmp_path: Path) -> None:
    g = ig.Graph(directed=True)
    for fmt in FORMATS:
        export_graph(g, tmp_path, fmt)
    assert ig.Graph.Read_GraphML(str(tmp_path / "network.graphml")).vcount() == 0
    root = ET.parse(tmp_path / "network.gexf").getroot()
    assert root.findall(".//g:node", NS) == []
    assert (tmp_path / "nodes.csv").read_text() == "id\n"
    assert (tmp_path / "edges.csv").read_text() == "source,target\n"
    assert (tmp_path / "network.ftm.json").read_text() == ""


def test_bad_inputs_are_named(tmp_path: Path) -> None:
    g = small_graph()
    g.vs[3]["kind"] = "vessel"
    with pytest.raises(ExportError, match=r"vertex 'A2': kind 'vessel'.*entity, account"):
        write_ftm(g, io.StringIO())
    with pytest.raises(ExportError, match="dataset 'Bad Name'"):
        write_ftm(small_graph(), io.StringIO(), dataset="Bad Name")
    unnamed = ig.Graph(n=2, edges=[(0, 1)], directed=True)  # no attributes at all
    nodes, edges = write_csv(unnamed, tmp_path)
    assert nodes.read_text().splitlines() == ["id", "0", "1"]
    assert edges.read_text().splitlines() == ["source,target", "0,1"]
    with pytest.raises(ExportError, match="vertex '0': kind None"):
        write_ftm(unnamed, io.StringIO())


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted_as_text(tmp_path: Path) -> None:
    g = small_graph()
    g.vs[0]["label"] = "=cmd|' /C calc'!A0 Wei"
    g.vs[1]["label"] = "@SUM(1+1)"
    nodes, _ = write_csv(g, tmp_path / "csv")
    with nodes.open(encoding="utf-8", newline="") as f:
        labels = [row["label"] for row in csv.DictReader(f)]
    assert labels[:2] == ["'=cmd|' /C calc'!A0 Wei", "'@SUM(1+1)"]
    assert not any(label.startswith(("=", "@", "+")) for label in labels)


def test_write_table_csv_quotes_formulas_and_keeps_numbers(tmp_path: Path) -> None:
    import pyarrow as pa

    from onca.cli._common import write_table

    table = pa.table({"name": ['=HYPERLINK("x")', "Ana", None], "lat": [-16.5, 1.0, 2.0]})
    write_table(table, tmp_path / "t.csv")
    with (tmp_path / "t.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["name"] for r in rows] == ['\'=HYPERLINK("x")', "Ana", ""]
    assert rows[0]["lat"] == "-16.5"
