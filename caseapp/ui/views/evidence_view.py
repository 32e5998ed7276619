"""证据 — evidence files: list with thumbnails, files added by drag-and-drop or the picker
(hashed in a worker), preview, what is recorded about each file (source, proof purpose …),
its SHA-256, custody log, a "verify" button and its links."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import (
    QDateTime,
    QItemSelectionModel,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from caseapp.app import App
from caseapp.domain.enums import EvidenceKind
from caseapp.domain.errors import CaseappError
from caseapp.domain.labels import custody_action_label, evidence_kind_label
from caseapp.i18n import _, ngettext
from caseapp.services.evidence import EvidenceFields, EvidenceProblem, EvidenceVerification
from caseapp.services.records import EvidenceRecord
from caseapp.ui.dialogs.evidence_link_dialog import EvidenceLinkDialog
from caseapp.ui.models.evidence_table_model import THUMB_SIZE, EvidenceTableModel
from caseapp.ui.views.base import CaseView
from caseapp.ui.widgets.evidence_files import FileDropArea, paths_from_mime, pick_files
from caseapp.ui.widgets.evidence_preview import EvidencePreview
from caseapp.ui.widgets.objects_common import (
    BAD_COLOR,
    OK_COLOR,
    card,
    format_size,
    format_time,
    heading,
    muted,
    run_file_work,
    show_error,
    tool_button,
    type_icon,
)


class _Filter(QSortFilterProxyModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._kind: str | None = None

    def set_filter(self, text: str, kind: str | None) -> None:
        self._text, self._kind = text.strip().lower(), kind
        self.invalidate()

    def filterAcceptsRow(self, source_row: int, source_parent: object) -> bool:
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)  # type: ignore[arg-type]
        if self._kind and model.data(index, EvidenceTableModel.KindRole) != self._kind:
            return False
        return not self._text or self._text in (
            model.data(index, EvidenceTableModel.SearchRole) or "")


def _mono() -> QFont:
    font = QFont("monospace")
    font.setStyleHint(QFont.StyleHint.TypeWriter)
    return font


class EvidenceDetail(QWidget):
    """Preview, record fields, integrity, custody and links of one evidence file."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.evidence: EvidenceRecord | None = None
        self.title_label = heading("", self, size=4)
        self.title_label.setWordWrap(True)
        self.subtitle = muted("", self)
        self.preview = EvidencePreview(self)

        self.title_edit = QLineEdit(self)
        self.kind_combo = QComboBox(self)
        for kind in EvidenceKind:
            self.kind_combo.addItem(evidence_kind_label(kind), kind.value)
        self.has_acquired = QCheckBox(_("known"), self)
        self.acquired_edit = QDateTimeEdit(self)
        self.acquired_edit.setCalendarPopup(True)
        self.acquired_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.acquired_by_edit = QLineEdit(self)
        self.source_edit = QPlainTextEdit(self)
        self.source_edit.setPlaceholderText(_("how it was obtained, e.g. 暗访中对方微信发送"))
        self.purpose_edit = QPlainTextEdit(self)
        self.purpose_edit.setPlaceholderText(
            _("what it proves, e.g. 证明对方以代理维权为名收取定金"))
        self.description_edit = QPlainTextEdit(self)
        for edit in (self.source_edit, self.purpose_edit, self.description_edit):
            edit.setFixedHeight(54)
            edit.setTabChangesFocus(True)
        self.save_button = QPushButton(_("Save"), self)
        acquired_row = QHBoxLayout()
        acquired_row.addWidget(self.has_acquired)
        acquired_row.addWidget(self.acquired_edit, 1)
        form = QFormLayout()
        form.addRow(_("Evidence title"), self.title_edit)
        form.addRow(_("Kind"), self.kind_combo)
        form.addRow(_("Acquired at"), acquired_row)
        form.addRow(_("Acquired by"), self.acquired_by_edit)
        form.addRow(_("Source"), self.source_edit)
        form.addRow(_("Proof purpose"), self.purpose_edit)
        form.addRow(_("Description"), self.description_edit)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        form.addRow(save_row)
        record_page = QWidget(self)
        record_page.setLayout(form)

        self.hash_label = QLabel(self)
        self.hash_label.setFont(_mono())
        self.hash_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hash_label.setWordWrap(True)
        self.file_label = muted("", self)
        self.verify_button = QPushButton(_("Verify"), self)
        self.verify_button.setToolTip(_("Re-compute the SHA-256 of the stored file and compare"))
        self.verify_label = QLabel(self)
        self.verify_label.setWordWrap(True)
        self.custody = QTableWidget(0, 4, self)
        self.custody.setHorizontalHeaderLabels([_("Time"), _("Action"), _("By"), _("Note")])
        self.custody.verticalHeader().hide()
        self.custody.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.custody.setShowGrid(False)
        self.custody.setAlternatingRowColors(True)
        header = self.custody.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        integrity_page = QWidget(self)
        integrity = QVBoxLayout(integrity_page)
        integrity.addWidget(muted("SHA-256", self))
        integrity.addWidget(self.hash_label)
        integrity.addWidget(self.file_label)
        verify_row = QHBoxLayout()
        verify_row.addWidget(self.verify_button)
        verify_row.addWidget(self.verify_label, 1)
        integrity.addLayout(verify_row)
        integrity.addWidget(heading(_("Chain of custody"), self))
        integrity.addWidget(self.custody, 1)

        self.links = QListWidget(self)
        self.add_link_button = QPushButton(_("Link to…"), self)
        self.remove_link_button = QPushButton(_("Remove link"), self)
        links_page = QWidget(self)
        links_layout = QVBoxLayout(links_page)
        links_layout.addWidget(self.links, 1)
        link_row = QHBoxLayout()
        link_row.addWidget(self.add_link_button)
        link_row.addWidget(self.remove_link_button)
        link_row.addStretch(1)
        links_layout.addLayout(link_row)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(record_page, _("Record"))
        self.tabs.addTab(integrity_page, _("Integrity and custody"))
        self.tabs.addTab(links_page, _("Links"))

        head_card, head = card(self)
        head.addWidget(self.title_label)
        head.addWidget(self.subtitle)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.preview)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 4)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(head_card)
        layout.addWidget(splitter, 1)
        self.has_acquired.toggled.connect(self.acquired_edit.setEnabled)

    def show_evidence(self, ev: EvidenceRecord, path: Path) -> None:
        self.evidence = ev
        self.title_label.setText(ev.title)
        self.subtitle.setText(" · ".join([evidence_kind_label(ev.kind), ev.original_name,
                                          format_size(ev.size), ev.media_type]))
        self.preview.show_file(path, ev.media_type)
        self.title_edit.setText(ev.title)
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(ev.kind)))
        self.has_acquired.setChecked(ev.acquired_at is not None)
        self.acquired_edit.setEnabled(ev.acquired_at is not None)
        when = ev.acquired_at or ev.added_at
        self.acquired_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(when.timestamp())))
        self.acquired_by_edit.setText(ev.acquired_by)
        self.source_edit.setPlainText(ev.source)
        self.purpose_edit.setPlainText(ev.proof_purpose)
        self.description_edit.setPlainText(ev.description)
        self.hash_label.setText(ev.sha256)
        self.file_label.setText(_("Added by {who} on {time}; stored read-only.").format(
            who=ev.added_by, time=format_time(ev.added_at)))
        self.verify_label.clear()

    def changes(self) -> dict[str, object]:
        acquired = (datetime.fromtimestamp(self.acquired_edit.dateTime().toSecsSinceEpoch(), UTC)
                    if self.has_acquired.isChecked() else None)
        return {
            "title": self.title_edit.text(),
            "kind": self.kind_combo.currentData(),
            "acquired_at": acquired,
            "acquired_by": self.acquired_by_edit.text().strip(),
            "source": self.source_edit.toPlainText().strip(),
            "proof_purpose": self.purpose_edit.toPlainText().strip(),
            "description": self.description_edit.toPlainText().strip(),
        }

    def show_verification(self, problem: EvidenceProblem | None) -> None:
        if problem is None:
            self.verify_label.setText(
                f"<span style='color:{OK_COLOR}'>✔ " + _(
                    "Intact: the stored file still has the recorded SHA-256 ({time}).").format(
                    time=format_time(datetime.now(UTC), seconds=True)) + "</span>")
        else:
            self.verify_label.setText(f"<span style='color:{BAD_COLOR}'>✖ "
                                      f"{problem.message}</span>")


class _EvidenceTable(QTableView):
    """The evidence list; files dropped on it are added to the case."""

    files_dropped = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if paths_from_mime(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = paths_from_mime(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)


class EvidenceView(CaseView):
    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.setAcceptDrops(True)
        self.model = EvidenceTableModel(app.ctx.store.path_for, self)
        self.proxy = _Filter(self)
        self.proxy.setSourceModel(self.model)
        self.table = _EvidenceTable(self)
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(THUMB_SIZE + 10)
        self.table.setIconSize(QSize(THUMB_SIZE, THUMB_SIZE))
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(EvidenceTableModel.COL_TITLE,
                                    QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        self.table.setColumnHidden(EvidenceTableModel.COL_SOURCE, True)

        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText(_("Search title, file name, source, SHA-256"))
        self.search_edit.setClearButtonEnabled(True)
        self.kind_combo = QComboBox(self)
        self.kind_combo.addItem(_("All kinds"), None)
        for kind in EvidenceKind:
            self.kind_combo.addItem(evidence_kind_label(kind), kind.value)
        self.add_button = tool_button(_("Add files…"), self, self.pick_and_add,
                                      icon=type_icon("evidence"))
        self.verify_all_button = tool_button(_("Verify all"), self, self.verify_all,
                                             tip=_("Re-hash every stored file of the case"))
        self.count_label = muted("", self)
        self.drop_area = FileDropArea(_("Drop files here to add them as evidence "
                                        "(they are hashed and stored read-only)"), self)
        self.drop_area.setMaximumHeight(64)

        toolbar = QHBoxLayout()
        toolbar.addWidget(self.search_edit, 2)
        toolbar.addWidget(self.kind_combo)
        toolbar.addSpacing(12)
        toolbar.addWidget(self.add_button)
        toolbar.addWidget(self.verify_all_button)
        toolbar.addStretch(1)

        self.detail = EvidenceDetail(self)
        self.empty = muted(_("Select an evidence file, or drop files here to add them."), self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.detail)
        self.stack.addWidget(scroll)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.drop_area)
        left_layout.addWidget(self.count_label)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 4)
        splitter.setSizes([700, 720])
        layout = QVBoxLayout(self)
        layout.addLayout(toolbar)
        layout.addWidget(splitter, 1)

        self.search_edit.textChanged.connect(self._filter)
        self.kind_combo.currentIndexChanged.connect(self._filter)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.files_dropped.connect(self.add_files)
        self.drop_area.files_dropped.connect(self.add_files)
        self.detail.save_button.clicked.connect(self.save_record)
        self.detail.verify_button.clicked.connect(self.verify_current)
        self.detail.add_link_button.clicked.connect(self.add_link)
        self.detail.remove_link_button.clicked.connect(self.remove_link)
        self.detail.links.itemDoubleClicked.connect(self._open_link)

    def view_title(self) -> str:
        return _("Evidence")

    # --- data -----------------------------------------------------------------------------

    def refresh(self) -> None:
        current = self.current_evidence()
        rows = [] if self.case_id is None else self.app.evidence.list(self.case_id)
        self.model.set_rows(rows)
        total = len(rows)
        self.count_label.setText(
            ngettext("{n} evidence file", "{n} evidence files", total).format(n=total)
            + " · " + format_size(sum(e.size for e in rows)))
        enabled = self.case_id is not None
        for w in (self.add_button, self.verify_all_button, self.drop_area):
            w.setEnabled(enabled)
        if current is not None and self.select_evidence(current.id):
            self._show(self.current_evidence())
            return
        if self.proxy.rowCount():
            self.table.selectRow(0)
        else:
            self._show(None)

    def _filter(self) -> None:
        self.proxy.set_filter(self.search_edit.text(), self.kind_combo.currentData())

    def current_evidence(self) -> EvidenceRecord | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.evidence_at(self.proxy.mapToSource(index).row())

    def select_evidence(self, evidence_id: int) -> bool:
        row = self.model.row_of(evidence_id)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            self.search_edit.clear()
            self.kind_combo.setCurrentIndex(0)
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
        return True

    def select_first_image(self) -> None:
        for row in range(self.model.rowCount()):
            if self.model.evidence_at(row).media_type.startswith("image/"):
                self.select_evidence(self.model.evidence_at(row).id)
                return

    def show_item(self, object_type: str, object_id: int) -> bool:
        return object_type == "evidence" and self.select_evidence(object_id)

    def _current_changed(self, *_args: object) -> None:
        self._show(self.current_evidence())

    def _show(self, ev: EvidenceRecord | None) -> None:
        if ev is None:
            self.detail.preview.show_file(None)
            self.stack.setCurrentIndex(0)
            return
        self.detail.show_evidence(ev, self.app.ctx.store.path_for(ev.sha256))
        self._show_custody(ev.id)
        self._show_links(ev.id)
        self.stack.setCurrentIndex(1)

    def _show_custody(self, evidence_id: int) -> None:
        events = self.app.evidence.custody(evidence_id)
        table = self.detail.custody
        table.setRowCount(len(events))
        for row, event in enumerate(events):
            note = event.note
            if event.action == "verified":
                note = {"ok": _("intact"), "altered": _("ALTERED"),
                        "missing": _("MISSING")}.get(event.note, event.note)
            cells = [format_time(event.at, seconds=True), custody_action_label(event.action),
                     event.actor, note]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if event.sha256_observed:
                    item.setToolTip(_("SHA-256 observed: {hash}").format(
                        hash=event.sha256_observed))
                if event.action == "verified" and event.note in ("altered", "missing"):
                    item.setForeground(Qt.GlobalColor.red)
                table.setItem(row, col, item)

    def _show_links(self, evidence_id: int) -> None:
        lst = self.detail.links
        lst.clear()
        if self.case_id is None:
            return
        for link, other in self.app.links.neighbours(self.case_id, ("evidence", evidence_id)):
            item = QListWidgetItem(type_icon(other.type), f"{link.relation} → {other.label}")
            item.setData(Qt.ItemDataRole.UserRole, (other.type, other.id, link.id))
            item.setToolTip(_("Double-click to open"))
            lst.addItem(item)
        for contact in self.app.contacts.list(self.case_id):
            if any(a.id == evidence_id for a in contact.attachments):
                item = QListWidgetItem(type_icon("contact"), _("attached to contact {time}").format(
                    time=format_time(contact.started_at)))
                item.setData(Qt.ItemDataRole.UserRole, ("contact", contact.id, None))
                lst.addItem(item)
        n = lst.count()
        self.detail.tabs.setTabText(2, _("Links ({n})").format(n=n))

    # --- drag and drop on the whole view --------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.case_id is not None and paths_from_mime(event.mimeData()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self.case_id is not None and event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = paths_from_mime(event.mimeData())
        if paths and self.case_id is not None:
            event.acceptProposedAction()
            self.add_files(paths)

    # --- actions --------------------------------------------------------------------------

    def pick_and_add(self) -> None:
        paths = pick_files(self, _("Add evidence files"))
        if paths:
            self.add_files(paths)

    def add_files(self, paths: list[Path]) -> list[EvidenceRecord]:
        """Hash and store the files (in a worker, with progress) and record them."""
        case_id = self.case_id
        if case_id is None or not paths:
            return []
        files = [(Path(p), EvidenceFields()) for p in paths]
        result = run_file_work(
            self, ngettext("Adding {n} evidence file", "Adding {n} evidence files",
                           len(files)).format(n=len(files)),
            lambda progress, cancel: self.app.evidence.add_many(case_id, files,
                                                                progress=progress,
                                                                cancel=cancel))
        if result is None:
            return []
        self.refresh()
        added = [r.evidence for r in result]
        already = [r.evidence.title for r in result if r.already_present]
        if added:
            self.select_evidence(added[-1].id)
            self.detail.tabs.setCurrentIndex(0)
            self.detail.source_edit.setFocus()
        message = ngettext("{n} file added as evidence.", "{n} files added as evidence.",
                           len(added) - len(already)).format(n=len(added) - len(already))
        if already:
            message += " " + _("Already in the case: {titles}.").format(titles="、".join(already))
        self.status_message.emit(message)
        self.data_changed.emit()
        return added

    def save_record(self) -> None:
        ev = self.detail.evidence
        if ev is None:
            return
        try:
            updated = self.app.evidence.update(ev.id, expected_version=ev.version,
                                               **self.detail.changes())  # type: ignore[arg-type]
        except CaseappError as exc:
            show_error(self, _("Cannot save the evidence record"), str(exc))
            return
        self.refresh()
        self.select_evidence(updated.id)
        self.status_message.emit(_("Evidence record saved."))
        self.data_changed.emit()

    def verify_current(self) -> EvidenceProblem | None:
        ev = self.detail.evidence
        if ev is None:
            return None
        task_result = run_file_work(self, _("Verifying {title}").format(title=ev.title),
                                    lambda progress, cancel: (self.app.evidence.verify_one(
                                        ev.id, cancel=cancel),))
        if task_result is None:
            return None
        problem = task_result[0]
        self.detail.show_verification(problem)
        self._show_custody(ev.id)
        return problem

    def verify_all(self) -> EvidenceVerification | None:
        case_id = self.case_id
        if case_id is None:
            return None
        result = run_file_work(self, _("Verifying all evidence files"),
                               lambda progress, cancel: self.app.evidence.verify(
                                   case_id, progress=progress, cancel=cancel))
        if result is None:
            return None
        if result.ok:
            self.status_message.emit(ngettext(
                "{n} file verified: all intact.", "{n} files verified: all intact.",
                result.checked).format(n=result.checked))
        else:
            show_error(self, _("Evidence files were altered or are missing"),
                       "\n".join(p.message for p in result.problems))
        current = self.current_evidence()
        if current is not None:
            self._show_custody(current.id)
        return result

    def add_link(self) -> None:
        ev = self.detail.evidence
        if ev is None or self.case_id is None:
            return
        dialog = EvidenceLinkDialog(self.app.parties.list(self.case_id),
                                    self.app.contacts.list(self.case_id), self)
        if dialog.exec() != EvidenceLinkDialog.DialogCode.Accepted:
            return
        target, relation, note = dialog.values()
        try:
            self.app.links.add(self.case_id, from_ref=("evidence", ev.id), to_ref=target,
                               relation=relation, note=note)
        except CaseappError as exc:
            show_error(self, _("Cannot link the evidence"), str(exc))
            return
        self._show_links(ev.id)
        self.data_changed.emit()

    def remove_link(self) -> None:
        item = self.detail.links.currentItem()
        ev = self.detail.evidence
        if item is None or ev is None:
            return
        _type, _id, link_id = item.data(Qt.ItemDataRole.UserRole)
        if link_id is None:
            return
        try:
            self.app.links.remove(link_id)
        except CaseappError as exc:
            show_error(self, _("Cannot remove the link"), str(exc))
            return
        self._show_links(ev.id)
        self.data_changed.emit()

    def _open_link(self, item: QListWidgetItem) -> None:
        object_type, object_id, _link = item.data(Qt.ItemDataRole.UserRole)
        self.open_item.emit(object_type, object_id)
