"""Complaints: import exports all-or-nothing, list, filter and search them."""

from __future__ import annotations

import csv
import gc
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from caseapp.db.models import Complaint, ImportBatch
from caseapp.db.repositories import complaints as complaint_queries
from caseapp.db.repositories.complaints import (
    ComplaintBulkWriter,
    ComplaintFilter,
    index_batch_texts,
    try_lock_case_imports,
)
from caseapp.db.repositories.lookup import find_case
from caseapp.domain.enums import EvidenceKind
from caseapp.domain.errors import InvalidInputError, NotFoundError
from caseapp.domain.progress import CancelToken, NullProgress, ProgressSink
from caseapp.i18n import _
from caseapp.importers import (
    ColumnMapping,
    ComplaintRow,
    ParsedRecord,
    RowProblem,
    SourceInfo,
    open_complaint_file,
)
from caseapp.services.audit import append_audit
from caseapp.services.context import ServiceContext
from caseapp.services.convert import complaint_record
from caseapp.services.evidence import EvidenceFields, EvidenceService
from caseapp.services.records import (
    ComplaintPage,
    ComplaintRecord,
    ImportProblem,
    ImportSummary,
)

MAX_REPORTED_PROBLEMS = 50
_INSERT_CHUNK = 2000
_MAX_PAGE = 5000


_LOCK_POLL_SECONDS = 0.2


def _waiting_label() -> str:
    return _("Waiting for another import into this case to finish")


def _database_locked(exc: OperationalError) -> bool:
    return "database is locked" in str(exc.orig)


class ImportRejected(InvalidInputError):
    """The file has problems and nothing was imported; `summary` lists them."""

    def __init__(self, message: str, summary: ImportSummary) -> None:
        super().__init__(message)
        self.summary = summary


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector during a bulk import.

    An import creates millions of short-lived, acyclic objects while holding many long-lived
    ones; the collector's repeated full scans of those cost about a third of the import time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _BulkWriter:
    """Collects checked complaints and writes them in chunks (see ComplaintBulkWriter)."""

    def __init__(self, s: Session, case_id: int, batch_id: int, now: Any,
                 actor: str = "") -> None:
        self._writer = ComplaintBulkWriter(s, case_id, batch_id, now, actor=actor)
        self._rows: list[ComplaintRow] = []

    def add(self, row: ComplaintRow) -> None:
        self._rows.append(row)
        if len(self._rows) >= _INSERT_CHUNK:
            self.flush()

    def flush(self) -> None:
        rows, self._rows = self._rows, []
        self._writer.write(rows)

    def close(self) -> None:
        self._writer.close()


class _Phase:
    """Reports a phase of a longer job as part of one 0…1000 scale."""

    def __init__(self, sink: ProgressSink, start: int, span: int, label: str) -> None:
        self._sink, self._start, self._span, self._label = sink, start, span, label

    def report(self, done: int, total: int | None, label: str = "") -> None:
        fraction = done / total if total else 0.0
        self._sink.report(self._start + int(self._span * min(fraction, 1.0)), 1000, self._label)


class _RejectedWriter:
    """Streams rejected records, with their reasons, to ``<file>.rejected.csv`` (via a
    temporary file that only replaces the target once the import succeeded)."""

    def __init__(self, source: Path, header: tuple[str, ...]) -> None:
        self.target = source.with_name(source.name + ".rejected.csv")
        self.temp = self.target.with_name(self.target.name + ".tmp")
        self._fh = self.temp.open("w", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._fh)
        self._writer.writerow([_("line"), _("problem"), *header])

    def write(self, line: int | None, problems: list[RowProblem], cells: tuple[str, ...]) -> None:
        reasons = "; ".join(p.message for p in problems)
        self._writer.writerow([line if line is not None else "", reasons, *cells])

    def commit(self) -> str:
        self._fh.close()
        os.replace(self.temp, self.target)
        return str(self.target)

    def discard(self) -> None:
        self._fh.close()
        self.temp.unlink(missing_ok=True)


@dataclass
class _Check:
    """The outcome of the validation pass."""

    rows_read: int = 0
    duplicates: int = 0
    importable: int = 0
    problem_count: int = 0

    def __post_init__(self) -> None:
        self.problems: list[RowProblem] = []
        self.rejected: set[int] = set()
        self.writer: _RejectedWriter | None = None

    def reject(self, line: int, problems: list[RowProblem], cells: tuple[str, ...]) -> None:
        for problem in problems:
            self.problem_count += 1
            if len(self.problems) < MAX_REPORTED_PROBLEMS:
                self.problems.append(problem)
        self.rejected.add(line)
        if self.writer is not None:
            self.writer.write(line, problems, cells)


def _import_problem(p: RowProblem) -> ImportProblem:
    return ImportProblem(p.line, p.column, p.code, p.message, p.related_line)


class ComplaintService:
    def __init__(self, ctx: ServiceContext, evidence: EvidenceService) -> None:
        self._ctx = ctx
        self._evidence = evidence

    # --- reading ------------------------------------------------------------------------

    def list(
        self,
        case_ref: str | int,
        flt: ComplaintFilter | None = None,
        *,
        offset: int = 0,
        limit: int = 100,
    ) -> ComplaintPage:
        """One page of the case's complaints in received order, with the filter's total."""
        flt = flt or ComplaintFilter()
        limit = max(0, min(limit, _MAX_PAGE))
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            total = complaint_queries.count(s, case.id, flt)
            query = complaint_queries.apply_filter(s, select(Complaint), case.id, flt)
            query = query.order_by(Complaint.received_at, Complaint.id).offset(offset).limit(limit)
            rows = tuple(complaint_record(c) for c in s.scalars(query))
            return ComplaintPage(total=total, offset=offset, rows=rows)

    def iter_all(self, case_ref: str | int, flt: ComplaintFilter | None = None
                 ) -> Iterator[ComplaintRecord]:
        offset = 0
        while True:
            page = self.list(case_ref, flt, offset=offset, limit=_MAX_PAGE)
            yield from page.rows
            offset += len(page.rows)
            if not page.rows or offset >= page.total:
                return

    def get(self, complaint_id: int) -> ComplaintRecord:
        with self._ctx.db.read() as s:
            row = s.get(Complaint, complaint_id)
            if row is None:
                raise NotFoundError(_("No complaint {id}.").format(id=complaint_id))
            return complaint_record(row)

    # --- import -------------------------------------------------------------------------

    def validate_file(
        self,
        case_ref: str | int,
        path: Path,
        *,
        mapping: ColumnMapping | None = None,
        encoding: str = "auto",
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> ImportSummary:
        """Read and check the whole file as an import would, without writing anything."""
        source = open_complaint_file(Path(path), encoding=encoding, mapping=mapping)
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            existing = self._existing(s, case.id)
        check = _Check()
        self._check(check, source.records(progress=_Phase(
            progress or NullProgress(), 0, 1000, _("Checking the file")), cancel=cancel),
            existing)
        return self._summary(case.id, source.info, check, batch_id=None)

    def import_file(
        self,
        case_ref: str | int,
        path: Path,
        *,
        mapping: ColumnMapping | None = None,
        encoding: str = "auto",
        skip_bad_rows: bool = False,
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> ImportSummary:
        """Import a complaint export into a case: all or nothing.

        The file is read once inside one transaction. Rows are written as they are checked
        until the first problem; from then on the rest of the file is only checked, so that
        the report is complete, and the transaction is rolled back (`ImportRejected`: nothing
        written) unless `skip_bad_rows`, which keeps the good rows and writes the others, with
        their reasons, to ``<file>.rejected.csv`` beside the source. Complaints already in the
        case (same number and content) are counted, not imported again. The source file is
        kept as evidence: the provenance of every complaint it brought.
        """
        path = Path(path)
        sink = progress or NullProgress()
        source = open_complaint_file(path, encoding=encoding, mapping=mapping)
        with self._ctx.db.read() as s:
            case_id = find_case(s, case_ref).id  # fail before copying the file for a wrong case
        check = _Check()
        if skip_bad_rows:
            check.writer = _RejectedWriter(path, source.info.header)
        stored: list[Any] = []
        try:
            stored = self._evidence.store_files([path], cancel=cancel)
            while True:
                locked = False
                try:
                    with self._ctx.db.write() as s, _collector_paused():
                        locked = self._lock_case_imports(s, case_id, sink, cancel)
                        if not stored[0].path.exists():
                            # A concurrent import of the same file failed meanwhile and took
                            # its copy out of the store: store it again.
                            stored = self._evidence.store_files([path], cancel=cancel)
                        case = find_case(s, case_ref)
                        batch_id, evidence_id = self._write(
                            s, case, path, source.info, stored[0], check, skip_bad_rows,
                            source.records(progress=_Phase(sink, 0, 950, _("Importing")),
                                           cancel=cancel), sink)
                    break
                except OperationalError as exc:
                    # SQLite: another writer held the database past the busy timeout before
                    # this import began; nothing was read or written yet: wait on.
                    if locked or not _database_locked(exc):
                        raise
                    sink.report(0, 1000, _waiting_label())
                    if cancel is not None:
                        cancel.raise_if_cancelled()
        except BaseException:
            self._evidence.discard_new(stored)
            if check.writer is not None:
                check.writer.discard()
            raise
        rejected_file = None
        if check.writer is not None:
            if check.rejected:
                rejected_file = check.writer.commit()
            else:
                check.writer.discard()
        sink.report(1000, 1000, _("Done"))
        return self._summary(case.id, source.info, check, batch_id=batch_id,
                             imported=check.importable, rejected_file=rejected_file,
                             evidence_id=evidence_id)

    @staticmethod
    def _lock_case_imports(s: Session, case_id: int, sink: ProgressSink,
                           cancel: CancelToken | None) -> bool:
        """Wait until no other import into the case is running (see try_lock_case_imports)."""
        while not try_lock_case_imports(s, case_id):
            sink.report(0, 1000, _waiting_label())
            if cancel is not None:
                cancel.raise_if_cancelled()
            time.sleep(_LOCK_POLL_SECONDS)
        return True

    @staticmethod
    def _existing(s: Session, case_id: int) -> dict[str, str]:
        rows = s.execute(select(Complaint.external_number, Complaint.content_sha256)
                         .where(Complaint.case_id == case_id))
        return {number: digest for number, digest in rows}

    @staticmethod
    def _classify(check: _Check, record: ParsedRecord, existing: dict[str, str]
                  ) -> ComplaintRow | None:
        """Count the record; return its row when it is a new complaint for the case."""
        check.rows_read += 1
        if record.problems:
            check.reject(record.line, list(record.problems), record.cells)
            return None
        row = record.row
        if record.duplicate_of is not None or row is None:
            check.duplicates += 1
            return None
        known = existing.get(row.external_number)
        if known is None:
            existing[row.external_number] = row.content_sha256
            check.importable += 1
            return row
        if known == row.content_sha256:
            check.duplicates += 1
        else:
            check.reject(record.line, [RowProblem(
                record.line, None, "number_in_case",
                _("line {line}: complaint number {number} is already in this case with "
                  "different contents.").format(line=record.line,
                                                number=row.external_number))],
                record.cells)
        return None

    @classmethod
    def _check(cls, check: _Check, records: Iterator[ParsedRecord],
               existing: dict[str, str]) -> None:
        for record in records:
            cls._classify(check, record, existing)

    @staticmethod
    def _rejection_message(path: Path, check: _Check) -> str:
        lines = [_("{file}: {n} problem(s) found; nothing was imported.").format(
            file=path, n=check.problem_count)]
        lines += [f"  {p.message}" for p in check.problems]
        if check.problem_count > len(check.problems):
            lines.append(_("  … and {n} more.").format(
                n=check.problem_count - len(check.problems)))
        lines.append(_("Fix the file, or import the good rows with --skip-bad-rows."))
        return "\n".join(lines)

    def _write(
        self,
        s: Session,
        case: Any,
        path: Path,
        info: SourceInfo,
        stored: Any,
        check: _Check,
        skip_bad_rows: bool,
        records: Iterator[ParsedRecord],
        sink: ProgressSink,
    ) -> tuple[int, int]:
        now = self._ctx.clock()
        batch = ImportBatch(
            case_id=case.id, file_name=path.name[:500], file_sha256=info.sha256,
            file_size=info.size, encoding=info.encoding or info.file_type,
            column_mapping=info.mapping.to_json(),
            options={"skip_bad_rows": skip_bad_rows, "delimiter": info.delimiter,
                     "file_type": info.file_type},
            actor=self._ctx.actor, started_at=now)
        s.add(batch)
        s.flush()
        added = self._evidence.record_stored(s, case, path, stored, EvidenceFields(
            title=_("Complaint export {name}").format(name=path.name),
            kind=EvidenceKind.DOCUMENT,
            source=_("complaint export imported as batch #{id}").format(id=batch.id),
            description=_("Source file of the complaints of import batch #{id}.").format(
                id=batch.id)))
        batch.evidence_id = added.evidence.id
        existing = self._existing(s, case.id)
        writer = _BulkWriter(s, case.id, batch.id, now, self._ctx.actor)
        try:
            for record in records:
                row = self._classify(check, record, existing)
                if row is not None and (skip_bad_rows or not check.problem_count):
                    writer.add(row)
            if check.problem_count and not skip_bad_rows:
                summary = self._summary(case.id, info, check, batch_id=None)
                raise ImportRejected(self._rejection_message(path, check), summary)
            if check.rows_read == 0:
                raise InvalidInputError(_("{file}: no complaints to import.").format(file=path))
            writer.flush()
            sink.report(950, 1000, _("Indexing the complaint texts"))
            index_batch_texts(s, batch.id)
        finally:
            writer.close()
        batch.rows_read = check.rows_read
        batch.rows_imported = check.importable
        batch.rows_duplicate = check.duplicates
        batch.rows_rejected = len(check.rejected)
        batch.report = {"problem_count": check.problem_count,
                        "problems": [p.message for p in check.problems]}
        batch.finished_at = self._ctx.clock()
        s.flush()
        append_audit(s, self._ctx, case_id=case.id, action="complaints.import",
                     object_type="import_batch", object_id=batch.id,
                     summary=f"{path.name}: {check.importable} imported, "
                             f"{check.duplicates} duplicates, {len(check.rejected)} rejected",
                     details={"file_sha256": info.sha256, "rows_read": check.rows_read,
                              "imported": check.importable, "duplicates": check.duplicates,
                              "rejected": len(check.rejected),
                              "evidence_id": added.evidence.id})
        return batch.id, added.evidence.id

    def _summary(self, case_id: int, info: SourceInfo, check: _Check, *, batch_id: int | None,
                 imported: int = 0, rejected_file: str | None = None,
                 evidence_id: int | None = None) -> ImportSummary:
        return ImportSummary(
            batch_id=batch_id, case_id=case_id, file_name=info.path.name,
            file_sha256=info.sha256, encoding=info.encoding or info.file_type,
            mapping=info.mapping.to_json(), rows_read=check.rows_read,
            rows_imported=imported, rows_duplicate=check.duplicates,
            rows_rejected=len(check.rejected),
            problems=tuple(_import_problem(p) for p in check.problems),
            problem_count=check.problem_count, rejected_file=rejected_file,
            evidence_id=evidence_id)
