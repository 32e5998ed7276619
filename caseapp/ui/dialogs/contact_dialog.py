"""A new undercover contact in a dialog (e.g. "new contact with this party")."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from caseapp.app import App
from caseapp.i18n import _
from caseapp.services.records import ContactRecord
from caseapp.ui.widgets.contact_form import ContactForm, save_contact


class ContactDialog(QDialog):
    def __init__(self, app: App, case_id: int, *, party_id: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.case_id = case_id
        self.saved: ContactRecord | None = None
        self.setWindowTitle(_("New undercover contact"))
        self.resize(760, 820)
        self.form = ContactForm(self)
        self.form.set_parties(app.parties.list(case_id))
        self.form.load(None, party_id=party_id, investigator=app.ctx.actor)
        if party_id is not None:
            party = app.parties.get(party_id)
            if party.identifiers:
                first = party.identifiers[0]
                self.form.identifier_combo.setCurrentIndex(
                    self.form.identifier_combo.findData(first.id))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form, 1)
        layout.addWidget(self.buttons)

    def _save(self) -> None:
        saved = save_contact(self, self.app, self.case_id, self.form)
        if saved is not None:
            self.saved = saved
            self.accept()
