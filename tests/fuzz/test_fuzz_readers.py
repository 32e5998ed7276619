"""Property-based fuzzing of the complaint reader (CSV and XLSX): whatever the file holds, the
reader gives records or a clear ImportFileError naming the file, and what a well-formed export
holds comes back unchanged.

The example counts here are the short CI run; ``tests/fuzz/run_long.py`` runs the same
properties for as long as it is given (``FUZZ_EXAMPLES`` raises the counts too).
"""

from __future__ import annotations

import csv
import io
import os
import random
from datetime import date, datetime

import pytest
from fuzz_targets import Scratch, read_complaint_bytes, xlsx_from_entries
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from caseapp.importers import open_complaint_file
from caseapp.importers.mapping import FIELD_HEADERS_ZH
from caseapp.importers.normalize import excel_cell_text

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "120"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))

# Cell contents that matter to the reader and to the normalisers.
CELL_PIECES = st.sampled_from([
    "", " ", ",", ";", "\t", '"', '""', "\n", "\r\n", "\r", "中文", "本人", "停息挂账", "，",
    "13812345678", "+86 138 1234 5678", "440304199808192346", "44030419980819234X",
    "1.10105E+17", "'110101199003078515", "91350100M000100Y43", "2025/3/4", "2025-03-04 10:00",
    "2025年3月4日", "45123", "1,234.50", "¥8000", "8千元", "-", "NULL", "=SUM(A1)", "\u200b",
    "\ufeff", "\x00", "a" * 300, "é", "😀", "𠮷",
])
cells = st.one_of(st.text(max_size=20), st.lists(CELL_PIECES, max_size=6).map("".join))
HEADERS = list(FIELD_HEADERS_ZH.values())
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16"]


@st.composite
def csv_exports(draw: st.DrawFn) -> bytes:
    """A plausible export: a header of known and unknown columns, ragged rows, any encoding,
    line ends and delimiters, sometimes cut off at the end."""
    columns = draw(st.lists(st.one_of(st.sampled_from(HEADERS), st.text(max_size=6)),
                            min_size=1, max_size=8))
    rows = draw(st.lists(st.lists(cells, max_size=len(columns) + 2), max_size=12))
    delimiter = draw(st.sampled_from([",", ",", "\t", ";"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter,
                        lineterminator=draw(st.sampled_from(["\r\n", "\n", "\r"])),
                        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])))
    writer.writerow(columns)
    writer.writerows(rows)
    text = buffer.getvalue()
    data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return data


@FUZZ
@given(csv_exports())
def test_any_csv_export_gives_records_or_a_clear_error(data: bytes) -> None:
    read_complaint_bytes(data, ".csv")


@FUZZ
@given(st.binary(max_size=600))
@example(b"\xff\xfe" + "投诉编号,投诉内容\n1,x".encode("utf-16-le") + b"\x00")
@example(b'\xef\xbb\xbf"' * 50)
@example(b"PK\x03\x04" + b"\x00" * 60)
@example(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 60)
def test_arbitrary_bytes_give_records_or_a_clear_error(data: bytes) -> None:
    read_complaint_bytes(data, ".csv")


# --- what a clean export holds comes back unchanged ---------------------------------------

clean_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"),
                  blacklist_characters="\ufeff\x85") | st.sampled_from(["\n", "，", "中"]),
    min_size=1, max_size=60).filter(lambda t: t.strip())


@FUZZ
@given(texts=st.lists(clean_text, min_size=1, max_size=10),
       encoding=st.sampled_from(ENCODINGS), delimiter=st.sampled_from([",", "\t", ";"]),
       line_end=st.sampled_from(["\r\n", "\n"]))
def test_a_clean_export_round_trips(texts: list[str], encoding: str, delimiter: str,
                                    line_end: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end)
    writer.writerow(["投诉编号", "投诉内容", "联系电话"])
    for index, text in enumerate(texts, start=1):
        writer.writerow([f"TS-{index:04d}", text, "138 1234 5678"])
    path = Scratch.path("clean.csv")
    path.write_bytes(buffer.getvalue().encode(encoding, errors="strict")
                     if _encodable(buffer.getvalue(), encoding) else b"")
    if not path.stat().st_size:
        return
    rows = [r.row for r in open_complaint_file(path).records()]
    assert [r.external_number for r in rows if r] == [f"TS-{i:04d}"
                                                     for i in range(1, len(texts) + 1)]
    for row, text in zip(rows, texts, strict=True):
        assert row is not None
        assert row.text == text.replace("\r\n", "\n").replace("\r", "\n").strip()
        assert row.customer_phone == "+8613812345678"


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


# --- workbooks ------------------------------------------------------------------------------

xlsx_values = st.one_of(
    # openpyxl stores a string starting with "=" as a formula (read back as its cached value).
    cells.map(lambda t: "".join(c for c in t if c >= " " or c in "\t\n").lstrip("=")),
    st.integers(-10**15, 10**15),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(),
    st.none(),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 1, 1)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),
)


def _workbook(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@FUZZ
@given(rows=st.lists(st.lists(xlsx_values, min_size=1, max_size=5), max_size=8),
       numbers=st.lists(st.integers(1, 10**9), min_size=8, max_size=8, unique=True))
def test_any_workbook_gives_records_or_a_clear_error(rows: list[list[object]],
                                                     numbers: list[int]) -> None:
    pytest.importorskip("openpyxl")
    body = [[f"C{numbers[i]}", *row] for i, row in enumerate(rows)]
    data = _workbook([["投诉编号", "投诉内容", "涉及金额(元)", "受理日期", "联系电话"], *body])
    read_complaint_bytes(data, ".xlsx")
    path = Scratch.path("fuzz.xlsx")
    try:
        found = {r.row.external_number: r.row for r in open_complaint_file(path).records()
                 if r.row is not None}
    except Exception:
        return  # read_complaint_bytes has checked that this is a clear ImportFileError
    for i, row in enumerate(rows):
        number = f"C{numbers[i]}"
        text = excel_cell_text(row[0]).strip()
        if number in found and text and isinstance(row[0], str):  # text cells come back as is
            assert found[number].text == text.replace("\r\n", "\n").replace("\r", "\n")


@FUZZ
@given(seed=st.integers(0, 2**32 - 1), cuts=st.integers(1, 8))
def test_damaged_workbooks_give_a_clear_error(seed: int, cuts: int) -> None:
    """A real .xlsx with bytes flipped, cut or its parts shuffled."""
    pytest.importorskip("openpyxl")
    rng = random.Random(seed)
    data = bytearray(_workbook([["投诉编号", "投诉内容"], ["A1", "停息挂账"], ["A2", "代理维权"]]))
    mode = rng.randrange(4)
    if mode == 0:
        for _ in range(cuts):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif mode == 1:
        data = data[: rng.randrange(len(data))]
    elif mode == 2:  # the same parts, one of them replaced by garbage
        import zipfile

        with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
            entries = {n: archive.read(n) for n in archive.namelist()}
        victim = rng.choice(sorted(entries))
        entries[victim] = rng.randbytes(rng.randrange(200))
        data = bytearray(xlsx_from_entries(entries))
    else:  # XML with a hostile or broken sheet
        import zipfile

        with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
            entries = {n: archive.read(n) for n in archive.namelist()}
        sheet = "xl/worksheets/sheet1.xml"
        entries[sheet] = entries[sheet].replace(b"<sheetData>", b"<sheetData>" + rng.choice([
            b'<row r="999999999"><c r="XFD999999999" t="s"><v>99999</v></c></row>',
            b'<row r="0"><c r="A0"><v>1e999</v></c></row>',
            b'<row><c t="inlineStr"><is><t>' + "中".encode() * 5000 + b"</t></is></c></row>",
            b"<row><c><v>",
        ]))
        data = bytearray(xlsx_from_entries(entries))
    read_complaint_bytes(bytes(data), ".xlsx")


@pytest.mark.parametrize("ending", [b"\r3", b"\rx", b"\r\n"])
def test_a_carriage_return_near_the_end_of_a_badly_encoded_file(ending: bytes) -> None:
    """Regression (found by atheris): in a file with undecodable bytes, a CR one byte before
    the end of the last line was left inside the record, and csv refused the whole file with
    "new-line character seen in unquoted field"; it ends the record, as in valid text."""
    data = "投诉编号,投诉内容\nA1,停息".encode() + b"\xff" + "挂账\nA2,第二条".encode() + ending
    path = Scratch.path("cr.csv")
    path.write_bytes(data)
    records = list(open_complaint_file(path).records())
    assert records[0].problems and records[0].problems[0].code == "encoding"
    assert records[1].row is not None and records[1].row.text == "第二条"
    assert len(records) == (2 if ending == b"\r\n" else 3)
    assert [r.line for r in records] == [2, 3, 4][: len(records)]
