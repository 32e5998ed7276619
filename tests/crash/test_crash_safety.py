"""Crash safety: a real caseapp process is killed with SIGKILL in the middle of an import, an
analysis run, an evidence add and an export. Afterwards the database opens and holds nothing
partial, the evidence store has no orphan or half-written file, no half package stands where the
export was to go, and the same operation then succeeds.

The kill lands at an exact point of the work (tests/crash/driver.py pauses the process there
and tells the test), not after a guessed delay.
"""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from crash_procs import Child, spawn, wait_for
from sqlalchemy import func, select, text

from caseapp.app import App, open_app
from caseapp.db.models import (
    AnalysisRun,
    AuditEntry,
    Case,
    Complaint,
    ComplaintGroup,
    Evidence,
    GroupMember,
    IdentifierMention,
    ImportBatch,
)
from caseapp.services.evidence import EvidenceFields
from caseapp.services.recovery import recover_evidence_store

pytestmark = pytest.mark.slow

ROWS = 4000
MAKE_SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / \
    "make_samples.py"


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not MAKE_SAMPLES.exists():
        pytest.skip(f"sample generator not found at {MAKE_SAMPLES}")
    out = tmp_path_factory.mktemp("samples") / "complaints_big.csv"
    subprocess.run([sys.executable, str(MAKE_SAMPLES), "--rows", str(ROWS), "--seed", "77",
                    "--out", str(out), "--truth", str(out.with_suffix(".truth.json"))],
                   check=True, capture_output=True)
    return out


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    """48 MB of incompressible data: an evidence file whose copy takes dozens of chunks."""
    path = tmp_path / "录音 2025-03-04.bin"
    with path.open("wb") as fh:
        for i in range(48):
            fh.write(hashlib.sha512(str(i).encode()).digest() * (1024 * 1024 // 64))
    return path


@pytest.fixture
def case_number(db_url: str, workspace: Path) -> Iterator[str]:
    with open_app(workspace, db_url, actor="tester") as app:
        app.cases.create(title="崩溃测试", number="CR-1")
    yield "CR-1"


def _cli(db_url: str, workspace: Path, *args: str) -> list[str]:
    return ["cli", "--db", db_url, "--workspace", str(workspace), *args]


def _kill_at(tmp: Path, name: str, options: list[str], command: list[str], marker: Path
             ) -> Child:
    child = spawn(tmp, name, options, command)
    wait_for(marker, child)
    child.kill()
    return child


def _database_opens(db_url: str, workspace: Path) -> None:
    """The database file (or server) is usable without any repair step of ours."""
    if db_url.startswith("sqlite"):
        with sqlite3.connect(workspace / "caseapp.db") as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def _temp_items(workspace: Path) -> list[str]:
    tmp = workspace / "evidence" / "tmp"
    return sorted(p.name for p in tmp.iterdir()) if tmp.is_dir() else []


def assert_consistent(app: App) -> None:
    """Nothing partial anywhere: batches with all their complaints, runs with all their groups,
    evidence rows with intact files and no file without a row, unbroken audit chains."""
    with app.db.read() as s:
        for batch in s.scalars(select(ImportBatch)):
            n = s.scalar(select(func.count()).where(Complaint.batch_id == batch.id))
            assert batch.finished_at is not None and batch.evidence_id is not None
            assert n == batch.rows_imported
        total = s.scalar(select(func.count()).select_from(Complaint))
        imported = s.scalar(select(func.coalesce(func.sum(ImportBatch.rows_imported), 0)))
        assert total == imported
        orphan_mentions = s.scalar(select(func.count()).select_from(IdentifierMention).where(
            IdentifierMention.complaint_id.is_not(None),
            ~IdentifierMention.complaint_id.in_(select(Complaint.id))))
        assert orphan_mentions == 0
        if app.db.engine.dialect.name == "sqlite":
            # FTS5 checks that its index matches the complaint table exactly.
            s.execute(text("INSERT INTO complaint_fts(complaint_fts) VALUES ('integrity-check')"))
        for run in s.scalars(select(AnalysisRun)):
            assert run.finished_at is not None
            for group in s.scalars(select(ComplaintGroup).where(ComplaintGroup.run_id == run.id)):
                members = s.scalar(select(func.count()).where(GroupMember.group_id == group.id))
                assert members == group.size
        runs_per_case = s.execute(select(AnalysisRun.case_id, func.count())
                                  .group_by(AnalysisRun.case_id)).all()
        assert all(n == 1 for _case, n in runs_per_case)
        shas = set(s.scalars(select(Evidence.sha256)))
        cases = list(s.scalars(select(Case.id)))
        audited = s.scalar(select(func.count()).select_from(AuditEntry))
    for sha in shas:
        assert app.ctx.store.check(sha).state.value == "ok", sha
    assert app.ctx.store.orphans(shas) == []
    for case_id in cases:
        assert app.audit.verify(case_id).ok
    assert audited and _temp_items(app.workspace.root) == []


# --- import ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("point", "pattern", "count"), [
    # INSERT INTO … on SQLite, COPY … on PostgreSQL (a pattern cannot hold "|")
    ("rows", r" complaint \(", 2),                # half-way through the rows
    ("mentions", r" identifier_mention \(", 2),   # identifiers and mentions
    ("last_write", r"INSERT INTO audit_entry", 1),       # everything written, not committed
])
def test_import_killed(point: str, pattern: str, count: int, db_url: str, workspace: Path,
                       case_number: str, big_csv: Path, tmp_path: Path) -> None:
    marker = tmp_path / "paused"
    _kill_at(tmp_path, "import", ["--at", f"{pattern}|{count}|{marker}|forever"],
             _cli(db_url, workspace, "complaints", "import", case_number, str(big_csv)),
             marker)
    _database_opens(db_url, workspace)
    # The copy of the source file was already in the evidence store, its record never
    # committed: the next start removes it.
    stored = list((workspace / "evidence").glob("??/??/*"))
    assert len(stored) == 1
    with open_app(workspace, db_url) as app:
        assert app.recovery.orphans_removed == (stored[0].name,)
        with app.db.read() as s:
            assert s.scalar(select(func.count()).select_from(Complaint)) == 0
            assert s.scalar(select(func.count()).select_from(ImportBatch)) == 0
        assert_consistent(app)
        summary = app.complaints.import_file(case_number, big_csv)
        assert summary.rows_imported + summary.rows_duplicate == ROWS
        assert_consistent(app)


def test_import_killed_while_copying_the_source(db_url: str, workspace: Path,
                                                 case_number: str, big_csv: Path,
                                                 tmp_path: Path) -> None:
    marker = tmp_path / "paused"
    _kill_at(tmp_path, "import", ["--at-chunk", f"3|{marker}|forever"],
             _cli(db_url, workspace, "complaints", "import", case_number, str(big_csv)),
             marker)
    half = [n for n in _temp_items(workspace) if n.startswith("incoming-")]
    assert len(half) == 1
    # The 3rd chunk (of 4 or more) was read, not yet written.
    assert big_csv.stat().st_size > 3 * 1024 * 1024
    assert (workspace / "evidence" / "tmp" / half[0]).stat().st_size == 2 * 1024 * 1024
    with open_app(workspace, db_url) as app:
        assert [p.name for p in app.recovery.temp_files_removed] == half
        assert_consistent(app)
        assert app.complaints.import_file(case_number, big_csv).rows_imported > 0
        assert_consistent(app)


# --- analysis -------------------------------------------------------------------------------

def test_analysis_killed_keeps_the_previous_run(db_url: str, workspace: Path,
                                                case_number: str, big_csv: Path,
                                                tmp_path: Path) -> None:
    with open_app(workspace, db_url) as app:
        app.complaints.import_file(case_number, big_csv)
        first = app.analysis.run(case_number)
        assert first.groups
    marker = tmp_path / "paused"
    # The old run is deleted and the new groups are half written in the open transaction.
    _kill_at(tmp_path, "analyze", ["--at", f"INSERT INTO group_member|3|{marker}|forever"],
             _cli(db_url, workspace, "analyze", case_number), marker)
    _database_opens(db_url, workspace)
    with open_app(workspace, db_url) as app:
        kept = app.analysis.latest(case_number)
        assert kept.run_id == first.run_id
        assert kept.clusters() == first.clusters()
        assert_consistent(app)
        again = app.analysis.run(case_number)
        assert again.started_at > kept.started_at and again.clusters() == first.clusters()
        assert_consistent(app)


def test_analysis_killed_before_anything_is_saved(db_url: str, workspace: Path, case_number: str,
                                        big_csv: Path, tmp_path: Path) -> None:
    with open_app(workspace, db_url) as app:
        app.complaints.import_file(case_number, big_csv)
    marker = tmp_path / "paused"
    # Killed once the texts are read, before the groups are computed and saved.
    _kill_at(tmp_path, "analyze",
             ["--at", f"SELECT complaint.id, complaint.text|1|{marker}|forever"],
             _cli(db_url, workspace, "analyze", case_number), marker)
    with open_app(workspace, db_url) as app:
        assert app.analysis.latest(case_number).run_id is None
        assert_consistent(app)
        assert app.analysis.run(case_number).groups
        assert_consistent(app)


# --- evidence -------------------------------------------------------------------------------

def test_evidence_add_killed_while_copying(db_url: str, workspace: Path, case_number: str,
                                           big_file: Path, tmp_path: Path) -> None:
    marker = tmp_path / "paused"
    _kill_at(tmp_path, "add", ["--at-chunk", f"20|{marker}|forever"],
             _cli(db_url, workspace, "evidence", "add", case_number, str(big_file)), marker)
    items = _temp_items(workspace)
    half = [n for n in items if n.startswith("incoming-")]
    assert len(half) == 1 and len(items) == 2  # the half file and its owner's lock
    assert (workspace / "evidence" / "tmp" / half[0]).stat().st_size == 19 * 1024 * 1024
    assert list((workspace / "evidence").glob("??/??/*")) == []
    _database_opens(db_url, workspace)
    with open_app(workspace, db_url) as app:
        assert [p.name for p in app.recovery.temp_files_removed] == half
        assert app.evidence.list(case_number) == []
        assert_consistent(app)
        added = app.evidence.add(case_number, big_file)
        assert added.evidence.size == big_file.stat().st_size
        assert_consistent(app)


def test_evidence_add_killed_before_its_record_commits(db_url: str, workspace: Path,
                                                       case_number: str, big_file: Path,
                                                       tmp_path: Path) -> None:
    marker = tmp_path / "paused"
    _kill_at(tmp_path, "add", ["--at", f"INSERT INTO custody_event|1|{marker}|forever"],
             _cli(db_url, workspace, "evidence", "add", case_number, str(big_file)), marker)
    stored = list((workspace / "evidence").glob("??/??/*"))
    assert len(stored) == 1  # complete and in place, but no committed record refers to it
    assert any(n.startswith("claim-") for n in _temp_items(workspace))
    _database_opens(db_url, workspace)
    with open_app(workspace, db_url) as app:
        assert app.recovery.orphans_removed == (stored[0].name,)
        assert not stored[0].exists()
        assert app.evidence.list(case_number) == []
        assert_consistent(app)
        added = app.evidence.add(case_number, big_file)
        assert not added.already_present
        assert_consistent(app)


def test_file_being_written_by_a_live_process_is_left_alone(
        db_url: str, workspace: Path, case_number: str, big_file: Path,
        tmp_path: Path) -> None:
    """Opening the workspace elsewhere while an add is under way must not break that add."""
    copying, go = tmp_path / "copying", tmp_path / "go"
    child = spawn(tmp_path, "add", ["--at-chunk", f"10|{copying}|{go}"],
                  _cli(db_url, workspace, "evidence", "add", case_number, str(big_file)))
    wait_for(copying, child)
    with open_app(workspace, db_url) as other:
        assert not other.recovery.anything
    go.write_text("go")
    assert child.wait() == 0, child.output()
    with open_app(workspace, db_url) as app:
        assert len(app.evidence.list(case_number)) == 1
        assert_consistent(app)


# --- export ---------------------------------------------------------------------------------

@pytest.mark.parametrize("option", [
    # half-way through the package: the first evidence file is in, the second not yet
    ["--at-call", "caseapp.export.package:BagZipWriter.add_file|1|{marker}|forever"],
    # the package is written, its custody events are in the open transaction, not committed
    ["--at", "INSERT INTO audit_entry|1|{marker}|forever"],
], ids=["copying", "recording"])
def test_export_killed(option: list[str], db_url: str, workspace: Path, case_number: str,
                       big_file: Path, tmp_path: Path) -> None:
    with open_app(workspace, db_url) as app:
        app.evidence.add(case_number, big_file)
        small = tmp_path / "转账截图.txt"
        small.write_text("定金 500 元", encoding="utf-8")
        app.evidence.add(case_number, small)
    out_dir = tmp_path / "导出 目录"
    out_dir.mkdir()
    out = out_dir / "证据材料包.zip"
    marker = tmp_path / "paused"
    _kill_at(tmp_path, "export", [o.format(marker=marker) for o in option],
             _cli(db_url, workspace, "export", case_number, "--out", str(out)), marker)
    _database_opens(db_url, workspace)
    assert not out.exists()
    left = sorted(p.name for p in out_dir.iterdir())
    assert len(left) == 2 and all(".partial" in n for n in left)  # the temp file, its lock
    with open_app(workspace, db_url) as app:
        assert_consistent(app)
        assert not [e for e in app.audit.entries(case_number) if e.action.startswith("export.")]
        for evidence in app.evidence.list(case_number):
            assert all(c.action != "exported" for c in app.evidence.custody(evidence.id))
        result = app.export.export(case_number, out)
        assert result.evidence_files == 2 and app.export.verify(out).ok
        assert_consistent(app)
    # The dead export's temporary file was removed by the next export to the same file.
    assert sorted(p.name for p in out_dir.iterdir()) == [out.name]


def test_recovery_keeps_a_file_whose_record_was_committed(app: App, tmp_path: Path) -> None:
    """A process that died after its commit but before releasing its claim."""
    case = app.cases.create(title="x")
    source = tmp_path / "a.txt"
    source.write_text("证据", encoding="utf-8")
    stored = app.ctx.store.put_file(source, claim=True)
    with app.db.write() as s:
        app.evidence.record_stored(s, s.get(Case, case.id), source, stored, EvidenceFields())
    assert not stored.claim.held  # released on commit  # type: ignore[union-attr]
    # Simulate the dead owner: a claim marker whose lock nobody holds.
    dead = app.ctx.store.put_file(source, claim=True)
    assert dead.claim is not None and not dead.created
    dead.claim._lock.release(delete=False)  # the process "died": lock gone, marker left
    assert any(n.startswith("claim-") for n in _temp_items(app.workspace.root))
    report = recover_evidence_store(app.ctx)
    assert report.orphans_removed == () and stored.path.exists()
    assert _temp_items(app.workspace.root) == []

