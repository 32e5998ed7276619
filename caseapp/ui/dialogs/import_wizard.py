"""The complaint import wizard: file → preview → column mapping → validation → import.

1. choose a CSV or XLSX export (and the encoding, or let caseapp detect it);
2. see the detected encoding, delimiter and the first rows;
3. check the column mapping (detected from the header, adjustable, saved to / loaded from JSON);
4. a dry run over the whole file reports every problem with its line number;
5. the import itself, all or nothing, with a progress bar and Cancel, then a summary.

Opening, checking and importing run in worker threads (:mod:`caseapp.ui.workers.task`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from caseapp.app import App
from caseapp.domain.errors import CaseappError
from caseapp.i18n import _, ngettext
from caseapp.importers import (
    COMPLAINT_FIELDS,
    REQUIRED_FIELDS,
    ROW_NUMBER,
    ColumnMapping,
    ComplaintFile,
    ImportFileError,
    detect_mapping,
    open_complaint_file,
)
from caseapp.importers.encoding import encoding_label
from caseapp.importers.mapping import FIELD_HEADERS_ZH, FIELD_LABELS, field_display
from caseapp.services.records import ImportSummary
from caseapp.ui.dialogs.errors import show_error
from caseapp.ui.widgets.task_panel import TaskPanel
from caseapp.ui.workers.task import run_with_progress_dialog

PREVIEW_ROWS = 20
ENCODINGS = (("auto", None), ("utf-8", "UTF-8"), ("gb18030", "GB18030 / GBK"),
             ("big5", "Big5"), ("utf-16", "UTF-16"))
FILE_FILTER = "*.csv *.txt *.tsv *.xlsx *.xlsm"


def field_label(field: str) -> str:
    """``complaint number (投诉编号)``, or just ``投诉编号`` when the label already is the usual
    Chinese header."""
    label = _(FIELD_LABELS.get(field, field))
    zh = FIELD_HEADERS_ZH.get(field, "")
    if zh and zh.startswith(label):  # the Chinese UI: 投诉编号 (投诉编号) says it twice
        return zh
    return field_display(field)


def _fit(table: QTableWidget, max_width: int = 260) -> None:
    table.resizeColumnsToContents()
    for col in range(table.columnCount()):
        table.setColumnWidth(col, min(table.columnWidth(col), max_width))


class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(_("Choose the complaint export"))
        self.setSubTitle(_("A CSV file (UTF-8, GB18030 from Excel …) or an Excel workbook "
                           "(.xlsx) with one complaint per row."))
        self.path_edit = QLineEdit(self)
        self.path_edit.setPlaceholderText(_("path of the file"))
        self.path_edit.textChanged.connect(lambda _t: self.completeChanged.emit())
        browse = QPushButton(_("Choose…"), self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.encoding_combo = QComboBox(self)
        for code, label in ENCODINGS:
            self.encoding_combo.addItem(label or _("Detect automatically"), code)
        self.mapping_label = QLabel(_("detected from the header row"), self)
        load = QPushButton(_("Use a saved mapping…"), self)
        load.clicked.connect(self._load_mapping)
        mapping_row = QHBoxLayout()
        mapping_row.addWidget(self.mapping_label, 1)
        mapping_row.addWidget(load)
        form = QFormLayout(self)
        form.addRow(_("File"), row)
        form.addRow(_("Encoding"), self.encoding_combo)
        form.addRow(_("Column mapping"), mapping_row)

    def _browse(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Choose the complaint export"), self.path_edit.text(),
            _("Complaint exports ({patterns})").format(patterns=FILE_FILTER))
        if path:
            self.path_edit.setText(path)

    def _load_mapping(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Load a column mapping"), "", _("Column mappings (*.json)"))
        if path:
            self.load_mapping(Path(path))

    def load_mapping(self, path: Path) -> bool:
        try:
            self.w.saved_mapping = ColumnMapping.load(path)
        except CaseappError as exc:
            show_error(self, _("Cannot use this column mapping"), exc)
            return False
        self.mapping_label.setText(_("from {file}").format(file=path.name))
        return True

    def isComplete(self) -> bool:
        return Path(self.path_edit.text().strip()).is_file()

    def validatePage(self) -> bool:
        self.w.path = Path(self.path_edit.text().strip())
        self.w.encoding = self.encoding_combo.currentData()
        return self.w.open_file(self.w.saved_mapping)


class PreviewPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(_("Preview"))
        self.info = QLabel(self)
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(self)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(self.table, 1)

    def initializePage(self) -> None:
        self.setSubTitle(_("The first {n} rows of {file} as read.").format(
            n=PREVIEW_ROWS, file=self.w.path.name if self.w.path else ""))
        file = self.w.file
        lines = []
        if file is not None:
            info = file.info
            kind = _("Excel workbook") if info.file_type != "csv" else _("CSV text")
            lines.append(_("Type: {kind}").format(kind=kind))
            if info.file_type == "csv":
                delimiter = {",": _("comma"), "\t": _("tab"), ";": _("semicolon")}.get(
                    info.delimiter, info.delimiter)
                lines.append(_("Encoding: {encoding} · delimiter: {delimiter}").format(
                    encoding=encoding_label(info.encoding), delimiter=delimiter))
            lines.append(_("Size: {size:,} bytes · SHA-256 {sha}…").format(
                size=info.size, sha=info.sha256[:16]))
        if self.w.open_problem:
            lines.append(f'<span style="color:#b91c1c">{self.w.open_problem}</span>')
        self.info.setText("<br/>".join(lines))
        header = list(self.w.header)
        rows = self.w.preview
        width = max([len(header)] + [len(r) for r in rows]) if rows or header else 0
        self.table.clear()
        self.table.setColumnCount(width)
        self.table.setRowCount(len(rows))
        labels = [header[i] if i < len(header) and header[i] and self.w.has_header
                  else f"#{i + 1}" for i in range(width)]
        self.table.setHorizontalHeaderLabels(labels)
        for r, cells in enumerate(rows):
            for c, value in enumerate(cells):
                item = QTableWidgetItem(" ".join(value.split())[:200])
                item.setToolTip(value[:1000])
                self.table.setItem(r, c, item)
        _fit(self.table)


class MappingPage(QWizardPage):
    NOT_IMPORTED = "__none__"

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(_("Column mapping"))
        self.setSubTitle(_("Which column of the file holds which complaint field. Fields "
                           "marked * are required."))
        self.header_check = QCheckBox(_("The first row holds the column names"), self)
        self.header_check.toggled.connect(self._header_toggled)
        self.table = QTableWidget(len(COMPLAINT_FIELDS), 3, self)
        self.table.setHorizontalHeaderLabels([_("Complaint field"), _("Column in the file"),
                                              _("First value")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(
            2, QHeaderView.ResizeMode.Stretch)
        self.combos: dict[str, QComboBox] = {}
        for row, field in enumerate(COMPLAINT_FIELDS):
            label = field_label(field) + (" *" if field in REQUIRED_FIELDS else "")
            self.table.setItem(row, 0, QTableWidgetItem(label))
            combo = QComboBox(self.table)
            combo.currentIndexChanged.connect(lambda _i, f=field: self._combo_changed(f))
            self.table.setCellWidget(row, 1, combo)
            self.table.setItem(row, 2, QTableWidgetItem(""))
            self.combos[field] = combo
        self.table.setColumnWidth(0, 230)
        self.table.setColumnWidth(1, 230)
        detect = QPushButton(_("Detect again"), self)
        detect.clicked.connect(self._detect)
        load = QPushButton(_("Load…"), self)
        load.clicked.connect(self._load)
        save = QPushButton(_("Save…"), self)
        save.clicked.connect(self._save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.header_check)
        buttons.addStretch(1)
        buttons.addWidget(detect)
        buttons.addWidget(load)
        buttons.addWidget(save)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color:#b91c1c")
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problem)
        self._filling = False

    # choices ----------------------------------------------------------------------------

    def _choices(self) -> list[tuple[str, Any]]:
        first = self.w.preview[0] if self.w.preview else []
        choices: list[tuple[str, Any]] = [(_("— not imported —"), self.NOT_IMPORTED)]
        if self.header_check.isChecked():
            for name in self.w.header:
                if name:
                    choices.append((name, name))
        else:
            width = max([len(self.w.header)] + [len(r) for r in self.w.preview[:1]])
            for i in range(width):
                sample = " ".join(first[i].split())[:24] if i < len(first) else ""
                choices.append((_("Column {n}: {sample}").format(n=i + 1, sample=sample), i))
        choices.append((_("(row number in the file)"), ROW_NUMBER))
        return choices

    def _fill(self, mapping: ColumnMapping) -> None:
        self._filling = True
        try:
            choices = self._choices()
            for field, combo in self.combos.items():
                combo.clear()
                for label, value in choices:
                    combo.addItem(label, value)
                source = mapping.fields.get(field)
                index = combo.findData(source) if source is not None else 0
                combo.setCurrentIndex(max(index, 0))
        finally:
            self._filling = False
        for field in self.combos:
            self._show_sample(field)
        self.completeChanged.emit()

    def _show_sample(self, field: str) -> None:
        row = COMPLAINT_FIELDS.index(field)
        source = self.combos[field].currentData()
        first = self.w.preview[0] if self.w.preview else []
        value = ""
        if source == ROW_NUMBER:
            value = "1"
        elif isinstance(source, int):
            value = first[source] if source < len(first) else ""
        elif isinstance(source, str) and source != self.NOT_IMPORTED:
            header = list(self.w.header)
            if source in header and header.index(source) < len(first):
                value = first[header.index(source)]
        item = self.table.item(row, 2)
        if item is not None:
            item.setText(" ".join(value.split())[:120])

    def _combo_changed(self, field: str) -> None:
        if not self._filling:
            self._show_sample(field)
            self.problem.clear()
            self.completeChanged.emit()

    def _header_toggled(self, checked: bool) -> None:
        if self._filling:
            return
        self.w.has_header = checked
        if checked:
            self._fill(detect_mapping(self.w.header))
        else:
            self._fill(ColumnMapping(fields={}, has_header=False))

    def initializePage(self) -> None:
        self._filling = True
        self.header_check.setChecked(self.w.has_header)
        self._filling = False
        self._fill(self.w.mapping)
        self.problem.setText(self.w.open_problem or "")

    def mapping(self) -> ColumnMapping:
        fields: dict[str, str | int] = {}
        for field, combo in self.combos.items():
            value = combo.currentData()
            if value is not None and value != self.NOT_IMPORTED:
                fields[field] = value
        return ColumnMapping(fields=fields, has_header=self.header_check.isChecked())

    def set_source(self, field: str, source: str | int) -> None:
        combo = self.combos[field]
        combo.setCurrentIndex(max(0, combo.findData(source)))

    def _detect(self) -> None:
        self.header_check.setChecked(True)
        self._fill(detect_mapping(self.w.header))

    def _load(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Load a column mapping"), "", _("Column mappings (*.json)"))
        if not path:
            return
        try:
            mapping = ColumnMapping.load(path)
        except CaseappError as exc:
            show_error(self, _("Cannot use this column mapping"), exc)
            return
        self._filling = True
        self.header_check.setChecked(mapping.has_header)
        self._filling = False
        self._fill(mapping)

    def _save(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save the column mapping"), "mapping.json", _("Column mappings (*.json)"))
        if path:
            self.save_mapping(Path(path))

    def save_mapping(self, path: Path) -> None:
        try:
            self.mapping().save(path)
        except OSError as exc:
            show_error(self, _("Cannot save the column mapping"),
                       _("{file}: {error}").format(file=path, error=exc.strerror or exc))

    def isComplete(self) -> bool:
        fields = self.mapping().fields
        return all(f in fields for f in REQUIRED_FIELDS)

    def validatePage(self) -> bool:
        mapping = self.mapping()
        if not self.w.open_file(mapping, quiet=True):
            self.problem.setText(self.w.open_problem or "")
            return False
        return True


class CheckPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(_("Check the file"))
        self.setSubTitle(_("Every row is read and checked as the import would; nothing is "
                           "written yet."))
        self.panel = TaskPanel(self)
        self.panel.finished.connect(self._finished)
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.problems = QTableWidget(0, 3, self)
        self.problems.setHorizontalHeaderLabels([_("Line"), _("Column"), _("Problem")])
        self.problems.verticalHeader().hide()
        self.problems.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems.horizontalHeader().setSectionResizeMode(
            2, QHeaderView.ResizeMode.Stretch)
        self.problems.setWordWrap(True)
        self.skip_check = QCheckBox(self)
        self.skip_check.toggled.connect(lambda _c: self.completeChanged.emit())
        self.skip_check.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        layout.addWidget(self.result)
        layout.addWidget(self.problems, 1)
        layout.addWidget(self.skip_check)
        self.summary: ImportSummary | None = None

    def initializePage(self) -> None:
        self.summary = None
        self.problems.setRowCount(0)
        self.result.clear()
        self.skip_check.hide()
        self.skip_check.setChecked(False)
        w = self.w
        path, mapping, encoding, case_id = w.path, w.mapping, w.encoding, w.case_id
        assert path is not None
        self.panel.start(lambda progress, cancel: w.app.complaints.validate_file(
            case_id, path, mapping=mapping, encoding=encoding, progress=progress,
            cancel=cancel), _("Checking {file}…").format(file=path.name))
        self.completeChanged.emit()

    def _finished(self) -> None:
        task = self.panel.task
        if task is None:
            return
        self.panel.label.setText(_("Done."))
        if task.was_cancelled:
            self.panel.label.clear()
            self.result.setText(_("Check cancelled. Go back, or check again with Next."))
        elif task.error is not None:
            self.result.setText(f'<span style="color:#b91c1c">{task.error}</span>')
        else:
            self.show_summary(task.result)
        self.completeChanged.emit()

    def importable(self) -> int:
        s = self.summary
        return 0 if s is None else s.rows_read - s.rows_duplicate - s.rows_rejected

    def show_summary(self, summary: ImportSummary) -> None:
        self.summary = summary
        lines = [
            ngettext("{n} row read", "{n} rows read", summary.rows_read).format(
                n=f"{summary.rows_read:,}"),
            ngettext("{n} complaint can be imported", "{n} complaints can be imported",
                     self.importable()).format(n=f"{self.importable():,}"),
        ]
        if summary.rows_duplicate:
            lines.append(ngettext(
                "{n} duplicate (already in the file or the case) will be skipped",
                "{n} duplicates (already in the file or the case) will be skipped",
                summary.rows_duplicate).format(n=f"{summary.rows_duplicate:,}"))
        if summary.problem_count:
            lines.append('<span style="color:#b91c1c">' + ngettext(
                "{n} problem in {rows} row", "{n} problems in {rows} rows",
                summary.problem_count).format(n=f"{summary.problem_count:,}",
                                              rows=f"{summary.rows_rejected:,}") + "</span>")
        else:
            lines.append('<span style="color:#15803d">' + _("No problems found.") + "</span>")
        self.result.setText("<br/>".join(lines))
        self.problems.setRowCount(len(summary.problems))
        for row, p in enumerate(summary.problems):
            for col, value in enumerate((str(p.line or ""), p.column or "", p.message)):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.problems.setItem(row, col, item)
        self.problems.resizeColumnToContents(0)
        self.problems.resizeRowsToContents()
        self.problems.setVisible(bool(summary.problems))
        if summary.problem_count:
            shown = len(summary.problems)
            extra = (_(" (the first {n} are listed)").format(n=shown)
                     if summary.problem_count > shown else "")
            self.skip_check.setText(_(
                "Import the good rows and write the rejected ones, with their reasons, to "
                "{file}.rejected.csv{extra}").format(file=summary.file_name, extra=extra))
            self.skip_check.show()

    def isComplete(self) -> bool:
        if self.panel.running or self.summary is None or self.importable() <= 0:
            return False
        return not self.summary.problem_count or self.skip_check.isChecked()

    def validatePage(self) -> bool:
        self.w.skip_bad_rows = self.skip_check.isChecked()
        return True


class ImportPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(_("Import"))
        self.panel = TaskPanel(self)
        self.panel.finished.connect(self._finished)
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        layout.addWidget(self.result, 1)
        self.setFinalPage(True)

    def initializePage(self) -> None:
        w = self.w
        w.summary = None
        self.result.clear()
        self.setSubTitle(_("All or nothing: if the import fails or is cancelled, nothing is "
                           "imported."))
        path, mapping, encoding, case_id, skip = (w.path, w.mapping, w.encoding, w.case_id,
                                                  w.skip_bad_rows)
        assert path is not None
        self.panel.start(lambda progress, cancel: w.app.complaints.import_file(
            case_id, path, mapping=mapping, encoding=encoding, skip_bad_rows=skip,
            progress=progress, cancel=cancel), _("Importing {file}…").format(file=path.name))
        self.completeChanged.emit()

    def _finished(self) -> None:
        task = self.panel.task
        if task is None:
            return
        if task.was_cancelled:
            self.result.setText(_("The import was cancelled; nothing was imported."))
        elif task.error is not None:
            self.result.setText(f'<span style="color:#b91c1c">{task.error}</span>')
        else:
            summary: ImportSummary = task.result
            self.w.summary = summary
            self.setSubTitle(_("Done."))
            lines = [f"<b>{ngettext('{n} complaint imported', '{n} complaints imported', summary.rows_imported).format(n=f'{summary.rows_imported:,}')}</b>",  # noqa: E501
                     _("from {file} ({rows} rows read, encoding {encoding})").format(
                         file=summary.file_name, rows=f"{summary.rows_read:,}",
                         encoding=encoding_label(summary.encoding))]
            if summary.rows_duplicate:
                lines.append(ngettext("{n} duplicate skipped", "{n} duplicates skipped",
                                      summary.rows_duplicate).format(
                                          n=f"{summary.rows_duplicate:,}"))
            if summary.rows_rejected:
                lines.append(ngettext(
                    "{n} row rejected, written with its reasons to {file}",
                    "{n} rows rejected, written with their reasons to {file}",
                    summary.rows_rejected).format(n=f"{summary.rows_rejected:,}",
                                                  file=summary.rejected_file or ""))
            lines.append(_("Import batch #{batch}; the source file is kept as evidence "
                           "(SHA-256 {sha}…).").format(batch=summary.batch_id,
                                                       sha=summary.file_sha256[:16]))
            self.result.setText("<br/>".join(lines))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return not self.panel.running and self.w.summary is not None

    def cleanupPage(self) -> None:
        if self.panel.running:
            self.panel.cancel()
            self.panel.wait()


class ImportWizard(QWizard):
    """Import a complaint export into one case. After ``exec()``, :attr:`summary` holds the
    import's summary (None when nothing was imported)."""

    FILE, PREVIEW, MAPPING, CHECK, IMPORT = range(5)

    def __init__(self, app: App, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.case_id = case_id
        self.setWindowTitle(_("Import complaints"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.path: Path | None = None
        self.encoding = "auto"
        self.saved_mapping: ColumnMapping | None = None
        self.mapping = ColumnMapping()
        self.file: ComplaintFile | None = None
        self.header: tuple[str, ...] = ()
        self.has_header = True
        self.preview: list[list[str]] = []
        self.open_problem = ""
        self.skip_bad_rows = False
        self.summary: ImportSummary | None = None
        self.file_page = FilePage(self)
        self.preview_page = PreviewPage(self)
        self.mapping_page = MappingPage(self)
        self.check_page = CheckPage(self)
        self.import_page = ImportPage(self)
        for page_id, page in ((self.FILE, self.file_page), (self.PREVIEW, self.preview_page),
                              (self.MAPPING, self.mapping_page),
                              (self.CHECK, self.check_page),
                              (self.IMPORT, self.import_page)):
            self.setPage(page_id, page)
        self.resize(900, 640)

    def open_file(self, mapping: ColumnMapping | None, *, quiet: bool = False) -> bool:
        """Open the chosen file with ``mapping`` (None: detect it) in a worker. A mapping
        problem still lets the user go on to fix the mapping; other problems stop here."""
        path, encoding = self.path, self.encoding
        assert path is not None
        task = run_with_progress_dialog(
            self, _("Opening {file}").format(file=path.name),
            lambda _p, _c: self._open(path, encoding, mapping))
        if task.was_cancelled:
            return False
        if task.error is not None:
            if not quiet:
                show_error(self, _("Cannot read {file}").format(file=path.name), task.error,
                           _("Choose another file or encoding."))
            self.open_problem = task.error
            return False
        file, problem, header, has_header, mapping_found, preview = task.result
        self.file, self.open_problem = file, problem
        self.header, self.has_header, self.preview = header, has_header, preview
        self.mapping = mapping_found
        return not (quiet and problem)

    @staticmethod
    def _open(path: Path, encoding: str, mapping: ColumnMapping | None) -> tuple[Any, ...]:
        """(file or None, problem, header, has_header, mapping, preview rows)."""
        try:
            file = open_complaint_file(path, encoding=encoding, mapping=mapping)
        except ImportFileError as exc:
            if exc.mapping is None and not exc.header:
                raise
            tried = exc.mapping or mapping or ColumnMapping()
            # Open with a stand-in mapping to read the preview; the user fixes the real one.
            has_header = tried.has_header and not any(
                p.code == "no_header" for p in exc.problems)
            probe = ColumnMapping(fields={"external_number": ROW_NUMBER, "text": 0},
                                  has_header=has_header)
            try:
                file = open_complaint_file(path, encoding=encoding, mapping=probe)
            except ImportFileError:
                raise exc from None
            header = file.info.header if has_header else tuple(exc.header)
            mapping_found = ColumnMapping(fields=dict(tried.fields), has_header=has_header)
            return (None, str(exc), header, has_header, mapping_found,
                    file.preview(PREVIEW_ROWS))
        info = file.info
        return (file, "", info.header, info.has_header, info.mapping,
                file.preview(PREVIEW_ROWS))

    def reject(self) -> None:
        for page in (self.check_page, self.import_page):
            if page.panel.running:
                page.panel.cancel()
                page.panel.wait()
        super().reject()
