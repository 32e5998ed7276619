"""The near-miss constructs of templated complaints, built small: forks, embedded scripts,
boilerplate and bridges, plus plain genuine complaints."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

from caseapp.analysis import (
    GroupingParams,
    GroupingResult,
    MemberKind,
    compute_signatures,
    group_texts,
    pairwise_scores,
    text_similarity,
)
from caseapp.analysis.linking import GuardedUnionFind, UnionFind


def _group_of(result: GroupingResult) -> dict[int, int]:
    return result.group_of()


def _family_of_groups(result: GroupingResult, family: list[str | None]) -> list[Counter[Any]]:
    return [Counter(family[m.doc_id] for m in g.members) for g in result.groups]


def test_genuine_complaints_form_no_group(corpus: Callable[[int], Any], builders: Any) -> None:
    c = corpus(1)
    for _ in range(200):
        c.add(builders.genuine(c.rng), None, None, "genuine")
    result = group_texts(c.pairs())
    assert result.groups == ()
    assert result.stats.texts == 200


def test_copies_of_one_letter_form_one_group(corpus: Callable[[int], Any], builders: Any) -> None:
    c = corpus(2)
    letter = builders.new_template(c.rng)
    for _ in range(25):
        c.add(letter.render(c.rng), "A", None, "base")
    for _ in range(60):
        c.add(builders.genuine(c.rng), None, None, "genuine")
    result = group_texts(c.pairs())
    assert len(result.groups) == 1
    group = result.groups[0]
    assert sorted(group.doc_ids) == c.ids("base")
    # The representative comes first, with similarity 1 to itself.
    assert group.members[0].doc_id == group.representative
    assert group.members[0].similarity == 1.0
    assert all(0.0 < m.similarity <= 1.0 for m in group.members)
    assert [m.similarity for m in group.members[1:]] == sorted(
        (m.similarity for m in group.members[1:]), reverse=True
    )


def test_forks_join_their_family_as_variants(corpus: Callable[[int], Any], builders: Any) -> None:
    c = corpus(3)
    letter = builders.new_template(c.rng)
    forks = [letter.fork(c.rng) for _ in range(3)]
    for _ in range(40):
        c.add(letter.render(c.rng), "A", None, "base")
    for number, fork in enumerate(forks):
        for _ in range(7):
            c.add(fork.render(c.rng, perturb=0.3), "A", f"A-V{number}", "fork")
    for _ in range(80):
        c.add(builders.genuine(c.rng), None, None, "genuine")
    # A fork really is far from its base letter: a third of the sentences differ.
    assert text_similarity(c.texts[c.ids("base")[0]], c.texts[c.ids("fork")[0]]) < 0.6

    result = group_texts(c.pairs())
    assert len(result.groups) == 1
    group = result.groups[0]
    assert sorted(group.doc_ids) == sorted(c.ids("base") + c.ids("fork"))
    # Every fork is a variant of its own; the base letter is variant 0.
    variant = {m.doc_id: m.variant for m in group.members}
    truth = {i: c.variant[i] or "base" for i in group.doc_ids}
    scores = pairwise_scores(variant, truth)
    assert scores.f1 >= 0.9, scores
    assert {variant[i] for i in c.ids("base")} == {0}
    assert len(group.variants) >= 4
    assert sorted(x for v in group.variants for x in v) == sorted(group.doc_ids)


def test_embedded_scripts_join_by_containment(corpus: Callable[[int], Any], builders: Any) -> None:
    c = corpus(4)
    letter = builders.new_template(c.rng)
    for _ in range(30):
        c.add(letter.render(c.rng), "A", None, "base")
    for share in (0.42, 0.5, 0.6, 0.7, 0.8):
        copy = letter.render(c.rng)
        length = int(share * len(copy))
        start = c.rng.randrange(0, len(copy) - length)
        own = builders.genuine(c.rng)
        text = own + "网上有人说按下面这样写管用：" + copy[start : start + length]
        c.add(text, "A", None, "embedded")
    for _ in range(80):
        c.add(builders.genuine(c.rng), None, None, "genuine")
    embedded = c.ids("embedded")
    # Low Jaccard similarity to the letter: only containment finds them.
    assert max(text_similarity(c.texts[i], c.texts[0]) for i in embedded) < 0.6

    result = group_texts(c.pairs())
    assert len(result.groups) == 1
    group = result.groups[0]
    assert sorted(group.doc_ids) == sorted(c.ids("base") + embedded)
    kinds = {m.doc_id: m.kind for m in group.members}
    assert {kinds[i] for i in embedded} == {MemberKind.CONTAINED}
    containment = {m.doc_id: m.containment for m in group.members}
    assert min(containment[i] for i in embedded) >= 0.3


def test_boilerplate_does_not_make_genuine_complaints_a_group(
    corpus: Callable[[int], Any], builders: Any
) -> None:
    """Genuine complaints with 2–7 sentences of one circulating block of legal citations."""
    c = corpus(5)
    laws = [builders.sentence(c.rng) for _ in range(8)]
    for number in range(90):
        # Most have a story of their own; a few barely any, and the block dominates them.
        own = builders.genuine(c.rng) if number % 6 else builders.words(c.rng, 20) + "。"
        count = c.rng.randint(2, 7) if number % 6 else 7
        start = c.rng.randrange(0, len(laws) - count + 1)
        c.add(own + "".join(laws[start : start + count]), None, None, "boilerplate")
    for _ in range(150):
        c.add(builders.genuine(c.rng), None, None, "genuine")
    # A small real template (three copies, nowhere else) must stay a group.
    letter = builders.new_template(c.rng)
    for _ in range(3):
        c.add(letter.render(c.rng, perturb=0.2), "T", None, "template")
    boiler = c.ids("boilerplate")
    short = boiler[::6]
    similar = sum(
        text_similarity(c.texts[a], c.texts[b]) >= 0.7
        for i, a in enumerate(short)
        for b in short[i + 1 :]
    )
    assert similar > 0  # the shared legal paragraph alone makes these near-duplicates

    result = group_texts(c.pairs())
    grouped = _group_of(result)
    assert not any(i in grouped for i in boiler + c.ids("genuine"))
    assert [sorted(g.doc_ids) for g in result.groups] == [c.ids("template")]
    assert result.stats.boilerplate_texts > 0


def test_a_bridge_does_not_merge_two_families(corpus: Callable[[int], Any], builders: Any) -> None:
    c = corpus(6)
    first, second = builders.new_template(c.rng), builders.new_template(c.rng)
    for _ in range(30):
        c.add(first.render(c.rng), "A", None, "base")
        c.add(second.render(c.rng), "B", None, "base")
    for cut in (5, 6, 7):
        a = "".join(first.sentences[:cut])
        b = "".join(second.sentences[cut:])
        c.add(builders.Template([a, b]).render(c.rng, perturb=0), "A", None, "bridge")
    for _ in range(60):
        c.add(builders.genuine(c.rng), None, None, "genuine")

    result = group_texts(c.pairs())
    assert len(result.groups) == 2
    families = [
        Counter(c.family[m.doc_id] for m in g.members if c.kind[m.doc_id] != "bridge")
        for g in result.groups
    ]
    assert sorted(tuple(f) for f in families) == [("A",), ("B",)]
    assert all(sum(f.values()) == 30 for f in families)
    grouped = _group_of(result)
    for bridge in c.ids("bridge"):  # each bridge lands in at most one family
        assert list(grouped).count(bridge) <= 1


def test_a_chain_of_single_pairs_does_not_merge_families(
    corpus: Callable[[int], Any], builders: Any
) -> None:
    """Linked pairs that would chain two families through a spliced letter (single linkage)."""
    c = corpus(7)
    first, second = builders.new_template(c.rng), builders.new_template(c.rng)
    for _ in range(12):
        c.add(first.render(c.rng), "A", None, "base")
    for _ in range(12):
        c.add(second.render(c.rng), "B", None, "base")
    half = len(first.sentences) // 2
    bridge = c.add(
        builders.Template(first.sentences[:half] + second.sentences[half:]).render(c.rng),
        None,
        None,
        "bridge",
    )
    signatures = compute_signatures(c.pairs())
    a, b = np.array(c.ids("base")[:12]), np.array(c.ids("base")[12:])
    # Each family's copies in a chain, then the bridge to one copy of each.
    left = np.concatenate([a[:-1], b[:-1], [bridge, bridge]])
    right = np.concatenate([a[1:], b[1:], [a[0], b[0]]])

    plain = UnionFind(len(signatures))
    plain.union_all(left, right)
    assert len(set(plain.roots()[c.ids("base")].tolist())) == 1  # single linkage chains

    guarded = GuardedUnionFind(len(signatures), signatures.minhash, floor=0.25)
    guarded.union_all(left, right)
    roots = guarded.roots()
    assert len(set(roots[a].tolist())) == 1 and len(set(roots[b].tolist())) == 1
    assert roots[a[0]] != roots[b[0]]
    assert roots[bridge] in (roots[a[0]], roots[b[0]])
    assert guarded.refused == 1


def test_bridges_at_a_low_threshold_stay_in_one_family(
    corpus: Callable[[int], Any], builders: Any
) -> None:
    c = corpus(8)
    first, second = builders.new_template(c.rng), builders.new_template(c.rng)
    for _ in range(25):
        c.add(first.render(c.rng), "A", None, "base")
        c.add(second.render(c.rng), "B", None, "base")
    for cut in range(3, 10):
        splice = builders.Template(first.sentences[:cut] + second.sentences[cut:])
        c.add(splice.render(c.rng), None, None, "bridge")
    for threshold in (0.3, 0.5, 0.7):
        result = group_texts(c.pairs(), GroupingParams(threshold=threshold))
        for counts in _family_of_groups(result, c.family):
            assert len({f for f in counts if f is not None}) <= 1, (threshold, counts)
