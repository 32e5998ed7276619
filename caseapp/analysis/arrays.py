"""Small numpy helpers shared by the analysis modules.

``numpy.unique`` without ``return_counts`` takes a hash-table path in numpy 2.3+ that is two
orders of magnitude slower than sorting on large integer arrays, so the sort-based versions
here are used instead.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


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


def run_starts(sorted_values: npt.NDArray[np.generic]) -> npt.NDArray[np.bool_]:
    """True where a run of equal values begins in a sorted array."""
    first = np.ones(len(sorted_values), dtype=np.bool_)
    if len(sorted_values) > 1:
        first[1:] = sorted_values[1:] != sorted_values[:-1]
    return first


def unique_sorted(values: npt.ArrayLike) -> npt.NDArray[np.generic]:
    """The distinct values, sorted."""
    ordered = np.sort(np.asarray(values))
    return ordered[run_starts(ordered)]


def unique_counts(values: npt.ArrayLike) -> tuple[npt.NDArray[np.generic], npt.NDArray[np.int64]]:
    """The distinct values, sorted, and how often each occurs."""
    ordered = np.sort(np.asarray(values))
    starts = np.flatnonzero(run_starts(ordered))
    return ordered[starts], np.diff(np.append(starts, len(ordered)))


def rank_in_runs(labels: npt.NDArray[np.generic]) -> npt.NDArray[np.int64]:
    """For an array grouped into runs of equal labels, each element's index inside its run."""
    if len(labels) == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(run_starts(labels))
    sizes = np.diff(np.append(starts, len(labels)))
    return np.arange(len(labels), dtype=np.int64) - np.repeat(starts, sizes)
