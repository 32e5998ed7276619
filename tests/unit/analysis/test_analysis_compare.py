"""Side-by-side comparison of two complaints: shared passages and the differences marked."""

from __future__ import annotations

from typing import Any

from caseapp.analysis import DIFFER, SAME, Comparison, compare_texts, group_texts

LETTER = (
    "尊敬的{bank}信用卡中心：本人{name}，身份证号{id}，因近年经营失败、家人重病，收入大幅减少，"
    "目前已无力按原计划偿还欠款{amount}元。本人并非恶意拖欠，一直积极筹措资金，"
    "现申请停息挂账，将剩余本金分六十期偿还，免除逾期期间产生的违约金和利息。"
    "恳请贵行体谅本人的实际困难，给予协商机会，在处理完毕之前停止一切催收行为。"
    "如贵行不予受理，本人将向金融监管部门反映。此致敬礼！"
)


def _fill(bank: str, name: str, id_number: str, amount: str) -> str:
    return LETTER.format(bank=bank, name=name, id=id_number, amount=amount)


def _covers(spans: Any, text: str) -> bool:
    position = 0
    for span in spans:
        if span.start != position or span.end <= span.start:
            return False
        position = span.end
    return position == len(text)


def _texts(comparison: Comparison, a: str, b: str, kind: str) -> tuple[list[str], list[str]]:
    return (
        [a[s.start : s.end] for s in comparison.spans_a if s.kind == kind],
        [b[s.start : s.end] for s in comparison.spans_b if s.kind == kind],
    )


def test_two_copies_of_one_letter_share_most_of_their_text() -> None:
    a = _fill("招商银行", "王建国", "110105199001011234", "52,360.18")
    b = _fill("平安银行", "李秀英", "44030119851212567X", "8,900")
    comparison = compare_texts(a, b)
    assert _covers(comparison.spans_a, a) and _covers(comparison.spans_b, b)
    assert comparison.shared_a > 0.75 and comparison.shared_b > 0.75
    assert 0.6 < comparison.similarity < 1.0
    # The longest shared passages are long.
    same_a, same_b = _texts(comparison, a, b, SAME)
    assert max(len(t) for t in same_a) >= 60
    assert "".join(same_a) == "".join(same_b) or len(same_a) == len(same_b)
    # Names, bank, ID number and amount are marked as different, on both sides.
    differ_a, differ_b = _texts(comparison, a, b, DIFFER)
    joined_a, joined_b = "".join(differ_a), "".join(differ_b)
    for value in ("招商", "王建国", "110105199001011234", "52,360.18"):
        assert value in joined_a, value
    for value in ("平安", "李秀英", "44030119851212567X", "8,900"):
        assert value in joined_b, value
    # Aligned passages face each other in order.
    for passage in comparison.passages:
        assert passage.a.kind == passage.b.kind == passage.kind
        if passage.kind == SAME:
            assert (
                a[passage.a.start : passage.a.end].replace("，", "")[:4]
                == b[passage.b.start : passage.b.end].replace("，", "")[:4]
            )


def test_spans_index_the_original_strings_with_full_width_and_spacing() -> None:
    a = "本人张三，欠款ＡＢＣ银行　１２３４５元。请求停息挂账，分期还款。"
    b = "本人 张三 ,欠款abc银行 12345元 .请求停息挂账,分期还款!"
    comparison = compare_texts(a, b)
    assert _covers(comparison.spans_a, a) and _covers(comparison.spans_b, b)
    assert [s.kind for s in comparison.spans_a] == [SAME]
    assert comparison.shared_a == comparison.shared_b == 1.0


def test_unrelated_and_empty_texts() -> None:
    comparison = compare_texts(
        "今天去网点办理销户被告知需要先还清年费。", "手机银行登录时一直提示密码错误。"
    )
    assert all(s.kind == DIFFER for s in comparison.spans_a + comparison.spans_b)
    assert comparison.shared_a == comparison.shared_b == 0.0
    empty = compare_texts("", "")
    assert empty.spans_a == empty.spans_b == () and empty.similarity == 0.0
    one_side = compare_texts("。。", "本人申请停息挂账")
    assert _covers(one_side.spans_a, "。。") and _covers(one_side.spans_b, "本人申请停息挂账")


def test_members_of_one_sample_family(hard_sample: Any) -> None:
    sample = hard_sample
    result = group_texts(sample.pairs())
    group = result.groups[0]
    a = sample.texts[group.representative]
    b = sample.texts[group.members[1].doc_id]
    comparison = compare_texts(a, b)
    assert _covers(comparison.spans_a, a) and _covers(comparison.spans_b, b)
    assert comparison.shared_a > 0.6 and comparison.shared_b > 0.6
    assert any(s.kind == DIFFER for s in comparison.spans_a)
