"""The workspace: one DuckDB file with every analytic table, versioned and migrated forward.

>>> import onca.workspace
>>> with onca.workspace.open("onca.duckdb") as ws:   # doctest: +SKIP
...     ws.counts()
"""

from onca.workspace._migrations import SCHEMA_VERSION
from onca.workspace._workspace import Workspace, connect, migrate, open_workspace

open = open_workspace

__all__ = ["SCHEMA_VERSION", "Workspace", "connect", "migrate", "open", "open_workspace"]
