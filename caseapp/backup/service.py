"""Back up cases to one file and restore them into an empty workspace.

SQLite: a consistent copy of the live database by SQLite's online backup API (other cases
removed from the copy when only some are backed up), plus the evidence files the cases
reference. PostgreSQL: the rows of every table of the cases as JSON lines, read in one
REPEATABLE READ snapshot, plus the evidence files. Either kind restores into an empty workspace
on SQLite or PostgreSQL: the backup is first turned into a scratch SQLite database at the
current schema (older backups are migrated there), then copied row by row, ids unchanged (the
audit chain covers them), in one transaction.
"""

from __future__ import annotations

import contextlib
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, func, select, text, true
from sqlalchemy.orm import Session

from caseapp import __version__
from caseapp.backup import rows as rowcodec
from caseapp.backup.archive import ArchiveWriter, Backup, verify_archive
from caseapp.backup.scope import (
    WORKSPACE_TABLES,
    case_condition,
    case_scopes,
    is_data_table,
)
from caseapp.db.base import Base
from caseapp.db.migrate import alembic_config, current_revision, head_revision
from caseapp.db.models import Case, Complaint, Evidence
from caseapp.db.repositories.lookup import find_case
from caseapp.db.session import make_engine
from caseapp.domain.errors import ConflictError, InvalidInputError
from caseapp.domain.progress import CancelToken, NullProgress, ProgressSink
from caseapp.i18n import _
from caseapp.services.audit import append_audit
from caseapp.services.context import ServiceContext
from caseapp.storage.evidence_store import StoredFile

KIND_SQLITE = "sqlite"
KIND_ROWS = "rows"
DB_MEMBER = "database/caseapp.sqlite"
_STORED_TYPES = ("image/", "audio/", "video/", "application/zip", "application/pdf")


@dataclass(frozen=True, slots=True)
class BackedUpCase:
    id: int
    number: str
    title: str
    complaints: int
    evidence: int


@dataclass(frozen=True, slots=True)
class BackupSummary:
    path: Path
    kind: str
    cases: tuple[BackedUpCase, ...]
    evidence_files: int
    size: int
    seconds: float


@dataclass(frozen=True, slots=True)
class RestoreSummary:
    path: Path
    kind: str
    cases: tuple[BackedUpCase, ...]
    rows: int
    evidence_files: int
    seconds: float


def _case_summaries(s: Session, case_ids: list[int]) -> list[BackedUpCase]:
    out = []
    for case in s.scalars(select(Case).where(Case.id.in_(case_ids)).order_by(Case.id)):
        complaints = s.scalar(select(func.count()).where(Complaint.case_id == case.id)) or 0
        evidence = s.scalar(select(func.count()).where(Evidence.case_id == case.id)) or 0
        out.append(BackedUpCase(case.id, case.number, case.title, complaints, evidence))
    return out


def _evidence_compressed(media_type: str) -> bool:
    return not media_type.startswith(_STORED_TYPES)


def _sqlite_snapshot(db_file: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (WAL included) by the online backup API."""
    source = sqlite3.connect(f"file:{db_file.as_posix()}?mode=ro", uri=True)
    try:
        dest = sqlite3.connect(str(target))
        try:
            source.backup(dest, pages=4096)
        finally:
            dest.close()
    finally:
        source.close()


def _prune(snapshot: Path, keep: list[int]) -> None:
    """Remove every other case's rows from a snapshot, and their traces (VACUUM)."""
    engine = make_engine(f"sqlite:///{snapshot.as_posix()}")
    try:
        with engine.begin() as conn:
            metadata = rowcodec.reflect(conn)
            scopes = case_scopes(metadata)
            for table in reversed(metadata.sorted_tables):
                if table.name in scopes:
                    conn.execute(table.delete().where(
                        ~case_condition(metadata, scopes, table, keep)))
                elif table.name in WORKSPACE_TABLES:
                    conn.execute(table.delete())
    finally:
        engine.dispose()
    raw = sqlite3.connect(str(snapshot), isolation_level=None)
    try:
        raw.execute("PRAGMA journal_mode=DELETE")
        raw.execute("VACUUM")
    finally:
        raw.close()


def _known_revision(revision: str | None) -> bool:
    if revision is None:
        return True
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def _migrate(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


class BackupService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # --- backup ---------------------------------------------------------------------------

    def backup(
        self,
        out: Path,
        *,
        cases: list[str | int] | None = None,
        kind: str | None = None,
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> BackupSummary:
        """Write the given cases (all when None) and their evidence to `out`."""
        started = time.perf_counter()
        sink = progress or NullProgress()
        engine = self._ctx.db.engine
        sqlite = engine.dialect.name == "sqlite" and engine.url.database not in (None, "",
                                                                                  ":memory:")
        kind = kind or (KIND_SQLITE if sqlite else KIND_ROWS)
        if kind == KIND_SQLITE and not sqlite:
            raise InvalidInputError(_("Only a SQLite workspace can be backed up as a "
                                      "database copy."))
        with self._ctx.db.read() as s:
            if cases is None:
                case_ids = list(s.scalars(select(Case.id).order_by(Case.id)))
            else:
                case_ids = sorted({find_case(s, ref).id for ref in cases})
        writer = ArchiveWriter(Path(out))
        try:
            with tempfile.TemporaryDirectory(prefix="caseapp-backup-") as tmp:
                if kind == KIND_SQLITE:
                    info = self._write_sqlite(writer, Path(tmp), case_ids,
                                              select_all=cases is None)
                else:
                    info = self._write_rows(writer, case_ids)
            summaries = info.pop("summaries")
            shas = info.pop("evidence")
            total = sum(size for _sha, size, _mt in shas) or 1
            done = 0
            for sha, size, media_type in shas:
                writer.add_file(f"evidence/{sha}", self._ctx.store.path_for(sha),
                                compress=_evidence_compressed(media_type), cancel=cancel)
                if writer.files[-1]["sha256"] != sha:
                    raise ConflictError(_(
                        "The stored evidence file {sha} does not match its recorded SHA-256 "
                        "(it was altered). Run 'evidence verify' and resolve it before the "
                        "backup.").format(sha=sha))
                done += size
                sink.report(done, total, _("Copying evidence files"))
            writer.finish({
                **info,
                "kind": kind,
                "created_at": self._ctx.clock().isoformat(),
                "created_by": self._ctx.actor,
                "app_version": __version__,
                "source_dialect": engine.dialect.name,
                "cases": [vars_of(c) for c in summaries],
                "evidence": len(shas),
            })
        except BaseException:
            writer.abort()
            raise
        return BackupSummary(Path(out), kind, tuple(summaries), len(shas),
                             Path(out).stat().st_size, time.perf_counter() - started)

    def _evidence_of(self, conn: Connection | Session, case_ids: list[int]
                     ) -> list[tuple[str, int, str]]:
        rows = conn.execute(select(Evidence.sha256, Evidence.size, Evidence.media_type)
                            .where(Evidence.case_id.in_(case_ids)))
        seen: dict[str, tuple[str, int, str]] = {}
        for sha, size, media_type in rows:
            seen.setdefault(sha, (sha, size, media_type))
        for sha in seen:
            if not self._ctx.store.contains(sha):
                raise ConflictError(_(
                    "The evidence file {sha} is missing from the store. Run 'evidence verify' "
                    "and resolve it before the backup.").format(sha=sha))
        return sorted(seen.values())

    def _write_sqlite(self, writer: ArchiveWriter, tmp: Path, case_ids: list[int], *,
                      select_all: bool) -> dict[str, Any]:
        db_file = Path(str(self._ctx.db.engine.url.database))
        snapshot = tmp / "snapshot.sqlite"
        _sqlite_snapshot(db_file, snapshot)
        engine = make_engine(f"sqlite:///{snapshot.as_posix()}")
        try:
            with engine.connect() as conn:
                revision = current_revision(engine)
                all_ids = list(conn.scalars(select(Case.id)))
        finally:
            engine.dispose()
        if not select_all or set(all_ids) != set(case_ids):
            _prune(snapshot, case_ids)
        engine = make_engine(f"sqlite:///{snapshot.as_posix()}")
        try:
            with Session(engine) as s:
                summaries = _case_summaries(s, case_ids)
                evidence = self._evidence_of(s, case_ids)
        finally:
            engine.dispose()
        writer.add_file(DB_MEMBER, snapshot, compress=True)
        return {"revision": revision, "summaries": summaries, "evidence": evidence}

    def _write_rows(self, writer: ArchiveWriter, case_ids: list[int] | None
                    ) -> dict[str, Any]:
        engine = self._ctx.db.engine
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                if engine.dialect.name == "postgresql":
                    conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                info = dump_rows(conn, writer, case_ids)
                with Session(conn) as s:
                    ids = case_ids if case_ids is not None else list(
                        s.scalars(select(Case.id)))
                    info["summaries"] = _case_summaries(s, ids)
                    info["evidence"] = self._evidence_of(s, ids)
        return info

    # --- restore --------------------------------------------------------------------------

    def verify(self, path: Path, *, cancel: CancelToken | None = None) -> Backup:
        return verify_archive(Path(path), cancel=cancel)

    def restore(
        self,
        path: Path,
        *,
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> RestoreSummary:
        """Restore a backup into this (empty) workspace: all or nothing."""
        started = time.perf_counter()
        sink = progress or NullProgress()
        path = Path(path)
        backup = verify_archive(path, cancel=cancel)
        manifest = backup.manifest
        revision = manifest.get("revision")
        if not _known_revision(revision):
            raise InvalidInputError(_(
                "{file} was made by a newer caseapp (schema {revision}); update caseapp to "
                "restore it.").format(file=path, revision=revision))
        self._require_empty()
        sink.report(1, 100, _("Preparing the data"))
        stored: list[StoredFile] = []
        try:
            with tempfile.TemporaryDirectory(prefix="caseapp-restore-") as tmp:
                scratch = build_scratch(backup, Path(tmp))
                stored = self._stage_evidence(backup, cancel)
                sink.report(50, 100, _("Writing the data"))
                scratch_engine = make_engine(f"sqlite:///{scratch.as_posix()}")
                try:
                    with self._ctx.db.write() as s:
                        self._require_empty(s)
                        with scratch_engine.connect() as source:
                            count = copy_rows(source, s.connection())
                        case_ids = list(s.scalars(select(Case.id).order_by(Case.id)))
                        for case_id in case_ids:
                            append_audit(
                                s, self._ctx, case_id=case_id, action="case.restore",
                                object_type="case", object_id=case_id,
                                summary=_("restored from the backup {file} made by {who} at "
                                          "{when}").format(file=path.name,
                                                          who=manifest.get("created_by", "?"),
                                                          when=manifest.get("created_at", "?")),
                                details={"backup": path.name, "kind": manifest["kind"],
                                         "created_at": manifest.get("created_at"),
                                         "created_by": manifest.get("created_by"),
                                         "revision": revision})
                        summaries = _case_summaries(s, case_ids)
                finally:
                    scratch_engine.dispose()
        except BaseException:
            self._discard(stored)
            raise
        for item in stored:
            if item.claim is not None:
                item.claim.release()
        sink.report(100, 100, _("Done"))
        return RestoreSummary(path, manifest["kind"], tuple(summaries), count, len(stored),
                              time.perf_counter() - started)

    def _require_empty(self, s: Session | None = None) -> None:
        with contextlib.ExitStack() as stack:
            if s is None:
                s = stack.enter_context(self._ctx.db.read())
            if s.scalar(select(func.count()).select_from(Case)):
                raise ConflictError(_(
                    "This workspace already holds cases; restore into an empty workspace "
                    "(for example: caseapp-cli restore FILE --into NEW-FOLDER)."))

    def _stage_evidence(self, backup: Backup, cancel: CancelToken | None
                        ) -> list[StoredFile]:
        stored: list[StoredFile] = []
        try:
            with zipfile.ZipFile(backup.path) as zf:
                for entry in backup.manifest["files"]:
                    if not entry["name"].startswith("evidence/"):
                        continue
                    with zf.open(entry["name"]) as fh:
                        item = self._ctx.store.put_stream(fh, total=entry["size"],
                                                          cancel=cancel, claim=True)
                    stored.append(item)
                    if item.sha256 != entry["sha256"]:
                        raise ConflictError(_("{name}: changed while it was being restored.")
                                            .format(name=entry["name"]))
        except BaseException:
            self._discard(stored)
            raise
        return stored

    def _discard(self, stored: list[StoredFile]) -> None:
        def referenced(sha: str) -> bool:
            with self._ctx.db.read() as s:
                return s.scalar(select(Evidence.id).where(Evidence.sha256 == sha).limit(1)
                                ) is not None

        try:
            for item in stored:
                if item.created:
                    self._ctx.store.remove_unclaimed(
                        item.sha256, lambda sha=item.sha256: referenced(sha),
                        ignore_tokens=[item.claim.token] if item.claim else [])
        finally:
            for item in stored:
                if item.claim is not None:
                    item.claim.release()


def vars_of(case: BackedUpCase) -> dict[str, Any]:
    return {"id": case.id, "number": case.number, "title": case.title,
            "complaints": case.complaints, "evidence": case.evidence}


def dump_rows(conn: Connection, writer: ArchiveWriter, case_ids: list[int] | None
              ) -> dict[str, Any]:
    """Every data table's rows (of the cases, or all) as ``rows/<table>.jsonl``."""
    metadata = rowcodec.reflect(conn)
    scopes = case_scopes(metadata)
    tables: dict[str, Any] = {}
    for table in metadata.sorted_tables:
        if table.name not in scopes and case_ids is not None:
            continue
        where = (case_condition(metadata, scopes, table, case_ids) if table.name in scopes
                 else true())
        with writer.member(f"rows/{table.name}.jsonl") as out:
            count = rowcodec.write_rows(conn, table, where, out)  # type: ignore[arg-type]
        tables[table.name] = {"columns": rowcodec.table_kinds(table), "rows": count}
    return {"revision": current_revision_of(conn), "tables": tables}


def current_revision_of(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def build_scratch(backup: Backup, tmp: Path) -> Path:
    """The backup as a SQLite database at the current schema."""
    scratch = tmp / "scratch.sqlite"
    manifest = backup.manifest
    with zipfile.ZipFile(backup.path) as zf:
        if manifest["kind"] == KIND_SQLITE:
            with zf.open(DB_MEMBER) as src, scratch.open("wb") as dst:
                while chunk := src.read(1024 * 1024):
                    dst.write(chunk)
            engine = make_engine(f"sqlite:///{scratch.as_posix()}")
            try:
                if current_revision(engine) != head_revision():
                    _migrate(engine, "head")
            finally:
                engine.dispose()
            return scratch
        engine = make_engine(f"sqlite:///{scratch.as_posix()}")
        try:
            revision = manifest.get("revision")
            if revision:
                _migrate(engine, revision)
            with engine.begin() as conn:
                metadata = rowcodec.reflect(conn)
                unknown = sorted(set(manifest["tables"]) - set(metadata.tables))
                if unknown:
                    raise InvalidInputError(_(
                        "{file}: table {table} is not part of schema {revision}.").format(
                        file=backup.path, table=unknown[0], revision=revision))
                for table in metadata.sorted_tables:  # parents before children
                    info = manifest["tables"].get(table.name)
                    if info is None:
                        continue
                    with zf.open(f"rows/{table.name}.jsonl") as fh:
                        rowcodec.insert_rows(conn, table, rowcodec.read_rows(
                            fh, info["columns"], table))
            if revision != head_revision():
                _migrate(engine, "head")
        finally:
            engine.dispose()
    return scratch


def copy_rows(source: Connection, target: Connection) -> int:
    """Copy every model table from the scratch database into the target, ids unchanged."""
    count = 0
    for table in Base.metadata.sorted_tables:
        if not is_data_table(table.name):
            continue
        result = source.execution_options(yield_per=rowcodec.CHUNK).execute(select(table))
        count += rowcodec.insert_rows(target, table, (dict(r._mapping) for r in result))
    dialect = target.dialect.name
    if dialect == "sqlite":
        exists = target.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'complaint_fts'").scalar()
        if exists:
            target.exec_driver_sql(
                "INSERT INTO complaint_fts(complaint_fts) VALUES ('rebuild')")
    elif dialect == "postgresql":
        for table in Base.metadata.sorted_tables:
            pk = list(table.primary_key.columns)
            if len(pk) != 1 or not pk[0].autoincrement or pk[0].name != "id":
                continue
            quoted = target.dialect.identifier_preparer.quote(table.name)
            target.execute(text(
                f"SELECT setval(pg_get_serial_sequence(:t, 'id'), m, true) "
                f"FROM (SELECT max(id) AS m FROM {quoted}) x WHERE m IS NOT NULL"),
                {"t": quoted})
    return count


def pre_migration_backup(engine: Engine, folder: Path, from_revision: str | None,
                         to_revision: str, *, clock: Callable[[], datetime]) -> Path:
    """Before migrating a PostgreSQL database: every table's rows as a restorable backup
    (the evidence files are not touched by migrations and are not copied)."""
    stamp = clock().strftime("%Y%m%dT%H%M%SZ")
    out = folder / f"pre-migration-{from_revision or 'none'}-to-{to_revision}-{stamp}.cabak"
    writer = ArchiveWriter(out)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                info = dump_rows(conn, writer, None)
                cases = [{"id": i, "number": n, "title": t, "complaints": None,
                          "evidence": None}
                         for i, n, t in conn.execute(text(
                             'SELECT id, number, title FROM "case" ORDER BY id'))]
        writer.finish({**info, "kind": KIND_ROWS, "created_at": clock().isoformat(),
                       "created_by": "caseapp (before migration)",
                       "app_version": __version__, "source_dialect": engine.dialect.name,
                       "cases": cases, "evidence": 0, "evidence_included": False})
    except BaseException:
        writer.abort()
        raise
    return out
