"""``caseapp-cli export`` and ``caseapp-cli verify``: the court-ready export and the check a
recipient (or the investigator) runs on a package."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from caseapp.domain.errors import InvalidInputError
from caseapp.domain.progress import ProgressSink
from caseapp.export.context import ALL_SECTIONS, Section
from caseapp.export.service import ExportFormat, ExportOptions, format_for_path
from caseapp.i18n import _
from caseapp.services.records import to_jsonable

if TYPE_CHECKING:
    from caseapp.app import App
    from caseapp.cli.main import Output

VERIFY_FAILED = 5


class _StderrProgress:
    """A one-line progress display on a terminal (nothing when stderr is not one)."""

    def __init__(self) -> None:
        self._tty = sys.stderr is not None and sys.stderr.isatty()
        self._last = -1

    def report(self, done: int, total: int | None, label: str = "") -> None:
        if not self._tty or not total:
            return
        percent = int(100 * done / total)
        if percent != self._last:
            self._last = percent
            sys.stderr.write(f"\r{percent:3d}% {label[:60]:<60}")
            if done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()


def _sections(text: str | None) -> frozenset[Section]:
    if not text:
        return ALL_SECTIONS
    chosen = set()
    for item in text.split(","):
        try:
            chosen.add(Section(item.strip()))
        except ValueError:
            allowed = ", ".join(s.value for s in Section)
            raise InvalidInputError(_("Unknown section {name}; use some of: {allowed}.")
                                    .format(name=item, allowed=allowed)) from None
    return frozenset(chosen)


def cmd_export(app: App, a: argparse.Namespace) -> Output:
    from caseapp.cli.main import Output

    out = Path(a.out)
    fmt = ExportFormat(a.format) if a.format else format_for_path(out)
    options = ExportOptions(format=fmt, redact=not a.no_redact, sections=_sections(a.sections),
                            organisation=a.organisation, contact_name=a.contact_name,
                            contact_phone=a.contact_phone or "",
                            contact_email=a.contact_email or "")
    progress: ProgressSink = _StderrProgress()
    result = app.export.export(a.case, out, options, progress=progress)
    data: dict[str, Any] = to_jsonable(result)
    data["path"] = str(result.path)
    lines = [str(result.path),
             _("SHA-256 {sha} · {size} bytes · {seconds:.1f} s").format(
                 sha=result.sha256, size=f"{result.size:,}", seconds=result.seconds)]
    if fmt is ExportFormat.PACKAGE:
        lines.append(_("{files} files in the package, {evidence} of them evidence; "
                       "{complaints} complaints in complaints.csv.").format(
            files=result.payload_files, evidence=result.evidence_files,
            complaints=result.complaints))
    lines.append(_("Complainants' ID numbers and phones are masked.") if result.redacted
                 else _("Not redacted: the export holds complainants' full personal data."))
    if result.missing_glyphs:
        lines.append(_("The dossier's font cannot show: {chars}").format(
            chars=" ".join(result.missing_glyphs)))
    return Output(data, lines)


def cmd_verify(app: App, a: argparse.Namespace) -> Output:
    from caseapp.cli.main import Output

    result = app.export.verify(Path(a.package), progress=_StderrProgress())
    data = {"ok": result.ok, "package": result.package, "bag": result.bag_name,
            "files_checked": result.files_checked, "bytes_checked": result.bytes_checked,
            "bag_info": dict(result.bag_info),
            "problems": [{"kind": p.kind.value, "path": p.path, "message": p.message}
                         for p in result.problems]}
    if result.ok:
        return Output(data, _("Package intact: {n} files checked ({case}, bagged {date}).")
                      .format(n=result.files_checked, case=result.info("External-Identifier"),
                              date=result.info("Bagging-Date")))
    lines = [p.message for p in result.problems]
    lines.append(_("{n} problem(s) found: the package is not intact.").format(
        n=len(result.problems)))
    return Output(data, lines, exit_code=VERIFY_FAILED)


def add_export_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``export`` and ``verify`` on the top-level command parser."""
    c = sub.add_parser("export", help=_(
        "court-ready export: the evidence package (ZIP, BagIt), or the PDF or DOCX dossier"))
    c.set_defaults(handler=cmd_export)
    c.add_argument("case", metavar="CASE")
    c.add_argument("--out", required=True, metavar="PATH",
                   help=_("file to write (.zip, .pdf or .docx)"))
    c.add_argument("--format", choices=[f.value for f in ExportFormat],
                   help=_("default: from the file name"))
    redact = c.add_mutually_exclusive_group()
    redact.add_argument("--redact", dest="no_redact", action="store_false",
                        help=_("mask complainants' ID numbers and phones (the default)"))
    redact.add_argument("--no-redact", dest="no_redact", action="store_true",
                        help=_("show complainants' full ID numbers and phones"))
    c.set_defaults(no_redact=False)
    c.add_argument("--sections", metavar="LIST",
                   help=_("comma-separated sections to include (default: all): ")
                   + ",".join(s.value for s in Section))
    c.add_argument("--organisation", help=_("organisation named in the package"))
    c.add_argument("--contact-name")
    c.add_argument("--contact-phone")
    c.add_argument("--contact-email")
    c = sub.add_parser("verify", help=_(
        "check an evidence package: exit 0 when intact, else each missing, extra or altered "
        "file"))
    c.set_defaults(handler=cmd_verify)
    c.add_argument("package", metavar="PACKAGE.zip")
