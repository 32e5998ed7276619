"""Mobile and landline parsing: separators, country codes, Excel artefacts, kinds."""

from __future__ import annotations

import pytest

from caseapp.domain.enums import IdentifierType
from caseapp.identifiers import (
    Problem,
    parse_identifier,
    parse_landline,
    parse_mobile,
    parse_phone,
    phone_location,
)


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "0086 13812345678",
        "008613812345678",
        "86 13812345678",
        "8613812345678",
        "13812345678.0",
        "１３８１２３４５６７８",
        "  13812345678  ",
        "'13812345678",
        "138\u20141234\u20145678",
        "(+86)138-1234-5678",
        "手机：13812345678",
        "tel:13812345678",
    ],
)
def test_mobile_forms_normalise_to_e164(raw: str) -> None:
    parsed = parse_mobile(raw)
    assert parsed.type == IdentifierType.MOBILE
    assert parsed.valid, parsed.problems
    assert parsed.value == "+8613812345678"
    assert parsed.raw == raw
    assert parsed.problems == ()


@pytest.mark.parametrize("raw", ["19915475953", "17044689999", "18493115475", "13304785235"])
def test_sample_mobiles_are_valid(raw: str) -> None:
    parsed = parse_mobile(raw)
    assert parsed.valid
    assert parsed.value == "+86" + raw


def test_mobile_with_prefix_unknown_to_phonenumbers_is_still_valid() -> None:
    # 11 digits starting 1[3-9] is a mobile for investigators; an unknown block is only a note.
    parsed = parse_mobile("14012345678")
    assert parsed.valid
    assert parsed.value == "+8614012345678"
    assert Problem.UNASSIGNED_PREFIX in parsed.notes


def test_scientific_notation_is_never_guessed() -> None:
    parsed = parse_mobile("1.38123E+10")
    assert not parsed.valid
    assert parsed.problems == (Problem.SCIENTIFIC_NOTATION,)
    assert parsed.value == "1.38123E+10"


@pytest.mark.parametrize(
    ("raw", "value", "area"),
    [
        ("010-12345678", "+861012345678", "010"),
        ("01012345678", "+861012345678", "010"),
        ("0755-1234567", "+867551234567", "0755"),
        ("0755-12345678", "+8675512345678", "0755"),
        ("(021)12345678", "+862112345678", "021"),
        ("（０２１）１２３４５６７８", "+862112345678", "021"),
        ("+86 21 1234 5678", "+862112345678", "021"),
        ("+86 (0)21 12345678", "+862112345678", "021"),
        ("0531-8888 6666", "+8653188886666", "0531"),
    ],
)
def test_landlines(raw: str, value: str, area: str) -> None:
    parsed = parse_landline(raw)
    assert parsed.type == IdentifierType.LANDLINE
    assert parsed.valid, parsed.problems
    assert parsed.value == value
    assert parsed.details["area_code"] == area


def test_landline_extension_is_a_detail() -> None:
    parsed = parse_landline("010-12345678转123")
    assert parsed.valid
    assert parsed.value == "+861012345678"
    assert parsed.details["extension"] == "123"


@pytest.mark.parametrize(
    ("raw", "value", "service"),
    [("400-123-4567", "+864001234567", "400"), ("800 123 4567", "+868001234567", "800")],
)
def test_400_and_800_numbers_are_landlines(raw: str, value: str, service: str) -> None:
    parsed = parse_phone(raw)
    assert parsed.type == IdentifierType.LANDLINE
    assert parsed.valid
    assert parsed.value == value
    assert parsed.details["service"] == service


@pytest.mark.parametrize("raw", ["95588", "12378", "10086"])
def test_short_service_numbers_keep_their_digits(raw: str) -> None:
    parsed = parse_landline(raw)
    assert parsed.valid
    assert parsed.value == raw
    assert parsed.details["service"] == "short_code"


def test_mobile_parse_of_a_landline_is_not_a_mobile() -> None:
    parsed = parse_mobile("010-12345678")
    assert parsed.type == IdentifierType.MOBILE
    assert not parsed.valid
    assert parsed.problems == (Problem.NOT_A_MOBILE,)
    assert parsed.value == "+861012345678"
    assert parsed.details["actual_type"] == IdentifierType.LANDLINE


def test_landline_parse_of_a_mobile_is_not_a_landline() -> None:
    parsed = parse_landline("13812345678")
    assert parsed.type == IdentifierType.LANDLINE
    assert parsed.problems == (Problem.NOT_A_LANDLINE,)
    assert parsed.details["actual_type"] == IdentifierType.MOBILE


def test_parse_phone_detects_the_kind() -> None:
    assert parse_phone("13812345678").type == IdentifierType.MOBILE
    assert parse_phone("010-12345678").type == IdentifierType.LANDLINE


def test_landline_without_area_code() -> None:
    parsed = parse_landline("8765 4321")
    assert not parsed.valid
    assert parsed.problems == (Problem.MISSING_AREA_CODE,)
    assert parsed.value == "87654321"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", Problem.EMPTY),
        ("   ", Problem.EMPTY),
        ("1381234567", Problem.BAD_LENGTH),
        ("138123456789", Problem.BAD_LENGTH),
        ("12012345678", Problem.BAD_FORMAT),
        ("138****5678", Problem.MASKED),
        ("call me", Problem.BAD_FORMAT),
        ("13812345678abc", Problem.BAD_FORMAT),
    ],
)
def test_invalid_mobiles(raw: str, problem: Problem) -> None:
    parsed = parse_mobile(raw)
    assert not parsed.valid
    assert problem in parsed.problems


def test_foreign_number_with_plus() -> None:
    parsed = parse_phone("+852 9123 4567")
    assert parsed.valid
    assert parsed.value == "+85291234567"
    assert parsed.details["region"] == "HK"
    assert Problem.FOREIGN_NUMBER in parsed.notes


def test_parse_identifier_dispatches_phone_kinds() -> None:
    assert parse_identifier("mobile", "138 1234 5678").value == "+8613812345678"
    assert parse_identifier(IdentifierType.LANDLINE, "010-12345678").valid


def test_phone_location_loads_lazily() -> None:
    assert phone_location("+861012345678") == "北京市"
    assert phone_location("not a number") is None
