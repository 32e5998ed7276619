"""Repeat complainants (重复投诉): one customer with several complaints in one category."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ComplaintFacts:
    """What the customer-level rules need of a complaint."""

    id: int
    external_number: str
    customer_name: str
    customer_id_number: str
    customer_phone: str
    category: str
    channel: str
    received_at: datetime | None
    text: str = ""


def customer_key(facts: ComplaintFacts) -> tuple[str, str] | None:
    """The customer's identity: normalised ID number, else phone, else name."""
    if facts.customer_id_number:
        return ("id_card", facts.customer_id_number)
    if facts.customer_phone:
        return ("phone", facts.customer_phone)
    name = facts.customer_name.strip()
    return ("name", name) if name else None


@dataclass(frozen=True, slots=True)
class RepeatComplainant:
    key_type: str  # id_card | phone | name
    key_value: str
    customer_name: str
    category: str
    count: int
    complaint_ids: tuple[int, ...]
    external_numbers: tuple[str, ...]
    first_received: datetime | None
    last_received: datetime | None
    channels: tuple[tuple[str, int], ...]  # (channel, complaints), most used first


def find_repeat_complainants(
    complaints: Iterable[ComplaintFacts], *, min_count: int = 3
) -> list[RepeatComplainant]:
    """Customers with at least `min_count` complaints in the same category, most first."""
    buckets: dict[tuple[str, str, str], list[ComplaintFacts]] = defaultdict(list)
    for facts in complaints:
        key = customer_key(facts)
        if key is not None:
            buckets[(key[0], key[1], facts.category)].append(facts)
    found = []
    for (key_type, key_value, category), items in buckets.items():
        if len(items) < min_count:
            continue
        items.sort(key=lambda f: (f.received_at is None, f.received_at or datetime.min, f.id))
        dates = [f.received_at for f in items if f.received_at is not None]
        names = Counter(f.customer_name for f in items if f.customer_name)
        found.append(RepeatComplainant(
            key_type=key_type,
            key_value=key_value,
            customer_name=names.most_common(1)[0][0] if names else "",
            category=category,
            count=len(items),
            complaint_ids=tuple(f.id for f in items),
            external_numbers=tuple(f.external_number for f in items),
            first_received=min(dates) if dates else None,
            last_received=max(dates) if dates else None,
            channels=tuple(Counter(f.channel for f in items).most_common()),
        ))
    found.sort(key=lambda r: (-r.count, r.key_type, r.key_value, r.category))
    return found
