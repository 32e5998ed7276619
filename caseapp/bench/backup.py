"""Backup and restore timing for a case of N complaints.

    python -m caseapp.bench.backup --csv complaints.csv [--pg URL] [--evidence-mb 20]

Imports the file into a fresh case (SQLite, and PostgreSQL when --pg is given: an empty
database or schema), adds one evidence file, then times backup → verify → restore into an
empty SQLite workspace (and into PostgreSQL)."""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
from pathlib import Path

from caseapp.app import open_app
from caseapp.backup.service import BackupService


def _run(label: str, csv: Path, url: str | None, target_url: str | None, tmp: Path,
         evidence_mb: int) -> None:
    ws = tmp / f"src-{label}"
    with open_app(ws, url, actor="bench") as app:
        case = app.cases.create(title="bench", number=f"BENCH-{label}")
        summary = app.complaints.import_file(case.id, csv)
        blob = tmp / "evidence.bin"
        with blob.open("wb") as fh:
            for i in range(evidence_mb):
                fh.write(hashlib.sha512(str(i).encode()).digest() * (1024 * 1024 // 64))
        app.evidence.add(case.id, blob)
        service = BackupService(app.ctx)
        out = tmp / f"{label}.cabak"
        t = time.perf_counter()
        done = service.backup(out, cases=[case.id])
        backup_s = time.perf_counter() - t
        t = time.perf_counter()
        service.verify(out)
        verify_s = time.perf_counter() - t
    print(f"{label}: {summary.rows_imported} complaints, backup ({done.kind}) {backup_s:.2f} s, "
          f"{done.size / 1e6:.1f} MB; verify {verify_s:.2f} s")
    targets = [("sqlite", None)] + ([("postgresql", target_url)] if target_url else [])
    for name, turl in targets:
        with open_app(tmp / f"dst-{label}-{name}", turl, actor="bench") as target:
            t = time.perf_counter()
            restored = BackupService(target.ctx).restore(out)
            restore_s = time.perf_counter() - t
            ok = target.audit.verify(case.number).ok and target.evidence.verify(case.id).ok
        print(f"  restore into {name}: {restore_s:.2f} s ({restored.rows} rows, "
              f"chain and files verified: {ok})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, required=True)
    parser.add_argument("--pg", help="empty PostgreSQL database (source)")
    parser.add_argument("--pg-target", help="another empty PostgreSQL database (target of "
                        "the SQLite backup)")
    parser.add_argument("--evidence-mb", type=int, default=20)
    a = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _run("sqlite", a.csv, None, a.pg_target, Path(tmp), a.evidence_mb)
        if a.pg:
            _run("postgresql", a.csv, a.pg, None, Path(tmp), a.evidence_mb)


if __name__ == "__main__":
    main()
