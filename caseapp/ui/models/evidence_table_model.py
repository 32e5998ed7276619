"""Table model over a case's evidence files, with thumbnails."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QFont

from caseapp.domain.labels import evidence_kind_label
from caseapp.i18n import _
from caseapp.services.records import EvidenceRecord
from caseapp.ui.widgets.evidence_files import evidence_thumbnail
from caseapp.ui.widgets.objects_common import MUTED_COLOR, color_brush, format_size, format_time

_Index = QModelIndex | QPersistentModelIndex
THUMB_SIZE = 56


class EvidenceTableModel(QAbstractTableModel):
    COL_TITLE, COL_KIND, COL_ACQUIRED, COL_SOURCE, COL_SIZE, COL_HASH = range(6)
    EvidenceIdRole = Qt.ItemDataRole.UserRole + 1
    SearchRole = Qt.ItemDataRole.UserRole + 2
    KindRole = Qt.ItemDataRole.UserRole + 3

    def __init__(self, path_for: Callable[[str], Path] | None = None, parent: Any = None
                 ) -> None:
        super().__init__(parent)
        self._rows: list[EvidenceRecord] = []
        self._path_for = path_for
        self._headers = [_("Evidence"), _("Kind"), _("Acquired"), _("Source"), _("Size"),
                         "SHA-256"]

    def set_rows(self, rows: list[EvidenceRecord]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def evidence_at(self, row: int) -> EvidenceRecord:
        return self._rows[row]

    def row_of(self, evidence_id: int) -> int | None:
        return next((i for i, e in enumerate(self._rows) if e.id == evidence_id), None)

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
        if role == self.EvidenceIdRole:
            return e.id
        if role == self.KindRole:
            return e.kind
        if role == self.SearchRole:
            return " ".join([e.title, e.original_name, e.source, e.proof_purpose,
                             e.description, e.sha256]).lower()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_TITLE:
                return f"{e.title}\n{e.original_name}" if e.original_name != e.title else e.title
            if col == self.COL_KIND:
                return evidence_kind_label(e.kind)
            if col == self.COL_ACQUIRED:
                return format_time(e.acquired_at) if e.acquired_at else _("added {time}").format(
                    time=format_time(e.added_at))
            if col == self.COL_SOURCE:
                return " ".join(e.source.split())
            if col == self.COL_SIZE:
                return format_size(e.size)
            if col == self.COL_HASH:
                return e.sha256[:16] + "…"
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.COL_HASH:
                return e.sha256
            if col == self.COL_TITLE:
                return f"{e.original_name}\n{e.media_type}"
            if col == self.COL_SOURCE:
                return e.source
        if role == Qt.ItemDataRole.DecorationRole and col == self.COL_TITLE:
            if self._path_for is None:
                return None
            return evidence_thumbnail(self._path_for(e.sha256), e.media_type, THUMB_SIZE,
                                      key=e.sha256)
        if role == Qt.ItemDataRole.ForegroundRole and col in (self.COL_HASH, self.COL_SIZE,
                                                              self.COL_SOURCE):
            return color_brush(MUTED_COLOR)
        if role == Qt.ItemDataRole.FontRole and col == self.COL_HASH:
            font = QFont("monospace")
            font.setStyleHint(QFont.StyleHint.TypeWriter)
            return font
        if role == Qt.ItemDataRole.SizeHintRole and col == self.COL_TITLE:
            return QSize(260, THUMB_SIZE + 8)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.COL_SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
