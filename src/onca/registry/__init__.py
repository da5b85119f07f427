"""The cross-border seizure and case registry: a FastAPI service on PostgreSQL (or SQLite),
where each agency keeps its records and shares what its agreements allow, with API tokens,
a tamper-evident audit chain, bulk import and FtM/CSV export. See docs/registry.md."""

from onca.registry._audit import AuditCheck, verify
from onca.registry._auth import Principal
from onca.registry._db import database_url, make_engine, migrate
from onca.registry._throwaway import throwaway_postgres
from onca.registry.app import create_app

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
