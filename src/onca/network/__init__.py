"""Network intelligence: the graph of parties, accounts, money, shipments, permits and seizures;
follow-the-money tracing, structure (communities, brokers, key players), temporal motifs, risk
propagation, learned scoring, exports and pictures. See docs/network.md.

Importing this package loads none of its modules: each name below loads its module when first
used, so that drawing a network (``network_html``) does not load LightGBM, and a command that
traces money does not load the exporters.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing; mypy knows the name
if TYPE_CHECKING:
    from typing import Any

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
else:
    _LAZY = {
        "NetworkAnalysis": ("onca.network._analyze", "NetworkAnalysis"),
        "analyze_workspace": ("onca.network._analyze", "analyze_workspace"),
        "workspace_seeds": ("onca.network._analyze", "workspace_seeds"),
        "FORMATS": ("onca.network._export", "FORMATS"),
        "export_graph": ("onca.network._export", "export_graph"),
        "FEATURES": ("onca.network._features", "FEATURES"),
        "FeatureFrame": ("onca.network._features", "FeatureFrame"),
        "transaction_features": ("onca.network._features", "transaction_features"),
        "ArrayFlows": ("onca.network._flows", "ArrayFlows"),
        "Edges": ("onca.network._flows", "Edges"),
        "FlowSource": ("onca.network._flows", "FlowSource"),
        "HopLimits": ("onca.network._flows", "HopLimits"),
        "SqlFlows": ("onca.network._flows", "SqlFlows"),
        "open_flows": ("onca.network._flows", "open_flows"),
        "EDGE_KINDS": ("onca.network._graph", "EDGE_KINDS"),
        "NODE_KINDS": ("onca.network._graph", "NODE_KINDS"),
        "build_graph": ("onca.network._graph", "build_graph"),
        "entity_projection": ("onca.network._graph", "entity_projection"),
        "KeyPlayers": ("onca.network._keyplayers", "KeyPlayers"),
        "Removal": ("onca.network._keyplayers", "Removal"),
        "find_key_players": ("onca.network._keyplayers", "find_key_players"),
        "fragmentation": ("onca.network._keyplayers", "fragmentation"),
        "TransactionScorer": ("onca.network._learn", "TransactionScorer"),
        "temporal_split": ("onca.network._learn", "temporal_split"),
        "LearnReport": ("onca.network._learn_report", "LearnReport"),
        "evaluate_learning": ("onca.network._learn_report", "evaluate_learning"),
        "MOTIF_KINDS": ("onca.network._motifs", "KINDS"),
        "MotifParams": ("onca.network._motifs", "MotifParams"),
        "MotifResult": ("onca.network._motifs", "MotifResult"),
        "account_table": ("onca.network._motifs", "account_table"),
        "find_motifs": ("onca.network._motifs", "find_motifs"),
        "instances_table": ("onca.network._motifs", "instances_table"),
        "workspace_motifs": ("onca.network._motifs", "workspace_motifs"),
        "RiskRow": ("onca.network._risk", "RiskRow"),
        "propagate_risk": ("onca.network._risk", "propagate_risk"),
        "Broker": ("onca.network._structure", "Broker"),
        "Communities": ("onca.network._structure", "Communities"),
        "find_brokers": ("onca.network._structure", "find_brokers"),
        "find_communities": ("onca.network._structure", "find_communities"),
        "Start": ("onca.network._trace", "Start"),
        "TraceResult": ("onca.network._trace", "TraceResult"),
        "find_start": ("onca.network._trace", "find_start"),
        "trace_workspace": ("onca.network._trace", "trace_workspace"),
        "MoneyTrail": ("onca.network._trail", "MoneyTrail"),
        "TracedPath": ("onca.network._trail", "TracedPath"),
        "TracedPayment": ("onca.network._trail", "TracedPayment"),
        "trace_flows": ("onca.network._trail", "trace_flows"),
        "network_html": ("onca.network._view", "network_html"),
        "network_png": ("onca.network._view", "network_png"),
    }

    def __getattr__(name: str) -> Any:
        if name in _LAZY:
            module, attribute = _LAZY[name]
            return getattr(importlib.import_module(module), attribute)
        raise AttributeError(f"module 'onca.network' has no attribute {name!r}")


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
