"""What people read for the domain's enum values, in the current language."""

from __future__ import annotations

from caseapp.domain.enums import (
    CaseStatus,
    ContactChannel,
    CustodyAction,
    EvidenceKind,
    IdentifierType,
    LinkEndType,
    PartyKind,
    PartyRole,
)
from caseapp.i18n import N_, _

_LABELS: dict[str, str] = {
    CaseStatus.OPEN: N_("Open"),
    CaseStatus.HANDED_OVER: N_("Handed over"),
    CaseStatus.CLOSED: N_("Closed"),
}
_KIND = {PartyKind.PERSON: N_("Person"), PartyKind.ORG: N_("Organisation")}
_ROLE = {
    PartyRole.SUSPECT: N_("Suspect"),
    PartyRole.INTERMEDIARY: N_("Intermediary organisation"),
    PartyRole.AGENT: N_("Agent"),
    PartyRole.COMPLAINANT: N_("Complainant"),
    PartyRole.OTHER: N_("Other"),
}
_IDENTIFIER = {
    IdentifierType.MOBILE: N_("Mobile number"),
    IdentifierType.LANDLINE: N_("Landline number"),
    IdentifierType.WECHAT: N_("WeChat ID"),
    IdentifierType.QQ: N_("QQ number"),
    IdentifierType.DOUYIN: N_("Douyin ID"),
    IdentifierType.KUAISHOU: N_("Kuaishou ID"),
    IdentifierType.XIAOHONGSHU: N_("Xiaohongshu ID"),
    IdentifierType.WEIBO: N_("Weibo account"),
    IdentifierType.EMAIL: N_("E-mail"),
    IdentifierType.URL: N_("Web address"),
    IdentifierType.ID_CARD: N_("Resident ID number"),
    IdentifierType.USCC: N_("Unified social credit code"),
    IdentifierType.BANK_CARD: N_("Bank card number"),
    IdentifierType.LAWYER_LICENSE: N_("Lawyer licence number"),
    IdentifierType.OTHER: N_("Other identifier"),
}
_EVIDENCE = {
    EvidenceKind.SCREENSHOT: N_("Screenshot"),
    EvidenceKind.AUDIO: N_("Audio recording"),
    EvidenceKind.VIDEO: N_("Video"),
    EvidenceKind.DOCUMENT: N_("Document"),
    EvidenceKind.CHAT_EXPORT: N_("Chat export"),
    EvidenceKind.CONTRACT: N_("Contract"),
    EvidenceKind.CERTIFICATE: N_("Certificate"),
    EvidenceKind.PAYMENT_RECORD: N_("Payment record"),
    EvidenceKind.OTHER: N_("Other"),
}
_CUSTODY = {
    CustodyAction.ACQUIRED: N_("Acquired"),
    CustodyAction.ADDED: N_("Added to the case"),
    CustodyAction.VIEWED: N_("Viewed"),
    CustodyAction.VERIFIED: N_("Verified"),
    CustodyAction.EXPORTED: N_("Exported"),
    CustodyAction.HANDED_TO_POLICE: N_("Handed to the police"),
}
_CHANNEL = {
    ContactChannel.PHONE: N_("Phone call"),
    ContactChannel.WECHAT: N_("WeChat"),
    ContactChannel.QQ: N_("QQ"),
    ContactChannel.DOUYIN: N_("Douyin"),
    ContactChannel.KUAISHOU: N_("Kuaishou"),
    ContactChannel.XIAOHONGSHU: N_("Xiaohongshu"),
    ContactChannel.WEIBO: N_("Weibo"),
    ContactChannel.SMS: N_("Text message"),
    ContactChannel.IN_PERSON: N_("In person"),
    ContactChannel.EMAIL: N_("E-mail"),
    ContactChannel.WEBSITE: N_("Website"),
    ContactChannel.OTHER: N_("Other"),
}
_OBJECT = {
    LinkEndType.PARTY: N_("party"),
    LinkEndType.COMPLAINT: N_("complaint"),
    LinkEndType.CONTACT: N_("contact"),
    LinkEndType.EVIDENCE: N_("evidence"),
    LinkEndType.IDENTIFIER: N_("identifier"),
}


def _label(table: dict[str, str], value: str) -> str:
    text = table.get(str(value))
    return _(text) if text else str(value)


def case_status_label(value: str) -> str:
    return _label(_LABELS, value)


def party_kind_label(value: str) -> str:
    return _label(_KIND, value)


def party_role_label(value: str) -> str:
    return _label(_ROLE, value)


def identifier_type_label(value: str) -> str:
    return _label(_IDENTIFIER, value)


def evidence_kind_label(value: str) -> str:
    return _label(_EVIDENCE, value)


def custody_action_label(value: str) -> str:
    return _label(_CUSTODY, value)


def channel_label(value: str) -> str:
    return _label(_CHANNEL, value)


def object_type_label(value: str) -> str:
    return _label(_OBJECT, value)
