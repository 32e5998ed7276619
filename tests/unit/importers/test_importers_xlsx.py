"""XLSX import of a small generated workbook (python-calamine, and openpyxl as the fallback)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from caseapp.importers import ColumnMapping, ImportFileError, open_complaint_file
from caseapp.importers.reader import ComplaintFile

openpyxl = pytest.importorskip("openpyxl", reason="openpyxl writes the test workbooks")

HEADER = ["工单号", "来电日期", "客户名称", "身份证号", "手机号", "代理联系方式", "问题描述",
          "金额", "备注"]
BACKENDS = [
    pytest.param("calamine", id="calamine"),
    pytest.param("openpyxl", id="openpyxl"),
]


def backend_available(backend: str) -> None:
    if backend == "calamine":
        pytest.importorskip("python_calamine", reason="python-calamine is not installed")


def make_workbook(
    path: Path, rows: list[list[object]], *, first_row: int = 1, first_column: int = 1
) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=first_column):
            if value is not None:
                sheet.cell(row=first_row + offset, column=column, value=value)
    workbook.create_sheet("second").append(["ignored"])
    workbook.save(path)
    return path


@pytest.mark.parametrize("backend", BACKENDS)
def test_workbook_rows_are_normalised(tmp_path: Path, backend: str) -> None:
    backend_available(backend)
    path = make_workbook(tmp_path / "c.xlsx", [
        HEADER,
        ["TS1", dt.datetime(2025, 3, 4, 10, 22, 31), "张三", 440304199808192346, 13812345678,
         "19915475953(微信同号)", "请联系我的代理人", 1234.5, "VIP"],
        [],
        ["TS2", 45720, "李四", "'440304199808192346", "+86 138-1234-5678", "微信：abc_123",
         "内容二", "￥1,234.50", None],
        [None] * 9,
        [10003, "2025年3月5日", "王五", "11010519491231002x", "13812345678.0", None, "内容三",
         None, None],
    ])
    file = ComplaintFile(path, workbook_backend=backend)
    info = file.info
    assert (info.file_type, info.encoding, info.delimiter) == ("xlsx", "", "")
    assert info.header == tuple(HEADER)
    assert info.unknown_columns == ("备注",)
    records = list(file.records())
    assert [r.line for r in records] == [2, 4, 6]
    first, second, third = (r.row for r in records)
    assert first is not None and second is not None and third is not None
    assert first.received_at == dt.datetime(2025, 3, 4, 2, 22, 31, tzinfo=dt.UTC)
    # An 18-digit number stored as a number has lost digits: flagged, never guessed.
    assert first.customer_id_number == ""
    assert "id_number_unrecoverable" in first.flags
    assert first.customer_phone == "+8613812345678"
    assert first.agent_phone == "+8619915475953"
    assert first.amount == Decimal("1234.50")
    assert first.extra == {"备注": "VIP"}
    assert second.received_at == dt.datetime(2025, 3, 3, 16, 0, tzinfo=dt.UTC)
    assert second.customer_id_number == "440304199808192346"
    assert second.agent_phone == ""
    assert [m.identifier.value for m in second.mentions if m.field == "agent_phone"] == [
        "abc_123"
    ]
    assert third.external_number == "10003"
    assert third.customer_id_number == "11010519491231002X"
    assert third.received_at is not None
    assert file.preview(1)[0][0] == "TS1"


@pytest.mark.parametrize("backend", BACKENDS)
def test_sheet_starting_lower_keeps_row_and_column_numbers(tmp_path: Path, backend: str) -> None:
    backend_available(backend)
    path = make_workbook(tmp_path / "c.xlsx", [
        HEADER, ["TS1", "2025-03-04", "张三", None, None, None, "内容", None, None],
        [], ["TS2", "2025-03-04", "李四", None, None, None, "内容", None, None],
    ], first_row=3, first_column=3)
    records = list(ComplaintFile(path, workbook_backend=backend).records())
    assert [r.line for r in records] == [4, 6]
    mapping = ColumnMapping(fields={"external_number": 2, "text": 8}, has_header=False)
    file = ComplaintFile(path, mapping=mapping, workbook_backend=backend)
    assert [(r.line, r.row.external_number) for r in file.records() if r.row] == [
        (3, "工单号"), (4, "TS1"), (6, "TS2")
    ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_workbook_refusals(tmp_path: Path, backend: str) -> None:
    backend_available(backend)
    header_only = make_workbook(tmp_path / "h.xlsx", [HEADER])
    with pytest.raises(ImportFileError, match="no data rows"):
        ComplaintFile(header_only, workbook_backend=backend)
    empty = make_workbook(tmp_path / "e.xlsx", [])
    with pytest.raises(ImportFileError, match="no rows at all"):
        ComplaintFile(empty, workbook_backend=backend)
    headerless = make_workbook(tmp_path / "n.xlsx", [
        ["TS1", "2025-03-04", "张三", "440304199808192346", "13812345678", None, "内容"],
    ])
    with pytest.raises(ImportFileError, match="row 1 is a data record"):
        ComplaintFile(headerless, workbook_backend=backend)
    mapping = ColumnMapping(fields={"external_number": 0, "text": 6}, has_header=False)
    records = list(ComplaintFile(headerless, mapping=mapping, workbook_backend=backend).records())
    assert [(r.line, r.row.external_number) for r in records if r.row] == [(1, "TS1")]


def test_duplicate_messages_name_rows(tmp_path: Path) -> None:
    backend_available("calamine")
    path = make_workbook(tmp_path / "d.xlsx", [
        HEADER,
        ["TS1", None, None, None, None, None, "内容", None, None],
        ["TS1", None, None, None, None, None, "别的内容", None, None],
    ])
    records = list(open_complaint_file(path).records())
    (problem,) = records[1].problems
    assert problem.message.startswith("row 3:")
    assert "(first at row 2)" in problem.message
