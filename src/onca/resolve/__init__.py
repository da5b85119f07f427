"""Entity resolution: which party records, across banks, customs and the police, are one
real person or company; and privacy-preserving linkage between institutions (``pprl``).

- :func:`resolve_workspace` deduplicates a workspace's parties into ``entities`` and
  ``entity_members``, keeps every link with its explanation in ``entity_links`` and rolls
  screening alerts up to ``entity_scores``.
- :func:`link_tables` links two party tables (``onca resolve link``).
- :func:`party_features` gives the normalised comparison keys and data-quality flags.

The model is Splink's Fellegi-Sunter with comparisons built for names of the Americas
(``onca.names``), trained without labels by expectation maximisation, on DuckDB or Spark.
See docs/resolve.md.
"""

from onca.resolve._features import party_features
from onca.resolve._io import read_party_file
from onca.resolve._resolve import DEFAULT_THRESHOLD, Links, dedupe_table, explain, link_tables
from onca.resolve._workspace import (
    ResolveSummary,
    explain_entity,
    read_match_labels,
    resolve_workspace,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "Links",
    "ResolveSummary",
    "dedupe_table",
    "explain",
    "explain_entity",
    "link_tables",
    "party_features",
    "read_match_labels",
    "read_party_file",
    "resolve_workspace",
]
