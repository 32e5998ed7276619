"""Reading a case's complaints for browsing: filtered, sorted id lists, rows by id, the choices
the filters offer, and one complaint's details (its identifier mentions and templated group).

The complaints table of the desktop app asks for the ordered ids of a query once (cheap even
for 100,000 complaints) and then for the rows of the part it shows; nothing here loads every
complaint's text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, or_, select, text, union
from sqlalchemy.orm import Session

from caseapp.db.models import (
    AnalysisRun,
    Complaint,
    ComplaintGroup,
    GroupMember,
    Identifier,
    IdentifierMention,
)
from caseapp.db.repositories.complaints import (
    FTS_MIN_CHARS,
    ComplaintFilter,
    apply_filter,
)
from caseapp.db.repositories.complaints import _text_condition as text_condition
from caseapp.db.repositories.lookup import find_case
from caseapp.domain.enums import IdentifierType
from caseapp.domain.errors import InvalidInputError, NotFoundError
from caseapp.i18n import _
from caseapp.identifiers import guess_identifier
from caseapp.services.context import ServiceContext
from caseapp.services.convert import complaint_record
from caseapp.services.records import ComplaintRecord

SORT_KEYS = ("received_at", "external_number", "channel", "customer_name", "agent_name",
             "category", "product", "amount", "status", "group")
EXCERPT_CHARS = 120
MAX_ROWS_PER_CALL = 5000


@dataclass(frozen=True, slots=True)
class ComplaintQuery:
    """What to show of a case's complaints, and in which order.

    ``search`` finds a Chinese substring in the complaint text (the full-text index) or an exact
    complaint number, customer name, ID number or phone. ``group_id`` keeps one templated group
    of the latest analysis run, ``identifier_id`` the complaints mentioning one identifier.
    """

    search: str = ""
    category: str | None = None
    channel: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None  # exclusive
    group_id: int | None = None
    identifier_id: int | None = None
    complaint_ids: frozenset[int] | None = None
    sort: str = "received_at"
    descending: bool = False


@dataclass(frozen=True, slots=True)
class ComplaintListRow:
    """What one line of the complaints table shows."""

    id: int
    external_number: str
    received_at: datetime | None
    channel: str
    customer_name: str
    agent_name: str
    product: str
    category: str
    amount: Decimal | None
    status: str
    group_number: int | None
    excerpt: str
    flags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GroupChoice:
    id: int
    number: int
    size: int


@dataclass(frozen=True, slots=True)
class ComplaintFacets:
    """The values the filters can take in a case."""

    total: int
    categories: tuple[tuple[str, int], ...]
    channels: tuple[tuple[str, int], ...]
    first_received: datetime | None
    last_received: datetime | None
    groups: tuple[GroupChoice, ...]


@dataclass(frozen=True, slots=True)
class MentionRecord:
    """An identifier found in a field of a complaint; start/end index the field's value (None:
    the whole cell)."""

    identifier_id: int
    type: str
    value: str
    valid: bool
    party_id: int | None
    field: str
    raw: str
    start: int | None
    end: int | None


@dataclass(frozen=True, slots=True)
class ComplaintGroupRef:
    id: int
    number: int
    size: int
    similarity: float
    variant: int | None
    representative_id: int


@dataclass(frozen=True, slots=True)
class ComplaintDetail:
    complaint: ComplaintRecord
    mentions: tuple[MentionRecord, ...] = field(default=())
    group: ComplaintGroupRef | None = None


def latest_run_id(s: Session, case_id: int) -> int | None:
    return s.scalar(select(AnalysisRun.id).where(AnalysisRun.case_id == case_id)
                    .order_by(AnalysisRun.id.desc()).limit(1))


def _exact_terms(needle: str) -> list[str]:
    """The needle as typed, its digits alone (a phone written with spaces or dashes) and its
    normalised value when it reads as an identifier (``185 0847 7852`` -> ``+8618508477852``)."""
    terms = [needle]
    digits = "".join(ch for ch in needle if ch.isdigit() or ch in "Xx")
    if len(digits) >= 5 and digits != needle:
        terms.append(digits.upper() if len(digits) == 18 else digits)
    guessed = guess_identifier(needle)
    if guessed is not None and guessed.value and guessed.value not in terms:
        terms.append(guessed.value)
    return terms


class ComplaintQueryService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # --- building the query ------------------------------------------------------------

    def _filtered(self, s: Session, query: Select, case_id: int, q: ComplaintQuery) -> Select:
        base = ComplaintFilter(category=q.category, channel=q.channel,
                               received_from=q.received_from, received_to=q.received_to,
                               complaint_ids=q.complaint_ids)
        query = apply_filter(s, query, case_id, base)
        if q.group_id is not None:
            query = query.where(Complaint.id.in_(
                select(GroupMember.complaint_id).where(GroupMember.group_id == q.group_id)))
        if q.identifier_id is not None:
            query = query.where(Complaint.id.in_(
                select(IdentifierMention.complaint_id)
                .where(IdentifierMention.identifier_id == q.identifier_id)))
        needle = q.search.strip()
        if needle:
            query = query.where(self._search_condition(s, case_id, needle))
        return query

    @staticmethod
    def _search_condition(s: Session, case_id: int, needle: str):  # type: ignore[no-untyped-def]
        """The complaints whose text holds ``needle``, or whose number, customer ID number or
        phone is it, or that mention it as an identifier.

        With the full-text index the candidates come from indexes only (the full-text index,
        the number, ID-number and phone indexes, the identifier mentions), as one set, so that
        the database reads a handful of matches directly instead of walking every complaint of
        the case.
        """
        terms = _exact_terms(needle)
        where_case = Complaint.case_id == case_id
        exact = [
            select(Complaint.id).where(where_case, Complaint.external_number.in_(terms)),
            select(Complaint.id).where(where_case, Complaint.customer_id_number.in_(terms)),
            select(Complaint.id).where(where_case, Complaint.customer_phone.in_(terms)),
            select(IdentifierMention.complaint_id)
            .join(Identifier, Identifier.id == IdentifierMention.identifier_id)
            .where(Identifier.case_id == case_id,
                   # every type, so that the (case, type, value) index answers
                   Identifier.type.in_([t.value for t in IdentifierType]),
                   Identifier.value.in_(terms),
                   IdentifierMention.complaint_id.is_not(None)),
        ]
        if len(needle) >= FTS_MIN_CHARS and s.get_bind().dialect.name == "sqlite":
            fts = select(text("rowid")).select_from(text("complaint_fts")).where(
                text("complaint_fts MATCH :phrase")).params(
                phrase='"' + needle.replace('"', '""') + '"')
            return Complaint.id.in_(union(fts, *exact))
        # No usable index for the text (a short needle, or PostgreSQL's trigram index, which
        # the planner uses by itself): test the text in the scan that sorts by date, which
        # stops after the first page when the needle is common.
        return or_(text_condition(s, needle), Complaint.customer_name == needle,
                   Complaint.agent_name == needle, Complaint.id.in_(union(*exact)))

    def _ordered(self, s: Session, query: Select, case_id: int, q: ComplaintQuery) -> Select:
        if q.sort not in SORT_KEYS:
            raise InvalidInputError(_("Cannot sort complaints by {key}.").format(key=q.sort))
        if q.sort == "group":
            run_id = latest_run_id(s, case_id)
            number = (select(ComplaintGroup.number)
                      .join(GroupMember, GroupMember.group_id == ComplaintGroup.id)
                      .where(GroupMember.complaint_id == Complaint.id,
                             ComplaintGroup.run_id == (run_id if run_id is not None else -1))
                      .scalar_subquery())
            # Complaints in no group come last either way.
            key = func.coalesce(number, 2_000_000_000 if not q.descending else -1)
        else:
            key = getattr(Complaint, q.sort)
        if q.descending:
            return query.order_by(key.desc(), Complaint.id.desc())
        return query.order_by(key, Complaint.id)

    # --- reading -----------------------------------------------------------------------

    def ordered_ids(self, case_ref: str | int, query: ComplaintQuery | None = None) -> list[int]:
        """The ids of every complaint the query keeps, in its order."""
        q = query or ComplaintQuery()
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            stmt = self._ordered(s, self._filtered(s, select(Complaint.id), case.id, q),
                                 case.id, q)
            # Plain integers straight from the driver's cursor: a third of the time (and of
            # the interpreter lock) that result rows take for 100,000 ids.
            result = s.connection().execute(stmt)
            try:
                return [row[0] for row in result.cursor.fetchall()]
            finally:
                result.close()

    def count(self, case_ref: str | int, query: ComplaintQuery | None = None) -> int:
        q = query or ComplaintQuery()
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            stmt = self._filtered(s, select(func.count()).select_from(Complaint), case.id, q)
            return int(s.scalar(stmt) or 0)

    def rows(self, case_ref: str | int, ids: Sequence[int]) -> list[ComplaintListRow]:
        """The table rows of the given complaints of the case, in the order of ``ids``."""
        if len(ids) > MAX_ROWS_PER_CALL:
            raise InvalidInputError(_("Ask for at most {n} complaints at a time.").format(
                n=MAX_ROWS_PER_CALL))
        if not ids:
            return []
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            wanted = sorted(set(ids))
            found = {row.id: row for row in s.execute(self._row_select().where(
                Complaint.case_id == case.id, Complaint.id.in_(wanted)))}
            groups = self._group_numbers(s, case.id, wanted)
        return [self._list_row(found[cid], groups) for cid in ids if cid in found]

    def head(self, case_ref: str | int, query: ComplaintQuery | None = None, *,
             limit: int = 200) -> list[ComplaintListRow]:
        """The first ``limit`` rows the query keeps (what a table shows first), without
        counting or listing the rest."""
        q = query or ComplaintQuery()
        limit = max(0, min(limit, MAX_ROWS_PER_CALL))
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            stmt = self._ordered(s, self._filtered(s, self._row_select(), case.id, q),
                                 case.id, q).limit(limit)
            found = list(s.execute(stmt))
            groups = self._group_numbers(s, case.id, [r.id for r in found])
        return [self._list_row(r, groups) for r in found]

    @staticmethod
    def _row_select() -> Select:
        return select(
            Complaint.id, Complaint.external_number, Complaint.received_at,
            Complaint.channel, Complaint.customer_name, Complaint.agent_name,
            Complaint.product, Complaint.category, Complaint.amount, Complaint.status,
            func.substr(Complaint.text, 1, EXCERPT_CHARS).label("excerpt"), Complaint.flags)

    @staticmethod
    def _list_row(row: Any, groups: dict[int, int]) -> ComplaintListRow:
        return ComplaintListRow(
            id=row.id, external_number=row.external_number, received_at=row.received_at,
            channel=row.channel, customer_name=row.customer_name,
            agent_name=row.agent_name, product=row.product, category=row.category,
            amount=row.amount, status=row.status, group_number=groups.get(row.id),
            excerpt=" ".join((row.excerpt or "").split()), flags=tuple(row.flags or ()))

    def page(self, case_ref: str | int, query: ComplaintQuery | None = None, *,
             offset: int = 0, limit: int = 200) -> tuple[int, list[ComplaintListRow]]:
        """The total the query keeps and the rows from ``offset`` (at most ``limit``)."""
        q = query or ComplaintQuery()
        limit = max(0, min(limit, MAX_ROWS_PER_CALL))
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            total = int(s.scalar(self._filtered(
                s, select(func.count()).select_from(Complaint), case.id, q)) or 0)
            stmt = self._ordered(s, self._filtered(s, select(Complaint.id), case.id, q),
                                 case.id, q).offset(max(0, offset)).limit(limit)
            ids = list(s.scalars(stmt))
        return total, self.rows(case_ref, ids)

    @staticmethod
    def _group_numbers(s: Session, case_id: int, ids: list[int]) -> dict[int, int]:
        run_id = latest_run_id(s, case_id)
        if run_id is None or not ids:
            return {}
        return dict(s.execute(
            select(GroupMember.complaint_id, ComplaintGroup.number)
            .join(ComplaintGroup, ComplaintGroup.id == GroupMember.group_id)
            .where(ComplaintGroup.run_id == run_id, GroupMember.complaint_id.in_(ids))).all())

    def groups(self, case_ref: str | int) -> tuple[GroupChoice, ...]:
        """The templated groups of the latest analysis run, largest first."""
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            return self._groups(s, case.id)

    @staticmethod
    def _groups(s: Session, case_id: int) -> tuple[GroupChoice, ...]:
        run_id = latest_run_id(s, case_id)
        if run_id is None:
            return ()
        return tuple(GroupChoice(i, n, size) for i, n, size in s.execute(
            select(ComplaintGroup.id, ComplaintGroup.number, ComplaintGroup.size)
            .where(ComplaintGroup.run_id == run_id).order_by(ComplaintGroup.number)))

    def facets(self, case_ref: str | int) -> ComplaintFacets:
        """Categories and channels with their counts, the date range and the latest run's
        groups: what the filters offer."""
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            where = Complaint.case_id == case.id
            categories = tuple((c or "", int(n)) for c, n in s.execute(
                select(Complaint.category, func.count()).where(where)
                .group_by(Complaint.category).order_by(func.count().desc(), Complaint.category)))
            channels = tuple((c or "", int(n)) for c, n in s.execute(
                select(Complaint.channel, func.count()).where(where)
                .group_by(Complaint.channel).order_by(func.count().desc(), Complaint.channel)))
            first, last = s.execute(select(func.min(Complaint.received_at),
                                           func.max(Complaint.received_at)).where(where)).one()
            total = sum(n for _c, n in categories)
            groups = self._groups(s, case.id)
            return ComplaintFacets(total=total, categories=categories, channels=channels,
                                   first_received=first, last_received=last, groups=groups)

    def detail(self, complaint_id: int) -> ComplaintDetail:
        """A complaint with the identifiers found in it and its group in the latest run."""
        with self._ctx.db.read() as s:
            row = s.get(Complaint, complaint_id)
            if row is None:
                raise NotFoundError(_("No complaint {id}.").format(id=complaint_id))
            mentions = tuple(MentionRecord(
                identifier_id=i, type=t, value=v, valid=ok, party_id=p, field=f, raw=raw,
                start=start, end=end) for i, t, v, ok, p, f, raw, start, end in s.execute(
                select(Identifier.id, Identifier.type, Identifier.value, Identifier.valid,
                       Identifier.party_id, IdentifierMention.field, IdentifierMention.raw,
                       IdentifierMention.start, IdentifierMention.end)
                .join(Identifier, Identifier.id == IdentifierMention.identifier_id)
                .where(IdentifierMention.complaint_id == complaint_id)
                .order_by(IdentifierMention.field, IdentifierMention.start,
                          IdentifierMention.id)))
            group = None
            run_id = latest_run_id(s, row.case_id)
            if run_id is not None:
                found = s.execute(
                    select(ComplaintGroup.id, ComplaintGroup.number, ComplaintGroup.size,
                           GroupMember.similarity, GroupMember.variant,
                           ComplaintGroup.representative_id)
                    .join(GroupMember, GroupMember.group_id == ComplaintGroup.id)
                    .where(ComplaintGroup.run_id == run_id,
                           GroupMember.complaint_id == complaint_id)).first()
                if found is not None:
                    group = ComplaintGroupRef(*found)
            return ComplaintDetail(complaint_record(row), mentions, group)

    def find_number(self, case_ref: str | int, number: str) -> int:
        """The id of the case's complaint with this external number (or ``#id``)."""
        text = number.strip()
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            found = s.scalar(select(Complaint.id).where(Complaint.case_id == case.id,
                                                        Complaint.external_number == text))
            if found is None and text.lstrip("#").isdigit():
                found = s.scalar(select(Complaint.id).where(
                    Complaint.case_id == case.id, Complaint.id == int(text.lstrip("#"))))
            if found is None:
                raise NotFoundError(_("No complaint {ref} in this case.").format(ref=text))
            return int(found)

    def numbers_starting(self, case_ref: str | int, prefix: str, *, limit: int = 20
                         ) -> list[str]:
        """Complaint numbers beginning with ``prefix`` (for completion), in order."""
        text = prefix.strip()
        if not text:
            return []
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            return list(s.scalars(
                select(Complaint.external_number)
                .where(Complaint.case_id == case.id,
                       Complaint.external_number.like(f"{escaped}%", escape="\\"))
                .order_by(Complaint.external_number).limit(limit)))


__all__ = [
    "SORT_KEYS",
    "ComplaintDetail",
    "ComplaintFacets",
    "ComplaintGroupRef",
    "ComplaintListRow",
    "ComplaintQuery",
    "ComplaintQueryService",
    "GroupChoice",
    "MentionRecord",
]
