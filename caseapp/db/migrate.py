"""Bring a database to the current schema with Alembic, backing up a SQLite file first."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from caseapp.db.base import UTCDateTime

SCRIPT_LOCATION = "caseapp.db:migrations"

# Full-text search objects made by hand-written migrations (SQLite FTS5 tables, PostgreSQL
# trigram index); the models do not describe them, so Alembic must not try to drop them.
_IGNORED_PREFIXES = ("complaint_fts",)
_IGNORED_INDEXES = ("ix_complaint_text_trgm",)


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith(_IGNORED_PREFIXES)
    if type_ == "index":
        return name not in _IGNORED_INDEXES
    return True


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@dataclass(frozen=True)
class UpgradeResult:
    from_revision: str | None
    to_revision: str
    backup: Path | None


def backup_sqlite(db_path: Path, label: str) -> Path:
    """Copy a live SQLite database consistently (online backup API, WAL included).

    The copy is written under a temporary name, checked (``PRAGMA quick_check``) and only
    then given its final name, so a ``.bak`` file is always complete."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = db_path.with_name(f"{db_path.name}.{stamp}.{label}.bak")
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(f"file:{db_path.as_posix()}?mode=ro", uri=True)
    try:
        dest = sqlite3.connect(str(partial))
        try:
            source.backup(dest)
            check = dest.execute("PRAGMA quick_check").fetchone()
            dest.execute("PRAGMA journal_mode=DELETE")
        finally:
            dest.close()
    finally:
        source.close()
    if check != ("ok",):
        partial.unlink(missing_ok=True)
        raise RuntimeError(f"the backup copy of {db_path} failed its check: {check}")
    with partial.open("rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(partial, target)
    return target


def _has_tables(engine: Engine) -> bool:
    return bool(inspect(engine).get_table_names())


# Serialises migrations of one PostgreSQL database by several clients at once (team mode).
_PG_MIGRATION_LOCK = 0x63617365  # "case"

PreMigrationBackup = Callable[[Engine, str | None, str], Path | None]


def upgrade(engine: Engine, *, pre_migration_backup: PreMigrationBackup | None = None
            ) -> UpgradeResult:
    """Upgrade to head, after a backup of a database that has data.

    SQLite: a checked copy of the file beside it (``<db>.<time>.before-<rev>.bak``).
    Other databases: `pre_migration_backup(engine, from, to)` if given (the app writes every
    table's rows to a restorable backup in the workspace). On PostgreSQL an advisory lock makes
    concurrent clients migrate one after the other; the migration itself is one transaction
    (PostgreSQL DDL is transactional), so a failed migration leaves the old schema intact."""
    before = current_revision(engine)
    head = head_revision()
    if before == head:
        return UpgradeResult(before, head, None)
    backup = None
    db_file = engine.url.database if engine.dialect.name == "sqlite" else None
    config = alembic_config()
    if engine.dialect.name == "sqlite":
        if db_file and db_file != ":memory:" and Path(db_file).exists() and _has_tables(engine):
            backup = backup_sqlite(Path(db_file), f"before-{head}")
        # The write lock is taken up front: a second process migrating at the same time waits,
        # then finds the work done.
        with engine.execution_options(caseapp_begin="IMMEDIATE").begin() as conn:
            if MigrationContext.configure(conn).get_current_revision() != head:
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
        return UpgradeResult(before, head, backup)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                         {"key": _PG_MIGRATION_LOCK})
        now = MigrationContext.configure(conn).get_current_revision()
        if now == head:
            return UpgradeResult(before, head, None)  # another client just did it
        if pre_migration_backup is not None and _has_tables(engine):
            backup = pre_migration_backup(engine, now, head)
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return UpgradeResult(before, head, backup)


def _new_revision(message: str) -> None:
    """Autogenerate a revision against a scratch SQLite database at the current head."""
    import tempfile

    from caseapp.db.session import make_engine

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp, 'scratch.db').as_posix()}")
        try:
            config = alembic_config()
            with engine.begin() as conn:
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
                heads = ScriptDirectory.from_config(config).get_heads()
                count = len(list(ScriptDirectory.from_config(config).walk_revisions()))
                rev_id = f"{count + 1:04d}"
                command.revision(config, message=message, autogenerate=True, rev_id=rev_id,
                                 head=heads[0] if heads else "base")
        finally:
            engine.dispose()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="caseapp schema migrations (development)")
    parser.add_argument("action", choices=["revision"])
    parser.add_argument("-m", "--message", required=True)
    _new_revision(parser.parse_args().message)
