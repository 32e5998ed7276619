"""Alembic environment: runs on the connection caseapp hands over (see caseapp.db.migrate)."""

from __future__ import annotations

from alembic import context

import caseapp.db.models  # noqa: F401 - registers every table on the metadata
from caseapp.db.base import Base
from caseapp.db.migrate import include_name, render_item


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
