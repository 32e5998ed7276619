"""The main window: the case list, and for the open case a navigation over its views.

The views are listed in :data:`caseapp.ui.views.registry.VIEW_CLASSES`. The window routes a
view's :attr:`~caseapp.ui.views.base.CaseView.open_item` to the first *other* view whose
``show_item`` accepts the object (the sender itself last), refreshes views after another one
reports :attr:`~caseapp.ui.views.base.CaseView.data_changed` (a hidden view when it is shown
next), and keeps geometry, the open case, the current view and each view's layout in QSettings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QModelIndex, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDockWidget,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from caseapp import __version__
from caseapp.app import App
from caseapp.domain.enums import CaseStatus, LinkEndType
from caseapp.domain.errors import CaseappError, NotFoundError
from caseapp.domain.labels import case_status_label, object_type_label
from caseapp.i18n import _, ngettext
from caseapp.services.records import CaseRecord
from caseapp.services.search import SearchResults
from caseapp.ui.dialogs.errors import show_error
from caseapp.ui.dialogs.new_case_dialog import NewCaseDialog
from caseapp.ui.models.case_table_model import CaseTableModel
from caseapp.ui.style import NAV_STYLE, styled
from caseapp.ui.views.base import CaseView
from caseapp.ui.views.registry import VIEW_CLASSES
from caseapp.ui.workers.task import run_with_progress_dialog

_SETTINGS_GROUP = "main_window"


class CaseDetails(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.number = QLabel(self)
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.status = QLabel(self)
        self.lead = QLabel(self)
        self.organisation = QLabel(self)
        self.organisation.setWordWrap(True)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.counts = QLabel(self)
        self.counts.setWordWrap(True)
        for label, widget in ((_("Case number"), self.number), (_("Title"), self.title),
                              (_("Status"), self.status), (_("Lead investigator"), self.lead),
                              (_("Investigating organisation"), self.organisation),
                              (_("Summary"), self.summary),
                              (_("In this case"), self.counts)):
            widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, widget)

    def show_case(self, case: CaseRecord | None, counts: str = "") -> None:
        self.number.setText(case.number if case else "")
        self.title.setText(case.title if case else "")
        self.status.setText(case_status_label(case.status) if case else "")
        self.lead.setText(case.lead_investigator if case else "")
        self.organisation.setText(case.organisation if case else "")
        self.summary.setText(case.summary if case else "")
        self.counts.setText(counts)


class SearchResultsPanel(QTreeWidget):
    """The hits of the global search, by kind; activating one opens it."""

    ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(2)
        self.setHeaderLabels([_("Found"), _("Where")])
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(True)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.setColumnWidth(0, 220)

    def show_results(self, results: SearchResults) -> None:
        self.clear()
        # the few telling hits first, the many complaints last
        kinds = [LinkEndType.PARTY, LinkEndType.IDENTIFIER, LinkEndType.CONTACT,
                 LinkEndType.EVIDENCE, LinkEndType.COMPLAINT]
        headings = {
            LinkEndType.COMPLAINT: _("Complaints"), LinkEndType.PARTY: _("Parties"),
            LinkEndType.IDENTIFIER: _("Identifiers"),
            LinkEndType.CONTACT: _("Undercover contacts"),
            LinkEndType.EVIDENCE: _("Evidence")}
        for kind in kinds:
            hits = results.of_type(kind.value)
            if not hits:
                continue
            total = results.complaint_total if kind is LinkEndType.COMPLAINT else len(hits)
            title = f"{headings[kind]} ({total:,})"
            if total > len(hits):
                title = _("{title}, first {n} shown").format(title=title, n=len(hits))
            parent = QTreeWidgetItem(self, [title])
            parent.setFirstColumnSpanned(True)
            for hit in hits:
                item = QTreeWidgetItem(parent, [hit.title, hit.snippet])
                item.setToolTip(1, hit.snippet)
                item.setData(0, self.ROLE, (hit.object_type, hit.object_id))
            parent.setExpanded(True)
        if not self.topLevelItemCount():
            QTreeWidgetItem(self, [_("Nothing found for “{text}”.").format(text=results.query)])


class MainWindow(QMainWindow):
    def __init__(self, app: App, *, restore: bool = True) -> None:
        super().__init__()
        self.app = app
        self.views: list[CaseView] = []
        self.open_case_id: int | None = None
        self._dirty: set[int] = set()  # views to refresh when shown next
        self._unset: set[int] = set()  # views that have not had the open case yet
        self._build()
        self.refresh()
        if restore:
            self._restore_state()
        else:
            self.resize(1280, 800)

    # --- construction -----------------------------------------------------------------------

    def _build(self) -> None:
        self.setWindowTitle(_("caseapp — case management"))
        self.model = CaseTableModel(self)
        self.case_page = self._build_case_page()
        self.views = [cls(self.app) for cls in VIEW_CLASSES]
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.case_page)
        self.nav = QListWidget(self)
        self.nav.setObjectName("navList")
        self.nav.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        QListWidgetItem(_("Cases"), self.nav)
        for view in self.views:
            self.stack.addWidget(view)
            QListWidgetItem(view.view_title(), self.nav)
            view.open_item.connect(
                lambda kind, ident, v=view: self.route(kind, ident, sender=v))
            view.data_changed.connect(lambda v=view: self._on_data_changed(v))
            view.status_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
            if hasattr(view, "navigate"):
                view.navigate.connect(self.show_view_named)
            if hasattr(view, "import_requested"):
                view.import_requested.connect(self.import_complaints)
        self.nav.currentRowChanged.connect(self._on_nav)
        self.nav_case = QLabel(self)
        self.nav_case.setObjectName("navCase")
        self.nav_case_title = QLabel(self)
        self.nav_case_title.setObjectName("navCaseTitle")
        self.nav_case_title.setWordWrap(True)
        nav_panel = QWidget(self)
        nav_panel.setObjectName("navPanel")
        nav_panel.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        nav_panel.setStyleSheet(NAV_STYLE)
        nav_layout = QVBoxLayout(nav_panel)
        nav_layout.setContentsMargins(0, 0, 0, 0)
        nav_layout.setSpacing(0)
        nav_layout.addWidget(self.nav_case)
        nav_layout.addWidget(self.nav_case_title)
        nav_layout.addWidget(self.nav, 1)
        nav_panel.setMinimumWidth(170)
        nav_panel.setMaximumWidth(260)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(nav_panel)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(1, False)
        self.splitter.setSizes([190, 1090])
        self.setCentralWidget(self.splitter)

        self.search_results = SearchResultsPanel(self)
        self.search_results.itemActivated.connect(self._on_search_hit)
        self.search_dock = QDockWidget(_("Search results"), self)
        self.search_dock.setObjectName("searchDock")
        self.search_dock.setWidget(self.search_results)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.search_dock)
        self.search_dock.hide()

        self._build_actions()
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.statusBar().showMessage(_("Workspace: {path}").format(path=self.app.workspace.root))
        self._update_nav_header()
        self._update_case_state()

    def _build_case_page(self) -> QWidget:
        page = QWidget(self)
        title = QLabel(_("Cases"), page)
        styled(title, "pageTitle")
        self.table = QTableView(page)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(CaseTableModel.COL_TITLE, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(lambda index: self.open_selected_case())
        self.details = CaseDetails(page)
        self.open_button = QPushButton(_("Open case"), page)
        styled(self.open_button, "primaryButton")
        self.open_button.clicked.connect(self.open_selected_case)
        self.new_button = QPushButton(_("New case…"), page)
        self.rename_button = QPushButton(_("Rename…"), page)
        self.status_button = QPushButton(_("Change status"), page)
        buttons = QHBoxLayout()
        for button in (self.open_button, self.new_button, self.rename_button,
                       self.status_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        right = QWidget(page)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.details)
        right_layout.addStretch(1)
        split = QSplitter(Qt.Orientation.Horizontal, page)
        split.addWidget(self.table)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.addWidget(title)
        layout.addLayout(buttons)
        layout.addWidget(split, 1)
        return page

    def _action(self, text: str, slot: Any, shortcut: QKeySequence | str | None = None,
                tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        key = QKeySequence.StandardKey
        self.new_case_action = self._action(_("&New case…"), self.new_case, key.New)
        self.case_list_action = self._action(_("&Case list"), self.show_case_list, "Ctrl+0")
        self.open_case_action = self._action(_("&Open selected case"), self.open_selected_case,
                                             "Ctrl+O")
        self.close_case_action = self._action(_("&Close case"), self.close_case, key.Close)
        self.import_action = self._action(_("&Import complaints…"), self.import_complaints,
                                          "Ctrl+I")
        self.demo_action = self._action(_("Open the &demo case"), self.open_demo_case,
                                        tip=_("Create (once) and open an invented case to "
                                              "explore caseapp"))
        self.settings_action = self._action(_("&Settings…"), self.open_settings, "Ctrl+,")
        quit_action = self._action(_("&Quit"), self.close, key.Quit)
        self.rename_action = self._action(_("&Rename case…"), self.rename_case, "F2")
        self.refresh_action = self._action(_("&Refresh"), self.refresh_all, key.Refresh)
        self.search_action = self._action(_("&Search in case"), self.focus_search, key.Find)
        self.run_analysis_action = self._action(_("Run &analysis…"), self.run_analysis,
                                                "Ctrl+R")
        self.export_action = self._action(
            _("&Export evidence package…"), self.export_case, "Ctrl+E",
            tip=_("PDF and DOCX dossiers with the evidence files and a verifiable manifest"))
        self.backup_case_action = self._action(
            _("&Back up this case…"), lambda: self.back_up(all_cases=False),
            tip=_("One file with the case's data and evidence, restorable with caseapp-cli "
                  "restore"))
        self.backup_all_action = self._action(
            _("Back up &all cases…"), lambda: self.back_up(all_cases=True),
            tip=_("One file with every case of this workspace and their evidence"))
        about_action = self._action(_("&About caseapp"), self._about)
        self.status_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for status in CaseStatus:
            action = QAction(case_status_label(status), self)
            action.setCheckable(True)
            action.triggered.connect(lambda _c=False, s=status: self.set_case_status(s))
            group.addAction(action)
            self.status_actions[status.value] = action

        menu = self.menuBar()
        file_menu = menu.addMenu(_("&File"))
        for action in (self.new_case_action, self.case_list_action, self.open_case_action,
                       self.close_case_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.import_action)
        file_menu.addAction(self.export_action)
        file_menu.addAction(self.demo_action)
        file_menu.addSeparator()
        file_menu.addAction(self.backup_case_action)
        file_menu.addAction(self.backup_all_action)
        file_menu.addSeparator()
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        case_menu = menu.addMenu(_("&Case"))
        case_menu.addAction(self.rename_action)
        status_menu = case_menu.addMenu(_("Status"))
        for action in self.status_actions.values():
            status_menu.addAction(action)
        case_menu.addSeparator()
        case_menu.addAction(self.run_analysis_action)
        case_menu.addAction(self.export_action)
        view_menu = menu.addMenu(_("&View"))
        view_menu.addAction(self.case_list_action)
        self.view_actions = []
        for i, view in enumerate(self.views, start=1):
            action = self._action(view.view_title(), lambda v=view: self.show_view(v),
                                  f"Ctrl+{i}" if i <= 9 else None)
            view_menu.addAction(action)
            self.view_actions.append(action)
        view_menu.addSeparator()
        view_menu.addAction(self.search_action)
        view_menu.addAction(self.search_dock.toggleViewAction())
        view_menu.addAction(self.refresh_action)
        menu.addMenu(_("&Help")).addAction(about_action)
        self.status_button.setMenu(status_menu)
        self.new_button.clicked.connect(self.new_case)
        self.rename_button.clicked.connect(self.rename_case)

        toolbar = self.addToolBar(_("Main"))
        toolbar.setObjectName("main_toolbar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(16, 16))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addAction(self.case_list_action)
        toolbar.addAction(self.new_case_action)
        toolbar.addAction(self.import_action)
        toolbar.addAction(self.run_analysis_action)
        toolbar.addAction(self.export_action)
        toolbar.addAction(self.refresh_action)
        spacer = QWidget(toolbar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        self.search_edit = QLineEdit(toolbar)
        styled(self.search_edit, "globalSearch")
        self.search_edit.setPlaceholderText(_("Search this case (Ctrl+F)"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.returnPressed.connect(lambda: self.run_search(self.search_edit.text()))
        toolbar.addWidget(self.search_edit)
        self.toolbar = toolbar

    # --- the case list ----------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the case list (keeps the selection)."""
        current = self.current_case()
        self.model.set_rows(self.app.cases.list())
        row = 0
        wanted = current.id if current is not None else self.open_case_id
        if wanted is not None:
            for i in range(self.model.rowCount()):
                if self.model.case_at(i).id == wanted:
                    row = i
        if self.model.rowCount():
            self.table.selectRow(row)
        else:
            self.details.show_case(None)
        self._update_case_state()

    def refresh_all(self) -> None:
        self.refresh()
        for view in self.views:
            if id(view) in self._unset:
                continue
            if view is self.stack.currentWidget():
                self._refresh_view(view)
            else:
                self._dirty.add(id(view))

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
            self._update_case_state()
            return
        case = self.model.case_at(current.row())
        try:
            complaints = self.app.complaint_queries.count(case.id)
            parties = len(self.app.parties.list(case.id))
            contacts = len(self.app.contacts.list(case.id))
            evidence = len(self.app.evidence.list(case.id))
        except CaseappError as exc:
            self.details.show_case(case, str(exc))
            return
        counts = _("{complaints}, {parties}, {contacts}, {evidence}").format(
            complaints=ngettext("{n} complaint", "{n} complaints", complaints).format(
                n=f"{complaints:,}"),
            parties=ngettext("{n} party", "{n} parties", parties).format(n=parties),
            contacts=ngettext("{n} contact", "{n} contacts", contacts).format(n=contacts),
            evidence=ngettext("{n} evidence file", "{n} evidence files", evidence).format(
                n=evidence))
        self.details.show_case(case, counts)
        self._update_case_state()

    def _target_case(self) -> CaseRecord | None:
        """The case the Case menu acts on: the open one, else the one selected in the list."""
        if self.open_case_id is not None and self.stack.currentWidget() is not self.case_page:
            try:
                return self.app.cases.get(self.open_case_id)
            except CaseappError:
                return None
        return self.current_case()

    def _update_case_state(self) -> None:
        opened = self.open_case_id is not None
        for row in range(1, self.nav.count()):
            item = self.nav.item(row)
            flags = item.flags()
            item.setFlags(flags | Qt.ItemFlag.ItemIsEnabled if opened
                          else flags & ~Qt.ItemFlag.ItemIsEnabled)
        for action in self.view_actions if hasattr(self, "view_actions") else []:
            action.setEnabled(opened)
        for action in (getattr(self, "close_case_action", None),
                       getattr(self, "import_action", None),
                       getattr(self, "run_analysis_action", None),
                       getattr(self, "export_action", None),
                       getattr(self, "backup_case_action", None)):
            if action is not None:
                action.setEnabled(opened)
        target = self._target_case() if hasattr(self, "status_actions") else None
        for status, action in getattr(self, "status_actions", {}).items():
            action.setEnabled(target is not None)
            action.setChecked(target is not None and target.status == status)
        if hasattr(self, "rename_action"):
            self.rename_action.setEnabled(target is not None)
        has_selection = self.current_case() is not None
        self.open_button.setEnabled(has_selection)
        self.rename_button.setEnabled(has_selection)
        self.status_button.setEnabled(has_selection)

    def new_case(self) -> None:
        dialog = NewCaseDialog(self)
        organisation = self.app.workspace.preferences.organisation
        if organisation and not dialog.organisation_edit.text():
            dialog.organisation_edit.setText(organisation)
        if dialog.exec() != NewCaseDialog.DialogCode.Accepted:
            return
        title, number, organisation = dialog.values()
        try:
            case = self.app.cases.create(title=title, number=number, organisation=organisation)
        except CaseappError as exc:
            show_error(self, _("Cannot create the case"), exc)
            return
        self.refresh()
        self.select_case(case.id)
        self.show_case_list()

    def rename_case(self) -> None:
        case = self._target_case()
        if case is None:
            return
        title, ok = QInputDialog.getText(self, _("Rename case"),
                                         _("New title of case {number}:").format(
                                             number=case.number),
                                         QLineEdit.EchoMode.Normal, case.title)
        if not ok or title.strip() == case.title:
            return
        try:
            self.app.cases.update(case.id, expected_version=case.version, title=title)
        except CaseappError as exc:
            show_error(self, _("Cannot rename the case"), exc)
            return
        self._after_case_change(case.id)

    def set_case_status(self, status: CaseStatus | str) -> None:
        case = self._target_case()
        if case is None or case.status == str(status):
            self._update_case_state()
            return
        try:
            self.app.cases.update(case.id, expected_version=case.version, status=status)
        except CaseappError as exc:
            show_error(self, _("Cannot change the status of the case"), exc)
            self._update_case_state()
            return
        self.statusBar().showMessage(_("Case {number} is now: {status}").format(
            number=case.number, status=case_status_label(str(status))), 8000)
        self._after_case_change(case.id)

    def _after_case_change(self, case_id: int) -> None:
        self.refresh()
        if case_id == self.open_case_id:
            self._update_nav_header()
            for view in self.views:
                self._dirty.add(id(view))
            current = self.stack.currentWidget()
            if isinstance(current, CaseView):
                self._refresh_view(current)

    # --- the open case ----------------------------------------------------------------------

    def open_selected_case(self) -> None:
        case = self.current_case()
        if case is not None:
            self.open_case(case.id)

    def open_case(self, case_id: int, view: str | None = None) -> None:
        """Open the case in every view and show the overview (or the named view)."""
        try:
            self.app.cases.get(case_id)
        except CaseappError as exc:
            show_error(self, _("Cannot open the case"), exc)
            return
        self.open_case_id = case_id
        self._dirty.clear()
        # Views get the case when they are first shown: opening a big case stays quick.
        self._unset = {id(v) for v in self.views}
        self.select_case(case_id)
        self._update_nav_header()
        self._update_case_state()
        if not self.show_view_named(view or "") and self.views:
            self.show_view(self.views[0])

    def close_case(self) -> None:
        if self.open_case_id is None:
            return
        self.open_case_id = None
        for view in self.views:
            if id(view) not in self._unset:
                view.set_case(None)
        self._unset = set()
        self._update_nav_header()
        self.search_results.clear()
        self.search_dock.hide()
        self.show_case_list()

    def _update_nav_header(self) -> None:
        case = None
        if self.open_case_id is not None:
            try:
                case = self.app.cases.get(self.open_case_id)
            except NotFoundError:
                case = None
        if case is None:
            self.nav_case.setText(_("No case open"))
            self.nav_case_title.setText(_("Open a case from the list."))
            self.setWindowTitle(_("caseapp — case management"))
        else:
            self.nav_case.setText(case.number)
            self.nav_case_title.setText(f"{case.title}\n{case_status_label(case.status)}")
            self.setWindowTitle(f"{case.number} {case.title} — caseapp")

    def show_case_list(self) -> None:
        self.nav.setCurrentRow(0)
        self.table.setFocus()

    def show_view(self, view: CaseView) -> None:
        if self.open_case_id is None:
            self.show_case_list()
            return
        row = self.views.index(view) + 1
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)
        else:
            self._on_nav(row)

    def show_view_named(self, name: str) -> bool:
        for view in self.views:
            if type(view).__name__ == name:
                self.show_view(view)
                return True
        return False

    def current_view(self) -> CaseView | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, CaseView) else None

    def _on_nav(self, row: int) -> None:
        if row <= 0 or self.open_case_id is None:
            self.stack.setCurrentWidget(self.case_page)
            if row != 0:
                self.nav.setCurrentRow(0)
        else:
            view = self.views[row - 1]
            self._prepare_view(view)
            self.stack.setCurrentWidget(view)
        self._update_case_state()

    def _prepare_view(self, view: CaseView) -> None:
        """Give the view the open case if it has not had it yet, else refresh it if data
        changed while it was hidden."""
        if id(view) in self._unset:
            self._unset.discard(id(view))
            self._dirty.discard(id(view))
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                view.set_case(self.open_case_id)
            except CaseappError as exc:
                show_error(self, _("Cannot show {view}").format(view=view.view_title()), exc)
            finally:
                QApplication.restoreOverrideCursor()
        elif id(view) in self._dirty:
            self._refresh_view(view)

    def _refresh_view(self, view: CaseView) -> None:
        self._dirty.discard(id(view))
        try:
            view.refresh()
        except CaseappError as exc:
            show_error(self, _("Cannot show {view}").format(view=view.view_title()), exc)

    def _on_data_changed(self, sender: CaseView) -> None:
        for view in self.views:
            if view is sender or id(view) in self._unset:
                continue
            if view is self.stack.currentWidget():
                self._refresh_view(view)
            else:
                self._dirty.add(id(view))
        self.refresh()

    def route(self, object_type: str, object_id: int, *, sender: CaseView | None = None
              ) -> bool:
        """Show the object in the first other view that accepts it (the sender last)."""
        order = [v for v in self.views if v is not sender]
        if sender is not None and sender in self.views:
            order.append(sender)
        for view in order:
            self._prepare_view(view)
            if view.show_item(object_type, object_id):
                self.show_view(view)
                return True
        label = object_type_label(object_type) if object_type != "group" else _("group")
        self.statusBar().showMessage(_("No view shows {type} #{id} yet.").format(
            type=label, id=object_id), 8000)
        return False

    # --- search -----------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def run_search(self, text: str) -> SearchResults | None:
        if not text.strip():
            return None
        if self.open_case_id is None:
            self.statusBar().showMessage(_("Open a case to search in it."), 8000)
            return None
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            results = self.app.search.search(self.open_case_id, text)
        except CaseappError as exc:
            QApplication.restoreOverrideCursor()
            show_error(self, _("The search failed"), exc)
            return None
        QApplication.restoreOverrideCursor()
        self.search_results.show_results(results)
        if not self.search_dock.isVisible():
            self.search_dock.show()
            self.resizeDocks([self.search_dock], [max(380, self.width() // 3)],
                             Qt.Orientation.Horizontal)
        self.search_dock.raise_()
        hits = len(results.hits) - len(results.of_type("complaint")) + results.complaint_total
        self.statusBar().showMessage(ngettext("{n} hit for “{text}”", "{n} hits for “{text}”",
                                              hits).format(n=f"{hits:,}", text=results.query),
                                     8000)
        return results

    def _on_search_hit(self, item: QTreeWidgetItem, _column: int) -> None:
        data = item.data(0, SearchResultsPanel.ROLE)
        if data:
            kind, ident = data
            self.route(kind, int(ident))

    # --- long operations --------------------------------------------------------------------

    def import_complaints(self) -> None:
        if self.open_case_id is None:
            self.statusBar().showMessage(_("Open a case to import complaints into it."), 8000)
            return
        from caseapp.ui.dialogs.import_wizard import ImportWizard

        wizard = ImportWizard(self.app, self.open_case_id, self)
        wizard.exec()
        if wizard.summary is not None:
            for view in self.views:
                self._dirty.add(id(view))
            self.refresh()
            self.show_view_named("ComplaintsView")

    def export_case(self) -> None:
        """The export dialog for the open case (dossiers, package, verification)."""
        if self.open_case_id is None:
            return
        from caseapp.ui.dialogs.export_dialog import ExportDialog

        dialog = ExportDialog(self.app, self.open_case_id, self)
        dialog.exec()
        if dialog.results:
            # The export is recorded in the audit log and in each file's custody log.
            for view in self.views:
                self._dirty.add(id(view))
            self.refresh()

    def back_up(self, *, all_cases: bool) -> None:
        """Write a backup (the open case, or every case) to a file the user chooses."""
        from datetime import date

        from caseapp.backup.service import BackupService

        if not all_cases and self.open_case_id is None:
            return
        case = None if all_cases else self.app.cases.get(self.open_case_id)
        stem = "caseapp-all" if case is None else f"caseapp-{case.number}"
        suggested = str(Path.home() / f"{stem}-{date.today():%Y%m%d}.cabak")
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Back up to"), suggested, _("caseapp backups (*.cabak)"))
        if not path:
            return
        target = Path(path)
        cases = None if case is None else [case.id]
        task = run_with_progress_dialog(
            self, _("Writing the backup"),
            lambda sink, cancel: BackupService(self.app.ctx).backup(
                target, cases=cases, progress=sink, cancel=cancel))
        if task.was_cancelled:
            self.statusBar().showMessage(_("Backup cancelled; nothing was written."), 8000)
            return
        if task.error is not None:
            show_error(self, _("The backup failed; nothing was written."), task.error)
            return
        summary = task.result
        QMessageBox.information(self, _("Backup written"), _(
            "{path}\n{cases} case(s), {files} evidence files, {size:.1f} MB in {seconds:.1f} s. "
            "Check it with caseapp-cli backup-verify; restore it into an empty workspace with "
            "caseapp-cli restore.").format(
                path=summary.path, cases=len(summary.cases), files=summary.evidence_files,
                size=summary.size / 1e6, seconds=summary.seconds))

    def run_analysis(self) -> None:
        if self.open_case_id is None:
            return
        for view in self.views:
            if hasattr(view, "run_analysis"):
                self.show_view(view)
                view.run_analysis()
                return

    def open_demo_case(self) -> None:
        from caseapp.demo import ensure_demo_case

        task = run_with_progress_dialog(
            self, _("Preparing the demo case"),
            lambda _p, _c: ensure_demo_case(self.app, complaints=True))
        if task.error is not None:
            show_error(self, _("Cannot create the demo case"), task.error)
            return
        if task.result is None:
            return
        self.refresh()
        self.open_case(task.result.id)

    def open_settings(self) -> None:
        from caseapp.ui.dialogs.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.app, self)
        if dialog.exec() != SettingsDialog.DialogCode.Accepted:
            return
        outcome = dialog.apply()
        if outcome.language_changed:
            from caseapp.ui.language import apply_language

            apply_language(outcome.language)
            self.retranslate()
        if outcome.restart_needed:
            QMessageBox.information(self, _("Settings saved"), _(
                "The new workspace or database is used from the next start of caseapp."))

    def retranslate(self) -> None:
        """Build the window again in the current language, keeping what was shown."""
        state = self._view_state()
        open_case = self.open_case_id
        current = self.current_view()
        current_name = type(current).__name__ if current is not None else ""
        window_state = self.saveState()
        for view in self.views:
            if id(view) not in self._unset:
                view.set_case(None)
        self._unset = set()
        old_central = self.takeCentralWidget()
        self.menuBar().clear()
        self.removeToolBar(self.toolbar)
        self.toolbar.deleteLater()
        self.removeDockWidget(self.search_dock)
        self.search_dock.deleteLater()
        if old_central is not None:
            old_central.deleteLater()
        self.open_case_id = None
        self._dirty.clear()
        self._build()
        self.refresh()
        self._apply_view_state(state)
        self.restoreState(window_state)
        if open_case is not None:
            self.open_case(open_case, current_name or None)

    # --- state ------------------------------------------------------------------------------

    def _view_state(self) -> dict[str, dict[str, Any]]:
        out = {}
        for view in self.views:
            save = getattr(view, "save_state", None)
            if callable(save):
                out[type(view).__name__] = save()
        out["_window"] = {"splitter": self.splitter.saveState()}
        return out

    def _apply_view_state(self, state: dict[str, dict[str, Any]]) -> None:
        for view in self.views:
            restore = getattr(view, "restore_state", None)
            values = state.get(type(view).__name__)
            if callable(restore) and values:
                restore(values)
        splitter = state.get("_window", {}).get("splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)

    def _restore_state(self) -> None:
        settings = QSettings()
        settings.beginGroup(_SETTINGS_GROUP)
        geometry = settings.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        window_state = settings.value("state")
        if isinstance(window_state, QByteArray):
            self.restoreState(window_state)
        splitter = settings.value("splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        case_id = settings.value("open_case")
        view_name = settings.value("view") or ""
        settings.endGroup()
        states: dict[str, dict[str, Any]] = {}
        settings.beginGroup("views")
        for name in settings.childGroups():
            settings.beginGroup(name)
            states[name] = {k: settings.value(k) for k in settings.childKeys()}
            settings.endGroup()
        settings.endGroup()
        self._apply_view_state(states)
        try:
            case_id = int(case_id) if case_id not in (None, "") else None
        except (TypeError, ValueError):
            case_id = None
        if case_id is not None and any(self.model.case_at(i).id == case_id
                                       for i in range(self.model.rowCount())):
            QTimer.singleShot(0, lambda: self.open_case(case_id, str(view_name) or None))

    def save_window_state(self) -> None:
        settings = QSettings()
        settings.beginGroup(_SETTINGS_GROUP)
        settings.setValue("geometry", self.saveGeometry())
        settings.setValue("state", self.saveState())
        settings.setValue("splitter", self.splitter.saveState())
        settings.setValue("open_case", self.open_case_id if self.open_case_id is not None
                          else "")
        current = self.current_view()
        settings.setValue("view", type(current).__name__ if current is not None else "")
        settings.endGroup()
        settings.beginGroup("views")
        for name, values in self._view_state().items():
            if name.startswith("_"):
                continue
            settings.beginGroup(name)
            for key, value in values.items():
                settings.setValue(key, value)
            settings.endGroup()
        settings.endGroup()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_window_state()
        super().closeEvent(event)

    def _about(self) -> None:
        QMessageBox.about(self, _("About caseapp"), _(
            "caseapp {version}\nCase management for investigations into illegal debt-relief "
            "intermediaries.").format(version=__version__))
