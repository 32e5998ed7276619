"""The report context: everything a dossier shows, as one frozen tree of plain values.

Built once from a case (`caseapp.export.build`), already translated, formatted and redacted;
the PDF and DOCX renderers only lay it out, so both say exactly the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Section(StrEnum):
    """The dossier's optional sections, in document order (the cover and the integrity
    statement are always there)."""

    SUMMARY = "summary"
    PARTIES = "parties"
    CONTACTS = "contacts"
    ANALYSIS = "analysis"
    TIMELINE = "timeline"
    CHART = "chart"
    EVIDENCE = "evidence"
    CUSTODY = "custody"


ALL_SECTIONS = frozenset(Section)


@dataclass(frozen=True, slots=True)
class Cover:
    case_number: str
    title: str
    organisation: str
    investigator: str
    date: str  # the export date, formatted
    confidentiality: str  # e.g. 机密 · 仅供公安机关办案使用
    status: str
    document_title: str  # e.g. 案件证据材料
    redaction_note: str  # says whether complainants' data are masked


@dataclass(frozen=True, slots=True)
class Figure:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class IdentifierLine:
    type_label: str
    value: str  # display value (masked when the party is a complainant and redaction is on)
    note: str = ""  # validity problems, e.g. "not a valid lawyer licence number"


@dataclass(frozen=True, slots=True)
class PartyEntry:
    number: int
    name: str
    kind: str
    role: str
    aliases: str
    notes: str
    identifiers: tuple[IdentifierLine, ...]
    exchange: str = ""  # how many other institutions report it (a count, never their data)


@dataclass(frozen=True, slots=True)
class ContactEntry:
    number: int
    title: str  # "2025-03-04 14:30 · 微信"
    fields: tuple[tuple[str, str], ...]  # (label, value) in display order, empty ones left out


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    shared: bool  # part of a passage the other text has too


@dataclass(frozen=True, slots=True)
class ComparisonSide:
    heading: str  # "TS2024… · 2024-07-01 · 客户 卢**"
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class GroupComparison:
    left: ComparisonSide
    right: ComparisonSide
    caption: str  # similarity and shared share


@dataclass(frozen=True, slots=True)
class GroupEntry:
    number: int
    size: int
    variants: int
    received: str  # date range
    channels: str
    agents: str
    representative: str  # external number
    members: str  # external numbers (first ones)
    comparison: GroupComparison | None


@dataclass(frozen=True, slots=True)
class Table:
    """A table of text; `detail` (one per row, may be empty) spans the whole width under it."""

    key: str
    columns: tuple[str, ...]
    widths: tuple[float, ...]  # relative
    rows: tuple[tuple[str, ...], ...]
    detail: tuple[str, ...] = ()
    mono_columns: frozenset[int] = frozenset()
    note: str = ""  # under the table, e.g. "12 more in complaints.csv"


@dataclass(frozen=True, slots=True)
class Analysis:
    intro: str
    groups_table: Table
    groups: tuple[GroupEntry, ...]  # the ones shown in detail, with a comparison
    repeat_table: Table
    shared_table: Table
    claims_table: Table
    comparison_note: str = ""  # when only the largest groups are compared


@dataclass(frozen=True, slots=True)
class Chart:
    png: bytes
    width_px: int
    height_px: int
    caption: str
    legend: tuple[tuple[str, str], ...]  # (colour hex, what it stands for)
    relations: Table  # the edges as text, so that the picture's content is searchable


@dataclass(frozen=True, slots=True)
class EvidenceEntry:
    number: int
    evidence_id: int
    title: str
    category: str
    file_format: str
    source: str
    acquired: str  # time and by whom
    purpose: str
    sha256: str
    size: int
    package_path: str  # path inside the bag ("data/evidence/001_….png"), "" if not included
    store_sha256: str  # the stored content to copy (== sha256)
    included: bool


@dataclass(frozen=True, slots=True)
class Integrity:
    paragraphs: tuple[str, ...]
    commands: tuple[str, ...]  # shown in a fixed-pitch font


@dataclass(frozen=True, slots=True)
class ReportContext:
    case_id: int
    case_uid: str
    language: str
    generated_at: datetime
    time_zone_note: str
    redacted: bool
    sections: frozenset[Section]
    cover: Cover
    header_text: str  # running header: case number · confidentiality mark
    headings: dict[str, str]  # section key → heading text
    summary: tuple[str, ...]
    figures: tuple[Figure, ...]
    parties: tuple[PartyEntry, ...]
    contacts: tuple[ContactEntry, ...]
    analysis: Analysis | None
    timeline: Table
    chart: Chart | None
    evidence: tuple[EvidenceEntry, ...]
    evidence_table: Table
    custody: Table
    integrity: Integrity
    missing_glyphs: tuple[str, ...] = field(default=())  # characters the font cannot show

    def has(self, section: Section) -> bool:
        return section in self.sections
