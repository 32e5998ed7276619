"""Runs the grouping engine for a case (the service side of caseapp.analysis.grouping).

Signatures are stored per complaint (``complaint_signature``), keyed by the signature settings
and the SHA-256 of the text they were computed from. A run hashes only the complaints that have
no valid stored signature yet — after an import of 1,000 new complaints into a case of 100,000,
only those 1,000 are hashed — and then regroups from all signatures.
"""

from __future__ import annotations

import hashlib
import struct
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from caseapp.analysis.grouping import GroupingParams, group_from_signatures
from caseapp.analysis.signatures import (
    Signatures,
    SignatureSpec,
    compute_signatures,
    empty_signatures,
)
from caseapp.db.models import Complaint, ComplaintSignature
from caseapp.domain.progress import CancelToken, ProgressSink
from caseapp.services.context import ServiceContext

_HEADER = struct.Struct("<qB")  # text length, latin flag
_CHUNK = 900  # ids per IN (...) query, under every backend's parameter limit


@dataclass(frozen=True, slots=True)
class GroupOutcome:
    representative: int
    members: tuple[tuple[int, float, int | None], ...]  # (complaint id, similarity, variant)


@dataclass
class GroupingOutcome:
    params: dict[str, Any]
    stats: dict[str, Any]
    groups: list[GroupOutcome] = field(default_factory=list)
    signature_key: str = ""
    # signatures computed in this run, to store: (complaint id, text sha256, packed signature)
    new_signatures: list[tuple[int, str, bytes]] = field(default_factory=list)


class _Scaled:
    """Map a step's own progress onto a slice of the analysis's 0–1000 scale."""

    def __init__(self, sink: ProgressSink, start: int, end: int) -> None:
        self._sink = sink
        self._start = start
        self._end = end

    def report(self, done: int, total: int | None, label: str = "") -> None:
        fraction = min(done / total, 1.0) if total else 0.0
        self._sink.report(self._start + int((self._end - self._start) * fraction), 1000, label)


def signature_key(spec: SignatureSpec) -> str:
    return hashlib.sha256(spec.fingerprint().encode("utf-8")).hexdigest()


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def pack_signature(signatures: Signatures, index: int) -> bytes:
    """One complaint's entry: header, MinHash row, shingle set (little-endian uint32)."""
    return b"".join((
        _HEADER.pack(int(signatures.lengths[index]), int(bool(signatures.latin[index]))),
        signatures.minhash[index].astype("<u4", copy=False).tobytes(),
        signatures.shingle_set(index).astype("<u4", copy=False).tobytes(),
    ))


def unpack_signatures(spec: SignatureSpec, rows: list[tuple[int, bytes]]) -> Signatures:
    """The inverse of :func:`pack_signature` over many rows, as one Signatures object."""
    if not rows:
        return empty_signatures(spec)
    width = spec.num_perm * 4
    head = _HEADER.size
    lengths = np.empty(len(rows), dtype=np.int64)
    latin = np.empty(len(rows), dtype=np.bool_)
    sizes = np.empty(len(rows), dtype=np.int64)
    minhash_parts: list[bytes] = []
    shingle_parts: list[bytes] = []
    for i, (_id, blob) in enumerate(rows):
        lengths[i], flag = _HEADER.unpack_from(blob)
        latin[i] = bool(flag)
        minhash_parts.append(blob[head:head + width])
        rest = blob[head + width:]
        sizes[i] = len(rest) // 4
        shingle_parts.append(rest)
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    signatures = Signatures(
        spec=spec,
        ids=np.fromiter((i for i, _b in rows), dtype=np.int64, count=len(rows)),
        minhash=np.frombuffer(b"".join(minhash_parts), dtype="<u4")
        .astype(np.uint32).reshape(len(rows), spec.num_perm),
        offsets=offsets,
        shingles=np.frombuffer(b"".join(shingle_parts), dtype="<u4").astype(np.uint32),
        lengths=lengths,
        latin=latin,
    )
    signatures.check()
    return signatures


def load_signatures(s: Session, case_id: int, key: str) -> list[tuple[int, str, bytes]]:
    return [(cid, digest, bytes(blob)) for cid, digest, blob in s.execute(
        select(ComplaintSignature.complaint_id, ComplaintSignature.text_sha256,
               ComplaintSignature.signature)
        .join(Complaint, Complaint.id == ComplaintSignature.complaint_id)
        .where(Complaint.case_id == case_id, ComplaintSignature.params_key == key))]


def group_case_texts(
    ctx: ServiceContext,
    case_id: int,
    texts: list[tuple[int, str]],
    *,
    threshold: float | None,
    progress: ProgressSink,
    cancel: CancelToken | None,
) -> GroupingOutcome:
    params = GroupingParams() if threshold is None else GroupingParams(threshold=threshold)
    spec = params.signature_spec()
    key = signature_key(spec)
    started = time.perf_counter()
    digests = {cid: text_digest(text) for cid, text in texts}
    with ctx.db.read() as s:
        stored = load_signatures(s, case_id, key)
    reusable = [(cid, blob) for cid, digest, blob in stored if digests.get(cid) == digest]
    have = {cid for cid, _blob in reusable}
    todo = [(cid, text) for cid, text in texts if cid not in have]
    old = unpack_signatures(spec, reusable)
    new = compute_signatures(todo, spec, progress=_Scaled(progress, 0, 300), cancel=cancel)
    merged = Signatures.concat([old, new]) if len(old) and len(new) else (new if len(new) else old)
    # The engine sees the texts in id order whatever was stored, so results do not depend on
    # which signatures were reused.
    order = np.argsort(merged.ids, kind="stable")
    merged = merged.select(order)
    elapsed = time.perf_counter() - started
    result = group_from_signatures(merged, params, progress=_Scaled(progress, 300, 900),
                                   cancel=cancel)
    stats = asdict(result.stats)
    stats["seconds"] = {"signatures": round(elapsed, 3), **dict(stats.get("seconds") or {})}
    stats["signatures_reused"] = len(reusable)
    stats["signatures_computed"] = len(todo)
    return GroupingOutcome(
        params=_jsonable(asdict(params)),
        stats=_jsonable(stats),
        groups=[GroupOutcome(g.representative,
                             tuple((m.doc_id, float(m.similarity), m.variant)
                                   for m in g.members))
                for g in result.groups],
        signature_key=key,
        new_signatures=[(int(new.ids[i]), digests[int(new.ids[i])], pack_signature(new, i))
                        for i in range(len(new))],
    )


def save_signatures(s: Session, outcome: GroupingOutcome) -> None:
    """Store the signatures this run computed (replacing stale ones for the same complaints)."""
    rows = outcome.new_signatures
    if not rows:
        return
    ids = [cid for cid, _d, _b in rows]
    table = ComplaintSignature.__table__
    for start in range(0, len(ids), _CHUNK):
        s.execute(delete(table).where(
            table.c.params_key == outcome.signature_key,
            table.c.complaint_id.in_(ids[start:start + _CHUNK])))
    s.execute(insert(table), [
        {"complaint_id": cid, "params_key": outcome.signature_key, "text_sha256": digest,
         "signature": blob} for cid, digest, blob in rows])


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float | int | str | bool) or value is None:
        return value
    return str(value)
