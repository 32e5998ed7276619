"""Header recognition and the column-mapping file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caseapp.domain.errors import InvalidInputError
from caseapp.importers import (
    COMPLAINT_FIELDS,
    REQUIRED_FIELDS,
    ROW_NUMBER,
    ColumnMapping,
    detect_mapping,
    normalise_header,
)

ZH = ["投诉编号", "受理日期", "投诉渠道", "客户姓名", "证件号码", "联系电话", "代理人",
      "代理人电话", "产品类型", "投诉类别", "投诉内容", "诉求", "涉及金额(元)", "处理状态"]
ALT = ["工单号", "来电日期", "来源渠道", "客户名称", "身份证号", "手机号", "委托人/代理机构",
       "代理联系方式", "业务类型", "问题分类", "问题描述", "客户诉求", "金额", "状态"]
EN = ["complaint_id", "accept_date", "channel", "customer_name", "id_number", "phone", "agent",
      "agent_phone", "product_type", "category", "content", "demand", "amount_cny", "status"]


def test_public_field_lists() -> None:
    assert COMPLAINT_FIELDS == (
        "external_number", "received_at", "channel", "customer_name", "customer_id_number",
        "customer_phone", "agent_name", "agent_phone", "product", "category", "text", "demands",
        "amount", "status",
    )
    assert REQUIRED_FIELDS == ("external_number", "text")


@pytest.mark.parametrize("header", [ZH, ALT, EN], ids=["zh", "alt", "en"])
def test_sample_header_variants_map_every_field(header: list[str]) -> None:
    mapping = detect_mapping(header)
    assert mapping.has_header
    assert mapping.fields == dict(zip(COMPLAINT_FIELDS, header, strict=True))


def test_cfpb_header() -> None:
    header = ["Date received", "Product", "Sub-product", "Issue", "Sub-issue",
              "Consumer complaint narrative", "Company public response", "Company", "State",
              "ZIP code", "Tags", "Consumer consent provided?", "Submitted via",
              "Date sent to company", "Company response to consumer", "Timely response?",
              "Consumer disputed?", "Complaint ID"]
    assert detect_mapping(header).fields == {
        "received_at": "Date received",
        "product": "Product",
        "category": "Issue",
        "text": "Consumer complaint narrative",
        "channel": "Submitted via",
        "status": "Company response to consumer",
        "external_number": "Complaint ID",
    }


def test_matching_ignores_width_case_spaces_and_brackets() -> None:
    header = [" 投诉编号 ", "涉及金额（元）", "COMPLAINT  ID", "投诉内容【必填】", "Date_Received"]
    fields = detect_mapping(header).fields
    assert fields["external_number"] == " 投诉编号 "
    assert fields["amount"] == "涉及金额（元）"
    assert fields["text"] == "投诉内容【必填】"
    assert fields["received_at"] == "Date_Received"
    assert normalise_header("Complaint ID") == normalise_header("complaint_id") == "complaintid"


def test_first_column_wins_and_unknown_headers_are_left_out() -> None:
    fields = detect_mapping(["编号", "工单号", "备注", "", "投诉内容"]).fields
    assert fields == {"external_number": "编号", "text": "投诉内容"}


def test_json_round_trip(tmp_path: Path) -> None:
    mapping = ColumnMapping(
        fields={"external_number": ROW_NUMBER, "text": 3, "received_at": "受理日期"},
        has_header=False,
    )
    data = mapping.to_json()
    assert data["format"] == "caseapp.column_mapping" and data["version"] == 1
    assert ColumnMapping.from_json(json.loads(json.dumps(data))) == mapping
    path = tmp_path / "mapping.json"
    mapping.save(path)
    assert ColumnMapping.load(path) == mapping
    assert "受理日期" in path.read_text(encoding="utf-8")
    # The minimal hand-written form is accepted too.
    assert ColumnMapping.from_json({"fields": {"text": "内容"}}) == ColumnMapping({"text": "内容"})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "JSON object"),
        ({"format": "other"}, "not a caseapp column mapping"),
        ({"version": 99}, "not supported"),
        ({"has_header": "yes"}, "true or false"),
        ({"fields": []}, "JSON object"),
        ({"fields": {"nonsense": 1}}, "Unknown complaint field"),
        ({"fields": {"text": 1.5}}, "header name or a 0-based"),
        ({"fields": {"text": True}}, "header name or a 0-based"),
        ({"fields": {"text": -1}}, "must not be negative"),
        ({"fields": {"text": " "}}, "is empty"),
    ],
)
def test_invalid_mappings_are_refused(data: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        ColumnMapping.from_json(data)  # type: ignore[arg-type]


def test_unreadable_mapping_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="Cannot read"):
        ColumnMapping.load(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        ColumnMapping.load(broken)
