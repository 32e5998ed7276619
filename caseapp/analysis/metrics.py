"""Pairwise precision, recall and F1 of a grouping against known groups.

Every pair of items counts once: a pair is predicted when both items carry the same predicted
label, true when both carry the same true label. ``None`` is no group (a single item), never a
label shared with anything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class PairScores:
    precision: float
    recall: float
    f1: float
    predicted_pairs: int
    true_pairs: int
    correct_pairs: int


def _pairs(counts: Counter[Hashable]) -> int:
    return sum(n * (n - 1) // 2 for n in counts.values())


def pairwise_scores(
    predicted: Mapping[K, Hashable | None], truth: Mapping[K, Hashable | None]
) -> PairScores:
    """Scores over the items of ``truth`` (an item missing from ``predicted`` is in no group)."""
    pred_counts: Counter[Hashable] = Counter()
    true_counts: Counter[Hashable] = Counter()
    both: Counter[Hashable] = Counter()
    for item, true_label in truth.items():
        pred_label = predicted.get(item)
        if pred_label is not None:
            pred_counts[pred_label] += 1
        if true_label is not None:
            true_counts[true_label] += 1
        if pred_label is not None and true_label is not None:
            both[(pred_label, true_label)] += 1
    predicted_pairs = _pairs(pred_counts)
    true_pairs = _pairs(true_counts)
    correct = _pairs(both)
    precision = correct / predicted_pairs if predicted_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScores(precision, recall, f1, predicted_pairs, true_pairs, correct)
