"""Database connections for the registry: SQLite (the embedded default) or PostgreSQL.

``database_url`` accepts a SQLAlchemy URL (``postgresql://user@host/db``,
``sqlite:///registry.db``) or a plain file path, which means SQLite. PostgreSQL goes through
psycopg 3. SQLite runs in WAL mode with foreign keys on. A request that writes starts its
transactions with ``BEGIN IMMEDIATE``, so that concurrent writers wait for each other instead of
failing; a request that only reads (GET, HEAD; ``reading_request``) starts them with a plain
``BEGIN`` and so never takes the write lock: a long export no longer stops everyone else. When
such a request must append to the audit chain (a read of personal data), ``begin_writing``
ends its read transaction first, so that the append runs in an immediate one.

The schema is made by the Alembic migrations in ``migrations/`` (``migrate``); ``onca registry
init`` and ``onca registry serve`` run them.
"""

from __future__ import annotations

import os
import re
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from onca.errors import ParameterError

DEFAULT_URL = "sqlite:///onca-registry.db"
MIGRATIONS = Path(__file__).parent / "migrations"


def database_url(value: str | None = None) -> str:
    """The URL to use: ``value``, else ``$ONCA_REGISTRY_DB``, else ``sqlite:///onca-registry.db``."""
    raw = value or os.environ.get("ONCA_REGISTRY_DB") or DEFAULT_URL
    if "://" not in raw:
        raw = f"sqlite:///{Path(raw).expanduser()}"
    try:
        url = make_url(raw)
    except ArgumentError as e:
        raise ParameterError(f"--db {raw!r}: not a database URL ({e})") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if not url.drivername.startswith(("sqlite", "postgresql")):
        raise ParameterError(
            f"--db {raw!r}: the registry runs on PostgreSQL (postgresql://...) or SQLite"
            f" (sqlite:///FILE), not {url.drivername}"
        )
    return url.render_as_string(hide_password=False)


_IMMEDIATE: ContextVar[bool] = ContextVar("onca_registry_sqlite_immediate", default=True)


def reading_request() -> None:
    """Mark the current request (its context) as one that only reads, on SQLite."""
    _IMMEDIATE.set(False)


def begin_writing(session: Session) -> None:
    """Before the first write of a reading request on SQLite: end its read transaction, so the
    next one begins IMMEDIATE (a deferred SQLite transaction that turns into a writer fails at
    once when another writer committed since it began). Elsewhere, nothing."""
    if not _IMMEDIATE.get() and session.get_bind().dialect.name == "sqlite":
        session.commit()
        _IMMEDIATE.set(True)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi: Any, _record: Any) -> None:
        dbapi.isolation_level = None  # SQLAlchemy, not the driver, begins transactions
        cursor = dbapi.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _IMMEDIATE.get() else "BEGIN")


def make_engine(url: str | None = None, *, pool_size: int = 10) -> Engine:
    """An engine for ``url`` (see ``database_url``)."""
    resolved = database_url(url)
    if resolved.startswith("sqlite"):
        engine = create_engine(resolved, connect_args={"check_same_thread": False, "timeout": 30})
        _sqlite_setup(engine)
        return engine
    return create_engine(
        resolved, pool_size=pool_size, max_overflow=2 * pool_size, pool_pre_ping=True
    )


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with the Alembic migrations (idempotent). A database
    already at the newest migration is left as it is without loading Alembic, so that an admin
    command does not pay for it each time."""
    if revision == "head" and schema_revision(engine) == newest_revision():
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def schema_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for an empty database (read from Alembic's
    ``alembic_version`` table without loading Alembic)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return versions[0] if len(versions) == 1 else None


_REVISION = re.compile(r"^(down_)?revision\s*=\s*['\"]?([\w-]*)", re.MULTILINE)


def newest_revision() -> str | None:
    """The newest migration in ``migrations/versions``: the one no other revises. Read from the
    files' ``revision``/``down_revision`` lines, as Alembic writes them, without importing them;
    None when that is not one migration (then ``migrate`` asks Alembic)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        for down, value in _REVISION.findall(script.read_text(encoding="utf-8")):
            (revised if down else revisions).add(value)
    heads = revisions - revised
    return heads.pop() if len(heads) == 1 else None
