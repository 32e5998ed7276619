"""Table model over a case's undercover contacts, in time order."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from caseapp.domain.labels import channel_label
from caseapp.i18n import _
from caseapp.services.records import ContactRecord
from caseapp.ui.widgets.objects_common import MUTED_COLOR, color_brush, format_time, type_icon

_Index = QModelIndex | QPersistentModelIndex


def _yuan(value: object) -> str:
    return "" if value is None else _("¥{amount}").format(amount=f"{value:,.2f}".rstrip("0")
                                                                .rstrip("."))


class ContactTableModel(QAbstractTableModel):
    COL_TIME, COL_CHANNEL, COL_COUNTERPART, COL_FEE, COL_FILES, COL_SUMMARY = range(6)
    ContactIdRole = Qt.ItemDataRole.UserRole + 1
    SearchRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ContactRecord] = []
        self._party_names: dict[int, str] = {}
        self._headers = [_("Time"), _("Channel"), _("Counterpart"), _("Fee quoted"),
                         _("Files"), _("Summary")]

    def set_rows(self, rows: list[ContactRecord], party_names: dict[int, str]) -> None:
        self.beginResetModel()
        self._rows = sorted(rows, key=lambda c: (c.started_at, c.id))
        self._party_names = dict(party_names)
        self.endResetModel()

    def contact_at(self, row: int) -> ContactRecord:
        return self._rows[row]

    def row_of(self, contact_id: int) -> int | None:
        return next((i for i, c in enumerate(self._rows) if c.id == contact_id), None)

    def counterpart(self, c: ContactRecord) -> str:
        name = self._party_names.get(c.party_id) if c.party_id is not None else None
        if name and c.counterpart_account and c.counterpart_account not in name:
            return f"{name} ({c.counterpart_account})"
        return name or c.counterpart_account

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
        c = self._rows[index.row()]
        col = index.column()
        if role == self.ContactIdRole:
            return c.id
        if role == self.SearchRole:
            return " ".join([self.counterpart(c), c.cover_persona, c.summary, c.services_offered,
                             c.location, c.investigator, *c.claims]).lower()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_TIME:
                return format_time(c.started_at)
            if col == self.COL_CHANNEL:
                return channel_label(c.channel)
            if col == self.COL_COUNTERPART:
                return self.counterpart(c)
            if col == self.COL_FEE:
                parts = [_yuan(c.fee_amount)] if c.fee_amount is not None else []
                if c.deposit_amount is not None:
                    parts.append(_("deposit {amount}").format(amount=_yuan(c.deposit_amount)))
                return " · ".join(parts)
            if col == self.COL_FILES:
                return str(len(c.attachments)) if c.attachments else ""
            if col == self.COL_SUMMARY:
                return " ".join(c.summary.split())
        if role == Qt.ItemDataRole.ToolTipRole and col == self.COL_SUMMARY:
            return c.summary
        if role == Qt.ItemDataRole.DecorationRole and col == self.COL_TIME:
            return type_icon("contact")
        if role == Qt.ItemDataRole.ForegroundRole and col in (self.COL_SUMMARY, self.COL_FILES):
            return color_brush(MUTED_COLOR)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.COL_FEE, self.COL_FILES):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
