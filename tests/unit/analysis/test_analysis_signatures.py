"""Signatures: vectorised MinHash, exact shingle sets, storage as bytes, incremental use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from caseapp.analysis import (
    GroupingParams,
    GroupingResult,
    Signatures,
    SignatureSpec,
    compute_signatures,
    extend_signatures,
    group_from_signatures,
    group_texts,
)
from caseapp.analysis.overlap import estimated_jaccard, jaccard_and_containment
from caseapp.domain.errors import InvalidInputError


class Recorder:
    def __init__(self) -> None:
        self.reports: list[tuple[int, int | None, str]] = []

    def report(self, done: int, total: int | None, label: str = "") -> None:
        self.reports.append((done, total, label))


def _family_corpus(corpus: Callable[[int], Any], builders: Any, seed: int) -> Any:
    c = corpus(seed)
    for name in "AB":
        letter = builders.new_template(c.rng)
        fork = letter.fork(c.rng)
        for _ in range(20):
            c.add(letter.render(c.rng), name, None, "base")
        for _ in range(5):
            c.add(fork.render(c.rng, perturb=0.3), name, f"{name}-V1", "fork")
    for _ in range(60):
        c.add(builders.genuine(c.rng), None, None, "genuine")
    c.rng.shuffle(c.texts)
    return c


def _groups(result: GroupingResult) -> list[list[int]]:
    return sorted(sorted(g.doc_ids) for g in result.groups)


def test_shingle_sets_are_sorted_sets_and_signatures_deterministic() -> None:
    texts = [(7, "本人张三欠款五万元无力偿还"), (3, "本人李四欠款五万元无力偿还"), (9, "")]
    first = compute_signatures(texts)
    second = compute_signatures(texts)
    assert first.ids.tolist() == [7, 3, 9]
    assert np.array_equal(first.minhash, second.minhash)
    for i in range(len(first)):
        shingles = first.shingle_set(i)
        assert np.all(np.diff(shingles.astype(np.int64)) > 0)
    assert first.sizes().tolist()[2] == 0
    assert np.all(first.minhash[2] == np.iinfo(np.uint32).max)
    # 13 characters: 11 shingles of 3.
    assert first.sizes().tolist()[:2] == [11, 11]


def test_minhash_estimates_the_exact_jaccard(corpus: Callable[[int], Any], builders: Any) -> None:
    c = _family_corpus(corpus, builders, 11)
    signatures = compute_signatures(c.pairs())
    a, b = np.triu_indices(len(signatures), k=1)
    exact, _x, _y = jaccard_and_containment(signatures, a, b)
    estimate = estimated_jaccard(signatures, a, b)
    close = exact > 0.2
    assert close.sum() > 100
    error = estimate[close] - exact[close]
    assert abs(float(error.mean())) < 0.02
    assert float(np.abs(error).mean()) < 0.05
    assert float(estimate[exact < 0.01].max()) < 0.1


def test_bytes_round_trip_and_damage_is_reported(
    corpus: Callable[[int], Any], builders: Any
) -> None:
    c = _family_corpus(corpus, builders, 12)
    signatures = compute_signatures(c.pairs())
    restored = Signatures.from_bytes(signatures.to_bytes())
    assert restored.spec == signatures.spec
    for name in ("ids", "minhash", "offsets", "shingles", "lengths", "latin"):
        assert np.array_equal(getattr(restored, name), getattr(signatures, name)), name
    assert _groups(group_from_signatures(restored)) == _groups(group_texts(c.pairs()))
    with pytest.raises(InvalidInputError):
        Signatures.from_bytes(b"not signatures")
    with pytest.raises(InvalidInputError):
        Signatures.from_bytes(signatures.to_bytes()[:-100])


def test_adding_complaints_hashes_only_the_new_ones(
    corpus: Callable[[int], Any], builders: Any
) -> None:
    c = _family_corpus(corpus, builders, 13)
    pairs = c.pairs()
    stored = Signatures.from_bytes(compute_signatures(pairs[:80]).to_bytes())
    recorder = Recorder()
    extended = extend_signatures(stored, pairs, progress=recorder)
    assert recorder.reports[-1][:2] == (len(pairs) - 80, len(pairs) - 80)
    assert sorted(extended.ids.tolist()) == [i for i, _t in pairs]
    assert _groups(group_from_signatures(extended)) == _groups(group_texts(pairs))
    # Nothing new: nothing hashed.
    assert extend_signatures(extended, pairs[:10]) is extended


def test_select_without_and_replace(corpus: Callable[[int], Any], builders: Any) -> None:
    c = _family_corpus(corpus, builders, 14)
    signatures = compute_signatures(c.pairs())
    picked = signatures.select([5, 2, 9])
    assert picked.ids.tolist() == [5, 2, 9]
    assert np.array_equal(picked.shingle_set(1), signatures.shingle_set(2))
    rest = signatures.without([0, 1])
    assert rest.ids.tolist() == list(range(2, len(signatures)))
    edited = extend_signatures(
        signatures, [(0, "完全不同的一段新内容，与原来毫无关系。")], replace=True
    )
    assert len(edited) == len(signatures)
    position = edited.ids.tolist().index(0)
    assert not np.array_equal(edited.shingle_set(position), signatures.shingle_set(0))


def test_incompatible_or_invalid_input_is_refused() -> None:
    texts = [(1, "本人张三欠款五万元无力偿还"), (2, "本人李四欠款五万元无力偿还")]
    other = compute_signatures(texts, SignatureSpec(shingle=4))
    with pytest.raises(InvalidInputError):
        group_from_signatures(other)
    with pytest.raises(InvalidInputError):
        Signatures.concat([other, compute_signatures(texts)])
    with pytest.raises(InvalidInputError):
        compute_signatures([(1, "甲"), (1, "乙")])
    with pytest.raises(InvalidInputError):
        SignatureSpec(shingle=0)
    with pytest.raises(InvalidInputError):
        GroupingParams(threshold=1.5)
    with pytest.raises(InvalidInputError):
        GroupingParams(num_perm=128, bands=30)
