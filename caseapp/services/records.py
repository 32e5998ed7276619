"""Plain, immutable records the services hand to the UI and the CLI (no ORM objects)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any


def to_jsonable(value: Any) -> Any:
    """Turn records (and what they hold) into JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    return value


@dataclasses.dataclass(frozen=True, slots=True)
class CaseRecord:
    id: int
    uid: uuid.UUID
    number: str
    title: str
    status: str
    lead_investigator: str
    organisation: str
    summary: str
    created_at: datetime
    updated_at: datetime
    version: int


@dataclasses.dataclass(frozen=True, slots=True)
class IdentifierRecord:
    id: int
    case_id: int
    party_id: int | None
    type: str
    value: str
    raw: str
    valid: bool
    problems: tuple[str, ...]
    details: Mapping[str, Any]
    note: str
    version: int = 1
    updated_by: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class PartyRecord:
    id: int
    case_id: int
    kind: str
    role: str
    name: str
    aliases: tuple[str, ...]
    notes: str
    identifiers: tuple[IdentifierRecord, ...]
    created_at: datetime
    updated_at: datetime
    version: int
    created_by: str = ""
    updated_by: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class CustodyRecord:
    id: int
    evidence_id: int
    at: datetime
    actor: str
    action: str
    note: str
    sha256_observed: str


@dataclasses.dataclass(frozen=True, slots=True)
class EvidenceRecord:
    id: int
    case_id: int
    title: str
    kind: str
    original_name: str
    sha256: str
    size: int
    media_type: str
    acquired_at: datetime | None
    acquired_by: str
    source: str
    proof_purpose: str
    description: str
    added_by: str
    added_at: datetime
    version: int


@dataclasses.dataclass(frozen=True, slots=True)
class AddedEvidence:
    evidence: EvidenceRecord
    already_present: bool  # the same content was already evidence in this case


@dataclasses.dataclass(frozen=True, slots=True)
class ContactRecord:
    id: int
    case_id: int
    investigator: str
    cover_persona: str
    started_at: datetime
    ended_at: datetime | None
    channel: str
    counterpart_account: str
    counterpart_identifier_id: int | None
    party_id: int | None
    location: str
    services_offered: str
    fee_amount: Decimal | None
    fee_basis: str
    deposit_amount: Decimal | None
    claims: tuple[str, ...]
    summary: str
    transcript: str
    attachments: tuple[EvidenceRecord, ...]
    created_by: str
    version: int
    updated_by: str = ""
    updated_at: datetime | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class LinkRecord:
    id: int
    case_id: int
    from_type: str
    from_id: int
    to_type: str
    to_id: int
    relation: str
    source: str
    rule: str
    confidence: float
    note: str
    created_by: str
    created_at: datetime


@dataclasses.dataclass(frozen=True, slots=True)
class AuditRecord:
    seq: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    summary: str
    hash: str


@dataclasses.dataclass(frozen=True, slots=True)
class ComplaintRecord:
    id: int
    case_id: int
    batch_id: int | None
    source_line: int | None
    external_number: str
    received_at: datetime | None
    channel: str
    customer_name: str
    customer_id_number: str
    customer_id_number_raw: str
    customer_phone: str
    customer_phone_raw: str
    agent_name: str
    agent_phone: str
    agent_phone_raw: str
    product: str
    category: str
    text: str
    demands: str
    amount: Decimal | None
    amount_raw: str
    status: str
    extra: Mapping[str, Any]
    flags: tuple[str, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class ComplaintPage:
    total: int
    offset: int
    rows: tuple[ComplaintRecord, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class ImportProblem:
    line: int | None
    column: str | None
    code: str
    message: str
    related_line: int | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class ImportSummary:
    batch_id: int | None  # None for a dry run (validation only)
    case_id: int
    file_name: str
    file_sha256: str
    encoding: str
    mapping: Mapping[str, Any]
    rows_read: int
    rows_imported: int
    rows_duplicate: int  # exact duplicates in the file, or complaints already in the case
    rows_rejected: int
    problems: tuple[ImportProblem, ...]  # the first ones (see problem_count)
    problem_count: int
    rejected_file: str | None
    evidence_id: int | None
