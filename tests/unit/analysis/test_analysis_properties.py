"""Property tests: arbitrary texts never crash grouping or comparison; results stay consistent."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseapp.analysis import (
    GroupingParams,
    compare_texts,
    compute_signatures,
    group_from_signatures,
    group_texts,
    normalise_batch,
)

FAST = settings(
    max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

_LETTER = "本人申请停息挂账，恳请贵行减免违约金和利息，分六十期偿还本金。"
_PIECES = [
    "",
    "。",
    "！！！",
    " ",
    "\x00",
    "\u200b",
    "１２３",
    "XXXX",
    "{$1.00}",
    "a",
    "本",
    _LETTER,
    _LETTER * 2,
    "Credit report dispute, XX/XX/XXXX.",
    "😀",
    "\U00020000",
]
texts = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(_PIECES), max_size=6).map("".join),
    st.sampled_from(_PIECES),
)
corpora = st.lists(texts, max_size=40)


@FAST
@given(corpora, st.sampled_from([0.3, 0.7, 0.95]), st.sampled_from([0, 3, 20]))
def test_group_texts_never_crashes_and_groups_are_disjoint(
    items: list[str], threshold: float, min_length: int
) -> None:
    ids = [3 * i - 50 for i in range(len(items))]  # any distinct ints, negatives included
    params = GroupingParams(threshold=threshold, min_length=min_length, min_family_size=2)
    result = group_texts(list(zip(ids, items, strict=True)), params)
    seen: set[int] = set()
    for group in result.groups:
        members = [m.doc_id for m in group.members]
        assert len(members) >= 2
        assert len(set(members)) == len(members)
        assert set(members) <= set(ids)
        assert not set(members) & seen
        seen |= set(members)
        assert group.representative == members[0]
        assert sorted(x for v in group.variants for x in v) == sorted(members)
        assert all(0.0 <= m.similarity <= 1.0 for m in group.members)
    sizes = [g.size for g in result.groups]
    assert sizes == sorted(sizes, reverse=True)


@FAST
@given(corpora)
def test_signatures_are_per_text(items: list[str]) -> None:
    pairs = list(enumerate(items))
    together = compute_signatures(pairs)
    alone = [compute_signatures([p]) for p in pairs]
    for i, single in enumerate(alone):
        assert (together.shingle_set(i) == single.shingle_set(0)).all()
        assert (together.minhash[i] == single.minhash[0]).all()
    batch = normalise_batch(items)
    assert len(batch) == len(items)
    assert group_from_signatures(together).groups == group_texts(pairs).groups


@FAST
@given(texts, texts)
def test_compare_texts_covers_both_texts(a: str, b: str) -> None:
    comparison = compare_texts(a, b)
    for spans, text in ((comparison.spans_a, a), (comparison.spans_b, b)):
        position = 0
        for span in spans:
            assert span.start == position < span.end
            position = span.end
        assert position == len(text)
    assert 0.0 <= comparison.similarity <= 1.0
    assert 0.0 <= comparison.shared_a <= 1.0 and 0.0 <= comparison.shared_b <= 1.0
