"""parse_identifier dispatch and guess_identifier type detection."""

from __future__ import annotations

import pytest

from caseapp.domain.enums import IdentifierType
from caseapp.identifiers import (
    FoundIdentifier,
    ParsedIdentifier,
    Problem,
    guess_identifier,
    parse_identifier,
)


def test_parse_identifier_accepts_enum_and_string() -> None:
    by_enum = parse_identifier(IdentifierType.MOBILE, "13812345678")
    by_string = parse_identifier("mobile", "13812345678")
    assert by_enum == by_string


def test_parse_identifier_unknown_kind() -> None:
    with pytest.raises(ValueError):
        parse_identifier("telegram", "abc")


@pytest.mark.parametrize("kind", list(IdentifierType))
def test_every_kind_has_a_parser(kind: IdentifierType) -> None:
    parsed = parse_identifier(kind, "")
    assert isinstance(parsed, ParsedIdentifier)
    assert parsed.type == kind
    assert parsed.problems == (Problem.EMPTY,)
    assert not parsed.valid


def test_results_are_hashable_and_frozen() -> None:
    parsed = parse_identifier("mobile", "13812345678")
    assert hash(parsed) == hash(parse_identifier("mobile", "13812345678"))
    with pytest.raises(AttributeError):
        parsed.value = "x"  # type: ignore[misc]


def test_found_identifier_is_a_parsed_identifier() -> None:
    found = FoundIdentifier(
        type=IdentifierType.QQ, raw="12345", value="12345", valid=True, start=3, end=8
    )
    assert isinstance(found, ParsedIdentifier)
    assert found.span == (3, 8)
    assert found.notes == ()


@pytest.mark.parametrize(
    ("raw", "kind", "value"),
    [
        ("13812345678", IdentifierType.MOBILE, "+8613812345678"),
        ("+86 138-1234-5678", IdentifierType.MOBILE, "+8613812345678"),
        ("13812345678.0", IdentifierType.MOBILE, "+8613812345678"),
        ("010-12345678", IdentifierType.LANDLINE, "+861012345678"),
        ("400-123-4567", IdentifierType.LANDLINE, "+864001234567"),
        ("440304199808192346", IdentifierType.ID_CARD, "440304199808192346"),
        ("'440304199808192346", IdentifierType.ID_CARD, "440304199808192346"),
        ("440304980819234", IdentifierType.ID_CARD, "440304199808192346"),
        ("91371302MAELPKL57J", IdentifierType.USCC, "91371302MAELPKL57J"),
        ("11010120101123456", IdentifierType.LAWYER_LICENSE, "11010120101123456"),
        ("6222021234567890128", IdentifierType.BANK_CARD, "6222021234567890128"),
        ("abc@qq.com", IdentifierType.EMAIL, "abc@qq.com"),
        ("https://example.com", IdentifierType.URL, "https://example.com"),
        ("www.example.com", IdentifierType.URL, "http://www.example.com"),
        ("12345678", IdentifierType.QQ, "12345678"),
        ("abc_123", IdentifierType.WECHAT, "abc_123"),
        ("wxid_abcdefgh123456", IdentifierType.WECHAT, "wxid_abcdefgh123456"),
        ("VX:ww_23", IdentifierType.WECHAT, "ww_23"),
        ("微信号：daili-17", IdentifierType.WECHAT, "daili-17"),
    ],
)
def test_guess(raw: str, kind: IdentifierType, value: str) -> None:
    guessed = guess_identifier(raw)
    assert guessed is not None
    assert guessed.type == kind
    assert guessed.value == value
    assert guessed.raw == raw


def test_guess_invalid_but_recognisable() -> None:
    id_card = guess_identifier("440304199808192345")
    assert id_card is not None
    assert id_card.type == IdentifierType.ID_CARD
    assert id_card.problems == (Problem.BAD_CHECKSUM,)
    card = guess_identifier("6222021234567890123")
    assert card is not None
    assert card.type == IdentifierType.BANK_CARD
    assert not card.valid


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("1.38123E+10", IdentifierType.MOBILE),
        ("4.40304E+17", IdentifierType.ID_CARD),
        ("6.22202E+18", IdentifierType.BANK_CARD),
    ],
)
def test_guess_scientific_notation_by_magnitude(raw: str, kind: IdentifierType) -> None:
    guessed = guess_identifier(raw)
    assert guessed is not None
    assert guessed.type == kind
    assert guessed.problems == (Problem.SCIENTIFIC_NOTATION,)


@pytest.mark.parametrize("raw", ["", "   ", "投诉", "8153.70元", "2024-07-01", "32.9%", "1.5E+3"])
def test_guess_nothing(raw: str) -> None:
    assert guess_identifier(raw) is None
