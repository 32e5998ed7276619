"""Link an evidence file to a party or an undercover contact, with a relation."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from caseapp.domain.labels import channel_label, party_role_label
from caseapp.i18n import N_, _
from caseapp.services.records import ContactRecord, PartyRecord
from caseapp.ui.widgets.objects_common import format_time, party_icon, type_icon

RELATION_PRESETS = (N_("shows"), N_("received payment"), N_("recorded during"),
                    N_("impersonates"), N_("forged by"), N_("mentions"))


class EvidenceLinkDialog(QDialog):
    def __init__(self, parties: list[PartyRecord], contacts: list[ContactRecord],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Link the evidence"))
        self.setMinimumWidth(460)
        self.target_combo = QComboBox(self)
        for p in parties:
            self.target_combo.addItem(party_icon(p.kind), f"{p.name} · "
                                      f"{party_role_label(p.role)}", f"party:{p.id}")
        for c in contacts:
            self.target_combo.addItem(type_icon("contact"), _("Contact {time} · {channel}").format(
                time=format_time(c.started_at), channel=channel_label(c.channel)),
                f"contact:{c.id}")
        self.relation_combo = QComboBox(self)
        self.relation_combo.setEditable(True)
        for preset in RELATION_PRESETS:
            self.relation_combo.addItem(_(preset))
        self.note_edit = QLineEdit(self)
        form = QFormLayout(self)
        form.addRow(_("Linked to"), self.target_combo)
        form.addRow(_("Relation"), self.relation_combo)
        form.addRow(_("Note"), self.note_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.target_combo.count() > 0)
        self.relation_combo.editTextChanged.connect(
            lambda text: ok.setEnabled(bool(text.strip()) and self.target_combo.count() > 0))

    def values(self) -> tuple[tuple[str, int], str, str]:
        kind, _sep, oid = str(self.target_combo.currentData()).partition(":")
        return ((kind, int(oid)), self.relation_combo.currentText().strip(),
                self.note_edit.text().strip())
