"""Shingle sets and MinHash signatures of complaint texts, computed with numpy and storable.

Every normalised text becomes the sorted set of 32-bit hashes of its character shingles (of
``shingle`` characters, ``latin_shingle`` for Latin-script text). Its MinHash signature is the
minimum of ``num_perm`` universal hash permutations ``a·x + b (mod 2³²)`` over that set, computed
one permutation at a time over a cache-sized block of texts. Both are kept: the signatures find
candidate pairs, the sets verify them exactly. :class:`Signatures` round-trips through bytes
(``numpy.savez``, no pickle), so a store can keep them and a later run hashes only new texts.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from caseapp.analysis.arrays import run_starts, segment_positions, unique_counts
from caseapp.analysis.normalize import Script, normalise_batch
from caseapp.domain.errors import InvalidInputError
from caseapp.domain.progress import CancelToken, ProgressSink
from caseapp.i18n import _

FORMAT_VERSION = 1
EMPTY = np.uint32(0xFFFFFFFF)  # signature value of a text without shingles
_U32 = np.uint64(0xFFFFFFFF)
_BATCH = 4096  # texts normalised and hashed together
_BLOCK_TOKENS = 1 << 16  # shingles per MinHash block: the working array stays in cache

# Multipliers of the polynomial shingle hash (odd 64-bit constants).
_POSITION_MULTIPLIERS = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
        0x94D049BB133111EB,
        0xBF58476D1CE4E5B9,
        0x2545F4914F6CDD1D,
        0x9FB21C651E98DF25,
        0xA0761D6478BD642F,
        0xE7037ED1A0B428DB,
    ],
    dtype=np.uint64,
)
MAX_SHINGLE = len(_POSITION_MULTIPLIERS)


@dataclass(frozen=True)
class SignatureSpec:
    """Everything that decides a text's shingles and signature; equal specs are compatible."""

    shingle: int = 3
    latin_shingle: int = 3
    num_perm: int = 128
    seed: int = 1
    script: str = Script.AUTO.value

    def __post_init__(self) -> None:
        for size in (self.shingle, self.latin_shingle):
            if not 1 <= size <= MAX_SHINGLE:
                raise InvalidInputError(
                    _("The shingle size must be between 1 and {max}.").format(max=MAX_SHINGLE)
                )
        if not 8 <= self.num_perm <= 1024:
            raise InvalidInputError(_("The number of permutations must be between 8 and 1024."))
        Script(self.script)

    def fingerprint(self) -> str:
        return json.dumps(
            {
                "v": FORMAT_VERSION,
                "shingle": self.shingle,
                "latin_shingle": self.latin_shingle,
                "num_perm": self.num_perm,
                "seed": self.seed,
                "script": self.script,
            },
            sort_keys=True,
        )

    @classmethod
    def from_fingerprint(cls, text: str) -> SignatureSpec:
        data = json.loads(text)
        if data.get("v") != FORMAT_VERSION:
            raise InvalidInputError(
                _("The stored signatures come from another version; compute them again.")
            )
        return cls(
            shingle=int(data["shingle"]),
            latin_shingle=int(data["latin_shingle"]),
            num_perm=int(data["num_perm"]),
            seed=int(data["seed"]),
            script=str(data["script"]),
        )

    def permutations(self) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
        rng = np.random.default_rng(self.seed)
        a = rng.integers(0, 1 << 32, self.num_perm, dtype=np.uint64) | np.uint64(1)
        b = rng.integers(0, 1 << 32, self.num_perm, dtype=np.uint64)
        return a.astype(np.uint32), b.astype(np.uint32)


@dataclass(frozen=True, eq=False)
class Signatures:
    """Shingle sets and MinHash signatures of a list of texts, in input order.

    ``shingles[offsets[i]:offsets[i + 1]]`` is text ``i``'s sorted set of shingle hashes;
    ``minhash[i]`` its signature (all ``EMPTY`` when it has no shingle); ``lengths[i]`` the
    length of its normalised text; ``latin[i]`` whether it was shingled as Latin-script text.
    """

    spec: SignatureSpec
    ids: npt.NDArray[np.int64]
    minhash: npt.NDArray[np.uint32]
    offsets: npt.NDArray[np.int64]
    shingles: npt.NDArray[np.uint32]
    lengths: npt.NDArray[np.int64]
    latin: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.ids)

    def sizes(self) -> npt.NDArray[np.int64]:
        return np.diff(self.offsets)

    def shingle_set(self, index: int) -> npt.NDArray[np.uint32]:
        return self.shingles[self.offsets[index] : self.offsets[index + 1]]

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez(
            buffer,
            spec=np.array(self.spec.fingerprint()),
            ids=self.ids,
            minhash=self.minhash,
            offsets=self.offsets,
            shingles=self.shingles,
            lengths=self.lengths,
            latin=self.latin,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Signatures:
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
                loaded = {key: arrays[key] for key in arrays.files}
            spec = SignatureSpec.from_fingerprint(str(loaded["spec"]))
            signatures = cls(
                spec=spec,
                ids=loaded["ids"].astype(np.int64, copy=False),
                minhash=loaded["minhash"].astype(np.uint32, copy=False),
                offsets=loaded["offsets"].astype(np.int64, copy=False),
                shingles=loaded["shingles"].astype(np.uint32, copy=False),
                lengths=loaded["lengths"].astype(np.int64, copy=False),
                latin=loaded["latin"].astype(np.bool_, copy=False),
            )
        except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as exc:
            raise InvalidInputError(
                _("The stored signatures are damaged: {error}").format(error=exc)
            ) from exc
        signatures.check()
        return signatures

    def check(self) -> None:
        """Raise InvalidInputError unless the arrays are consistent with each other."""
        n = len(self.ids)
        ok = (
            self.minhash.shape == (n, self.spec.num_perm)
            and self.offsets.shape == (n + 1,)
            and self.lengths.shape == (n,)
            and self.latin.shape == (n,)
            and (n == 0 or (self.offsets[0] == 0 and self.offsets[-1] == len(self.shingles)))
            and bool(np.all(np.diff(self.offsets) >= 0))
            and (n == 0 or int(unique_counts(self.ids)[1].max()) == 1)
        )
        if not ok:
            raise InvalidInputError(_("The stored signatures are inconsistent."))

    def select(self, positions: npt.ArrayLike) -> Signatures:
        """The signatures at ``positions`` (indices into this object), in that order."""
        index = np.asarray(positions, dtype=np.int64)
        sizes = self.sizes()[index]
        offsets = np.zeros(len(index) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        return Signatures(
            spec=self.spec,
            ids=self.ids[index],
            minhash=self.minhash[index],
            offsets=offsets,
            shingles=self.shingles[segment_positions(self.offsets[index], sizes)],
            lengths=self.lengths[index],
            latin=self.latin[index],
        )

    def without(self, ids: Iterable[int]) -> Signatures:
        """These signatures minus the texts whose id is in ``ids``."""
        drop = np.fromiter(ids, dtype=np.int64)
        return self.select(np.flatnonzero(~np.isin(self.ids, drop)))

    @classmethod
    def concat(cls, parts: Sequence[Signatures]) -> Signatures:
        """One object from several with the same spec; a later part's id replaces an earlier."""
        if not parts:
            return empty_signatures(SignatureSpec())
        spec = parts[0].spec
        if any(p.spec != spec for p in parts):
            raise InvalidInputError(
                _("These signatures were computed with different settings; compute them again.")
            )
        ids = np.concatenate([p.ids for p in parts])
        # Keep the last occurrence of every id.
        order = np.argsort(ids[::-1], kind="stable")
        first_reversed = order[run_starts(ids[::-1][order])]
        keep = np.sort(len(ids) - 1 - first_reversed)
        offsets = [parts[0].offsets]
        base = parts[0].offsets[-1]
        for p in parts[1:]:
            offsets.append(p.offsets[1:] + base)
            base += p.offsets[-1]
        joined = cls(
            spec=spec,
            ids=ids,
            minhash=np.concatenate([p.minhash for p in parts]),
            offsets=np.concatenate(offsets),
            shingles=np.concatenate([p.shingles for p in parts]),
            lengths=np.concatenate([p.lengths for p in parts]),
            latin=np.concatenate([p.latin for p in parts]),
        )
        return joined if len(keep) == len(ids) else joined.select(keep)


def empty_signatures(spec: SignatureSpec) -> Signatures:
    return Signatures(
        spec=spec,
        ids=np.zeros(0, np.int64),
        minhash=np.zeros((0, spec.num_perm), np.uint32),
        offsets=np.zeros(1, np.int64),
        shingles=np.zeros(0, np.uint32),
        lengths=np.zeros(0, np.int64),
        latin=np.zeros(0, np.bool_),
    )


def _mix64(h: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """The splitmix64 finaliser, in place."""
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h


def _shingle_hashes(
    codes: npt.NDArray[np.uint32],
    starts: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
    size: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint32]]:
    """(text index, 32-bit hash) of every ``size``-character shingle of the given texts."""
    counts = np.maximum(ends - starts - size + 1, 0)
    positions = segment_positions(starts, counts)
    h = np.zeros(len(positions), dtype=np.uint64)
    for j in range(size):
        h += codes[positions + j].astype(np.uint64) * _POSITION_MULTIPLIERS[j]
    h += np.uint64(size)
    _mix64(h)
    owners = np.repeat(np.arange(len(starts), dtype=np.int64), counts)
    return owners, (h >> np.uint64(32)).astype(np.uint32)


def _shingle_sets(
    texts: Sequence[str], spec: SignatureSpec
) -> tuple[
    npt.NDArray[np.int64], npt.NDArray[np.uint32], npt.NDArray[np.int64], npt.NDArray[np.bool_]
]:
    """Sizes and concatenated sorted shingle sets of a batch, normalised lengths, Latin flags."""
    batch = normalise_batch(texts, spec.script)
    n = len(batch)
    starts, ends = batch.offsets[:-1], batch.offsets[1:]
    owners_parts: list[npt.NDArray[np.int64]] = []
    hash_parts: list[npt.NDArray[np.uint32]] = []
    for latin, size in ((False, spec.shingle), (True, spec.latin_shingle)):
        which = np.flatnonzero(batch.latin == latin)
        if len(which):
            owners, hashes = _shingle_hashes(batch.codes, starts[which], ends[which], size)
            owners_parts.append(which[owners])
            hash_parts.append(hashes)
    owners = np.concatenate(owners_parts)
    hashes = np.concatenate(hash_parts)
    keys = (owners.astype(np.uint64) << np.uint64(32)) | hashes.astype(np.uint64)
    keys.sort()
    keys = keys[run_starts(keys)]
    sizes = np.bincount((keys >> np.uint64(32)).astype(np.int64), minlength=n)
    return sizes, (keys & _U32).astype(np.uint32), batch.lengths(), batch.latin


def minhash_signatures(
    shingles: npt.NDArray[np.uint32], offsets: npt.NDArray[np.int64], spec: SignatureSpec
) -> npt.NDArray[np.uint32]:
    """MinHash signatures (n × num_perm) of the sets ``shingles[offsets[i]:offsets[i+1]]``."""
    n = len(offsets) - 1
    a, b = spec.permutations()
    out = np.full((n, spec.num_perm), EMPTY, dtype=np.uint32)
    nonempty = np.flatnonzero(offsets[1:] > offsets[:-1])
    if len(nonempty) == 0:
        return out
    work = np.empty(_BLOCK_TOKENS + int(np.diff(offsets).max()), dtype=np.uint32)
    block_start = 0
    while block_start < len(nonempty):
        # Texts whose shingles fit in one block (at least one text per block).
        first_offset = offsets[nonempty[block_start]]
        limit = np.searchsorted(offsets[nonempty + 1], first_offset + _BLOCK_TOKENS, "right")
        block_end = max(int(limit), block_start + 1)
        docs = nonempty[block_start:block_end]
        segment = shingles[first_offset : offsets[docs[-1] + 1]]
        local_starts = offsets[docs] - first_offset
        h = work[: len(segment)]
        block = np.empty((spec.num_perm, len(docs)), dtype=np.uint32)
        for i in range(spec.num_perm):
            np.multiply(segment, a[i], out=h)
            h += b[i]
            block[i] = np.minimum.reduceat(h, local_starts)
        out[docs] = block.T
        block_start = block_end
    return out


def _normalise_input(texts: Sequence[tuple[int, str]]) -> tuple[npt.NDArray[np.int64], list[str]]:
    ids = np.fromiter((int(i) for i, _t in texts), dtype=np.int64, count=len(texts))
    if len(ids) and int(unique_counts(ids)[1].max()) > 1:
        raise InvalidInputError(_("Each text needs its own id; some ids appear twice."))
    return ids, [t if isinstance(t, str) else "" for _i, t in texts]


def compute_signatures(
    texts: Sequence[tuple[int, str]],
    spec: SignatureSpec | None = None,
    *,
    progress: ProgressSink | None = None,
    cancel: CancelToken | None = None,
) -> Signatures:
    """Shingle sets and MinHash signatures of ``(id, text)`` pairs (ids must be distinct)."""
    spec = spec or SignatureSpec()
    ids, strings = _normalise_input(texts)
    n = len(strings)
    size_parts: list[npt.NDArray[np.int64]] = []
    shingle_parts: list[npt.NDArray[np.uint32]] = []
    length_parts: list[npt.NDArray[np.int64]] = []
    latin_parts: list[npt.NDArray[np.bool_]] = []
    minhash_parts: list[npt.NDArray[np.uint32]] = []
    label = _("Computing text signatures")
    for start in range(0, n, _BATCH):
        if cancel is not None:
            cancel.raise_if_cancelled()
        if progress is not None:
            progress.report(start, n, label)
        sizes, shingles, lengths, latin = _shingle_sets(strings[start : start + _BATCH], spec)
        offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        minhash_parts.append(minhash_signatures(shingles, offsets, spec))
        size_parts.append(sizes)
        shingle_parts.append(shingles)
        length_parts.append(lengths)
        latin_parts.append(latin)
    if cancel is not None:
        cancel.raise_if_cancelled()
    if progress is not None:
        progress.report(n, n, label)
    if n == 0:
        return empty_signatures(spec)
    sizes = np.concatenate(size_parts)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    return Signatures(
        spec=spec,
        ids=ids,
        minhash=np.concatenate(minhash_parts),
        offsets=offsets,
        shingles=np.concatenate(shingle_parts),
        lengths=np.concatenate(length_parts),
        latin=np.concatenate(latin_parts),
    )


def extend_signatures(
    existing: Signatures,
    texts: Sequence[tuple[int, str]],
    *,
    replace: bool = False,
    progress: ProgressSink | None = None,
    cancel: CancelToken | None = None,
) -> Signatures:
    """``existing`` plus the signatures of ``texts`` whose id it does not hold yet.

    Only the new texts are hashed. With ``replace``, texts whose id is already there are hashed
    again and replace the stored entry (an edited complaint).
    """
    known = set(existing.ids.tolist())
    todo = [(i, t) for i, t in texts if replace or int(i) not in known]
    if not todo:
        return existing
    added = compute_signatures(todo, existing.spec, progress=progress, cancel=cancel)
    return Signatures.concat([existing, added])
