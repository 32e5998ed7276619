"""Alembic environment: runs on the connection caseapp hands over (see caseapp.db.migrate)."""

from __future__ import annotations

from typing import Any

from alembic import context

import caseapp.db.models  # noqa: F401 - registers every table on the metadata
from caseapp.db.base import Base, UTCDateTime

# Tables SQLite creates for full-text search; Alembic must not try to drop them.
_IGNORED_PREFIXES = ("complaint_fts",)


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    return not (type_ == "table" and name is not None and name.startswith(_IGNORED_PREFIXES))


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations() -> None:
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        include_name=include_name,
        render_item=render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
