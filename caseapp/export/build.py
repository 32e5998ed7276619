"""Build the report context of a case: read everything once, translate, format and redact it.

Long lists are capped in the dossier (the full data travel in the package's CSV and JSON
files), so a case with 100,000 complaints still gives a dossier of a readable size.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import PurePosixPath

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from caseapp.analysis.compare import SAME, Span, compare_texts
from caseapp.db.models import (
    Complaint,
    CustodyEvent,
    Evidence,
    GroupMember,
    Identifier,
    ImportBatch,
    Party,
    TimelineEvent,
)
from caseapp.domain.enums import PartyRole
from caseapp.domain.labels import (
    case_status_label,
    channel_label,
    custody_action_label,
    evidence_kind_label,
    identifier_type_label,
    party_kind_label,
    party_role_label,
)
from caseapp.domain.progress import CancelToken
from caseapp.export.chart import legend, render_chart
from caseapp.export.context import (
    ALL_SECTIONS,
    Analysis,
    Chart,
    ComparisonSide,
    ContactEntry,
    Cover,
    EvidenceEntry,
    Figure,
    GroupComparison,
    GroupEntry,
    IdentifierLine,
    Integrity,
    PartyEntry,
    ReportContext,
    Section,
    Segment,
    Table,
)
from caseapp.export.fonts import missing_characters
from caseapp.export.redact import Redactor
from caseapp.i18n import _, current_language, ngettext
from caseapp.identifiers.labels import problem_label
from caseapp.services.analysis import AnalysisReport, GroupSummary
from caseapp.services.linkgraph import (
    GraphNode,
    GraphOptions,
    LinkGraph,
    NodeType,
    build_link_graph,
    layout_graph,
)
from caseapp.services.records import (
    CaseRecord,
    ContactRecord,
    EvidenceRecord,
    PartyRecord,
)

BEIJING = timezone(timedelta(hours=8), "UTC+8")
EVIDENCE_DIR = "data/evidence"
MAX_GROUP_ROWS = 200
MAX_DETAIL_GROUPS = 10
MAX_REPEAT_ROWS = 100
MAX_SHARED_ROWS = 100
MAX_CLAIM_ROWS = 200
MAX_RELATION_ROWS = 300
MAX_TIMELINE_COMPLAINTS = 60  # more than this: complaints are counted per month
MAX_NAME_BYTES = 120  # a package file name, so that paths stay short on Windows

_SUSPECT_ROLES = (PartyRole.SUSPECT.value, PartyRole.INTERMEDIARY.value, PartyRole.AGENT.value)
_CN_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class ContextOptions:
    redact: bool = True
    sections: frozenset[Section] = ALL_SECTIONS
    organisation: str | None = None  # default: the case's
    tz: timezone = BEIJING
    graph: GraphOptions = field(default_factory=GraphOptions)


@dataclass(frozen=True)
class CaseData:
    """What the builder reads through the services (plain records)."""

    case: CaseRecord
    parties: tuple[PartyRecord, ...]
    contacts: tuple[ContactRecord, ...]
    evidence: tuple[EvidenceRecord, ...]
    report: AnalysisReport
    # party id → (other institutions of the industry exchange reporting one of its
    # identifiers, the earliest date one of them saw it)
    exchange: Mapping[int, tuple[int, date | None]] = field(default_factory=dict)


def fmt_time(value: datetime | None, tz: timezone) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""


def fmt_date(value: datetime | None, tz: timezone) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d") if value else ""


def fmt_amount(value: Decimal | None) -> str:
    return "" if value is None else _("{amount} yuan").format(amount=f"{value:,.2f}")


def fmt_size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return str(size)


_UNSAFE = re.compile(r'[<>:"/\\|?*%\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}


def safe_file_name(name: str, number: int) -> str:
    """``001_<name>``: no characters Windows refuses (nor ``%``, which BagIt manifests would
    have to encode), no reserved device names, no trailing dots or spaces, ≤ 120 bytes."""
    name = unicodedata.normalize("NFC", name)
    name = _UNSAFE.sub("_", name).strip().strip(".").strip() or "file"
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if stem.split(".")[0].upper() in _RESERVED:
        stem = "_" + stem
    ext = ext[:16]
    prefix = f"{number:03d}_"
    budget = MAX_NAME_BYTES - len(prefix.encode()) - len(ext.encode()) - (1 if ext else 0)
    while len(stem.encode("utf-8")) > budget:
        stem = stem[:-1]
    stem = stem.rstrip(". ") or "file"
    return prefix + stem + ("." + ext if ext else "")


def _numbered(index: int, text: str) -> str:
    numeral = _CN_NUMERALS[index] if index < len(_CN_NUMERALS) else str(index + 1)
    if current_language().startswith("zh"):
        return f"{numeral}、{text}"
    return f"{index + 1}. {text}"


class ContextBuilder:
    def __init__(self, s: Session, data: CaseData, options: ContextOptions,
                 now: datetime, cancel: CancelToken | None = None) -> None:
        self.s = s
        self.data = data
        self.o = options
        self.now = now
        self.cancel = cancel
        self.case = data.case
        self.t = options.tz
        self.redactor = self._redactor()
        self.party_names = {p.id: p.name for p in data.parties}
        self.evidence_numbers: dict[int, int] = {}

    def _tick(self) -> None:
        if self.cancel is not None:
            self.cancel.raise_if_cancelled()

    # --- redaction -----------------------------------------------------------------------

    def _redactor(self) -> Redactor:
        case_id = self.case.id
        ids = set(self.s.scalars(select(Complaint.customer_id_number).distinct().where(
            Complaint.case_id == case_id, Complaint.customer_id_number != "")))
        ids |= set(self.s.scalars(select(Complaint.customer_id_number_raw).distinct().where(
            Complaint.case_id == case_id, Complaint.customer_id_number_raw != "")))
        phones = set(self.s.scalars(select(Complaint.customer_phone).distinct().where(
            Complaint.case_id == case_id, Complaint.customer_phone != "")))
        keep_ids: set[str] = set()
        keep_phones: set[str] = set()
        for p in self.data.parties:
            for ident in p.identifiers:
                if p.role == PartyRole.COMPLAINANT.value:
                    if ident.type == "id_card":
                        ids.add(ident.value)
                    elif ident.type in ("mobile", "landline"):
                        phones.add(ident.value)
                elif ident.type == "id_card":
                    keep_ids.add(ident.value)
                elif ident.type in ("mobile", "landline"):
                    keep_phones.add(ident.value)
        # A number shared by the complaints of different customers is the organisation's.
        keep_phones |= {x.value for x in self.data.report.shared_identifiers
                        if x.type in ("mobile", "landline")}
        return Redactor.for_complainants(enabled=self.o.redact, id_numbers=ids, phones=phones,
                                         keep_id_numbers=keep_ids, keep_phones=keep_phones)

    # --- the whole context ---------------------------------------------------------------

    def build(self) -> ReportContext:
        sections = self.o.sections
        headings = self._headings(sections)
        evidence = self._evidence_entries()
        self._tick()
        analysis = self._analysis() if Section.ANALYSIS in sections else None
        self._tick()
        chart = self._chart() if Section.CHART in sections else None
        self._tick()
        parties = self._parties()
        contacts = self._contacts()
        cover = self._cover()
        summary = self._summary()
        figures = self._figures(evidence)
        timeline = self._timeline() if Section.TIMELINE in sections else _empty_table("timeline")
        custody = self._custody() if Section.CUSTODY in sections else _empty_table("custody")
        texts = [cover.title, *summary, *(p.name for p in parties),
                 *(v for c in contacts for _k, v in c.fields),
                 *(r for row in timeline.rows for r in row)]
        return ReportContext(
            case_id=self.case.id,
            case_uid=str(self.case.uid),
            language=current_language(),
            generated_at=self.now,
            time_zone_note=_("All times are Beijing time (UTC+8)."),
            redacted=self.o.redact,
            sections=frozenset(sections),
            cover=cover,
            header_text=f"{self.case.number} · {cover.confidentiality}",
            headings=headings,
            summary=summary,
            figures=figures,
            parties=parties,
            contacts=contacts,
            analysis=analysis,
            timeline=timeline,
            chart=chart,
            evidence=evidence,
            evidence_table=self._evidence_table(evidence),
            custody=custody,
            integrity=self._integrity(evidence),
            missing_glyphs=tuple(missing_characters(texts)),
        )

    def _headings(self, sections: frozenset[Section]) -> dict[str, str]:
        titles = [
            (Section.SUMMARY, _("Case summary and key figures")),
            (Section.PARTIES, _("Suspects and their identifiers")),
            (Section.CONTACTS, _("Undercover contact records")),
            (Section.ANALYSIS, _("Complaint analysis")),
            (Section.TIMELINE, _("Timeline")),
            (Section.CHART, _("Link chart")),
            (Section.EVIDENCE, _("Evidence list")),
            (Section.CUSTODY, _("Chain of custody")),
        ]
        headings: dict[str, str] = {}
        index = 0
        for key, title in titles:
            if key in sections:
                headings[key.value] = _numbered(index, title)
                index += 1
        headings["integrity"] = _numbered(index, _("Integrity statement and how to verify"))
        headings["contents"] = _("Contents")
        headings["groups"] = _("Templated complaint groups")
        headings["comparison"] = _("Comparison of two complaints of group {number}")
        headings["repeat"] = _("Repeat complainants")
        headings["shared"] = _("Shared identifiers")
        headings["claims"] = _("Suspicious claims")
        headings["relations"] = _("Relations shown in the chart")
        headings["figures"] = _("Key figures")
        return headings

    # --- cover, summary, figures ---------------------------------------------------------

    def _cover(self) -> Cover:
        c = self.case
        return Cover(
            case_number=c.number,
            title=c.title,
            organisation=self.o.organisation or c.organisation,
            investigator=c.lead_investigator,
            date=self.now.astimezone(self.t).strftime("%Y-%m-%d"),
            confidentiality=_("Confidential · for police case handling only"),
            status=case_status_label(c.status),
            document_title=_("Case evidence materials"),
            redaction_note=(_("Complainants' ID numbers and phone numbers are masked.")
                            if self.o.redact else
                            _("Not redacted: contains complainants' full personal data.")),
        )

    def _summary(self) -> tuple[str, ...]:
        paragraphs = [p.strip() for p in self.case.summary.splitlines() if p.strip()]
        return tuple(self.redactor.text(p) for p in paragraphs)

    def _figures(self, evidence: tuple[EvidenceEntry, ...]) -> tuple[Figure, ...]:
        report = self.data.report
        case_id = self.case.id
        first, last = self.s.execute(select(func.min(Complaint.received_at),
                                            func.max(Complaint.received_at))
                                     .where(Complaint.case_id == case_id)).one()
        grouped = sum(g.size for g in report.groups)
        total = report.complaint_count
        share = f" ({grouped / total:.0%})" if total else ""
        suspects = [p for p in self.data.parties if p.role in _SUSPECT_ROLES]
        fees = [c.fee_amount for c in self.data.contacts if c.fee_amount is not None]
        figures = [
            Figure(_("Complaints"), f"{total:,}"),
            Figure(_("Received"), f"{fmt_date(first, self.t)} — {fmt_date(last, self.t)}"
                   if first else "—"),
            Figure(_("Templated groups"), f"{len(report.groups):,}"),
            Figure(_("Complaints in templated groups"), f"{grouped:,}{share}"),
            Figure(_("Repeat complainants"), f"{len(report.repeat_complainants):,}"),
            Figure(_("Shared identifiers"), f"{len(report.shared_identifiers):,}"),
            Figure(_("Suspicious claims"), f"{len(report.claims):,}"),
            Figure(_("Suspects, agents and intermediaries"), f"{len(suspects):,}"),
            Figure(_("Undercover contacts"), f"{len(self.data.contacts):,}"),
            Figure(_("Evidence files"), _("{n} ({size})").format(
                n=len(evidence), size=fmt_size(sum(e.size for e in evidence)))),
        ]
        if fees:
            figures.append(Figure(_("Fees quoted in contacts"), " / ".join(
                fmt_amount(f) for f in fees[:5])))
        return tuple(figures)

    # --- parties and contacts ------------------------------------------------------------

    def _parties(self) -> tuple[PartyEntry, ...]:
        order = {role: i for i, role in enumerate(
            (*_SUSPECT_ROLES, PartyRole.OTHER.value, PartyRole.COMPLAINANT.value))}
        parties = sorted(self.data.parties, key=lambda p: (order.get(p.role, 9), p.id))
        entries = []
        for number, p in enumerate(parties, start=1):
            lines = []
            for ident in p.identifiers:
                note = "；".join(problem_label(x) for x in ident.problems)
                lines.append(_identifier_line(self.redactor, ident.type, ident.value, note))
            shared = ""
            if p.id in self.data.exchange:
                institutions, first_seen = self.data.exchange[p.id]
                shared = ngettext(
                    "{n} other institution of the industry exchange also reports this party's "
                    "identifiers", "{n} other institutions of the industry exchange also report "
                    "this party's identifiers", institutions).format(n=institutions)
                if first_seen is not None:
                    shared += _(" (first seen {date})").format(date=first_seen.isoformat())
            entries.append(PartyEntry(
                number=number, name=p.name, kind=party_kind_label(p.kind),
                role=party_role_label(p.role), aliases="、".join(p.aliases),
                notes=self.redactor.text(p.notes), identifiers=tuple(lines),
                exchange=shared))
        return tuple(entries)

    def _contacts(self) -> tuple[ContactEntry, ...]:
        entries = []
        r = self.redactor
        for number, c in enumerate(sorted(self.data.contacts,
                                          key=lambda c: (c.started_at, c.id)), start=1):
            when = fmt_time(c.started_at, self.t)
            if c.ended_at:
                when += " — " + fmt_time(c.ended_at, self.t)
            counterpart = c.counterpart_account
            fee = fmt_amount(c.fee_amount)
            if c.fee_basis:
                fee = f"{fee}（{c.fee_basis}）" if fee else c.fee_basis
            attachments = "；".join(
                _("Evidence {n}: {title}").format(n=self.evidence_numbers.get(e.id, "?"),
                                                  title=e.title) for e in c.attachments)
            fields = [
                (_("Time"), when),
                (_("Channel"), channel_label(c.channel)),
                (_("Undercover investigator"), c.investigator),
                (_("Cover persona"), c.cover_persona),
                (_("Counterpart account"), counterpart),
                (_("Counterpart"), self.party_names.get(c.party_id or 0, "")),
                (_("Location"), c.location),
                (_("Services offered"), c.services_offered),
                (_("Fee quoted"), fee),
                (_("Deposit"), fmt_amount(c.deposit_amount)),
                (_("Claims made"), "；".join(c.claims)),
                (_("Account of the contact"), c.summary),
                (_("Attachments"), attachments),
                (_("Transcript"), c.transcript),
            ]
            entries.append(ContactEntry(
                number=number,
                title=f"{fmt_time(c.started_at, self.t)} · {channel_label(c.channel)}",
                fields=tuple((k, r.text(v.strip())) for k, v in fields if v and v.strip())))
        return tuple(entries)

    # --- analysis ------------------------------------------------------------------------

    def _analysis(self) -> Analysis:
        report = self.data.report
        r = self.redactor
        if report.run_id is None:
            intro = _("No analysis has been run on this case's complaints yet.")
        else:
            threshold = report.params.get("threshold")
            intro = _("Analysis of {n} complaints run on {date}: complaints whose wording is "
                      "nearly identical (character n-gram similarity ≥ {threshold}) are "
                      "grouped as written from one template.").format(
                n=f"{report.complaint_count:,}", date=fmt_time(report.finished_at, self.t),
                threshold=threshold if threshold is not None else "?")
        group_rows = []
        for g in report.groups[:MAX_GROUP_ROWS]:
            group_rows.append((
                str(g.number), str(g.size), str(g.variant_count),
                f"{fmt_date(g.first_received, self.t)} — {fmt_date(g.last_received, self.t)}",
                "、".join(f"{c}（{n}）" for c, n in g.channels[:4]),
                r.text("、".join(f"{a}（{n}）" for a, n in g.agents[:4])),
                g.representative_number))
        groups_table = Table(
            "groups", (_("Group no."), _("Complaints"), _("Variants"), _("Received"),
                       _("Channels"), _("Agents named"), _("Representative")),
            (0.6, 0.8, 0.6, 2.0, 1.8, 2.2, 1.6), tuple(group_rows),
            note=_more(len(report.groups), MAX_GROUP_ROWS, "complaints.csv"))
        details = tuple(self._group_entry(g) for g in report.groups[:MAX_DETAIL_GROUPS])
        repeat_rows = []
        for x in report.repeat_complainants[:MAX_REPEAT_ROWS]:
            key = (r.id_number(x.key_value) if x.key_type == "id_card"
                   else r.phone(x.key_value) if x.key_type == "phone" else x.key_value)
            numbers = "、".join(x.external_numbers[:6])
            if len(x.external_numbers) > 6:
                numbers += " …"
            repeat_rows.append((x.customer_name, key, x.category, str(x.count),
                                f"{fmt_date(x.first_received, self.t)} — "
                                f"{fmt_date(x.last_received, self.t)}", numbers))
        repeat_table = Table(
            "repeat", (_("Customer"), _("ID number / phone"), _("Category"), _("Complaints"),
                       _("Received"), _("Complaint numbers")),
            (1.0, 1.8, 1.0, 0.7, 1.9, 3.0), tuple(repeat_rows),
            mono_columns=frozenset({1}),
            note=_more(len(report.repeat_complainants), MAX_REPEAT_ROWS, "complaints.csv"))
        holders = self._identifier_holders()
        shared_rows = []
        for x in report.shared_identifiers[:MAX_SHARED_ROWS]:
            shared_rows.append((
                identifier_type_label(x.type), r.identifier(x.type, x.value),
                str(x.customers), str(x.complaints), str(x.groups),
                "、".join(f"{_field_label(f)}（{n}）" for f, n in x.fields),
                holders.get(x.identifier_id, "")))
        shared_table = Table(
            "shared", (_("Type"), _("Identifier"), _("Customers"), _("Complaints"),
                       _("Groups"), _("Where it appears"), _("Held by")),
            (1.1, 2.0, 0.7, 0.7, 0.6, 2.4, 1.5), tuple(shared_rows),
            mono_columns=frozenset({1}),
            note=_more(len(report.shared_identifiers), MAX_SHARED_ROWS, "identifiers.json"))
        claim_rows = tuple((h.rule_name, h.external_number, r.text(h.detail))
                           for h in report.claims[:MAX_CLAIM_ROWS])
        claims_table = Table(
            "claims", (_("Rule"), _("Complaint"), _("Detail")), (1.5, 1.6, 5.0), claim_rows,
            note=_more(len(report.claims), MAX_CLAIM_ROWS, "complaints.csv"))
        note = ""
        if len(report.groups) > MAX_DETAIL_GROUPS:
            note = _("Below, two complaints are compared for each of the {n} largest groups; "
                     "the members of every group are in complaints.csv.").format(
                n=MAX_DETAIL_GROUPS)
        return Analysis(intro=intro, groups_table=groups_table, groups=details,
                        repeat_table=repeat_table, shared_table=shared_table,
                        claims_table=claims_table, comparison_note=note)

    def _identifier_holders(self) -> dict[int, str]:
        rows = self.s.execute(select(Identifier.id, Party.name)
                              .join(Party, Party.id == Identifier.party_id)
                              .where(Identifier.case_id == self.case.id))
        return {i: name for i, name in rows}

    def _group_entry(self, g: GroupSummary) -> GroupEntry:
        r = self.redactor
        comparison = None
        other_id = self.s.scalar(
            select(GroupMember.complaint_id)
            .where(GroupMember.group_id == g.id, GroupMember.complaint_id != g.representative_id)
            .order_by(GroupMember.similarity, GroupMember.complaint_id).limit(1))
        if other_id is not None:
            pair = {c.id: c for c in self.s.scalars(select(Complaint).where(
                Complaint.id.in_([g.representative_id, other_id])))}
            a, b = pair[g.representative_id], pair[other_id]
            text_a, text_b = r.text(a.text), r.text(b.text)
            result = compare_texts(text_a, text_b)
            comparison = GroupComparison(
                left=ComparisonSide(self._side_heading(a), _segments(text_a, result.spans_a)),
                right=ComparisonSide(self._side_heading(b), _segments(text_b, result.spans_b)),
                caption=_("Shaded passages appear in both complaints. Similarity {sim:.0%}; "
                          "{a:.0%} of the left text and {b:.0%} of the right text are shared "
                          "passages.").format(sim=result.similarity, a=result.shared_a,
                                              b=result.shared_b))
        members = "、".join(g.external_numbers[:12])
        if len(g.external_numbers) > 12:
            members += " " + ngettext("… and {n} more", "… and {n} more",
                                      len(g.external_numbers) - 12).format(
                n=len(g.external_numbers) - 12)
        return GroupEntry(
            number=g.number, size=g.size, variants=g.variant_count,
            received=f"{fmt_date(g.first_received, self.t)} — "
                     f"{fmt_date(g.last_received, self.t)}",
            channels="、".join(f"{c}（{n}）" for c, n in g.channels),
            agents=r.text("、".join(f"{a}（{n}）" for a, n in g.agents)),
            representative=g.representative_number, members=members, comparison=comparison)

    def _side_heading(self, c: Complaint) -> str:
        parts = [c.external_number, fmt_date(c.received_at, self.t)]
        if c.customer_name:
            parts.append(_("customer {name}").format(name=c.customer_name))
        if c.agent_name:
            parts.append(_("agent {name}").format(name=self.redactor.text(c.agent_name)))
        return " · ".join(p for p in parts if p)

    # --- timeline ------------------------------------------------------------------------

    def _timeline(self) -> Table:
        events: list[tuple[datetime, str, str]] = []
        for c in self.data.contacts:
            events.append((c.started_at, _("Undercover contact"),
                           self.redactor.text(f"{channel_label(c.channel)}：{c.summary}")))
        for e in self.data.evidence:
            if e.acquired_at:
                events.append((e.acquired_at, _("Evidence acquired"),
                               f"{_('Evidence {n}').format(n=self.evidence_numbers[e.id])}"
                               f"：{e.title}"))
        for ev in self.s.scalars(select(TimelineEvent).where(
                TimelineEvent.case_id == self.case.id)):
            text = ev.title + (f"：{ev.description}" if ev.description else "")
            events.append((ev.at, _("Event"), self.redactor.text(text)))
        for batch in self.s.scalars(select(ImportBatch).where(
                ImportBatch.case_id == self.case.id)):
            events.append((batch.finished_at or batch.started_at, _("Complaints imported"),
                           _("{file}: {n} complaints").format(file=batch.file_name,
                                                             n=batch.rows_imported)))
        count = self.s.scalar(select(func.count()).select_from(Complaint).where(
            Complaint.case_id == self.case.id)) or 0
        if count <= MAX_TIMELINE_COMPLAINTS:
            for number, received, name, category in self.s.execute(
                    select(Complaint.external_number, Complaint.received_at,
                           Complaint.customer_name, Complaint.category)
                    .where(Complaint.case_id == self.case.id,
                           Complaint.received_at.is_not(None))):
                events.append((received, _("Complaint received"),
                               f"{number} {name} {category}".strip()))
        else:
            months: Counter[str] = Counter()
            first_of: dict[str, datetime] = {}
            for (received,) in self.s.execute(select(Complaint.received_at).where(
                    Complaint.case_id == self.case.id, Complaint.received_at.is_not(None))):
                key = received.astimezone(self.t).strftime("%Y-%m")
                months[key] += 1
                first_of[key] = min(first_of.get(key, received), received)
            for key, n in months.items():
                events.append((first_of[key], _("Complaints received"),
                               ngettext("{month}: {n} complaint", "{month}: {n} complaints",
                                        n).format(month=key, n=n)))
        events.sort(key=lambda e: (e[0], e[1], e[2]))
        rows = tuple((fmt_time(at, self.t), kind, text) for at, kind, text in events)
        return Table("timeline", (_("Time"), _("Kind"), _("What happened")), (1.4, 1.2, 5.0),
                     rows)

    # --- chart ---------------------------------------------------------------------------

    def _chart(self) -> Chart:
        graph = build_link_graph(self.s, self.case.id, self.o.graph, when=self.now,
                                 shared=self.data.report.shared_identifiers)
        graph = graph.relabel(self._node_label)
        layout = layout_graph(graph, aspect=0.85)  # a little wider than high: the A4 frame
        picture = render_chart(graph, layout, empty_text=_("Nothing to show yet."))
        roles = {r.value: party_role_label(r.value) for r in PartyRole}
        types = {NodeType.IDENTIFIER: _("Identifier"),
                 NodeType.COMPLAINT_GROUP: _("Templated complaint group (number of complaints)"),
                 NodeType.COMPLAINT: _("Complaint"),
                 NodeType.CONTACT: _("Undercover contact"),
                 NodeType.EVIDENCE: _("Evidence")}
        used_roles = {n.role for n in graph.nodes if n.type is NodeType.PARTY}
        used_types = {n.type for n in graph.nodes}
        caption = _("Parties, identifiers, templated complaint groups, contacts and evidence "
                    "of the case and how they are related; ×n: the number of complaints "
                    "behind a line.")
        if graph.omitted_nodes:
            caption += " " + _("{n} less connected items are not drawn.").format(
                n=graph.omitted_nodes)
        return Chart(
            png=picture.png, width_px=picture.width, height_px=picture.height,
            caption=caption,
            legend=legend({k: v for k, v in roles.items() if k in used_roles},
                          {k: v for k, v in types.items() if k in used_types}),
            relations=self._relations(graph))

    def _node_label(self, node: GraphNode) -> str:
        if node.type is NodeType.IDENTIFIER:
            return self.redactor.identifier(node.identifier_type, node.label)
        if node.type is NodeType.EVIDENCE and node.id in self.evidence_numbers:
            return _("Evidence {n}").format(n=self.evidence_numbers[node.id])
        return self.redactor.text(node.label)

    def _relations(self, graph: LinkGraph) -> Table:
        def describe(key: str) -> str:
            node = graph.node(key)
            return f"{node.label}（{node.detail}）" if node.detail else node.label

        rows = tuple((describe(e.source), e.label, describe(e.target))
                     for e in graph.edges[:MAX_RELATION_ROWS])
        return Table("relations", (_("From"), _("Relation"), _("To")), (3.0, 1.6, 3.0), rows,
                     note=_more(len(graph.edges), MAX_RELATION_ROWS, "links.json"))

    # --- evidence and custody ------------------------------------------------------------

    def _evidence_entries(self) -> tuple[EvidenceEntry, ...]:
        sources = set(self.s.scalars(select(ImportBatch.evidence_id).where(
            ImportBatch.case_id == self.case.id, ImportBatch.evidence_id.is_not(None))))
        entries = []
        for number, e in enumerate(sorted(self.data.evidence, key=lambda e: e.id), start=1):
            self.evidence_numbers[e.id] = number
            # An imported complaint export holds every complainant's full data: a redacted
            # package lists it (with its hash) but does not carry it.
            included = not (self.o.redact and e.id in sources)
            path = (str(PurePosixPath(EVIDENCE_DIR) / safe_file_name(e.original_name, number))
                    if included else "")
            acquired = fmt_time(e.acquired_at or e.added_at, self.t)
            by = e.acquired_by or e.added_by
            source = e.source or (_("complaint export imported into the case")
                                  if e.id in sources else "")
            entries.append(EvidenceEntry(
                number=number, evidence_id=e.id, title=self.redactor.text(e.title),
                category=evidence_kind_label(e.kind), file_format=_file_format(e),
                source=self.redactor.text(source),
                acquired=f"{acquired}\n{by}" if by else acquired,
                purpose=self.redactor.text(e.proof_purpose), sha256=e.sha256, size=e.size,
                package_path=path, store_sha256=e.sha256, included=included))
        return tuple(entries)

    def _evidence_table(self, evidence: tuple[EvidenceEntry, ...]) -> Table:
        rows = []
        details = []
        for e in evidence:
            rows.append((str(e.number), e.title, e.category, e.file_format, e.source,
                         e.acquired, e.purpose))
            where = (e.package_path if e.included else
                     _("not included in this package (contains complainants' personal data; "
                       "the original is kept by the case team)"))
            details.append(_("SHA-256: {sha}\nFile in package: {path}   Size: {size}").format(
                sha=e.sha256, path=where, size=f"{e.size:,} B"))
        return Table(
            "evidence", (_("No."), _("Evidence name"), _("Category"), _("File format"),
                         _("Source / how obtained"), _("Acquired (when, by whom)"),
                         _("Purpose of proof")),
            (0.5, 1.6, 0.9, 1.1, 1.6, 1.3, 1.8), tuple(rows), detail=tuple(details))

    def _custody(self) -> Table:
        numbers = self.evidence_numbers
        rows = []
        details = []
        events = self.s.scalars(
            select(CustodyEvent).join(Evidence, Evidence.id == CustodyEvent.evidence_id)
            .where(Evidence.case_id == self.case.id)
            .order_by(CustodyEvent.at, CustodyEvent.id))
        for ev in events:
            rows.append((str(numbers.get(ev.evidence_id, "")), fmt_time(ev.at, self.t),
                         ev.actor, custody_action_label(ev.action), self.redactor.text(ev.note)))
            details.append(_("SHA-256 observed: {sha}").format(sha=ev.sha256_observed)
                           if ev.sha256_observed else "")
        return Table("custody", (_("Evidence no."), _("Time"), _("Done by"), _("Action"),
                                 _("Note")), (0.8, 1.4, 1.0, 1.1, 3.5), tuple(rows),
                     detail=tuple(details))

    def _integrity(self, evidence: tuple[EvidenceEntry, ...]) -> Integrity:
        included = [e for e in evidence if e.included]
        paragraphs = [
            _("This dossier is part of an evidence package in the BagIt format (RFC 8493), "
              "made by caseapp on {date}. The folder data/ holds this dossier (PDF and DOCX), "
              "{n} evidence files and the case data (complaints.csv, parties, identifiers and "
              "links as JSON, the custody and audit logs). The file manifest-sha256.txt lists "
              "the SHA-256 of every file in data/, tagmanifest-sha256.txt that of the "
              "package's own description files.").format(
                date=fmt_time(self.now, self.t), n=len(included)),
            _("Every evidence file is a byte-for-byte copy of the file stored in the case: its "
              "SHA-256 in the evidence list above equals the value recorded when the file was "
              "added, and the value in manifest-sha256.txt. Evidence files are never altered, "
              "redacted or converted."),
            _("Any change to a file of the package — one byte altered, a file deleted or "
              "added — is detected by checking the package with any of the commands below; "
              "each names the file concerned. The SHA-256 of the package ZIP itself is "
              "recorded in the case's tamper-evident audit log, and the export is recorded "
              "in each evidence file's chain of custody."),
        ]
        if self.o.redact:
            paragraphs.append(_("In this dossier and the data files, complainants' ID "
                                "numbers and phone numbers are masked (for example "
                                "110101********1234, 138****5678); suspects' identifiers are "
                                "shown in full."))
        commands = (
            _("caseapp-cli verify PACKAGE.zip"),
            _("cd <package folder> && sha256sum -c manifest-sha256.txt"),
            _("bagit.py --validate <package folder>"),
            _("PowerShell: Get-FileHash -Algorithm SHA256 <file>"),
        )
        return Integrity(tuple(paragraphs), commands)


def _identifier_line(r: Redactor, id_type: str, value: str, note: str) -> IdentifierLine:
    return IdentifierLine(identifier_type_label(id_type), r.identifier(id_type, value), note)


def _segments(text: str, spans: Iterable[Span]) -> tuple[Segment, ...]:
    out: list[Segment] = []
    for span in spans:
        piece = text[span.start:span.end]
        if not piece:
            continue
        shared = span.kind == SAME
        if out and out[-1].shared == shared:
            out[-1] = Segment(out[-1].text + piece, shared)
        else:
            out.append(Segment(piece, shared))
    return tuple(out)


def _file_format(e: EvidenceRecord) -> str:
    ext = PurePosixPath(e.original_name).suffix.lstrip(".").upper()
    return f"{ext} ({e.media_type})" if ext else e.media_type


_FIELD_LABELS: dict[str, Callable[[], str]] = {
    "agent_phone": lambda: _("agent phone"),
    "agent_name": lambda: _("agent name"),
    "customer_phone": lambda: _("customer phone"),
    "customer_id_number": lambda: _("customer ID number"),
    "text": lambda: _("complaint text"),
    "demands": lambda: _("demands"),
}


def _field_label(name: str) -> str:
    label = _FIELD_LABELS.get(name)
    return label() if label else name


def _more(total: int, shown: int, where: str) -> str:
    if total <= shown:
        return ""
    return _("{shown} of {total} shown; all of them are in {file} in the package.").format(
        shown=shown, total=f"{total:,}", file=where)


def _empty_table(key: str) -> Table:
    return Table(key, (), (), ())
