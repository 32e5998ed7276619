"""Add or edit a party: name, kind, role, aliases, notes and identifiers (checked as typed)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from caseapp.domain.enums import IdentifierType, PartyKind, PartyRole
from caseapp.domain.labels import identifier_type_label, party_kind_label, party_role_label
from caseapp.i18n import _
from caseapp.identifiers import parse_identifier
from caseapp.services.records import IdentifierRecord, PartyRecord
from caseapp.ui.widgets.objects_common import BAD_COLOR, OK_COLOR, heading
from caseapp.ui.widgets.party_identifiers import IdentifierTableModel, identifier_status


def preview_identifier(id_type: str, raw: str) -> IdentifierRecord:
    """What an identifier typed in the dialog will look like once stored (id 0: not yet)."""
    parsed = parse_identifier(id_type, raw)
    return IdentifierRecord(
        id=0, case_id=0, party_id=None, type=parsed.type.value, value=parsed.value, raw=raw,
        valid=parsed.valid, problems=tuple(p.value for p in parsed.problems),
        details={k: (list(v) if isinstance(v, tuple) else v)
                 for k, v in parsed.details.items()}, note="")


def split_aliases(text: str) -> list[str]:
    return [a.strip() for a in re.split(r"[,，、;；\n]", text) if a.strip()]


@dataclass
class PartyEdit:
    name: str
    kind: str
    role: str
    aliases: list[str]
    notes: str
    added: list[tuple[str, str]] = field(default_factory=list)  # (type, raw)
    removed: list[int] = field(default_factory=list)  # identifier ids to detach


class PartyDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, party: PartyRecord | None = None,
                 *, role: str | None = None) -> None:
        super().__init__(parent)
        self.party = party
        self.setWindowTitle(_("Edit party") if party else _("New party"))
        self.setMinimumWidth(620)
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText(_("e.g. 临沂市聚德法务中心, 杜专员"))
        self.kind_combo = QComboBox(self)
        for kind in PartyKind:
            self.kind_combo.addItem(party_kind_label(kind), kind.value)
        self.role_combo = QComboBox(self)
        for r in PartyRole:
            self.role_combo.addItem(party_role_label(r), r.value)
        self.aliases_edit = QLineEdit(self)
        self.aliases_edit.setPlaceholderText(_("other names, separated by commas"))
        self.notes_edit = QPlainTextEdit(self)
        self.notes_edit.setFixedHeight(70)
        form = QFormLayout()
        form.addRow(_("Name"), self.name_edit)
        form.addRow(_("Kind"), self.kind_combo)
        form.addRow(_("Role"), self.role_combo)
        form.addRow(_("Aliases"), self.aliases_edit)
        form.addRow(_("Notes"), self.notes_edit)

        self.identifiers = IdentifierTableModel(self)
        self._existing: list[IdentifierRecord] = list(party.identifiers) if party else []
        self._added: list[tuple[str, str]] = []
        self._removed: list[int] = []
        self.table = QTableView(self)
        self.table.setModel(self.identifiers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(IdentifierTableModel.COL_STATUS,
                                    QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(120)
        self.type_combo = QComboBox(self)
        for t in IdentifierType:
            self.type_combo.addItem(identifier_type_label(t), t.value)
        self.value_edit = QLineEdit(self)
        self.value_edit.setPlaceholderText(_("value as written, e.g. 185 0847 7852"))
        self.add_button = QPushButton(_("Add"), self)
        self.add_button.setEnabled(False)
        self.remove_button = QPushButton(_("Remove selected"), self)
        self.check_label = QLabel(self)
        self.check_label.setWordWrap(True)
        add_row = QHBoxLayout()
        add_row.addWidget(self.type_combo)
        add_row.addWidget(self.value_edit, 1)
        add_row.addWidget(self.add_button)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(heading(_("Identifiers"), self))
        layout.addWidget(self.table)
        layout.addLayout(add_row)
        layout.addWidget(self.check_label)
        remove_row = QHBoxLayout()
        remove_row.addWidget(self.remove_button)
        remove_row.addStretch(1)
        layout.addLayout(remove_row)
        layout.addWidget(self.buttons)

        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
        self.name_edit.textChanged.connect(lambda text: ok.setEnabled(bool(text.strip())))
        self.value_edit.textChanged.connect(self._check_value)
        self.type_combo.currentIndexChanged.connect(self._check_value)
        self.value_edit.returnPressed.connect(self.add_identifier)
        self.add_button.clicked.connect(self.add_identifier)
        self.remove_button.clicked.connect(self.remove_selected)

        if party is not None:
            self.name_edit.setText(party.name)
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(party.kind))
            self.role_combo.setCurrentIndex(self.role_combo.findData(party.role))
            self.aliases_edit.setText(", ".join(party.aliases))
            self.notes_edit.setPlainText(party.notes)
        elif role is not None:
            self.role_combo.setCurrentIndex(self.role_combo.findData(role))
        self._refresh_table()

    def _current(self) -> list[IdentifierRecord]:
        return ([i for i in self._existing if i.id not in self._removed]
                + [preview_identifier(t, raw) for t, raw in self._added])

    def _refresh_table(self) -> None:
        self.identifiers.set_rows(self._current())

    def _check_value(self) -> None:
        raw = self.value_edit.text().strip()
        self.add_button.setEnabled(bool(raw))
        if not raw:
            self.check_label.clear()
            return
        status = identifier_status(preview_identifier(self.type_combo.currentData(), raw))
        color = OK_COLOR if status.valid else BAD_COLOR
        mark = "✔" if status.valid else "✖"
        self.check_label.setText(f"<span style='color:{color}'>{mark} {status.text}</span>")

    def add_identifier(self) -> None:
        raw = self.value_edit.text().strip()
        if not raw:
            return
        id_type = self.type_combo.currentData()
        value = preview_identifier(id_type, raw).value
        if any(i.type == id_type and i.value == value for i in self._current()):
            self.check_label.setText(_("This identifier is already in the list."))
            return
        self._added.append((id_type, raw))
        self.value_edit.clear()
        self._refresh_table()

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()},
                      reverse=True)
        current = self._current()
        kept_existing = [i for i in self._existing if i.id not in self._removed]
        for row in rows:
            ident = current[row]
            if ident.id:
                self._removed.append(ident.id)
            else:
                del self._added[row - len(kept_existing)]
        self._refresh_table()

    def values(self) -> PartyEdit:
        if self.value_edit.text().strip():  # typed but not yet added: the user means it
            self.add_identifier()
        return PartyEdit(
            name=self.name_edit.text().strip(),
            kind=self.kind_combo.currentData(),
            role=self.role_combo.currentData(),
            aliases=split_aliases(self.aliases_edit.text()),
            notes=self.notes_edit.toPlainText().strip(),
            added=list(self._added),
            removed=list(self._removed),
        )

    def keyPressEvent(self, event: object) -> None:
        # Enter in the identifier field adds it instead of closing the dialog.
        from PySide6.QtGui import QKeyEvent

        if (isinstance(event, QKeyEvent) and self.value_edit.hasFocus()
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            self.add_identifier()
            return
        super().keyPressEvent(event)  # type: ignore[arg-type]
