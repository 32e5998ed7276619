"""Fuzz targets shared by the hypothesis tests, the atheris harness and ``run_long.py``.

Each target takes bytes or text and either returns (a count of what it read) or raises a
:class:`~caseapp.domain.errors.CaseappError` with a message a person can act on; it checks the
result's invariants on the way. Any other exception, or a failed invariant, is a bug.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from caseapp.domain.enums import IdentifierType
from caseapp.domain.errors import CaseappError
from caseapp.identifiers import extract_identifiers, guess_identifier, parse_identifier
from caseapp.identifiers.model import ParsedIdentifier
from caseapp.importers import ImportFileError, open_complaint_file

MAX_FIELD_CHARS = 256
# Identifier types whose normalised value, parsed again, must give itself back.
IDEMPOTENT_TYPES = tuple(IdentifierType)


class Scratch:
    """One temporary folder per process; each input is written to the same file names."""

    _dir: Path | None = None

    @classmethod
    def path(cls, name: str) -> Path:
        if cls._dir is None:
            cls._dir = Path(tempfile.mkdtemp(prefix="caseapp-fuzz-"))
        return cls._dir / name


def check_import_error(exc: ImportFileError, path: Path) -> None:
    message = str(exc)
    assert message.startswith(path.name), message
    assert "\n" not in message.strip() or len(message) < 5000, message[:200]
    for problem in exc.problems:
        assert problem.message


def read_complaint_file(path: Path) -> int:
    """Open ``path`` as a complaint export and read every record; the records read."""
    try:
        file = open_complaint_file(path, max_field_chars=MAX_FIELD_CHARS)
    except ImportFileError as exc:
        check_import_error(exc, path)
        return 0
    assert file.info.sha256 and len(file.info.sha256) == 64
    count = 0
    last_line = 0
    try:
        file.preview(3)
        for record in file.records():
            assert record.line > last_line, (record.line, last_line)
            last_line = record.line
            if record.row is not None:
                row = record.row
                assert row.external_number and row.external_number == row.external_number.strip()
                assert row.line == record.line and len(row.content_sha256) == 64
                assert "\r" not in row.text
                for mention in row.mentions:
                    assert isinstance(mention.identifier, ParsedIdentifier)
                    if mention.start is not None:
                        # The span indexes the cell as read (the raw value where one is kept).
                        source = getattr(row, mention.field + "_raw", None)
                        if source is None:
                            source = getattr(row, mention.field)
                        assert source[mention.start:mention.end] == mention.raw, mention
            elif record.duplicate_of is not None:
                assert record.duplicate_of < record.line
            else:
                assert record.problems, record
                for problem in record.problems:
                    assert problem.line == record.line and problem.message
            count += 1
    except ImportFileError as exc:
        check_import_error(exc, path)
    return count


def read_complaint_bytes(data: bytes, suffix: str = ".csv") -> int:
    path = Scratch.path(f"fuzz{suffix}")
    path.write_bytes(data)
    return read_complaint_file(path)


def xlsx_from_entries(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# The parts of a minimal .xlsx; the fuzzer's bytes become one of the XML parts.
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    b'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SHARED_STRINGS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" '
    'uniqueCount="4"><si><t>投诉编号</t></si><si><t>投诉内容</t></si><si><t>A1</t></si>'
    '<si><t>停息挂账，联系微信 jude_du888</t></si></sst>'
).encode()
SHEET = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    b'<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>'
    b'<row r="3"><c r="A3"><v>45123.5</v></c><c r="B3" t="inlineStr"><is><t>13812345678</t>'
    b'</is></c></row></sheetData></worksheet>'
)


def workbook(sheet: bytes = SHEET, shared: bytes = SHARED_STRINGS) -> bytes:
    return xlsx_from_entries({
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": shared,
    })


def seed_corpus(target: str, directory: Path, *, samples: Path | None = None) -> int:
    """Write starting inputs for an atheris target into ``directory``; how many."""
    directory.mkdir(parents=True, exist_ok=True)
    seeds: dict[str, bytes] = {}
    if target == "csv":
        demo = Path(__file__).resolve().parents[2] / "resources" / "demo" / "complaints_demo.csv"
        seeds["demo.csv"] = demo.read_bytes()[:4096]
        header = "投诉编号,受理日期,证件号码,联系电话,代理人电话,投诉内容,涉及金额(元)\n"
        row = 'T1,2025/3/4,440304199808192346,13812345678,"185 0847 7852","停息挂账,""代理""",1.5\n'
        for encoding in ("utf-8-sig", "gb18030", "utf-16"):
            seeds[f"small-{encoding}.csv"] = (header + row).encode(encoding)
        if samples is not None and samples.is_dir():
            for path in sorted(samples.glob("broken_*.csv")):
                with path.open("rb") as handle:
                    seeds[path.name] = handle.read(4096)
    elif target == "xlsx":
        seeds["sheet"] = b"\x02" + SHEET
        seeds["shared"] = b"\x00" + SHARED_STRINGS
        seeds["whole"] = b"\x01" + workbook()
    elif target == "identifiers":
        texts = ["代理人电话 185 0847 7852（微信同号）", "身份证：110101199003078515",
                 "信用代码91350100M000100Y43 执业证号91110101MAGY87PN75",
                 "卡号 6222 0212 3456 7890 128", "QQ:12345678 wxid_abcd1234",
                 "http://www.example.com/a?b=1 a@qq.com 抖音号：jude_888"]
        for i, text in enumerate(texts):
            seeds[f"text-{i}"] = text.encode()
    elif target == "package":
        seeds.update(package_seeds())
    for name, data in seeds.items():
        (directory / name).write_bytes(data)
    return len(seeds)


def make_bag(payload: dict[str, bytes], *, root: str = "bag",
             compression: int = zipfile.ZIP_DEFLATED, bag_info: str | None = None) -> bytes:
    """A BagIt bag in a ZIP as an export writes one: payload under ``data/``, SHA-256
    manifests of the payload and of the tag files, bag-info.txt with the Payload-Oxum."""
    import hashlib

    files = {f"data/{name}": data for name, data in payload.items()}
    oxum = f"{sum(len(d) for d in files.values())}.{len(files)}"
    tags = {
        "bagit.txt": b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
        "bag-info.txt": (bag_info if bag_info is not None else
                         f"Source-Organization: caseapp\nPayload-Oxum: {oxum}\n").encode(),
        "manifest-sha256.txt": "".join(
            f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in sorted(files.items())
        ).encode(),
    }
    tags["tagmanifest-sha256.txt"] = "".join(
        f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in sorted(tags.items())).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in {**tags, **files}.items():
            archive.writestr(f"{root}/{name}" if root else name, data)
    return buffer.getvalue()


def has_package_verifier() -> bool:
    try:
        import caseapp.export.verify  # noqa: F401
    except ImportError:
        return False
    return True


def package_seeds() -> dict[str, bytes]:
    """Starting packages for the verifier (empty until caseapp.export is there)."""
    if not has_package_verifier():
        return {}
    payload = {"卷宗.txt": "证据材料\n".encode(),
               "evidence/001_截图 1.png": b"\x89PNG" + b"\x00" * 64,
               "complaints.csv": "投诉编号,投诉内容\nA1,停息挂账\n".encode("utf-8-sig")}
    return {
        "deflated.zip": make_bag(payload),
        "stored.zip": make_bag(payload, compression=zipfile.ZIP_STORED),
        "flat.zip": make_bag({"a.txt": b"a"}, root=""),
    }


def verify_package_bytes(data: bytes) -> int:
    """Verify ``data`` as an evidence package; the files it checked."""
    from caseapp.export.verify import verify_package

    path = Scratch.path("fuzz-package.zip")
    path.write_bytes(data)
    try:
        result = verify_package(path)
    except CaseappError as exc:
        assert str(exc)
        return 0
    assert result.ok == (not result.problems)
    assert result.files_checked >= 0 and result.bytes_checked >= 0
    for problem in result.problems:
        assert problem.message and isinstance(problem.path, str)
    return result.files_checked


def check_parsed(kind: IdentifierType, raw: str, parsed: ParsedIdentifier) -> None:
    assert isinstance(parsed, ParsedIdentifier)
    assert parsed.type == kind and parsed.raw == raw
    assert parsed.valid == (not parsed.problems)
    assert isinstance(parsed.value, str)
    hash(parsed)


def parse_everything(text: str) -> int:
    """Every parser, the guesser and the extractor over ``text``; the identifiers seen."""
    seen = 0
    for kind in IdentifierType:
        parsed = parse_identifier(kind, text)
        check_parsed(kind, text, parsed)
        if parsed.valid and kind in IDEMPOTENT_TYPES:
            again = parse_identifier(kind, parsed.value)
            assert again.valid and again.value == parsed.value, (kind, text, parsed, again)
        seen += parsed.valid
    guessed = guess_identifier(text)
    if guessed is not None:
        check_parsed(guessed.type, text, guessed)
    last_end = 0
    for found in extract_identifiers(text):
        assert last_end <= found.start < found.end <= len(text), found
        assert text[found.start:found.end] == found.raw
        if found.valid:
            again = parse_identifier(found.type, found.value)
            assert again.valid and again.value == found.value, (found, again)
        last_end = found.end
        seen += 1
    return seen


def expected_error(exc: BaseException) -> bool:
    return isinstance(exc, CaseappError)
