"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL, and
step down and up again."""

from __future__ import annotations

from pathlib import Path

import pytest
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


def test_the_newest_revision_read_from_the_files_is_alembics_head() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from onca.registry._db import MIGRATIONS, newest_revision

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert newest_revision() == ScriptDirectory.from_config(config).get_current_head() == "0003"


def test_a_database_at_the_newest_revision_is_left_without_alembic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alembic import command

    engine = make_engine(f"sqlite:///{tmp_path / 'r.db'}")
    migrate(engine, "0002")
    upgrades: list[str] = []
    real_upgrade = command.upgrade
    monkeypatch.setattr(command, "upgrade", lambda c, r: upgrades.append(r) or real_upgrade(c, r))
    migrate(engine)  # 0002 -> 0003: Alembic runs
    migrate(engine)  # at 0003 already: it does not
    assert upgrades == ["head"] and schema_revision(engine) == "0003"
    engine.dispose()
