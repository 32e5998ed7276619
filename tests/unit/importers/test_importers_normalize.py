"""Cell normalisation: dates, amounts, ID numbers, phones, workbook cells."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from caseapp.domain.enums import IdentifierType
from caseapp.importers.normalize import (
    excel_cell_text,
    normalise_agent_phone,
    normalise_customer_phone,
    normalise_id_number,
    parse_amount,
    parse_received_at,
)

UTC = dt.UTC


def china(*parts: int) -> dt.datetime:
    """A China-time moment, in UTC."""
    return dt.datetime(*parts, tzinfo=dt.timezone(dt.timedelta(hours=8))).astimezone(UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025/3/4", china(2025, 3, 4)),
        ("2025-03-04 10:22:31", china(2025, 3, 4, 10, 22, 31)),
        ("2025年3月4日", china(2025, 3, 4)),
        ("２０２５年３月４日", china(2025, 3, 4)),
        ("2025年3月4日 10:22", china(2025, 3, 4, 10, 22)),
        ("2025/3/4 10:22", china(2025, 3, 4, 10, 22)),
        ("45720", china(2025, 3, 4)),
        ("45720.5", china(2025, 3, 4, 12)),
        ("2020/3/18", china(2020, 3, 18)),
        ("May 29, 2020 12:18:06 PM", china(2020, 5, 29, 12, 18, 6)),
        ("May 29, 2020 12:18:06 AM", china(2020, 5, 29, 0, 18, 6)),
        ("Sept 3, 2021", china(2021, 9, 3)),
        ("05/29/2020", china(2020, 5, 29)),
        ("29/05/2020", china(2020, 5, 29)),
        ("5/29/2020 3:04 PM", china(2020, 5, 29, 15, 4)),
        ("2025-03-04T10:22:31Z", dt.datetime(2025, 3, 4, 10, 22, 31, tzinfo=UTC)),
        ("2025-03-04T10:22:31+00:00", dt.datetime(2025, 3, 4, 10, 22, 31, tzinfo=UTC)),
        ("2025-03-04 10:22:31.250", china(2025, 3, 4, 10, 22, 31, 250000)),
        ("2025-03-04 下午3:05", china(2025, 3, 4, 15, 5)),
        ("20250304", china(2025, 3, 4)),
        (" 2025-03-04 ", china(2025, 3, 4)),
    ],
)
def test_dates(raw: str, expected: dt.datetime) -> None:
    parsed = parse_received_at(raw)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "raw", ["", "2025", "2025/13/01", "2025/2/30", "soon", "45720abc", "Foo 3, 2020", "25:61"]
)
def test_unreadable_dates(raw: str) -> None:
    assert parse_received_at(raw) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,234.50", "1234.50"),
        ("￥1234", "1234.00"),
        ("¥1,234.50", "1234.50"),
        ("1234.50元", "1234.50"),
        ("1234.5", "1234.50"),
        ("8153.70", "8153.70"),
        ("  2,000 ", "2000.00"),
        ("1.5万", "15000.00"),
        ("-12.345", "-12.35"),
        ("(100)", "-100.00"),
        ("$99.999", "100.00"),
        ("人民币500元整", "500.00"),
        ("０.５", "0.50"),
    ],
)
def test_amounts(raw: str, expected: str) -> None:
    assert parse_amount(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", ["", "无", "1,23,4", "12.3.4", "1e400", "abc元", "1" * 20])
def test_unreadable_amounts(raw: str) -> None:
    assert parse_amount(raw) is None


def test_id_numbers() -> None:
    assert normalise_id_number("440304199808192346")[:2] == ("440304199808192346", ())
    value, flags, mentions = normalise_id_number("'440304199808192346")
    assert (value, flags) == ("440304199808192346", ())
    assert mentions[0].field == "customer_id_number" and mentions[0].identifier.valid
    assert normalise_id_number("50010519901226377x")[0] == "50010519901226377X"
    assert normalise_id_number("1.10105E+17")[:2] == (
        "", ("id_number_unrecoverable", "id_number_scientific")
    )
    assert normalise_id_number("110105199001011000")[:3] == (
        "", ("id_number_unrecoverable", "id_number_excel15"), ()
    )
    # Valid, but it may be a zeroed number: kept and flagged, not offered as an identifier.
    assert normalise_id_number("110105199001013000") == (
        "110105199001013000", ("id_number_possible_excel15",), ()
    )
    value, flags, mentions = normalise_id_number("110105199001011234")
    assert (value, flags) == ("110105199001011234", ("id_number_invalid",))
    assert mentions and not mentions[0].identifier.valid
    assert normalise_id_number("440304199808192346.0")[0] == "440304199808192346"
    assert normalise_id_number(" ") == ("", (), ())


@pytest.mark.parametrize(
    "raw",
    ["13812345678", "+86 138-1234-5678", "13812345678.0", "8613812345678", "+8613812345678",
     "138 1234 5678", "０１３８１２３４５６７８"],
)
def test_customer_phones(raw: str) -> None:
    value, flags, mentions = normalise_customer_phone(raw)
    assert (value, flags) == ("+8613812345678", ())
    assert mentions[0].field == "customer_phone"
    assert mentions[0].identifier.type == IdentifierType.MOBILE


def test_landline_and_invalid_phones() -> None:
    assert normalise_customer_phone("010-62345678")[0] == "+861062345678"
    assert normalise_customer_phone("1.38123E+10")[:2] == ("", ("phone_invalid",))
    assert normalise_customer_phone("不详")[:2] == ("", ("phone_invalid",))
    assert normalise_customer_phone("") == ("", (), ())


def test_agent_phone_cells() -> None:
    value, flags, mentions = normalise_agent_phone("19915475953(微信同号)")
    assert (value, flags) == ("+8619915475953", ())
    assert mentions[0].identifier.details.get("also_wechat") is True
    assert (mentions[0].start, mentions[0].end) == (0, 11)

    value, flags, mentions = normalise_agent_phone("微信：abc_123")
    assert (value, flags) == ("", ())
    assert [(m.identifier.type, m.identifier.value) for m in mentions] == [
        (IdentifierType.WECHAT, "abc_123")
    ]

    value, _flags, mentions = normalise_agent_phone("13812345678 微信wxid_abcd1234")
    assert value == "+8613812345678"
    assert {m.identifier.type for m in mentions} == {IdentifierType.MOBILE, IdentifierType.WECHAT}

    assert normalise_agent_phone("请联系客服")[:2] == ("", ("agent_phone_invalid",))


def test_workbook_cells() -> None:
    assert excel_cell_text(None) == ""
    assert excel_cell_text(13812345678.0) == "13812345678"
    assert excel_cell_text(4.403041998081923e17) == "4.40304199808192E+17"
    assert excel_cell_text(1234.5) == "1234.5"
    assert excel_cell_text(7) == "7"
    assert excel_cell_text(True) == "TRUE"
    assert excel_cell_text(float("nan")) == ""
    assert excel_cell_text(dt.datetime(2025, 3, 4, 10, 22, 31)) == "2025-03-04 10:22:31"
    assert excel_cell_text(dt.date(2025, 3, 4)) == "2025-03-04"
    assert excel_cell_text(dt.time(10, 22)) == "10:22:00"
