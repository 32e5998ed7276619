"""Complaint queries: filters and Chinese substring search on SQLite (FTS5) and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session

from caseapp.db.models import Complaint

# FTS5's trigram tokenizer needs at least 3 characters to match.
FTS_MIN_CHARS = 3


@dataclass(frozen=True, slots=True)
class ComplaintFilter:
    search: str = ""
    category: str | None = None
    channel: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    complaint_ids: frozenset[int] | None = None  # e.g. the members of a templated group


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def apply_filter(session: Session, query: Select, case_id: int, f: ComplaintFilter) -> Select:
    query = query.where(Complaint.case_id == case_id)
    if f.category:
        query = query.where(Complaint.category == f.category)
    if f.channel:
        query = query.where(Complaint.channel == f.channel)
    if f.received_from is not None:
        query = query.where(Complaint.received_at >= f.received_from)
    if f.received_to is not None:
        query = query.where(Complaint.received_at < f.received_to)
    if f.complaint_ids is not None:
        query = query.where(Complaint.id.in_(sorted(f.complaint_ids)))
    needle = f.search.strip()
    if needle:
        query = query.where(_text_condition(session, needle))
    return query


def _text_condition(session: Session, needle: str):  # type: ignore[no-untyped-def]
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite" and len(needle) >= FTS_MIN_CHARS:
        phrase = '"' + needle.replace('"', '""') + '"'
        return Complaint.id.in_(
            select(text("rowid")).select_from(text("complaint_fts"))
            .where(text("complaint_fts MATCH :phrase")).params(phrase=phrase)
        )
    if dialect == "sqlite":
        # Too short for the trigram index: scan the base table (instr is exact, no wildcards).
        return func.instr(Complaint.text, needle) > 0
    return Complaint.text.ilike(f"%{_like_escape(needle)}%", escape="\\")


def count(session: Session, case_id: int, f: ComplaintFilter) -> int:
    query = apply_filter(session, select(func.count()).select_from(Complaint), case_id, f)
    return int(session.scalar(query) or 0)


def index_batch_texts(session: Session, batch_id: int) -> None:
    """Add an import batch's complaint texts to SQLite's FTS5 index in one statement.

    Updates and deletes are followed by triggers; bulk inserts are indexed here because one
    INSERT … SELECT is several times faster than a trigger per row. PostgreSQL's trigram
    index is maintained by the server."""
    if session.get_bind().dialect.name != "sqlite":
        return
    session.execute(
        text("INSERT INTO complaint_fts(rowid, text) "
             "SELECT id, text FROM complaint WHERE batch_id = :batch"), {"batch": batch_id})
