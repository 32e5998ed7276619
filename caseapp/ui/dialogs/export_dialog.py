"""Export a case for the police: choose the output folder, formats, sections and redaction;
the export runs in the background with progress and Cancel; then verify the package."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from caseapp.app import App
from caseapp.domain.progress import CancelToken, ProgressSink
from caseapp.export.context import Section
from caseapp.export.service import ExportFormat, ExportOptions, ExportResult
from caseapp.export.verify import PackageVerification
from caseapp.i18n import _
from caseapp.ui.workers.task import Task


def section_label(section: Section) -> str:
    return {
        Section.SUMMARY: _("Case summary and key figures"),
        Section.PARTIES: _("Suspects and their identifiers"),
        Section.CONTACTS: _("Undercover contact records"),
        Section.ANALYSIS: _("Complaint analysis"),
        Section.TIMELINE: _("Timeline"),
        Section.CHART: _("Link chart"),
        Section.EVIDENCE: _("Evidence list"),
        Section.CUSTODY: _("Chain of custody"),
    }[section]


class ExportDialog(QDialog):
    """Emits `exported` with each result as it is written."""

    exported = Signal(object)

    def __init__(self, app: App, case_ref: str | int, parent: QWidget | None = None,
                 *, folder: Path | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self._case = app.cases.get(case_ref)
        self._task: Task | None = None
        self._queue: list[tuple[Path, ExportOptions]] = []
        self.results: list[ExportResult] = []
        self.verification: PackageVerification | None = None
        self.setWindowTitle(_("Export case {number}").format(number=self._case.number))
        self.setMinimumWidth(560)

        layout = QVBoxLayout(self)
        heading = QLabel(f"<b>{self._case.number}</b>　{self._case.title}", self)
        heading.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(heading)

        form = QFormLayout()
        self.folder_edit = QLineEdit(str(folder or Path.home()), self)
        browse = QPushButton(_("Choose…"), self)
        browse.clicked.connect(self._choose_folder)
        row = QHBoxLayout()
        row.addWidget(self.folder_edit, 1)
        row.addWidget(browse)
        form.addRow(_("Output folder"), row)
        stamp = date.today().strftime("%Y%m%d")
        self.name_edit = QLineEdit(f"{self._case.number}_{stamp}", self)
        form.addRow(_("File name"), self.name_edit)
        layout.addLayout(form)

        formats = QGroupBox(_("What to write"), self)
        fl = QVBoxLayout(formats)
        self.package_box = QCheckBox(_("Evidence package (ZIP: dossiers, evidence files, "
                                       "data, manifests)"), formats)
        self.pdf_box = QCheckBox(_("PDF dossier on its own"), formats)
        self.docx_box = QCheckBox(_("DOCX dossier on its own (editable)"), formats)
        self.package_box.setChecked(True)
        for box in (self.package_box, self.pdf_box, self.docx_box):
            fl.addWidget(box)
            box.toggled.connect(self._update_buttons)
        layout.addWidget(formats)

        sections = QGroupBox(_("Sections of the dossier"), self)
        grid = QGridLayout(sections)
        self.section_boxes: dict[Section, QCheckBox] = {}
        for i, section in enumerate(Section):
            box = QCheckBox(section_label(section), sections)
            box.setChecked(True)
            self.section_boxes[section] = box
            grid.addWidget(box, i // 2, i % 2)
        layout.addWidget(sections)

        self.redact_box = QCheckBox(_("Mask complainants' ID numbers and phone numbers "
                                      "(recommended)"), self)
        # On unless the settings say otherwise (File → Settings → Exports).
        self.redact_box.setChecked(app.workspace.preferences.redact_by_default)
        self.redact_box.toggled.connect(self._redaction_changed)
        layout.addWidget(self.redact_box)

        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)

        buttons = QHBoxLayout()
        self.verify_button = QPushButton(_("Verify package…"), self)
        self.verify_button.setToolTip(_("Check a package: every file present, unchanged, and "
                                        "nothing added"))
        self.verify_button.clicked.connect(self._verify_clicked)
        self.export_button = QPushButton(_("Export"), self)
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start_export)
        self.cancel_button = QPushButton(_("Close"), self)
        self.cancel_button.clicked.connect(self._cancel_or_close)
        buttons.addWidget(self.verify_button)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self._update_buttons()

    # --- state ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._task is not None and self._task.running

    def _update_buttons(self) -> None:
        busy = self.running or bool(self._queue)
        chosen = any(b.isChecked() for b in (self.package_box, self.pdf_box, self.docx_box))
        self.export_button.setEnabled(not busy and chosen)
        self.verify_button.setEnabled(not busy)
        self.cancel_button.setText(_("Cancel") if busy else _("Close"))
        for widget in (self.folder_edit, self.name_edit, self.package_box, self.pdf_box,
                       self.docx_box, self.redact_box, *self.section_boxes.values()):
            widget.setEnabled(not busy)

    def _redaction_changed(self, on: bool) -> None:
        if not on:
            self.status.setText(_("Without redaction the export contains every complainant's "
                                  "full ID number and phone number."))

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, _("Output folder"),
                                                  self.folder_edit.text())
        if chosen:
            self.folder_edit.setText(chosen)

    def options(self, fmt: ExportFormat) -> ExportOptions:
        sections = frozenset(s for s, box in self.section_boxes.items() if box.isChecked())
        organisation = self._app.workspace.preferences.organisation or None
        return ExportOptions(format=fmt, redact=self.redact_box.isChecked(), sections=sections,
                             organisation=organisation)

    def planned(self) -> list[tuple[Path, ExportOptions]]:
        folder = Path(self.folder_edit.text().strip())
        stem = self.name_edit.text().strip() or self._case.number
        out = []
        for box, fmt, suffix in ((self.package_box, ExportFormat.PACKAGE, ".zip"),
                                 (self.pdf_box, ExportFormat.PDF, ".pdf"),
                                 (self.docx_box, ExportFormat.DOCX, ".docx")):
            if box.isChecked():
                out.append((folder / f"{stem}{suffix}", self.options(fmt)))
        return out

    # --- export --------------------------------------------------------------------------

    def start_export(self) -> None:
        planned = self.planned()
        existing = [str(p) for p, _o in planned if p.exists()]
        if existing and QMessageBox.question(
                self, _("Replace files?"),
                _("These files exist and will be replaced:\n{files}").format(
                    files="\n".join(existing))) != QMessageBox.StandardButton.Yes:
            return
        self.results = []
        self._queue = planned
        self._next()

    def _next(self) -> None:
        if not self._queue:
            self._task = None
            self._update_buttons()
            self._show_results()
            return
        path, options = self._queue.pop(0)
        case_id = self._case.id

        def work(progress: ProgressSink, cancel: CancelToken) -> ExportResult:
            return self._app.export.export(case_id, path, options, progress=progress,
                                           cancel=cancel)

        task = Task(work, self)
        task.progress.connect(self._on_progress)
        task.succeeded.connect(self._on_exported)
        task.failed.connect(self._on_failed)
        task.cancelled.connect(self._on_cancelled)
        self._task = task
        self.progress.setValue(0)
        self.status.setText(_("Writing {name}…").format(name=path.name))
        task.start()
        self._update_buttons()

    def _on_progress(self, done: int, total: int, label: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        if label:
            self.status.setText(label)

    def _on_exported(self, result: ExportResult) -> None:
        self.results.append(result)
        self.exported.emit(result)
        self._next()

    def _on_failed(self, message: str) -> None:
        self._queue = []
        self._task = None
        self._update_buttons()
        self.progress.setValue(0)
        self.status.setText(_("The export failed; nothing was written.") + "\n" + message)

    def _on_cancelled(self) -> None:
        self._queue = []
        self._task = None
        self._update_buttons()
        self.progress.setValue(0)
        self.status.setText(_("Export cancelled; nothing was written."))

    def _show_results(self) -> None:
        lines = [_("Written:")]
        for r in self.results:
            lines.append(f"{r.path}\nSHA-256 {r.sha256} · {r.size:,} B")
        if any(r.missing_glyphs for r in self.results):
            glyphs = {g for r in self.results for g in r.missing_glyphs}
            lines.append(_("The dossier's font cannot show: {chars}").format(
                chars=" ".join(sorted(glyphs))))
        self.progress.setValue(self.progress.maximum())
        self.status.setText("\n".join(lines))

    def _cancel_or_close(self) -> None:
        if self._task is not None and self._task.running:
            self._queue = []
            self.status.setText(_("Cancelling…"))
            self._task.cancel()
        else:
            self.reject()

    def reject(self) -> None:
        if self.running:
            self._cancel_or_close()
            return
        super().reject()

    # --- verify --------------------------------------------------------------------------

    def _verify_clicked(self) -> None:
        packages = [r.path for r in self.results if r.format is ExportFormat.PACKAGE]
        if packages:
            path = packages[-1]
        else:
            chosen, _filter = QFileDialog.getOpenFileName(
                self, _("Verify package"), self.folder_edit.text(), _("Packages (*.zip)"))
            if not chosen:
                return
            path = Path(chosen)
        self.verify_package(path)

    def verify_package(self, path: Path) -> None:
        def work(progress: ProgressSink, cancel: CancelToken) -> PackageVerification:
            return self._app.export.verify(path, progress=progress, cancel=cancel)

        task = Task(work, self)
        task.progress.connect(self._on_progress)
        task.succeeded.connect(self._on_verified)
        task.failed.connect(self._on_failed_verify)
        task.cancelled.connect(self._on_cancelled)
        self._task = task
        self.status.setText(_("Checking {name}…").format(name=path.name))
        task.start()
        self._update_buttons()

    def _on_verified(self, result: PackageVerification) -> None:
        self.verification = result
        self._task = None
        self._update_buttons()
        self.progress.setValue(self.progress.maximum())
        if result.ok:
            self.status.setText(_("Package intact: {n} files checked ({case}, bagged {date}).")
                                .format(n=result.files_checked,
                                        case=result.info("External-Identifier"),
                                        date=result.info("Bagging-Date")))
        else:
            self.status.setText("\n".join(
                [_("The package is NOT intact:")] + [p.message for p in result.problems]))

    def _on_failed_verify(self, message: str) -> None:
        self._task = None
        self._update_buttons()
        self.status.setText(message)
