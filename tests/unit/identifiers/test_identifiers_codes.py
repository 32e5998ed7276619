"""USCC (GB 32100), lawyer licence numbers and bank card numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from caseapp.domain.enums import IdentifierType
from caseapp.identifiers import (
    Problem,
    is_uscc_shaped,
    parse_bank_card,
    parse_identifier,
    parse_lawyer_license,
    parse_uscc,
    uscc_check_char,
)

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_check(body8: str) -> str:
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w
        for c, w in zip(body8, _ORG_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(prefix: str, region: str, org8: str) -> str:
    """A USCC with valid organisation-code and GB 32100 check characters (independent code)."""
    body = prefix + region + org8 + org_check(org8)
    total = sum(_ALPHABET.index(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    return body + _ALPHABET[(31 - total % 31) % 31]


COMPANY = make_uscc("91", "110101", "MA01ABCD")
LAW_FIRM = make_uscc("31", "440000", "12345678")


def luhn_complete(body: str) -> str:
    for last in "0123456789":
        number = body + last
        digits = [int(d) for d in reversed(number)]
        total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
        if total % 10 == 0:
            return number
    raise AssertionError("unreachable")


# -- USCC ---------------------------------------------------------------------------------------


def test_valid_uscc_and_details() -> None:
    parsed = parse_uscc(COMPANY)
    assert parsed.type == IdentifierType.USCC
    assert parsed.valid, parsed.problems
    assert parsed.value == COMPANY
    assert parsed.details["registration_authority"] == "9"
    assert parsed.details["entity_type_name"] == "企业"
    assert parsed.details["region_code"] == "110101"
    assert parsed.details["province"] == "北京市"
    assert parsed.details["is_law_firm"] is False
    assert parsed.notes == ()


def test_sample_uscc_is_valid() -> None:
    assert parse_uscc("91371302MAELPKL57J").valid


def test_law_firm_uscc() -> None:
    parsed = parse_uscc(LAW_FIRM)
    assert parsed.valid
    assert parsed.details["is_law_firm"] is True
    assert parsed.details["entity_type_name"] == "律师执业机构"


@pytest.mark.parametrize(
    "raw",
    [
        COMPANY.lower(),
        f" {COMPANY} ",
        f"{COMPANY[:8]} {COMPANY[8:]}",
        f"{COMPANY[:8]}-{COMPANY[8:]}",
    ],
)
def test_uscc_cleaning(raw: str) -> None:
    parsed = parse_uscc(raw)
    assert parsed.valid
    assert parsed.value == COMPANY


def test_uscc_bad_checksum() -> None:
    wrong = COMPANY[:17] + ("0" if COMPANY[17] != "0" else "1")
    parsed = parse_uscc(wrong)
    assert not parsed.valid
    assert parsed.problems == (Problem.BAD_CHECKSUM,)
    assert parsed.details["expected_check_char"] == COMPANY[17]


def test_uscc_check_char_helper() -> None:
    assert uscc_check_char(COMPANY[:17]) == COMPANY[17]
    with pytest.raises(ValueError):
        uscc_check_char("91110101MA01ABCDI")


def test_uscc_organisation_code_check_is_only_a_note() -> None:
    body = "91110101MA01ABCD0"
    if org_check("MA01ABCD") == "0":
        body = "91110101MA01ABCD1"
    number = body + uscc_check_char(body)
    parsed = parse_uscc(number)
    assert parsed.valid
    assert Problem.ORG_CODE_CHECK_FAILED in parsed.notes


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", Problem.EMPTY),
        ("91110101MA01ABCD", Problem.BAD_LENGTH),
        ("91110101MA01ABCDI2", Problem.BAD_FORMAT),  # I is not in the alphabet
        ("91AB0101MA01ABCD2X", Problem.BAD_FORMAT),  # region must be digits
        ("统一社会信用代码", Problem.BAD_FORMAT),
    ],
)
def test_uscc_malformed(raw: str, problem: Problem) -> None:
    parsed = parse_uscc(raw)
    assert not parsed.valid
    assert parsed.problems == (problem,)


def test_uscc_unknown_registration_authority() -> None:
    body = "B1110101MA01ABCD" + org_check("MA01ABCD")
    parsed = parse_uscc(body + uscc_check_char(body))
    assert parsed.problems == (Problem.BAD_REGISTRATION_AUTHORITY,)


def test_is_uscc_shaped() -> None:
    assert is_uscc_shaped(COMPANY)
    assert is_uscc_shaped("91110101MA01ABCD2X")
    assert not is_uscc_shaped("91110101MA01ABCD2")
    assert not is_uscc_shaped("B1110101MA01ABCD2X")


# -- lawyer licence -----------------------------------------------------------------------------


def test_valid_lawyer_license() -> None:
    parsed = parse_lawyer_license("11010120101123456", today=dt.date(2024, 1, 1))
    assert parsed.type == IdentifierType.LAWYER_LICENSE
    assert parsed.valid, parsed.problems
    assert parsed.details == {
        "region_code": "110101",
        "serial": "23456",
        "province": "北京市",
        "year": 2010,
        "category": "1",
        "category_name": "专职律师",
        "sex": "M",
    }


@pytest.mark.parametrize(
    ("category", "name"),
    [
        ("2", "兼职律师"),
        ("6", "公职律师"),
        ("7", "公司律师"),
        ("8", "法律援助律师"),
        ("9", "军队律师"),
    ],
)
def test_lawyer_license_categories(category: str, name: str) -> None:
    parsed = parse_lawyer_license(f"4403042015{category}012345")
    assert parsed.valid
    assert parsed.details["category_name"] == name
    assert parsed.details["sex"] == "F"


def test_uscc_offered_as_lawyer_license_is_flagged() -> None:
    parsed = parse_lawyer_license(COMPANY)
    assert not parsed.valid
    assert parsed.problems == (Problem.USCC_AS_LAWYER_LICENSE,)
    assert parsed.details["uscc_valid"] is True
    assert parsed.details["registration_authority"] == "9"


def test_uscc_shaped_value_with_bad_checksum_is_still_flagged() -> None:
    parsed = parse_lawyer_license("91110101MA01ABCD2X")
    assert parsed.problems == (Problem.USCC_AS_LAWYER_LICENSE,)
    assert parsed.details["uscc_valid"] is False


def test_law_firm_uscc_as_lawyer_license_is_flagged() -> None:
    assert parse_lawyer_license(LAW_FIRM).problems == (Problem.USCC_AS_LAWYER_LICENSE,)


def test_id_number_offered_as_lawyer_license() -> None:
    parsed = parse_lawyer_license("440304199808192346")
    assert parsed.problems == (Problem.ID_CARD_AS_LAWYER_LICENSE,)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", Problem.EMPTY),
        ("1101012010112345", Problem.BAD_LENGTH),
        ("110101201011234567", Problem.BAD_LENGTH),
        ("1101012010112345A", Problem.BAD_FORMAT),
        ("11010119701123456", Problem.BAD_YEAR),
        ("11010120991123456", Problem.BAD_YEAR),
        ("11010120100123456", Problem.BAD_CATEGORY),
        ("11010120101523456", Problem.BAD_SEX_DIGIT),
        ("99010120101123456", Problem.UNKNOWN_REGION),
    ],
)
def test_lawyer_license_problems(raw: str, problem: Problem) -> None:
    parsed = parse_lawyer_license(raw, today=dt.date(2024, 1, 1))
    assert not parsed.valid
    assert parsed.problems == (problem,)


def test_lawyer_license_separators_and_full_width() -> None:
    parsed = parse_lawyer_license("１１０１０１ 2010 1 1 23456", today=dt.date(2024, 1, 1))
    assert parsed.valid
    assert parsed.value == "11010120101123456"


# -- bank card ----------------------------------------------------------------------------------


def test_luhn_valid_card() -> None:
    number = luhn_complete("622202123456789012")
    parsed = parse_bank_card(number)
    assert parsed.type == IdentifierType.BANK_CARD
    assert parsed.valid
    assert parsed.value == number
    assert parsed.details["scheme"] == "UnionPay"
    assert parsed.details["length"] == 19


def test_luhn_failure_is_reported() -> None:
    good = luhn_complete("622202123456789012")
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    parsed = parse_bank_card(bad)
    assert not parsed.valid
    assert parsed.problems == (Problem.BAD_CHECKSUM,)
    assert parsed.value == bad


@pytest.mark.parametrize(
    "raw",
    [
        "6222 0212 3456 7890 128",
        "6222-0212-3456-7890-128",
        "６２２２０２１２３４５６７８９０１２８",
    ],
)
def test_card_separators(raw: str) -> None:
    parsed = parse_bank_card(raw)
    assert parsed.valid
    assert parsed.value == "6222021234567890128"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", Problem.EMPTY),
        ("12345678901", Problem.BAD_LENGTH),
        ("62220212345678901234", Problem.BAD_LENGTH),
        ("6.22202E+18", Problem.SCIENTIFIC_NOTATION),
        ("6222 **** **** 1234", Problem.MASKED),
        ("6222abc", Problem.BAD_FORMAT),
    ],
)
def test_card_problems(raw: str, problem: Problem) -> None:
    parsed = parse_bank_card(raw)
    assert not parsed.valid
    assert parsed.problems == (problem,)


@pytest.mark.parametrize("length", [12, 16, 19])
def test_card_lengths(length: int) -> None:
    number = luhn_complete("6" + "1" * (length - 2))
    assert parse_bank_card(number).valid


def test_parse_identifier_codes() -> None:
    assert parse_identifier("uscc", COMPANY).valid
    assert parse_identifier("lawyer_license", COMPANY).problems == (Problem.USCC_AS_LAWYER_LICENSE,)
    assert parse_identifier("bank_card", "6222021234567890128").valid
