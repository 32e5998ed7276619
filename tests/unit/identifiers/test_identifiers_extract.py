"""extract_identifiers on free Chinese text: keywords, bare shapes, spans, false positives."""

from __future__ import annotations

import pytest

from caseapp.domain.enums import IdentifierType
from caseapp.identifiers import FoundIdentifier, Problem, extract_identifiers

T = IdentifierType

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def make_id(body17: str) -> str:
    total = sum(int(d) * w for d, w in zip(body17, _ID_WEIGHTS, strict=True))
    return body17 + "10X98765432"[total % 11]


ID_NUMBER = make_id("44030419980819234")
USCC = "91371302MAELPKL57J"  # check characters valid (sample data)
CARD = "6222021234567890128"  # Luhn valid


def only(text: str) -> FoundIdentifier:
    found = extract_identifiers(text)
    assert len(found) == 1, found
    return found[0]


def pairs(text: str) -> list[tuple[IdentifierType, str]]:
    return [(f.type, f.value) for f in extract_identifiers(text)]


def assert_spans(text: str, found: list[FoundIdentifier]) -> None:
    last_end = 0
    for item in found:
        assert last_end <= item.start < item.end <= len(text)
        assert text[item.start : item.end] == item.raw
        last_end = item.end


# -- the examples of the specification ----------------------------------------------------------


def test_mobile_with_spaces_after_a_name() -> None:
    text = "请联系王律师 138 1234 5678"
    found = only(text)
    assert (found.type, found.value, found.valid) == (T.MOBILE, "+8613812345678", True)
    assert found.raw == "138 1234 5678"
    assert text[found.start : found.end] == "138 1234 5678"


def test_wechat_after_keyword() -> None:
    found = only("微信号：abc_123")
    assert (found.type, found.value, found.valid) == (T.WECHAT, "abc_123", True)
    assert found.details["keyword"] == "微信号"


def test_uscc_given_as_lawyer_license() -> None:
    found = only("律师执业证号91110101MA01ABCD2X")
    assert found.type == T.LAWYER_LICENSE
    assert not found.valid
    assert found.problems == (Problem.USCC_AS_LAWYER_LICENSE,)
    assert found.value == "91110101MA01ABCD2X"


def test_valid_uscc_given_as_lawyer_license() -> None:
    found = only(f"该律师执业证号：{USCC}，请核实")
    assert found.type == T.LAWYER_LICENSE
    assert found.problems == (Problem.USCC_AS_LAWYER_LICENSE,)


def test_mobile_same_as_wechat() -> None:
    found = only("19915475953(微信同号)")
    assert (found.type, found.value) == (T.MOBILE, "+8619915475953")
    assert found.details["also_wechat"] is True
    assert only("微信同号：13812345678").details["also_wechat"] is True


def test_phone_after_wechat_keyword_stays_a_mobile() -> None:
    found = only("委托人李顾问，联系电话/微信：13812345678。")
    assert (found.type, found.value) == (T.MOBILE, "+8613812345678")
    assert found.details["also_wechat"] is True


# -- phones -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "电话13812345678。",
        "电话 138-1234-5678，",
        "+86 138 1234 5678",
        "手机：+8613812345678",
        "0086 138 1234 5678",
        "（13812345678）",
        "电话１３８１２３４５６７８",
        "号码138\u200b1234\u200b5678结束",
        "请联系……13812345678",
        "Tel.13812345678",
    ],
)
def test_mobile_forms(text: str) -> None:
    found = only(text)
    assert (found.type, found.value) == (T.MOBILE, "+8613812345678")
    assert_spans(text, [found])
    assert "8" in found.raw or "８" in found.raw


def test_full_width_span_maps_to_original() -> None:
    text = "电话１３８１２３４５６７８，谢谢"
    found = only(text)
    assert (found.start, found.end) == (2, 13)
    assert found.raw == "１３８１２３４５６７８"


def test_span_after_characters_that_fold_to_several() -> None:
    text = "备注……㎏ 13812345678"
    found = only(text)
    assert text[found.start : found.end] == "13812345678"


def test_two_adjacent_mobiles() -> None:
    assert pairs("13812345678 13912345678") == [
        (T.MOBILE, "+8613812345678"),
        (T.MOBILE, "+8613912345678"),
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("座机010-12345678", "+861012345678"),
        ("办公室(021)12345678转8", "+862112345678"),
        ("深圳0755-1234567", "+867551234567"),
        ("客服400-123-4567", "+864001234567"),
        ("热线 800 123 4567", "+868001234567"),
    ],
)
def test_landlines(text: str, value: str) -> None:
    found = only(text)
    assert (found.type, found.value) == (T.LANDLINE, value)


def test_no_mobile_inside_a_longer_digit_run() -> None:
    assert extract_identifiers("编号6222021234567890123") == []
    assert extract_identifiers("流水号 201381234567890") == []
    assert pairs(f"证件{ID_NUMBER}") == [(T.ID_CARD, ID_NUMBER)]


@pytest.mark.parametrize(
    "text",
    [
        "剩余待还金额8153.70元",
        "2024-07-01",
        "受理时间 2025-03-04 10:22:31",
        "综合年化成本达到了32.9%",
        "投诉编号TS20240701-0001",
        "拨打12378热线和95588",
        "借款本金18405元，分48期，逾期270天",
        "2025年3月4日",
        "金额13812345678.5元",
        "0.13812345678",
        "卡尾号1234",
    ],
)
def test_not_identifiers(text: str) -> None:
    assert extract_identifiers(text) == []


# -- keywords -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("VX:abc_123", "abc_123"),
        ("vx abc_123", "abc_123"),
        ("ＶＸ：ａｂｃ＿１２３", "abc_123"),
        ("V信abc_123", "abc_123"),
        ("威信号是abc_123", "abc_123"),
        ("wx：abc_123", "abc_123"),
        ("加微 abc_123", "abc_123"),
        ("加微信abc_123详聊", "abc_123"),
        ("微信(abc_123)", "abc_123"),
        ("我的代理顾问微信ww_23，请加微信沟通。", "ww_23"),
        ("微信号：Daili-17。", "daili-17"),
        ("微信wxid_abcdefgh123456", "wxid_abcdefgh123456"),
    ],
)
def test_wechat_keywords(text: str, value: str) -> None:
    found = only(text)
    assert (found.type, found.value) == (T.WECHAT, value)
    assert_spans(text, [found])


def test_short_wechat_id_is_found_but_flagged() -> None:
    found = only("微信ww_23")
    assert found.problems == (Problem.BAD_LENGTH,)


@pytest.mark.parametrize("text", ["在微信APP上提交了材料", "微信支付", "wxid", "abcvx:abc_123"])
def test_wechat_false_friends(text: str) -> None:
    assert [f for f in extract_identifiers(text) if f.type == T.WECHAT] == []


def test_bare_wxid_is_found() -> None:
    assert pairs("对方账号 wxid_abcdefgh123456 已拉黑") == [(T.WECHAT, "wxid_abcdefgh123456")]


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("QQ：12345678", T.QQ, "12345678"),
        ("qq号 12345678", T.QQ, "12345678"),
        ("扣扣12345678", T.QQ, "12345678"),
        ("抖音号：Debt_Help.01。", T.DOUYIN, "debt_help.01"),
        ("抖音 123456789", T.DOUYIN, "123456789"),
        ("快手号：ks_abc", T.KUAISHOU, "ks_abc"),
        ("小红书号：987654321", T.XIAOHONGSHU, "987654321"),
        ("微博@shangan_lawyer", T.WEIBO, "shangan_lawyer"),
        (f"卡号{CARD}", T.BANK_CARD, CARD),
        ("账号：6222 0212 3456 7890 128", T.BANK_CARD, CARD),
        (f"银行卡 {CARD}", T.BANK_CARD, CARD),
        (f"收款账户：{CARD}", T.BANK_CARD, CARD),
        ("执业证号11010120101123456", T.LAWYER_LICENSE, "11010120101123456"),
        ("律师证号：11010120101123456", T.LAWYER_LICENSE, "11010120101123456"),
        (f"身份证：{ID_NUMBER}", T.ID_CARD, ID_NUMBER),
        (f"证件号码 {ID_NUMBER[:-1]}x".upper(), T.ID_CARD, ID_NUMBER[:-1] + "X"),
        ("身份证号440304980819234", T.ID_CARD, "440304199808192346"),
        (f"统一社会信用代码：{USCC}", T.USCC, USCC),
        (f"信用代码{USCC.lower()}", T.USCC, USCC),
    ],
)
def test_keyword_types(text: str, kind: IdentifierType, value: str) -> None:
    found = only(text)
    assert (found.type, found.value) == (kind, value)
    assert_spans(text, [found])


def test_keyword_values_are_reported_even_when_invalid() -> None:
    bad_id = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")
    found = only(f"身份证号：{bad_id}")
    assert found.type == T.ID_CARD
    assert found.problems == (Problem.BAD_CHECKSUM,)
    card = only("卡号6222021234567890123")
    assert card.type == T.BANK_CARD
    assert card.problems == (Problem.BAD_CHECKSUM,)
    uscc = only("信用代码91371302MAELPKL570")
    assert uscc.problems == (Problem.BAD_CHECKSUM,)


# -- bare shapes --------------------------------------------------------------------------------


def test_bare_valid_id_number_and_uscc() -> None:
    assert pairs(f"客户{ID_NUMBER}的代理公司{USCC}") == [(T.ID_CARD, ID_NUMBER), (T.USCC, USCC)]


def test_bare_invalid_id_number_is_ignored() -> None:
    bad_id = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")
    assert extract_identifiers(f"号码{bad_id}") == []


def test_bare_card_in_card_layout() -> None:
    assert pairs("转到 6222 0212 3456 7890 128 即可") == [(T.BANK_CARD, CARD)]


def test_email_and_url() -> None:
    text = "邮箱：Law.Help@163.com，网站 https://www.shangan-law.cn/about?id=1。或 www.abc.com"
    assert pairs(text) == [
        (T.EMAIL, "law.help@163.com"),
        (T.URL, "https://www.shangan-law.cn/about?id=1"),
        (T.URL, "http://www.abc.com"),
    ]
    assert_spans(text, extract_identifiers(text))


def test_bare_domain() -> None:
    assert pairs("详见 shangan.top 官网") == [(T.URL, "http://shangan.top")]


def test_phone_inside_an_email_is_the_email() -> None:
    assert pairs("13812345678@163.com") == [(T.EMAIL, "13812345678@163.com")]


def test_mixed_text_is_sorted_and_non_overlapping() -> None:
    text = (
        "本人已授权北京市和睿法务中心代为办理，对接人朱怡，手机17780056352。"
        f"代理机构信用代码{USCC}，VX:ww_23，电话 010-12345678，"
        f"身份证号{ID_NUMBER}，金额8153.70元。"
    )
    found = extract_identifiers(text)
    assert [f.type for f in found] == [T.MOBILE, T.USCC, T.WECHAT, T.LANDLINE, T.ID_CARD]
    assert_spans(text, found)


def test_empty_text() -> None:
    assert extract_identifiers("") == []
