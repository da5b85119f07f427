"""Network intelligence: the graph of parties, accounts, money, shipments, permits and seizures;
follow-the-money tracing, structure (communities, brokers, key players), temporal motifs, risk
propagation, learned scoring, exports and pictures. See docs/network.md."""
