"""Network intelligence: the graph of parties, accounts, money, shipments, permits and seizures;
follow-the-money tracing, structure (communities, brokers, key players), temporal motifs, risk
propagation, learned scoring, exports and pictures. See docs/network.md."""

from onca.network._flows import ArrayFlows, Edges, FlowSource, SqlFlows, open_flows
from onca.network._graph import EDGE_KINDS, NODE_KINDS, build_graph, entity_projection
from onca.network._trace import Start, TraceResult, find_start, trace_workspace
from onca.network._trail import MoneyTrail, TracedPath, TracedPayment, trace_flows

__all__ = [
    "EDGE_KINDS",
    "NODE_KINDS",
    "ArrayFlows",
    "Edges",
    "FlowSource",
    "MoneyTrail",
    "SqlFlows",
    "Start",
    "TraceResult",
    "TracedPath",
    "TracedPayment",
    "build_graph",
    "entity_projection",
    "find_start",
    "open_flows",
    "trace_flows",
    "trace_workspace",
]
