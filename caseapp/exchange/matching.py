"""Match local identifiers against peers' entries by recomputing the same keyed hashes.

Pure functions over plain data: the service loads the rows, this module hashes and joins.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from caseapp.exchange.hashing import EXCHANGED_TYPES, digests

# A local identifier: (identifier id, type, normalised value).
LocalIdentifier = tuple[int, str, str]


@dataclass(frozen=True, slots=True)
class PeerEntry:
    """One peer file's entry, with who issued it."""

    file_id: int
    issuer_code: str
    issuer_name: str
    category: str
    first_seen: date | None
    last_seen: date | None
    complaints: int
    customers: int


@dataclass(frozen=True, slots=True)
class InstitutionReport:
    """What one other institution reports about one identifier (its files merged)."""

    code: str
    name: str
    categories: tuple[str, ...]
    first_seen: date | None
    last_seen: date | None
    complaints: int
    customers: int


def local_digests(
    identifiers: Sequence[LocalIdentifier], keys: Mapping[str, bytes]
) -> dict[str, dict[str, list[int]]]:
    """For each key id, digest → the local identifier ids with that digest."""
    usable = [i for i in identifiers if i[1] in EXCHANGED_TYPES and i[2]]
    pairs = [(kind, value) for _id, kind, value in usable]
    out: dict[str, dict[str, list[int]]] = {}
    for key_id, secret in keys.items():
        table: dict[str, list[int]] = {}
        for (identifier_id, _kind, _value), digest in zip(usable, digests(secret, pairs),
                                                           strict=True):
            found = table.get(digest)
            if found is None:
                table[digest] = [identifier_id]
            else:
                found.append(identifier_id)
        out[key_id] = table
    return out


def match(
    local: Mapping[str, Mapping[str, list[int]]],
    peer: Iterable[tuple[str, str, PeerEntry]],
) -> dict[int, list[PeerEntry]]:
    """Local identifier id → the peer entries (key id, digest, entry) with the same digest."""
    hits: dict[int, list[PeerEntry]] = defaultdict(list)
    for key_id, digest, entry in peer:
        table = local.get(key_id)
        if table is None:
            continue
        for identifier_id in table.get(digest, ()):
            hits[identifier_id].append(entry)
    return dict(hits)


def by_institution(entries: Iterable[PeerEntry]) -> tuple[InstitutionReport, ...]:
    """Merge the entries of each issuing institution (several files, e.g. one per case):
    earliest first-seen, latest last-seen, the largest counts (their files may overlap)."""
    grouped: dict[str, list[PeerEntry]] = defaultdict(list)
    for e in entries:
        grouped[e.issuer_code].append(e)
    reports = []
    for code, items in grouped.items():
        firsts = [e.first_seen for e in items if e.first_seen]
        lasts = [e.last_seen for e in items if e.last_seen]
        reports.append(InstitutionReport(
            code=code, name=items[-1].issuer_name,
            categories=tuple(sorted({e.category for e in items})),
            first_seen=min(firsts) if firsts else None,
            last_seen=max(lasts) if lasts else None,
            complaints=max(e.complaints for e in items),
            customers=max(e.customers for e in items)))
    reports.sort(key=lambda r: (r.first_seen or date.max, r.code))
    return tuple(reports)
