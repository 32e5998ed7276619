"""Shared identifiers (共用标识): a phone, WeChat ID, company code … that turns up in the
complaints of different customers — the fingerprint of one organisation behind them."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from caseapp.domain.enums import IdentifierType

# Customers' own ID numbers are not fingerprints; free-form "other" values are too vague.
SHARED_TYPES = frozenset({
    IdentifierType.MOBILE, IdentifierType.LANDLINE, IdentifierType.WECHAT, IdentifierType.QQ,
    IdentifierType.DOUYIN, IdentifierType.KUAISHOU, IdentifierType.XIAOHONGSHU,
    IdentifierType.WEIBO, IdentifierType.EMAIL, IdentifierType.URL, IdentifierType.USCC,
    IdentifierType.BANK_CARD, IdentifierType.LAWYER_LICENSE,
})


@dataclass(frozen=True, slots=True)
class MentionFacts:
    identifier_id: int
    type: str
    value: str
    valid: bool
    party_id: int | None
    complaint_id: int
    field: str
    customer: tuple[str, str] | None  # the complaint's customer key (see customer_key)


@dataclass(frozen=True, slots=True)
class SharedIdentifier:
    identifier_id: int
    type: str
    value: str
    valid: bool
    party_id: int | None  # already accepted as (part of) a party
    customers: int  # distinct customers whose complaints mention it
    complaints: int
    groups: int  # templated groups it ties together
    complaint_ids: tuple[int, ...]
    fields: tuple[tuple[str, int], ...]  # where it was seen (agent_phone, text …), most first


def find_shared_identifiers(
    mentions: Iterable[MentionFacts],
    *,
    group_of: Mapping[int, int] | None = None,
    min_customers: int = 2,
) -> list[SharedIdentifier]:
    """Identifiers seen in the complaints of at least `min_customers` different customers,
    ranked by customers, then templated groups, then complaints."""
    group_of = group_of or {}
    by_identifier: dict[int, list[MentionFacts]] = defaultdict(list)
    for m in mentions:
        if m.type in SHARED_TYPES:
            by_identifier[m.identifier_id].append(m)
    found = []
    for identifier_id, items in by_identifier.items():
        customers = {m.customer if m.customer is not None else ("complaint", str(m.complaint_id))
                     for m in items}
        if len(customers) < min_customers:
            continue
        complaint_ids = tuple(sorted({m.complaint_id for m in items}))
        groups = {group_of[c] for c in complaint_ids if c in group_of}
        first = items[0]
        found.append(SharedIdentifier(
            identifier_id=identifier_id, type=first.type, value=first.value, valid=first.valid,
            party_id=first.party_id, customers=len(customers), complaints=len(complaint_ids),
            groups=len(groups), complaint_ids=complaint_ids,
            fields=tuple(Counter(m.field for m in items).most_common())))
    found.sort(key=lambda s: (-s.customers, -s.groups, -s.complaints, s.type, s.value))
    return found
