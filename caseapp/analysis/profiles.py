"""Wording profiles of groups of texts, and how much of each profile a text contains.

A profile is the set of shingles found in at least a given share of a group's texts: for a
template family, the letter's fixed wording without the names, amounts and per-copy edits. The
share of a profile found in a text is an exact containment measure that does not depend on the
rest of the text, so a complaint that pastes most of a letter into its own story still scores
high, and a complaint that merely shares a few sentences with a family scores low.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from caseapp.analysis.arrays import isin_sorted, segment_positions, unique_counts
from caseapp.analysis.signatures import Signatures

_CHUNK_SHINGLES = 1 << 22


def gather_shingles(
    data: Signatures, docs: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint32]]:
    """(position in ``docs``, shingle) for every shingle of the given texts."""
    sizes = data.sizes()[docs]
    values = data.shingles[segment_positions(data.offsets[docs], sizes)]
    owners = np.repeat(np.arange(len(docs), dtype=np.int64), sizes)
    return owners, values


def shingle_counts(
    data: Signatures, docs: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """Distinct shingles of the given texts and in how many of them each occurs."""
    _owners, values = gather_shingles(data, docs)
    return unique_counts(values)


def without_shingles(
    data: Signatures, docs: npt.NDArray[np.int64], drop: npt.NDArray[np.uint32]
) -> Signatures:
    """The shingle sets of ``docs`` minus the sorted shingles ``drop`` (no MinHash)."""
    owners, values = gather_shingles(data, docs)
    keep = ~isin_sorted(values, drop)
    sizes = np.bincount(owners[keep], minlength=len(docs))
    offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    return Signatures(
        spec=data.spec,
        ids=data.ids[docs],
        minhash=np.zeros((len(docs), 0), dtype=np.uint32),
        offsets=offsets,
        shingles=values[keep],
        lengths=data.lengths[docs],
        latin=data.latin[docs],
    )


def profile(data: Signatures, docs: npt.NDArray[np.int64], share: float) -> npt.NDArray[np.uint32]:
    """Shingles present in at least ``share`` of the texts ``docs`` (sorted)."""
    values, counts = shingle_counts(data, docs)
    needed = max(1, int(np.ceil(share * len(docs))))
    return values[counts >= needed]


def profile_hits(
    data: Signatures, docs: npt.NDArray[np.int64], profiles: Sequence[npt.NDArray[np.uint32]]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Sparse (text position, profile, share of the profile in the text) for all hits."""
    sizes = np.array([len(p) for p in profiles], dtype=np.int64)
    table = np.concatenate(list(profiles)) if profiles else np.zeros(0, np.uint32)
    owner = np.repeat(np.arange(len(profiles), dtype=np.int64), sizes)
    order = np.argsort(table, kind="stable")
    table, owner = table[order], owner[order]
    n_profiles = max(len(profiles), 1)
    out_doc: list[npt.NDArray[np.int64]] = []
    out_profile: list[npt.NDArray[np.int64]] = []
    out_hits: list[npt.NDArray[np.int64]] = []
    doc_sizes = data.sizes()[docs]
    cost = np.cumsum(doc_sizes)
    start = 0
    while start < len(docs) and len(table):
        base = cost[start - 1] if start else 0
        end = max(int(np.searchsorted(cost, base + _CHUNK_SHINGLES, "right")), start + 1)
        owners, values = gather_shingles(data, docs[start:end])
        lo = np.searchsorted(table, values, "left")
        hi = np.searchsorted(table, values, "right")
        count = hi - lo
        text = np.repeat(owners, count) + start
        prof = owner[segment_positions(lo, count)]
        key, hits = unique_counts(text * n_profiles + prof)
        out_doc.append(key // n_profiles)
        out_profile.append(key % n_profiles)
        out_hits.append(hits)
        start = end
    if not out_doc:
        empty = np.zeros(0, np.int64)
        return empty, empty, np.zeros(0, np.float64)
    doc = np.concatenate(out_doc)
    prof = np.concatenate(out_profile)
    share = np.concatenate(out_hits) / np.maximum(sizes[prof], 1)
    return doc, prof, share
