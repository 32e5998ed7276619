"""The package's data files: complaints.csv (UTF-8 with BOM, for Excel), parties, identifiers
and links as JSON, the same as FollowTheMoney entities (JSON lines), and the custody and audit
logs as CSV. Complainants' numbers go through the same redactor as the dossier."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from caseapp.db.models import (
    AnalysisRun,
    AuditEntry,
    Complaint,
    ComplaintGroup,
    Contact,
    CustodyEvent,
    Evidence,
    GroupMember,
    Identifier,
    IdentifierMention,
    Link,
    Party,
)
from caseapp.domain.enums import PartyKind
from caseapp.domain.progress import CancelToken
from caseapp.export.build import fmt_time
from caseapp.export.context import ReportContext
from caseapp.export.redact import Redactor
from caseapp.i18n import _

CHUNK_ROWS = 2000


def _csv_stream(out: BinaryIO) -> tuple[io.TextIOWrapper, Any]:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")  # type: ignore[arg-type]
    return text, csv.writer(text, lineterminator="\r\n")


def write_complaints_csv(out: BinaryIO, s: Session, case_id: int, r: Redactor, tz: Any, *,
                         cancel: CancelToken | None = None,
                         progress: Callable[[int, int], None] | None = None) -> int:
    """Every complaint of the case, with its templated group; returns the row count."""
    run_id = s.scalar(select(AnalysisRun.id).where(AnalysisRun.case_id == case_id)
                      .order_by(AnalysisRun.id.desc()).limit(1))
    groups: dict[int, tuple[int, float]] = {}
    if run_id is not None:
        groups = {cid: (number, sim) for cid, number, sim in s.execute(
            select(GroupMember.complaint_id, ComplaintGroup.number, GroupMember.similarity)
            .join(ComplaintGroup, ComplaintGroup.id == GroupMember.group_id)
            .where(ComplaintGroup.run_id == run_id))}
    total = s.scalar(select(func.count()).select_from(Complaint).where(
        Complaint.case_id == case_id)) or 0
    text, writer = _csv_stream(out)
    writer.writerow([
        _("Complaint number"), _("Received"), _("Channel"), _("Customer name"),
        _("Customer ID number"), _("Customer phone"), _("Agent"), _("Agent phone"),
        _("Product"), _("Category"), _("Complaint text"), _("Demands"), _("Amount (yuan)"),
        _("Status"), _("Templated group"), _("Similarity to the group"), _("Flags"),
        _("Source line")])
    done = 0
    # Plain rows, not ORM objects: 100,000 complaints stream several times faster.
    c = Complaint.__table__.c
    query = (select(c.id, c.external_number, c.received_at, c.channel, c.customer_name,
                    c.customer_id_number, c.customer_id_number_raw, c.customer_phone,
                    c.customer_phone_raw, c.agent_name, c.agent_phone, c.agent_phone_raw,
                    c.product, c.category, c.text, c.demands, c.amount, c.status, c.flags,
                    c.source_line)
             .where(c.case_id == case_id).order_by(c.received_at, c.id)
             .execution_options(yield_per=CHUNK_ROWS))
    for row in s.execute(query):
        group = groups.get(row.id)
        writer.writerow([
            row.external_number, fmt_time(row.received_at, tz), row.channel, row.customer_name,
            r.id_number(row.customer_id_number or row.customer_id_number_raw),
            r.phone(row.customer_phone or row.customer_phone_raw), r.text(row.agent_name),
            r.phone(row.agent_phone) if row.agent_phone else r.text(row.agent_phone_raw),
            row.product, row.category, r.text(row.text), r.text(row.demands),
            "" if row.amount is None else f"{row.amount:.2f}", row.status,
            group[0] if group else "", f"{group[1]:.3f}" if group else "",
            " ".join(row.flags or ()), row.source_line or ""])
        done += 1
        if done % CHUNK_ROWS == 0:
            if cancel is not None:
                cancel.raise_if_cancelled()
            if progress is not None:
                progress(done, total)
    text.flush()
    text.detach()
    return done


def _dump(out: BinaryIO, value: Any) -> None:
    out.write(json.dumps(value, ensure_ascii=False, indent=2, default=str).encode("utf-8"))
    out.write(b"\n")


def _party_identifiers(s: Session, case_id: int) -> dict[int, list[Identifier]]:
    held: dict[int, list[Identifier]] = {}
    for ident in s.scalars(select(Identifier).where(Identifier.case_id == case_id,
                                                     Identifier.party_id.is_not(None))
                           .order_by(Identifier.id)):
        held.setdefault(ident.party_id or 0, []).append(ident)
    return held


def write_parties_json(out: BinaryIO, s: Session, case_id: int, r: Redactor) -> None:
    held = _party_identifiers(s, case_id)
    parties = []
    for p in s.scalars(select(Party).where(Party.case_id == case_id).order_by(Party.id)):
        parties.append({
            "id": p.id, "name": p.name, "kind": p.kind, "role": p.role,
            "aliases": list(p.aliases or ()), "notes": r.text(p.notes),
            "identifiers": [{"id": i.id, "type": i.type, "value": r.identifier(i.type, i.value),
                             "valid": i.valid, "problems": list(i.problems or ())}
                            for i in held.get(p.id, [])]})
    _dump(out, {"parties": parties})


def write_identifiers_json(out: BinaryIO, s: Session, case_id: int, r: Redactor) -> None:
    counts: dict[int, dict[str, int]] = {}
    for identifier_id, field_name, n in s.execute(
            select(IdentifierMention.identifier_id, IdentifierMention.field, func.count())
            .join(Identifier, Identifier.id == IdentifierMention.identifier_id)
            .where(Identifier.case_id == case_id)
            .group_by(IdentifierMention.identifier_id, IdentifierMention.field)):
        counts.setdefault(identifier_id, {})[field_name] = n
    items = []
    t = Identifier.__table__.c
    for i in s.execute(select(t.id, t.type, t.value, t.valid, t.problems, t.party_id)
                       .where(t.case_id == case_id).order_by(t.id)
                       .execution_options(yield_per=CHUNK_ROWS)):
        items.append({"id": i.id, "type": i.type, "value": r.identifier(i.type, i.value),
                      "valid": i.valid, "problems": list(i.problems or ()),
                      "party_id": i.party_id, "mentions": counts.get(i.id, {})})
    _dump(out, {"identifiers": items})


def _describe_ends(s: Session, links: list[Link], r: Redactor) -> dict[tuple[str, int], str]:
    wanted: dict[str, set[int]] = {}
    for link in links:
        wanted.setdefault(link.from_type, set()).add(link.from_id)
        wanted.setdefault(link.to_type, set()).add(link.to_id)
    names: dict[tuple[str, int], str] = {}

    def chunks(ids: set[int]) -> Iterable[list[int]]:
        ordered = sorted(ids)
        for i in range(0, len(ordered), 500):
            yield ordered[i:i + 500]

    for kind, ids in wanted.items():
        for part in chunks(ids):
            if kind == "party":
                rows = s.execute(select(Party.id, Party.name).where(Party.id.in_(part)))
            elif kind == "complaint":
                rows = s.execute(select(Complaint.id, Complaint.external_number)
                                 .where(Complaint.id.in_(part)))
            elif kind == "evidence":
                rows = s.execute(select(Evidence.id, Evidence.title).where(Evidence.id.in_(part)))
            elif kind == "contact":
                rows = ((c.id, c.started_at.isoformat()) for c in s.scalars(
                    select(Contact).where(Contact.id.in_(part))))
            elif kind == "identifier":
                rows = ((i.id, r.identifier(i.type, i.value)) for i in s.scalars(
                    select(Identifier).where(Identifier.id.in_(part))))
            else:
                continue
            for oid, label in rows:
                names[(kind, oid)] = r.text(str(label))
    return names


def write_links_json(out: BinaryIO, s: Session, case_id: int, r: Redactor) -> None:
    links = list(s.scalars(select(Link).where(Link.case_id == case_id).order_by(Link.id)))
    names = _describe_ends(s, links, r)
    _dump(out, {"links": [{
        "id": link.id,
        "from": {"type": link.from_type, "id": link.from_id,
                 "label": names.get((link.from_type, link.from_id), "")},
        "to": {"type": link.to_type, "id": link.to_id,
               "label": names.get((link.to_type, link.to_id), "")},
        "relation": link.relation, "source": link.source, "rule": link.rule,
        "confidence": link.confidence, "note": r.text(link.note),
        "created_by": link.created_by, "created_at": link.created_at.isoformat()}
        for link in links]})


_FTM_PROPERTY = {"mobile": "phone", "landline": "phone", "email": "email", "url": "website",
                 "id_card": "idNumber", "uscc": "registrationNumber"}


def write_ftm_entities(out: BinaryIO, s: Session, case_id: int, case_uid: str,
                       r: Redactor) -> None:
    """Parties as FollowTheMoney Person / Organization / Company entities and the links
    between parties as UnknownLink, one JSON object per line."""
    held = _party_identifiers(s, case_id)

    def entity_id(kind: str, oid: int) -> str:
        return f"caseapp-{case_uid}-{kind}-{oid}"

    for p in s.scalars(select(Party).where(Party.case_id == case_id).order_by(Party.id)):
        props: dict[str, list[str]] = {"name": [p.name]}
        if p.aliases:
            props["alias"] = list(p.aliases)
        if p.notes:
            props["notes"] = [r.text(p.notes)]
        other: list[str] = []
        for ident in held.get(p.id, []):
            value = r.identifier(ident.type, ident.value)
            key = _FTM_PROPERTY.get(ident.type)
            if key:
                props.setdefault(key, []).append(value)
            else:
                other.append(f"{ident.type}:{value}")
        if other:
            props.setdefault("notes", []).extend(other)
        schema = "Person"
        if p.kind == PartyKind.ORG.value:
            schema = "Company" if "registrationNumber" in props else "Organization"
        props["topics"] = ["crime.fin"] if p.role in ("suspect", "intermediary", "agent") \
            else []
        props = {k: v for k, v in props.items() if v}
        line = {"id": entity_id("party", p.id), "schema": schema, "properties": props}
        out.write((json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
    for link in s.scalars(select(Link).where(Link.case_id == case_id, Link.from_type == "party",
                                             Link.to_type == "party").order_by(Link.id)):
        line = {"id": entity_id("link", link.id), "schema": "UnknownLink", "properties": {
            "subject": [entity_id("party", link.from_id)],
            "object": [entity_id("party", link.to_id)], "role": [link.relation]}}
        out.write((json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))


def write_custody_csv(out: BinaryIO, s: Session, ctx: ReportContext, tz: Any,
                      r: Redactor) -> None:
    numbers = {e.evidence_id: e for e in ctx.evidence}
    text, writer = _csv_stream(out)
    writer.writerow([_("Evidence no."), _("Evidence"), _("Recorded SHA-256"), _("Time"),
                     _("Done by"), _("Action"), _("Note"), _("SHA-256 observed")])
    for ev in s.scalars(select(CustodyEvent).join(Evidence, Evidence.id ==
                                                  CustodyEvent.evidence_id)
                        .where(Evidence.case_id == ctx.case_id)
                        .order_by(CustodyEvent.at, CustodyEvent.id)):
        entry = numbers.get(ev.evidence_id)
        writer.writerow([entry.number if entry else "", entry.title if entry else "",
                         entry.sha256 if entry else "", fmt_time(ev.at, tz), ev.actor,
                         ev.action, r.text(ev.note), ev.sha256_observed])
    text.flush()
    text.detach()


def write_audit_csv(out: BinaryIO, s: Session, case_id: int, tz: Any, r: Redactor) -> None:
    text, writer = _csv_stream(out)
    writer.writerow([_("No."), _("Time"), _("Done by"), _("Action"), _("Object"),
                     _("What was done"), _("Previous hash"), _("Hash")])
    for e in s.scalars(select(AuditEntry).where(AuditEntry.case_id == case_id)
                       .order_by(AuditEntry.seq).execution_options(yield_per=CHUNK_ROWS)):
        writer.writerow([e.seq, fmt_time(e.at, tz), e.actor, e.action,
                         f"{e.object_type}:{e.object_id}", r.text(e.summary), e.prev_hash,
                         e.hash])
    text.flush()
    text.detach()
