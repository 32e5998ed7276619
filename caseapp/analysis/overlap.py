"""Exact shingle-set overlap of many text pairs at once (Jaccard and containment).

The sets are sorted arrays of 32-bit hashes. For a batch of pairs, both sides are gathered into
two arrays sorted by (pair, hash); a stable sort of their concatenation is a single merge, and a
hash shared by both sides of a pair shows up as two equal neighbours.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from caseapp.analysis.arrays import segment_positions
from caseapp.analysis.signatures import Signatures

_MAX_BATCH_SHINGLES = 1 << 22  # gathered shingles per batch, both sides together


def _gather(signatures: Signatures, docs: npt.NDArray[np.int64]) -> npt.NDArray[np.uint64]:
    """Keys (position in ``docs`` << 32 | shingle) of the texts' sets, in order."""
    sizes = signatures.sizes()[docs]
    values = signatures.shingles[segment_positions(signatures.offsets[docs], sizes)]
    owners = np.repeat(np.arange(len(docs), dtype=np.uint64), sizes)
    return (owners << np.uint64(32)) | values.astype(np.uint64)


def intersection_sizes(
    signatures: Signatures, a: npt.ArrayLike, b: npt.ArrayLike
) -> npt.NDArray[np.int64]:
    """``|S(a[k]) ∩ S(b[k])|`` for every k (indices into ``signatures``)."""
    left = np.asarray(a, dtype=np.int64)
    right = np.asarray(b, dtype=np.int64)
    out = np.zeros(len(left), dtype=np.int64)
    if len(left) == 0:
        return out
    sizes = signatures.sizes()
    cost = np.cumsum(sizes[left] + sizes[right])
    start = 0
    while start < len(left):
        # As many pairs as fit in the budget (at least one).
        end = int(
            np.searchsorted(cost, (cost[start - 1] if start else 0) + _MAX_BATCH_SHINGLES, "right")
        )
        end = max(end, start + 1)
        keys = np.concatenate(
            [_gather(signatures, left[start:end]), _gather(signatures, right[start:end])]
        )
        keys.sort(kind="stable")  # two sorted runs: one merge
        shared = keys[1:][keys[1:] == keys[:-1]]
        out[start:end] = np.bincount(
            (shared >> np.uint64(32)).astype(np.int64), minlength=end - start
        )
        start = end
    return out


def jaccard_and_containment(
    signatures: Signatures, a: npt.ArrayLike, b: npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Exact Jaccard, share of a's shingles found in b, and share of b's found in a."""
    left = np.asarray(a, dtype=np.int64)
    right = np.asarray(b, dtype=np.int64)
    shared = intersection_sizes(signatures, left, right).astype(np.float64)
    sizes = signatures.sizes().astype(np.float64)
    size_a, size_b = sizes[left], sizes[right]
    with np.errstate(divide="ignore", invalid="ignore"):
        union = size_a + size_b - shared
        jaccard = np.where(union > 0, shared / union, 0.0)
        a_in_b = np.where(size_a > 0, shared / size_a, 0.0)
        b_in_a = np.where(size_b > 0, shared / size_b, 0.0)
    return jaccard, a_in_b, b_in_a


def estimated_jaccard(
    signatures: Signatures, a: npt.ArrayLike, b: npt.ArrayLike, chunk: int = 1 << 15
) -> npt.NDArray[np.float64]:
    """MinHash estimate of the Jaccard similarity of every pair (share of equal positions)."""
    left = np.asarray(a, dtype=np.int64)
    right = np.asarray(b, dtype=np.int64)
    out = np.empty(len(left), dtype=np.float64)
    m = signatures.minhash
    for start in range(0, len(left), chunk):
        end = start + chunk
        out[start:end] = (m[left[start:end]] == m[right[start:end]]).mean(axis=1)
    return out
