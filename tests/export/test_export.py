"""The export read back with real readers: pdffonts / pdftotext / pypdf for the PDF,
python-docx (and LibreOffice) for the DOCX, bagit and sha256sum for the package, and
caseapp-cli verify on intact and damaged packages."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import bagit
import pypdf
import pytest
from docx import Document
from docx.oxml.ns import qn
from export_case import Exported

from caseapp.cli.main import main as cli
from caseapp.db.models import Complaint, CustodyEvent
from caseapp.export.context import Section
from caseapp.i18n import _

pytestmark = pytest.mark.slow


def _pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _member_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return zf.namelist()


def _context(exported: Exported, redact: bool = True):  # type: ignore[no-untyped-def]
    from caseapp.export.service import ExportOptions

    return exported.app.export.context(exported.case_number, ExportOptions(redact=redact))


def test_pdf_fonts_all_embedded(exported: Exported) -> None:
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    for path in (exported.pdf.path, exported.package.path):
        if path.suffix == ".zip":
            pdf = next(n for n in _member_names(path) if n.endswith(".pdf"))
            target = exported.out / "from-package.pdf"
            target.write_bytes(zipfile.ZipFile(path).read(pdf))
            path = target
        rows = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                              text=True).stdout.splitlines()[2:]
        assert rows, "no fonts at all"
        for row in rows:
            assert "WenQuanYi" in row, row  # no Helvetica or any other base-14 font
            columns = row.split()
            assert columns[-5:-2] == ["yes", "yes", "yes"], row  # emb, sub, uni


def test_pdf_text_is_chinese_searchable_and_complete(exported: Exported) -> None:
    text = _pdftotext(exported.pdf.path)
    flat = _squash(text)
    for needle in ("聚德法务中心代理投诉专案", "临沂市聚德法务中心", "杜专员", "代理团伙A",
                   "18508477852", "jude_du888", "91371302MAELPKL57J", "DEMO-0001",
                   "定金转账记录", "停息挂账"):
        assert needle in flat, needle
    evidence = _context(exported).evidence
    assert len(evidence) == len(exported.app.evidence.list(exported.case_number)) > 4
    for e in evidence:
        assert e.sha256 in flat, e.title
    pages = len(pypdf.PdfReader(exported.pdf.path).pages)
    footer = _("Page {page} of {pages}")
    for number in (1, pages):
        assert _squash(footer.format(page=number, pages=pages)) in flat
    assert _squash(footer.format(page=pages + 1, pages=pages)) not in flat


def test_pdf_bookmarks_follow_the_sections(exported: Exported) -> None:
    reader = pypdf.PdfReader(exported.pdf.path)
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    ctx = _context(exported)
    expected = [ctx.headings[s.value] for s in Section] + [ctx.headings["integrity"]]
    assert top == expected
    nested = [item for item in reader.outline if isinstance(item, list)]
    assert any("杜专员" in child.title for group in nested for child in group
               if not isinstance(child, list))


def test_pdf_tables_repeat_their_header_row(exported: Exported) -> None:
    """The relations table runs over several pages: each page it continues on starts with its
    header row again."""
    ctx = _context(exported)
    assert ctx.chart is not None
    header = _squash("".join(ctx.chart.relations.columns))
    pages = [_squash(p.extract_text()) for p in pypdf.PdfReader(exported.pdf.path).pages]
    body = range(2, len(pages))  # after the cover and the table of contents
    first = next(i for i in body if _squash(ctx.headings["relations"]) in pages[i])
    last = next(i for i in body if _squash(ctx.headings["evidence"]) in pages[i]) - 1
    assert last > first
    for page in pages[first:last + 1]:
        assert header in page


def test_comparison_highlights_shared_passages(exported: Exported) -> None:
    ctx = _context(exported)
    assert ctx.analysis is not None and ctx.analysis.groups
    comparison = ctx.analysis.groups[0].comparison
    assert comparison is not None
    shared = [s.text for s in comparison.left.segments if s.shared]
    assert shared and sum(map(len, shared)) > 50
    # The shaded passages are drawn as filled rectangles behind the text in the PDF.
    reader = pypdf.PdfReader(exported.pdf.path)
    streams = b"".join(page.get_contents().get_data() for page in reader.pages)
    assert b"1 .878431 .541176 rg" in streams  # #ffe08a as an RGB fill


def test_docx_structure(exported: Exported) -> None:
    document = Document(str(exported.docx.path))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    ctx = _context(exported)
    assert headings == [ctx.headings["contents"]] + [ctx.headings[s.value] for s in Section] \
        + [ctx.headings["integrity"]]
    assert any(p.style.name == "Heading 2" and "杜专员" in p.text for p in document.paragraphs)
    for name in ("Normal", "Heading 1", "Heading 2"):
        fonts = document.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")), name
        assert fonts.get(qn("w:asciiTheme")) is None, name
    lang = document.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert lang.get(qn("w:eastAsia")) == "zh-CN"
    evidence_table = next(t for t in document.tables
                          if t.rows[0].cells[0].text == _("No."))
    header = evidence_table.rows[0]._tr
    assert header.trPr.find(qn("w:tblHeader")) is not None
    body = "\n".join(c.text for row in evidence_table.rows for c in row.cells)
    for e in ctx.evidence:
        assert e.sha256 in body and e.title in body
    # Runs name their East Asian font, or inherit it from a heading style checked above.
    runs = [r for p in document.paragraphs if not p.style.name.startswith("Heading")
            for r in p.runs if r.text.strip()]
    assert runs and all(r._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) for r in runs)
    footer_xml = document.sections[0].footer._element.xml
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml
    assert document.inline_shapes and document.inline_shapes[0].width > 0  # the link chart
    highlighted = [r for t in document.tables for row in t.rows for c in row.cells
                   for p in c.paragraphs for r in p.runs if r.font.highlight_color]
    assert highlighted


def test_docx_opens_in_libreoffice(exported: Exported, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(exported.docx.path)], check=True, capture_output=True, timeout=240)
    text = _squash(_pdftotext(tmp_path / "dossier.pdf"))
    for needle in ("临沂市聚德法务中心", "杜专员", "18508477852", "DEMO-0001"):
        assert needle in text
    for e in _context(exported).evidence:
        assert e.sha256 in text


def test_package_is_a_valid_bag(exported: Exported, tmp_path: Path) -> None:
    with zipfile.ZipFile(exported.package.path) as zf:
        zf.extractall(tmp_path)
    root = tmp_path / exported.package.bag_name
    bag = bagit.Bag(str(root))
    bag.validate()  # raises on any problem, checksums included
    assert bag.info["External-Identifier"] == "DEMO-0001"
    assert bag.info["Source-Organization"] == "演示银行 消费者权益保护部"
    for key in ("Contact-Name", "Bagging-Date", "Payload-Oxum"):
        assert bag.info.get(key)
    if shutil.which("sha256sum"):
        for manifest in ("manifest-sha256.txt", "tagmanifest-sha256.txt"):
            subprocess.run(["sha256sum", "-c", "--quiet", manifest], cwd=root, check=True)
    names = set(bag.payload_entries())
    assert {"data/case/complaints.csv", "data/case/parties.json", "data/case/links.json",
            "data/case/entities.ftm.json", "data/case/custody_log.csv"} <= names
    assert sum(1 for n in names if n.startswith("data/dossier/")) == 2


def test_evidence_list_hashes_equal_the_manifest(exported: Exported) -> None:
    manifest = {}
    for line in exported.member("manifest-sha256.txt").decode().splitlines():
        sha, path = line.split("  ", 1)
        manifest[path] = sha
    ctx = _context(exported)
    included = [e for e in ctx.evidence if e.included]
    # the imported complaint export (one file) stays out when redacted
    assert len(included) == len(ctx.evidence) - 1
    for e in included:
        assert manifest[e.package_path] == e.sha256
    left_out = [e for e in ctx.evidence if not e.included]
    assert len(left_out) == 1 and "complaints_small" in left_out[0].title
    full = _context(exported, redact=False)
    assert all(e.included for e in full.evidence)
    full_manifest = exported.member("manifest-sha256.txt", exported.unredacted).decode()
    for e in full.evidence:
        assert f"{e.sha256}  {e.package_path}" in full_manifest


def test_complaints_csv_opens_in_excel_encoding(exported: Exported) -> None:
    data = exported.member("data/case/complaints.csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) - 1 == exported.package.complaints == 296
    assert rows[0][0] == _("Complaint number")


def _complainant_numbers(exported: Exported) -> tuple[set[str], set[str]]:
    """Complainants' own ID numbers and phones: every customer's, less the phones that are
    an agent's (shared across customers) or a suspect's."""
    with exported.app.db.read() as s:
        rows = s.query(Complaint.customer_id_number, Complaint.customer_phone).all()
    report = exported.app.analysis.latest(exported.case_number)
    agents = {x.value for x in report.shared_identifiers}
    agents |= {i.value for p in exported.app.parties.list(exported.case_number)
               if p.role != "complainant" for i in p.identifiers}
    ids = {i for i, _p in rows if i} | {"11010519491231002X"}
    phones = {p[3:] for _i, p in rows if p and p not in agents} | {"13900001111"}
    return ids, phones


def test_redaction_leaves_no_complainant_number(exported: Exported) -> None:
    ids, phones = _complainant_numbers(exported)
    assert len(ids) > 100 and len(phones) > 100
    redacted = {
        "pdf": _squash(_pdftotext(exported.pdf.path)),
        "docx": "".join(zipfile.ZipFile(exported.docx.path).read(n).decode("utf-8")
                        for n in _member_names(exported.docx.path) if n.endswith(".xml")),
        "csv": exported.member("data/case/complaints.csv").decode("utf-8-sig"),
        "json": exported.member("data/case/identifiers.json").decode()
        + exported.member("data/case/parties.json").decode(),
    }
    for where, text in redacted.items():
        leaked = [v for v in ids | phones if v in text]
        assert not leaked, (where, leaked[:5])
    assert "110105********002X" in redacted["pdf"] and "139****1111" in redacted["pdf"]
    assert "18508477852" in redacted["pdf"]  # a suspect's phone stays in full
    full_csv = exported.member("data/case/complaints.csv", exported.unredacted).decode()
    assert sum(1 for v in ids if v in full_csv) == len(ids) - 1  # all but the party's


def test_export_is_recorded(exported: Exported) -> None:
    app = exported.app
    entries = [e for e in app.audit.entries(exported.case_number)
               if e.action.startswith("export.")]
    assert [e.action for e in entries] == ["export.package", "export.package", "export.pdf",
                                           "export.docx"]
    assert exported.package.sha256 in entries[0].summary
    with app.db.read() as s:
        exported_events = s.query(CustodyEvent).filter(CustodyEvent.action == "exported").all()
    files = len(app.evidence.list(exported.case_number))
    # the redacted package holds every file but the imported complaint export; the full one all
    assert len(exported_events) == (files - 1) + files
    assert all(exported.package.sha256 in e.note or exported.unredacted.sha256 in e.note
               for e in exported_events)
    assert app.audit.verify(exported.case_number).ok
    assert not [p for p in exported.out.iterdir() if p.name.endswith(".partial")]


def _rewrite(src: Path, dst: Path, *, drop: str | None = None, add: tuple[str, bytes] | None
             = None, change: str | None = None) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if drop and info.filename.endswith(drop):
                continue
            if change and info.filename.endswith(change):
                data = bytes([data[0] ^ 0x01]) + data[1:]
            zout.writestr(info, data)
        if add:
            zout.writestr(add[0], add[1])


def _verify(exported: Exported, path: Path, capsys: pytest.CaptureFixture[str]
            ) -> tuple[int, str]:
    code = cli(["--workspace", str(exported.out / "ws-verify"), "verify", str(path)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_verify_names_missing_extra_and_altered_files(exported: Exported, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    package = exported.package.path
    bag = exported.package.bag_name
    code, text = _verify(exported, package, capsys)
    assert code == 0, text
    evidence = "data/evidence/002_transcript.txt"

    missing = tmp_path / "missing.zip"
    _rewrite(package, missing, drop=evidence)
    code, text = _verify(exported, missing, capsys)
    assert code == 5 and evidence in text and "missing" in text

    extra = tmp_path / "extra.zip"
    _rewrite(package, extra, add=(f"{bag}/data/evidence/999_planted.txt", b"planted"))
    code, text = _verify(exported, extra, capsys)
    assert code == 5 and "data/evidence/999_planted.txt" in text and "extra" in text

    altered = tmp_path / "altered.zip"
    _rewrite(package, altered, change=evidence)
    code, text = _verify(exported, altered, capsys)
    assert code == 5 and evidence in text and "altered" in text
    assert text.count("data/") == 1 + text.count("Payload-Oxum")  # only that file is named

    # One byte flipped inside the ZIP itself, its CRC left as it was.
    flipped = tmp_path / "flipped.zip"
    raw = bytearray(package.read_bytes())
    with zipfile.ZipFile(package) as zf:
        info = zf.getinfo(f"{bag}/{evidence}")
    name_len = int.from_bytes(raw[info.header_offset + 26:info.header_offset + 28], "little")
    extra_len = int.from_bytes(raw[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    raw[start + 5] ^= 0xFF
    flipped.write_bytes(bytes(raw))
    code, text = _verify(exported, flipped, capsys)
    assert code == 5 and evidence in text

    code, text = _verify(exported, tmp_path / "nothing.zip", capsys)
    assert code == 2 and "nothing.zip" in text
