"""Table model over a case's parties: name, role, identifiers and validity flags."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QFont

from caseapp.domain.labels import party_kind_label, party_role_label
from caseapp.i18n import _, ngettext
from caseapp.services.records import PartyRecord
from caseapp.ui.widgets.objects_common import (
    BAD_COLOR,
    MUTED_COLOR,
    ROLE_COLORS,
    color_brush,
    dot_icon,
    party_icon,
    status_icon,
)
from caseapp.ui.widgets.party_identifiers import flagged

_Index = QModelIndex | QPersistentModelIndex


class PartyTableModel(QAbstractTableModel):
    COL_NAME, COL_ROLE, COL_IDENTIFIERS, COL_CHECK = range(4)
    PartyIdRole = Qt.ItemDataRole.UserRole + 1
    SearchRole = Qt.ItemDataRole.UserRole + 2
    RoleValueRole = Qt.ItemDataRole.UserRole + 3

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[PartyRecord] = []
        self._headers = [_("Name"), _("Role"), _("Identifiers"), _("Check")]

    def set_rows(self, rows: list[PartyRecord]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def party_at(self, row: int) -> PartyRecord:
        return self._rows[row]

    def row_of(self, party_id: int) -> int | None:
        for i, party in enumerate(self._rows):
            if party.id == party_id:
                return i
        return None

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
        party = self._rows[index.row()]
        col = index.column()
        if role == self.PartyIdRole:
            return party.id
        if role == self.RoleValueRole:
            return party.role
        if role == self.SearchRole:
            return " ".join([party.name, *party.aliases, party.notes,
                             *(i.value for i in party.identifiers),
                             *(i.raw for i in party.identifiers)]).lower()
        problems = flagged(party.identifiers)
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_NAME:
                return party.name
            if col == self.COL_ROLE:
                return party_role_label(party.role)
            if col == self.COL_IDENTIFIERS:
                values = [i.value for i in party.identifiers]
                text = "、".join(values[:2])
                if len(values) > 2:
                    text += " " + _("+{n} more").format(n=len(values) - 2)
                return text
            if col == self.COL_CHECK:
                if not party.identifiers:
                    return ""
                if not problems:
                    return _("all valid")
                if any(p.fake_lawyer_license for p in problems):
                    return _("fake lawyer licence")
                return ngettext("{n} invalid", "{n} invalid", len(problems)).format(
                    n=len(problems))
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.COL_NAME:
                lines = [f"{party.name} ({party_kind_label(party.kind)})"]
                if party.aliases:
                    lines.append(_("Also known as: {aliases}").format(
                        aliases="、".join(party.aliases)))
                return "\n".join(lines)
            if col in (self.COL_CHECK, self.COL_IDENTIFIERS) and problems:
                return "\n".join(p.text for p in problems)
        if role == Qt.ItemDataRole.DecorationRole:
            if col == self.COL_NAME:
                return party_icon(party.kind)
            if col == self.COL_ROLE:
                return dot_icon(ROLE_COLORS.get(party.role, "#7f8c8d"))
            if col == self.COL_CHECK and party.identifiers:
                return status_icon(not problems)
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == self.COL_CHECK and problems:
                return color_brush(BAD_COLOR)
            if col == self.COL_IDENTIFIERS:
                return color_brush(MUTED_COLOR)
        if role == Qt.ItemDataRole.FontRole and col == self.COL_NAME:
            font = QFont()
            font.setBold(party.role in ("suspect", "intermediary"))
            return font
        return None


class PartyFilterProxy(QSortFilterProxyModel):
    """Filter by a search text (name, alias, identifier) and a role."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._role: str | None = None
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_text(self, text: str) -> None:
        self._text = text.strip().lower()
        self.invalidate()

    def set_role(self, role: str | None) -> None:
        self._role = role or None
        self.invalidate()

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        if self._role and model.data(index, PartyTableModel.RoleValueRole) != self._role:
            return False
        if self._text:
            haystack = model.data(index, PartyTableModel.SearchRole) or ""
            compact = self._text.replace(" ", "")
            return self._text in haystack or compact in haystack.replace(" ", "")
        return True
