"""ORM rows to records."""

from __future__ import annotations

from caseapp.db.models import (
    AuditEntry,
    Case,
    Complaint,
    Contact,
    CustodyEvent,
    Evidence,
    Identifier,
    Link,
    Party,
)
from caseapp.services.records import (
    AuditRecord,
    CaseRecord,
    ComplaintRecord,
    ContactRecord,
    CustodyRecord,
    EvidenceRecord,
    IdentifierRecord,
    LinkRecord,
    PartyRecord,
)


def case_record(row: Case) -> CaseRecord:
    return CaseRecord(
        id=row.id,
        uid=row.uid,
        number=row.number,
        title=row.title,
        status=row.status,
        lead_investigator=row.lead_investigator,
        organisation=row.organisation,
        summary=row.summary,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
    )


def identifier_record(row: Identifier) -> IdentifierRecord:
    return IdentifierRecord(
        id=row.id,
        case_id=row.case_id,
        party_id=row.party_id,
        type=row.type,
        value=row.value,
        raw=row.raw,
        valid=row.valid,
        problems=tuple(row.problems or ()),
        details=dict(row.details or {}),
        note=row.note,
        version=row.version,
        updated_by=row.updated_by,
    )


def party_record(row: Party, identifiers: list[Identifier]) -> PartyRecord:
    return PartyRecord(
        id=row.id,
        case_id=row.case_id,
        kind=row.kind,
        role=row.role,
        name=row.name,
        aliases=tuple(row.aliases or ()),
        notes=row.notes,
        identifiers=tuple(identifier_record(i) for i in identifiers),
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        created_by=row.created_by,
        updated_by=row.updated_by,
    )


def evidence_record(row: Evidence) -> EvidenceRecord:
    return EvidenceRecord(
        id=row.id,
        case_id=row.case_id,
        title=row.title,
        kind=row.kind,
        original_name=row.original_name,
        sha256=row.sha256,
        size=row.size,
        media_type=row.media_type,
        acquired_at=row.acquired_at,
        acquired_by=row.acquired_by,
        source=row.source,
        proof_purpose=row.proof_purpose,
        description=row.description,
        added_by=row.added_by,
        added_at=row.added_at,
        version=row.version,
    )


def custody_record(row: CustodyEvent) -> CustodyRecord:
    return CustodyRecord(
        id=row.id,
        evidence_id=row.evidence_id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        note=row.note,
        sha256_observed=row.sha256_observed,
    )


def contact_record(row: Contact, attachments: list[Evidence]) -> ContactRecord:
    return ContactRecord(
        id=row.id,
        case_id=row.case_id,
        investigator=row.investigator,
        cover_persona=row.cover_persona,
        started_at=row.started_at,
        ended_at=row.ended_at,
        channel=row.channel,
        counterpart_account=row.counterpart_account,
        counterpart_identifier_id=row.counterpart_identifier_id,
        party_id=row.party_id,
        location=row.location,
        services_offered=row.services_offered,
        fee_amount=row.fee_amount,
        fee_basis=row.fee_basis,
        deposit_amount=row.deposit_amount,
        claims=tuple(row.claims or ()),
        summary=row.summary,
        transcript=row.transcript,
        attachments=tuple(evidence_record(e) for e in attachments),
        created_by=row.created_by,
        version=row.version,
        updated_by=row.updated_by,
        updated_at=row.updated_at,
    )


def link_record(row: Link) -> LinkRecord:
    return LinkRecord(
        id=row.id,
        case_id=row.case_id,
        from_type=row.from_type,
        from_id=row.from_id,
        to_type=row.to_type,
        to_id=row.to_id,
        relation=row.relation,
        source=row.source,
        rule=row.rule,
        confidence=row.confidence,
        note=row.note,
        created_by=row.created_by,
        created_at=row.created_at,
    )


def audit_record(row: AuditEntry) -> AuditRecord:
    return AuditRecord(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        summary=row.summary,
        hash=row.hash,
    )


def complaint_record(row: Complaint) -> ComplaintRecord:
    return ComplaintRecord(
        id=row.id,
        case_id=row.case_id,
        batch_id=row.batch_id,
        source_line=row.source_line,
        external_number=row.external_number,
        received_at=row.received_at,
        channel=row.channel,
        customer_name=row.customer_name,
        customer_id_number=row.customer_id_number,
        customer_id_number_raw=row.customer_id_number_raw,
        customer_phone=row.customer_phone,
        customer_phone_raw=row.customer_phone_raw,
        agent_name=row.agent_name,
        agent_phone=row.agent_phone,
        agent_phone_raw=row.agent_phone_raw,
        product=row.product,
        category=row.category,
        text=row.text,
        demands=row.demands,
        amount=row.amount,
        amount_raw=row.amount_raw,
        status=row.status,
        extra=dict(row.extra or {}),
        flags=tuple(row.flags or ()),
    )
