"""Analysis of a case's complaints: templated groups (stored per run), repeat complainants,
shared identifiers, suspicious claims, and accepting a shared identifier as a suspect."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from caseapp.analysis.claims import (
    ClaimHit,
    KeywordRule,
    find_claims,
    id_problems_from_flags,
    load_rules_text,
)
from caseapp.analysis.compare import Comparison, compare_texts
from caseapp.analysis.repeat_complainants import (
    ComplaintFacts,
    RepeatComplainant,
    customer_key,
    find_repeat_complainants,
)
from caseapp.analysis.shared_identifiers import (
    MentionFacts,
    SharedIdentifier,
    find_shared_identifiers,
)
from caseapp.db.models import (
    AnalysisRun,
    Complaint,
    ComplaintGroup,
    GroupMember,
    Identifier,
    IdentifierMention,
    Link,
    Party,
)
from caseapp.db.repositories.lookup import find_case
from caseapp.domain.enums import LinkEndType, LinkSource, PartyKind, PartyRole
from caseapp.domain.errors import NotFoundError
from caseapp.domain.labels import identifier_type_label
from caseapp.domain.progress import CancelToken, NullProgress, ProgressSink
from caseapp.i18n import _
from caseapp.services.audit import append_audit
from caseapp.services.context import ServiceContext
from caseapp.services.convert import complaint_record, party_record
from caseapp.services.records import ComplaintRecord, PartyRecord

RULES_FILE = "claim_rules.json"


@dataclass(frozen=True, slots=True)
class GroupSummary:
    id: int
    number: int
    size: int
    variant_count: int
    representative_id: int
    representative_number: str
    representative_text: str
    first_received: datetime | None
    last_received: datetime | None
    channels: tuple[tuple[str, int], ...]
    agents: tuple[tuple[str, int], ...]
    external_numbers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GroupMemberRecord:
    complaint: ComplaintRecord
    similarity: float
    variant: int | None


@dataclass(frozen=True, slots=True)
class AnalysisReport:
    run_id: int | None
    case_id: int
    params: dict[str, Any]
    stats: dict[str, Any]
    started_at: datetime | None
    finished_at: datetime | None
    complaint_count: int
    groups: tuple[GroupSummary, ...]
    repeat_complainants: tuple[RepeatComplainant, ...]
    shared_identifiers: tuple[SharedIdentifier, ...]
    claims: tuple[ClaimHit, ...]

    def clusters(self) -> list[list[str]]:
        return [list(g.external_numbers) for g in self.groups]


@dataclass(frozen=True, slots=True)
class ComplaintComparison:
    """Two complaints side by side: their records and the aligned passages of their texts."""

    a: ComplaintRecord
    b: ComplaintRecord
    comparison: Comparison


class AnalysisService:
    def __init__(self, ctx: ServiceContext, rules_dir: Path | None = None) -> None:
        self._ctx = ctx
        self._rules_dir = rules_dir

    # --- rules ----------------------------------------------------------------------------

    def rules(self) -> list[KeywordRule]:
        """The keyword rules: the workspace's ``claim_rules.json`` if there is one, else the
        rules shipped with caseapp."""
        if self._rules_dir is not None:
            user = self._rules_dir / RULES_FILE
            if user.exists():
                return load_rules_text(user.read_text(encoding="utf-8"), source=str(user))
        from importlib import resources

        shipped = resources.files("caseapp.resources") / "rules" / RULES_FILE
        return load_rules_text(shipped.read_text(encoding="utf-8"), source=RULES_FILE)

    # --- running --------------------------------------------------------------------------

    def run(
        self,
        case_ref: str | int,
        *,
        threshold: float | None = None,
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> AnalysisReport:
        """Group the case's complaints and store the groups, replacing the previous run's in
        one transaction; then compute the other findings."""
        from caseapp.services import grouping

        sink = progress or NullProgress()
        started = self._ctx.clock()
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            texts = [(i, t or "") for i, t in s.execute(
                select(Complaint.id, Complaint.text).where(Complaint.case_id == case.id)
                .order_by(Complaint.id))]
        outcome = grouping.group_case_texts(self._ctx, case.id, texts, threshold=threshold,
                                            progress=sink, cancel=cancel)
        if cancel is not None:
            cancel.raise_if_cancelled()
        sink.report(900, 1000, _("Saving the groups"))
        with self._ctx.db.write() as s:
            case = find_case(s, case_ref)
            s.execute(delete(AnalysisRun).where(AnalysisRun.case_id == case.id))
            run = AnalysisRun(case_id=case.id, started_at=started, actor=self._ctx.actor,
                              params=outcome.params, stats=outcome.stats,
                              complaint_count=len(texts))
            s.add(run)
            s.flush()
            received = dict(s.execute(select(Complaint.id, Complaint.received_at)
                                      .where(Complaint.case_id == case.id)).all())
            for number, group in enumerate(outcome.groups, start=1):
                dates = [received[m] for m, _sim, _v in group.members if received.get(m)]
                row = ComplaintGroup(
                    run_id=run.id, case_id=case.id, number=number,
                    representative_id=group.representative, size=len(group.members),
                    variant_count=max(1, len({v for _m, _s, v in group.members
                                              if v is not None})),
                    first_received=min(dates) if dates else None,
                    last_received=max(dates) if dates else None)
                s.add(row)
                s.flush()
                s.execute(insert(GroupMember.__table__), [
                    {"group_id": row.id, "complaint_id": m, "similarity": float(sim),
                     "variant": v} for m, sim, v in group.members])
            grouping.save_signatures(s, outcome)
            run.finished_at = self._ctx.clock()
            s.flush()
            append_audit(s, self._ctx, case_id=case.id, action="analysis.run",
                         object_type="analysis_run", object_id=run.id,
                         summary=f"{len(texts)} complaints, {len(outcome.groups)} groups",
                         details={"params": outcome.params,
                                  "groups": len(outcome.groups),
                                  "complaints": len(texts)})
            run_id = run.id
        sink.report(1000, 1000, _("Done"))
        return self._report(case_ref, run_id=run_id)

    def latest(self, case_ref: str | int) -> AnalysisReport:
        """The stored groups of the last run (none before a run) with fresh findings."""
        return self._report(case_ref, run_id=None)

    def _report(self, case_ref: str | int, *, run_id: int | None) -> AnalysisReport:
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            run = (s.get(AnalysisRun, run_id) if run_id is not None else s.scalar(
                select(AnalysisRun).where(AnalysisRun.case_id == case.id)
                .order_by(AnalysisRun.id.desc()).limit(1)))
            groups = self._group_summaries(s, run.id) if run is not None else ()
            facts, flags = self._complaint_facts(s, case.id)
            group_of = {}
            if run is not None:
                group_of = dict(s.execute(
                    select(GroupMember.complaint_id, ComplaintGroup.number)
                    .join(ComplaintGroup, ComplaintGroup.id == GroupMember.group_id)
                    .where(ComplaintGroup.run_id == run.id)).all())
            mentions = self._mention_facts(s, case.id, facts)
        repeat = find_repeat_complainants(facts.values())
        shared = find_shared_identifiers(mentions, group_of=group_of)
        problems = {cid: p for cid, f in flags.items() if (p := id_problems_from_flags(f))}
        claims = find_claims(sorted(facts.values(), key=lambda f: f.id), mentions, self.rules(),
                             id_number_problems=problems)
        return AnalysisReport(
            run_id=run.id if run else None, case_id=case.id,
            params=dict(run.params) if run else {}, stats=dict(run.stats) if run else {},
            started_at=run.started_at if run else None,
            finished_at=run.finished_at if run else None,
            complaint_count=len(facts), groups=tuple(groups),
            repeat_complainants=tuple(repeat), shared_identifiers=tuple(shared),
            claims=tuple(claims))

    @staticmethod
    def _group_summaries(s: Session, run_id: int) -> list[GroupSummary]:
        groups = list(s.scalars(select(ComplaintGroup).where(ComplaintGroup.run_id == run_id)
                                .order_by(ComplaintGroup.number)))
        members: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
        for gid, number, channel, agent in s.execute(
                select(GroupMember.group_id, Complaint.external_number, Complaint.channel,
                       Complaint.agent_name)
                .join(Complaint, Complaint.id == GroupMember.complaint_id)
                .join(ComplaintGroup, ComplaintGroup.id == GroupMember.group_id)
                .where(ComplaintGroup.run_id == run_id)
                .order_by(GroupMember.group_id, Complaint.received_at, Complaint.id)):
            members[gid].append((number, channel, agent))
        reps = dict(s.execute(select(Complaint.id, Complaint.external_number).where(
            Complaint.id.in_([g.representative_id for g in groups]))).all()) if groups else {}
        texts = dict(s.execute(select(Complaint.id, Complaint.text).where(
            Complaint.id.in_([g.representative_id for g in groups]))).all()) if groups else {}
        out = []
        for g in groups:
            items = members[g.id]
            out.append(GroupSummary(
                id=g.id, number=g.number, size=g.size, variant_count=g.variant_count,
                representative_id=g.representative_id,
                representative_number=reps.get(g.representative_id, ""),
                representative_text=texts.get(g.representative_id, ""),
                first_received=g.first_received, last_received=g.last_received,
                channels=tuple(Counter(c for _n, c, _a in items if c).most_common()),
                agents=tuple(Counter(a for _n, _c, a in items if a).most_common(10)),
                external_numbers=tuple(n for n, _c, _a in items)))
        return out

    @staticmethod
    def _complaint_facts(s: Session, case_id: int
                         ) -> tuple[dict[int, ComplaintFacts], dict[int, list[str]]]:
        facts: dict[int, ComplaintFacts] = {}
        flags: dict[int, list[str]] = {}
        for row in s.execute(select(
                Complaint.id, Complaint.external_number, Complaint.customer_name,
                Complaint.customer_id_number, Complaint.customer_phone, Complaint.category,
                Complaint.channel, Complaint.received_at, Complaint.text, Complaint.flags)
                .where(Complaint.case_id == case_id)):
            facts[row.id] = ComplaintFacts(
                id=row.id, external_number=row.external_number, customer_name=row.customer_name,
                customer_id_number=row.customer_id_number, customer_phone=row.customer_phone,
                category=row.category, channel=row.channel, received_at=row.received_at,
                text=row.text)
            if row.flags:
                flags[row.id] = list(row.flags)
        return facts, flags

    @staticmethod
    def _mention_facts(s: Session, case_id: int, facts: dict[int, ComplaintFacts]
                       ) -> list[MentionFacts]:
        keys = {cid: customer_key(f) for cid, f in facts.items()}
        rows = s.execute(
            select(Identifier.id, Identifier.type, Identifier.value, Identifier.valid,
                   Identifier.party_id, IdentifierMention.complaint_id, IdentifierMention.field)
            .join(IdentifierMention, IdentifierMention.identifier_id == Identifier.id)
            .where(Identifier.case_id == case_id, IdentifierMention.complaint_id.is_not(None)))
        return [MentionFacts(identifier_id=i, type=t, value=v, valid=ok, party_id=p,
                             complaint_id=c, field=f, customer=keys.get(c))
                for i, t, v, ok, p, c, f in rows]

    # --- details --------------------------------------------------------------------------

    def group_members(self, group_id: int) -> list[GroupMemberRecord]:
        with self._ctx.db.read() as s:
            if s.get(ComplaintGroup, group_id) is None:
                raise NotFoundError(_("No complaint group {id}.").format(id=group_id))
            rows = s.execute(
                select(Complaint, GroupMember.similarity, GroupMember.variant)
                .join(GroupMember, GroupMember.complaint_id == Complaint.id)
                .where(GroupMember.group_id == group_id)
                .order_by(GroupMember.similarity.desc(), Complaint.id))
            return [GroupMemberRecord(complaint_record(c), sim, v) for c, sim, v in rows]

    # --- accepting a fingerprint ----------------------------------------------------------

    def accept_shared_identifier(
        self,
        case_ref: str | int,
        identifier_id: int,
        *,
        name: str | None = None,
        role: PartyRole | str = PartyRole.SUSPECT,
        relation: str | None = None,
    ) -> PartyRecord:
        """Make the identifier a suspect: a party (new, or the one it already belongs to) that
        holds it, linked to every complaint that mentions it."""
        with self._ctx.db.write() as s:
            case = find_case(s, case_ref)
            ident = s.get(Identifier, identifier_id)
            if ident is None or ident.case_id != case.id:
                raise NotFoundError(_("No identifier {id} in this case.").format(
                    id=identifier_id))
            label = identifier_type_label(ident.type)
            if ident.party_id is not None:
                party = s.get(Party, ident.party_id)
                assert party is not None
            else:
                now = self._ctx.clock()
                party = Party(case_id=case.id, kind=PartyKind.PERSON.value, role=str(role),
                              name=(name or f"{label} {ident.value}")[:200],
                              notes=_("Created from the shared identifier {type} {value}.")
                              .format(type=label, value=ident.value),
                              created_at=now, updated_at=now)
                s.add(party)
                s.flush()
                ident.party_id = party.id
                append_audit(s, self._ctx, case_id=case.id, action="party.add",
                             object_type="party", object_id=party.id,
                             summary=f"{party.name} ({party.role})",
                             details={"from_identifier": ident.id})
            relation = relation or _("mentioned in")
            complaint_ids = sorted(set(s.scalars(
                select(IdentifierMention.complaint_id).where(
                    IdentifierMention.identifier_id == ident.id,
                    IdentifierMention.complaint_id.is_not(None)))))
            existing = set(s.scalars(select(Link.to_id).where(
                Link.case_id == case.id, Link.from_type == LinkEndType.PARTY.value,
                Link.from_id == party.id, Link.to_type == LinkEndType.COMPLAINT.value,
                Link.relation == relation)))
            now = self._ctx.clock()
            new_links = [{
                "case_id": case.id, "from_type": LinkEndType.PARTY.value, "from_id": party.id,
                "to_type": LinkEndType.COMPLAINT.value, "to_id": cid, "relation": relation,
                "source": LinkSource.RULE.value, "rule": f"shared_identifier:{ident.type}",
                "confidence": 1.0, "note": f"{ident.type}:{ident.value}",
                "created_by": self._ctx.actor, "created_at": now,
            } for cid in complaint_ids if cid not in existing]
            if new_links:
                s.execute(insert(Link.__table__), new_links)
            s.flush()
            append_audit(s, self._ctx, case_id=case.id, action="identifier.accept",
                         object_type="identifier", object_id=ident.id,
                         summary=f"{ident.type} {ident.value} → party #{party.id}, "
                                 f"{len(new_links)} complaints linked",
                         details={"party_id": party.id, "complaints": len(complaint_ids),
                                  "new_links": len(new_links)})
            idents = list(s.scalars(select(Identifier).where(Identifier.party_id == party.id)))
            return party_record(party, idents)

    # --- comparing two complaints ---------------------------------------------------------

    def compare(self, case_ref: str | int, a_ref: str | int, b_ref: str | int
                ) -> ComplaintComparison:
        """Align two complaints of a case (each given by its complaint number or its id)."""
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            a = self._find_complaint(s, case.id, a_ref)
            b = self._find_complaint(s, case.id, b_ref)
            return ComplaintComparison(complaint_record(a), complaint_record(b),
                                       compare_texts(a.text or "", b.text or ""))

    @staticmethod
    def _find_complaint(s: Session, case_id: int, ref: str | int) -> Complaint:
        text = str(ref).strip()
        found = s.scalar(select(Complaint).where(Complaint.case_id == case_id,
                                                 Complaint.external_number == text))
        if found is None and text.lstrip("#").isdigit():
            found = s.scalar(select(Complaint).where(Complaint.case_id == case_id,
                                                     Complaint.id == int(text.lstrip("#"))))
        if found is None:
            raise NotFoundError(_("No complaint {ref} in this case.").format(ref=text))
        return found

    def find_identifier(self, case_ref: str | int, id_type: str, value: str) -> int:
        """The id of a case's identifier given as TYPE and a raw or normalised value."""
        from caseapp.identifiers import parse_identifier

        parsed = parse_identifier(id_type, value)
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            found = s.scalar(select(Identifier.id).where(
                Identifier.case_id == case.id, Identifier.type == parsed.type.value,
                Identifier.value.in_([parsed.value, value.strip()])))
            if found is None:
                raise NotFoundError(_("{type} {value} does not occur in this case.").format(
                    type=identifier_type_label(parsed.type), value=parsed.value))
            return int(found)
