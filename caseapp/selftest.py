"""``caseapp --self-test``: check that an installed or bundled caseapp works end to end.

Runs offscreen in a fresh temporary workspace (its path holds Chinese characters and spaces,
as a Windows user folder may): the bundled resources, the database migrations, the demo case,
the main window, a complaint import, an analysis run, the evidence and audit checks, and the
export of an evidence package with its verification. Each step is reported; the exit status is
0 when every step passed, else 1. Nothing outside the temporary workspace is touched.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import platform
import shutil
import sqlite3
import stat
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from caseapp import __version__
from caseapp.domain.errors import CaseappError
from caseapp.domain.progress import CancelToken, ProgressSink
from caseapp.i18n import _

PASSED = "passed"
FAILED = "failed"
PENDING = "pending"

DEMO_COMPLAINTS = "complaints_demo.csv"
# What the analysis must find in the shipped demo complaints (resources/demo).
EXPECTED_GROUP_SIZES = [8, 6]
EXPECTED_AGENT_PHONE = "+8618508477852"
EXPECTED_COMPLAINTS = 22
IMAGE_FORMATS = ("png", "jpeg", "gif", "bmp", "ico")
DEFAULT_TIMEOUT_S = 600


class StepFailed(Exception):
    """A check inside a step did not hold; the message says which."""


@dataclass
class Step:
    name: str
    status: str = PASSED
    seconds: float = 0.0
    detail: str = ""


@dataclass
class SelfTestReport:
    steps: list[Step] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[Step]:
        return [s for s in self.steps if s.status == FAILED]

    @property
    def pending(self) -> list[Step]:
        return [s for s in self.steps if s.status == PENDING]

    @property
    def ok(self) -> bool:
        return not self.failed


def _check(condition: object, message: str) -> None:
    if not condition:
        raise StepFailed(message)


def _make_writable_and_retry(function: Callable[..., Any], path: str, _exc: object) -> None:
    # Evidence files are read-only; Windows will not delete them until they are writable.
    with contextlib.suppress(OSError):
        os.chmod(path, stat.S_IWRITE | stat.S_IREAD)
        function(path)


def remove_tree(path: Path) -> None:
    """Delete a workspace folder, read-only evidence files included (also on Windows)."""
    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=_make_writable_and_retry)
    else:
        shutil.rmtree(path, onerror=_make_writable_and_retry)


class _Progress:
    """Counts progress reports: proof that the long services report while they work."""

    def __init__(self) -> None:
        self.reports = 0

    def report(self, done: int, total: int | None, label: str = "") -> None:
        self.reports += 1


Runner = Callable[[str, Callable[[ProgressSink, CancelToken], Any]], Any]


def _run_directly(title: str, fn: Callable[[ProgressSink, CancelToken], Any]) -> Any:
    return fn(_Progress(), CancelToken())


class SelfTest:
    """The steps, in order; each may rely on what the previous ones set up."""

    def __init__(self, out: TextIO | None, *, gui: bool = True, keep: bool = False) -> None:
        self.out = out
        self.gui = gui
        self.keep = keep
        self.report = SelfTestReport()
        self.workspace: Path | None = None
        self.app: Any = None
        self.case: Any = None
        self.window: Any = None
        self.qt_app: Any = None
        self.run_task: Runner = _run_directly
        self.analysis: Any = None
        self.package: Path | None = None
        self.imported_sources = 0  # complaint exports kept as evidence by the import step

    # --- reporting ------------------------------------------------------------------------

    def say(self, text: str) -> None:
        if self.out is not None:
            self.out.write(text + "\n")
            self.out.flush()

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[Step]:
        step = Step(name)
        started = time.perf_counter()
        try:
            yield step
        except StepFailed as exc:
            step.status, step.detail = FAILED, str(exc)
        except CaseappError as exc:
            step.status, step.detail = FAILED, str(exc)
        except Exception as exc:
            step.status = FAILED
            step.detail = "".join(traceback.format_exception(exc)).rstrip()
        step.seconds = time.perf_counter() - started
        self.report.steps.append(step)
        mark = {PASSED: " ok ", FAILED: "FAIL", PENDING: "PEND"}[step.status]
        line = f"[{mark}] {name:<22} {step.seconds:7.2f} s"
        if step.detail:
            first, *rest = step.detail.splitlines()
            line += f"  {first}"
            for more in rest:
                line += f"\n{'':36}{more}"
        self.say(line)

    # --- the steps ------------------------------------------------------------------------

    def run(self) -> SelfTestReport:
        started = time.perf_counter()
        frozen = getattr(sys, "frozen", False)
        self.say(_("caseapp {version} self-test ({kind}; Python {python}, {system})").format(
            version=__version__, kind=_("bundle") if frozen else _("installed package"),
            python=platform.python_version(), system=platform.platform(terse=True)))
        try:
            self.check_environment()
            self.check_resources()
            self.open_workspace()
            if self.app is not None:
                self.create_demo_case()
                if self.gui:
                    self.create_main_window()
                self.import_complaints()
                self.analyse()
                self.verify_evidence_and_audit()
                self.export_and_verify_package()
        finally:
            self.close()
        self.report.seconds = time.perf_counter() - started
        failed, pending = len(self.report.failed), len(self.report.pending)
        total = len(self.report.steps)
        if failed:
            self.say(_("self-test FAILED: {failed} of {total} steps failed: {names}").format(
                failed=failed, total=total,
                names=", ".join(s.name for s in self.report.failed)))
        else:
            self.say(_("self-test OK: {done} of {total} steps succeeded in {seconds:.1f} s")
                     .format(done=total - pending, total=total, seconds=self.report.seconds))
        if pending:
            self.say(_("not checked yet: {names}").format(
                names=", ".join(s.name for s in self.report.pending)))
        return self.report

    def check_environment(self) -> None:
        with self.step("environment") as step:
            db = sqlite3.connect(":memory:")
            try:
                db.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')")
                db.execute("INSERT INTO t VALUES ('代理维权停息挂账')")
                hits = db.execute("SELECT count(*) FROM t WHERE t MATCH '停息挂'").fetchone()[0]
            except sqlite3.OperationalError as exc:
                raise StepFailed(_("SQLite {version} has no FTS5 trigram search: {error}")
                                 .format(version=sqlite3.sqlite_version, error=exc)) from exc
            finally:
                db.close()
            _check(hits == 1, "FTS5 trigram search found nothing")
            step.detail = f"SQLite {sqlite3.sqlite_version} (FTS5 trigram), " \
                          f"{sys.getfilesystemencoding()} file names"

    def check_resources(self) -> None:
        with self.step("resources") as step:
            import gettext

            from caseapp.db.migrate import head_revision
            from caseapp.i18n import DOMAIN, translations_dir

            root = resources.files("caseapp.resources")
            mo = translations_dir() / "zh_CN" / "LC_MESSAGES" / f"{DOMAIN}.mo"
            _check(mo.is_file(), f"missing translation catalogue {mo}")
            with mo.open("rb") as fh:
                catalogue = gettext.GNUTranslations(fh)
            messages = len(catalogue._catalog)  # type: ignore[attr-defined]
            _check(messages > 100, f"the Chinese catalogue holds only {messages} messages")
            _check(catalogue.gettext("Case number") != "Case number",
                   "the Chinese catalogue does not translate 'Case number'")
            for name in ("wechat_chat.png", "transcript.txt", "deposit_receipt.txt",
                         DEMO_COMPLAINTS):
                _check((root / "demo" / name).is_file(), f"missing demo file demo/{name}")
            _check((root / "rules" / "claim_rules.json").is_file(), "missing rules file")
            for name in ("caseapp.png", "caseapp.ico"):
                _check((root / "icons" / name).is_file(), f"missing icon icons/{name}")
            head = head_revision()  # reads every migration script
            fonts = root / "fonts"
            font_files = [f.name for f in fonts.iterdir() if f.name.endswith((".ttf", ".ttc",
                                                                              ".otf"))] \
                if fonts.is_dir() else []
            step.detail = f"{messages} translations, migrations up to {head}, " \
                          f"{len(font_files)} fonts"

    def open_workspace(self) -> None:
        with self.step("workspace") as step:
            from caseapp.app import open_app
            from caseapp.db.migrate import head_revision

            # Chinese and spaces in the path, as under C:\Users\张三\ on Windows.
            self.workspace = Path(tempfile.mkdtemp(prefix="caseapp 自检 "))
            self.app = open_app(self.workspace / "工作区 A", actor="self-test")
            upgrade = self.app.upgrade
            _check(upgrade is not None and upgrade.to_revision == head_revision(),
                   "the new database was not migrated to the latest schema")
            step.detail = str(self.workspace)

    def create_demo_case(self) -> None:
        with self.step("demo case") as step:
            from caseapp.demo import ensure_demo_case

            self.case = ensure_demo_case(self.app)
            parties = self.app.parties.list(self.case.id)
            evidence = self.app.evidence.list(self.case.id)
            _check(len(parties) >= 3, f"the demo case has {len(parties)} parties")
            _check(len(evidence) >= 3, f"the demo case has {len(evidence)} evidence files")
            for item in evidence:
                _check(self.app.evidence.file_path(item.id).is_file(),
                       f"evidence file of #{item.id} is not in the store")
            step.detail = f"{self.case.number}: {len(parties)} parties, " \
                          f"{len(evidence)} evidence files"

    def create_main_window(self) -> None:
        with self.step("main window") as step:
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
            from PySide6.QtCore import (
                QCoreApplication,
                QLibraryInfo,
                QLocale,
                QSettings,
                QTranslator,
            )
            from PySide6.QtGui import QFontDatabase, QGuiApplication, QImage, QImageReader
            from PySide6.QtWidgets import QApplication

            from caseapp.ui.main_window import MainWindow
            from caseapp.ui.workers.task import run_with_progress_dialog

            # The window keeps its geometry in QSettings: send them into the workspace, not
            # into the user's registry or configuration.
            settings_dir = str(self.workspace / "qt-settings")
            QSettings.setDefaultFormat(QSettings.Format.IniFormat)
            for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
                QSettings.setPath(QSettings.Format.IniFormat, scope, settings_dir)
            QCoreApplication.setOrganizationName("caseapp")
            QCoreApplication.setApplicationName("caseapp")
            self.qt_app = QApplication.instance() or QApplication(["caseapp"])
            platform_name = QGuiApplication.platformName()
            formats = {bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()}
            missing = [f for f in IMAGE_FORMATS if f not in formats]
            _check(not missing, f"Qt image format plugins missing: {', '.join(missing)}")
            root = resources.files("caseapp.resources")
            image = QImage()
            _check(image.loadFromData((root / "demo" / "wechat_chat.png").read_bytes()),
                   "Qt cannot read the demo screenshot (PNG)")
            icon = QImage()
            _check(icon.loadFromData((root / "icons" / "caseapp.ico").read_bytes(), "ICO"),
                   "Qt cannot read the application icon")
            fonts = root / "fonts"
            if fonts.is_dir():
                for font in fonts.iterdir():
                    if font.name.endswith((".ttf", ".ttc", ".otf")):
                        _check(QFontDatabase.addApplicationFontFromData(font.read_bytes()) >= 0,
                               f"Qt cannot load the bundled font {font.name}")
            translator = QTranslator()
            qt_translations = translator.load(
                QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_",
                QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
            _check(qt_translations, "Qt's own Chinese translations (qtbase_zh_CN) are missing")
            self.window = MainWindow(self.app)
            self.window.show()
            self.qt_app.processEvents()
            self.window.refresh()
            self.window.select_case(self.case.id)
            self.qt_app.processEvents()
            current = self.window.current_case()
            _check(current is not None and current.id == self.case.id,
                   "the main window does not show the demo case")
            _check(not self.window.grab().isNull(), "the main window cannot be drawn")

            def in_background(title: str, fn: Callable[[ProgressSink, CancelToken], Any]
                              ) -> Any:
                task = run_with_progress_dialog(self.window, title, fn)
                if task.error:
                    raise StepFailed(task.error)
                _check(not task.was_cancelled, f"{title}: cancelled")
                return task.result

            self.run_task = in_background
            extra = []
            for module in ("QtMultimedia", "QtPdf"):
                try:
                    __import__(f"PySide6.{module}")
                except ImportError:
                    continue
                extra.append(module)
            step.detail = f"Qt platform {platform_name}, {len(formats)} image formats" + (
                f", {', '.join(extra)}" if extra else "")

    def import_complaints(self) -> None:
        with self.step("import") as step:
            source = self.workspace / "导入 文件" / "投诉 导出 (2025年3月).csv"
            source.parent.mkdir(parents=True)
            data = (resources.files("caseapp.resources") / "demo" / DEMO_COMPLAINTS).read_bytes()
            source.write_bytes(data)
            progress = _Progress()

            def work(sink: ProgressSink, cancel: CancelToken) -> Any:
                return self.app.complaints.import_file(
                    self.case.id, source, progress=_Tee(sink, progress), cancel=cancel)

            summary = self.run_task(_("Importing complaints"), work)
            self.imported_sources += summary.evidence_id is not None
            expected = EXPECTED_COMPLAINTS
            _check(summary.rows_imported == expected,
                   f"imported {summary.rows_imported} of {expected} rows")
            _check(summary.rows_rejected == 0, f"{summary.rows_rejected} rows rejected")
            _check(progress.reports > 0, "the import reported no progress")
            stored = self.app.complaints.list(self.case.id, limit=0).total
            _check(stored == expected, f"{stored} complaints stored, expected {expected}")
            step.detail = f"{summary.rows_imported} complaints ({summary.encoding})"

    def analyse(self) -> None:
        with self.step("analysis") as step:
            def work(sink: ProgressSink, cancel: CancelToken) -> Any:
                return self.app.analysis.run(self.case.id, progress=sink, cancel=cancel)

            report = self.run_task(_("Analysing complaints"), work)
            sizes = sorted((g.size for g in report.groups), reverse=True)
            _check(sizes == EXPECTED_GROUP_SIZES,
                   f"templated groups of sizes {sizes}, expected {EXPECTED_GROUP_SIZES}")
            _check(len(report.repeat_complainants) == 1,
                   f"{len(report.repeat_complainants)} repeat complainants, expected 1")
            shared = {s.value for s in report.shared_identifiers}
            _check(EXPECTED_AGENT_PHONE in shared,
                   f"the agents' shared phone {EXPECTED_AGENT_PHONE} was not found")
            self.analysis = report
            step.detail = f"{len(report.groups)} groups, " \
                          f"{len(report.repeat_complainants)} repeat complainant, " \
                          f"{len(report.shared_identifiers)} shared identifiers"

    def verify_evidence_and_audit(self) -> None:
        with self.step("evidence and audit") as step:
            evidence = self.app.evidence.verify(self.case.id)
            _check(evidence.ok, "; ".join(p.message for p in evidence.problems))
            audit = self.app.audit.verify(self.case.id)
            _check(audit.ok, "; ".join(p.message for p in audit.problems))
            step.detail = f"{len(self.app.evidence.list(self.case.id))} files re-hashed, " \
                          f"audit chain intact"

    def export_and_verify_package(self) -> None:
        exporter = getattr(self.app, "export", None) if self.app is not None else None
        if exporter is None:
            for name in ("export package", "verify package"):
                with self.step(name) as step:
                    step.status = PENDING
                    step.detail = _("the evidence package export is not part of this version")
            return
        with self.step("export package") as step:
            from caseapp.export.service import ExportFormat, ExportOptions
            from caseapp.storage.paths import path_problems

            out_dir = self.workspace / "导出 目录"
            out_dir.mkdir()
            out = out_dir / f"证据材料包 {self.case.number}.zip"

            def work(sink: ProgressSink, cancel: CancelToken) -> Any:
                return exporter.export(self.case.id, out,
                                       ExportOptions(format=ExportFormat.PACKAGE),
                                       progress=sink, cancel=cancel)

            result = self.run_task(_("Exporting the evidence package"), work)
            # An imported complaint export holds every complainant's full data: a redacted
            # package lists it but does not carry it.
            expected_files = len(self.app.evidence.list(self.case.id)) - self.imported_sources
            _check(out.is_file() and out.stat().st_size == result.size,
                   f"no package at {out}")
            _check(result.evidence_files == expected_files,
                   f"{result.evidence_files} evidence files in the package, "
                   f"expected {expected_files}")
            stored = self.app.complaints.list(self.case.id, limit=0).total
            _check(result.complaints == stored,
                   f"{result.complaints} complaints in the package, expected {stored}")
            _check(not result.missing_glyphs,
                   f"characters without a glyph in the dossier: {result.missing_glyphs}")
            with zipfile.ZipFile(out) as archive:
                names = archive.namelist()
            _check(any(n.endswith(".pdf") for n in names), "no PDF dossier in the package")
            bad = [n for n in names if path_problems(n.rstrip("/"))]
            _check(not bad, f"names a Windows folder cannot hold: {bad[:3]}")
            self.package = out
            step.detail = f"{len(names)} files, {result.size / 1e6:.1f} MB " \
                          f"({result.evidence_files} evidence files)"
        with self.step("verify package") as step:
            _check(self.package is not None, "no package to verify")
            verification = exporter.verify(self.package)
            _check(verification.ok, "; ".join(p.message for p in verification.problems))
            # A changed byte in an evidence file must be found and named.
            tampered, victim = _tamper(self.package)
            damaged = exporter.verify(tampered)
            named = [p.path for p in damaged.problems]
            in_bag = victim.split("/", 1)[1] if victim.count("/") and not \
                victim.startswith("data/") else victim
            _check(named == [in_bag], f"a changed {in_bag} was reported as {named}")
            step.detail = f"{verification.files_checked} files intact; " \
                          f"a changed evidence file was named"

    # --- cleaning up ----------------------------------------------------------------------

    def close(self) -> None:
        if self.window is not None:
            self.window.close()
            self.window.deleteLater()
            self.qt_app.processEvents()
            self.window = None
        if self.app is not None:
            self.app.close()
            self.app = None
        if self.workspace is not None and not self.keep:
            remove_tree(self.workspace)


def _tamper(package: Path) -> tuple[Path, str]:
    """A copy of ``package`` whose first evidence file has one byte changed."""
    tampered = package.with_name("tampered " + package.name)
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(tampered, "w") as target:
        members = source.infolist()
        victim = next((m.filename for m in members if "/data/evidence/" in f"/{m.filename}"
                       and m.file_size), None) or next(
            m.filename for m in members if "/data/" in f"/{m.filename}" and m.file_size)
        for member in members:
            data = source.read(member)
            if member.filename == victim:
                data = bytes([data[0] ^ 0xFF]) + data[1:]
            target.writestr(member, data)
    return tampered, victim


class _Tee:
    def __init__(self, *sinks: ProgressSink) -> None:
        self._sinks = sinks

    def report(self, done: int, total: int | None, label: str = "") -> None:
        for sink in self._sinks:
            sink.report(done, total, label)


def _open_report(path: str | None) -> tuple[TextIO | None, TextIO | None]:
    """Where the report goes: stdout, and the file given. A windowed Windows build has no
    stdout: then the report goes to ``caseapp-selftest.txt`` in the temporary folder."""
    console = sys.stdout
    if path is None and console is None:
        path = str(Path(tempfile.gettempdir()) / "caseapp-selftest.txt")
    file = open(path, "w", encoding="utf-8") if path else None  # noqa: SIM115
    return console, file


class _Both:
    def __init__(self, *streams: TextIO | None) -> None:
        self._streams = [s for s in streams if s is not None]

    def write(self, text: str) -> int:
        for stream in self._streams:
            try:
                stream.write(text)
            except UnicodeEncodeError:  # a console that cannot show Chinese
                stream.write(text.encode("ascii", "backslashreplace").decode("ascii"))
        return len(text)

    def flush(self) -> None:
        for stream in self._streams:
            stream.flush()


def run_self_test(*, report_path: str | None = None, gui: bool = True, keep: bool = False,
                  timeout_s: float = DEFAULT_TIMEOUT_S) -> int:
    """Run every step; returns the process exit status (0: all passed)."""
    console, file = _open_report(report_path)
    out = _Both(console, file)
    # A hang must end the self-test with the stacks of all threads, not hold up a build.
    watchdog = file or sys.stderr
    if watchdog is not None and timeout_s > 0:
        faulthandler.dump_traceback_later(timeout_s, exit=True, file=watchdog)
    try:
        report = SelfTest(out, gui=gui, keep=keep).run()  # type: ignore[arg-type]
    finally:
        if watchdog is not None and timeout_s > 0:
            faulthandler.cancel_dump_traceback_later()
        if file is not None:
            file.close()
    return 0 if report.ok else 1
