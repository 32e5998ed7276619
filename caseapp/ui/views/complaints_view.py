"""投诉: the case's complaints — filter, search, sort, read one with its identifiers highlighted,
compare it with another."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, Qt, QTimer, QUrl, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from caseapp.app import App
from caseapp.domain.errors import CaseappError
from caseapp.domain.labels import identifier_type_label
from caseapp.i18n import _, ngettext
from caseapp.services.complaint_queries import ComplaintDetail, ComplaintFacets, ComplaintQuery
from caseapp.ui.dialogs.compare_dialog import CompareDialog
from caseapp.ui.dialogs.errors import show_error
from caseapp.ui.models.complaint_table_model import ComplaintTableModel
from caseapp.ui.style import styled
from caseapp.ui.views.base import CaseView
from caseapp.ui.widgets.rich_text import complaint_html
from caseapp.ui.workers.task import Task

SEARCH_DELAY_MS = 300
_ANY = None


def _local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day).astimezone()


class ComplaintsView(CaseView):
    import_requested = Signal()

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.model = ComplaintTableModel(app.complaint_queries, self)
        self._identifier_id: int | None = None
        self._loading = False
        self._detail: ComplaintDetail | None = None
        self._total: int | None = None
        self._facets_generation = 0
        self._facets_task: Task | None = None

        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText(_("Search complaint texts, numbers, names, phones…"))
        self.search_edit.setClearButtonEnabled(True)
        self.category_combo = QComboBox(self)
        self.channel_combo = QComboBox(self)
        self.group_combo = QComboBox(self)
        for combo in (self.category_combo, self.channel_combo, self.group_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumContentsLength(8)
        self.from_check = QCheckBox(_("From"), self)
        self.from_date = QDateEdit(self)
        self.to_check = QCheckBox(_("to"), self)
        self.to_date = QDateEdit(self)
        for edit in (self.from_date, self.to_date):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.clear_button = QPushButton(_("Clear filters"), self)
        self.import_button = QPushButton(_("Import complaints…"), self)
        styled(self.import_button, "primaryButton")
        self.identifier_chip = QToolButton(self)
        styled(self.identifier_chip, "filterChip")
        self.identifier_chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.identifier_chip.hide()
        self.count_label = QLabel(self)
        styled(self.count_label, "countLabel")

        filters = QHBoxLayout()
        filters.addWidget(self.search_edit, 3)
        filters.addWidget(QLabel(_("Category"), self))
        filters.addWidget(self.category_combo, 1)
        filters.addWidget(QLabel(_("Channel"), self))
        filters.addWidget(self.channel_combo, 1)
        filters.addWidget(QLabel(_("Group"), self))
        filters.addWidget(self.group_combo, 1)
        dates = QHBoxLayout()
        dates.addWidget(self.from_check)
        dates.addWidget(self.from_date)
        dates.addWidget(self.to_check)
        dates.addWidget(self.to_date)
        dates.addWidget(self.identifier_chip)
        dates.addWidget(self.clear_button)
        dates.addStretch(1)
        dates.addWidget(self.count_label)
        dates.addSpacing(12)
        dates.addWidget(self.import_button)

        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(
            ComplaintTableModel.COL_RECEIVED, Qt.SortOrder.AscendingOrder)
        vertical = self.table.verticalHeader()
        vertical.hide()
        # Fixed heights and widths: the view never measures rows it does not show.
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        widths = (136, 118, 86, 66, 150, 74, 86, 56)
        for col, width in enumerate(widths):
            self.table.setColumnWidth(col, width)

        self.detail = QTextBrowser(self)
        self.detail.setOpenLinks(False)
        self.detail.anchorClicked.connect(self._on_anchor)
        self.compare_button = QPushButton(_("Compare with…"), self)
        self.compare_button.setEnabled(False)
        self.group_button = QPushButton(_("Show group"), self)
        self.group_button.setEnabled(False)
        detail_buttons = QHBoxLayout()
        detail_buttons.addWidget(self.compare_button)
        detail_buttons.addWidget(self.group_button)
        detail_buttons.addStretch(1)
        detail_box = QWidget(self)
        detail_layout = QVBoxLayout(detail_box)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addLayout(detail_buttons)
        detail_layout.addWidget(self.detail, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("complaintsSplitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(detail_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([700, 460])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addLayout(filters)
        layout.addLayout(dates)
        layout.addWidget(self.splitter, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())
        self.search_edit.returnPressed.connect(self.apply_filters)
        for combo in (self.category_combo, self.channel_combo, self.group_combo):
            combo.currentIndexChanged.connect(self._filters_changed)
        self.from_check.toggled.connect(self.from_date.setEnabled)
        self.to_check.toggled.connect(self.to_date.setEnabled)
        for widget in (self.from_check, self.to_check):
            widget.toggled.connect(self._filters_changed)
        for edit in (self.from_date, self.to_date):
            edit.dateChanged.connect(self._filters_changed)
        self.clear_button.clicked.connect(self.clear_filters)
        self.identifier_chip.clicked.connect(self._clear_identifier)
        self.import_button.clicked.connect(self.import_requested)
        self.compare_button.clicked.connect(self.compare_with)
        self.group_button.clicked.connect(self._open_group)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        self.model.modelReset.connect(self._update_count)
        self.model.ids_loaded.connect(self._update_count)
        self.model.load_failed.connect(
            lambda message: show_error(self, _("Cannot list the complaints"), message))

    def view_title(self) -> str:
        return _("Complaints")

    # --- case and filters ---------------------------------------------------------------

    def set_case(self, case_id: int | None) -> None:
        self.case_id = case_id
        self._identifier_id = None
        self._loading = True
        try:
            self.search_edit.clear()
            self.from_check.setChecked(False)
            self.to_check.setChecked(False)
            self._fill_choices(reset=True)
        finally:
            self._loading = False
        self.model.set_case(case_id)
        self._update_identifier_chip()
        self._show_detail(None)

    def refresh(self) -> None:
        current = self.current_complaint_id()
        self._loading = True
        try:
            self._fill_choices()
        finally:
            self._loading = False
        self.model.reload()
        if current is not None:
            self.select_complaint(current)

    def _fill_choices(self, *, reset: bool = False) -> None:
        """The groups now (cheap); categories, channels and dates from a worker."""
        keep_group = None if reset else self.group_combo.currentData()
        self.group_combo.clear()
        self.group_combo.addItem(_("All complaints"), _ANY)
        if reset:
            for combo, label in ((self.category_combo, _("All categories")),
                                 (self.channel_combo, _("All channels"))):
                combo.clear()
                combo.addItem(label, _ANY)
            self._total = None
        self._facets_generation += 1
        if self.case_id is None:
            return
        for g in self.app.complaint_queries.groups(self.case_id):
            self.group_combo.addItem(
                _("Group {n} ({size})").format(n=g.number, size=f"{g.size:,}"), g.id)
        self.group_combo.setCurrentIndex(max(0, self.group_combo.findData(keep_group))
                                         if keep_group is not None else 0)
        generation, case_id = self._facets_generation, self.case_id
        task = Task(lambda _p, _c: self.app.complaint_queries.facets(case_id))
        task.succeeded.connect(lambda facets: self._facets_arrived(generation, facets))
        self._facets_task = task
        task.start()

    def _facets_arrived(self, generation: int, facets: ComplaintFacets) -> None:
        if generation != self._facets_generation:
            return
        self._loading = True
        try:
            self._total = facets.total
            for combo, values, label in (
                    (self.category_combo, facets.categories, _("All categories")),
                    (self.channel_combo, facets.channels, _("All channels"))):
                keep = combo.currentData()
                combo.clear()
                combo.addItem(label, _ANY)
                none = _("(none)")
                for value, n in values:
                    combo.addItem(f"{value or none} ({n:,})", value)
                combo.setCurrentIndex(max(0, combo.findData(keep)) if keep is not None else 0)
            first = facets.first_received.astimezone().date() if facets.first_received else None
            last = facets.last_received.astimezone().date() if facets.last_received else None
            if first and last and not self.from_check.isChecked():
                self.from_date.setDate(QDate(first.year, first.month, first.day))
            if first and last and not self.to_check.isChecked():
                self.to_date.setDate(QDate(last.year, last.month, last.day))
        finally:
            self._loading = False
        self._update_count()

    def wait_loaded(self, timeout_ms: int = 60_000) -> None:
        """Process events until the filter choices and the row count are known."""
        from PySide6.QtCore import QDeadlineTimer, QEventLoop

        deadline = QDeadlineTimer(timeout_ms)
        loop = QEventLoop()
        while (self._facets_task is not None and self._facets_task.running
               and not deadline.hasExpired()):
            loop.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
        loop.processEvents()
        self.model.wait_loaded(max(0, deadline.remainingTime()))

    def _filters_changed(self, *_args: Any) -> None:
        if not self._loading:
            self.apply_filters()

    def current_query(self) -> ComplaintQuery:
        received_from = received_to = None
        if self.from_check.isChecked():
            received_from = _local_midnight(self.from_date.date().toPython())
        if self.to_check.isChecked():
            received_to = _local_midnight(self.to_date.date().toPython() + timedelta(days=1))
        return ComplaintQuery(
            search=self.search_edit.text().strip(),
            category=self.category_combo.currentData(),
            channel=self.channel_combo.currentData(),
            received_from=received_from, received_to=received_to,
            group_id=self.group_combo.currentData(),
            identifier_id=self._identifier_id,
            sort=self.model.query.sort, descending=self.model.query.descending)

    def apply_filters(self) -> None:
        self._search_timer.stop()
        if self.case_id is None:
            return
        current = self.current_complaint_id()
        try:
            self.model.set_query(self.current_query())
        except CaseappError as exc:
            show_error(self, _("Cannot filter the complaints"), exc)
            return
        if current is None or not self.select_complaint(current):
            self._show_detail(None)

    def clear_filters(self) -> None:
        self._loading = True
        try:
            self.search_edit.clear()
            for combo in (self.category_combo, self.channel_combo, self.group_combo):
                combo.setCurrentIndex(0)
            self.from_check.setChecked(False)
            self.to_check.setChecked(False)
            self._identifier_id = None
            self._update_identifier_chip()
        finally:
            self._loading = False
        self.apply_filters()

    def filter_by_identifier(self, identifier_id: int | None) -> None:
        self._identifier_id = identifier_id
        self._update_identifier_chip()
        self.apply_filters()

    def _clear_identifier(self) -> None:
        self.filter_by_identifier(None)

    def _update_identifier_chip(self) -> None:
        if self._identifier_id is None:
            self.identifier_chip.hide()
            return
        label = self._identifier_label(self._identifier_id)
        self.identifier_chip.setText(_("Mentioning {identifier}  ✕").format(identifier=label))
        self.identifier_chip.setToolTip(_("Show all complaints again"))
        self.identifier_chip.show()

    def _identifier_label(self, identifier_id: int) -> str:
        detail = self._detail
        if detail is not None:
            for m in detail.mentions:
                if m.identifier_id == identifier_id:
                    return f"{identifier_type_label(m.type)} {m.value}"
        return f"#{identifier_id}"

    def _update_count(self, *_args: Any) -> None:
        shown = self.model.total
        total = self._total
        if shown is None:
            self.count_label.setText(_("counting…"))
        elif total is None or shown == total:
            self.count_label.setText(ngettext("{n} complaint", "{n} complaints", shown).format(
                n=f"{shown:,}"))
        else:
            self.count_label.setText(_("{shown} of {total} complaints").format(
                shown=f"{shown:,}", total=f"{total:,}"))

    # --- selection and details ------------------------------------------------------------

    def current_complaint_id(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.complaint_id(index.row())

    def select_complaint(self, complaint_id: int) -> bool:
        row = self.model.row_of(complaint_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.selectRow(row)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self._show_detail(None)
            return
        try:
            detail = self.app.complaint_queries.detail(self.model.complaint_id(current.row()))
        except CaseappError as exc:
            self.detail.setPlainText(str(exc))
            return
        self._show_detail(detail)

    def _show_detail(self, detail: ComplaintDetail | None) -> None:
        self._detail = detail
        self.compare_button.setEnabled(detail is not None)
        self.group_button.setEnabled(detail is not None and detail.group is not None)
        if detail is None:
            hint = _("Select a complaint to read it here.")
            self.detail.setHtml(f'<p style="color:#6b7280">{hint}</p>')
            return
        self.detail.setHtml(complaint_html(detail))

    def _on_anchor(self, url: QUrl) -> None:
        kind, _sep, ident = url.toString().partition(":")
        if ident.isdigit():
            self.open_item.emit(kind, int(ident))

    def _open_group(self) -> None:
        if self._detail is not None and self._detail.group is not None:
            self.open_item.emit("group", self._detail.group.id)

    def compare_with(self) -> None:
        detail = self._detail
        if detail is None or self.case_id is None:
            return
        other = None
        if detail.group is not None and detail.group.representative_id != detail.complaint.id:
            other = detail.group.representative_id
        dialog = CompareDialog(self.app, self.case_id, detail.complaint.id, other, self)
        dialog.exec()

    # --- routing ----------------------------------------------------------------------------

    def show_item(self, object_type: str, object_id: int) -> bool:
        if self.case_id is None:
            return False
        if object_type == "complaint":
            if not self.select_complaint(object_id):
                self.clear_filters()
                if not self.select_complaint(object_id):
                    return False
            return True
        if object_type == "group":
            index = self.group_combo.findData(object_id)
            if index < 0:
                return False
            self.group_combo.setCurrentIndex(index)
            return True
        if object_type == "identifier":
            self.filter_by_identifier(object_id)
            return True
        return False

    def prepare_screenshot(self) -> None:
        """Select a complaint that shows identifiers in its text."""
        if self.case_id is None:
            return
        ids = self.app.complaint_queries.ordered_ids(self.case_id, ComplaintQuery(search="微信"))
        if ids:
            self.select_complaint(ids[min(3, len(ids) - 1)])

    # --- state ------------------------------------------------------------------------------

    def save_state(self) -> dict[str, Any]:
        return {"splitter": self.splitter.saveState(),
                "header": self.table.horizontalHeader().saveState()}

    def restore_state(self, state: dict[str, Any]) -> None:
        if state.get("splitter") is not None:
            self.splitter.restoreState(state["splitter"])
        if state.get("header") is not None:
            self.table.horizontalHeader().restoreState(state["header"])
