"""The audit chain: append an entry in the caller's transaction, verify a case's chain."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseapp.db.models import AuditEntry, AuditHead
from caseapp.db.repositories.lookup import find_case
from caseapp.domain.audit_chain import GENESIS_HASH, canonical_entry, entry_hash
from caseapp.i18n import _
from caseapp.services.context import ServiceContext
from caseapp.services.convert import audit_record
from caseapp.services.records import AuditRecord


def append_audit(
    session: Session,
    ctx: ServiceContext,
    *,
    case_id: int,
    action: str,
    object_type: str,
    object_id: int | str,
    summary: str,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add the next entry of the case's chain. Runs inside the caller's transaction."""
    # The head row is locked (PostgreSQL) so that concurrent writers chain one after another;
    # SQLite write transactions are already exclusive.
    head = session.scalar(
        select(AuditHead).where(AuditHead.case_id == case_id).with_for_update()
    )
    seq = head.seq + 1 if head else 1
    prev = head.hash if head else GENESIS_HASH
    at = ctx.clock()
    details = details or {}
    canonical = canonical_entry(
        case_id=case_id,
        seq=seq,
        at=at,
        actor=ctx.actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        summary=summary,
        details=details,
    )
    digest = entry_hash(prev, canonical)
    entry = AuditEntry(
        case_id=case_id,
        seq=seq,
        at=at,
        actor=ctx.actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        summary=summary,
        details=details,
        prev_hash=prev,
        hash=digest,
    )
    session.add(entry)
    if head is None:
        session.add(AuditHead(case_id=case_id, seq=seq, hash=digest))
    else:
        head.seq = seq
        head.hash = digest
    session.flush()
    return entry


@dataclass(frozen=True, slots=True)
class AuditProblem:
    seq: int | None
    kind: str  # edited | missing | inserted_or_reordered | truncated | head_missing
    message: str


@dataclass(frozen=True, slots=True)
class AuditVerification:
    case_id: int
    case_number: str
    entries: int
    head_seq: int | None
    head_hash: str | None
    problems: tuple[AuditProblem, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> AuditProblem | None:
        return self.problems[0] if self.problems else None


def check_chain(
    case_id: int, entries: list[AuditEntry], head: AuditHead | None
) -> list[AuditProblem]:
    """Every break in the chain, in order; the first one is where tampering begins."""
    problems: list[AuditProblem] = []
    prev = GENESIS_HASH
    expected_seq = 1
    for entry in entries:
        if entry.seq != expected_seq:
            if entry.seq > expected_seq:
                problems.append(AuditProblem(
                    expected_seq, "missing",
                    _("Audit entry #{seq} is missing (the chain jumps to #{found}): "
                      "entries were deleted.").format(seq=expected_seq, found=entry.seq)))
            else:
                problems.append(AuditProblem(
                    entry.seq, "inserted_or_reordered",
                    _("Audit entry #{seq} appears out of order: entries were inserted or "
                      "renumbered.").format(seq=entry.seq)))
            expected_seq = entry.seq
        canonical = canonical_entry(
            case_id=case_id,
            seq=entry.seq,
            at=entry.at,
            actor=entry.actor,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            summary=entry.summary,
            details=entry.details or {},
        )
        if entry.prev_hash != prev:
            problems.append(AuditProblem(
                entry.seq, "inserted_or_reordered",
                _("Audit entry #{seq} does not follow the entry before it (previous hash "
                  "differs): entries were inserted, deleted or reordered before it.").format(
                    seq=entry.seq)))
        if entry_hash(entry.prev_hash, canonical) != entry.hash:
            problems.append(AuditProblem(
                entry.seq, "edited",
                _("Audit entry #{seq} ({action} by {actor} at {at}) was altered after it was "
                  "written: its content no longer matches its hash.").format(
                    seq=entry.seq, action=entry.action, actor=entry.actor,
                    at=entry.at.isoformat())))
        prev = entry.hash
        expected_seq += 1
    last_seq = entries[-1].seq if entries else 0
    if head is None:
        if entries:
            problems.append(AuditProblem(
                None, "head_missing",
                _("The record of the chain's last entry is missing.")))
    elif head.seq != last_seq or head.hash != prev:
        problems.append(AuditProblem(
            last_seq + 1 if head.seq > last_seq else head.seq, "truncated",
            _("The chain should end at entry #{head} but ends at #{last}: entries at the end "
              "were deleted or changed.").format(head=head.seq, last=last_seq)))
    return problems


class AuditService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def verify(self, case_ref: str | int) -> AuditVerification:
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            entries = list(s.scalars(
                select(AuditEntry).where(AuditEntry.case_id == case.id)
                .order_by(AuditEntry.seq, AuditEntry.id)))
            head = s.get(AuditHead, case.id)
            problems = check_chain(case.id, entries, head)
            return AuditVerification(
                case_id=case.id,
                case_number=case.number,
                entries=len(entries),
                head_seq=head.seq if head else None,
                head_hash=head.hash if head else None,
                problems=tuple(problems),
            )

    def entries(self, case_ref: str | int) -> list[AuditRecord]:
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            rows = s.scalars(
                select(AuditEntry).where(AuditEntry.case_id == case.id).order_by(AuditEntry.seq))
            return [audit_record(r) for r in rows]
