"""Alembic environment: migrations run on the connection ``onca.registry._db.migrate`` passes."""

from __future__ import annotations

from alembic import context

from onca.registry._models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through onca.registry._db.migrate
    raise RuntimeError("run the registry's migrations with 'onca registry init'")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
