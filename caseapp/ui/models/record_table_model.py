"""A table model over a list of plain records, its columns given as functions of a record.

For the short lists of the analysis (groups, members, findings): they are held in memory and
sorted in memory. The complaints table, which can hold 100,000 rows, has its own model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

T = TypeVar("T")
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column(Generic[T]):
    header: str
    value: Callable[[T], Any]
    sort_value: Callable[[T], Any] | None = None
    tooltip: Callable[[T], str] | None = None
    color: Callable[[T], str | None] | None = None
    align_right: bool = False


class RecordTableModel(QAbstractTableModel, Generic[T]):
    RecordRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, columns: Sequence[Column[T]], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._rows: list[T] = []

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[T]:
        return list(self._rows)

    def record(self, row: int) -> T:
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].header
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        record = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == self.RecordRole:
            return record
        if role == Qt.ItemDataRole.DisplayRole:
            value = column.value(record)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column.tooltip is not None:
                return column.tooltip(record)
            value = column.value(record)
            return None if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column.color is not None:
            color = column.color(record)
            return QBrush(QColor(color)) if color else None
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        col = self.columns[column]
        key = col.sort_value or col.value

        def safe(record: T) -> tuple[int, Any]:
            value = key(record)
            return (1, "") if value is None or value == "" else (0, value)

        self.layoutAboutToBeChanged.emit()
        old = list(self._rows)
        self._rows.sort(key=safe, reverse=order == Qt.SortOrder.DescendingOrder)
        # Keep selections on the same records.
        position = {id(r): i for i, r in enumerate(self._rows)}
        for persistent in self.persistentIndexList():
            if persistent.isValid():
                new_row = position[id(old[persistent.row()])]
                self.changePersistentIndex(persistent,
                                           self.index(new_row, persistent.column()))
        self.layoutChanged.emit()
