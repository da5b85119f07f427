"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL, and
step down and up again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from onca.registry import make_engine, migrate
from onca.registry._db import schema_revision
from onca.registry._models import Base


def test_migrations_match_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    assert schema_revision(engine) is None
    migrate(engine, "0001")
    assert schema_revision(engine) == "0001"
    migrate(engine)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    from alembic import command
    from alembic.config import Config

    from onca.registry._db import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0001")
    assert schema_revision(engine) == "0001"
    migrate(engine)
    assert schema_revision(engine) == "0003"
    engine.dispose()
