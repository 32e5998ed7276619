"""Sub-variants (forks) inside a template family.

A fork is a sub-agency's edited copy of a family's letter, then filled in for each customer: the
copies of one fork are closer to each other than base copies are, and clearly further from the
base letter. Plain linkage at a high threshold cannot separate them (with thousands of base
copies, some base copy is always close to some fork copy), so links are *relative*: two copies
are linked only when their similarity exceeds both copies' mean similarity to the family's core
by ``margin`` (and at least ``threshold``). Base copies are about as similar to each other as
to the core and stay unlinked; fork copies link among themselves. Linked sets of at least
``min_size`` copies are the forks; the rest is the base letter. A complaint that quotes the
family goes to the fork whose own wording (what its copies share and neither the base letter nor
the rest of the data has) it holds, else to the base letter.

Similarities here are MinHash estimates (variants label members, they do not decide who is in
a group).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from caseapp.analysis.arrays import evenly, isin_sorted, run_starts
from caseapp.analysis.linking import UnionFind
from caseapp.analysis.lsh import band_keys, iter_bands
from caseapp.analysis.overlap import estimated_jaccard
from caseapp.analysis.profiles import profile, profile_hits
from caseapp.analysis.signatures import Signatures

_REFERENCE = 64  # core members each copy is compared with
_PROFILE_SAMPLE = 64  # copies a fork's or the base letter's wording is taken from
_MIN_WORDING = 10  # a fork with less wording of its own takes no quotes
_QUOTE_SHARE = 0.3  # share of a fork's own wording a quote must hold
_CORE_SHARE = 0.2  # the core: this share of members most similar to a first sample
_CHUNK = 1024


@dataclass(frozen=True)
class ForkSettings:
    threshold: float = 0.7
    margin: float = 0.15
    min_size: int = 3
    bands: int = 32


def mean_similarity(
    data: Signatures, docs: npt.NDArray[np.int64], reference: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """Mean MinHash-estimated Jaccard similarity of each text to the ``reference`` texts."""
    out = np.empty(len(docs), dtype=np.float64)
    ref = data.minhash[reference][None, :, :]
    for start in range(0, len(docs), _CHUNK):
        block = data.minhash[docs[start : start + _CHUNK]][:, None, :]
        out[start : start + _CHUNK] = (block == ref).mean(axis=2).mean(axis=1)
    return out


def core_reference(
    data: Signatures, members: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """A sample of the family's core and every member's mean similarity to it."""
    first = mean_similarity(data, members, evenly(members, _REFERENCE))
    keep = max(min(len(members), 16), int(_CORE_SHARE * len(members)))
    order = np.lexsort((members, -first))[:keep]
    reference = evenly(np.sort(members[order]), _REFERENCE)
    return reference, mean_similarity(data, members, reference)


def split_forks(
    data: Signatures, members: npt.NDArray[np.int64], settings: ForkSettings
) -> npt.NDArray[np.int64]:
    """Fork number of every member (``-1``: base letter; forks largest first)."""
    labels = np.full(len(members), -1, dtype=np.int64)
    if len(members) < max(settings.min_size, 3):
        return labels
    _reference, centrality = core_reference(data, members)
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
        floor = np.maximum(
            np.maximum(centrality[a], centrality[b]) + settings.margin, settings.threshold
        )
        linked = similarity >= floor
        uf.union_all(a[linked], b[linked])
    roots = uf.roots()
    sizes = np.bincount(roots, minlength=len(members))
    fork_roots = np.flatnonzero(sizes >= settings.min_size)
    order = np.lexsort((fork_roots, -sizes[fork_roots]))
    number = np.full(len(members), -1, dtype=np.int64)
    number[fork_roots[order]] = np.arange(len(fork_roots))
    return number[roots]


def fork_wordings(
    data: Signatures,
    members: npt.NDArray[np.int64],
    labels: npt.NDArray[np.int64],
    common: npt.NDArray[np.uint32],
) -> list[npt.NDArray[np.uint32]]:
    """Each fork's own wording, by which quotes are told apart.

    What half of the fork's copies share, minus the base letter's wording and minus ``common``
    (sorted shingles found in many complaints outside the family, such as the stories debtors
    tell around a quote). A fork with less than ``_MIN_WORDING`` shingles of it takes no quotes.
    """
    forks = int(labels.max(initial=-1)) + 1
    base = members[labels < 0]
    base_wording = profile(data, evenly(base, _PROFILE_SAMPLE), 0.5) if len(base) else None
    wordings: list[npt.NDArray[np.uint32]] = []
    for f in range(forks):
        wording = profile(data, evenly(members[labels == f], _PROFILE_SAMPLE), 0.5)
        if base_wording is not None:
            wording = wording[~isin_sorted(wording, base_wording)]
        wording = wording[~isin_sorted(wording, common)]
        wordings.append(wording if len(wording) >= _MIN_WORDING else wording[:0])
    return wordings


def assign_quotes(
    data: Signatures,
    wordings: list[npt.NDArray[np.uint32]],
    quotes: npt.NDArray[np.int64],
    share: float = _QUOTE_SHARE,
) -> npt.NDArray[np.int64]:
    """Fork of each quoting text (``-1``: base letter): the fork whose own wording it holds
    most, if it holds ``share`` of it. An excerpt of the base letter holds almost none."""
    out = np.full(len(quotes), -1, dtype=np.int64)
    if not wordings or len(quotes) == 0:
        return out
    text, fork, held = profile_hits(data, quotes, wordings)
    good = held >= share
    text, fork, held = text[good], fork[good], held[good]
    order = np.lexsort((fork, -held, text))
    text, fork = text[order], fork[order]
    first = run_starts(text)
    out[text[first]] = fork[first]
    return out
