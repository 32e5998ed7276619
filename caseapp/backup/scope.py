"""Which rows belong to which case, worked out from the foreign keys of the schema.

A table with a ``case_id`` column belongs to a case directly; any other table belongs through
a non-nullable foreign key to a table that does (custody events through their evidence, group
members through their group …). Works on the models' metadata and on a reflected database.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, MetaData, Table, select, true

CASE_TABLE = "case"
# Not case data: Alembic's bookkeeping and SQLite's FTS5 index (rebuilt on restore).
SKIPPED_PREFIXES = ("alembic_version", "complaint_fts", "sqlite_")


# Workspace data that belongs to no case: the peer institutions' exchange files. A backup of
# --all holds them; a backup of some cases leaves them out (they are re-imported from the
# members' files, whose hashes the audit log keeps).
WORKSPACE_TABLES = frozenset({"exchange_peer_file", "exchange_peer_entry"})


def is_data_table(name: str) -> bool:
    return not name.startswith(SKIPPED_PREFIXES)


@dataclass(frozen=True, slots=True)
class Scope:
    column: str  # column of this table
    parent: str  # table it points to ("" for the case table itself)
    parent_column: str


def case_scopes(metadata: MetaData) -> dict[str, Scope]:
    """The scope of every data table that can be tied to a case."""
    scopes: dict[str, Scope] = {}
    if CASE_TABLE in metadata.tables:
        scopes[CASE_TABLE] = Scope("id", "", "")
    changed = True
    while changed:
        changed = False
        for table in metadata.sorted_tables:
            if table.name in scopes or not is_data_table(table.name):
                continue
            scope = _direct(table) or _through(table, scopes)
            if scope is not None:
                scopes[table.name] = scope
                changed = True
    return scopes


def _direct(table: Table) -> Scope | None:
    column = table.columns.get("case_id")
    if column is None:
        return None
    for fk in column.foreign_keys:
        if fk.column.table.name == CASE_TABLE:
            return Scope("case_id", CASE_TABLE, fk.column.name)
    return None


def _through(table: Table, known: dict[str, Scope]) -> Scope | None:
    for column in table.columns:
        if column.nullable:
            continue
        for fk in column.foreign_keys:
            if fk.column.table.name in known:
                return Scope(column.name, fk.column.table.name, fk.column.name)
    return None


def unscoped_tables(metadata: MetaData) -> list[str]:
    scopes = case_scopes(metadata)
    return [t.name for t in metadata.sorted_tables
            if is_data_table(t.name) and t.name not in scopes and t.name not in WORKSPACE_TABLES]


def case_condition(metadata: MetaData, scopes: dict[str, Scope], table: Table,
                   case_ids: Collection[int] | None) -> ColumnElement[bool]:
    """SQL condition selecting the rows of `table` that belong to the cases (all if None)."""
    if case_ids is None:
        return true()
    scope = scopes[table.name]
    column = table.c[scope.column]
    if not scope.parent:
        return column.in_(list(case_ids))
    if scope.parent == CASE_TABLE:
        return column.in_(list(case_ids))
    parent = metadata.tables[scope.parent]
    inner = select(parent.c[scope.parent_column]).where(
        case_condition(metadata, scopes, parent, case_ids))
    return column.in_(inner)
