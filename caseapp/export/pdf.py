"""The dossier as PDF (reportlab): A4, the bundled CJK font embedded as a subset for every
piece of text, a cover, running header with the case number and confidentiality mark,
"第 x 页 共 y 页", bookmarks and a table of contents, tables whose header row repeats."""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as RLTable
from reportlab.platypus.tableofcontents import TableOfContents

from caseapp import __version__
from caseapp.domain.progress import CancelToken
from caseapp.export import document as doc
from caseapp.export.context import ReportContext, Table
from caseapp.export.fonts import MONO, SANS, register_fonts
from caseapp.i18n import _

PAGE_W, PAGE_H = A4
MARGIN_X = 2.0 * cm
MARGIN_TOP = 2.4 * cm
MARGIN_BOTTOM = 2.0 * cm
FRAME_W = PAGE_W - 2 * MARGIN_X
MAX_CELL_CHARS = 6000  # a single cell longer than this is cut (the full text is in the data)

INK = colors.HexColor("#1b2631")
ACCENT = colors.HexColor("#1f3864")
RULE = colors.HexColor("#9aa5b1")
HEADER_BG = colors.HexColor("#1f3864")
LABEL_BG = colors.HexColor("#eef1f5")
STRIPE_BG = colors.HexColor("#f7f9fb")
SHARED_BG = "#ffe08a"
MARK_RED = colors.HexColor("#b03a2e")


@cache
def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("body", fontName=SANS, fontSize=10, leading=16, textColor=INK,
                          wordWrap="CJK", spaceAfter=4)
    return {
        "body": base,
        "note": ParagraphStyle("note", parent=base, fontSize=8.5, leading=12,
                               textColor=colors.HexColor("#566573")),
        "caption": ParagraphStyle("caption", parent=base, fontSize=8.5, leading=12,
                                  textColor=colors.HexColor("#566573"), spaceBefore=2,
                                  spaceAfter=8),
        "h1": ParagraphStyle("h1", parent=base, fontSize=16, leading=22, textColor=ACCENT,
                             spaceBefore=10, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=base, fontSize=12.5, leading=18, textColor=ACCENT,
                             spaceBefore=10, spaceAfter=5),
        "h3": ParagraphStyle("h3", parent=base, fontSize=11, leading=16, textColor=INK,
                             spaceBefore=8, spaceAfter=4),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=12, spaceAfter=0),
        "cell_head": ParagraphStyle("cell_head", parent=base, fontSize=8.5, leading=12,
                                    spaceAfter=0, textColor=colors.white),
        "label": ParagraphStyle("label", parent=base, fontSize=8.5, leading=12, spaceAfter=0,
                                textColor=colors.HexColor("#34495e")),
        "mono": ParagraphStyle("mono", parent=base, fontName=MONO, fontSize=7.2, leading=10,
                               spaceAfter=0),
        "code": ParagraphStyle("code", parent=base, fontName=MONO, fontSize=8.5, leading=13,
                               leftIndent=8, backColor=LABEL_BG, borderPadding=4,
                               spaceBefore=2, spaceAfter=6),
        "cover_title": ParagraphStyle("cover_title", parent=base, fontSize=28, leading=40,
                                      alignment=TA_CENTER, textColor=ACCENT),
        "cover_sub": ParagraphStyle("cover_sub", parent=base, fontSize=15, leading=24,
                                    alignment=TA_CENTER),
        "cover_label": ParagraphStyle("cover_label", parent=base, fontSize=12, leading=20,
                                      textColor=colors.HexColor("#34495e")),
        "cover_value": ParagraphStyle("cover_value", parent=base, fontSize=12, leading=20),
        "cover_mark": ParagraphStyle("cover_mark", parent=base, fontSize=12, leading=18,
                                     alignment=TA_CENTER, textColor=MARK_RED),
        "toc1": ParagraphStyle("toc1", parent=base, fontSize=11, leading=20, leftIndent=0),
        "toc2": ParagraphStyle("toc2", parent=base, fontSize=9.5, leading=16, leftIndent=18),
    }


def _style(commands: list[tuple[Any, ...]]) -> TableStyle:
    """A table style whose plain-string cells (spans, blanks) use the embedded font too."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), SANS), *commands])


def _text(value: str, limit: int = MAX_CELL_CHARS) -> str:
    """Escaped paragraph markup; line breaks kept."""
    if len(value) > limit:
        value = value[:limit] + "…" + _("(cut; the full text is in the package's data files)")
    return escape(value).replace("\n", "<br/>")


class _Heading(Paragraph):
    def __init__(self, block: doc.Heading) -> None:
        super().__init__(_text(block.text), styles()[f"h{min(block.level, 3)}"])
        self.level = block.level
        self.key = block.key
        self.plain = block.text


class _NumberedCanvas(Canvas):
    """Defers each page so that the footer can say how many pages there are in all."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        register_fonts()
        kwargs["initialFontName"] = SANS  # no Helvetica, even in the unused page preamble
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self.header_text = ""

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._decorate(number, total)
            super().showPage()
        super().save()

    def _decorate(self, number: int, total: int) -> None:
        self.saveState()
        self.setFont(SANS, 8.5)
        self.setFillColor(colors.HexColor("#566573"))
        footer = _("Page {page} of {pages}").format(page=number, pages=total)
        self.drawCentredString(PAGE_W / 2, 1.1 * cm, footer)
        if number > 1:
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            top = PAGE_H - 1.6 * cm
            self.line(MARGIN_X, top, PAGE_W - MARGIN_X, top)
            self.drawString(MARGIN_X, top + 4, self.header_text)
            self.setFillColor(MARK_RED)
            self.drawRightString(PAGE_W - MARGIN_X, top + 4, _("CONFIDENTIAL"))
        self.restoreState()


class _Dossier(BaseDocTemplate):
    def __init__(self, out: io.BytesIO, ctx: ReportContext, cancel: CancelToken | None,
                 tick: Callable[[], None]) -> None:
        super().__init__(
            out, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
            topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
            title=f"{ctx.cover.case_number} {ctx.cover.document_title}",
            author=ctx.cover.investigator, subject=ctx.cover.title,
            creator=f"caseapp {__version__}", producer=f"caseapp {__version__}",
            keywords=ctx.cover.case_number, lang="zh-CN" if ctx.language.startswith("zh")
            else "en", invariant=1, initialFontName=SANS)
        frame = Frame(MARGIN_X, MARGIN_BOTTOM, FRAME_W, PAGE_H - MARGIN_TOP - MARGIN_BOTTOM,
                      id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([
            PageTemplate(id="cover", frames=[frame], onPage=self._cover_page),
            PageTemplate(id="body", frames=[frame]),
        ])
        self.ctx = ctx
        self.cancel = cancel
        self.tick = tick
        self._last_level = 0

    def _cover_page(self, canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(2)
        canvas.line(MARGIN_X, PAGE_H - 2 * cm, PAGE_W - MARGIN_X, PAGE_H - 2 * cm)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN_X, PAGE_H - 2 * cm - 4, PAGE_W - MARGIN_X, PAGE_H - 2 * cm - 4)
        canvas.line(MARGIN_X, 2.6 * cm, PAGE_W - MARGIN_X, 2.6 * cm)
        canvas.restoreState()

    def handle_pageBegin(self) -> None:
        super().handle_pageBegin()
        self.canv.header_text = self.ctx.header_text  # type: ignore[attr-defined]

    def afterFlowable(self, flowable: Flowable) -> None:
        if self.cancel is not None:
            self.cancel.raise_if_cancelled()
        self.tick()
        if isinstance(flowable, _Heading):
            # Outline levels may only go one deeper at a time.
            level = min(flowable.level - 1, self._last_level + 1)
            self._last_level = level
            self.canv.bookmarkPage(flowable.key)
            self.canv.addOutlineEntry(flowable.plain, flowable.key, level=level,
                                      closed=level > 0)
            if flowable.level <= 2:
                self.notify("TOCEntry", (flowable.level - 1, flowable.plain, self.page,
                                         flowable.key))


def _cover(ctx: ReportContext) -> list[Flowable]:
    st = styles()
    rows = [[Paragraph(_text(label), st["cover_label"]), Paragraph(_text(value),
                                                                  st["cover_value"])]
            for label, value in doc.cover_lines(ctx)]
    info = RLTable(rows, colWidths=[3.6 * cm, FRAME_W - 5.6 * cm], hAlign="CENTER")
    info.setStyle(_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]))
    mark = RLTable([[Paragraph(_text(ctx.cover.confidentiality), st["cover_mark"])]],
                   colWidths=[9 * cm], hAlign="CENTER")
    mark.setStyle(_style([("BOX", (0, 0), (-1, -1), 1.2, MARK_RED),
                              ("TOPPADDING", (0, 0), (-1, -1), 6),
                              ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return [
        Spacer(1, 2.2 * cm), mark, Spacer(1, 2.2 * cm),
        Paragraph(_text(ctx.cover.document_title), st["cover_title"]), Spacer(1, 0.6 * cm),
        Paragraph(_text(ctx.cover.title), st["cover_sub"]), Spacer(1, 2.0 * cm),
        info, Spacer(1, 1.6 * cm),
        Paragraph(_text(ctx.cover.redaction_note), st["note"]),
        Paragraph(_text(ctx.time_zone_note), st["note"]),
        NextPageTemplate("body"), PageBreak(),
    ]


def _contents(ctx: ReportContext) -> list[Flowable]:
    st = styles()
    toc = TableOfContents(dotsMinLevel=0)
    toc.levelStyles = [st["toc1"], st["toc2"]]
    toc.tableStyle = _style([("VALIGN", (0, 0), (-1, -1), "TOP"),
                             ("LEFTPADDING", (0, 0), (-1, -1), 0),
                             ("RIGHTPADDING", (0, 0), (-1, -1), 0)])
    return [Paragraph(_text(ctx.headings["contents"]), st["h1"]), toc, PageBreak()]


def _widths(table: Table) -> list[float]:
    total = sum(table.widths) or 1.0
    return [FRAME_W * w / total for w in table.widths]


def _data_table(table: Table) -> RLTable:
    st = styles()
    header = [Paragraph(_text(c), st["cell_head"]) for c in table.columns]
    data: list[list[Any]] = [header]
    commands: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.35, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    has_detail = any(table.detail)
    for i, row in enumerate(table.rows):
        first = len(data)
        data.append([Paragraph(_text(v), st["mono"] if j in table.mono_columns else st["cell"])
                     for j, v in enumerate(row)])
        detail = table.detail[i] if i < len(table.detail) else ""
        if has_detail and detail:
            data.append([Paragraph(_text(detail), st["mono"])] + [""] * (len(row) - 1))
            commands += [("SPAN", (0, first + 1), (-1, first + 1)),
                         ("NOSPLIT", (0, first), (-1, first + 1)),
                         ("LINEABOVE", (0, first + 1), (-1, first + 1), 0.2, RULE)]
        if i % 2 == 1:
            commands.append(("BACKGROUND", (0, first), (-1, len(data) - 1), STRIPE_BG))
    out = RLTable(data, colWidths=_widths(table), repeatRows=1, splitInRow=1, hAlign="LEFT")
    out.setStyle(_style(commands))
    return out


def _fields(block: doc.Fields) -> RLTable:
    st = styles()
    data = [[Paragraph(_text(k), st["label"]), Paragraph(_text(v), st["cell"])]
            for k, v in block.rows]
    out = RLTable(data, colWidths=[3.4 * cm, FRAME_W - 3.4 * cm], splitInRow=1,
                  hAlign="LEFT")
    out.setStyle(_style([
        ("BACKGROUND", (0, 0), (0, -1), LABEL_BG),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.35, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return out


def _comparison(block: doc.ComparisonBlock) -> RLTable:
    st = styles()
    c = block.comparison

    def side(segments: tuple[Any, ...]) -> Paragraph:
        parts = []
        used = 0
        for seg in segments:
            text = seg.text[: max(0, MAX_CELL_CHARS - used)]
            used += len(text)
            markup = _text(text, limit=MAX_CELL_CHARS)
            parts.append(f'<span backColor="{SHARED_BG}">{markup}</span>' if seg.shared
                         else markup)
        return Paragraph("".join(parts), st["cell"])

    data = [[Paragraph(_text(c.left.heading), st["cell_head"]),
             Paragraph(_text(c.right.heading), st["cell_head"])],
            [side(c.left.segments), side(c.right.segments)]]
    out = RLTable(data, colWidths=[FRAME_W / 2] * 2, repeatRows=1, splitInRow=1,
                  hAlign="LEFT")
    out.setStyle(_style([
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.35, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    return out


def _picture(block: doc.Picture) -> list[Flowable]:
    max_h = (PAGE_H - MARGIN_TOP - MARGIN_BOTTOM) * 0.8
    width = FRAME_W
    height = width * block.height_px / block.width_px
    if height > max_h:
        width, height = width * max_h / height, max_h
    image = Image(io.BytesIO(block.png), width=width, height=height)
    return [image, Paragraph(_text(block.caption), styles()["caption"])]


def _legend(block: doc.Legend) -> RLTable:
    st = styles()
    cells: list[Any] = []
    commands: list[tuple[Any, ...]] = [("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                       ("LEFTPADDING", (0, 0), (-1, -1), 2)]
    per_row = 3
    rows: list[list[Any]] = []
    for i, (colour, label) in enumerate(block.items):
        cells += ["", Paragraph(_text(label), st["note"])]
        r, c = divmod(i, per_row)
        commands.append(("BACKGROUND", (2 * c, r), (2 * c, r), colors.HexColor(colour)))
        commands.append(("BOX", (2 * c, r), (2 * c, r), 0.4, RULE))
        if len(cells) == 2 * per_row:
            rows.append(cells)
            cells = []
    if cells:
        rows.append(cells + [""] * (2 * per_row - len(cells)))
    if not rows:
        rows = [[""] * 2 * per_row]
    col = (FRAME_W - per_row * 0.5 * cm) / per_row
    out = RLTable(rows, colWidths=[0.42 * cm, col] * per_row, hAlign="LEFT")
    out.setStyle(_style(commands))
    return out


def _flowables(blocks: list[doc.Block]) -> list[Flowable]:
    st = styles()
    out: list[Flowable] = []
    for block in blocks:
        if isinstance(block, doc.Heading):
            if block.level > 1:
                out.append(CondPageBreak(4 * cm))  # a heading never ends a page alone
            out.append(_Heading(block))
        elif isinstance(block, doc.Para):
            out.append(Paragraph(_text(block.text), st[block.style]))
        elif isinstance(block, doc.Fields):
            out += [_fields(block), Spacer(1, 6)]
        elif isinstance(block, doc.TableBlock):
            out += [_data_table(block.table), Spacer(1, 4)]
        elif isinstance(block, doc.ComparisonBlock):
            out.append(_comparison(block))
        elif isinstance(block, doc.Picture):
            out += _picture(block)
        elif isinstance(block, doc.Legend):
            out += [_legend(block), Spacer(1, 8)]
        elif isinstance(block, doc.Commands):
            out.append(KeepTogether([Paragraph(_text(line), st["code"])
                                     for line in block.lines]))
        elif isinstance(block, doc.PageBreak):
            out.append(PageBreak())
    return out


def render_pdf(ctx: ReportContext, *, cancel: CancelToken | None = None,
               tick: Callable[[], None] | None = None) -> bytes:
    """The PDF dossier's bytes (the same context gives the same bytes)."""
    register_fonts()
    out = io.BytesIO()
    story = _cover(ctx) + _contents(ctx) + _flowables(doc.dossier_blocks(ctx))
    template = _Dossier(out, ctx, cancel, tick or (lambda: None))
    # Binary streams, not ASCII85 text: smaller, and reportlab's pure-Python ASCII85 encoder
    # is the slowest part of writing the link chart.
    saved, rl_config.useA85 = rl_config.useA85, 0
    try:
        template.multiBuild(story, canvasmaker=_NumberedCanvas)
    finally:
        rl_config.useA85 = saved
    return out.getvalue()


__all__ = ["render_pdf"]
