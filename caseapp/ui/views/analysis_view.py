"""分析: run the complaint analysis and work through its findings — templated groups (members,
side-by-side comparison), repeat complainants, shared identifiers (accept as suspect) and
suspicious claims."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from caseapp.analysis.grouping import GroupingParams
from caseapp.analysis.shared_identifiers import SharedIdentifier
from caseapp.app import App
from caseapp.domain.errors import CaseappError
from caseapp.domain.labels import identifier_type_label
from caseapp.i18n import _, ngettext
from caseapp.services.analysis import AnalysisReport, GroupSummary
from caseapp.ui.dialogs.compare_dialog import CompareDialog
from caseapp.ui.dialogs.errors import show_error
from caseapp.ui.models.analysis_models import (
    ClaimHitModel,
    GroupMemberTableModel,
    GroupTableModel,
    RepeatComplainantModel,
    SharedIdentifierModel,
)
from caseapp.ui.models.record_table_model import RecordTableModel
from caseapp.ui.style import styled
from caseapp.ui.views.base import CaseView
from caseapp.ui.widgets.rich_text import escape
from caseapp.ui.workers.task import Task, run_with_progress_dialog


def make_table(model: RecordTableModel[Any], parent: QWidget, *,
               multi: bool = False, stretch: int | None = None) -> QTableView:
    table = QTableView(parent)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection if multi
                           else QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    # No sort until the user asks: the service's order (largest group, most similar) first.
    table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    table.setSortingEnabled(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def selected_rows(table: QTableView) -> list[int]:
    return sorted({i.row() for i in table.selectionModel().selectedRows()})


class AnalysisView(CaseView):
    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.report: AnalysisReport | None = None
        self._loader: Task | None = None
        self._generation = 0
        self._pending_group: int | None = None

        self.threshold = QDoubleSpinBox(self)
        self.threshold.setRange(0.30, 0.95)
        self.threshold.setSingleStep(0.05)
        self.threshold.setDecimals(2)
        self.threshold.setMinimumWidth(80)
        self.threshold.setValue(GroupingParams().threshold)
        self.threshold.setToolTip(_(
            "How alike two complaint texts must be (share of common character sequences) to "
            "count as copies of one template. Lower finds more, looser groups."))
        self.run_button = QPushButton(_("Run analysis"), self)
        styled(self.run_button, "primaryButton")
        self.run_button.clicked.connect(self.run_analysis)
        self.status = QLabel(self)
        styled(self.status, "runStatus")
        self.status.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Similarity threshold"), self))
        top.addWidget(self.threshold)
        top.addWidget(self.run_button)
        top.addSpacing(16)
        top.addWidget(self.status, 1)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._groups_tab(), _("Templated groups"))
        self.tabs.addTab(self._repeat_tab(), _("Repeat complainants"))
        self.tabs.addTab(self._shared_tab(), _("Shared identifiers"))
        self.tabs.addTab(self._claims_tab(), _("Suspicious claims"))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self._update_buttons()

    def view_title(self) -> str:
        return _("Analysis")

    # --- building the tabs ------------------------------------------------------------------

    def _groups_tab(self) -> QWidget:
        tab = QWidget(self)
        self.group_model = GroupTableModel(self)
        self.groups_table = make_table(self.group_model, tab)
        self.groups_table.selectionModel().currentRowChanged.connect(self._on_group)
        self.representative = QTextBrowser(tab)
        self.member_model = GroupMemberTableModel(self)
        self.members_table = make_table(self.member_model, tab, multi=True)
        self.members_table.doubleClicked.connect(self._open_member)
        self.members_table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.compare_button = QPushButton(_("Compare selected"), tab)
        self.compare_button.setToolTip(_(
            "Select two members to compare them, or one to compare it with the group's "
            "representative."))
        self.compare_button.clicked.connect(self.compare_selected)
        self.open_member_button = QPushButton(_("Open complaint"), tab)
        self.open_member_button.clicked.connect(lambda: self._open_member(
            self.members_table.currentIndex()))
        self.show_group_button = QPushButton(_("Show in complaints list"), tab)
        self.show_group_button.clicked.connect(self._show_group_complaints)
        self.members_label = QLabel(tab)
        buttons = QHBoxLayout()
        buttons.addWidget(self.members_label, 1)
        buttons.addWidget(self.compare_button)
        buttons.addWidget(self.open_member_button)
        buttons.addWidget(self.show_group_button)

        left = QSplitter(Qt.Orientation.Vertical, tab)
        left.addWidget(self.groups_table)
        left.addWidget(self.representative)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 2)
        right = QWidget(tab)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(buttons)
        right_layout.addWidget(self.members_table, 1)
        self.groups_splitter = QSplitter(Qt.Orientation.Horizontal, tab)
        self.groups_splitter.addWidget(left)
        self.groups_splitter.addWidget(right)
        self.groups_splitter.setSizes([600, 600])
        layout = QVBoxLayout(tab)
        layout.addWidget(self.groups_splitter)
        for col, width in enumerate((56, 56, 48, 168, 220, 190)):
            self.groups_table.setColumnWidth(col, width)
        for col, width in enumerate((140, 58, 44, 90, 64, 170)):
            self.members_table.setColumnWidth(col, width)
        return tab

    def _repeat_tab(self) -> QWidget:
        tab = QWidget(self)
        self.repeat_model = RepeatComplainantModel(self)
        self.repeat_table = make_table(self.repeat_model, tab)
        self.repeat_table.selectionModel().currentRowChanged.connect(self._on_repeat)
        self.repeat_members = QListWidget(tab)
        self.repeat_members.itemDoubleClicked.connect(self._open_list_item)
        hint = QLabel(_("Double-click a complaint to open it."), tab)
        styled(hint, "hint")
        right = QWidget(tab)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.repeat_members, 1)
        right_layout.addWidget(hint)
        splitter = QSplitter(Qt.Orientation.Horizontal, tab)
        splitter.addWidget(self.repeat_table)
        splitter.addWidget(right)
        splitter.setSizes([820, 300])
        layout = QVBoxLayout(tab)
        layout.addWidget(splitter)
        for col, width in enumerate((90, 230, 90, 70, 170)):
            self.repeat_table.setColumnWidth(col, width)
        return tab

    def _shared_tab(self) -> QWidget:
        tab = QWidget(self)
        self.shared_model = SharedIdentifierModel(self)
        self.shared_table = make_table(self.shared_model, tab)
        self.shared_table.selectionModel().currentRowChanged.connect(
            lambda *_a: self._update_buttons())
        self.shared_table.doubleClicked.connect(lambda _i: self._show_identifier_complaints())
        self.accept_button = QPushButton(_("Accept as suspect…"), tab)
        styled(self.accept_button, "primaryButton")
        self.accept_button.setToolTip(_(
            "Record the identifier as a suspect party and link it to every complaint that "
            "mentions it."))
        self.accept_button.clicked.connect(self.accept_selected)
        self.shared_complaints_button = QPushButton(_("Show complaints"), tab)
        self.shared_complaints_button.clicked.connect(self._show_identifier_complaints)
        explanation = QLabel(_(
            "Phones, WeChat IDs, company codes … that appear in the complaints of different "
            "customers: the fingerprints of an organisation behind them."), tab)
        explanation.setWordWrap(True)
        styled(explanation, "hint")
        buttons = QHBoxLayout()
        buttons.addWidget(explanation, 1)
        buttons.addWidget(self.shared_complaints_button)
        buttons.addWidget(self.accept_button)
        layout = QVBoxLayout(tab)
        layout.addLayout(buttons)
        layout.addWidget(self.shared_table, 1)
        for col, width in enumerate((110, 190, 70, 70, 60, 260)):
            self.shared_table.setColumnWidth(col, width)
        return tab

    def _claims_tab(self) -> QWidget:
        tab = QWidget(self)
        self.claim_model = ClaimHitModel(self)
        self.claims_table = make_table(self.claim_model, tab)
        self.claims_table.doubleClicked.connect(self._open_claim)
        self.claims_filter = QLineEdit(tab)
        self.claims_filter.setPlaceholderText(_("Filter findings…"))
        self.claims_filter.setClearButtonEnabled(True)
        self.claims_filter.textChanged.connect(self._filter_claims)
        self.claims_label = QLabel(tab)
        top = QHBoxLayout()
        top.addWidget(self.claims_filter, 1)
        top.addWidget(self.claims_label)
        layout = QVBoxLayout(tab)
        layout.addLayout(top)
        layout.addWidget(self.claims_table, 1)
        for col, width in enumerate((220, 150)):
            self.claims_table.setColumnWidth(col, width)
        return tab

    # --- loading and running ----------------------------------------------------------------

    def set_case(self, case_id: int | None) -> None:
        self.case_id = case_id
        self._show_report(None)
        self.refresh()

    def refresh(self) -> None:
        """Read the stored groups and compute the other findings, off the UI thread."""
        self._generation += 1
        if self.case_id is None:
            self._show_report(None)
            return
        generation, case_id = self._generation, self.case_id
        self.status.setText(_("Loading the findings…"))
        task = Task(lambda _p, _c: self.app.analysis.latest(case_id), self)
        task.succeeded.connect(lambda report: self._loaded(generation, report))
        task.failed.connect(lambda message: self._load_failed(generation, message))
        self._loader = task
        task.start()

    def wait_loaded(self, timeout_ms: int = 30_000) -> None:
        """Block (processing events) until the findings are shown (tests, screenshots)."""
        from PySide6.QtCore import QDeadlineTimer, QEventLoop

        deadline = QDeadlineTimer(timeout_ms)
        loop = QEventLoop()
        while self._loader is not None and self._loader.running and not deadline.hasExpired():
            loop.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
        loop.processEvents()

    def _loaded(self, generation: int, report: AnalysisReport) -> None:
        if generation == self._generation:
            self._show_report(report)

    def _load_failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.status.setText(message.splitlines()[0] if message else "")

    def run_analysis(self) -> None:
        if self.case_id is None:
            return
        case_id, threshold = self.case_id, round(self.threshold.value(), 2)
        self._generation += 1
        task = run_with_progress_dialog(
            self, _("Analysing the complaints"),
            lambda progress, cancel: self.app.analysis.run(
                case_id, threshold=threshold, progress=progress, cancel=cancel))
        if task.was_cancelled:
            self.status_message.emit(_("Analysis cancelled; the previous results are kept."))
            self.refresh()
            return
        if task.error is not None:
            show_error(self, _("The analysis failed"), task.error,
                       _("The previous results are kept. Check the message and run it again."))
            self.refresh()
            return
        self._show_report(task.result)
        self.status_message.emit(_("Analysis finished."))
        self.data_changed.emit()

    def _show_report(self, report: AnalysisReport | None) -> None:
        self.report = report
        self.run_button.setEnabled(self.case_id is not None)
        if report is None:
            self.status.setText("" if self.case_id is not None else _("No case is open."))
            for model in (self.group_model, self.member_model, self.repeat_model,
                          self.shared_model, self.claim_model):
                model.set_rows([])
            self.representative.clear()
            self.repeat_members.clear()
            self._update_labels()
            self._update_buttons()
            return
        if report.run_id is None:
            self.status.setText(ngettext(
                "{n} complaint. The templated groups are found by running the analysis.",
                "{n} complaints. The templated groups are found by running the analysis.",
                report.complaint_count).format(n=f"{report.complaint_count:,}"))
        else:
            when = report.finished_at or report.started_at
            threshold = report.params.get("threshold")
            if isinstance(threshold, int | float):
                self.threshold.setValue(float(threshold))
            self.status.setText(_(
                "Last run {when}: {complaints} complaints, {groups} templated groups "
                "(threshold {threshold}).").format(
                when=when.astimezone().strftime("%Y-%m-%d %H:%M") if when else "",
                complaints=f"{report.complaint_count:,}", groups=len(report.groups),
                threshold=threshold if threshold is not None else "?"))
        parties = {p.id: p.name for p in self.app.parties.list(report.case_id)}
        self.shared_model.party_names = parties
        self.group_model.set_rows(report.groups)
        self.repeat_model.set_rows(report.repeat_complainants)
        self.shared_model.set_rows(report.shared_identifiers)
        self.claim_model.set_rows(report.claims)
        self._filter_claims(self.claims_filter.text())
        self.member_model.set_rows([])
        self.representative.clear()
        self._update_labels()
        if self._pending_group is not None:
            group, self._pending_group = self._pending_group, None
            self.select_group(group)
        elif self.group_model.rowCount():
            self.groups_table.selectRow(0)
        self._update_buttons()

    def _update_labels(self) -> None:
        report = self.report
        tabs = ((0, _("Templated groups"), len(report.groups) if report else 0),
                (1, _("Repeat complainants"), len(report.repeat_complainants) if report else 0),
                (2, _("Shared identifiers"), len(report.shared_identifiers) if report else 0),
                (3, _("Suspicious claims"), len(report.claims) if report else 0))
        for index, title, n in tabs:
            self.tabs.setTabText(index, f"{title} ({n:,})" if report else title)

    def _update_buttons(self, *_args: Any) -> None:
        members = len(selected_rows(self.members_table))
        group = self._current_group()
        self.compare_button.setEnabled(members in (1, 2) and group is not None)
        self.open_member_button.setEnabled(members >= 1)
        self.show_group_button.setEnabled(group is not None)
        shared = self._current_shared()
        self.accept_button.setEnabled(shared is not None)
        self.accept_button.setText(_("Accept as suspect…") if shared is None
                                   or shared.party_id is None
                                   else _("Link to its party again"))
        self.shared_complaints_button.setEnabled(shared is not None)

    # --- groups -----------------------------------------------------------------------------

    def _current_group(self) -> GroupSummary | None:
        index = self.groups_table.currentIndex()
        return self.group_model.record(index.row()) if index.isValid() else None

    def _on_group(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.member_model.set_rows([])
            self.representative.clear()
            self._update_buttons()
            return
        group = self.group_model.record(current.row())
        try:
            members = self.app.analysis.group_members(group.id)
        except CaseappError as exc:
            show_error(self, _("Cannot read the group"), exc)
            return
        self.member_model.set_rows(members)
        self.members_label.setText(_("Group {n}: {size} complaints, {variants} variant(s)")
                                   .format(n=group.number, size=f"{group.size:,}",
                                           variants=group.variant_count))
        heading = _("Representative complaint {number}").format(
            number=group.representative_number)
        self.representative.setHtml(
            f"<p><b>{escape(heading)}</b></p>"
            f'<p style="line-height:150%">{escape(group.representative_text)}</p>')
        self._update_buttons()

    def select_group(self, group_id: int) -> bool:
        for row, group in enumerate(self.group_model.rows()):
            if group.id == group_id:
                self.tabs.setCurrentIndex(0)
                self.groups_table.selectRow(row)
                self.groups_table.scrollTo(self.group_model.index(row, 0))
                return True
        return False

    def compare_selected(self) -> None:
        group = self._current_group()
        rows = selected_rows(self.members_table)
        if group is None or self.case_id is None or not 1 <= len(rows) <= 2:
            return
        a = self.member_model.record(rows[0]).complaint.id
        b = (self.member_model.record(rows[1]).complaint.id if len(rows) == 2
             else group.representative_id)
        if a == b:
            members = self.member_model.rows()
            others = [m.complaint.id for m in members if m.complaint.id != a]
            if not others:
                return
            b = others[0]
        dialog = CompareDialog(self.app, self.case_id, a, b, self)
        self.last_compare_dialog = dialog
        dialog.open()

    def _open_member(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_item.emit("complaint", self.member_model.record(index.row()).complaint.id)

    def _show_group_complaints(self) -> None:
        group = self._current_group()
        if group is not None:
            self.open_item.emit("group", group.id)

    # --- repeat complainants ----------------------------------------------------------------

    def _on_repeat(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.repeat_members.clear()
        if not current.isValid():
            return
        record = self.repeat_model.record(current.row())
        for cid, number in zip(record.complaint_ids, record.external_numbers, strict=True):
            item = QListWidgetItem(number, self.repeat_members)
            item.setData(Qt.ItemDataRole.UserRole, cid)

    def _open_list_item(self, item: QListWidgetItem) -> None:
        self.open_item.emit("complaint", int(item.data(Qt.ItemDataRole.UserRole)))

    # --- shared identifiers -----------------------------------------------------------------

    def _current_shared(self) -> SharedIdentifier | None:
        index = self.shared_table.currentIndex()
        return self.shared_model.record(index.row()) if index.isValid() else None

    def select_identifier(self, identifier_id: int) -> bool:
        for row, shared in enumerate(self.shared_model.rows()):
            if shared.identifier_id == identifier_id:
                self.tabs.setCurrentIndex(2)
                self.shared_table.selectionModel().setCurrentIndex(
                    self.shared_model.index(row, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows)
                return True
        return False

    def accept_selected(self) -> None:
        shared = self._current_shared()
        if shared is None or self.case_id is None:
            return
        label = identifier_type_label(shared.type)
        name = None
        if shared.party_id is None:
            name, ok = QInputDialog.getText(
                self, _("Accept as suspect"),
                _("{type} {value} appears in {n} complaints of {c} customers.\n"
                  "Name of the suspect party:").format(
                    type=label, value=shared.value, n=shared.complaints, c=shared.customers),
                QLineEdit.EchoMode.Normal, f"{label} {shared.value}")
            if not ok or not name.strip():
                return
        self.accept_identifier(shared.identifier_id, name.strip() if name else None)

    def accept_identifier(self, identifier_id: int, name: str | None) -> None:
        if self.case_id is None:
            return
        try:
            party = self.app.analysis.accept_shared_identifier(self.case_id, identifier_id,
                                                               name=name)
        except CaseappError as exc:
            show_error(self, _("Cannot accept the identifier as a suspect"), exc)
            return
        self.status_message.emit(_("{name} is now a suspect party, linked to the complaints "
                                   "that mention it.").format(name=party.name))
        self.data_changed.emit()
        self.refresh()

    def _show_identifier_complaints(self) -> None:
        shared = self._current_shared()
        if shared is not None:
            self.open_item.emit("identifier", shared.identifier_id)

    # --- claims -----------------------------------------------------------------------------

    def _filter_claims(self, text: str) -> None:
        needle = text.strip().casefold()
        shown = 0
        for row, hit in enumerate(self.claim_model.rows()):
            visible = not needle or any(needle in v.casefold() for v in (
                hit.rule_name, hit.external_number, hit.detail))
            self.claims_table.setRowHidden(row, not visible)
            shown += visible
        total = self.claim_model.rowCount()
        self.claims_label.setText(_("{shown} of {total}").format(shown=shown, total=total)
                                  if needle else "")

    def _open_claim(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_item.emit("complaint", self.claim_model.record(index.row()).complaint_id)

    def prepare_screenshot(self) -> None:
        if self.group_model.rowCount():
            self.groups_table.selectRow(0)
            self.members_table.selectRow(0)

    def compare_for_screenshot(self) -> CompareDialog | None:
        """A comparison of two members of the largest group (not shown)."""
        members = self.member_model.rows()
        if self.case_id is None or len(members) < 2:
            return None
        return CompareDialog(self.app, self.case_id, members[0].complaint.id,
                             members[len(members) // 2].complaint.id, self)

    # --- routing ----------------------------------------------------------------------------

    def show_item(self, object_type: str, object_id: int) -> bool:
        if self.case_id is None:
            return False
        if object_type == "group":
            if self.report is None and self._loader is not None and self._loader.running:
                self._pending_group = object_id
                return True
            return self.select_group(object_id)
        if object_type == "identifier":
            return self.select_identifier(object_id)
        return False

    def save_state(self) -> dict[str, Any]:
        return {"groups_splitter": self.groups_splitter.saveState(),
                "tab": self.tabs.currentIndex()}

    def restore_state(self, state: dict[str, Any]) -> None:
        if state.get("groups_splitter") is not None:
            self.groups_splitter.restoreState(state["groups_splitter"])
        try:
            tab = int(state.get("tab", -1))
        except (TypeError, ValueError):
            tab = -1
        if 0 <= tab < self.tabs.count():
            self.tabs.setCurrentIndex(tab)
