"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from caseapp.db.base import Base
from caseapp.db.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    include_name,
    upgrade,
)
from caseapp.db.session import make_engine


def test_migrated_schema_equals_models(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        result = upgrade(engine)
        assert result.to_revision == head_revision()
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": include_name})
            diff = compare_metadata(ctx, Base.metadata)
        assert diff == []
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
    finally:
        engine.dispose()


def test_upgrade_is_idempotent(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        again = upgrade(engine)
        assert again.from_revision == again.to_revision == head_revision()
        assert again.backup is None
    finally:
        engine.dispose()


def test_sqlite_file_is_backed_up_before_migrating(tmp_path: Path) -> None:
    db_file = tmp_path / "caseapp.db"
    engine = make_engine(f"sqlite:///{db_file.as_posix()}")
    try:
        upgrade(engine)
        config = alembic_config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "base")
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE user_note (body TEXT)")
            conn.exec_driver_sql("INSERT INTO user_note VALUES ('keep me')")
        result = upgrade(engine)
        assert result.backup is not None and result.backup.exists()
        with sqlite3.connect(result.backup) as backup:
            assert backup.execute("SELECT body FROM user_note").fetchall() == [("keep me",)]
            assert backup.execute(
                "SELECT count(*) FROM sqlite_master WHERE name='case'").fetchone() == (0,)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_sqlite_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{(tmp_path / 'x.db').as_posix()}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        engine.dispose()
