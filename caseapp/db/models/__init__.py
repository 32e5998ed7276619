"""ORM models: one class per SPEC §2 concept, portable to SQLite and PostgreSQL."""

from caseapp.db.models.analysis import (
    AnalysisRun,
    ComplaintGroup,
    ComplaintSignature,
    GroupMember,
)
from caseapp.db.models.audit import AuditEntry, AuditHead
from caseapp.db.models.case import Case, Tag, TagAssignment, TimelineEvent
from caseapp.db.models.complaint import Complaint, ImportBatch
from caseapp.db.models.contact import Contact, ContactAttachment
from caseapp.db.models.evidence import CustodyEvent, Evidence
from caseapp.db.models.exchange import ExchangeExport, ExchangePeerEntry, ExchangePeerFile
from caseapp.db.models.link import Link
from caseapp.db.models.party import Identifier, IdentifierMention, Party

__all__ = [
    "AnalysisRun",
    "AuditEntry",
    "AuditHead",
    "Case",
    "Complaint",
    "ComplaintGroup",
    "ComplaintSignature",
    "Contact",
    "ContactAttachment",
    "CustodyEvent",
    "Evidence",
    "ExchangeExport",
    "ExchangePeerEntry",
    "ExchangePeerFile",
    "GroupMember",
    "Identifier",
    "IdentifierMention",
    "ImportBatch",
    "Link",
    "Party",
    "Tag",
    "TagAssignment",
    "TimelineEvent",
]
