"""Add or edit a manual timeline event (a meeting, a report to the police …)."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from caseapp.i18n import _
from caseapp.services.timeline import TimelineEntry


class TimelineEventDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, entry: TimelineEntry | None = None
                 ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Edit event") if entry else _("New timeline event"))
        self.setMinimumWidth(480)
        self.at_edit = QDateTimeEdit(self)
        self.at_edit.setCalendarPopup(True)
        self.at_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        when = entry.at if entry else datetime.now(UTC).replace(second=0, microsecond=0)
        self.at_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(when.timestamp())))
        self.title_edit = QLineEdit(entry.title if entry else "", self)
        self.title_edit.setPlaceholderText(_("e.g. 向公安机关报案"))
        self.description_edit = QPlainTextEdit(entry.detail if entry else "", self)
        self.description_edit.setFixedHeight(100)
        form = QFormLayout(self)
        form.addRow(_("When"), self.at_edit)
        form.addRow(_("Event"), self.title_edit)
        form.addRow(_("Description"), self.description_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.title_edit.text().strip()))
        self.title_edit.textChanged.connect(lambda text: ok.setEnabled(bool(text.strip())))

    def values(self) -> tuple[datetime, str, str]:
        at = datetime.fromtimestamp(self.at_edit.dateTime().toSecsSinceEpoch(), UTC)
        return at, self.title_edit.text().strip(), self.description_edit.toPlainText().strip()
