"""Evidence (证据): add files to the write-once store, keep the custody log, verify."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from caseapp.db.models import Case, CustodyEvent, Evidence
from caseapp.db.repositories.lookup import find_case
from caseapp.domain.enums import CustodyAction, EvidenceKind
from caseapp.domain.errors import InvalidInputError, NotFoundError
from caseapp.domain.progress import CancelToken, NullProgress, ProgressSink
from caseapp.i18n import _
from caseapp.services.audit import append_audit
from caseapp.services.context import ServiceContext
from caseapp.services.convert import custody_record, evidence_record
from caseapp.services.guard import check_version
from caseapp.services.records import AddedEvidence, CustodyRecord, EvidenceRecord
from caseapp.storage.evidence_store import (
    FileState,
    StoredFile,
    detect_media_type,
)

_SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class EvidenceProblem:
    evidence_id: int
    title: str
    original_name: str
    sha256: str
    state: FileState
    observed_sha256: str
    message: str


@dataclass(frozen=True, slots=True)
class EvidenceVerification:
    case_id: int
    checked: int
    problems: tuple[EvidenceProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class EvidenceFields:
    title: str | None = None
    kind: EvidenceKind | str | None = None  # None: chosen from the detected media type
    source: str = ""
    proof_purpose: str = ""
    description: str = ""
    acquired_at: datetime | None = None
    acquired_by: str | None = None


class _OffsetProgress:
    """Reports one file's progress as part of the whole batch."""

    def __init__(self, sink: ProgressSink, base: int, total: int, label: str) -> None:
        self._sink, self._base, self._total, self._label = sink, base, total, label

    def report(self, done: int, total: int | None, label: str = "") -> None:
        self._sink.report(self._base + done, self._total, self._label)


def kind_for_media_type(media_type: str) -> EvidenceKind:
    major = media_type.split("/")[0]
    if major == "image":
        return EvidenceKind.SCREENSHOT
    if major == "audio":
        return EvidenceKind.AUDIO
    if major == "video":
        return EvidenceKind.VIDEO
    if media_type in _DOCUMENT_TYPES or major == "text":
        return EvidenceKind.DOCUMENT
    return EvidenceKind.OTHER


_DOCUMENT_TYPES = {
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/rtf",
}


def _kind_value(kind: EvidenceKind | str) -> str:
    try:
        return EvidenceKind(kind).value
    except ValueError:
        allowed = ", ".join(k.value for k in EvidenceKind)
        raise InvalidInputError(_("Unknown evidence kind {kind}; use one of: {allowed}.")
                                .format(kind=kind, allowed=allowed)) from None


class EvidenceService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def add(
        self,
        case_ref: str | int,
        path: Path,
        fields: EvidenceFields | None = None,
        *,
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> AddedEvidence:
        """Store the file, then record it; on any failure nothing new is left behind."""
        results = self.add_many(case_ref, [(Path(path), fields or EvidenceFields())],
                                progress=progress, cancel=cancel)
        return results[0]

    def add_many(
        self,
        case_ref: str | int,
        files: list[tuple[Path, EvidenceFields]],
        *,
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> list[AddedEvidence]:
        for _path, f in files:
            if f.kind is not None:
                _kind_value(f.kind)
            if f.acquired_at is not None and f.acquired_at.tzinfo is None:
                raise InvalidInputError(_("The acquisition time needs a time zone."))
        with self._ctx.db.read() as s:
            find_case(s, case_ref)  # fail before hashing gigabytes for a wrong case
        stored = self.store_files([p for p, _f in files], progress=progress, cancel=cancel)
        try:
            with self._ctx.db.write() as s:
                case = find_case(s, case_ref)
                return [self.record_stored(s, case, path, item, f)
                        for (path, f), item in zip(files, stored, strict=True)]
        except BaseException:
            self.discard_new(stored)
            raise

    def store_files(
        self,
        paths: list[Path],
        *,
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> list[StoredFile]:
        """Copy files into the store (outside any transaction: hashing may take minutes)."""
        progress = progress or NullProgress()
        for path in paths:
            if not Path(path).is_file():
                raise InvalidInputError(_("File not found or not a regular file: {path}")
                                        .format(path=path))
        total = sum(Path(p).stat().st_size for p in paths)
        done = 0
        stored: list[StoredFile] = []
        try:
            for path in paths:
                sink = _OffsetProgress(progress, done, total, Path(path).name)
                item = self._ctx.store.put_file(Path(path), progress=sink, cancel=cancel,
                                                claim=True)
                stored.append(item)
                done += item.size
        except BaseException:
            self.discard_new(stored)
            raise
        return stored

    def discard_new(self, stored: list[StoredFile]) -> None:
        """After a failed operation: remove the files it put in the store that no record
        refers to (and no other operation is about to), and release its claims."""
        try:
            for item in stored:
                if item.created:
                    self._ctx.store.remove_unclaimed(
                        item.sha256, lambda sha=item.sha256: self._referenced(sha),
                        ignore_tokens=[item.claim.token] if item.claim else [])
        finally:
            for item in stored:
                if item.claim is not None:
                    item.claim.release()

    def _referenced(self, sha256: str) -> bool:
        with self._ctx.db.read() as s:
            return s.scalar(select(Evidence.id).where(Evidence.sha256 == sha256).limit(1)
                            ) is not None

    def record_stored(
        self, s: Session, case: Case, path: Path, item: StoredFile, fields: EvidenceFields
    ) -> AddedEvidence:
        """Create (or find) the evidence row for a stored file, in the caller's transaction.

        The file's claim in the store is released once the transaction commits."""
        if item.claim is not None:
            event.listen(s, "after_commit", lambda _s, c=item.claim: c.release(), once=True)
        existing = s.scalar(select(Evidence).where(
            Evidence.case_id == case.id, Evidence.sha256 == item.sha256))
        if existing is not None:
            return AddedEvidence(evidence_record(existing), already_present=True)
        with item.path.open("rb") as fh:
            head = fh.read(_SNIFF_BYTES)
        now = self._ctx.clock()
        name = Path(path).name
        media_type = detect_media_type(head, name)
        kind = kind_for_media_type(media_type) if fields.kind is None else fields.kind
        evidence = Evidence(
            case_id=case.id,
            title=(fields.title or Path(name).stem or name).strip()[:300],
            kind=_kind_value(kind),
            original_name=name[:500],
            sha256=item.sha256,
            size=item.size,
            media_type=media_type,
            acquired_at=fields.acquired_at.astimezone(UTC) if fields.acquired_at else None,
            acquired_by=fields.acquired_by if fields.acquired_by is not None
            else self._ctx.actor,
            source=fields.source,
            proof_purpose=fields.proof_purpose,
            description=fields.description,
            added_by=self._ctx.actor,
            added_at=now,
        )
        s.add(evidence)
        s.flush()
        if fields.acquired_at is not None:
            s.add(CustodyEvent(evidence_id=evidence.id, at=fields.acquired_at,
                               actor=evidence.acquired_by, action=CustodyAction.ACQUIRED.value,
                               note=fields.source, sha256_observed=""))
        s.add(CustodyEvent(evidence_id=evidence.id, at=now, actor=self._ctx.actor,
                           action=CustodyAction.ADDED.value,
                           note=_("added from {name}").format(name=name),
                           sha256_observed=item.sha256))
        s.flush()
        append_audit(s, self._ctx, case_id=case.id, action="evidence.add",
                     object_type="evidence", object_id=evidence.id,
                     summary=f"{evidence.title} ({name}, {item.size} bytes)",
                     details={"sha256": item.sha256, "size": item.size,
                              "original_name": name, "media_type": evidence.media_type})
        return AddedEvidence(evidence_record(evidence), already_present=False)

    def list(self, case_ref: str | int) -> list[EvidenceRecord]:
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            rows = s.scalars(select(Evidence).where(Evidence.case_id == case.id)
                             .order_by(Evidence.id))
            return [evidence_record(r) for r in rows]

    def get(self, evidence_id: int) -> EvidenceRecord:
        with self._ctx.db.read() as s:
            return evidence_record(self._evidence(s, evidence_id))

    def custody(self, evidence_id: int) -> list[CustodyRecord]:
        with self._ctx.db.read() as s:
            self._evidence(s, evidence_id)
            rows = s.scalars(select(CustodyEvent).where(CustodyEvent.evidence_id == evidence_id)
                             .order_by(CustodyEvent.at, CustodyEvent.id))
            return [custody_record(r) for r in rows]

    def file_path(self, evidence_id: int) -> Path:
        """Where the stored (read-only) content is, for previews and exports."""
        return self._ctx.store.path_for(self.get(evidence_id).sha256)

    def update(
        self,
        evidence_id: int,
        *,
        expected_version: int | None = None,
        title: str | None = None,
        kind: EvidenceKind | str | None = None,
        source: str | None = None,
        proof_purpose: str | None = None,
        description: str | None = None,
        acquired_at: datetime | None = None,
        acquired_by: str | None = None,
    ) -> EvidenceRecord:
        """Change what is recorded about a file (never the file itself)."""
        if acquired_at is not None and acquired_at.tzinfo is None:
            raise InvalidInputError(_("The acquisition time needs a time zone."))
        with self._ctx.db.write() as s:
            evidence = self._evidence(s, evidence_id)
            check_version(evidence.version, expected_version,
                          _("evidence #{id} {title}").format(id=evidence.id,
                                                             title=evidence.title))
            changed: dict[str, object] = {}
            if title is not None:
                title = title.strip()
                if not title:
                    raise InvalidInputError(_("Evidence needs a title."))
                if title != evidence.title:
                    changed["title"] = evidence.title = title[:300]
            if kind is not None and _kind_value(kind) != evidence.kind:
                changed["kind"] = evidence.kind = _kind_value(kind)
            for name, value in (("source", source), ("proof_purpose", proof_purpose),
                                ("description", description), ("acquired_by", acquired_by)):
                if value is not None and value != getattr(evidence, name):
                    setattr(evidence, name, value)
                    changed[name] = value if len(value) <= 200 else f"{len(value)} chars"
            if acquired_at is not None and acquired_at != evidence.acquired_at:
                evidence.acquired_at = acquired_at.astimezone(UTC)
                changed["acquired_at"] = evidence.acquired_at.isoformat()
            if changed:
                s.flush()
                append_audit(s, self._ctx, case_id=evidence.case_id, action="evidence.update",
                             object_type="evidence", object_id=evidence.id,
                             summary=", ".join(sorted(changed)), details=changed)
            return evidence_record(evidence)

    def verify_one(self, evidence_id: int, *, cancel: CancelToken | None = None
                   ) -> EvidenceProblem | None:
        """Re-hash one stored file, log the check in its custody record; None when intact."""
        item = self.get(evidence_id)
        check = self._ctx.store.check(item.sha256, cancel=cancel)
        problem = self._problem(item, check.state, check.observed_sha256)
        with self._ctx.db.write() as s:
            s.add(CustodyEvent(evidence_id=item.id, at=self._ctx.clock(), actor=self._ctx.actor,
                               action=CustodyAction.VERIFIED.value, note=check.state.value,
                               sha256_observed=check.observed_sha256))
            s.flush()
            append_audit(s, self._ctx, case_id=item.case_id, action="evidence.verify",
                         object_type="evidence", object_id=item.id,
                         summary=check.state.value, details={"state": check.state.value})
        return problem

    @staticmethod
    def _problem(item: EvidenceRecord, state: FileState, observed: str) -> EvidenceProblem | None:
        if state is FileState.MISSING:
            message = _("Evidence #{id} {title} ({name}): the stored file is missing.")
        elif state is FileState.ALTERED:
            message = _("Evidence #{id} {title} ({name}): the stored file was altered "
                        "(SHA-256 now {observed}, recorded {expected}).")
        else:
            return None
        return EvidenceProblem(
            item.id, item.title, item.original_name, item.sha256, state, observed,
            message.format(id=item.id, title=item.title, name=item.original_name,
                           observed=observed, expected=item.sha256))

    def record_custody(self, evidence_id: int, action: CustodyAction | str, note: str = ""
                       ) -> CustodyRecord:
        try:
            action_value = CustodyAction(action).value
        except ValueError:
            raise InvalidInputError(_("Unknown custody action {action}.").format(
                action=action)) from None
        with self._ctx.db.write() as s:
            evidence = self._evidence(s, evidence_id)
            event = CustodyEvent(evidence_id=evidence.id, at=self._ctx.clock(),
                                 actor=self._ctx.actor, action=action_value, note=note)
            s.add(event)
            s.flush()
            append_audit(s, self._ctx, case_id=evidence.case_id, action="custody." + action_value,
                         object_type="evidence", object_id=evidence.id, summary=note or
                         action_value, details={"note": note})
            return custody_record(event)

    def verify(
        self,
        case_ref: str | int,
        *,
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> EvidenceVerification:
        """Re-hash every stored file of the case and name each missing or altered one.

        Each check is written to the file's custody log."""
        progress = progress or NullProgress()
        items = self.list(case_ref)
        total = sum(e.size for e in items)
        done = 0
        checks = []
        for item in items:
            check = self._ctx.store.check(item.sha256, cancel=cancel)
            checks.append((item, check))
            done += item.size
            progress.report(done, total, item.original_name)
        problems = [p for item, check in checks
                    if (p := self._problem(item, check.state, check.observed_sha256))]
        with self._ctx.db.write() as s:
            case = find_case(s, case_ref)
            now = self._ctx.clock()
            for item, check in checks:
                s.add(CustodyEvent(evidence_id=item.id, at=now, actor=self._ctx.actor,
                                   action=CustodyAction.VERIFIED.value, note=check.state.value,
                                   sha256_observed=check.observed_sha256))
            s.flush()
            append_audit(s, self._ctx, case_id=case.id, action="evidence.verify",
                         object_type="case", object_id=case.id,
                         summary=f"{len(checks)} checked, {len(problems)} problems",
                         details={"checked": len(checks),
                                  "problems": [p.evidence_id for p in problems]})
            return EvidenceVerification(case.id, len(checks), tuple(problems))

    @staticmethod
    def _evidence(s: Session, evidence_id: int) -> Evidence:
        row = s.get(Evidence, evidence_id)
        if row is None:
            raise NotFoundError(_("No evidence {id}.").format(id=evidence_id))
        return row
