"""``caseapp-cli backup`` and ``caseapp-cli restore``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from caseapp.app import App, open_app
from caseapp.backup.service import BackupService, BackupSummary, RestoreSummary
from caseapp.domain.errors import InvalidInputError
from caseapp.i18n import _


def _output(data: Any, lines: list[str]) -> Any:
    from caseapp.cli.main import Output  # main imports this module

    return Output(data, lines)


def _cases_data(cases: Any) -> list[dict[str, Any]]:
    return [{"id": c.id, "number": c.number, "title": c.title, "complaints": c.complaints,
             "evidence": c.evidence} for c in cases]


def cmd_backup(app: App, a: argparse.Namespace) -> Any:
    if bool(a.all) == bool(a.case):
        raise InvalidInputError(_("Give either a CASE or --all."))
    summary: BackupSummary = BackupService(app.ctx).backup(
        Path(a.out), cases=None if a.all else [a.case], kind=a.kind)
    data = {"path": str(summary.path), "kind": summary.kind, "size": summary.size,
            "evidence_files": summary.evidence_files, "seconds": round(summary.seconds, 3),
            "cases": _cases_data(summary.cases)}
    lines = [_("Backup written to {path} ({size} bytes, {seconds:.1f} s).").format(
        path=summary.path, size=summary.size, seconds=summary.seconds)]
    lines += [_("  {number} {title}: {complaints} complaints, {evidence} evidence files")
              .format(number=c.number, title=c.title, complaints=c.complaints,
                      evidence=c.evidence) for c in summary.cases]
    return _output(data, lines)


def cmd_restore(app: App, a: argparse.Namespace) -> Any:
    if a.into or a.into_db:
        with open_app(a.into or app.workspace.root, a.into_db) as target:
            summary = BackupService(target.ctx).restore(Path(a.file))
            where = str(target.workspace.root)
    else:
        summary = BackupService(app.ctx).restore(Path(a.file))
        where = str(app.workspace.root)
    return _restored(summary, where)


def _restored(summary: RestoreSummary, where: str) -> Any:
    data = {"path": str(summary.path), "workspace": where, "kind": summary.kind,
            "rows": summary.rows, "evidence_files": summary.evidence_files,
            "seconds": round(summary.seconds, 3), "cases": _cases_data(summary.cases)}
    lines = [_("Restored {n} case(s) into {where} ({seconds:.1f} s); every file matched the "
               "backup's manifest.").format(n=len(summary.cases), where=where,
                                            seconds=summary.seconds)]
    lines += [f"  {c.number} {c.title}" for c in summary.cases]
    return _output(data, lines)


def cmd_backup_verify(app: App, a: argparse.Namespace) -> Any:
    backup = BackupService(app.ctx).verify(Path(a.file))
    m = backup.manifest
    data = {"ok": True, "kind": m["kind"], "created_at": m.get("created_at"),
            "created_by": m.get("created_by"), "revision": m.get("revision"),
            "files": len(m["files"]), "cases": m.get("cases", [])}
    return _output(data, [_("{file} is intact: {n} files match the manifest.").format(
        file=a.file, n=len(m["files"]))])


def register_backup_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]
                             ) -> None:
    c = sub.add_parser("backup", help=_("back up a case (or all) with its evidence to one "
                                        "file"))
    c.set_defaults(handler=cmd_backup)
    c.add_argument("case", metavar="CASE", nargs="?")
    c.add_argument("--all", action="store_true", help=_("every case"))
    c.add_argument("--out", required=True, metavar="FILE")
    c.add_argument("--kind", choices=["sqlite", "rows"],
                   help=_("sqlite: copy of the database (SQLite only; default there); rows: "
                          "the cases' rows as JSON (default on PostgreSQL)"))
    c = sub.add_parser("restore", help=_("restore a backup into an empty workspace"))
    c.set_defaults(handler=cmd_restore)
    c.add_argument("file", metavar="FILE")
    c.add_argument("--into", metavar="WORKSPACE", help=_("the (empty) workspace to restore "
                                                         "into"))
    c.add_argument("--into-db", metavar="URL", help=_("database URL of the target workspace "
                                                      "(e.g. an empty PostgreSQL database)"))
    c = sub.add_parser("backup-verify", help=_("check a backup file against its manifest"))
    c.set_defaults(handler=cmd_backup_verify)
    c.add_argument("file", metavar="FILE")
