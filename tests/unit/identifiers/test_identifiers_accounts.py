"""WeChat, QQ, e-mail, URL, social handles and free values."""

from __future__ import annotations

import pytest

from caseapp.domain.enums import IdentifierType
from caseapp.identifiers import (
    Problem,
    parse_email,
    parse_handle,
    parse_identifier,
    parse_other,
    parse_qq,
    parse_url,
    parse_wechat,
)

# -- WeChat -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("abc_123", "abc_123"),
        ("Daili-17", "daili-17"),
        ("ＫＥＦＵ_2024", "kefu_2024"),
        ("  guwen888  ", "guwen888"),
        ("a" * 20, "a" * 20),
    ],
)
def test_valid_wechat_ids(raw: str, value: str) -> None:
    parsed = parse_wechat(raw)
    assert parsed.type == IdentifierType.WECHAT
    assert parsed.valid, parsed.problems
    assert parsed.value == value


def test_internal_wxid() -> None:
    parsed = parse_wechat("wxid_abcdefgh12345678")
    assert parsed.valid
    assert parsed.details["internal_id"] is True


@pytest.mark.parametrize("raw", ["13812345678", "138 1234 5678", "+86 138-1234-5678"])
def test_mobile_number_as_wechat_id(raw: str) -> None:
    parsed = parse_wechat(raw)
    assert parsed.valid
    assert parsed.value == "13812345678"
    assert parsed.details["is_phone"] is True


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", Problem.EMPTY),
        ("ww_23", Problem.BAD_LENGTH),
        ("a" * 21, Problem.BAD_LENGTH),
        ("1abcdef", Problem.BAD_FORMAT),
        ("abc def", Problem.BAD_FORMAT),
        ("微信号", Problem.BAD_FORMAT),
        ("123456", Problem.BAD_FORMAT),
    ],
)
def test_invalid_wechat_ids(raw: str, problem: Problem) -> None:
    parsed = parse_wechat(raw)
    assert not parsed.valid
    assert parsed.problems == (problem,)


def test_short_wechat_id_keeps_its_value() -> None:
    assert parse_wechat("WW_23").value == "ww_23"


# -- QQ -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("12345", "12345"),
        ("12345678901", "12345678901"),
        ("１２３４５６７８", "12345678"),
        ("12345678@qq.com", "12345678"),
    ],
)
def test_valid_qq(raw: str, value: str) -> None:
    parsed = parse_qq(raw)
    assert parsed.valid
    assert parsed.value == value


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", Problem.EMPTY),
        ("1234", Problem.BAD_LENGTH),
        ("123456789012", Problem.BAD_LENGTH),
        ("012345", Problem.BAD_FORMAT),
        ("abc123", Problem.BAD_FORMAT),
    ],
)
def test_invalid_qq(raw: str, problem: Problem) -> None:
    parsed = parse_qq(raw)
    assert parsed.problems == (problem,)


# -- e-mail -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("Abc@QQ.com", "abc@qq.com"),
        ("mailto:li.si+case@example.com.cn", "li.si+case@example.com.cn"),
        ("ｌａｗ＠１６３．ｃｏｍ", "law@163.com"),
    ],
)
def test_valid_email(raw: str, value: str) -> None:
    parsed = parse_email(raw)
    assert parsed.valid
    assert parsed.value == value


@pytest.mark.parametrize("raw", ["abc", "abc@", "@qq.com", "a b@qq.com", "abc@qq", "abc@@qq.com"])
def test_invalid_email(raw: str) -> None:
    parsed = parse_email(raw)
    assert not parsed.valid
    assert parsed.problems == (Problem.BAD_FORMAT,)


# -- URL ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("https://Example.COM/Path?q=1", "https://example.com/Path?q=1"),
        ("HTTP://www.example.com/", "http://www.example.com"),
        ("www.Example.com", "http://www.example.com"),
        ("example.cn/about", "http://example.cn/about"),
        ("http://example.com:8080/x", "http://example.com:8080/x"),
    ],
)
def test_valid_url(raw: str, value: str) -> None:
    parsed = parse_url(raw)
    assert parsed.valid, parsed.problems
    assert parsed.value == value


def test_url_without_scheme_is_marked() -> None:
    assert parse_url("www.example.com").details["scheme_added"] is True


@pytest.mark.parametrize(
    "raw", ["", "not a url", "http://", "http://localhost", "mailto:a@b.com", "http://exa mple.com"]
)
def test_invalid_url(raw: str) -> None:
    assert not parse_url(raw).valid


# -- handles and other --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind",
    [
        IdentifierType.DOUYIN,
        IdentifierType.KUAISHOU,
        IdentifierType.XIAOHONGSHU,
        IdentifierType.WEIBO,
    ],
)
def test_handles(kind: IdentifierType) -> None:
    parsed = parse_handle(kind, "@Debt.Help_01")
    assert parsed.type == kind
    assert parsed.valid
    assert parsed.value == "debt.help_01"
    assert parse_handle(kind, "123456789").valid  # Douyin and Xiaohongshu ids can be digits
    assert parse_handle(kind, "上岸律师").valid
    assert parse_handle(kind, "a").problems == (Problem.BAD_LENGTH,)
    assert parse_handle(kind, "a" * 31).problems == (Problem.BAD_LENGTH,)
    assert parse_handle(kind, "bad handle!").problems == (Problem.BAD_FORMAT,)
    assert parse_handle(kind, " ").problems == (Problem.EMPTY,)


def test_parse_handle_rejects_other_types() -> None:
    with pytest.raises(ValueError):
        parse_handle(IdentifierType.MOBILE, "abc")


def test_other() -> None:
    parsed = parse_other("  某某法务  ")
    assert parsed.type == IdentifierType.OTHER
    assert parsed.valid
    assert parsed.value == "某某法务"
    assert parse_other("   ").problems == (Problem.EMPTY,)


def test_parse_identifier_accounts() -> None:
    assert parse_identifier("wechat", "abc_123").value == "abc_123"
    assert parse_identifier("qq", "12345").valid
    assert parse_identifier("douyin", "dy123").type == IdentifierType.DOUYIN
    assert parse_identifier("email", "a@b.cn").valid
    assert parse_identifier("url", "www.a.cn").value == "http://www.a.cn"
    assert parse_identifier("other", "x").valid
