"""LSH banding over MinHash signatures: buckets of texts that agree on a whole band.

Two texts with Jaccard similarity ``s`` share a bucket in at least one of ``b`` bands of ``r``
rows with probability ``1 − (1 − sʳ)ᵇ``. Buckets are found by sorting each band's keys; a bucket
is a run of equal keys in that order. Pairs are then taken from the runs sparingly (a star to the
run's first text and a chain along it) instead of every pair of a run: a run of a mass-produced
template holds thousands of texts, and connectivity needs only a spanning set.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

_MIX = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True, eq=False)
class Band:
    """One band's buckets: ``docs`` in key order, ``run`` the bucket number of each position."""

    docs: npt.NDArray[np.int64]
    run: npt.NDArray[np.int64]
    run_start: npt.NDArray[np.int64]  # first position of every run, plus the end
    shared: npt.NDArray[np.bool_]  # position whose run has two texts or more

    @property
    def run_sizes(self) -> npt.NDArray[np.int64]:
        return np.diff(self.run_start)

    def star_and_chain(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Pairs (run's first text, text) and (previous text, text) inside every run."""
        position = np.flatnonzero(self.shared)
        follower = position[position != self.run_start[self.run[position]]]
        first = self.run_start[self.run[follower]]
        chain = follower[first != follower - 1]
        a = np.concatenate([self.docs[first], self.docs[chain - 1]])
        b = np.concatenate([self.docs[follower], self.docs[chain]])
        return a, b


def band_keys(minhash: npt.NDArray[np.uint32], bands: int) -> npt.NDArray[np.uint64]:
    """A 64-bit key per text and band (``bands × n``) hashing the band's ``r`` rows."""
    n, num_perm = minhash.shape
    rows = num_perm // bands
    keys = np.empty((bands, n), dtype=np.uint64)
    for j in range(bands):
        h = np.full(n, np.uint64(j + 1), dtype=np.uint64)
        for value in minhash[:, j * rows : (j + 1) * rows].T:
            h ^= value.astype(np.uint64)
            h *= _MIX
            h ^= h >> np.uint64(31)
        keys[j] = h
    return keys


def iter_bands(keys: npt.NDArray[np.uint64], docs: npt.NDArray[np.int64]) -> Iterator[Band]:
    """The buckets of every band; ``docs`` names the texts the key columns belong to."""
    for band_keys_row in keys:
        order = np.argsort(band_keys_row, kind="stable")
        sorted_keys = band_keys_row[order]
        starts = np.ones(len(order), dtype=np.bool_)
        starts[1:] = sorted_keys[1:] != sorted_keys[:-1]
        run = np.cumsum(starts) - 1
        run_start = np.append(np.flatnonzero(starts), len(order))
        sizes = np.diff(run_start)
        yield Band(docs=docs[order], run=run, run_start=run_start, shared=sizes[run] > 1)
