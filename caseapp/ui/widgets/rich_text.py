"""HTML for the text panes: complaint details with the identifiers found in them highlighted,
and a complaint's text with the passages it shares with another one highlighted."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from caseapp.analysis.compare import SAME, Span
from caseapp.domain.labels import identifier_type_label
from caseapp.i18n import _, ngettext
from caseapp.importers.mapping import FIELD_LABELS
from caseapp.services.complaint_queries import ComplaintDetail, MentionRecord
from caseapp.ui.models.complaint_table_model import format_amount

# Colours of the highlights (also used by the legends).
IDENTIFIER_BG = "#fde68a"
INVALID_BG = "#fecaca"
PARTY_BG = "#bfdbfe"
SHARED_BG = "#bbf7d0"
MUTED = "#6b7280"


@dataclass(frozen=True, slots=True)
class Mark:
    start: int
    end: int
    background: str
    title: str = ""
    href: str = ""


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def _para(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def marked_html(text: str, marks: Iterable[Mark]) -> str:
    """``text`` as HTML with the marked ranges on a coloured background; overlapping marks
    after the first are dropped, ranges outside the text ignored."""
    out: list[str] = []
    pos = 0
    for mark in sorted(marks, key=lambda m: (m.start, -m.end)):
        start, end = max(mark.start, pos), min(mark.end, len(text))
        if start >= end or mark.start < pos:
            continue
        out.append(_para(text[pos:start]))
        inner = _para(text[start:end])
        title = f' title="{escape(mark.title)}"' if mark.title else ""
        span = f'<span style="background-color:{mark.background}"{title}>{inner}</span>'
        if mark.href:
            span = (f'<a href="{escape(mark.href)}" style="color:#111827;'
                    f'text-decoration:none">{span}</a>')
        out.append(span)
        pos = end
    out.append(_para(text[pos:]))
    return "".join(out)


def mention_background(m: MentionRecord) -> str:
    if not m.valid:
        return INVALID_BG
    return PARTY_BG if m.party_id is not None else IDENTIFIER_BG


def mention_title(m: MentionRecord) -> str:
    label = identifier_type_label(m.type)
    if not m.valid:
        return _("{type} {value} (not valid)").format(type=label, value=m.value)
    if m.party_id is not None:
        return _("{type} {value} (belongs to a party)").format(type=label, value=m.value)
    return f"{label} {m.value}"


def _field_marks(value: str, mentions: Sequence[MentionRecord]) -> list[Mark]:
    marks = []
    for m in mentions:
        start, end = m.start, m.end
        if start is None or end is None:
            at = value.find(m.raw) if m.raw else -1
            start, end = (at, at + len(m.raw)) if at >= 0 else (0, len(value))
        marks.append(Mark(start, end, mention_background(m), mention_title(m),
                          f"identifier:{m.identifier_id}"))
    return marks


def legend_html(items: Sequence[tuple[str, str]]) -> str:
    cells = "".join(
        f'<span style="background-color:{bg}">&nbsp;&nbsp;&nbsp;&nbsp;</span>&nbsp;'
        f'{escape(label)}&nbsp;&nbsp;&nbsp;' for bg, label in items)
    return f'<p style="color:{MUTED}; font-size:small">{cells}</p>'


def complaint_html(detail: ComplaintDetail) -> str:
    """The detail pane of a complaint."""
    c = detail.complaint
    by_field: dict[str, list[MentionRecord]] = {}
    for m in detail.mentions:
        by_field.setdefault(m.field, []).append(m)

    def row(field: str, value: str) -> str:
        if not value:
            return ""
        label = _(FIELD_LABELS.get(field, field))
        cell = marked_html(value, _field_marks(value, by_field.get(field, [])))
        return (f'<tr><td style="color:{MUTED}; padding-right:12px; white-space:nowrap">'
                f'{escape(label)}</td><td>{cell}</td></tr>')

    received = c.received_at.astimezone().strftime("%Y-%m-%d %H:%M") if c.received_at else ""
    parts = [f'<h3 style="margin-bottom:2px">{escape(c.external_number)}</h3>']
    if detail.group is not None:
        g = detail.group
        # (messages outside the f-strings, where the catalogue extractor finds them)
        link = escape(_("Templated group {n}").format(n=g.number))
        size = escape(ngettext("{n} complaint", "{n} complaints", g.size).format(n=g.size))
        similarity = escape(_("similarity to the group {sim:.0%}").format(sim=g.similarity))
        parts.append(f'<p style="margin-top:0"><a href="group:{g.id}">{link}</a>'
                     f" · {size} · {similarity}</p>")
    parts.append('<table cellspacing="0" cellpadding="2">')
    parts += [
        row("received_at", received),
        row("channel", c.channel),
        row("customer_name", c.customer_name),
        row("customer_id_number", c.customer_id_number or c.customer_id_number_raw),
        row("customer_phone", c.customer_phone_raw or c.customer_phone),
        row("agent_name", c.agent_name),
        row("agent_phone", c.agent_phone_raw or c.agent_phone),
        row("product", c.product),
        row("category", c.category),
        row("amount", format_amount(c.amount) or c.amount_raw),
        row("status", c.status),
    ]
    parts.append("</table>")
    heading = escape(_("Complaint text"))
    parts.append(f'<h4 style="margin-bottom:4px">{heading}</h4>')
    text_marks = _field_marks(c.text, by_field.get("text", []))
    parts.append(f'<p style="line-height:150%">{marked_html(c.text, text_marks)}</p>')
    if c.demands:
        heading = escape(_(FIELD_LABELS["demands"]))
        parts.append(f'<h4 style="margin-bottom:4px">{heading}</h4>')
        marks = _field_marks(c.demands, by_field.get("demands", []))
        parts.append(f"<p>{marked_html(c.demands, marks)}</p>")
    if c.flags:
        notes = _("Import notes: {flags}").format(flags=", ".join(c.flags))
        parts.append(f'<p style="color:#b45309">{escape(notes)}</p>')
    if detail.mentions:
        parts.append(legend_html([(IDENTIFIER_BG, _("identifier")),
                                  (PARTY_BG, _("identifier of a party")),
                                  (INVALID_BG, _("invalid identifier"))]))
    return "".join(parts)


def comparison_html(text: str, spans: Sequence[Span]) -> str:
    """One side of a comparison: the passages shared with the other side highlighted."""
    marks = [Mark(s.start, s.end, SHARED_BG) for s in spans if s.kind == SAME]
    return f'<p style="line-height:160%">{marked_html(text, marks)}</p>'
