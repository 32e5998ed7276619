"""Table model over the case list."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from caseapp.domain.labels import case_status_label
from caseapp.i18n import _
from caseapp.services.records import CaseRecord

_Index = QModelIndex | QPersistentModelIndex


class CaseTableModel(QAbstractTableModel):
    COL_NUMBER, COL_TITLE, COL_STATUS, COL_LEAD, COL_CREATED = range(5)
    CaseIdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[CaseRecord] = []
        self._headers = [_("Case number"), _("Title"), _("Status"), _("Lead investigator"),
                         _("Created")]

    def set_rows(self, rows: list[CaseRecord]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def case_at(self, row: int) -> CaseRecord:
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        case = self._rows[index.row()]
        if role == self.CaseIdRole:
            return case.id
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            col = index.column()
            if col == self.COL_NUMBER:
                return case.number
            if col == self.COL_TITLE:
                return case.title
            if col == self.COL_STATUS:
                return case_status_label(case.status)
            if col == self.COL_LEAD:
                return case.lead_investigator
            if col == self.COL_CREATED:
                return case.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        return None
