"""Short, readable labels for objects of a case (for link lists, timelines and charts)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseapp.db.models import Complaint, Contact, Evidence, Identifier, Party
from caseapp.domain.enums import LinkEndType
from caseapp.domain.labels import channel_label, identifier_type_label, object_type_label

_LABEL_MAX = 60


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """One object of a case as people see it in a list: type, id and a one-line label."""

    type: str  # a LinkEndType value
    id: int
    label: str


def _short(text: str, limit: int = _LABEL_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def object_labels(s: Session, refs: Iterable[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """A label for each (type, id); objects that no longer exist get "type #id"."""
    by_type: dict[str, set[int]] = defaultdict(set)
    for kind, oid in refs:
        by_type[str(kind)].add(int(oid))
    out: dict[tuple[str, int], str] = {}
    for kind, ids in by_type.items():
        chunks = [sorted(ids)[i:i + 500] for i in range(0, len(ids), 500)]
        for chunk in chunks:
            out.update(_labels_for(s, kind, chunk))
        for oid in ids:
            out.setdefault((kind, oid), f"{object_type_label(kind)} #{oid}")
    return out


def _labels_for(s: Session, kind: str, ids: list[int]) -> dict[tuple[str, int], str]:
    if kind == LinkEndType.PARTY.value:
        rows = s.execute(select(Party.id, Party.name).where(Party.id.in_(ids)))
        return {(kind, i): _short(name) for i, name in rows}
    if kind == LinkEndType.COMPLAINT.value:
        rows = s.execute(select(Complaint.id, Complaint.external_number, Complaint.customer_name)
                         .where(Complaint.id.in_(ids)))
        return {(kind, i): _short(f"{number} {name}".strip()) for i, number, name in rows}
    if kind == LinkEndType.CONTACT.value:
        rows = s.execute(select(Contact.id, Contact.started_at, Contact.channel)
                         .where(Contact.id.in_(ids)))
        return {(kind, i): f"{at.astimezone().strftime('%Y-%m-%d %H:%M')} {channel_label(ch)}"
                for i, at, ch in rows}
    if kind == LinkEndType.EVIDENCE.value:
        rows = s.execute(select(Evidence.id, Evidence.title).where(Evidence.id.in_(ids)))
        return {(kind, i): _short(title) for i, title in rows}
    if kind == LinkEndType.IDENTIFIER.value:
        rows = s.execute(select(Identifier.id, Identifier.type, Identifier.value)
                         .where(Identifier.id.in_(ids)))
        return {(kind, i): f"{identifier_type_label(t)} {v}" for i, t, v in rows}
    return {}
