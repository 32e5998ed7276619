"""Two imports of overlapping files into one case at the same time, in two real processes
(SQLite and PostgreSQL): no complaint is stored twice and both imports succeed."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from caseapp.app import App
from caseapp.db.models import Complaint, Identifier, ImportBatch
from caseapp.db.repositories.complaints import try_lock_case_imports
from caseapp.domain.errors import Cancelled
from caseapp.domain.progress import CancelToken
from caseapp.services import complaints as complaint_service

WAITING = "Waiting for another import into this case to finish"


def _split(samples: Path, tmp_path: Path) -> tuple[Path, Path, set[str]]:
    """Two UTF-8 files sharing the middle third of complaints_excel.csv's records."""
    with (samples / "complaints_excel.csv").open(encoding="gb18030", newline="") as fh:
        header, *records = [row for row in csv.reader(fh) if any(row)]
    third = len(records) // 3
    parts = {"a.csv": records[: 2 * third], "b.csv": records[third:]}
    paths = []
    for name, rows in parts.items():
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows([header, *rows])
        paths.append(path)
    return paths[0], paths[1], {row[0].strip() for row in records}


def _start_import(workspace: Path, db_url: str, case_id: int, path: Path) -> subprocess.Popen:
    env = {**os.environ, "CASEAPP_LANG": "en"}
    return subprocess.Popen(
        [sys.executable, "-m", "caseapp.cli", "--workspace", str(workspace), "--db", db_url,
         "--json", "complaints", "import", str(case_id), str(path)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(process: subprocess.Popen) -> dict:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return json.loads(out)


@contextmanager
def _import_lock_held(app: App, case_id: int) -> Iterator[None]:
    """Hold the case's import lock (and, on SQLite, the write lock) from this process."""
    with app.db.write() as s:
        assert try_lock_case_imports(s, case_id)
        yield


def _check_outcome(app: App, case_id: int, numbers: set[str], summaries: list[dict]) -> None:
    with app.db.read() as s:
        stored = list(s.scalars(select(Complaint.external_number)
                                .where(Complaint.case_id == case_id)))
        identifiers = s.execute(select(Identifier.type, Identifier.value)
                                .where(Identifier.case_id == case_id)).all()
        batches = s.scalar(select(func.count()).select_from(ImportBatch)
                           .where(ImportBatch.case_id == case_id))
    assert len(stored) == len(set(stored)) and set(stored) == numbers
    assert len(identifiers) == len(set(identifiers))
    assert batches == 2
    assert sum(x["rows_imported"] for x in summaries) == len(numbers)
    for summary in summaries:
        assert summary["ok"] and summary["rows_rejected"] == 0
        assert summary["rows_imported"] + summary["rows_duplicate"] == summary["rows_read"]
    # The import that ran second found the shared third already there.
    assert max(x["rows_duplicate"] for x in summaries) > len(numbers) // 4
    assert app.audit.verify(case_id).ok


def test_two_processes_queued_behind_a_held_lock(app: App, db_url: str, workspace: Path,
                                                 samples: Path, tmp_path: Path) -> None:
    """Both imports start while the lock is held, so both are waiting when it is released."""
    a, b, numbers = _split(samples, tmp_path)
    case = app.cases.create(title="并发导入")
    with _import_lock_held(app, case.id):
        processes = [_start_import(workspace, db_url, case.id, path) for path in (a, b)]
        time.sleep(4)
        assert all(p.poll() is None for p in processes)  # both still waiting
    summaries = [_finish(p) for p in processes]
    _check_outcome(app, case.id, numbers, summaries)


def test_two_processes_started_together(app: App, db_url: str, workspace: Path,
                                        samples: Path, tmp_path: Path) -> None:
    a, b, numbers = _split(samples, tmp_path)
    case = app.cases.create(title="并发导入")
    processes = [_start_import(workspace, db_url, case.id, path) for path in (a, b)]
    summaries = [_finish(p) for p in processes]
    _check_outcome(app, case.id, numbers, summaries)


def test_the_same_file_twice_at_once(app: App, db_url: str, workspace: Path, samples: Path,
                                     tmp_path: Path) -> None:
    """The second import finds the file's evidence and every complaint already there."""
    a, _b, _numbers = _split(samples, tmp_path)
    case = app.cases.create(title="同一文件")
    with _import_lock_held(app, case.id):
        processes = [_start_import(workspace, db_url, case.id, a) for _ in range(2)]
        time.sleep(4)
    first, second = sorted((_finish(p) for p in processes), key=lambda x: x["rows_duplicate"])
    assert first["rows_imported"] > 0 and second["rows_imported"] == 0
    assert second["rows_duplicate"] == second["rows_read"]
    assert first["evidence_id"] == second["evidence_id"]
    with app.db.read() as s:
        count = s.scalar(select(func.count()).select_from(Complaint)
                         .where(Complaint.case_id == case.id))
    assert count == first["rows_imported"]
    assert app.audit.verify(case.id).ok


class _Labels:
    def __init__(self) -> None:
        self.labels: list[str] = []

    def report(self, done: int, total: int | None, label: str = "") -> None:
        self.labels.append(label)


def test_an_import_waits_for_the_case_lock(app: App, samples: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """While another session holds the lock the import polls, says so, and then imports."""
    real = complaint_service.try_lock_case_imports
    refusals = [False, False]

    def lock(s: object, case_id: int) -> bool:
        return refusals.pop() if refusals else real(s, case_id)  # type: ignore[arg-type]

    monkeypatch.setattr(complaint_service, "try_lock_case_imports", lock)
    case = app.cases.create(title="等待")
    sink = _Labels()
    summary = app.complaints.import_file(case.id, samples / "complaints_small.csv",
                                         progress=sink)
    assert summary.rows_imported > 0
    assert sink.labels.count(WAITING) == 2


def test_sqlite_busy_database_is_waited_for(app: App, samples: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's busy timeout running out before the import began is not an error."""
    real = complaint_service.try_lock_case_imports
    failures = [OperationalError("BEGIN IMMEDIATE", None,
                                 sqlite3.OperationalError("database is locked"))]

    def lock(s: object, case_id: int) -> bool:
        if failures:
            raise failures.pop()
        return real(s, case_id)  # type: ignore[arg-type]

    monkeypatch.setattr(complaint_service, "try_lock_case_imports", lock)
    case = app.cases.create(title="忙")
    sink = _Labels()
    summary = app.complaints.import_file(case.id, samples / "complaints_small.csv",
                                         progress=sink)
    assert summary.rows_imported > 0 and WAITING in sink.labels


def test_cancel_while_waiting_leaves_nothing(app: App, samples: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    token = CancelToken()

    def refuse(s: object, case_id: int) -> bool:
        token.cancel()
        return False

    monkeypatch.setattr(complaint_service, "try_lock_case_imports", refuse)
    case = app.cases.create(title="取消")
    with pytest.raises(Cancelled):
        app.complaints.import_file(case.id, samples / "complaints_small.csv", cancel=token)
    with app.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Complaint)) == 0
        assert s.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_a_copy_removed_while_waiting_is_stored_again(app: App, samples: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A concurrent import of the same file that failed took its new copy out of the store
    while this one waited: the source is stored again, so the evidence has its file."""
    real = complaint_service.try_lock_case_imports
    source = samples / "complaints_small.csv"

    def lock(s: object, case_id: int) -> bool:
        for stored in app.ctx.store.root.rglob("*"):
            if stored.is_file() and stored.read_bytes() == source.read_bytes():
                stored.unlink()
        return real(s, case_id)  # type: ignore[arg-type]

    monkeypatch.setattr(complaint_service, "try_lock_case_imports", lock)
    case = app.cases.create(title="重新保存")
    summary = app.complaints.import_file(case.id, source)
    assert app.ctx.store.path_for(summary.file_sha256).read_bytes() == source.read_bytes()
    assert app.evidence.verify(case.id).ok
