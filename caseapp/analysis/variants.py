"""Sub-variants (forks) inside a template family.

A fork is a sub-agency's edited copy of a family's letter, then filled in for each customer: the
copies of one fork are closer to each other than base copies are, and clearly further from the
base letter. Plain linkage at a high threshold cannot separate them (with thousands of base
copies, some base copy is always close to some fork copy), so links are *relative*: two copies
are linked only when their similarity exceeds both copies' mean similarity to the family's core
by ``margin`` (and at least ``threshold``). Base copies are about as similar to each other as
to the core and stay unlinked; fork copies link among themselves. Linked sets of at least
``min_size`` copies are the forks; the rest is the base letter.

Similarities here are MinHash estimates (variants label members, they do not decide who is in
a group).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from caseapp.analysis.linking import UnionFind
from caseapp.analysis.lsh import band_keys, iter_bands
from caseapp.analysis.overlap import estimated_jaccard
from caseapp.analysis.signatures import Signatures

_REFERENCE = 64  # core members each copy is compared with
_CORE_SHARE = 0.2  # the core: this share of members most similar to a first sample
_CHUNK = 1024


@dataclass(frozen=True)
class ForkSettings:
    threshold: float = 0.6
    margin: float = 0.15
    min_size: int = 3
    bands: int = 32


def _evenly(members: npt.NDArray[np.int64], size: int) -> npt.NDArray[np.int64]:
    if len(members) <= size:
        return members
    return members[np.linspace(0, len(members) - 1, size).astype(np.int64)]


def mean_similarity(data: Signatures, docs: npt.NDArray[np.int64],
                    reference: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """Mean MinHash-estimated Jaccard similarity of each text to the ``reference`` texts."""
    out = np.empty(len(docs), dtype=np.float64)
    ref = data.minhash[reference][None, :, :]
    for start in range(0, len(docs), _CHUNK):
        block = data.minhash[docs[start : start + _CHUNK]][:, None, :]
        out[start : start + _CHUNK] = (block == ref).mean(axis=2).mean(axis=1)
    return out


def core_reference(data: Signatures, members: npt.NDArray[np.int64]
                   ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """A sample of the family's core and every member's mean similarity to it."""
    first = mean_similarity(data, members, _evenly(members, _REFERENCE))
    keep = max(min(len(members), 16), int(_CORE_SHARE * len(members)))
    order = np.lexsort((members, -first))[:keep]
    reference = _evenly(np.sort(members[order]), _REFERENCE)
    return reference, mean_similarity(data, members, reference)


def split_forks(data: Signatures, members: npt.NDArray[np.int64], settings: ForkSettings
                ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Fork number of every member (``-1``: base letter; forks largest first) and the core."""
    labels = np.full(len(members), -1, dtype=np.int64)
    if len(members) < max(settings.min_size, 3):
        return labels, members
    reference, centrality = core_reference(data, members)
    uf = UnionFind(len(members))
    keys = band_keys(data.minhash[members], settings.bands)
    local = np.arange(len(members), dtype=np.int64)
    for band in iter_bands(keys, local):
        a, b = band.star_and_chain()
        if len(a) == 0:
            continue
        roots = uf.roots()
        apart = roots[a] != roots[b]
        a, b = a[apart], b[apart]
        similarity = estimated_jaccard(data, members[a], members[b])
        floor = np.maximum(np.maximum(centrality[a], centrality[b]) + settings.margin,
                           settings.threshold)
        linked = similarity >= floor
        uf.union_all(a[linked], b[linked])
    roots = uf.roots()
    sizes = np.bincount(roots, minlength=len(members))
    fork_roots = np.flatnonzero(sizes >= settings.min_size)
    order = np.lexsort((fork_roots, -sizes[fork_roots]))
    number = np.full(len(members), -1, dtype=np.int64)
    number[fork_roots[order]] = np.arange(len(fork_roots))
    return number[roots], reference


def assign_quotes(
    data: Signatures,
    members: npt.NDArray[np.int64],
    labels: npt.NDArray[np.int64],
    reference: npt.NDArray[np.int64],
    quotes: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """Fork of each quoting text (``-1``: base): whose typical copy it contains most."""
    out = np.full(len(quotes), -1, dtype=np.int64)
    forks = int(labels.max(initial=-1)) + 1
    if forks == 0 or len(quotes) == 0:
        return out
    # One typical copy per fork (its first member) and the base's core sample.
    firsts = np.array([members[np.flatnonzero(labels == f)[0]] for f in range(forks)])
    candidates = np.concatenate([reference[:8], firsts])
    owner = np.concatenate([np.full(min(8, len(reference)), -1), np.arange(forks)])
    sizes = data.sizes().astype(np.float64)
    score = np.empty((len(quotes), len(candidates)), dtype=np.float64)
    for j, cand in enumerate(candidates.tolist()):
        est = estimated_jaccard(data, quotes, np.full(len(quotes), cand))
        # Containment of the candidate in the quote: |Q∩C|/|C| = J(|Q|+|C|)/((1+J)|C|).
        score[:, j] = est * (sizes[quotes] + sizes[cand]) / ((1.0 + est) * max(sizes[cand], 1))
    base = score[:, owner < 0].mean(axis=1)
    fork_scores = score[:, owner >= 0]
    best = fork_scores.argmax(axis=1)
    better = fork_scores[np.arange(len(quotes)), best] > base
    out[better] = best[better]
    return out
