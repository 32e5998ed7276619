"""Near-duplicate linking: LSH candidates, MinHash pre-filter, exact Jaccard, union-find.

A candidate pair is linked when the exact Jaccard similarity of its shingle sets reaches the
threshold. Pairs whose texts are already connected are skipped (connectivity is all that is
kept), and a pair whose MinHash estimate is far below the threshold is not verified: with 128
permutations the estimate's standard deviation is at most 0.045, and the margin is three times
that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from caseapp.analysis.arrays import isin_sorted, unique_sorted
from caseapp.analysis.lsh import band_keys, iter_bands
from caseapp.analysis.overlap import estimated_jaccard, jaccard_and_containment
from caseapp.analysis.signatures import Signatures

ESTIMATE_MARGIN = 0.15


@dataclass
class LinkCounters:
    candidate_pairs: int = 0
    estimated_pairs: int = 0
    verified_pairs: int = 0
    linked_pairs: int = 0
    refused_links: int = 0  # linked pairs whose sets were too different on average to join


class UnionFind:
    """Disjoint sets over ``0 … n-1``; the smaller index is the root of a union."""

    def __init__(self, n: int) -> None:
        self.parent = np.arange(n, dtype=np.int64)

    def roots(self) -> npt.NDArray[np.int64]:
        parent = self.parent
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                self.parent = parent
                return parent.copy()
            parent = grand

    def union_all(self, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> None:
        parent = self.parent
        for x, y in zip(a.tolist(), b.tolist(), strict=True):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = int(parent[x])
            while parent[y] != y:
                parent[y] = parent[parent[y]]
                y = int(parent[y])
            if x != y:
                parent[max(x, y)] = min(x, y)


class GuardedUnionFind(UnionFind):
    """Union-find whose unions must also pass an average-linkage test.

    Two sets are joined only if the mean MinHash-estimated similarity between samples of both
    (up to ``sample`` texts each) reaches ``floor``. A single pair at the threshold therefore
    cannot chain two otherwise unrelated sets: a letter spliced from two templates joins one
    family, and that family then refuses the other, whose texts resemble it in one half only.
    """

    def __init__(
        self, n: int, minhash: npt.NDArray[np.uint32], floor: float, sample: int = 8
    ) -> None:
        super().__init__(n)
        self.minhash = minhash
        self.floor = floor
        self.sample = sample
        self.members: dict[int, list[int]] = {}  # sample of every set of two or more
        self.sizes: dict[int, int] = {}
        self.refused = 0

    def _sample_of(self, root: int) -> list[int]:
        return self.members.get(root, [root])

    def union_all(self, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> None:
        parent = self.parent
        for x, y in zip(a.tolist(), b.tolist(), strict=True):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = int(parent[x])
            while parent[y] != y:
                parent[y] = parent[parent[y]]
                y = int(parent[y])
            if x == y:
                continue
            first, second = self._sample_of(x), self._sample_of(y)
            if len(first) > 1 or len(second) > 1:
                block = self.minhash[first][:, None, :] == self.minhash[second][None, :, :]
                if float(block.mean()) < self.floor:
                    self.refused += 1
                    continue
            root, other = min(x, y), max(x, y)
            parent[other] = root
            self.members[root] = self._merged(x, y, first, second)
            self.members.pop(other, None)
            self.sizes[root] = self.sizes.pop(x, 1) + self.sizes.pop(y, 1)

    def _merged(self, x: int, y: int, first: list[int], second: list[int]) -> list[int]:
        """A sample of the union in proportion to both sizes: newcomers do not take it over."""
        size_x, size_y = self.sizes.get(x, 1), self.sizes.get(y, 1)
        total = min(self.sample, len(first) + len(second))
        from_x = min(len(first), round(total * size_x / (size_x + size_y)))
        from_y = min(len(second), total - from_x)
        from_x = min(len(first), total - from_y)
        return first[:from_x] + second[:from_y]


def link_near_duplicates(
    data: Signatures,
    docs: npt.NDArray[np.int64],
    threshold: float,
    bands: int,
    counters: LinkCounters,
    *,
    on_band: Callable[[int, int], None] | None = None,
    guard: float | None = None,
) -> npt.NDArray[np.int64]:
    """Union-find roots over all of ``data`` after linking the texts ``docs`` at ``threshold``.

    With ``guard``, two linked sets also need that mean similarity (:class:`GuardedUnionFind`).
    """
    n = len(data)
    uf = UnionFind(n) if guard is None else GuardedUnionFind(n, data.minhash, guard)
    if len(docs) < 2:
        return uf.roots()
    keys = band_keys(data.minhash[docs], bands)
    verified = np.zeros(0, dtype=np.int64)
    for j, band in enumerate(iter_bands(keys, docs)):
        if on_band is not None:
            on_band(j, bands)
        a, b = band.star_and_chain()
        counters.candidate_pairs += len(a)
        if len(a) == 0:
            continue
        roots = uf.roots()
        apart = roots[a] != roots[b]
        a, b = a[apart], b[apart]
        pair = unique_sorted(np.minimum(a, b) * n + np.maximum(a, b))
        pair = pair[~isin_sorted(pair, verified)]
        lo, hi = pair // n, pair % n
        estimate = estimated_jaccard(data, lo, hi)
        counters.estimated_pairs += len(lo)
        likely = estimate >= threshold - ESTIMATE_MARGIN
        lo, hi = lo[likely], hi[likely]
        jaccard, _a_in_b, _b_in_a = jaccard_and_containment(data, lo, hi)
        counters.verified_pairs += len(lo)
        verified = np.sort(np.concatenate([verified, pair[likely]]))
        linked = jaccard >= threshold
        counters.linked_pairs += int(linked.sum())
        uf.union_all(lo[linked], hi[linked])
    if isinstance(uf, GuardedUnionFind):
        counters.refused_links += uf.refused
    return uf.roots()
