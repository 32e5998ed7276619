"""Table models of the analysis view: templated groups and their members, repeat complainants,
shared identifiers and suspicious-claim hits."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from caseapp.analysis.claims import ClaimHit
from caseapp.analysis.repeat_complainants import RepeatComplainant
from caseapp.analysis.shared_identifiers import SharedIdentifier
from caseapp.domain.labels import identifier_type_label
from caseapp.i18n import N_, _
from caseapp.importers.mapping import FIELD_LABELS
from caseapp.services.analysis import GroupMemberRecord, GroupSummary
from caseapp.ui.models.record_table_model import Column, RecordTableModel

_KEY_TYPES = {"id_card": N_("ID number"), "phone": N_("phone"), "name": N_("name")}
FIELD_EXTRA = {"text": N_("complaint text")}


def key_label(key_type: str) -> str:
    label = _KEY_TYPES.get(key_type)
    return _(label) if label else key_type


def day(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d") if value else ""


def date_range(first: datetime | None, last: datetime | None) -> str:
    a, b = day(first), day(last)
    return a if a == b else f"{a} – {b}"


def counted(pairs: tuple[tuple[str, int], ...], limit: int = 3) -> str:
    shown = [f"{name} {n}" for name, n in pairs[:limit]]
    if len(pairs) > limit:
        shown.append("…")
    return " · ".join(shown)


def field_label(field: str) -> str:
    label = FIELD_LABELS.get(field) or FIELD_EXTRA.get(field)
    return _(label) if label else field


def one_line(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


class GroupTableModel(RecordTableModel[GroupSummary]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__([
            Column(_("Group"), lambda g: g.number, align_right=True),
            Column(_("Complaints"), lambda g: g.size, align_right=True),
            Column(_("Variants"), lambda g: g.variant_count, align_right=True),
            Column(_("Received"), lambda g: date_range(g.first_received, g.last_received),
                   sort_value=lambda g: g.first_received),
            Column(_("Channels"), lambda g: counted(g.channels),
                   tooltip=lambda g: counted(g.channels, 20)),
            Column(_("Agents"), lambda g: counted(g.agents, 2),
                   tooltip=lambda g: counted(g.agents, 10)),
            Column(_("Representative text"), lambda g: one_line(g.representative_text),
                   tooltip=lambda g: g.representative_text[:600]),
        ], parent)


class GroupMemberTableModel(RecordTableModel[GroupMemberRecord]):
    COL_SIMILARITY = 1

    def __init__(self, parent: Any = None) -> None:
        super().__init__([
            Column(_("Number"), lambda m: m.complaint.external_number),
            Column(_("Similarity"), lambda m: f"{m.similarity:.0%}",
                   sort_value=lambda m: m.similarity, align_right=True),
            Column(_("Variant"), lambda m: "" if m.variant is None else m.variant + 1,
                   align_right=True),
            Column(_("Received"), lambda m: day(m.complaint.received_at),
                   sort_value=lambda m: m.complaint.received_at),
            Column(_("Customer"), lambda m: m.complaint.customer_name),
            Column(_("Agent"), lambda m: m.complaint.agent_name),
            Column(_("Channel"), lambda m: m.complaint.channel),
        ], parent)


class RepeatComplainantModel(RecordTableModel[RepeatComplainant]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__([
            Column(_("Customer"), lambda r: r.customer_name),
            Column(_("Identified by"), lambda r: key_label(r.key_type) + " " + r.key_value),
            Column(_("Category"), lambda r: r.category),
            Column(_("Complaints"), lambda r: r.count, align_right=True),
            Column(_("Received"), lambda r: date_range(r.first_received, r.last_received),
                   sort_value=lambda r: r.first_received),
            Column(_("Channels"), lambda r: counted(r.channels),
                   tooltip=lambda r: counted(r.channels, 20)),
        ], parent)


class SharedIdentifierModel(RecordTableModel[SharedIdentifier]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__([], parent)
        self.party_names: Mapping[int, str] = {}
        self.columns = [
            Column(_("Type"), lambda s: identifier_type_label(s.type)),
            Column(_("Value"), lambda s: s.value,
                   color=lambda s: None if s.valid else "#b91c1c",
                   tooltip=lambda s: s.value if s.valid else _("{value} is not valid").format(
                       value=s.value)),
            Column(_("Customers"), lambda s: s.customers, align_right=True),
            Column(_("Complaints"), lambda s: s.complaints, align_right=True),
            Column(_("Groups"), lambda s: s.groups, align_right=True),
            Column(_("Seen in"), lambda s: " · ".join(
                f"{field_label(f)} {n}" for f, n in s.fields[:3])),
            Column(_("Party"), lambda s: self.party_names.get(s.party_id, f"#{s.party_id}")
                   if s.party_id is not None else "",
                   color=lambda s: "#1d4ed8" if s.party_id is not None else None),
        ]


class ClaimHitModel(RecordTableModel[ClaimHit]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__([
            Column(_("Finding"), lambda h: h.rule_name),
            Column(_("Complaint"), lambda h: h.external_number),
            Column(_("Detail"), lambda h: h.detail),
        ], parent)
