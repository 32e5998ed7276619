"""The shared sample exports read as their truth files say; the real CFPB exports read in full."""

from __future__ import annotations

import json
from datetime import timedelta, timezone
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from caseapp.importers import (
    ROW_NUMBER,
    ColumnMapping,
    ImportFileError,
    ParsedRecord,
    open_complaint_file,
)

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
SAMPLES = SHARED / "samples"
REAL = SHARED / "data" / "real"
CHINA = timezone(timedelta(hours=8))
UNRECOVERABLE_CELLS = ("sci", "excel15")
GOOD = ("complaints_small", "complaints_excel", "complaints_hard")
BROKEN = ("badenc", "dupids", "hugefield", "nulbytes", "ragged", "truncated")


def sample(name: str) -> tuple[Path, dict[str, Any]]:
    csv_path = SAMPLES / f"{name}.csv"
    truth_path = SAMPLES / f"{name}.truth.json"
    if not csv_path.is_file() or not truth_path.is_file():
        pytest.skip(f"shared sample {csv_path} is not available")
    return csv_path, json.loads(truth_path.read_text(encoding="utf-8"))


@cache
def read_all(name: str) -> tuple[dict[str, Any], list[ParsedRecord]]:
    path, truth = sample(name)
    return truth, list(open_complaint_file(path).records())


def real(name: str) -> Path:
    path = REAL / name
    if not path.is_file():
        pytest.skip(f"real CFPB sample {path} is not available")
    return path


# ------------------------------------------------------------------------------ good samples


@pytest.mark.parametrize("name", GOOD)
def test_good_sample_counts(name: str) -> None:
    truth, records = read_all(name)
    assert len(records) == truth["rows_written"]
    rows = [r.row for r in records if r.row is not None]
    duplicates = [r for r in records if r.duplicate_of is not None]
    assert len(rows) == truth["unique_complaints"]
    assert len(duplicates) == truth["rows_written"] - truth["unique_complaints"]
    assert len(duplicates) == truth["stats"]["duplicate_rows"]
    assert not [p for r in records for p in r.problems]
    assert {row.external_number for row in rows} == set(truth["complaints"])


@pytest.mark.parametrize("name", GOOD)
def test_good_sample_lines_and_values(name: str) -> None:
    truth, records = read_all(name)
    rows = {r.row.external_number: r.row for r in records if r.row is not None}
    mismatches: list[tuple[str, str, object, object]] = []
    flagged = 0
    for number, expected in truth["complaints"].items():
        row = rows[number]
        if row.line != expected["line"]:
            mismatches.append((number, "line", row.line, expected["line"]))
        if expected["id_cell"] in UNRECOVERABLE_CELLS:
            flagged += 1
            if not {"id_number_unrecoverable", "id_number_possible_excel15"} & set(row.flags):
                mismatches.append((number, "id flag", row.customer_id_number_raw, row.flags))
        elif row.customer_id_number != (expected["id_number"] or ""):
            mismatches.append((number, "id", row.customer_id_number, expected["id_number"]))
        phone = "+86" + expected["phone"] if expected["phone"] else ""
        if row.customer_phone != phone:
            mismatches.append((number, "phone", row.customer_phone_raw, phone))
        agent_phone = "+86" + expected["agent_phone"] if expected["agent_phone"] else ""
        if row.agent_phone != agent_phone:
            mismatches.append((number, "agent phone", row.agent_phone_raw, agent_phone))
        assert row.received_at is not None and row.received_at.utcoffset() == timedelta(0)
        day = row.received_at.astimezone(CHINA).date().isoformat()
        if day != expected["accept_date"]:
            mismatches.append((number, "date", row.received_at_raw, expected["accept_date"]))
        amount = expected["amount"]
        wanted = None if amount is None else Decimal(str(amount)).quantize(Decimal("0.01"))
        if row.amount != wanted:
            mismatches.append((number, "amount", row.amount_raw, amount))
    assert mismatches == []
    if truth["excel_quirks"]:
        assert flagged > 100  # the quirky file really exercises the unrecoverable cells


def test_excel_sample_unrecoverable_ids_are_never_guessed() -> None:
    truth, records = read_all("complaints_excel")
    for record in records:
        row = record.row
        if row is None:
            continue
        cell = truth["complaints"][row.external_number]["id_cell"]
        if "id_number_unrecoverable" in row.flags:
            assert row.customer_id_number == ""
            assert row.customer_id_number_raw
            assert not [m for m in row.mentions if m.field == "customer_id_number"]
        if cell == "sci":
            assert row.flags[:2] == ("id_number_unrecoverable", "id_number_scientific")
        if cell in ("apostrophe", "lower_x"):
            assert row.customer_id_number == truth["complaints"][row.external_number]["id_number"]


def test_excel_sample_source_info() -> None:
    path, truth = sample("complaints_excel")
    info = open_complaint_file(path).info
    assert info.encoding == "gb18030"
    assert info.delimiter == ","
    assert info.file_type == "csv"
    assert info.header == tuple(truth["header"])
    assert info.mapping.fields["external_number"] == "工单号"
    assert info.mapping.fields["agent_name"] == "委托人/代理机构"
    assert info.unknown_columns == ()
    assert len(info.sha256) == 64 and info.size == path.stat().st_size


def test_agent_columns_give_mentions() -> None:
    _truth, records = read_all("complaints_small")
    rows = [r.row for r in records if r.row is not None]
    with_wechat = [
        row for row in rows if "微信同号" in row.agent_phone_raw
    ]
    assert with_wechat
    for row in with_wechat:
        phones = [m for m in row.mentions if m.field == "agent_phone"]
        assert phones and phones[0].identifier.value == row.agent_phone
        assert phones[0].identifier.details.get("also_wechat") is True
    texts = [m for row in rows for m in row.mentions if m.field == "text"]
    assert texts and all(m.start is not None and m.end is not None for m in texts)
    for row in rows:
        for mention in row.mentions:
            if mention.start is not None:
                source = {"text": row.text, "demands": row.demands, "agent_name": row.agent_name,
                          "agent_phone": row.agent_phone_raw.strip(),
                          "customer_phone": row.customer_phone_raw.strip()}[mention.field]
                assert source[mention.start : mention.end] == mention.raw


def test_reimport_gives_the_same_fingerprints() -> None:
    path, _truth = sample("complaints_small")
    file = open_complaint_file(path)
    first = [(r.line, r.row.content_sha256 if r.row else None) for r in file.records()]
    second = [(r.line, r.row.content_sha256 if r.row else None) for r in file.records()]
    assert first == second
    hashes = [h for _line, h in first if h]
    assert len(set(hashes)) == len(hashes)


# ----------------------------------------------------------------------------- broken samples


@pytest.mark.parametrize("kind", BROKEN)
def test_broken_sample_problems_name_the_truth_lines(kind: str) -> None:
    truth, records = read_all(f"broken_{kind}")
    problems = [p for r in records for p in r.problems]
    assert problems
    named = {p.line for p in problems} | {p.related_line for p in problems if p.related_line}
    assert named == set(truth["lines"])
    for problem in problems:
        assert f"line {problem.line}:" in problem.message
    rejected = {r.line for r in records if r.problems}
    assert all(r.row is None for r in records if r.problems)
    assert len(records) == truth["records"]
    assert len(records) - len(rejected) == sum(1 for r in records if r.row is not None)


def test_broken_problem_details() -> None:
    truth, records = read_all("broken_hugefield")
    (problem,) = [p for r in records for p in r.problems]
    detail = truth["details"][0]
    assert (problem.code, problem.column) == ("field_too_large", detail["column"])
    assert str(detail["field_chars"]) in problem.message

    truth, records = read_all("broken_nulbytes")
    assert {(p.line, p.column, p.code) for r in records for p in r.problems} == {
        (d["line"], d["column"], "nul_byte") for d in truth["details"]
    }

    truth, records = read_all("broken_dupids")
    for detail in truth["details"]:
        first, later = detail["lines"]
        (problem,) = next(r for r in records if r.line == later).problems
        assert problem.code == "duplicate_number" and problem.related_line == first
        assert f"first at line {first}" in problem.message and detail["id"] in problem.message

    truth, records = read_all("broken_truncated")
    (problem,) = [p for r in records for p in r.problems]
    assert problem.code == "truncated"

    truth, records = read_all("broken_ragged")
    codes = {p.line: p.code for r in records for p in r.problems}
    for detail in truth["details"]:
        wanted = "too_many_fields" if detail["fields"] > detail["expected_fields"] else (
            "too_few_fields"
        )
        assert codes[detail["line"]] == wanted

    truth, records = read_all("broken_badenc")
    assert {p.code for r in records for p in r.problems} == {"encoding"}


def test_huge_field_imports_when_the_limit_allows_it() -> None:
    path, truth = sample("broken_hugefield")
    records = list(open_complaint_file(path, max_field_chars=6_000_000).records())
    assert not [p for r in records for p in r.problems]
    huge = next(r.row for r in records if r.line == truth["lines"][0])
    assert huge is not None and len(huge.text) == truth["details"][0]["field_chars"]


def test_empty_sample_is_refused() -> None:
    path, truth = sample("broken_empty")
    with pytest.raises(ImportFileError, match="no data rows") as caught:
        open_complaint_file(path)
    assert path.name in str(caught.value)
    assert [p.line for p in caught.value.problems if p.line] == truth["lines"]


def test_headerless_sample_is_refused_then_imports_by_position() -> None:
    path, truth = sample("broken_nohead")
    with pytest.raises(ImportFileError, match="header row is missing") as caught:
        open_complaint_file(path)
    assert [p.line for p in caught.value.problems] == truth["lines"] == [1]
    assert caught.value.problems[0].code == "no_header"
    columns = truth["details"][0]["columns"]
    fields = {
        "external_number": columns.index("投诉编号"),
        "received_at": columns.index("受理日期"),
        "customer_id_number": columns.index("证件号码"),
        "customer_phone": columns.index("联系电话"),
        "text": columns.index("投诉内容"),
        "amount": columns.index("涉及金额(元)"),
    }
    file = open_complaint_file(path, mapping=ColumnMapping(fields=fields, has_header=False))
    assert file.info.has_header is False
    assert file.info.header[0] == "#1"
    records = list(file.records())
    assert [r.line for r in records] == [row["line"] for row in truth["rows"]]
    for record, expected in zip(records, truth["rows"], strict=True):
        assert record.row is not None
        assert record.row.external_number == expected["complaint_id"]
        assert record.row.customer_id_number == (expected["id_number"] or "")
        assert record.row.customer_phone == "+86" + expected["phone"]
        unmapped = {f"#{i + 1}" for i in range(len(columns)) if i not in fields.values()}
        assert set(record.row.extra) <= unmapped
        assert record.row.extra["#3"]  # 投诉渠道 is kept under its position


# ------------------------------------------------------------------------------- real CFPB


def test_cfpb_complaints_read_with_english_headers() -> None:
    file = open_complaint_file(real("cfpb_complaints_b.csv"))
    fields = file.info.mapping.fields
    assert fields["external_number"] == "Complaint ID"
    assert fields["received_at"] == "Date received"
    assert fields["text"] == "Consumer complaint narrative"
    assert fields["channel"] == "Submitted via"
    assert fields["status"] == "Company response to consumer"
    assert fields["category"] == "Issue"
    assert "Sub-product" in file.info.unknown_columns
    records = list(file.records())
    rows = [r.row for r in records if r.row is not None]
    assert len(records) == len(rows) == 6623
    assert sum(1 for row in rows if row.text) == 1532
    assert sum(1 for row in rows if "text_empty" in row.flags) == 6623 - 1532
    assert all(row.received_at is not None for row in rows)
    first = rows[0]
    assert first.external_number == "3571115" and first.line == 2
    assert first.received_at.astimezone(CHINA).date().isoformat() == "2020-03-18"
    assert first.extra["Company"] == "TRANSUNION INTERMEDIATE HOLDINGS, INC."


def test_cfpb_narratives_need_a_mapping_and_use_the_row_number() -> None:
    path = real("cfpb_narratives_a.csv")
    with pytest.raises(ImportFileError, match="required columns are missing") as caught:
        open_complaint_file(path)
    assert caught.value.header == ("Product", "Consumer complaint narrative")
    assert caught.value.mapping is not None and "text" in caught.value.mapping.fields
    mapping = ColumnMapping(
        fields={**caught.value.mapping.fields, "external_number": ROW_NUMBER}
    )
    records = list(open_complaint_file(path, mapping=mapping).records())
    assert len(records) == 2085
    assert [r.row.external_number for r in records[:3] if r.row] == ["1", "2", "3"]
    assert records[-1].row is not None and records[-1].row.external_number == "2085"
    assert all(r.row is not None and r.row.text for r in records)
