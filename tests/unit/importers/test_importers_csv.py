"""CSV reading on small hand-made files: encodings, layout, defects, streaming behaviour."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from caseapp.domain.errors import Cancelled, InvalidInputError
from caseapp.domain.progress import CancelToken
from caseapp.importers import (
    ROW_NUMBER,
    ColumnMapping,
    ImportFileError,
    ParsedRecord,
    open_complaint_file,
)

HEADER = "投诉编号,受理日期,客户姓名,证件号码,联系电话,投诉内容,涉及金额(元)"
ID = "440304199808192346"


def row(number: str, text: str = "内容", *, date: str = "2025-03-04", extra: str = "") -> str:
    return f"{number},{date},张三,{ID},13812345678,{text},100{extra}"


def write(tmp_path: Path, lines: list[str], *, encoding: str = "utf-8", end: str = "\n",
          name: str = "c.csv") -> Path:
    path = tmp_path / name
    path.write_bytes((end.join(lines) + end).encode(encoding))
    return path


def read(path: Path, **kwargs: object) -> list[ParsedRecord]:
    return list(open_complaint_file(path, **kwargs).records())  # type: ignore[arg-type]


def problems(records: list[ParsedRecord]) -> list[tuple[int | None, str]]:
    return [(p.line, p.code) for r in records for p in r.problems]


# ------------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("encoding", "reported"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"),
     ("utf-16", "utf-16")],
)
def test_encodings_are_detected(tmp_path: Path, encoding: str, reported: str) -> None:
    path = write(tmp_path, [HEADER, row("A1", "您好，世界"), row("A2")], encoding=encoding)
    file = open_complaint_file(path)
    assert file.info.encoding == reported
    assert file.info.header[0] == "投诉编号"
    records = list(file.records())
    assert [r.row.text for r in records if r.row] == ["您好，世界", "内容"]


def test_utf8_broken_after_the_first_megabyte_is_reported_per_record(tmp_path: Path) -> None:
    lines = [HEADER] + [row(f"A{i}", "正常的投诉内容" * 10) for i in range(6000)]
    body = ("\n".join(lines) + "\n").encode("utf-8")
    assert len(body) > 1 << 20
    bad_line = 6002
    body += row("BAD", "另一种编码").encode("gb18030") + b"\n" + row("LAST").encode() + b"\n"
    path = tmp_path / "late.csv"
    path.write_bytes(body)
    file = open_complaint_file(path)
    assert file.info.encoding == "utf-8"  # most lines are UTF-8: the rest is reported
    records = list(file.records())
    assert problems(records) == [(bad_line, "encoding")]
    assert "not valid UTF-8" in records[-2].problems[0].message
    assert records[-1].row is not None and records[-1].line == bad_line + 1


def test_mixed_encoding_file_cut_inside_a_quote(tmp_path: Path) -> None:
    body = (HEADER + "\n" + row("A1", "中文") + "\n").encode()
    body += (row("A2", "中文") + "\n").encode("gb18030")
    body += (row("A3", '"引号里的内容') + "\n").encode()
    path = tmp_path / "mixed.csv"
    path.write_bytes(body)
    records = read(path)
    assert problems(records) == [(3, "encoding"), (4, "truncated")]


def test_mostly_gb18030_file_is_gb18030(tmp_path: Path) -> None:
    lines = [HEADER] + [row(f"A{i}", "投诉内容较长一些") for i in range(50)]
    path = write(tmp_path, lines, encoding="gb18030")
    file = open_complaint_file(path)
    assert file.info.encoding == "gb18030"
    assert not problems(list(file.records()))


def test_explicit_encoding_is_honoured(tmp_path: Path) -> None:
    path = write(tmp_path, [HEADER, row("A1", "中文")], encoding="gb18030")
    with pytest.raises(ImportFileError, match="required columns are missing"):
        open_complaint_file(path, encoding="latin-1")  # mojibake header: nothing matches
    records = read(path, encoding="GB18030")
    assert records[0].row is not None and records[0].row.text == "中文"
    with pytest.raises(ImportFileError, match="not a known text encoding"):
        open_complaint_file(path, encoding="no-such-codec")
    utf8 = write(tmp_path, [HEADER, row("A1")], encoding="utf-8-sig", name="bom.csv")
    assert open_complaint_file(utf8, encoding="utf-8").info.encoding == "utf-8-sig"


def test_explicit_utf8_on_gb18030_reports_every_record(tmp_path: Path) -> None:
    ascii_row = f"A2,2025-03-04,Zhang,{ID},13812345678,abc,100"
    path = write(tmp_path, [HEADER, row("A1", "中文"), ascii_row, row("A3", "中文")],
                 encoding="gb18030")
    path.write_bytes(HEADER.encode() + b"\n" + path.read_bytes().split(b"\n", 1)[1])
    records = read(path, encoding="utf-8")
    assert problems(records) == [(2, "encoding"), (4, "encoding")]
    assert records[1].row is not None


def test_invalid_utf16_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "u16.csv"
    path.write_bytes(b"\xff\xfe" + HEADER.encode("utf-16-le") + b"\x00\xd8\n\x00")
    with pytest.raises(ImportFileError, match="not valid UTF-16"):
        open_complaint_file(path)


# ---------------------------------------------------------------------------------- layout


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_delimiters(tmp_path: Path, delimiter: str) -> None:
    lines = [line.replace(",", delimiter) for line in (HEADER, row("A1", "TEXT"), row("A2"))]
    lines[1] = lines[1].replace("TEXT", '"a,b;c"')
    file = open_complaint_file(write(tmp_path, lines))
    assert file.info.delimiter == delimiter
    assert [r.row.text for r in file.records() if r.row] == ["a,b;c", "内容"]


def test_quoted_newlines_crlf_and_blank_rows_keep_physical_lines(tmp_path: Path) -> None:
    lines = [
        HEADER + ",,",
        row("A1", '"第一段\n第二段\n第三段"', extra=",,"),  # lines 2-4
        ",,,,,,,,",  # line 5: an Excel blank row
        "",  # line 6: an empty line
        row("A2", '"x\r\ny"', extra=",,"),  # lines 7-8
        "   ,  ,,,,,,,",  # line 9: blanks only
        row("A3", extra=",,"),  # line 10
    ]
    path = write(tmp_path, lines, end="\r\n")
    records = read(path)
    assert [(r.line, r.row.external_number) for r in records if r.row] == [
        (2, "A1"), (7, "A2"), (10, "A3")
    ]
    assert records[0].row is not None and records[0].row.text == "第一段\n第二段\n第三段"
    assert records[1].row is not None and records[1].row.text == "x\ny"
    assert len(records) == 3


def test_bare_carriage_returns_end_lines(tmp_path: Path) -> None:
    path = write(tmp_path, [HEADER, row("A1"), row("A2")], end="\r")
    assert [r.line for r in read(path)] == [2, 3]


def test_file_without_final_line_end(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(f"{HEADER}\n{row('A1')}\n{row('A2')}", encoding="utf-8")
    records = read(path)
    assert not problems(records) and len(records) == 2


def test_extra_and_missing_fields(tmp_path: Path) -> None:
    lines = [
        HEADER,
        row("A1", extra=",,"),  # trailing empty cells: fine
        row("A2", extra=",备注"),  # a value beyond the header
        "A3,2025-03-04,张三",  # too few
        row("A4"),
    ]
    records = read(write(tmp_path, lines))
    assert problems(records) == [(3, "too_many_fields"), (4, "too_few_fields")]
    assert "line 3: the record has 8 fields but the header has 7" in records[1].problems[0].message
    assert [r.line for r in records if r.row] == [2, 5]


def test_unknown_columns_are_kept_as_extras(tmp_path: Path) -> None:
    lines = [HEADER + ",备注,,", row("A1", extra=",VIP客户,,"), row("A2", extra=",,,")]
    file = open_complaint_file(write(tmp_path, lines))
    assert file.info.unknown_columns == ("备注",)
    rows = [r.row for r in file.records() if r.row]
    assert rows[0].extra == {"备注": "VIP客户"}
    assert rows[1].extra == {}
    assert rows[0].content_sha256 != rows[1].content_sha256


def test_truncated_inside_a_quote(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    cut = row("A2", '"开头\n还没完')
    path.write_text(f"{HEADER}\n{row('A1')}\n{cut}\n", encoding="utf-8")
    records = read(path)
    assert problems(records) == [(3, "truncated")]
    assert "quoted field is never closed" in records[-1].problems[0].message


def test_stray_quote_in_an_unquoted_field_is_not_a_truncation(tmp_path: Path) -> None:
    path = write(tmp_path, [HEADER, row("A1", 'he said "hi'), row("A2")])
    records = read(path)
    assert not problems(records)
    assert records[0].row is not None and records[0].row.text == 'he said "hi'


def test_nul_bytes_and_field_size(tmp_path: Path) -> None:
    lines = [HEADER, row("A1", "a\x00b"), row("A2", "x" * 50), row("A3")]
    records = read(write(tmp_path, lines), max_field_chars=40)
    assert [(p.line, p.column, p.code) for r in records for p in r.problems] == [
        (2, "投诉内容", "nul_byte"), (3, "投诉内容", "field_too_large")
    ]
    assert "50 characters" in records[1].problems[0].message


def test_missing_external_number_is_a_problem(tmp_path: Path) -> None:
    records = read(write(tmp_path, [HEADER, row(""), row("A2")]))
    assert problems(records) == [(2, "missing_value")]
    assert "投诉编号" in records[0].problems[0].message


def test_duplicates(tmp_path: Path) -> None:
    lines = [HEADER, row("A1"), row("A2"), row("A1"), row("A1", "改过"), row("A1", date="45720")]
    records = read(write(tmp_path, lines))
    assert [(r.line, r.duplicate_of, r.row is not None) for r in records] == [
        (2, None, True), (3, None, True), (4, 2, False), (5, None, False), (6, 2, False)
    ]
    assert records[3].problems[0].related_line == 2
    assert "A1 appears again with different contents (first at line 2)" in (
        records[3].problems[0].message
    )


def test_flags_for_unreadable_values(tmp_path: Path) -> None:
    line = "A1,明天,张三,1.10105E+17,不详,,一百元"
    (record,) = read(write(tmp_path, [HEADER, line]))
    assert record.row is not None
    assert set(record.row.flags) >= {
        "date_unparsed", "amount_unparsed", "id_number_unrecoverable", "phone_invalid",
        "text_empty",
    }
    assert record.row.received_at is None and record.row.received_at_raw == "明天"
    assert record.row.amount is None and record.row.amount_raw == "一百元"


# -------------------------------------------------------------------------- file refusals


def test_file_refusals(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ImportFileError, match=r"empty\.csv: the file is empty"):
        open_complaint_file(empty)
    with pytest.raises(ImportFileError, match="does not exist"):
        open_complaint_file(tmp_path / "missing.csv")
    only_header = write(tmp_path, [HEADER, ",,,,,,", ""], name="header.csv")
    with pytest.raises(ImportFileError, match="no data rows"):
        open_complaint_file(only_header)
    no_text = write(tmp_path, ["投诉编号,客户姓名", "A1,张三"], name="notext.csv")
    with pytest.raises(ImportFileError, match=r"complaint text \(投诉内容\)") as caught:
        open_complaint_file(no_text)
    assert caught.value.problems[0].code == "missing_column"
    assert isinstance(caught.value, InvalidInputError)


def test_headerless_file_detection_and_positional_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, [row("A1"), row("A2")])
    with pytest.raises(ImportFileError, match="line 1 is a data record") as caught:
        open_complaint_file(path)
    assert caught.value.header[0] == "A1"
    mapping = ColumnMapping(fields={"external_number": 0, "text": 5, "customer_phone": 4},
                            has_header=False)
    file = open_complaint_file(path, mapping=mapping)
    records = list(file.records())
    assert [(r.line, r.row.external_number) for r in records if r.row] == [(1, "A1"), (2, "A2")]
    assert records[0].row is not None and records[0].row.extra["#2"] == "2025-03-04"
    assert file.preview(1) == [row("A1").split(",")]
    named = ColumnMapping(fields={"external_number": "投诉编号", "text": 5}, has_header=False)
    with pytest.raises(ImportFileError, match="only be mapped by column number"):
        open_complaint_file(path, mapping=named)


def test_mapping_names_must_exist(tmp_path: Path) -> None:
    path = write(tmp_path, [HEADER, row("A1")])
    mapping = ColumnMapping(fields={"external_number": "工单号", "text": "投诉内容"})
    with pytest.raises(ImportFileError, match="not in the header") as caught:
        open_complaint_file(path, mapping=mapping)
    assert caught.value.problems[0].code == "column_not_found"


def test_row_number_pseudo_column(tmp_path: Path) -> None:
    path = write(tmp_path, ["内容,产品", "第一条,信用卡", ",,", "第二条,贷款"])
    mapping = ColumnMapping(fields={"external_number": ROW_NUMBER, "text": "内容"})
    records = read(path, mapping=mapping)
    assert [(r.line, r.row.external_number, r.row.extra) for r in records if r.row] == [
        (2, "1", {"产品": "信用卡"}), (4, "2", {"产品": "贷款"})
    ]


def test_workbook_magic_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip file")
    with pytest.raises(ImportFileError, match="workbook cannot be read"):
        open_complaint_file(path)


# ---------------------------------------------------------------------------- streaming


class Progress:
    def __init__(self) -> None:
        self.calls: list[tuple[int, int | None, str]] = []

    def report(self, done: int, total: int | None, label: str = "") -> None:
        self.calls.append((done, total, label))


def test_progress_preview_and_restreaming(tmp_path: Path) -> None:
    path = write(tmp_path, [HEADER] + [row(f"A{i}") for i in range(1200)])
    file = open_complaint_file(path)
    assert file.preview(2) == [row("A0").split(","), row("A1").split(",")]
    assert file.preview(0) == []
    progress = Progress()
    first = list(file.records(progress=progress))
    size = path.stat().st_size
    assert len(first) == 1200
    assert progress.calls[-1] == (size, size, "Reading c.csv")
    assert all(0 < done <= size for done, _total, _label in progress.calls)
    again = list(file.records())
    assert [r.row.content_sha256 for r in again if r.row] == [
        r.row.content_sha256 for r in first if r.row
    ]


def test_cancel_stops_the_stream(tmp_path: Path) -> None:
    path = write(tmp_path, [HEADER] + [row(f"A{i}") for i in range(3000)])
    token = CancelToken()
    stream = open_complaint_file(path).records(cancel=token)
    seen = [next(stream) for _ in range(10)]
    token.cancel()
    with pytest.raises(Cancelled):
        for record in stream:
            seen.append(record)
    assert len(seen) < 1000
    with pytest.raises(Cancelled):
        next(open_complaint_file(path).records(cancel=token))


def test_a_file_changed_after_opening_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, [HEADER, row("A1")])
    file = open_complaint_file(path)
    path.write_text(f"{HEADER}\n{row('A1')}\n{row('A2')}\n", encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    with pytest.raises(ImportFileError, match="changed after it was opened"):
        list(file.records())
