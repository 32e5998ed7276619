"""时间线 — complaints per day and template group, undercover contacts, evidence acquisition
and manual events in time order, filterable by kind, date and text."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QModelIndex
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from caseapp.app import App
from caseapp.domain.errors import CaseappError
from caseapp.i18n import _, ngettext
from caseapp.services.timeline import TimelineEntry, TimelineKind, day_range
from caseapp.ui.dialogs.timeline_event_dialog import TimelineEventDialog
from caseapp.ui.models.timeline_model import (
    KIND_COLORS,
    TimelineDelegate,
    TimelineModel,
    kind_label,
)
from caseapp.ui.views.base import CaseView
from caseapp.ui.widgets.objects_common import (
    confirm,
    dot_icon,
    muted,
    show_error,
    tool_button,
    type_icon,
)


class TimelineView(CaseView):
    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.model = TimelineModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(TimelineModel.COL_WHEN, TimelineDelegate(self))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(34)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TimelineModel.COL_DETAIL, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(TimelineModel.COL_WHEN, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(TimelineModel.COL_WHEN, 180)
        header.setMinimumSectionSize(60)
        header.setHighlightSections(False)

        self.kind_boxes: dict[TimelineKind, QCheckBox] = {}
        filters = QHBoxLayout()
        for kind in TimelineKind:
            box = QCheckBox(kind_label(kind), self)
            box.setIcon(dot_icon(KIND_COLORS[kind]))
            box.setChecked(True)
            box.toggled.connect(self.refresh)
            self.kind_boxes[kind] = box
            filters.addWidget(box)
        filters.addSpacing(16)
        self.from_box = QCheckBox(_("from"), self)
        self.from_edit = QDateEdit(self)
        self.to_box = QCheckBox(_("to"), self)
        self.to_edit = QDateEdit(self)
        for box, edit in ((self.from_box, self.from_edit), (self.to_box, self.to_edit)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate.currentDate())
            edit.setEnabled(False)
            box.toggled.connect(edit.setEnabled)
            box.toggled.connect(self.refresh)
            edit.dateChanged.connect(self._date_changed)
            filters.addWidget(box)
            filters.addWidget(edit)
        filters.addSpacing(16)
        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText(_("Search the timeline"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self.refresh)
        filters.addWidget(self.search_edit, 1)

        self.add_button = tool_button(_("New event…"), self, self.add_event,
                                      icon=type_icon("event"))
        self.edit_button = tool_button(_("Edit…"), self, self.edit_event)
        self.delete_button = tool_button(_("Delete"), self, self.delete_event)
        self.count_label = muted("", self)
        actions = QHBoxLayout()
        actions.addWidget(self.add_button)
        actions.addWidget(self.edit_button)
        actions.addWidget(self.delete_button)
        actions.addStretch(1)
        actions.addWidget(self.count_label)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)

        self.table.doubleClicked.connect(self._activated)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def view_title(self) -> str:
        return _("Timeline")

    def _date_changed(self) -> None:
        if self.from_box.isChecked() or self.to_box.isChecked():
            self.refresh()

    def kinds(self) -> list[TimelineKind]:
        return [k for k, box in self.kind_boxes.items() if box.isChecked()]

    def set_date_range(self, start: date | None, end: date | None) -> None:
        for box, edit, value in ((self.from_box, self.from_edit, start),
                                 (self.to_box, self.to_edit, end)):
            box.blockSignals(True)
            box.setChecked(value is not None)
            edit.setEnabled(value is not None)
            if value is not None:
                edit.setDate(QDate(value.year, value.month, value.day))
            box.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        if self.case_id is None:
            self.model.set_rows([])
            self._update_buttons()
            return
        start = end = None
        if self.from_box.isChecked():
            start = day_range(self.from_edit.date().toPython(), _local_tz())[0]
        if self.to_box.isChecked():
            end = day_range(self.to_edit.date().toPython(), _local_tz())[1]
        entries = self.app.timeline.list(self.case_id, kinds=self.kinds(), start=start,
                                         end=end)
        self.model.set_rows(entries, self.search_edit.text())
        complaints = sum(e.count for e in entries if e.kind is TimelineKind.COMPLAINTS)
        others = sum(1 for e in entries if e.kind is not TimelineKind.COMPLAINTS)
        self.count_label.setText(
            ngettext("{n} entry", "{n} entries", others).format(n=others) + " · "
            + ngettext("{n} complaint", "{n} complaints", complaints).format(n=complaints))
        self._update_buttons()

    def current_entry(self) -> TimelineEntry | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().hasSelection():
            return None
        return self.model.entry_at(index.row())

    def _update_buttons(self) -> None:
        entry = self.current_entry()
        self.add_button.setEnabled(self.case_id is not None)
        is_event = entry is not None and entry.kind is TimelineKind.EVENT
        self.edit_button.setEnabled(is_event)
        self.delete_button.setEnabled(is_event)

    def show_item(self, object_type: str, object_id: int) -> bool:
        for row in range(self.model.rowCount()):
            e = self.model.entry_at(row)
            if e.object_type == object_type and e.object_id == object_id:
                self.table.selectRow(row)
                return True
        return False

    def _activated(self, index: QModelIndex) -> None:
        entry = self.model.entry_at(index.row())
        if entry.kind is TimelineKind.EVENT:
            self.edit_event()
        elif entry.object_type and entry.object_id is not None:
            self.open_item.emit(entry.object_type, entry.object_id)

    # --- manual events --------------------------------------------------------------------

    def add_event(self) -> None:
        if self.case_id is None:
            return
        dialog = TimelineEventDialog(self)
        if dialog.exec() != TimelineEventDialog.DialogCode.Accepted:
            return
        at, title, description = dialog.values()
        try:
            entry = self.app.timeline.add_event(self.case_id, at=at, title=title,
                                                description=description)
        except CaseappError as exc:
            show_error(self, _("Cannot add the event"), str(exc))
            return
        self._changed(entry)

    def edit_event(self) -> None:
        entry = self.current_entry()
        if entry is None or entry.kind is not TimelineKind.EVENT or entry.object_id is None:
            return
        dialog = TimelineEventDialog(self, entry)
        if dialog.exec() != TimelineEventDialog.DialogCode.Accepted:
            return
        at, title, description = dialog.values()
        try:
            updated = self.app.timeline.update_event(entry.object_id, at=at, title=title,
                                                     description=description)
        except CaseappError as exc:
            show_error(self, _("Cannot save the event"), str(exc))
            return
        self._changed(updated)

    def delete_event(self) -> None:
        entry = self.current_entry()
        if entry is None or entry.kind is not TimelineKind.EVENT or entry.object_id is None:
            return
        if not confirm(self, _("Delete the event?"), _("Delete “{title}” from the timeline?")
                       .format(title=entry.title)):
            return
        try:
            self.app.timeline.remove_event(entry.object_id)
        except CaseappError as exc:
            show_error(self, _("Cannot delete the event"), str(exc))
            return
        self._changed(None)

    def _changed(self, entry: TimelineEntry | None) -> None:
        self.refresh()
        if entry is not None and entry.object_id is not None:
            self.show_item("event", entry.object_id)
        self.data_changed.emit()


def _local_tz():  # type: ignore[no-untyped-def]
    from datetime import datetime

    return datetime.now().astimezone().tzinfo
