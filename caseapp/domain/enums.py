"""Enumerations of the domain (SPEC §2). Values are stable strings stored in the database."""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    OPEN = "open"
    HANDED_OVER = "handed_over"
    CLOSED = "closed"


class PartyKind(StrEnum):
    PERSON = "person"
    ORG = "org"


class PartyRole(StrEnum):
    SUSPECT = "suspect"
    INTERMEDIARY = "intermediary"
    AGENT = "agent"
    COMPLAINANT = "complainant"
    OTHER = "other"


class IdentifierType(StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"
    WECHAT = "wechat"
    QQ = "qq"
    DOUYIN = "douyin"
    KUAISHOU = "kuaishou"
    XIAOHONGSHU = "xiaohongshu"
    WEIBO = "weibo"
    EMAIL = "email"
    URL = "url"
    ID_CARD = "id_card"
    USCC = "uscc"
    BANK_CARD = "bank_card"
    LAWYER_LICENSE = "lawyer_license"
    OTHER = "other"


class EvidenceKind(StrEnum):
    SCREENSHOT = "screenshot"
    AUDIO = "audio"
    VIDEO = "video"
    DOCUMENT = "document"
    CHAT_EXPORT = "chat_export"
    CONTRACT = "contract"
    CERTIFICATE = "certificate"
    PAYMENT_RECORD = "payment_record"
    OTHER = "other"


class CustodyAction(StrEnum):
    ACQUIRED = "acquired"
    ADDED = "added"
    VIEWED = "viewed"
    VERIFIED = "verified"
    EXPORTED = "exported"
    HANDED_TO_POLICE = "handed_to_police"


class LinkEndType(StrEnum):
    """What a Link end (or a tag, or an audit entry) points at."""

    PARTY = "party"
    COMPLAINT = "complaint"
    CONTACT = "contact"
    EVIDENCE = "evidence"
    IDENTIFIER = "identifier"


class LinkSource(StrEnum):
    MANUAL = "manual"
    RULE = "rule"
    IMPORT = "import"


class ContactChannel(StrEnum):
    PHONE = "phone"
    WECHAT = "wechat"
    QQ = "qq"
    DOUYIN = "douyin"
    KUAISHOU = "kuaishou"
    XIAOHONGSHU = "xiaohongshu"
    WEIBO = "weibo"
    SMS = "sms"
    IN_PERSON = "in_person"
    EMAIL = "email"
    WEBSITE = "website"
    OTHER = "other"
