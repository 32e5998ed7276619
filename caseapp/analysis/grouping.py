"""Templated-complaint grouping: families of near-duplicate texts, their forks and their quotes.

The engine works in four steps over MinHash signatures and exact shingle sets:

1. **Near-duplicates.** LSH buckets propose pairs; a pair whose exact Jaccard similarity reaches
   ``threshold`` links its texts. Linked texts form *clusters* (connected components).
2. **Families.** Clusters are taken largest first. A cluster of at least ``min_family_size``
   texts (and ``min_family_share`` of all texts) founds a family unless it joins one; a cluster
   joins the family whose founding cluster it resembles most on average (mean Jaccard between
   samples of both, at least ``family_threshold``). Forks of a template (a third of the letter
   rewritten by a sub-agency) join their family this way, while no single text can chain two
   families: the criterion is an average against the family's founding cluster, never one pair.
3. **Quotes.** A text in no family joins the family whose *wording profile* (the shingles of at
   least half of its texts) it contains most, if that share reaches ``containment``: a debtor
   who pastes most of an agency's letter into their own words. Only families absorb texts this
   way, so genuine complaints that resemble each other never snowball into a group, and a text
   joins one family only (a letter spliced from two templates goes to the one it quotes most).
4. **Variants.** Inside a family, copies that are clearly closer to each other than to the
   family's core form its sub-variants (forks; see :mod:`caseapp.analysis.variants`). Variant
   0 is the base letter.

Steps 2 and 3 also require a *lift*: the score must be at least ``min_lift`` times what a random
complaint of the same data scores against that family. In Chinese, random complaints share almost
no 3-character shingles with a template, and the lift never binds; in English, where short
character shingles are common to all texts, it keeps generic wording from joining families.

Boilerplate (the same law articles pasted into many genuine complaints) is handled by these rules
rather than by dropping frequent shingles: the most frequent shingles of complaint data are the
templates' own. A genuine complaint is grouped only when most of its wording matches another text
(``threshold``), or when it holds most of a mass-produced letter's wording; sharing a paragraph of
legal citations with other genuine complaints gives neither.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from caseapp.analysis.arrays import (
    evenly,
    isin_sorted,
    members_by_label,
    run_starts,
    unique_counts,
    unique_inverse,
    unique_sorted,
)
from caseapp.analysis.linking import LinkCounters, UnionFind, link_near_duplicates
from caseapp.analysis.overlap import estimated_jaccard, jaccard_and_containment
from caseapp.analysis.profiles import (
    profile,
    profile_hits,
    shingle_counts,
    without_shingles,
)
from caseapp.analysis.signatures import Signatures, SignatureSpec, compute_signatures
from caseapp.analysis.variants import ForkSettings, assign_quotes, fork_wordings, split_forks
from caseapp.domain.errors import InvalidInputError
from caseapp.domain.progress import CancelToken, NullProgress, ProgressSink
from caseapp.i18n import _

_SEED_SAMPLE = 8  # texts of a cluster compared with a family
_FAMILY_SAMPLE = 32  # texts of a family's founding cluster it is compared against
_PROFILE_SAMPLE = 64  # texts a family's wording profile is taken from
_PROFILE_SHARE = 0.5  # a profile: shingles of at least half of them
_PROFILE_MIN = 10  # a family with a smaller profile absorbs no quoting text
_COMMON_SAMPLE = 4096  # texts sampled to find the data's common wording
_COMMON_SHARE = 0.005  # common wording: in this share of the sampled texts (and 3 or more)
_BACKGROUND_SAMPLE = 256  # random texts that measure how much any text resembles a family
_CENTRAL_SAMPLE = 48  # members a representative candidate is compared with
_CENTRAL_CANDIDATES = 256  # representative candidates per group


@dataclass(frozen=True)
class GroupingParams:
    """Settings of one grouping run; stored with the run (``to_json``) to reproduce it.

    ``threshold`` is the similarity investigators adjust: the exact Jaccard similarity of two
    complaints' character shingles (after normalisation) at or above which they are
    near-duplicates. The others are tuned defaults (see the module docstring):

    - ``family_threshold``: mean similarity of a cluster to a family's founding cluster for it to
      join that family as a variant; also the mean similarity two linked sets need to merge.
    - ``containment``: share of a family's wording profile a text must hold to join it as a quote.
    - ``fork_threshold``, ``fork_margin``, ``min_fork_size``: copies inside a family are a fork
      (sub-variant) when at least ``min_fork_size`` of them are linked by a similarity of at least
      ``fork_threshold`` and ``fork_margin`` above their similarity to the family's core.
    - ``min_lift``: a join (variant or quote) also needs ``min_lift`` times the similarity of a
      typical complaint of the same data to that family.
    - ``min_family_size``, ``min_family_share``: the smallest cluster that founds a family (and
      can absorb variants and quotes): this many texts and this share of all texts.
    - ``min_length``: texts with fewer normalised characters are not grouped.
    - ``shingle``, ``latin_shingle``: characters per shingle, for Chinese and Latin-script texts;
      ``script``: ``auto`` (per text), ``cjk`` or ``latin``.
    - ``num_perm``, ``bands``, ``seed``: MinHash permutations, LSH bands (``rows`` each), seed.
    """

    threshold: float = 0.7
    family_threshold: float = 0.25
    containment: float = 0.35
    fork_threshold: float = 0.7
    fork_margin: float = 0.15
    min_fork_size: int = 3
    min_lift: float = 8.0
    min_family_size: int = 10
    min_family_share: float = 0.001
    min_length: int = 20
    shingle: int = 3
    latin_shingle: int = 3
    num_perm: int = 128
    bands: int = 32
    seed: int = 1
    script: str = "auto"

    def __post_init__(self) -> None:
        for name in (
            "threshold",
            "family_threshold",
            "containment",
            "min_family_share",
            "fork_threshold",
            "fork_margin",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise InvalidInputError(
                    _("The setting {name} must be between 0 and 1.").format(name=name)
                )
        if self.bands < 1 or self.num_perm % self.bands:
            raise InvalidInputError(
                _("The number of permutations must be a multiple of the number of bands.")
            )
        if self.min_family_size < 2 or self.min_length < 0:
            raise InvalidInputError(_("The family size must be at least 2."))
        self.signature_spec()  # validates the shingle settings

    @property
    def rows(self) -> int:
        """Signature rows per LSH band."""
        return self.num_perm // self.bands

    def signature_spec(self) -> SignatureSpec:
        return SignatureSpec(
            shingle=self.shingle,
            latin_shingle=self.latin_shingle,
            num_perm=self.num_perm,
            seed=self.seed,
            script=self.script,
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> GroupingParams:
        """Settings stored by ``to_json``; unknown keys are ignored, missing ones defaulted."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(_("The stored grouping settings are damaged.")) from exc
        if not isinstance(data, dict):
            raise InvalidInputError(_("The stored grouping settings are damaged."))
        known = {f.name: f.type for f in fields(cls)}
        values: dict[str, object] = {}
        for key, value in data.items():
            if key not in known:
                continue
            default = getattr(cls, key)
            try:
                values[key] = type(default)(value)
            except (TypeError, ValueError) as exc:
                raise InvalidInputError(_("The stored grouping settings are damaged.")) from exc
        return cls(**values)  # type: ignore[arg-type]


class MemberKind(StrEnum):
    """How a member came into its group (stable strings)."""

    NEAR_DUPLICATE = "near_duplicate"  # linked to the founding cluster at ``threshold``
    VARIANT = "variant"  # in a cluster that joined the family (a fork)
    CONTAINED = "contained"  # quotes most of the family's letter inside its own text


@dataclass(frozen=True)
class Member:
    doc_id: int
    similarity: float  # exact Jaccard similarity to the group's representative
    variant: int | None  # index into Group.variants
    containment: float = 0.0  # share of the representative's shingles found in this text
    kind: MemberKind = MemberKind.NEAR_DUPLICATE


@dataclass(frozen=True)
class Group:
    representative: int
    members: tuple[Member, ...]  # the representative first, then by similarity
    variants: tuple[tuple[int, ...], ...]  # doc ids of each sub-variant, largest first

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def doc_ids(self) -> tuple[int, ...]:
        return tuple(m.doc_id for m in self.members)


@dataclass(frozen=True)
class GroupingStats:
    texts: int = 0
    grouped_texts: int = 0  # texts long enough to be compared
    candidate_pairs: int = 0  # pairs proposed by the LSH buckets
    estimated_pairs: int = 0  # pairs whose MinHash estimate was computed
    verified_pairs: int = 0  # pairs whose exact Jaccard/containment was computed
    linked_pairs: int = 0  # verified pairs at or above the threshold
    refused_links: int = 0  # linked pairs whose clusters differ too much on average to join
    clusters: int = 0  # near-duplicate clusters of two texts or more
    joined_clusters: int = 0  # clusters that joined a family as a variant
    contained_texts: int = 0  # texts that joined a family by containment
    boilerplate_texts: int = 0  # texts unlinked because only common wording linked them
    seconds: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class GroupingResult:
    groups: tuple[Group, ...]  # two members or more, largest first
    params: GroupingParams
    stats: GroupingStats

    def group_of(self) -> dict[int, int]:
        """Map of doc id to the index of its group."""
        return {m.doc_id: i for i, g in enumerate(self.groups) for m in g.members}


class _Progress:
    """Progress over the engine's steps and the cancel check; times each step."""

    def __init__(self, sink: ProgressSink | None, cancel: CancelToken | None) -> None:
        self.sink = sink or NullProgress()
        self.cancel = cancel
        self.timings: dict[str, float] = {}
        self._started = time.perf_counter()

    def check(self) -> None:
        if self.cancel is not None:
            self.cancel.raise_if_cancelled()

    def report(self, done: int, total: int, label: str) -> None:
        self.check()
        self.sink.report(done, total, label)

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round(now - self._started, 3)
        self._started = now


class _Engine:
    def __init__(self, signatures: Signatures, params: GroupingParams, progress: _Progress) -> None:
        self.sig = signatures
        self.params = params
        self.progress = progress
        self.n = len(signatures)
        self.sizes = signatures.sizes()
        self.usable = (signatures.lengths >= max(params.min_length, 1)) & (self.sizes > 0)
        self.usable_index = np.flatnonzero(self.usable)
        self.links = LinkCounters()
        self.counters: dict[str, int] = defaultdict(int)
        self.families = 0  # family labels 0 … families-1; higher labels: standalone clusters
        self.joined = np.zeros(0, dtype=np.bool_)  # per cluster: joined a family it did not found
        self.profiles: list[npt.NDArray[np.uint32]] = []
        self._common: (
            tuple[npt.NDArray[np.int64], npt.NDArray[np.uint32], npt.NDArray[np.int64], int] | None
        ) = None

    # -- step 1 ---------------------------------------------------------------------------
    def link(self) -> npt.NDArray[np.int64]:
        label = _("Finding near-duplicate complaints")
        return link_near_duplicates(
            self.sig,
            self.usable_index,
            self.params.threshold,
            self.params.bands,
            self.links,
            on_band=lambda done, total: self.progress.report(done, total, label),
            guard=min(self.params.family_threshold, self.params.threshold),
        )

    # -- step 2 ---------------------------------------------------------------------------
    def form_families(
        self, roots: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Group label of every text (-1: none) and its cluster's number (-1: a single text)."""
        params = self.params
        n = self.n
        counts = np.bincount(roots, minlength=n)
        in_cluster = self.usable & (counts[roots] >= 2)
        cluster_roots = unique_sorted(roots[in_cluster])
        self.counters["clusters"] = len(cluster_roots)
        label_of = np.full(n, -1, dtype=np.int64)
        cluster = np.full(n, -1, dtype=np.int64)
        self.joined = np.zeros(len(cluster_roots), dtype=np.bool_)
        if len(cluster_roots) == 0:
            return label_of, cluster
        # Clusters numbered largest first (ties: smallest root).
        sizes = counts[cluster_roots]
        order = np.lexsort((cluster_roots, -sizes))
        cluster_roots = cluster_roots[order]
        sizes = sizes[order]
        number = np.full(n, -1, dtype=np.int64)
        number[cluster_roots] = np.arange(len(cluster_roots))
        cluster[in_cluster] = number[roots[in_cluster]]
        members = members_by_label(cluster, len(cluster_roots))

        # Every cluster is compared with every family founded so far. (LSH buckets are no guide
        # here: all copies of a fork share the same passages with all copies of the base letter,
        # so whether two of them meet in a bucket is decided per band, not per pair, and a fork
        # at Jaccard 0.3 from its base can miss it in every band.)
        min_size = self.min_family_size()
        family_of_cluster = np.full(len(cluster_roots), -1, dtype=np.int64)
        minhash = self.sig.minhash
        stacked = np.zeros((0, minhash.shape[1]), dtype=minhash.dtype)  # family samples
        owner = np.zeros(0, dtype=np.int64)  # family of every stacked row
        # How similar a typical complaint is to a family: the median over a random sample.
        background = self._background_texts()
        needed: list[float] = []
        label = _("Grouping forks into families")
        for c in range(len(cluster_roots)):
            if c % 256 == 0:
                self.progress.report(c, len(cluster_roots), label)
            best = -1
            if len(needed):
                mine = minhash[evenly(members[c], _SEED_SAMPLE)]
                agree = np.zeros(len(owner), dtype=np.float64)
                for row in mine:
                    agree += (stacked == row).mean(axis=1)
                self.links.estimated_pairs += len(mine) * len(owner)
                score = np.bincount(owner, weights=agree) / np.bincount(owner) / len(mine)
                score[score < np.asarray(needed)] = -1.0
                if score.max() >= 0:
                    best = int(np.argmax(score))
            if best >= 0:
                family_of_cluster[c] = best
                self.joined[c] = True
                self.counters["joined_clusters"] += 1
            elif sizes[c] >= min_size:
                family = len(needed)
                family_of_cluster[c] = family
                sample = evenly(members[c], _FAMILY_SAMPLE)
                stacked = np.concatenate([stacked, minhash[sample]])
                owner = np.concatenate([owner, np.full(len(sample), family)])
                outside = background[cluster[background] != c]
                lift = params.min_lift * self._typical_similarity(outside, sample)
                needed.append(max(params.family_threshold, lift))
        self.families = len(needed)
        # Clusters that neither founded nor joined a family stay groups of their own.
        alone = np.flatnonzero(family_of_cluster < 0)
        family_of_cluster[alone] = self.families + np.arange(len(alone))
        label_of[in_cluster] = family_of_cluster[cluster[in_cluster]]
        return label_of, cluster

    def _similarities(
        self, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.float64]:
        """Estimated Jaccard similarity of every text of ``a`` to every text of ``b``."""
        self.links.estimated_pairs += len(a) * len(b)
        est = estimated_jaccard(self.sig, np.repeat(a, len(b)), np.tile(b, len(a)))
        return est.reshape(len(a), len(b))

    def _mean_similarity(self, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> float:
        if len(a) == 0 or len(b) == 0:
            return 0.0
        return float(self._similarities(a, b).mean())

    def _typical_similarity(self, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> float:
        """The median over texts ``a`` of their mean similarity to the texts ``b``."""
        if len(a) == 0 or len(b) == 0:
            return 0.0
        return float(np.median(self._similarities(a, b).mean(axis=1)))

    def _background_texts(self) -> npt.NDArray[np.int64]:
        """A fixed pseudo-random sample of the texts being grouped."""
        rng = np.random.default_rng(self.params.seed)
        size = min(_BACKGROUND_SAMPLE, len(self.usable_index))
        return np.sort(rng.choice(self.usable_index, size, replace=False))

    def min_family_size(self) -> int:
        share = self.params.min_family_share * len(self.usable_index)
        return max(self.params.min_family_size, int(np.ceil(share)))

    def family_profiles(self, label_of: npt.NDArray[np.int64]) -> None:
        """The wording profile of every family (empty when too small to mean anything)."""
        members = members_by_label(label_of, self.families)
        self.profiles = []
        for f in range(self.families):
            wording = profile(self.sig, evenly(members[f], _PROFILE_SAMPLE), _PROFILE_SHARE)
            self.profiles.append(wording if len(wording) >= _PROFILE_MIN else wording[:0])
        self.progress.check()

    def _common_wording(
        self,
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint32], npt.NDArray[np.int64], int]:
        """A fixed sample of texts, the shingles frequent in it with their counts, and the count
        that makes a shingle frequent (``_COMMON_SHARE`` of the sample, at least 3)."""
        if self._common is None:
            rng = np.random.default_rng(self.params.seed)
            size = min(_COMMON_SAMPLE, len(self.usable_index))
            sample = np.sort(rng.choice(self.usable_index, size, replace=False))
            values, counts = shingle_counts(self.sig, sample)
            needed = max(3, int(np.ceil(_COMMON_SHARE * size)))
            frequent = counts >= needed
            self._common = (sample, values[frequent], counts[frequent], needed)
        return self._common

    def common_outside(
        self, docs: npt.NDArray[np.int64], owned: npt.NDArray[np.uint32] | None = None
    ) -> npt.NDArray[np.uint32]:
        """Shingles frequent in the data once the texts ``docs`` are left out (and ``owned``
        dropped): what many *other* complaints share."""
        sample, values, counts, needed = self._common_wording()
        if owned is not None and len(owned):
            keep = ~isin_sorted(values, owned)
            values, counts = values[keep], counts[keep]
        mine = docs[isin_sorted(docs, sample)]
        if len(mine):
            own_values, own_counts = shingle_counts(self.sig, mine)
            counts = counts.copy()
            hit = isin_sorted(own_values, values)
            counts[np.searchsorted(values, own_values[hit])] -= own_counts[hit]
        return values[counts >= needed]

    def drop_boilerplate_links(
        self, label_of: npt.NDArray[np.int64], cluster: npt.NDArray[np.int64]
    ) -> None:
        """Re-check the small clusters outside families without the data's common wording.

        Common wording is what many complaints *other than the cluster's own texts* share and no
        family owns: law articles pasted into complaints, stock phrases. Two genuine complaints
        that are near-duplicates only through it are not a group; the texts of a small cluster
        stay linked where their similarity without it still reaches ``threshold``. A small
        template (a few copies of a letter found nowhere else) keeps all of its wording.
        Updates ``label_of`` and ``cluster`` in place.
        """
        standalone = np.flatnonzero(self.usable & (label_of >= self.families))
        if len(standalone) == 0:
            return
        owned = unique_sorted(np.concatenate([np.zeros(0, np.uint32), *self.profiles]))
        labels = label_of[standalone]
        order = np.argsort(labels, kind="stable")
        bounds = np.flatnonzero(run_starts(labels[order]))
        uf = UnionFind(len(standalone))
        for start, end in zip(bounds, np.append(bounds[1:], len(order)), strict=True):
            local = order[start:end]
            docs = standalone[local]
            # The cluster's own occurrences do not make its wording common.
            common = self.common_outside(docs, owned)
            reduced = without_shingles(self.sig, docs, common)
            i, j = np.triu_indices(len(docs), k=1)
            jaccard, _a, _b = jaccard_and_containment(reduced, i, j)
            self.links.verified_pairs += len(i)
            linked = jaccard >= self.params.threshold
            uf.union_all(local[i[linked]], local[j[linked]])
        roots = uf.roots()
        sizes = np.bincount(roots, minlength=len(standalone))
        alone = sizes[roots] < 2
        self.counters["boilerplate_texts"] = int(alone.sum())
        piece_roots = unique_sorted(roots[~alone])
        new_label = np.full(len(standalone), -1, dtype=np.int64)
        new_label[~alone] = self.families + np.searchsorted(piece_roots, roots[~alone])
        label_of[standalone] = new_label
        cluster[standalone[alone]] = -1

    # -- step 3 ---------------------------------------------------------------------------
    def attach_quotes(
        self, label_of: npt.NDArray[np.int64], cluster: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.bool_]:
        """Texts and small clusters containing most of a family's wording join that family.

        Updates ``label_of`` and returns which texts joined this way.
        """
        params = self.params
        contained = np.zeros(self.n, dtype=np.bool_)
        if self.families == 0:
            return contained
        profiles = self.profiles
        # Loose texts and the texts of clusters that are not families.
        units = np.where(cluster >= 0, self.n + label_of, np.arange(self.n))
        outside = self.usable & ((label_of < 0) | (label_of >= self.families))
        docs = np.flatnonzero(outside)
        if len(docs) == 0:
            return contained
        # What share of each profile a random complaint outside the family holds.
        background = self._background_texts()
        b_text, b_fam, b_share = profile_hits(self.sig, background, profiles)
        shares = np.zeros((len(background), self.families), dtype=np.float64)
        shares[b_text, b_fam] = b_share
        inside = label_of[background][:, None] == np.arange(self.families)[None, :]
        base_share = np.array(
            [
                float(np.median(shares[~inside[:, f], f])) if (~inside[:, f]).any() else 0.0
                for f in range(self.families)
            ]
        )
        text, fam, share = profile_hits(self.sig, docs, profiles)
        self.links.verified_pairs += len(text)
        # A unit's score for a family: the mean share over the unit's texts.
        unit = units[docs]
        unit_ids, unit_of_doc = unique_inverse(unit)
        unit_sizes = np.bincount(unit_of_doc, minlength=len(unit_ids))
        width = np.int64(max(self.families, 1))
        key, total = _sum_by_key(unit_of_doc[text] * width + fam, share)
        score = total / unit_sizes[key // width]
        good = (score >= params.containment) & (score >= params.min_lift * base_share[key % width])
        key, score = key[good], score[good]
        # One family per unit: the best score (ties: the smaller family number).
        u, f = key // width, key % width
        order = np.lexsort((f, -score, u))
        u, f = u[order], f[order]
        first = run_starts(u)
        u, f = u[first], f[first]
        joining = np.zeros(len(unit_ids), dtype=np.int64) - 1
        joining[u] = f
        new_label = joining[unit_of_doc]
        moved = new_label >= 0
        label_of[docs[moved]] = new_label[moved]
        contained[docs[moved]] = True
        self.counters["contained_texts"] = int(moved.sum())
        return contained

    # -- step 4 ---------------------------------------------------------------------------
    def build_groups(
        self,
        label_of: npt.NDArray[np.int64],
        cluster: npt.NDArray[np.int64],
        contained: npt.NDArray[np.bool_],
    ) -> list[Group]:
        sig = self.sig
        ids = sig.ids
        params = self.params
        n_labels = int(label_of.max(initial=-1)) + 1
        members_of = members_by_label(label_of, n_labels)
        forks = ForkSettings(
            threshold=params.fork_threshold,
            margin=params.fork_margin,
            min_size=params.min_fork_size,
            bands=params.bands,
        )
        groups: list[Group] = []
        label = _("Describing the groups")
        for f, members in enumerate(members_of):
            if f % 64 == 0:
                self.progress.report(f, n_labels, label)
            if len(members) < 2:
                continue
            quoting = contained[members]
            core_members = members[~quoting]
            if len(core_members) == 0:
                core_members = members
            # The representative: the most central text of the founding (largest) cluster.
            clusters, counts = unique_counts(cluster[core_members])
            founding = clusters[np.lexsort((clusters, -counts))[0]]
            rep = self._central(core_members[cluster[core_members] == founding])
            variant = np.zeros(len(members), dtype=np.int64)
            if f < self.families:
                fork = split_forks(sig, core_members, forks)
                common = self.common_outside(members)
                wordings = fork_wordings(sig, core_members, fork, common)
                quote_fork = assign_quotes(sig, wordings, members[quoting])
                variant[~quoting] = fork + 1
                variant[quoting] = quote_fork + 1
                variant = _renumber_variants(variant)
            # Containment: the share of the representative's shingles found in the member.
            jaccard, contains_rep, _m_in_rep = jaccard_and_containment(
                sig, np.full(len(members), rep), members
            )
            joined_cluster = np.zeros(len(members), dtype=np.bool_)
            has_cluster = cluster[members] >= 0
            joined_cluster[has_cluster] = self.joined[cluster[members][has_cluster]]
            kinds = np.where(
                quoting,
                MemberKind.CONTAINED,
                np.where(joined_cluster, MemberKind.VARIANT, MemberKind.NEAR_DUPLICATE),
            )
            is_rep = members == rep
            order = np.lexsort((ids[members], -jaccard, ~is_rep))
            member_objs = tuple(
                Member(
                    doc_id=int(ids[members[i]]),
                    similarity=round(float(jaccard[i]), 4),
                    variant=int(variant[i]),
                    containment=round(float(contains_rep[i]), 4),
                    kind=MemberKind(str(kinds[i])),
                )
                for i in order.tolist()
            )
            variants = tuple(
                tuple(sorted(int(x) for x in ids[members[variant == v]]))
                for v in range(int(variant.max()) + 1)
            )
            groups.append(
                Group(representative=int(ids[rep]), members=member_objs, variants=variants)
            )
        groups.sort(key=lambda g: (-g.size, g.representative))
        return groups

    def _central(self, core: npt.NDArray[np.int64]) -> int:
        """The text of ``core`` most similar on average to the others (MinHash estimate)."""
        if len(core) <= 2:
            return int(core[0])
        candidates = evenly(core, _CENTRAL_CANDIDATES)
        reference = evenly(core, _CENTRAL_SAMPLE)
        est = estimated_jaccard(
            self.sig, np.repeat(candidates, len(reference)), np.tile(reference, len(candidates))
        ).reshape(len(candidates), len(reference))
        mean = est.mean(axis=1)
        best = np.flatnonzero(mean == mean.max())
        return int(candidates[best].min())


def _renumber_variants(variant: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Variant 0 is the base letter (when it has members); forks follow, largest first."""
    values, counts = unique_counts(variant)
    forks = values > 0
    order = np.concatenate(
        [values[~forks], values[forks][np.lexsort((values[forks], -counts[forks]))]]
    )
    mapping = np.zeros(int(values.max()) + 1, dtype=np.int64)
    mapping[order] = np.arange(len(order))
    return mapping[variant]


def _sum_by_key(
    keys: npt.NDArray[np.int64], weights: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    order = np.argsort(keys, kind="stable")
    keys, weights = keys[order], weights[order]
    starts = np.flatnonzero(run_starts(keys))
    return keys[starts], np.add.reduceat(weights, starts) if len(starts) else weights[:0]


def group_from_signatures(
    signatures: Signatures,
    params: GroupingParams | None = None,
    *,
    progress: ProgressSink | None = None,
    cancel: CancelToken | None = None,
) -> GroupingResult:
    """Group texts from their (possibly stored) signatures; see the module docstring."""
    params = params or GroupingParams()
    if signatures.spec != params.signature_spec():
        raise InvalidInputError(
            _("These signatures were computed with other shingle settings; compute them again.")
        )
    steps = _Progress(progress, cancel)
    steps.check()
    engine = _Engine(signatures, params, steps)
    roots = engine.link()
    steps.lap("near_duplicates")
    label_of, cluster = engine.form_families(roots)
    engine.family_profiles(label_of)
    engine.drop_boilerplate_links(label_of, cluster)
    steps.lap("families")
    contained = engine.attach_quotes(label_of, cluster)
    steps.lap("containment")
    groups = engine.build_groups(label_of, cluster, contained)
    steps.lap("groups")
    c = engine.counters
    links = engine.links
    stats = GroupingStats(
        texts=len(signatures),
        grouped_texts=len(engine.usable_index),
        candidate_pairs=links.candidate_pairs,
        estimated_pairs=links.estimated_pairs,
        verified_pairs=links.verified_pairs,
        linked_pairs=links.linked_pairs,
        refused_links=links.refused_links,
        clusters=c["clusters"],
        joined_clusters=c["joined_clusters"],
        contained_texts=c["contained_texts"],
        boilerplate_texts=c["boilerplate_texts"],
        seconds=dict(steps.timings),
    )
    return GroupingResult(groups=tuple(groups), params=params, stats=stats)


def group_texts(
    texts: Sequence[tuple[int, str]],
    params: GroupingParams | None = None,
    *,
    progress: ProgressSink | None = None,
    cancel: CancelToken | None = None,
) -> GroupingResult:
    """Group ``(id, text)`` pairs into templated-complaint families (ids must be distinct)."""
    params = params or GroupingParams()
    started = time.perf_counter()
    signatures = compute_signatures(
        texts, params.signature_spec(), progress=progress, cancel=cancel
    )
    elapsed = time.perf_counter() - started
    result = group_from_signatures(signatures, params, progress=progress, cancel=cancel)
    seconds = {"signatures": round(elapsed, 3), **result.stats.seconds}
    stats = GroupingStats(**{**asdict(result.stats), "seconds": seconds})
    return GroupingResult(groups=result.groups, params=params, stats=stats)
