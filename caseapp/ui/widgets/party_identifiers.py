"""A party's identifiers with their validity: a red mark and the reason on a bad checksum or
format, a "fake lawyer licence" flag when a licence number is really a company code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from caseapp.domain.enums import IdentifierType
from caseapp.domain.labels import identifier_type_label
from caseapp.i18n import _
from caseapp.identifiers.labels import problem_label
from caseapp.services.records import IdentifierRecord
from caseapp.ui.widgets.objects_common import (
    BAD_COLOR,
    MUTED_COLOR,
    OK_COLOR,
    color_brush,
    status_icon,
)

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class IdentifierStatus:
    valid: bool
    fake_lawyer_license: bool
    text: str  # what to show beside the value: "valid", or the reasons


def identifier_status(ident: IdentifierRecord) -> IdentifierStatus:
    sep = _("; ")
    reasons = [problem_label(p) for p in ident.problems]
    fake = ident.type == IdentifierType.LAWYER_LICENSE.value and not ident.valid
    if ident.valid:
        notes = ident.details.get("notes") if isinstance(ident.details, dict) else None
        extra = ""
        if isinstance(notes, list | tuple) and notes:
            extra = " (" + sep.join(problem_label(str(n)) for n in notes) + ")"
        return IdentifierStatus(True, False, _("valid") + extra)
    if fake:
        text = _("Fake lawyer licence number")
        if reasons:
            text += _(": ") + sep.join(reasons)
        return IdentifierStatus(False, True, text)
    return IdentifierStatus(False, False, sep.join(reasons) or _("invalid"))


def flagged(identifiers: tuple[IdentifierRecord, ...]) -> list[IdentifierStatus]:
    return [st for st in map(identifier_status, identifiers) if not st.valid]


class IdentifierTableModel(QAbstractTableModel):
    COL_TYPE, COL_VALUE, COL_STATUS = range(3)
    IdRole = Qt.ItemDataRole.UserRole + 1
    ValidRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[IdentifierRecord] = []
        self._headers = [_("Type"), _("Value"), _("Check")]

    def set_rows(self, rows: tuple[IdentifierRecord, ...] | list[IdentifierRecord]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def identifier_at(self, row: int) -> IdentifierRecord:
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
        ident = self._rows[index.row()]
        col = index.column()
        status = identifier_status(ident)
        if role == self.IdRole:
            return ident.id
        if role == self.ValidRole:
            return status.valid
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_TYPE:
                return identifier_type_label(ident.type)
            if col == self.COL_VALUE:
                return ident.value
            return status.text
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.COL_VALUE and ident.raw and ident.raw != ident.value:
                return _("As written: {raw}").format(raw=ident.raw)
            if col == self.COL_STATUS:
                return status.text
        if role == Qt.ItemDataRole.DecorationRole and col == self.COL_STATUS:
            return status_icon(status.valid)
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == self.COL_STATUS:
                return color_brush(OK_COLOR if status.valid else BAD_COLOR)
            if col == self.COL_VALUE and not status.valid:
                return color_brush(BAD_COLOR)
            if col == self.COL_TYPE:
                return color_brush(MUTED_COLOR)
        if role == Qt.ItemDataRole.FontRole and col == self.COL_VALUE:
            font = QFont("monospace")
            font.setStyleHint(QFont.StyleHint.TypeWriter)
            return font
        return None
