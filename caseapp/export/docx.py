"""The dossier as an editable DOCX (python-docx): heading styles (the navigation pane works),
East Asian fonts on styles and runs, real tables whose header row repeats, the link chart as
a picture, "第 x 页 共 y 页" in the footer — the same blocks as the PDF."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from caseapp import __version__
from caseapp.domain.progress import CancelToken
from caseapp.export import document as doc
from caseapp.export.context import ReportContext, Table
from caseapp.i18n import _

# Fonts every Chinese Windows (and WPS) has; the DOCX stays editable, so it does not embed.
EAST_ASIA_BODY = "宋体"
EAST_ASIA_HEADING = "黑体"
LATIN_BODY = "Times New Roman"
LATIN_HEADING = "Arial"
MONO = "Consolas"

INK = RGBColor(0x1B, 0x26, 0x31)
ACCENT = RGBColor(0x1F, 0x38, 0x64)
GREY = RGBColor(0x56, 0x65, 0x73)
MARK_RED = RGBColor(0xB0, 0x3A, 0x2E)
HEADER_FILL = "1F3864"
LABEL_FILL = "EEF1F5"
STRIPE_FILL = "F7F9FB"
TEXT_WIDTH_CM = 17.0
MAX_CELL_CHARS = 6000
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str, limit: int = MAX_CELL_CHARS) -> str:
    if len(text) > limit:
        text = text[:limit] + "…" + _("(cut; the full text is in the package's data files)")
    return _XML_INVALID.sub("", text)


def _set_fonts(element: Any, *, latin: str, east_asia: str) -> None:
    """Explicit fonts on an rPr: Latin and East Asian, theme fonts removed (they win over
    explicit names in Word)."""
    rpr = element.get_or_add_rPr() if hasattr(element, "get_or_add_rPr") else element
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _run(paragraph: Paragraph, text: str, *, size: float | None = None, bold: bool = False,
         colour: RGBColor | None = None, mono: bool = False, east_asia: str = EAST_ASIA_BODY,
         highlight: bool = False) -> None:
    run = paragraph.add_run(_clean(text, limit=10**9))
    if size:
        run.font.size = Pt(size)
    if bold:
        run.font.bold = True
    if colour is not None:
        run.font.color.rgb = colour
    if highlight:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    _set_fonts(run._r, latin=MONO if mono else LATIN_BODY, east_asia=east_asia)


def _text(paragraph: Paragraph, text: str, **kwargs: Any) -> None:
    """Text with line breaks as real breaks."""
    for i, line in enumerate(_clean(text).split("\n")):
        if i:
            paragraph.add_run().add_break(WD_BREAK.LINE)
        _run(paragraph, line, **kwargs)


def _shade(cell: _Cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _row_flags(row: Any, *, header: bool = False) -> None:
    _tr_flags(row._tr, header=header)


def _tr_flags(tr: Any, *, header: bool = False) -> None:
    tr_pr = tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    tr_pr.append(cant)
    if header:
        tbl_header = OxmlElement("w:tblHeader")
        tr_pr.append(tbl_header)


def _field(paragraph: Paragraph, instruction: str, placeholder: str = "1",
           size: float = 9) -> None:
    """A Word field (PAGE, NUMPAGES, TOC …) with a cached result."""
    def add(kind: str | None, text: str | None = None) -> None:
        run = paragraph.add_run()
        run.font.size = Pt(size)
        _set_fonts(run._r, latin=LATIN_BODY, east_asia=EAST_ASIA_BODY)
        if kind == "begin" or kind == "separate" or kind == "end":
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            if kind == "begin":
                char.set(qn("w:dirty"), "true")
            run._r.append(char)
        elif kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._r.append(instr)
        elif text is not None:
            run.text = text

    add("begin")
    add("instr")
    add("separate")
    add(None, placeholder)
    add("end")


class _Writer:
    def __init__(self, ctx: ReportContext, cancel: CancelToken | None,
                 tick: Callable[[], None]) -> None:
        self.ctx = ctx
        self.cancel = cancel
        self.tick = tick
        self.d = Document()
        self._styles()
        # Style ids, set straight on the paragraphs: python-docx's lookup by style scans
        # every style each time and dominated the run time.
        self.style = {name: self.d.styles[name].style_id for name in (
            "Caseapp Note", "Caseapp Caption", "Caseapp Cell", "Caseapp Mono")}
        self.grid = self.d.styles["Table Grid"].style_id
        self._page_setup()

    # --- set-up --------------------------------------------------------------------------

    def _styles(self) -> None:
        styles = self.d.styles
        normal = styles["Normal"]
        normal.font.size = Pt(10.5)
        normal.font.color.rgb = INK
        _set_fonts(normal.element, latin=LATIN_BODY, east_asia=EAST_ASIA_BODY)
        rpr = normal.element.get_or_add_rPr()
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
        rpr.append(lang)
        normal.paragraph_format.space_after = Pt(4)
        normal.paragraph_format.line_spacing = 1.25
        for level, size in ((1, 16), (2, 13), (3, 11.5)):
            style = styles[f"Heading {level}"]
            style.font.size = Pt(size)
            style.font.bold = True
            style.font.italic = False
            style.font.color.rgb = ACCENT if level < 3 else INK
            _set_fonts(style.element, latin=LATIN_HEADING, east_asia=EAST_ASIA_HEADING)
            style.paragraph_format.space_before = Pt(12 if level == 1 else 9)
            style.paragraph_format.space_after = Pt(6)
            style.paragraph_format.keep_with_next = True
        for name, size, colour in (("Caseapp Note", 8.5, GREY), ("Caseapp Caption", 8.5, GREY),
                                   ("Caseapp Cell", 9, INK), ("Caseapp Mono", 7.5, INK)):
            style = styles.add_style(name, 1)  # WD_STYLE_TYPE.PARAGRAPH
            style.base_style = normal
            style.font.size = Pt(size)
            style.font.color.rgb = colour
            _set_fonts(style.element, latin=MONO if "Mono" in name else LATIN_BODY,
                       east_asia=EAST_ASIA_BODY)
            style.paragraph_format.space_after = Pt(0 if name.endswith(("Cell", "Mono"))
                                                    else 4)
            style.paragraph_format.line_spacing = 1.1
        # Ask Word to refresh the table of contents and page counts on opening.
        settings = self.d.settings.element
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.append(update)

    def _page_setup(self) -> None:
        section = self.d.sections[0]
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.0)
        section.top_margin = Cm(2.4)
        section.bottom_margin = Cm(2.0)
        section.header_distance = Cm(1.2)
        section.footer_distance = Cm(1.0)
        section.different_first_page_header_footer = True  # the cover has none
        header = section.header.paragraphs[0]
        _run(header, self.ctx.header_text, size=8.5, colour=GREY)
        _run(header, "　　" + _("CONFIDENTIAL"), size=8.5, colour=MARK_RED, bold=True)
        self._footer(section.footer.paragraphs[0])
        self._footer(section.first_page_footer.paragraphs[0])

    def _footer(self, paragraph: Paragraph) -> None:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        label = _("Page {page} of {pages}")
        for piece in re.split(r"(\{page\}|\{pages\})", label):
            if piece == "{page}":
                _field(paragraph, "PAGE")
            elif piece == "{pages}":
                _field(paragraph, "NUMPAGES")
            elif piece:
                _run(paragraph, piece, size=9, colour=GREY)

    # --- content -------------------------------------------------------------------------

    def cover(self) -> None:
        c = self.ctx.cover
        for _i in range(3):
            self.d.add_paragraph()
        mark = self.d.add_paragraph()
        mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(mark, c.confidentiality, size=12, colour=MARK_RED, bold=True)
        for _i in range(3):
            self.d.add_paragraph()
        title = self.d.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(title, c.document_title, size=26, colour=ACCENT, bold=True,
             east_asia=EAST_ASIA_HEADING)
        sub = self.d.add_paragraph()
        sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(sub, c.title, size=15)
        for _i in range(3):
            self.d.add_paragraph()
        table = self.d.add_table(rows=0, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for label, value in doc.cover_lines(self.ctx):
            cells = table.add_row().cells
            _text(cells[0].paragraphs[0], label, size=12, colour=GREY)
            _text(cells[1].paragraphs[0], value, size=12)
        self._widths(table, [3.6, 10.0])
        self.d.add_paragraph()
        for note in (c.redaction_note, self.ctx.time_zone_note):
            p = self._para("Caseapp Note")
            _text(p, note)
        self.d.add_page_break()

    def contents(self) -> None:
        self.d.add_paragraph(self.ctx.headings["contents"], style="Heading 1")
        p = self.d.add_paragraph()
        _field(p, 'TOC \\o "1-2" \\h \\z \\u',
               _("Right-click here and choose Update Field to show the table of contents."),
               size=10.5)
        self.d.add_page_break()

    def blocks(self, blocks: list[doc.Block]) -> None:
        for block in blocks:
            if self.cancel is not None:
                self.cancel.raise_if_cancelled()
            self.tick()
            if isinstance(block, doc.Heading):
                self.d.add_heading(_clean(block.text), level=min(block.level, 3))
            elif isinstance(block, doc.Para):
                name = {"note": "Caseapp Note", "caption": "Caseapp Caption"}.get(block.style)
                _text(self._para(name), block.text)
            elif isinstance(block, doc.Fields):
                self.fields(block)
            elif isinstance(block, doc.TableBlock):
                self.table(block.table)
            elif isinstance(block, doc.ComparisonBlock):
                self.comparison(block)
            elif isinstance(block, doc.Picture):
                self.picture(block)
            elif isinstance(block, doc.Legend):
                self.legend(block)
            elif isinstance(block, doc.Commands):
                for line in block.lines:
                    p = self._para("Caseapp Mono")
                    p.paragraph_format.left_indent = Cm(0.5)
                    _text(p, line, mono=True, size=9)
            elif isinstance(block, doc.PageBreak):
                self.d.add_page_break()

    def _para(self, style: str | None = None) -> Paragraph:
        paragraph = self.d.add_paragraph()
        if style is not None:
            paragraph._p.style = self.style[style]
        return paragraph

    @staticmethod
    def _widths(table: DocxTable, widths_cm: list[float]) -> None:
        """Column widths on the grid and on every cell (Word reads one, LibreOffice the
        other), with a fixed layout. Works on the XML rows directly: python-docx's row and
        cell lookups are quadratic in the number of rows."""
        table.autofit = False
        for column, width in zip(table.columns, widths_cm, strict=False):
            column.width = Cm(width)
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        table._tbl.tblPr.append(layout)
        total = Cm(sum(widths_cm))
        for tr in table._tbl.tr_lst:
            tcs = tr.tc_lst
            if len(tcs) == 1 and len(widths_cm) > 1:
                tcs[0].width = total  # a row spanning the whole table
                continue
            for tc, width in zip(tcs, widths_cm, strict=False):
                tc.width = Cm(width)

    def _add_row(self, table: DocxTable) -> tuple[Any, list[_Cell]]:
        tr = table._tbl.add_tr()
        for _i in range(len(table.columns)):
            tc = tr.add_tc()
            tc.append(OxmlElement("w:p"))
        return tr, [_Cell(tc, table) for tc in tr.tc_lst]

    def fields(self, block: doc.Fields) -> None:
        table = self.d.add_table(rows=0, cols=2)
        table._tbl.tblPr.style = self.grid
        for label, value in block.rows:
            row = table.add_row()
            _row_flags(row)
            _shade(row.cells[0], LABEL_FILL)
            p0 = row.cells[0].paragraphs[0]
            p0._p.style = self.style["Caseapp Cell"]
            _text(p0, label, colour=GREY)
            p1 = row.cells[1].paragraphs[0]
            p1._p.style = self.style["Caseapp Cell"]
            _text(p1, value)
        self._widths(table, [3.4, TEXT_WIDTH_CM - 3.4])
        self.d.add_paragraph()

    def table(self, t: Table) -> None:
        ncols = len(t.columns)
        table = self.d.add_table(rows=1, cols=ncols)
        table._tbl.tblPr.style = self.grid
        header = table.rows[0]
        _row_flags(header, header=True)
        for cell, name in zip(header.cells, t.columns, strict=True):
            _shade(cell, HEADER_FILL)
            p = cell.paragraphs[0]
            p._p.style = self.style["Caseapp Cell"]
            _text(p, name, colour=RGBColor(0xFF, 0xFF, 0xFF), bold=True)
        for i, values in enumerate(t.rows):
            tr, cells = self._add_row(table)
            _tr_flags(tr)
            for j, (cell, value) in enumerate(zip(cells, values, strict=True)):
                p = cell.paragraphs[0]
                p._p.style = self.style["Caseapp Mono" if j in t.mono_columns else "Caseapp Cell"]
                _text(p, value, mono=j in t.mono_columns)
                if i % 2:
                    _shade(cell, STRIPE_FILL)
            detail = t.detail[i] if i < len(t.detail) else ""
            if detail:
                extra, extra_cells = self._add_row(table)
                _tr_flags(extra)
                for tc in extra.tc_lst[1:]:
                    extra.remove(tc)
                extra.tc_lst[0].grid_span = ncols
                merged = extra_cells[0]
                p = merged.paragraphs[0]
                p._p.style = self.style["Caseapp Mono"]
                _text(p, detail, mono=True)
                if i % 2:
                    _shade(merged, STRIPE_FILL)
                # Keep an item's two rows on one page.
                for cell in cells:
                    for para in cell.paragraphs:
                        para.paragraph_format.keep_with_next = True
        total = sum(t.widths) or 1.0
        self._widths(table, [TEXT_WIDTH_CM * w / total for w in t.widths])
        self.d.add_paragraph()

    def comparison(self, block: doc.ComparisonBlock) -> None:
        c = block.comparison
        table = self.d.add_table(rows=2, cols=2)
        table._tbl.tblPr.style = self.grid
        _row_flags(table.rows[0], header=True)
        for cell, side in zip(table.rows[0].cells, (c.left, c.right), strict=True):
            _shade(cell, HEADER_FILL)
            p = cell.paragraphs[0]
            p._p.style = self.style["Caseapp Cell"]
            _text(p, side.heading, colour=RGBColor(0xFF, 0xFF, 0xFF), bold=True)
        for cell, side in zip(table.rows[1].cells, (c.left, c.right), strict=True):
            p = cell.paragraphs[0]
            p._p.style = self.style["Caseapp Cell"]
            used = 0
            for seg in side.segments:
                text = seg.text[: max(0, MAX_CELL_CHARS - used)]
                used += len(text)
                if text:
                    _text(p, text, highlight=seg.shared)
        self._widths(table, [TEXT_WIDTH_CM / 2] * 2)

    def picture(self, block: doc.Picture) -> None:
        width = Cm(TEXT_WIDTH_CM)
        max_height = Cm(18)
        height = Emu(int(width * block.height_px / block.width_px))
        if height > max_height:
            width = Emu(int(width * max_height / height))
        self.d.add_picture(io.BytesIO(block.png), width=width)
        self.d.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _text(self._para("Caseapp Caption"), block.caption)

    def legend(self, block: doc.Legend) -> None:
        per_row = 3
        rows = (len(block.items) + per_row - 1) // per_row
        if not rows:
            return
        table = self.d.add_table(rows=rows, cols=per_row * 2)
        for i, (colour, label) in enumerate(block.items):
            r, c = divmod(i, per_row)
            swatch = table.cell(r, 2 * c)
            _shade(swatch, colour.lstrip("#").upper())
            p = table.cell(r, 2 * c + 1).paragraphs[0]
            p._p.style = self.style["Caseapp Note"]
            _text(p, label)
        self._widths(table, [0.5, (TEXT_WIDTH_CM - 1.5) / per_row] * per_row)
        self.d.add_paragraph()

    def save(self, when: datetime) -> bytes:
        props = self.d.core_properties
        props.title = f"{self.ctx.cover.case_number} {self.ctx.cover.document_title}"
        props.subject = self.ctx.cover.title
        props.author = self.ctx.cover.investigator
        props.last_modified_by = self.ctx.cover.investigator
        props.keywords = self.ctx.cover.case_number
        props.comments = f"caseapp {__version__}"
        props.created = when.replace(microsecond=0, tzinfo=None)
        props.modified = when.replace(microsecond=0, tzinfo=None)
        props.revision = 1
        out = io.BytesIO()
        self.d.save(out)
        return _normalise_zip(out.getvalue(), when)


def _normalise_zip(data: bytes, when: datetime) -> bytes:
    """The same document gives the same bytes: fixed member times and order."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute,
             when.second // 2 * 2)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            item = zipfile.ZipInfo(info.filename, date_time=stamp)
            item.compress_type = zipfile.ZIP_DEFLATED
            item.external_attr = 0o644 << 16
            dst.writestr(item, src.read(info.filename))
    return out.getvalue()


def render_docx(ctx: ReportContext, *, cancel: CancelToken | None = None,
                tick: Callable[[], None] | None = None) -> bytes:
    """The DOCX dossier's bytes."""
    writer = _Writer(ctx, cancel, tick or (lambda: None))
    writer.cover()
    writer.contents()
    writer.blocks(doc.dossier_blocks(ctx))
    return writer.save(ctx.generated_at)


__all__ = ["render_docx"]
