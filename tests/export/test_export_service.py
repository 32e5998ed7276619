"""The export service on SQLite and PostgreSQL: all or nothing, recorded, cancellable."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select

from caseapp.app import App
from caseapp.db.models import AuditEntry, CustodyEvent
from caseapp.demo import ensure_demo_case
from caseapp.domain.errors import Cancelled, IntegrityError, InvalidInputError
from caseapp.domain.progress import CancelToken
from caseapp.export.service import ExportFormat, ExportOptions
from caseapp.export.verify import verify_package


def _counts(app: App) -> tuple[int, int]:
    with app.db.read() as s:
        return (s.scalar(select(func.count()).select_from(AuditEntry)) or 0,
                s.scalar(select(func.count()).select_from(CustodyEvent)) or 0)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"  # the workspace is in tmp_path too
    folder.mkdir()
    return folder


class _CancelAt:
    """Cancels once the export's progress passes `at` (of 1000)."""

    def __init__(self, token: CancelToken, at: int) -> None:
        self.token, self.at = token, at
        self.seen: list[tuple[int, str]] = []

    def report(self, done: int, total: int | None, label: str = "") -> None:
        self.seen.append((done, label))
        if done >= self.at:
            self.token.cancel()


@pytest.mark.parametrize("at", [0, 400, 700])
def test_cancelled_export_leaves_nothing(app: App, out: Path, at: int) -> None:
    case = ensure_demo_case(app)
    before = _counts(app)
    token = CancelToken()
    sink = _CancelAt(token, at)
    with pytest.raises(Cancelled):
        app.export.export(case.id, out / "p.zip", progress=sink, cancel=token)
    assert list(out.iterdir()) == []
    assert _counts(app) == before
    assert sink.seen


def test_export_records_and_verifies(app: App, out: Path) -> None:
    case = ensure_demo_case(app)
    before_audit, before_custody = _counts(app)
    seen: list[int] = []

    class Sink:
        def report(self, done: int, total: int | None, label: str = "") -> None:
            seen.append(done)

    result = app.export.export(case.id, out / "p.zip", progress=Sink())
    assert seen == sorted(seen) and seen[-1] == 1000
    assert sorted(p.name for p in out.iterdir()) == ["p.zip"]
    assert verify_package(result.path).ok
    audit, custody = _counts(app)
    files = len(app.evidence.list(case.id))
    assert audit == before_audit + 1 and custody == before_custody + files
    last = app.audit.entries(case.id)[-1]
    assert last.action == "export.package" and result.sha256 in last.summary
    receipt = next(e for e in app.evidence.list(case.id) if e.title == "定金转账记录")
    events = app.evidence.custody(receipt.id)
    assert events[-1].action == "exported" and result.sha256 in events[-1].note
    assert app.audit.verify(case.id).ok


def test_altered_store_file_fails_the_export(app: App, out: Path) -> None:
    case = ensure_demo_case(app)
    receipt = next(e for e in app.evidence.list(case.id) if e.title == "定金转账记录")
    stored = app.evidence.file_path(receipt.id)
    os.chmod(stored, stat.S_IWUSR | stat.S_IRUSR)
    stored.write_bytes(stored.read_bytes() + b"tampered")
    before = _counts(app)
    with pytest.raises(IntegrityError, match="deposit_receipt"):
        app.export.export(case.id, out / "p.zip")
    assert list(out.iterdir()) == [] and _counts(app) == before


def test_dossier_only_exports_and_bad_targets(app: App, out: Path) -> None:
    case = ensure_demo_case(app)
    pdf = app.export.export(case.id, out / "d.pdf",
                            ExportOptions(format=ExportFormat.PDF))
    assert pdf.path.read_bytes().startswith(b"%PDF-")
    docx = app.export.export(case.id, out / "d.docx",
                             ExportOptions(format=ExportFormat.DOCX, redact=False))
    assert docx.path.read_bytes().startswith(b"PK")
    with pytest.raises(InvalidInputError, match="does not exist"):
        app.export.export(case.id, out / "missing" / "p.zip")
    with pytest.raises(InvalidInputError, match="folder"):
        app.export.export(case.id, out)
    assert sorted(p.name for p in out.iterdir()) == ["d.docx", "d.pdf"]


def test_only_abandoned_temporary_files_are_removed(tmp_path: Path) -> None:
    from caseapp.export.service import remove_abandoned_partials
    from caseapp.storage.owner_lock import OwnerLock

    out = tmp_path / "证据材料包.zip"
    live, dead = (tmp_path / f".证据材料包.{n}.abc123.partial" for n in ("live", "dead"))
    other = tmp_path / ".其他.x.abc123.partial"
    for path in (live, dead, other):
        path.write_bytes(b"half")
    held = OwnerLock.create(live.with_name(live.name + ".lock"))
    OwnerLock.create(dead.with_name(dead.name + ".lock")).release(delete=False)  # died
    OwnerLock.create(other.with_name(other.name + ".lock")).release(delete=False)
    assert remove_abandoned_partials(out) == [dead]
    assert live.exists() and other.exists() and not dead.exists()
    held.release(delete=False)
    assert remove_abandoned_partials(out) == [live]
