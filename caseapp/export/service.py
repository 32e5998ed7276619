"""Export use cases: build the report context, write the PDF / DOCX dossier or the whole
evidence package, record the export (custody events, audit entry), verify a package.

Output is written to a temporary file beside the target and renamed into place only when
everything succeeded and was recorded: a cancelled or failed export leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import re
import tempfile
import time
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path

from caseapp import __version__
from caseapp.db.models import CustodyEvent
from caseapp.db.repositories.lookup import find_case
from caseapp.domain.enums import CustodyAction
from caseapp.domain.errors import InvalidInputError
from caseapp.domain.progress import CancelToken, NullProgress, ProgressSink
from caseapp.export import data_files
from caseapp.export.build import BEIJING, CaseData, ContextBuilder, ContextOptions, fmt_size
from caseapp.export.context import ALL_SECTIONS, ReportContext, Section
from caseapp.export.docx import render_docx
from caseapp.export.package import BagZipWriter
from caseapp.export.pdf import render_pdf
from caseapp.export.redact import Redactor
from caseapp.export.verify import PackageVerification, verify_package
from caseapp.i18n import _
from caseapp.services.analysis import AnalysisService
from caseapp.services.audit import append_audit
from caseapp.services.cases import CaseService
from caseapp.services.contacts import ContactService
from caseapp.services.context import ServiceContext
from caseapp.services.evidence import EvidenceService
from caseapp.services.exchange import ExchangeService
from caseapp.services.parties import PartyService
from caseapp.storage.owner_lock import OwnerLock


class ExportFormat(StrEnum):
    PACKAGE = "package"
    PDF = "pdf"
    DOCX = "docx"


_SUFFIX = {ExportFormat.PACKAGE: ".zip", ExportFormat.PDF: ".pdf", ExportFormat.DOCX: ".docx"}


@dataclass(frozen=True)
class ExportOptions:
    format: ExportFormat = ExportFormat.PACKAGE
    redact: bool = True
    sections: frozenset[Section] = ALL_SECTIONS
    organisation: str | None = None  # default: the case's
    contact_name: str | None = None  # default: the case's lead investigator
    contact_phone: str = ""
    contact_email: str = ""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    format: ExportFormat
    sha256: str
    size: int
    seconds: float
    redacted: bool
    bag_name: str = ""
    payload_files: int = 0
    evidence_files: int = 0
    complaints: int = 0
    evidence_bytes: int = 0
    phase_seconds: dict[str, float] = field(default_factory=dict)
    missing_glyphs: tuple[str, ...] = ()


def format_for_path(path: Path) -> ExportFormat:
    suffix = path.suffix.lower()
    for fmt, ext in _SUFFIX.items():
        if suffix == ext:
            return fmt
    raise InvalidInputError(_("Cannot tell the export format from {name}; name the file "
                              ".zip, .pdf or .docx, or give --format.").format(name=path.name))


class _Phases:
    """Maps each phase's own progress onto one 0…1000 bar."""

    SPANS = (("context", 0, 150), ("pdf", 150, 300), ("docx", 300, 380),
             ("data", 380, 480), ("evidence", 480, 960), ("finish", 960, 1000))

    def __init__(self, sink: ProgressSink) -> None:
        self.sink = sink
        self.spans = {name: (a, b) for name, a, b in self.SPANS}
        self.started: dict[str, float] = {}
        self.seconds: dict[str, float] = {}
        self._current: str | None = None

    def start(self, name: str, label: str) -> None:
        now = time.perf_counter()
        if self._current is not None:
            self.seconds[self._current] = now - self.started[self._current]
        self._current = name
        self.started[name] = now
        self.sink.report(self.spans[name][0], 1000, label)

    def part(self, done: float, total: float, label: str) -> None:
        a, b = self.spans[self._current or "finish"]
        fraction = min(1.0, done / total) if total else 0.0
        self.sink.report(int(a + (b - a) * fraction), 1000, label)

    def end(self) -> None:
        self.start("finish", _("Done"))
        self.seconds.pop("finish", None)
        self.sink.report(1000, 1000, _("Done"))


class ExportService:
    def __init__(self, ctx: ServiceContext, *, cases: CaseService, parties: PartyService,
                 contacts: ContactService, evidence: EvidenceService,
                 analysis: AnalysisService, exchange: ExchangeService | None = None) -> None:
        self._ctx = ctx
        self._cases = cases
        self._parties = parties
        self._contacts = contacts
        self._evidence = evidence
        self._analysis = analysis
        self._exchange = exchange

    @classmethod
    def create(cls, ctx: ServiceContext, *, rules_dir: Path | None = None,
               exchange: ExchangeService | None = None) -> ExportService:
        """`exchange`: where the industry exchange's matches come from (the suspects' section
        then says how many other institutions report each suspect)."""
        evidence = EvidenceService(ctx)
        return cls(ctx, cases=CaseService(ctx), parties=PartyService(ctx),
                   contacts=ContactService(ctx, evidence), evidence=evidence,
                   analysis=AnalysisService(ctx, rules_dir=rules_dir), exchange=exchange)

    # --- context -------------------------------------------------------------------------

    def context(self, case_ref: str | int, options: ExportOptions | None = None, *,
                cancel: CancelToken | None = None) -> ReportContext:
        """The report context of a case as the dossiers would show it now."""
        return self._context(case_ref, options or ExportOptions(), cancel)[0]

    def _context(self, case_ref: str | int, options: ExportOptions,
                 cancel: CancelToken | None) -> tuple[ReportContext, ContextBuilder]:
        case = self._cases.get(case_ref)
        data = CaseData(case=case,
                        parties=tuple(self._parties.list(case.id)),
                        contacts=tuple(self._contacts.list(case.id)),
                        evidence=tuple(self._evidence.list(case.id)),
                        report=self._analysis.latest(case.id),
                        exchange=self._exchange_matches(case.id))
        if cancel is not None:
            cancel.raise_if_cancelled()
        with self._ctx.db.read() as s:
            builder = ContextBuilder(s, data, ContextOptions(
                redact=options.redact, sections=options.sections,
                organisation=options.organisation), self._ctx.clock(), cancel)
            return builder.build(), builder

    def _exchange_matches(self, case_id: int) -> dict[int, tuple[int, date | None]]:
        """Party id → (other institutions reporting it, the earliest date they saw it): counts
        only, never the other institutions' names or data."""
        if self._exchange is None:
            return {}
        return {party_id: (m.institutions, m.first_seen)
                for party_id, m in self._exchange.party_matches(case_id).items()}

    # --- export --------------------------------------------------------------------------

    def export(
        self,
        case_ref: str | int,
        out: Path,
        options: ExportOptions | None = None,
        *,
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> ExportResult:
        options = options or ExportOptions()
        out = Path(out)
        if not out.parent.is_dir():
            raise InvalidInputError(_("The folder {folder} does not exist.").format(
                folder=out.parent))
        if out.is_dir():
            raise InvalidInputError(_("{path} is a folder; give a file name.").format(
                path=out))
        started = time.perf_counter()
        phases = _Phases(progress or NullProgress())
        phases.start("context", _("Collecting the case"))
        report, builder = self._context(case_ref, options, cancel)
        with _temporary_beside(out) as temp:
            extra: dict[str, int] = {}
            if options.format is ExportFormat.PDF:
                phases.start("pdf", _("Writing the PDF dossier"))
                temp.write_bytes(render_pdf(report, cancel=cancel))
            elif options.format is ExportFormat.DOCX:
                phases.start("docx", _("Writing the DOCX dossier"))
                temp.write_bytes(render_docx(report, cancel=cancel))
            else:
                extra = self._write_package(temp, report, builder.redactor, options, phases,
                                            cancel)
            if cancel is not None:
                cancel.raise_if_cancelled()
            phases.start("finish", _("Recording the export"))
            sha, size = _sha256_file(temp)
            self._record(report, out, options, sha, size, extra.get("evidence_files", 0))
            os.replace(temp, out)
        phases.end()
        return ExportResult(
            path=out, format=options.format, sha256=sha, size=size,
            seconds=time.perf_counter() - started, redacted=options.redact,
            bag_name=_bag_name(report) if options.format is ExportFormat.PACKAGE else "",
            payload_files=extra.get("payload_files", 0),
            evidence_files=extra.get("evidence_files", 0),
            complaints=extra.get("complaints", 0),
            evidence_bytes=extra.get("evidence_bytes", 0),
            phase_seconds=dict(phases.seconds), missing_glyphs=report.missing_glyphs)

    def _write_package(self, temp: Path, report: ReportContext, redactor: Redactor,
                       options: ExportOptions, phases: _Phases,
                       cancel: CancelToken | None) -> dict[str, int]:
        case = self._cases.get(report.case_id)
        stem = f"{case.number}_{report.cover.document_title}"
        phases.start("pdf", _("Writing the PDF dossier"))
        pdf = render_pdf(report, cancel=cancel)
        phases.start("docx", _("Writing the DOCX dossier"))
        docx = render_docx(report, cancel=cancel)
        tz = BEIJING
        counts: dict[str, int] = {}
        with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            bag = BagZipWriter(zf, _bag_name(report), report.generated_at.astimezone(tz))
            bag.add_bytes(f"data/dossier/{_safe(stem)}.pdf", pdf)
            bag.add_bytes(f"data/dossier/{_safe(stem)}.docx", docx)
            phases.start("data", _("Writing complaints and case data"))
            with self._ctx.db.read() as s:
                with bag.open_payload("data/case/complaints.csv") as fh:
                    counts["complaints"] = data_files.write_complaints_csv(
                        fh, s, case.id, redactor, tz, cancel=cancel,
                        progress=lambda d, t: phases.part(d, t, _("Complaints")))
                with bag.open_payload("data/case/parties.json") as fh:
                    data_files.write_parties_json(fh, s, case.id, redactor)
                with bag.open_payload("data/case/identifiers.json") as fh:
                    data_files.write_identifiers_json(fh, s, case.id, redactor)
                with bag.open_payload("data/case/links.json") as fh:
                    data_files.write_links_json(fh, s, case.id, redactor)
                with bag.open_payload("data/case/entities.ftm.json") as fh:
                    data_files.write_ftm_entities(fh, s, case.id, report.case_uid, redactor)
                with bag.open_payload("data/case/custody_log.csv") as fh:
                    data_files.write_custody_csv(fh, s, report, tz, redactor)
                with bag.open_payload("data/case/audit_log.csv") as fh:
                    data_files.write_audit_csv(fh, s, case.id, tz, redactor)
            phases.start("evidence", _("Copying the evidence files"))
            included = [e for e in report.evidence if e.included]
            total = sum(e.size for e in included) or 1
            done = 0

            def step(n: int) -> None:
                nonlocal done
                done += n
                phases.part(done, total, _("Copying the evidence files"))

            for e in included:
                bag.add_file(e.package_path, self._ctx.store.path_for(e.store_sha256),
                             expected_sha256=e.sha256, cancel=cancel, progress=step)
            bag.finish(self._bag_info(report, case.number, options),
                       readme=_readme(report))
            counts["payload_files"] = len(bag.payload)
            counts["evidence_files"] = len(included)
            counts["evidence_bytes"] = sum(e.size for e in included)
        return counts

    def _bag_info(self, report: ReportContext, number: str, options: ExportOptions
                  ) -> list[tuple[str, str]]:
        cover = report.cover
        return [
            ("Source-Organization", options.organisation or cover.organisation),
            ("Contact-Name", options.contact_name or cover.investigator),
            ("Contact-Phone", options.contact_phone),
            ("Contact-Email", options.contact_email),
            ("External-Identifier", number),
            ("External-Description", cover.title),
            ("Internal-Sender-Identifier", report.case_uid),
            ("Internal-Sender-Description", cover.redaction_note),
            ("Bagging-Date", report.generated_at.astimezone(BEIJING).date().isoformat()),
            ("Bag-Software-Agent", f"caseapp {__version__}"),
        ]

    def _record(self, report: ReportContext, out: Path, options: ExportOptions, sha: str,
                size: int, evidence_files: int) -> None:
        """Custody events for the evidence files that left in a package; one audit entry."""
        with self._ctx.db.write() as s:
            case = find_case(s, report.case_id)
            now = self._ctx.clock()
            if options.format is ExportFormat.PACKAGE:
                note = _("exported in package {name} (SHA-256 {sha})").format(
                    name=out.name, sha=sha)
                for e in report.evidence:
                    if e.included:
                        s.add(CustodyEvent(evidence_id=e.evidence_id, at=now,
                                           actor=self._ctx.actor,
                                           action=CustodyAction.EXPORTED.value, note=note,
                                           sha256_observed=e.sha256))
                s.flush()
            append_audit(
                s, self._ctx, case_id=case.id, action=f"export.{options.format.value}",
                object_type="case", object_id=case.id,
                summary=f"{out.name} ({fmt_size(size)}, SHA-256 {sha})",
                details={"file": out.name, "sha256": sha, "size": size,
                         "format": options.format.value, "redacted": options.redact,
                         "sections": sorted(sec.value for sec in options.sections),
                         "evidence_files": evidence_files})

    # --- verify --------------------------------------------------------------------------

    def verify(self, package: Path, *, progress: ProgressSink | None = None,
               cancel: CancelToken | None = None) -> PackageVerification:
        return verify_package(Path(package), progress=progress, cancel=cancel)


def _safe(name: str) -> str:
    return re.sub(r'[<>:"/\\|?*%\x00-\x1f]', "_", name).strip(" .") or "dossier"


def _bag_name(report: ReportContext) -> str:
    date = report.generated_at.astimezone(BEIJING).strftime("%Y%m%d")
    return _safe(f"{report.cover.case_number}_{date}")


def _readme(report: ReportContext) -> str:
    lines = [f"{report.cover.document_title} — {report.cover.case_number} {report.cover.title}",
             report.cover.confidentiality, "", *report.integrity.paragraphs, ""]
    lines += [f"  {c}" for c in report.integrity.commands]
    return "\n".join(lines) + "\n"


def _sha256_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


@contextlib.contextmanager
def _temporary_beside(out: Path) -> Iterator[Path]:
    """A temporary file in the target's folder (so the final rename is atomic), removed
    unless it was renamed into place. An owner lock beside it tells a later export whether
    a leftover temporary file belongs to a process that died (it is then removed)."""
    remove_abandoned_partials(out)
    fd, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.stem}.",
                                suffix=f".{uuid.uuid4().hex[:6]}{_PARTIAL}")
    os.close(fd)
    temp = Path(name)
    lock = OwnerLock.create(temp.with_name(temp.name + _LOCK))
    try:
        yield temp
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        lock.release()


_PARTIAL, _LOCK = ".partial", ".lock"


def remove_abandoned_partials(out: Path) -> list[Path]:
    """Remove the temporary files of earlier exports to `out` whose process died (killed,
    power cut); a file another running export is still writing is left alone."""
    removed = []
    for lock_path in out.parent.glob(f".{glob.escape(out.stem)}.*{_PARTIAL}{_LOCK}"):
        lock = OwnerLock.take_abandoned(lock_path)
        if lock is None:
            continue  # its export is still running
        partial = lock_path.with_name(lock_path.name[: -len(_LOCK)])
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
            removed.append(partial)
        lock.release()
    return removed
