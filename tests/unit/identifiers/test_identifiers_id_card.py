"""Resident ID numbers (GB 11643): checksum, birth date, province, 15-digit upgrade, Excel."""

from __future__ import annotations

import datetime as dt

import pytest

from caseapp.domain.enums import IdentifierType
from caseapp.identifiers import (
    Problem,
    id_card_check_char,
    parse_id_card,
    parse_identifier,
    upgrade_id_card_15_to_18,
)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_char(body17: str) -> str:
    """GB 11643 check character, computed independently of the code under test."""
    total = sum(int(d) * w for d, w in zip(body17, _WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def make_id(region: str, birth: str, serial: str) -> str:
    body = region + birth + serial
    return body + check_char(body)


def test_valid_id_and_details() -> None:
    number = make_id("440304", "19980819", "234")
    assert number == "440304199808192346"
    parsed = parse_id_card(number)
    assert parsed.type == IdentifierType.ID_CARD
    assert parsed.valid
    assert parsed.value == number
    assert parsed.problems == ()
    assert parsed.details["birth_date"] == dt.date(1998, 8, 19)
    assert parsed.details["sex"] == "F"  # 17th digit 4 is even
    assert parsed.details["region_code"] == "440304"
    assert parsed.details["province"] == "广东省"


def test_male_from_odd_17th_digit() -> None:
    parsed = parse_id_card(make_id("110101", "19900307", "457"))
    assert parsed.valid
    assert parsed.details["sex"] == "M"


def test_x_check_character_and_lower_case_x() -> None:
    number = "11010119900307109X"
    assert check_char(number[:17]) == "X"
    assert parse_id_card(number).valid
    lower = parse_id_card(number.lower())
    assert lower.valid
    assert lower.value == number


@pytest.mark.parametrize(
    "raw",
    [
        "'440304199808192346",
        " 440304199808192346 ",
        "440304 19980819 2346",
        "440304-19980819-2346",
        "４４０３０４１９９８０８１９２３４６",
    ],
)
def test_cleaning(raw: str) -> None:
    parsed = parse_id_card(raw)
    assert parsed.valid
    assert parsed.value == "440304199808192346"
    assert parsed.raw == raw


def test_bad_checksum_is_reported_not_rejected() -> None:
    parsed = parse_id_card("440304199808192345")
    assert not parsed.valid
    assert parsed.problems == (Problem.BAD_CHECKSUM,)
    assert parsed.value == "440304199808192345"
    assert parsed.details["expected_check_char"] == "6"
    assert parsed.details["birth_date"] == dt.date(1998, 8, 19)


def test_impossible_birth_date() -> None:
    number = make_id("440304", "19990230", "234")  # checksum right, 30 February wrong
    parsed = parse_id_card(number)
    assert not parsed.valid
    assert parsed.problems == (Problem.BAD_BIRTH_DATE,)
    assert "birth_date" not in parsed.details


@pytest.mark.parametrize("birth", ["18991231", "20991231"])
def test_birth_date_out_of_range(birth: str) -> None:
    parsed = parse_id_card(make_id("110101", birth, "123"))
    assert parsed.problems == (Problem.BAD_BIRTH_DATE,)


def test_birth_date_today_is_plausible() -> None:
    today = dt.date(2024, 5, 6)
    number = make_id("110101", "20240506", "123")
    assert parse_id_card(number, today=today).valid
    assert parse_id_card(number, today=today - dt.timedelta(days=1)).problems == (
        Problem.BAD_BIRTH_DATE,
    )


def test_unknown_province() -> None:
    parsed = parse_id_card(make_id("990101", "19900101", "123"))
    assert parsed.problems == (Problem.UNKNOWN_REGION,)


def test_changed_area_code_is_accepted() -> None:
    # 500101 (万州区) with a birth year before Chongqing existed: stdnum's strict check says no,
    # real data says yes.
    number = make_id("500101", "19900101", "123")
    assert parse_id_card(number).valid


def test_residence_permit_prefix() -> None:
    parsed = parse_id_card(make_id("810000", "19900101", "123"))
    assert parsed.valid
    assert parsed.details["residence_permit"] is True


def test_upgrade_15_to_18() -> None:
    assert upgrade_id_card_15_to_18("440304980819234") == "440304199808192346"
    assert upgrade_id_card_15_to_18("110101900307457") == make_id("110101", "19900307", "457")
    with pytest.raises(ValueError):
        upgrade_id_card_15_to_18("44030419980819234")


def test_15_digit_number_is_upgraded_and_valid() -> None:
    parsed = parse_id_card("440304980819234")
    assert parsed.valid
    assert parsed.value == "440304199808192346"
    assert parsed.problems == ()
    assert Problem.UPGRADED_FROM_15 in parsed.notes
    assert parsed.details["original_15"] == "440304980819234"
    assert parsed.details["birth_date"] == dt.date(1998, 8, 19)


def test_15_digit_number_with_bad_date() -> None:
    parsed = parse_id_card("440304981319234")
    assert parsed.problems == (Problem.BAD_BIRTH_DATE,)


def test_excel_scientific_notation() -> None:
    parsed = parse_id_card("4.40304E+17")
    assert not parsed.valid
    assert parsed.problems == (Problem.SCIENTIFIC_NOTATION,)


def test_excel_zeroed_tail_is_noted() -> None:
    parsed = parse_id_card("440304199808192000")
    assert Problem.EXCEL_PRECISION_LOSS in parsed.notes


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", Problem.EMPTY),
        ("4403041998081923", Problem.BAD_LENGTH),
        ("4403041998081923461", Problem.BAD_LENGTH),
        ("44030419980819234A", Problem.BAD_FORMAT),
        ("440304********2346", Problem.MASKED),
        ("身份证", Problem.BAD_FORMAT),
    ],
)
def test_malformed(raw: str, problem: Problem) -> None:
    parsed = parse_id_card(raw)
    assert not parsed.valid
    assert parsed.problems == (problem,)


def test_check_char_helper_matches_independent_computation() -> None:
    for body in ("44030419980819234", "11010119900307457", "65010219751231001"):
        assert id_card_check_char(body) == check_char(body)
    with pytest.raises(ValueError):
        id_card_check_char("123")


def test_parse_identifier_id_card() -> None:
    assert parse_identifier("id_card", "440304199808192346").valid
