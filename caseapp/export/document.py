"""The dossier as a sequence of blocks (headings, paragraphs, tables, comparisons, pictures),
laid out once from the report context. The PDF and DOCX renderers each draw these blocks, so
the order and content of the two documents cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass

from caseapp.export.context import (
    GroupComparison,
    ReportContext,
    Section,
    Table,
)
from caseapp.i18n import _


@dataclass(frozen=True, slots=True)
class Heading:
    level: int  # 1 = section, 2 = subsection, 3 = item
    text: str
    key: str  # unique: bookmark name


@dataclass(frozen=True, slots=True)
class Para:
    text: str
    style: str = "body"  # body | note | caption


@dataclass(frozen=True, slots=True)
class Fields:
    """Label / value pairs (a record), drawn as a two-column table without header."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class TableBlock:
    table: Table


@dataclass(frozen=True, slots=True)
class ComparisonBlock:
    comparison: GroupComparison


@dataclass(frozen=True, slots=True)
class Picture:
    png: bytes
    width_px: int
    height_px: int
    caption: str


@dataclass(frozen=True, slots=True)
class Legend:
    items: tuple[tuple[str, str], ...]  # (colour hex, meaning)


@dataclass(frozen=True, slots=True)
class Commands:
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PageBreak:
    pass


Block = Heading | Para | Fields | TableBlock | ComparisonBlock | Picture | Legend | Commands \
    | PageBreak


def _table_or_none(table: Table) -> list[Block]:
    if not table.rows:
        return [Para(_("None."), "note")]
    blocks: list[Block] = [TableBlock(table)]
    if table.note:
        blocks.append(Para(table.note, "note"))
    return blocks


def dossier_blocks(ctx: ReportContext) -> list[Block]:
    """Everything after the cover and the table of contents, in order; each section starts
    on a new page."""
    out: list[Block] = []
    for block in _blocks(ctx):
        if isinstance(block, Heading) and block.level == 1 and out:
            out.append(PageBreak())
        out.append(block)
    return out


def _blocks(ctx: ReportContext) -> list[Block]:
    h = ctx.headings
    out: list[Block] = []
    if ctx.has(Section.SUMMARY):
        out.append(Heading(1, h[Section.SUMMARY], "summary"))
        out.append(Fields((
            (_("Case number"), ctx.cover.case_number),
            (_("Case title"), ctx.cover.title),
            (_("Status"), ctx.cover.status),
            (_("Organisation"), ctx.cover.organisation),
            (_("Lead investigator"), ctx.cover.investigator),
        )))
        out += [Para(p) for p in ctx.summary]
        out.append(Heading(2, h["figures"], "figures"))
        out.append(Fields(tuple((f.label, f.value) for f in ctx.figures)))
        out.append(Para(ctx.time_zone_note, "note"))
    if ctx.has(Section.PARTIES):
        out.append(Heading(1, h[Section.PARTIES], "parties"))
        if not ctx.parties:
            out.append(Para(_("None."), "note"))
        for p in ctx.parties:
            out.append(Heading(2, f"{p.number}. {p.name}（{p.role}）", f"party-{p.number}"))
            rows = [(_("Kind"), p.kind), (_("Role"), p.role)]
            if p.aliases:
                rows.append((_("Also known as"), p.aliases))
            for ident in p.identifiers:
                value = ident.value + (f"（{ident.note}）" if ident.note else "")
                rows.append((ident.type_label, value))
            if p.exchange:
                rows.append((_("Industry exchange"), p.exchange))
            if p.notes:
                rows.append((_("Notes"), p.notes))
            out.append(Fields(tuple(rows)))
    if ctx.has(Section.CONTACTS):
        out.append(Heading(1, h[Section.CONTACTS], "contacts"))
        if not ctx.contacts:
            out.append(Para(_("None."), "note"))
        for c in ctx.contacts:
            out.append(Heading(2, _("Contact {n}: {title}").format(n=c.number, title=c.title),
                               f"contact-{c.number}"))
            out.append(Fields(c.fields))
    if ctx.has(Section.ANALYSIS) and ctx.analysis is not None:
        a = ctx.analysis
        out.append(Heading(1, h[Section.ANALYSIS], "analysis"))
        out.append(Para(a.intro))
        out.append(Heading(2, h["groups"], "groups"))
        out += _table_or_none(a.groups_table)
        if a.comparison_note:
            out.append(Para(a.comparison_note, "note"))
        for g in a.groups:
            out.append(Heading(3, h["comparison"].format(number=g.number),
                               f"group-{g.number}"))
            out.append(Fields((
                (_("Complaints"), str(g.size)),
                (_("Received"), g.received),
                (_("Channels"), g.channels),
                (_("Agents named"), g.agents or "—"),
                (_("Representative"), g.representative),
                (_("Members"), g.members),
            )))
            if g.comparison is not None:
                out.append(ComparisonBlock(g.comparison))
                out.append(Para(g.comparison.caption, "caption"))
        out.append(Heading(2, h["repeat"], "repeat"))
        out += _table_or_none(a.repeat_table)
        out.append(Heading(2, h["shared"], "shared"))
        out += _table_or_none(a.shared_table)
        out.append(Heading(2, h["claims"], "claims"))
        out += _table_or_none(a.claims_table)
    if ctx.has(Section.TIMELINE):
        out.append(Heading(1, h[Section.TIMELINE], "timeline"))
        out += _table_or_none(ctx.timeline)
    if ctx.has(Section.CHART) and ctx.chart is not None:
        out.append(Heading(1, h[Section.CHART], "chart"))
        out.append(Picture(ctx.chart.png, ctx.chart.width_px, ctx.chart.height_px,
                           ctx.chart.caption))
        out.append(Legend(ctx.chart.legend))
        out.append(Heading(2, h["relations"], "relations"))
        out += _table_or_none(ctx.chart.relations)
    if ctx.has(Section.EVIDENCE):
        out.append(Heading(1, h[Section.EVIDENCE], "evidence"))
        out += _table_or_none(ctx.evidence_table)
    if ctx.has(Section.CUSTODY):
        out.append(Heading(1, h[Section.CUSTODY], "custody"))
        out += _table_or_none(ctx.custody)
    out.append(Heading(1, h["integrity"], "integrity"))
    out += [Para(p) for p in ctx.integrity.paragraphs]
    out.append(Commands(ctx.integrity.commands))
    if ctx.missing_glyphs:
        out.append(Para(_("Characters the dossier's font cannot show (see the DOCX or the "
                          "data files): {chars}").format(chars=" ".join(ctx.missing_glyphs)),
                        "note"))
    return out


def cover_lines(ctx: ReportContext) -> list[tuple[str, str]]:
    """The label / value lines of the cover, under its title."""
    c = ctx.cover
    return [
        (_("Case number"), c.case_number),
        (_("Case title"), c.title),
        (_("Organisation"), c.organisation),
        (_("Lead investigator"), c.investigator),
        (_("Date"), c.date),
    ]
