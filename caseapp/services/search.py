"""One search box over a case: complaints, parties, identifiers, contacts and evidence.

Text fields are matched as case-insensitive substrings; an identifier typed the way people
write it (``185 0847 7852``, ``+86 18508477852``) is also looked up by its normalised value.
Complaint texts go through the full-text index (see caseapp.services.complaint_queries).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import Session

from caseapp.db.models import Complaint, Contact, Evidence, Identifier, Party
from caseapp.db.repositories.lookup import find_case
from caseapp.domain.enums import LinkEndType
from caseapp.domain.labels import identifier_type_label, party_role_label
from caseapp.identifiers import guess_identifier
from caseapp.services.complaint_queries import ComplaintQuery, ComplaintQueryService
from caseapp.services.context import ServiceContext

SNIPPET_CHARS = 60


@dataclass(frozen=True, slots=True)
class SearchHit:
    object_type: str  # a LinkEndType value
    object_id: int
    title: str
    snippet: str


@dataclass(frozen=True, slots=True)
class SearchResults:
    query: str
    hits: tuple[SearchHit, ...]
    complaint_total: int  # every complaint that matches (hits hold the first ones)

    def of_type(self, object_type: str) -> list[SearchHit]:
        return [h for h in self.hits if h.object_type == object_type]


def snippet(text: str, needle: str, width: int = SNIPPET_CHARS) -> str:
    """The part of ``text`` around the first occurrence of ``needle`` (case-insensitive), on
    one line; the start of the text when the needle is not in it."""
    flat = " ".join((text or "").split())
    at = flat.casefold().find(needle.casefold()) if needle else -1
    if at < 0:
        return flat[:width] + ("…" if len(flat) > width else "")
    start = max(0, at - 10)
    end = min(len(flat), start + width)
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")


def _contains(column, needle: str):  # type: ignore[no-untyped-def]
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


class SearchService:
    def __init__(self, ctx: ServiceContext, complaints: ComplaintQueryService) -> None:
        self._ctx = ctx
        self._complaints = complaints

    def search(self, case_ref: str | int, text: str, *, limit: int = 50) -> SearchResults:
        """Up to ``limit`` hits of each kind, most telling first."""
        needle = " ".join(text.split())
        if not needle:
            return SearchResults(text, (), 0)
        hits: list[SearchHit] = []
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            case_id = case.id
            hits += self._parties(s, case_id, needle, limit)
            hits += self._identifiers(s, case_id, needle, limit)
            hits += self._contacts(s, case_id, needle, limit)
            hits += self._evidence(s, case_id, needle, limit)
        query = ComplaintQuery(search=needle)
        first = self._complaints.head(case_id, query, limit=limit)
        total = (len(first) if len(first) < limit
                 else self._complaints.count(case_id, query))
        complaint_hits = []
        if first:
            with self._ctx.db.read() as s:
                texts = dict(s.execute(select(Complaint.id, Complaint.text).where(
                    Complaint.id.in_([r.id for r in first]))).all())
            for row in first:
                title = f"{row.external_number} {row.customer_name}".strip()
                complaint_hits.append(SearchHit(LinkEndType.COMPLAINT.value, row.id, title,
                                                snippet(texts.get(row.id) or "", needle)))
        return SearchResults(needle, tuple(complaint_hits + hits), total)

    @staticmethod
    def _parties(s: Session, case_id: int, needle: str, limit: int) -> list[SearchHit]:
        rows = s.scalars(select(Party).where(
            Party.case_id == case_id,
            or_(_contains(Party.name, needle), _contains(Party.notes, needle),
                _contains(cast(Party.aliases, String), needle)))
            .order_by(Party.name, Party.id).limit(limit))
        out = []
        for p in rows:
            aliases = [a for a in (p.aliases or []) if needle.casefold() in a.casefold()]
            detail = (", ".join(aliases) if aliases
                      else snippet(p.notes, needle) if needle.casefold() in p.notes.casefold()
                      else party_role_label(p.role))
            out.append(SearchHit(LinkEndType.PARTY.value, p.id, p.name, detail))
        return out

    @staticmethod
    def _identifiers(s: Session, case_id: int, needle: str, limit: int) -> list[SearchHit]:
        values = {needle}
        guessed = guess_identifier(needle)
        if guessed is not None and guessed.value:
            values.add(guessed.value)
        compact = "".join(needle.split())
        values.add(compact)
        conditions = [Identifier.value.in_(sorted(values))]
        # Values are ASCII (numbers, handles, addresses): a Chinese word is not looked for
        # inside the hundreds of thousands of customers' numbers.
        if len(compact) >= 3 and compact.isascii():
            conditions += [_contains(Identifier.value, compact), _contains(Identifier.raw, needle)]
        rows = s.execute(
            select(Identifier.id, Identifier.type, Identifier.value, Identifier.valid,
                   Identifier.party_id, Party.name)
            .outerjoin(Party, Party.id == Identifier.party_id)
            .where(Identifier.case_id == case_id, or_(*conditions))
            # exact values first, then the ones that belong to a party
            .order_by((~Identifier.value.in_(sorted(values))), Identifier.party_id.is_(None),
                      Identifier.type, Identifier.value)
            .limit(limit))
        out = []
        for ident_id, kind, value, _valid, _party_id, party_name in rows:
            detail = identifier_type_label(kind)
            if party_name:
                detail = f"{detail} · {party_name}"
            out.append(SearchHit(LinkEndType.IDENTIFIER.value, ident_id, value, detail))
        return out

    @staticmethod
    def _contacts(s: Session, case_id: int, needle: str, limit: int) -> list[SearchHit]:
        fields = (Contact.summary, Contact.cover_persona, Contact.counterpart_account,
                  Contact.services_offered, Contact.fee_basis, Contact.location,
                  Contact.transcript, cast(Contact.claims, String))
        rows = s.scalars(select(Contact).where(
            Contact.case_id == case_id, or_(*(_contains(f, needle) for f in fields)))
            .order_by(Contact.started_at, Contact.id).limit(limit))
        out = []
        for c in rows:
            texts = [c.summary, c.counterpart_account, c.cover_persona, c.services_offered,
                     c.fee_basis, c.location, " ".join(c.claims or []), c.transcript]
            match = next((t for t in texts if t and needle.casefold() in t.casefold()),
                         c.summary)
            when = c.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
            title = f"{when} {c.counterpart_account}".strip()
            out.append(SearchHit(LinkEndType.CONTACT.value, c.id, title,
                                 snippet(match, needle)))
        return out

    @staticmethod
    def _evidence(s: Session, case_id: int, needle: str, limit: int) -> list[SearchHit]:
        fields = (Evidence.title, Evidence.description, Evidence.original_name,
                  Evidence.source, Evidence.proof_purpose)
        rows = s.scalars(select(Evidence).where(
            Evidence.case_id == case_id, or_(*(_contains(f, needle) for f in fields)))
            .order_by(Evidence.added_at, Evidence.id).limit(limit))
        out = []
        for e in rows:
            texts = [e.title, e.description, e.original_name, e.source, e.proof_purpose]
            match = next((t for t in texts if t and needle.casefold() in t.casefold()),
                         e.original_name)
            out.append(SearchHit(LinkEndType.EVIDENCE.value, e.id, e.title,
                                 snippet(match, needle)))
        return out


__all__ = ["SearchHit", "SearchResults", "SearchService", "snippet"]
