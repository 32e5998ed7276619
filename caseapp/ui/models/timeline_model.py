"""Table model over the case timeline; the first column is drawn as a time line with one
coloured dot per entry (see :class:`TimelineDelegate`)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from caseapp.i18n import _
from caseapp.services.timeline import TimelineEntry, TimelineKind
from caseapp.ui.widgets.objects_common import MUTED_COLOR, TYPE_COLORS, color_brush

_Index = QModelIndex | QPersistentModelIndex

KIND_COLORS = {
    TimelineKind.COMPLAINTS: TYPE_COLORS["complaint"],
    TimelineKind.CONTACT: TYPE_COLORS["contact"],
    TimelineKind.EVIDENCE: TYPE_COLORS["evidence"],
    TimelineKind.EVENT: TYPE_COLORS["event"],
}


def kind_label(kind: TimelineKind) -> str:
    return {
        TimelineKind.COMPLAINTS: _("Complaints"),
        TimelineKind.CONTACT: _("Undercover contact"),
        TimelineKind.EVIDENCE: _("Evidence"),
        TimelineKind.EVENT: _("Event"),
    }[kind]


class TimelineModel(QAbstractTableModel):
    COL_WHEN, COL_KIND, COL_TITLE, COL_DETAIL = range(4)
    EntryRole = Qt.ItemDataRole.UserRole + 1
    NewDayRole = Qt.ItemDataRole.UserRole + 2
    ColorRole = Qt.ItemDataRole.UserRole + 3

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[TimelineEntry] = []
        self._new_day: list[bool] = []
        self._headers = [_("When"), _("Kind"), _("What"), _("Details")]

    def set_rows(self, rows: list[TimelineEntry], text_filter: str = "") -> None:
        needle = text_filter.strip().lower()
        if needle:
            rows = [e for e in rows if needle in e.title.lower() or needle in e.detail.lower()]
        self.beginResetModel()
        self._rows = list(rows)
        self._new_day = []
        previous = None
        for entry in self._rows:
            day = entry.at.astimezone().date()
            self._new_day.append(day != previous)
            previous = day
        self.endResetModel()

    def entry_at(self, row: int) -> TimelineEntry:
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
        e = self._rows[index.row()]
        col = index.column()
        if role == self.EntryRole:
            return e
        if role == self.NewDayRole:
            return self._new_day[index.row()]
        if role == self.ColorRole:
            return KIND_COLORS[e.kind]
        if role == Qt.ItemDataRole.DisplayRole:
            local = e.at.astimezone()
            if col == self.COL_WHEN:
                if e.kind is TimelineKind.COMPLAINTS:
                    return local.strftime("%Y-%m-%d")
                return local.strftime("%Y-%m-%d %H:%M")
            if col == self.COL_KIND:
                return kind_label(e.kind)
            if col == self.COL_TITLE:
                return e.title
            if col == self.COL_DETAIL:
                return " ".join(e.detail.split())
        if role == Qt.ItemDataRole.ToolTipRole and col in (self.COL_TITLE, self.COL_DETAIL):
            return f"{e.title}\n{e.detail}".strip()
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == self.COL_KIND:
                return color_brush(KIND_COLORS[e.kind])
            if col == self.COL_DETAIL:
                return color_brush(MUTED_COLOR)
        if role == Qt.ItemDataRole.FontRole and col == self.COL_TITLE and e.kind in (
                TimelineKind.EVENT, TimelineKind.CONTACT):
            font = QFont()
            font.setBold(True)
            return font
        return None


class TimelineDelegate(QStyledItemDelegate):
    """Draws the "when" column as a vertical line with a dot; the date only on a new day."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget else None
        painter.save()
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, option.palette.highlight())
        elif style is not None:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter,
                                option.widget)
        rect = option.rect
        line_x = rect.left() + 14
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("#cbd5e1"), 2))
        painter.drawLine(line_x, rect.top(), line_x, rect.bottom())
        color = QColor(index.data(TimelineModel.ColorRole) or "#999999")
        painter.setPen(QPen(QColor("white"), 2))
        painter.setBrush(color)
        radius = 6
        painter.drawEllipse(line_x - radius, rect.center().y() - radius, radius * 2, radius * 2)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        new_day = bool(index.data(TimelineModel.NewDayRole))
        date, _sep, time = text.partition(" ")
        text_rect = QRect(line_x + 14, rect.top(), rect.width() - 30, rect.height())
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        font = QFont(option.font)
        if new_day:
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(option.palette.highlightedText().color() if selected
                           else QColor("#111827"))
            shown = f"{date}  {time}".strip()
        else:
            painter.setFont(font)
            painter.setPen(option.palette.highlightedText().color() if selected
                           else QColor(MUTED_COLOR))
            shown = time or "〃"
        painter.drawText(text_rect, int(Qt.AlignmentFlag.AlignVCenter
                                        | Qt.AlignmentFlag.AlignLeft), shown)
        painter.restore()
