"""Which source column feeds which complaint field: header synonyms and the saved mapping file.

A mapping names each field's source column by header name or by 0-based position. The
pseudo-column :data:`ROW_NUMBER` (``"@row_number"``) stands for the 1-based number of the data
record in the file (blank rows are not counted); it gives files without a complaint-number column
(e.g. the CFPB narrative samples) a stable external number.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from caseapp.domain.errors import InvalidInputError
from caseapp.i18n import N_, _

COMPLAINT_FIELDS: tuple[str, ...] = (
    "external_number",
    "received_at",
    "channel",
    "customer_name",
    "customer_id_number",
    "customer_phone",
    "agent_name",
    "agent_phone",
    "product",
    "category",
    "text",
    "demands",
    "amount",
    "status",
)
REQUIRED_FIELDS: tuple[str, ...] = ("external_number", "text")

ROW_NUMBER = "@row_number"
"""Pseudo-column: the 1-based data record number, usable as a source for any field."""

MAPPING_FORMAT = "caseapp.column_mapping"
MAPPING_VERSION = 1

# English labels for messages (translated at use); the Chinese header is shown beside them.
FIELD_LABELS: dict[str, str] = {
    "external_number": N_("complaint number"),
    "received_at": N_("date received"),
    "channel": N_("channel"),
    "customer_name": N_("customer name"),
    "customer_id_number": N_("customer ID number"),
    "customer_phone": N_("customer phone"),
    "agent_name": N_("agent"),
    "agent_phone": N_("agent phone"),
    "product": N_("product"),
    "category": N_("category"),
    "text": N_("complaint text"),
    "demands": N_("demands"),
    "amount": N_("amount"),
    "status": N_("status"),
}

# The usual header of each field in Chinese exports (shown in messages).
FIELD_HEADERS_ZH: dict[str, str] = {
    "external_number": "投诉编号",
    "received_at": "受理日期",
    "channel": "投诉渠道",
    "customer_name": "客户姓名",
    "customer_id_number": "证件号码",
    "customer_phone": "联系电话",
    "agent_name": "代理人",
    "agent_phone": "代理人电话",
    "product": "产品类型",
    "category": "投诉类别",
    "text": "投诉内容",
    "demands": "诉求",
    "amount": "涉及金额(元)",
    "status": "处理状态",
}

# Header synonyms, compared after normalise_header(). First match per field wins.
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "external_number": (
        "投诉编号", "工单号", "工单编号", "投诉单号", "投诉工单号", "投诉流水号", "流水号",
        "受理编号", "受理单号", "编号", "单号", "complaint_id", "Complaint ID",
        "complaint number", "complaint no", "case id", "ticket id", "ticket number",
        "external_number", "reference",
    ),
    "received_at": (
        "受理日期", "来电日期", "受理时间", "投诉日期", "投诉时间", "来电时间", "登记日期",
        "登记时间", "接收日期", "接收时间", "收到日期", "日期", "accept_date", "Date received",
        "date received", "received", "received_at", "received date", "complaint date", "date",
    ),
    "channel": (
        "投诉渠道", "来源渠道", "受理渠道", "渠道", "来源", "投诉来源", "channel",
        "Submitted via", "source",
    ),
    "customer_name": (
        "客户姓名", "客户名称", "投诉人", "投诉人姓名", "客户", "姓名", "customer_name",
        "customer name", "consumer name", "name",
    ),
    "customer_id_number": (
        "证件号码", "身份证号", "身份证号码", "证件号", "客户证件号码", "客户身份证号",
        "投诉人证件号码", "身份证", "id_number", "id number", "customer_id_number",
    ),
    "customer_phone": (
        "联系电话", "手机号", "手机号码", "客户电话", "客户手机号", "客户联系电话", "电话",
        "手机", "联系方式", "来电号码", "phone", "phone number", "mobile", "customer_phone",
    ),
    "agent_name": (
        "代理人", "委托人/代理机构", "委托人", "代理机构", "代理人/代理机构", "代理人姓名",
        "代理人名称", "委托代理人", "agent", "agent name", "agent_name",
    ),
    "agent_phone": (
        "代理人电话", "代理联系方式", "代理人联系方式", "代理人手机", "代理人手机号",
        "代理电话", "委托人电话", "agent_phone", "agent phone",
    ),
    "product": (
        "产品类型", "业务类型", "产品", "产品名称", "业务种类", "业务品种", "product_type",
        "Product", "product type",
    ),
    "category": (
        "投诉类别", "问题分类", "投诉类型", "问题类型", "投诉分类", "类别", "分类", "category",
        "Issue",
    ),
    "text": (
        "投诉内容", "问题描述", "投诉详情", "投诉事由", "投诉描述", "事由", "内容", "content",
        "Consumer complaint narrative", "narrative", "complaint text", "complaint", "text",
        "description",
    ),
    "demands": ("诉求", "客户诉求", "投诉诉求", "诉求内容", "demand", "demands"),
    "amount": (
        "涉及金额(元)", "涉及金额", "金额", "涉案金额", "争议金额", "金额(元)", "amount_cny",
        "amount", "amount cny",
    ),
    "status": (
        "处理状态", "状态", "办理状态", "处理进度", "status", "Company response to consumer",
        "company response",
    ),
}

_NOT_WORD_RE = re.compile(r"[\W_]+")
_BRACKETED_RE = re.compile(r"[(\[{【〔《<][^)\]}】〕》>]*[)\]}】〕》>]")


def normalise_header(name: str) -> str:
    """NFKC, case-folded, without spaces, punctuation or brackets (``金额（元）`` -> ``金额元``)."""
    return _NOT_WORD_RE.sub("", unicodedata.normalize("NFKC", name).casefold())


def _header_keys(name: str) -> tuple[str, ...]:
    """The lookup keys of a header: normalised, then without any bracketed part."""
    full = normalise_header(name)
    bare = normalise_header(_BRACKETED_RE.sub("", unicodedata.normalize("NFKC", name)))
    return (full, bare) if bare and bare != full else (full,)


def _synonym_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for field_name, names in HEADER_SYNONYMS.items():
        for name in names:
            for key in _header_keys(name):
                table.setdefault(key, field_name)
    return table


_SYNONYMS = _synonym_table()


def field_for_header(name: str) -> str | None:
    """The complaint field a header name usually holds, or None."""
    for key in _header_keys(name):
        found = _SYNONYMS.get(key)
        if found is not None:
            return found
    return None


def field_display(field_name: str) -> str:
    """``complaint number (投诉编号)`` in the current language."""
    label = _(FIELD_LABELS.get(field_name, field_name))
    zh = FIELD_HEADERS_ZH.get(field_name)
    return _("{label} ({header})").format(label=label, header=zh) if zh else label


@dataclass
class ColumnMapping:
    """Field -> source column: a header name, a 0-based position, or :data:`ROW_NUMBER`."""

    fields: dict[str, str | int] = field(default_factory=dict)
    has_header: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "format": MAPPING_FORMAT,
            "version": MAPPING_VERSION,
            "has_header": self.has_header,
            "fields": {name: self.fields[name] for name in COMPLAINT_FIELDS if name in self.fields},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ColumnMapping:
        if not isinstance(data, Mapping):
            raise InvalidInputError(_("A column mapping must be a JSON object."))
        declared = data.get("format", MAPPING_FORMAT)
        if declared != MAPPING_FORMAT:
            raise InvalidInputError(
                _("This is not a caseapp column mapping (format {format!r}).").format(
                    format=declared
                )
            )
        version = data.get("version", MAPPING_VERSION)
        if not isinstance(version, int) or isinstance(version, bool) or version > MAPPING_VERSION:
            raise InvalidInputError(
                _("Column mapping version {version} is not supported.").format(version=version)
            )
        has_header = data.get("has_header", True)
        if not isinstance(has_header, bool):
            raise InvalidInputError(_("\"has_header\" in a column mapping must be true or false."))
        raw_fields = data.get("fields", {})
        if not isinstance(raw_fields, Mapping):
            raise InvalidInputError(_("\"fields\" in a column mapping must be a JSON object."))
        fields: dict[str, str | int] = {}
        for name, source in raw_fields.items():
            if name not in COMPLAINT_FIELDS:
                raise InvalidInputError(
                    _("Unknown complaint field {field!r} in the column mapping; known fields: "
                      "{known}.").format(field=name, known=", ".join(COMPLAINT_FIELDS))
                )
            if isinstance(source, bool) or not isinstance(source, str | int):
                raise InvalidInputError(
                    _("The column of {field!r} must be a header name or a 0-based column "
                      "number.").format(field=name)
                )
            if isinstance(source, int) and source < 0:
                raise InvalidInputError(
                    _("The column number of {field!r} must not be negative.").format(field=name)
                )
            if isinstance(source, str) and not source.strip():
                raise InvalidInputError(
                    _("The column name of {field!r} is empty.").format(field=name)
                )
            fields[name] = source
        return cls(fields=fields, has_header=has_header)

    @classmethod
    def load(cls, path: str | Path) -> ColumnMapping:
        file = Path(path)
        try:
            data = json.loads(file.read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise InvalidInputError(
                _("Cannot read the column mapping {file}: {error}").format(
                    file=file, error=exc.strerror or exc
                )
            ) from exc
        except ValueError as exc:
            raise InvalidInputError(
                _("The column mapping {file} is not valid JSON: {error}").format(
                    file=file, error=exc
                )
            ) from exc
        return cls.from_json(data)

    def save(self, path: str | Path) -> None:
        text = json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n"
        Path(path).write_text(text, encoding="utf-8")


def detect_mapping(header: Sequence[str]) -> ColumnMapping:
    """Map known header names (Chinese or English synonyms) to complaint fields."""
    fields: dict[str, str | int] = {}
    for name in header:
        if not name or not name.strip():
            continue
        found = field_for_header(name)
        if found is not None and found not in fields:
            fields[found] = name
    return ColumnMapping(fields=fields, has_header=True)
