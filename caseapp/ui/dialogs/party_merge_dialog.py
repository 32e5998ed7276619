"""Merge two parties that are the same person or organisation: choose which one is kept."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from caseapp.domain.labels import identifier_type_label, party_role_label
from caseapp.i18n import _
from caseapp.services.records import PartyRecord
from caseapp.ui.widgets.objects_common import card, heading, muted
from caseapp.ui.widgets.party_identifiers import identifier_status


def _summary_html(party: PartyRecord) -> str:
    lines = [f"<b>{party.name}</b> · {party_role_label(party.role)}"]
    if party.aliases:
        lines.append(_("Also known as: {aliases}").format(aliases="、".join(party.aliases)))
    for ident in party.identifiers:
        status = identifier_status(ident)
        mark = "" if status.valid else " <span style='color:#c0392b'>✖</span>"
        lines.append(f"{identifier_type_label(ident.type)}: {ident.value}{mark}")
    if not party.identifiers:
        lines.append(f"<i>{_('no identifiers')}</i>")
    return "<br>".join(lines)


class PartyMergeDialog(QDialog):
    def __init__(self, parties: list[PartyRecord], keep: PartyRecord,
                 absorb: PartyRecord | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Merge two parties"))
        self.setMinimumWidth(640)
        self._parties = {p.id: p for p in parties}
        self.keep_combo = QComboBox(self)
        self.absorb_combo = QComboBox(self)
        for p in parties:
            label = f"#{p.id} {p.name} ({party_role_label(p.role)})"
            self.keep_combo.addItem(label, p.id)
            self.absorb_combo.addItem(label, p.id)
        self.keep_combo.setCurrentIndex(self.keep_combo.findData(keep.id))
        other = absorb or next((p for p in parties if p.id != keep.id), None)
        if other is not None:
            self.absorb_combo.setCurrentIndex(self.absorb_combo.findData(other.id))
        self.swap_button = QPushButton(_("⇄ Swap"), self)
        keep_card, keep_layout = card(self)
        absorb_card, absorb_layout = card(self)
        keep_layout.addWidget(heading(_("Kept"), self))
        keep_layout.addWidget(self.keep_combo)
        self.keep_summary = QLabel(self)
        self.keep_summary.setWordWrap(True)
        keep_layout.addWidget(self.keep_summary)
        keep_layout.addStretch(1)
        absorb_layout.addWidget(heading(_("Merged into it and removed"), self))
        absorb_layout.addWidget(self.absorb_combo)
        self.absorb_summary = QLabel(self)
        self.absorb_summary.setWordWrap(True)
        absorb_layout.addWidget(self.absorb_summary)
        absorb_layout.addStretch(1)
        grid = QGridLayout()
        grid.addWidget(keep_card, 0, 0)
        grid.addWidget(self.swap_button, 0, 1)
        grid.addWidget(absorb_card, 0, 2)
        self.explanation = muted("", self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Merge"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.explanation)
        layout.addWidget(self.buttons)
        self.keep_combo.currentIndexChanged.connect(self._update)
        self.absorb_combo.currentIndexChanged.connect(self._update)
        self.swap_button.clicked.connect(self.swap)
        self._update()

    def swap(self) -> None:
        keep, absorb = self.keep_combo.currentIndex(), self.absorb_combo.currentIndex()
        self.keep_combo.setCurrentIndex(absorb)
        self.absorb_combo.setCurrentIndex(keep)

    def _update(self) -> None:
        keep = self._parties[self.keep_combo.currentData()]
        absorb = self._parties[self.absorb_combo.currentData()]
        self.keep_summary.setText(_summary_html(keep))
        self.absorb_summary.setText(_summary_html(absorb))
        same = keep.id == absorb.id
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not same)
        if same:
            self.explanation.setText(_("Choose two different parties."))
        else:
            self.explanation.setText(_(
                "{absorb} will be removed. Its identifiers (and where they were mentioned), "
                "undercover contacts, links and tags move to {keep}; its name becomes an alias "
                "and its notes are appended. The merge is recorded in the audit log.").format(
                absorb=absorb.name, keep=keep.name))

    def values(self) -> tuple[PartyRecord, PartyRecord]:
        return (self._parties[self.keep_combo.currentData()],
                self._parties[self.absorb_combo.currentData()])
