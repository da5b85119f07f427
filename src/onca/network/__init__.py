"""Network intelligence: the graph of parties, accounts, money, shipments, permits and seizures;
follow-the-money tracing, structure (communities, brokers, key players), temporal motifs, risk
propagation, learned scoring, exports and pictures. See docs/network.md."""

from onca.network._analyze import NetworkAnalysis, analyze_workspace, workspace_seeds
from onca.network._flows import ArrayFlows, Edges, FlowSource, SqlFlows, open_flows
from onca.network._graph import EDGE_KINDS, NODE_KINDS, build_graph, entity_projection
from onca.network._keyplayers import KeyPlayers, Removal, find_key_players, fragmentation
from onca.network._risk import RiskRow, propagate_risk
from onca.network._structure import Broker, Communities, find_brokers, find_communities
from onca.network._trace import Start, TraceResult, find_start, trace_workspace
from onca.network._trail import MoneyTrail, TracedPath, TracedPayment, trace_flows

__all__ = [
    "EDGE_KINDS",
    "NODE_KINDS",
    "ArrayFlows",
    "Broker",
    "Communities",
    "Edges",
    "FlowSource",
    "KeyPlayers",
    "MoneyTrail",
    "NetworkAnalysis",
    "Removal",
    "RiskRow",
    "SqlFlows",
    "Start",
    "TraceResult",
    "TracedPath",
    "TracedPayment",
    "analyze_workspace",
    "build_graph",
    "entity_projection",
    "find_brokers",
    "find_communities",
    "find_key_players",
    "find_start",
    "fragmentation",
    "open_flows",
    "propagate_risk",
    "trace_flows",
    "trace_workspace",
    "workspace_seeds",
]
