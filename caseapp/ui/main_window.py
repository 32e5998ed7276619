"""The main window: the case list and the selected case's essentials."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QModelIndex, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTableView,
    QWidget,
)

from caseapp import __version__
from caseapp.app import App
from caseapp.domain.errors import CaseappError
from caseapp.domain.labels import case_status_label
from caseapp.i18n import _, ngettext
from caseapp.services.records import CaseRecord
from caseapp.ui.dialogs.new_case_dialog import NewCaseDialog
from caseapp.ui.models.case_table_model import CaseTableModel


class CaseDetails(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.number = QLabel(self)
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.status = QLabel(self)
        self.lead = QLabel(self)
        self.counts = QLabel(self)
        for label, widget in ((_("Case number"), self.number), (_("Title"), self.title),
                              (_("Status"), self.status), (_("Lead investigator"), self.lead),
                              (_("In this case"), self.counts)):
            widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, widget)

    def show_case(self, case: CaseRecord | None, counts: str = "") -> None:
        self.number.setText(case.number if case else "")
        self.title.setText(case.title if case else "")
        self.status.setText(case_status_label(case.status) if case else "")
        self.lead.setText(case.lead_investigator if case else "")
        self.counts.setText(counts)


class MainWindow(QMainWindow):
    def __init__(self, app: App) -> None:
        super().__init__()
        self.app = app
        self.setWindowTitle(_("caseapp — case management"))
        self.model = CaseTableModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(CaseTableModel.COL_TITLE, QHeaderView.ResizeMode.Stretch)
        self.details = CaseDetails(self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.setCentralWidget(splitter)
        self._build_actions()
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.statusBar().showMessage(_("Workspace: {path}").format(path=app.workspace.root))
        self._restore_state()
        self.refresh()

    def _build_actions(self) -> None:
        self.new_case_action = QAction(_("&New case…"), self)
        self.new_case_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_case_action.triggered.connect(self.new_case)
        self.refresh_action = QAction(_("&Refresh"), self)
        self.refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.refresh_action.triggered.connect(self.refresh)
        quit_action = QAction(_("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        about_action = QAction(_("&About caseapp"), self)
        about_action.triggered.connect(self._about)
        file_menu = self.menuBar().addMenu(_("&File"))
        file_menu.addAction(self.new_case_action)
        file_menu.addAction(self.refresh_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        self.menuBar().addMenu(_("&Help")).addAction(about_action)
        toolbar = self.addToolBar(_("Main"))
        toolbar.setObjectName("main_toolbar")
        toolbar.addAction(self.new_case_action)
        toolbar.addAction(self.refresh_action)

    def refresh(self) -> None:
        current = self.current_case()
        self.model.set_rows(self.app.cases.list())
        row = 0
        if current is not None:
            for i in range(self.model.rowCount()):
                if self.model.case_at(i).id == current.id:
                    row = i
        if self.model.rowCount():
            self.table.selectRow(row)
        else:
            self.details.show_case(None)

    def current_case(self) -> CaseRecord | None:
        index = self.table.currentIndex()
        return self.model.case_at(index.row()) if index.isValid() else None

    def select_case(self, case_id: int) -> None:
        for i in range(self.model.rowCount()):
            if self.model.case_at(i).id == case_id:
                self.table.selectRow(i)
                return

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.details.show_case(None)
            return
        case = self.model.case_at(current.row())
        parties = len(self.app.parties.list(case.id))
        contacts = len(self.app.contacts.list(case.id))
        evidence = len(self.app.evidence.list(case.id))
        counts = _("{parties}, {contacts}, {evidence}").format(
            parties=ngettext("{n} party", "{n} parties", parties).format(n=parties),
            contacts=ngettext("{n} contact", "{n} contacts", contacts).format(n=contacts),
            evidence=ngettext("{n} evidence file", "{n} evidence files", evidence).format(
                n=evidence))
        self.details.show_case(case, counts)

    def new_case(self) -> None:
        dialog = NewCaseDialog(self)
        if dialog.exec() != NewCaseDialog.DialogCode.Accepted:
            return
        title, number, organisation = dialog.values()
        try:
            case = self.app.cases.create(title=title, number=number, organisation=organisation)
        except CaseappError as exc:
            QMessageBox.warning(self, _("Cannot create the case"), str(exc))
            return
        self.refresh()
        self.select_case(case.id)

    def _about(self) -> None:
        QMessageBox.about(self, _("About caseapp"), _(
            "caseapp {version}\nCase management for investigations into illegal debt-relief "
            "intermediaries.").format(version=__version__))

    def _restore_state(self) -> None:
        settings = QSettings()
        geometry = settings.value("main_window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 680)
        state = settings.value("main_window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def closeEvent(self, event: object) -> None:
        settings = QSettings()
        settings.setValue("main_window/geometry", self.saveGeometry())
        settings.setValue("main_window/state", self.saveState())
        super().closeEvent(event)  # type: ignore[arg-type]
