"""Network intelligence: the graph of parties, accounts, money, shipments, permits and seizures;
follow-the-money tracing, structure (communities, brokers, key players), temporal motifs, risk
propagation, learned scoring, exports and pictures. See docs/network.md."""

from onca.network._analyze import NetworkAnalysis, analyze_workspace, workspace_seeds
from onca.network._export import FORMATS, export_graph
from onca.network._features import FEATURES, FeatureFrame, transaction_features
from onca.network._flows import ArrayFlows, Edges, FlowSource, HopLimits, SqlFlows, open_flows
from onca.network._graph import EDGE_KINDS, NODE_KINDS, build_graph, entity_projection
from onca.network._keyplayers import KeyPlayers, Removal, find_key_players, fragmentation
from onca.network._learn import TransactionScorer, temporal_split
from onca.network._learn_report import LearnReport, evaluate_learning
from onca.network._motifs import (
    KINDS as MOTIF_KINDS,
)
from onca.network._motifs import (
    MotifParams,
    MotifResult,
    account_table,
    find_motifs,
    instances_table,
    workspace_motifs,
)
from onca.network._risk import RiskRow, propagate_risk
from onca.network._structure import Broker, Communities, find_brokers, find_communities
from onca.network._trace import Start, TraceResult, find_start, trace_workspace
from onca.network._trail import MoneyTrail, TracedPath, TracedPayment, trace_flows
from onca.network._view import network_html, network_png

__all__ = [
    "EDGE_KINDS",
    "FEATURES",
    "FORMATS",
    "MOTIF_KINDS",
    "NODE_KINDS",
    "ArrayFlows",
    "Broker",
    "Communities",
    "Edges",
    "FeatureFrame",
    "FlowSource",
    "HopLimits",
    "KeyPlayers",
    "LearnReport",
    "MoneyTrail",
    "MotifParams",
    "MotifResult",
    "NetworkAnalysis",
    "Removal",
    "RiskRow",
    "SqlFlows",
    "Start",
    "TraceResult",
    "TracedPath",
    "TracedPayment",
    "TransactionScorer",
    "account_table",
    "analyze_workspace",
    "build_graph",
    "entity_projection",
    "evaluate_learning",
    "export_graph",
    "find_brokers",
    "find_communities",
    "find_key_players",
    "find_motifs",
    "find_start",
    "fragmentation",
    "instances_table",
    "network_html",
    "network_png",
    "open_flows",
    "propagate_risk",
    "temporal_split",
    "trace_flows",
    "trace_workspace",
    "transaction_features",
    "workspace_motifs",
    "workspace_seeds",
]
