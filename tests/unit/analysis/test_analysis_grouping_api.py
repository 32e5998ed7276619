"""The grouping API: settings stored with a run, progress and cancel, the shape of results."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from caseapp.analysis import (
    GroupingParams,
    compute_signatures,
    group_from_signatures,
    group_texts,
)
from caseapp.domain.errors import Cancelled, InvalidInputError
from caseapp.domain.progress import CancelToken


class Recorder:
    def __init__(self, cancel_at: int | None = None, token: CancelToken | None = None) -> None:
        self.reports: list[tuple[int, int | None, str]] = []
        self.cancel_at = cancel_at
        self.token = token

    def report(self, done: int, total: int | None, label: str = "") -> None:
        self.reports.append((done, total, label))
        if self.token is not None and len(self.reports) == self.cancel_at:
            self.token.cancel()


def _corpus(corpus: Callable[[int], Any], builders: Any, seed: int = 21) -> Any:
    c = corpus(seed)
    letter = builders.new_template(c.rng)
    for _ in range(30):
        c.add(letter.render(c.rng), "A", None, "base")
    small = builders.new_template(c.rng)
    for _ in range(4):
        c.add(small.render(c.rng, perturb=0.2), "B", None, "base")
    for _ in range(40):
        c.add(builders.genuine(c.rng), None, None, "genuine")
    return c


def test_params_round_trip_through_json() -> None:
    params = GroupingParams(threshold=0.8, containment=0.4, script="latin")
    text = params.to_json()
    assert json.loads(text)["threshold"] == 0.8
    assert GroupingParams.from_json(text) == params
    # Unknown keys (a newer version) are ignored, missing ones take the defaults.
    assert GroupingParams.from_json('{"threshold": 0.65, "future": 1}') == GroupingParams(
        threshold=0.65
    )
    assert GroupingParams().rows * GroupingParams().bands == GroupingParams().num_perm
    for damaged in ("not json", "[1, 2]", '{"threshold": "high"}', '{"threshold": 3}'):
        with pytest.raises(InvalidInputError):
            GroupingParams.from_json(damaged)


def test_result_shape(corpus: Callable[[int], Any], builders: Any) -> None:
    c = _corpus(corpus, builders)
    ids = [1000 + 7 * i for i in range(len(c.texts))]  # any distinct ints
    result = group_texts(list(zip(ids, c.texts, strict=True)))
    assert [g.size for g in result.groups] == [30, 4]
    seen: set[int] = set()
    for group in result.groups:
        assert group.size >= 2
        assert group.members[0].doc_id == group.representative
        members = set(group.doc_ids)
        assert members <= set(ids) and not members & seen
        seen |= members
        assert sorted(x for v in group.variants for x in v) == sorted(members)
        for member in group.members:
            assert member.variant is not None and 0 <= member.variant < len(group.variants)
            assert member.doc_id in group.variants[member.variant]
            assert 0.0 <= member.containment <= 1.0
    assert result.params == GroupingParams()
    stats = result.stats
    assert stats.texts == len(ids) and stats.grouped_texts == len(ids)
    assert stats.verified_pairs >= stats.linked_pairs >= 32
    assert set(stats.seconds) >= {"signatures", "near_duplicates", "families", "groups"}


def test_short_texts_are_not_grouped() -> None:
    texts = [(i, "同上") for i in range(5)] + [(10 + i, "我要投诉。") for i in range(5)]
    assert group_texts(texts).groups == ()
    assert group_texts([]).groups == ()
    # With a lower minimum, identical short texts are near-duplicates.
    result = group_texts(texts, GroupingParams(min_length=3))
    assert sorted(sorted(g.doc_ids) for g in result.groups) == [[10, 11, 12, 13, 14]]


def test_progress_is_reported(corpus: Callable[[int], Any], builders: Any) -> None:
    c = _corpus(corpus, builders)
    recorder = Recorder()
    group_texts(c.pairs(), progress=recorder)
    labels = [label for _d, _t, label in recorder.reports]
    assert len(set(labels)) >= 3
    for done, total, _label in recorder.reports:
        assert total is not None and 0 <= done <= total


def test_a_cancelled_token_stops_before_any_work(
    corpus: Callable[[int], Any], builders: Any
) -> None:
    c = _corpus(corpus, builders)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        group_texts(c.pairs(), cancel=token)
    signatures = compute_signatures(c.pairs())
    with pytest.raises(Cancelled):
        group_from_signatures(signatures, cancel=token)


@pytest.mark.parametrize("cancel_at", [1, 2, 5, 20])
def test_cancel_while_running(corpus: Callable[[int], Any], builders: Any, cancel_at: int) -> None:
    c = _corpus(corpus, builders)
    token = CancelToken()
    recorder = Recorder(cancel_at=cancel_at, token=token)
    with pytest.raises(Cancelled):
        group_texts(c.pairs(), progress=recorder, cancel=token)
    assert len(recorder.reports) == cancel_at
