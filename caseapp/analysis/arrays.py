"""Small numpy helpers shared by the analysis modules.

``numpy.unique`` without ``return_counts`` takes a hash-table path in numpy 2.3+ that is two
orders of magnitude slower than sorting on large integer arrays, so the sort-based versions
here are used instead.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import numpy.typing as npt

ScalarT = TypeVar("ScalarT", bound=np.generic)


def segment_positions(
    starts: npt.NDArray[np.int64], sizes: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Concatenated ``range(start, start + size)`` for every segment, without a Python loop."""
    sizes = np.asarray(sizes, dtype=np.int64)
    total = int(sizes.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(sizes)
    shift = np.repeat(np.asarray(starts, dtype=np.int64) - (ends - sizes), sizes)
    return np.arange(total, dtype=np.int64) + shift


def run_starts(sorted_values: npt.NDArray[ScalarT]) -> npt.NDArray[np.bool_]:
    """True where a run of equal values begins in a sorted array."""
    first = np.ones(len(sorted_values), dtype=np.bool_)
    if len(sorted_values) > 1:
        first[1:] = sorted_values[1:] != sorted_values[:-1]
    return first


def unique_sorted(values: npt.NDArray[ScalarT]) -> npt.NDArray[ScalarT]:
    """The distinct values, sorted."""
    ordered = np.sort(values)
    return ordered[run_starts(ordered)]


def unique_counts(
    values: npt.NDArray[ScalarT],
) -> tuple[npt.NDArray[ScalarT], npt.NDArray[np.int64]]:
    """The distinct values, sorted, and how often each occurs."""
    ordered = np.sort(values)
    starts = np.flatnonzero(run_starts(ordered))
    return ordered[starts], np.diff(np.append(starts, len(ordered)))


def rank_in_runs(labels: npt.NDArray[ScalarT]) -> npt.NDArray[np.int64]:
    """For an array grouped into runs of equal labels, each element's index inside its run."""
    if len(labels) == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(run_starts(labels))
    sizes = np.diff(np.append(starts, len(labels)))
    return np.arange(len(labels), dtype=np.int64) - np.repeat(starts, sizes)


def unique_inverse(
    values: npt.NDArray[ScalarT],
) -> tuple[npt.NDArray[ScalarT], npt.NDArray[np.int64]]:
    """The distinct values, sorted, and for every input value the index of its distinct value."""
    array = values
    order = np.argsort(array, kind="stable")
    ordered = array[order]
    first = run_starts(ordered)
    inverse = np.empty(len(array), dtype=np.int64)
    inverse[order] = np.cumsum(first) - 1
    return ordered[first], inverse


def members_by_label(labels: npt.NDArray[np.int64], count: int) -> list[npt.NDArray[np.int64]]:
    """Indices carrying each label ``0 … count-1`` (ascending); negative labels are skipped."""
    index = np.flatnonzero(labels >= 0)
    order = np.argsort(labels[index], kind="stable")
    index = index[order]
    bounds = np.searchsorted(labels[index], np.arange(count + 1))
    return [index[bounds[i] : bounds[i + 1]] for i in range(count)]


def evenly(members: npt.NDArray[np.int64], size: int) -> npt.NDArray[np.int64]:
    """An evenly spaced, deterministic sample of at most ``size`` members."""
    if len(members) <= size:
        return members
    return members[np.linspace(0, len(members) - 1, size).astype(np.int64)]


def isin_sorted(values: npt.NDArray[ScalarT], table: npt.NDArray[ScalarT]) -> npt.NDArray[np.bool_]:
    """Which ``values`` occur in the sorted array ``table``."""
    if len(table) == 0:
        return np.zeros(len(values), dtype=np.bool_)
    position = np.minimum(np.searchsorted(table, values), len(table) - 1)
    return np.asarray(table[position] == values)
