"""Complaint queries: filters and Chinese substring search on SQLite (FTS5) and PostgreSQL;
the bulk writer of complaint imports and the lock that keeps two imports into a case apart."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session

from caseapp.db.models import Complaint, Identifier
from caseapp.db.repositories.identifiers import jsonable_details
from caseapp.domain.enums import IdentifierType
from caseapp.identifiers import ParsedIdentifier

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


# ------------------------------------------------------------------------------ bulk import

# The complaint columns an import supplies, in the order of :meth:`ComplaintBulkWriter.write`'s
# tuples; ``id``, ``case_id``, ``batch_id`` and ``created_at`` are added by the writer.
IMPORT_COLUMNS: tuple[str, ...] = (
    "source_line", "external_number", "received_at", "channel", "customer_name",
    "customer_id_number", "customer_id_number_raw", "customer_phone", "customer_phone_raw",
    "agent_name", "agent_phone", "agent_phone_raw", "product", "category", "text", "demands",
    "amount", "amount_raw", "status", "extra", "flags", "content_sha256",
)
_COMPLAINT_COLUMNS = ("id", "case_id", "batch_id", *IMPORT_COLUMNS, "created_at")
_IDENTIFIER_COLUMNS = (
    "id", "case_id", "party_id", "type", "value", "raw", "valid", "problems", "details", "note",
    "created_at", "updated_at", "created_by", "updated_by",
)
_MENTION_COLUMNS = ("identifier_id", "complaint_id", "field", "raw", "start", "end")
_VALUE_LIMIT = 200  # identifier.value, identifier.raw and identifier_mention.raw
_CACHE_LIMIT = 1 << 16
# SQLite page cache while importing (KiB): the tables' indexes are written in random order.
_SQLITE_IMPORT_CACHE_KIB = 64 * 1024
# json.dumps with its default arguments: what SQLAlchemy's JSON type sends by default.
_JSON_TEXT = json.JSONEncoder().encode
_PLAIN_TYPES = frozenset({str, int, bool, float, type(None)})

_TYPE_VALUES = {kind: kind.value for kind in IdentifierType}


class ImportedMention(Protocol):
    """An identifier seen in a field of a complaint (``start``/``end``: None for the cell)."""

    @property
    def field(self) -> str: ...
    @property
    def identifier(self) -> ParsedIdentifier: ...
    @property
    def raw(self) -> str: ...
    @property
    def start(self) -> int | None: ...
    @property
    def end(self) -> int | None: ...


class ImportedComplaint(Protocol):
    """What the writer reads of an imported complaint: the :data:`IMPORT_COLUMNS` (``line``
    for ``source_line``), and its mentions."""

    @property
    def line(self) -> int: ...
    @property
    def external_number(self) -> str: ...
    @property
    def received_at(self) -> datetime | None: ...
    @property
    def channel(self) -> str: ...
    @property
    def customer_name(self) -> str: ...
    @property
    def customer_id_number(self) -> str: ...
    @property
    def customer_id_number_raw(self) -> str: ...
    @property
    def customer_phone(self) -> str: ...
    @property
    def customer_phone_raw(self) -> str: ...
    @property
    def agent_name(self) -> str: ...
    @property
    def agent_phone(self) -> str: ...
    @property
    def agent_phone_raw(self) -> str: ...
    @property
    def product(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def demands(self) -> str: ...
    @property
    def amount(self) -> Decimal | None: ...
    @property
    def amount_raw(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def extra(self) -> Mapping[str, str]: ...
    @property
    def flags(self) -> tuple[str, ...]: ...
    @property
    def content_sha256(self) -> str: ...
    @property
    def mentions(self) -> Sequence[ImportedMention]: ...


def _quoted(names: tuple[str, ...]) -> str:
    return ", ".join(f'"{name}"' for name in names)


def _processor(column: Any, dialect: Any) -> Any:
    """SQLAlchemy's own bind conversion of a column for this dialect (or None)."""
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def _details_json(details: Mapping[str, object]) -> str:
    """``json.dumps(jsonable_details(details))``, without its per-value checks on plain values."""
    if not details:
        return "{}"
    out: dict[str, object] = {}
    for key, value in details.items():
        if type(key) is not str:
            key = str(key)
        if type(value) in _PLAIN_TYPES or isinstance(value, str | int | bool | float):
            out[key] = value
        else:
            out[key] = str(value)
    return _JSON_TEXT(out)


class ComplaintBulkWriter:
    """Inserts imported complaints, their new identifiers and the mentions through the DBAPI
    connection of the session's transaction: ``executemany`` on SQLite, ``COPY`` on PostgreSQL.

    Values go through the same bind conversions SQLAlchemy applies to these columns, so the
    stored rows are the ones an ORM insert would store; only SQLAlchemy's per-parameter work
    is saved. Complaint ids are assigned here (SQLite: after the highest id, which is safe
    because the import holds the write lock; PostgreSQL: from the table's sequence), so the
    mentions need no second query. New identifiers are found against the case's identifiers,
    read once; on PostgreSQL they are inserted with ``ON CONFLICT DO NOTHING`` in case another
    session added the same one meanwhile.
    """

    def __init__(self, session: Session, case_id: int, batch_id: int, now: datetime, *,
                 actor: str = "") -> None:
        self._session = session
        self._actor = actor
        connection = session.connection()
        self._dialect = connection.dialect
        self._pg = self._dialect.name == "postgresql"
        self._raw = connection.connection.driver_connection
        self._case_id, self._batch_id = case_id, batch_id
        table = Complaint.__table__.c
        dialect = self._dialect
        created = _processor(table.created_at, dialect)
        self._created_at = created(now) if created else now
        self._received_at = _processor(table.received_at, dialect)
        self._amount = _processor(table.amount, dialect)
        self._json = _processor(table.extra, dialect)
        ident = Identifier.__table__.c
        # Identifier rows take their JSON as text (PostgreSQL: text[] cast to json), the text
        # SQLAlchemy's JSON type sends: the dialect's serializer, by default json.dumps.
        self._valid = None if self._pg else _processor(ident.valid, dialect)
        serializer = getattr(dialect, "_json_serializer", None)
        self._fast_json = serializer is None
        self._identifier_json: Any = serializer or _JSON_TEXT
        self._problem_texts: dict[tuple[Any, ...], Any] = {}
        self._new_identifiers: dict[tuple[str, str], ParsedIdentifier] = {}
        self._dates: dict[datetime, Any] = {}
        self._flags: dict[tuple[str, ...], Any] = {}
        self._empty_extra = self._json({}) if self._json else {}
        self._identifiers: dict[tuple[str, str], int] = {
            (t, v): i for i, t, v in session.execute(
                select(Identifier.id, Identifier.type, Identifier.value)
                .where(Identifier.case_id == case_id))}
        self._restore_cache: int | None = None
        if not self._pg:
            previous = self._scalar("PRAGMA cache_size")
            if -previous < _SQLITE_IMPORT_CACHE_KIB:
                self._raw.execute(f"PRAGMA cache_size = -{_SQLITE_IMPORT_CACHE_KIB}").close()
                self._restore_cache = previous
            self._next_complaint = self._scalar("SELECT coalesce(max(id), 0) FROM complaint") + 1
            self._next_identifier = self._scalar(
                "SELECT coalesce(max(id), 0) FROM identifier") + 1
            self._complaint_sql = (
                f"INSERT INTO complaint ({_quoted(_COMPLAINT_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(_COMPLAINT_COLUMNS))})")
            self._identifier_sql = (
                f"INSERT INTO identifier ({_quoted(_IDENTIFIER_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(_IDENTIFIER_COLUMNS))})")
            self._mention_sql = (
                f"INSERT INTO identifier_mention ({_quoted(_MENTION_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(_MENTION_COLUMNS))})")

    def close(self) -> None:
        """Give the connection its usual page cache back (call when the import is done)."""
        if self._restore_cache is not None:
            self._raw.execute(f"PRAGMA cache_size = {self._restore_cache}").close()
            self._restore_cache = None

    def _scalar(self, sql: str) -> int:
        cursor = self._raw.execute(sql)
        try:
            return int(cursor.fetchone()[0])
        finally:
            cursor.close()

    # -------------------------------------------------------------------- conversions

    def _date(self, value: datetime | None) -> Any:
        if value is None or self._received_at is None:
            return value
        converted = self._dates.get(value)
        if converted is None:
            if len(self._dates) > _CACHE_LIMIT:
                self._dates.clear()
            converted = self._dates[value] = self._received_at(value)
        return converted

    def _flag_list(self, flags: tuple[str, ...]) -> Any:
        converted = self._flags.get(flags)
        if converted is None:
            converted = self._flags[flags] = (
                self._json(list(flags)) if self._json else list(flags))
        return converted

    # -------------------------------------------------------------------- writing

    def write(self, rows: Sequence[ImportedComplaint]) -> None:
        """Insert the complaints, the identifiers they mention that are new to the case, and
        the mentions."""
        if not rows:
            return
        ids = self._complaint_ids(len(rows))
        case_id, batch_id, created = self._case_id, self._batch_id, self._created_at
        amount_of, json_, date, flag_list = self._amount, self._json, self._date, self._flag_list
        empty_extra = self._empty_extra
        known, new = self._identifiers, self._new_identifiers
        types, limit = _TYPE_VALUES, _VALUE_LIMIT
        prepared = []
        seen: list[tuple[tuple[str, str], int, str, str, int | None, int | None]] = []
        for complaint_id, r in zip(ids, rows, strict=True):
            amount = r.amount
            if amount is not None and amount_of is not None:
                amount = amount_of(amount)
            extra = r.extra
            prepared.append((
                complaint_id, case_id, batch_id, r.line, r.external_number, date(r.received_at),
                r.channel, r.customer_name, r.customer_id_number, r.customer_id_number_raw,
                r.customer_phone, r.customer_phone_raw, r.agent_name, r.agent_phone,
                r.agent_phone_raw, r.product, r.category, r.text, r.demands, amount,
                r.amount_raw, r.status,
                (json_(extra) if json_ else extra) if extra else empty_extra,
                flag_list(r.flags), r.content_sha256, created))
            for m in r.mentions:
                identifier = m.identifier
                value = identifier.value
                if not value:
                    continue
                key = (types[identifier.type], value[:limit])
                if key not in known and key not in new:
                    new[key] = identifier
                seen.append((key, complaint_id, m.field, m.raw[:limit], m.start, m.end))
        self._insert_complaints(prepared)
        if new:
            self._insert_identifiers()
        if seen:
            self._insert_mentions([(known[key], complaint_id, field, raw, start, end)
                                   for key, complaint_id, field, raw, start, end in seen])

    def _complaint_ids(self, count: int) -> list[int] | range:
        if self._pg:
            with self._raw.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence('complaint', 'id')) "
                    "FROM generate_series(1, %s)", (count,))
                return [row[0] for row in cursor.fetchall()]
        first = self._next_complaint
        self._next_complaint += count
        return range(first, first + count)

    def _insert_complaints(self, prepared: list[tuple[Any, ...]]) -> None:
        if self._pg:
            self._copy("complaint", _COMPLAINT_COLUMNS, prepared)
        else:
            self._raw.executemany(self._complaint_sql, prepared)

    def _insert_mentions(self, rows: list[tuple[Any, ...]]) -> None:
        if self._pg:
            self._copy("identifier_mention", _MENTION_COLUMNS, rows)
        else:
            self._raw.executemany(self._mention_sql, rows)

    def _copy(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        with self._raw.cursor() as cursor, cursor.copy(
                f"COPY {table} ({_quoted(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def _insert_identifiers(self) -> None:
        known, new, limit = self._identifiers, self._new_identifiers, _VALUE_LIMIT
        self._new_identifiers = {}
        valid, fast_json = self._valid, self._fast_json
        problem_texts = self._problem_texts
        values = []
        for (kind, value), parsed in new.items():
            problems: Any = problem_texts.get(parsed.problems)
            if problems is None:
                problems = problem_texts[parsed.problems] = self._identifier_json(
                    [p.value for p in parsed.problems])
            details: Any = (_details_json(parsed.details) if fast_json
                            else self._identifier_json(jsonable_details(parsed.details)))
            ok = parsed.valid
            values.append((kind, value, parsed.raw[:limit],
                           valid(ok) if valid is not None else ok, problems, details))
        if self._pg:
            self._insert_identifiers_pg(values)
            return
        first = self._next_identifier
        self._next_identifier += len(values)
        case_id, created, actor = self._case_id, self._created_at, self._actor
        self._raw.executemany(self._identifier_sql, [
            (first + i, case_id, None, t, v, raw, ok, problems, details, "", created, created,
             actor, actor)
            for i, (t, v, raw, ok, problems, details) in enumerate(values)])
        for i, key in enumerate(new):
            known[key] = first + i

    def _insert_identifiers_pg(self, values: list[tuple[Any, ...]]) -> None:
        known = self._identifiers
        columns = list(zip(*values, strict=True))
        with self._raw.cursor() as cursor:
            cursor.execute(
                "INSERT INTO identifier (case_id, party_id, type, value, raw, valid, problems, "
                "details, note, created_at, updated_at, created_by, updated_by) "
                "SELECT %s, NULL, t, v, r, ok, p::json, d::json, '', %s, %s, %s, %s "
                "FROM unnest(%s::text[], %s::text[], %s::text[], %s::bool[], %s::text[], "
                "%s::text[]) AS u(t, v, r, ok, p, d) "
                "ON CONFLICT (case_id, type, value) DO NOTHING RETURNING id, type, value",
                (self._case_id, self._created_at, self._created_at, self._actor, self._actor,
                 *[list(c) for c in columns]))
            for identifier_id, kind, value in cursor.fetchall():
                known[(kind, value)] = identifier_id
            missing = [(t, v) for t, v, *_rest in values if (t, v) not in known]
            if missing:
                # Added by another session meanwhile: use its row.
                cursor.execute(
                    "SELECT id, type, value FROM identifier WHERE case_id = %s AND "
                    "(type, value) IN (SELECT * FROM unnest(%s::text[], %s::text[]))",
                    (self._case_id, [t for t, _v in missing], [v for _t, v in missing]))
                for identifier_id, kind, value in cursor.fetchall():
                    known[(kind, value)] = identifier_id


# ------------------------------------------------------------------------ import exclusion

# pg_advisory_xact_lock(namespace, case id): one import into a case at a time.
_IMPORT_LOCK_NAMESPACE = 0x43494D50  # "CIMP"


def try_lock_case_imports(session: Session, case_id: int) -> bool:
    """Take the case's import lock for the rest of the session's transaction, if free.

    Two imports into one case must not both decide that a complaint is new: the second must
    see what the first wrote. PostgreSQL: a transaction-scoped advisory lock on the case, taken
    before the case's complaints are read (under READ COMMITTED each later statement then sees
    what the other import committed). SQLite: the write transaction (BEGIN IMMEDIATE) already
    excludes every other writer, so the lock is always granted.
    """
    if session.get_bind().dialect.name != "postgresql":
        session.connection()  # begins the write transaction: the database's write lock
        return True
    return bool(session.scalar(
        text("SELECT pg_try_advisory_xact_lock(:namespace, :case_id)"),
        {"namespace": _IMPORT_LOCK_NAMESPACE, "case_id": case_id}))
