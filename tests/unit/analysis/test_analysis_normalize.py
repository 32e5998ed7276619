"""Text normalisation before shingling: what must not break similarity is folded away."""

from __future__ import annotations

import pytest

from caseapp.analysis import Script, normalise_batch, normalise_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Full-width letters and digits, punctuation and white space.
        ("ＡＰＰ上 申请，　还款！", "app上申请还款"),
        # Amounts, dates, ID and phone numbers become one mask each.
        ("2024年3月4日借款12,345.60元", "0年0月0日借款0元"),
        ("身份证11010519900101123X，电话138-1234-5678。", "身份证0电话0"),
        ("欠款１２３４５元", "欠款0元"),
        # Compatibility characters (NFKC): circled digits, parenthesised ideographs.
        ("①㈠", "0一"),
        # Invisible characters cannot split a shingle.
        ("停息\u200b挂账", "停息挂账"),
        ("", ""),
        ("。。。！！", ""),
    ],
)
def test_chinese_text_keeps_only_its_wording(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


def test_two_fillings_of_a_template_normalise_alike() -> None:
    first = "本人张三，身份证号110105199001011234，于2023年5月欠款23,456.78元。"
    second = "本人张三,身份证号 44030119851212567X ，于２０２２年１１月欠款１２３４５元．"
    assert normalise_text(first) == normalise_text(second)


def test_english_is_lower_cased_and_cfpb_masks_are_stripped() -> None:
    raw = "On XX/XX/XXXX I paid {$1,200.00} to XXXX   BANK.\nThey said:  NO!"
    assert normalise_text(raw) == "on i paid to bank. they said: no!"


def test_english_keeps_punctuation_and_one_space_between_words() -> None:
    assert normalise_text("  Credit\t\treport ,, dispute  ") == "credit report ,, dispute"
    # Masks only as whole tokens: a word containing XX stays.
    assert normalise_text("XXL size and XXXX") == "xxl size and"


def test_script_is_chosen_per_text_or_forced() -> None:
    batch = normalise_batch(["我要投诉 Bank", "I complain about 银行", "", "12345"])
    assert batch.latin.tolist() == [False, True, False, False]
    assert [batch.text(i) for i in range(len(batch))] == [
        "我要投诉bank",
        "i complain about 银行",
        "",
        "0",
    ]
    forced = normalise_batch(["I complain", "我要投诉"], Script.CJK)
    assert forced.text(0) == "icomplain"
    assert normalise_text("我要 投诉", Script.LATIN) == "我要 投诉"


def test_batch_offsets_match_texts() -> None:
    texts = ["", "a", "本人。", "\x00本人\x00", "x" * 5, "１２ ３４"]
    batch = normalise_batch(texts)
    assert len(batch) == len(texts)
    assert batch.offsets[0] == 0 and batch.offsets[-1] == len(batch.codes)
    assert [batch.text(i) for i in range(len(texts))] == [normalise_text(t) for t in texts]
    assert batch.text(3) == "本人"
