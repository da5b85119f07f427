"""The cross-border seizure and case registry: a FastAPI service on PostgreSQL (or SQLite),
where each agency keeps its records and shares what its agreements allow, with API tokens,
a tamper-evident audit chain, bulk import and FtM/CSV export. See docs/registry.md.

Importing this package loads nothing: the names below load their module when first used, so
that an admin command (``onca registry agency add``) does not pay for the web application, the
console and what the console draws on (``onca.network``).
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing; mypy knows the name
if TYPE_CHECKING:
    from typing import Any

    from onca.registry._audit import AuditCheck, verify
    from onca.registry._auth import Principal
    from onca.registry._db import database_url, make_engine, migrate
    from onca.registry._throwaway import throwaway_postgres
    from onca.registry.app import create_app
else:
    _LAZY = {
        "AuditCheck": "onca.registry._audit",
        "verify": "onca.registry._audit",
        "Principal": "onca.registry._auth",
        "database_url": "onca.registry._db",
        "make_engine": "onca.registry._db",
        "migrate": "onca.registry._db",
        "throwaway_postgres": "onca.registry._throwaway",
        "create_app": "onca.registry.app",
    }

    def __getattr__(name: str) -> Any:
        if name in _LAZY:
            return getattr(importlib.import_module(_LAZY[name]), name)
        raise AttributeError(f"module 'onca.registry' has no attribute {name!r}")


__all__ = [
    "AuditCheck",
    "Principal",
    "create_app",
    "database_url",
    "make_engine",
    "migrate",
    "throwaway_postgres",
    "verify",
]
