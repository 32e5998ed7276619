"""Accuracy on the shared samples: the synthetic exports (truth files) and the real CFPB texts.

Pairwise precision/recall/F1 over all pairs of complaints (duplicate complaint numbers removed),
against the truth's template ``family`` and, on the hard sample, its fork ``variant``.
"""

from __future__ import annotations

import csv
import math
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from caseapp.analysis import GroupingParams, GroupingResult, group_texts, pairwise_scores

CFPB = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "real"
CFPB_A = CFPB / "cfpb_narratives_a.csv"


def _labels(result: GroupingResult, count: int) -> dict[int, int | None]:
    group_of = result.group_of()
    return {i: group_of.get(i) for i in range(count)}


def test_excel_sample_groups_match_the_families(
    excel_sample: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = excel_sample
    result = group_texts(sample.pairs())
    predicted = _labels(result, len(sample.texts))
    truth = {i: sample.truth[n]["family"] for i, n in enumerate(sample.numbers)}
    scores = pairwise_scores(predicted, truth)
    with capsys.disabled():
        print(
            f"\ncomplaints_excel: precision {scores.precision:.4f} recall {scores.recall:.4f} "
            f"F1 {scores.f1:.4f}, {len(result.groups)} groups"
        )
    assert scores.f1 >= 0.97
    # Genuine complaints are not pulled into groups.
    genuine_grouped = [
        i for i, label in predicted.items() if label is not None and truth[i] is None
    ]
    assert genuine_grouped == []
    assert len(result.groups) == len({f for f in truth.values() if f})


def test_hard_sample_families_forks_quotes_and_bridges(
    hard_sample: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = hard_sample
    result = group_texts(sample.pairs())
    count = len(sample.texts)
    entries = [sample.truth[n] for n in sample.numbers]
    predicted = _labels(result, count)
    family = {i: e["family"] for i, e in enumerate(entries)}
    scores = pairwise_scores(predicted, family)

    variant_of = {
        m.doc_id: (g, m.variant) for g, group in enumerate(result.groups) for m in group.members
    }
    gold_variant = {i: e["variant"] or e["family"] for i, e in enumerate(entries)}
    variants = pairwise_scores({i: variant_of.get(i) for i in range(count)}, gold_variant)
    with capsys.disabled():
        print(
            f"\ncomplaints_hard: family precision {scores.precision:.4f} recall "
            f"{scores.recall:.4f} F1 {scores.f1:.4f}; variant precision "
            f"{variants.precision:.4f} recall {variants.recall:.4f} F1 {variants.f1:.4f}; "
            f"{len(result.groups)} groups"
        )
    assert scores.f1 >= 0.95
    assert variants.f1 >= 0.8

    # No two families merged: bridges aside, every group's members share one family.
    for group in result.groups:
        families = Counter(
            family[m.doc_id] for m in group.members if not entries[m.doc_id]["bridge_of"]
        )
        assert len(families) == 1, families
    # Each construct lands where it belongs.
    group_family = {
        g: Counter(family[m.doc_id] for m in group.members).most_common(1)[0][0]
        for g, group in enumerate(result.groups)
    }
    embedded = [i for i, e in enumerate(entries) if e["embedded"]]
    found = [
        i for i in embedded if predicted[i] is not None and group_family[predicted[i]] == family[i]
    ]
    assert len(found) >= 0.9 * len(embedded)
    forks = [i for i, e in enumerate(entries) if e["variant"] and not e["embedded"]]
    assert all(predicted[i] is not None and group_family[predicted[i]] == family[i] for i in forks)
    for i, e in enumerate(entries):
        if e["bridge_of"] and predicted[i] is not None:
            assert group_family[predicted[i]] in e["bridge_of"]
        if e["boilerplate"] or e["family"] is None:
            assert predicted[i] is None


def _reference_text(text: str) -> str:
    text = re.sub(r"XX/XX/XXXX|XXXX|\{\$[^}]*\}", " ", text).lower()
    return re.sub(r"\s+", " ", text).strip()


def _reference_clusters(texts: list[str], threshold: float) -> tuple[dict[int, int], int]:
    """Connected components of the pairs whose exact char-3-gram Jaccard reaches ``threshold``.

    An exact all-pairs join (prefix, length and position filters, as in PPJoin): with all sets'
    tokens in one global order (rarest first), two sets with Jaccard ≥ t share a token among the
    first ``|x| − ⌈t·|x|⌉ + 1`` of each; surviving candidates are verified in full.
    """
    normalised = {i: _reference_text(t) for i, t in enumerate(texts)}
    sets = {
        i: frozenset(s[k : k + 3] for k in range(len(s) - 2))
        for i, s in normalised.items()
        if len(s) >= 20
    }
    frequency: Counter[str] = Counter(g for s in sets.values() for g in s)
    index: dict[str, list[tuple[int, int]]] = defaultdict(list)
    parent = {i: i for i in sets}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    pairs = 0
    for i in sorted(sets, key=lambda k: (len(sets[k]), k)):  # shortest first
        size = len(sets[i])
        ordered = sorted(sets[i], key=lambda g: (frequency[g], g))
        prefix = size - math.ceil(threshold * size) + 1
        overlap: dict[int, int] = {}
        for position, gram in enumerate(ordered[:prefix]):
            for j, other_position in index[gram]:
                other = len(sets[j])
                if other < threshold * size or overlap.get(j, 0) < 0:
                    continue
                needed = math.ceil(threshold / (1 + threshold) * (size + other))
                bound = overlap.get(j, 0) + 1 + min(size - position - 1, other - other_position - 1)
                overlap[j] = overlap.get(j, 0) + 1 if bound >= needed else -1
            index[gram].append((i, position))
        for j, count in overlap.items():
            if count <= 0:
                continue
            shared = len(sets[i] & sets[j])
            if shared >= threshold * (size + len(sets[j]) - shared):
                pairs += 1
                parent[find(i)] = find(j)
    roots = Counter(find(i) for i in sets)
    return {i: find(i) for i in sets if roots[find(i)] > 1}, pairs


def test_cfpb_groups_agree_with_exact_clusters_at_0_8(capsys: pytest.CaptureFixture[str]) -> None:
    if not CFPB_A.is_file():
        pytest.skip(f"{CFPB_A} not found")
    with CFPB_A.open(encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh)
        column = next(rows).index("Consumer complaint narrative")
        texts = [row[column] if len(row) > column else "" for row in rows]
    assert len(texts) == 2085
    reference, pairs = _reference_clusters(texts, 0.8)
    clusters = Counter(reference.values())
    # The figures of the data README (pairs within a fraction: masks stripped slightly apart).
    assert sum(1 for t in texts if len(_reference_text(t)) >= 20) == 2081
    assert len(clusters) == 83 and max(clusters.values()) == 33
    assert abs(pairs - 1597) <= 16

    # Ids are 1-based data row numbers.
    result = group_texts([(i + 1, t) for i, t in enumerate(texts)], GroupingParams(threshold=0.8))
    group_of = result.group_of()
    predicted = {i: group_of.get(i + 1) for i in range(len(texts))}
    truth = {i: reference.get(i) for i in range(len(texts))}
    scores = pairwise_scores(predicted, truth)
    with capsys.disabled():
        print(
            f"\ncfpb_narratives_a at 0.8: precision {scores.precision:.4f} recall "
            f"{scores.recall:.4f} F1 {scores.f1:.4f}; {len(result.groups)} groups "
            f"(reference {len(clusters)})"
        )
    assert scores.f1 >= 0.95
