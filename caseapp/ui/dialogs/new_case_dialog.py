"""Dialog asking for a new case's title and (optional) number."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from caseapp.i18n import _


class NewCaseDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("New case"))
        self.title_edit = QLineEdit(self)
        self.title_edit.setPlaceholderText(_("e.g. 某法务公司代理投诉案"))
        self.number_edit = QLineEdit(self)
        self.number_edit.setPlaceholderText(_("leave empty to number it automatically"))
        self.organisation_edit = QLineEdit(self)
        form = QFormLayout(self)
        form.addRow(_("Title"), self.title_edit)
        form.addRow(_("Case number"), self.number_edit)
        form.addRow(_("Investigating organisation"), self.organisation_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
        self.title_edit.textChanged.connect(lambda text: ok.setEnabled(bool(text.strip())))

    def values(self) -> tuple[str, str | None, str]:
        number = self.number_edit.text().strip() or None
        return self.title_edit.text().strip(), number, self.organisation_edit.text().strip()
