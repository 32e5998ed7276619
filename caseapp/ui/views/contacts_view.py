"""暗访记录 — undercover contacts: the list in time order and the full record of the selected
(or a new) contact, with attachments hashed into the evidence store when saved."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from caseapp.app import App
from caseapp.domain.labels import channel_label
from caseapp.i18n import _, ngettext
from caseapp.services.records import ContactRecord
from caseapp.ui.models.contact_table_model import ContactTableModel
from caseapp.ui.views.base import CaseView
from caseapp.ui.widgets.contact_form import ContactForm, save_contact
from caseapp.ui.widgets.objects_common import (
    confirm,
    format_time,
    heading,
    muted,
    tool_button,
    type_icon,
)


class _SearchProxy(QSortFilterProxyModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""

    def set_text(self, text: str) -> None:
        self._text = text.strip().lower()
        self.invalidate()

    def filterAcceptsRow(self, source_row: int, source_parent: object) -> bool:
        if not self._text:
            return True
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)  # type: ignore[arg-type]
        return self._text in (model.data(index, ContactTableModel.SearchRole) or "")


class ContactsView(CaseView):
    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self._dirty = False
        self.model = ContactTableModel(self)
        self.proxy = _SearchProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ContactTableModel.COL_SUMMARY,
                                    QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)

        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText(_("Search counterpart, persona, summary, claims"))
        self.search_edit.setClearButtonEnabled(True)
        self.new_button = tool_button(_("New contact"), self, self.new_contact,
                                      icon=type_icon("contact"))
        self.count_label = muted("", self)

        self.form = ContactForm(self)
        self.form_title = heading("", self, size=3)
        self.form_state = muted("", self)
        self.save_button = QPushButton(_("Save"), self)
        self.save_button.setDefault(True)
        self.revert_button = QPushButton(_("Discard changes"), self)
        self.party_button = QPushButton(_("Show party"), self)

        toolbar = QHBoxLayout()
        toolbar.addWidget(self.search_edit, 2)
        toolbar.addSpacing(12)
        toolbar.addWidget(self.new_button)
        toolbar.addStretch(1)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count_label)

        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        title_row = QHBoxLayout()
        title_row.addWidget(self.form_title)
        title_row.addWidget(self.form_state, 1)
        title_row.addWidget(self.party_button)
        right_layout.addLayout(title_row)
        right_layout.addWidget(self.form, 1)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.revert_button)
        save_row.addWidget(self.save_button)
        right_layout.addLayout(save_row)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([560, 860])
        layout = QVBoxLayout(self)
        layout.addLayout(toolbar)
        layout.addWidget(splitter, 1)

        self.search_edit.textChanged.connect(self._filter)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.form.changed.connect(self._mark_dirty)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.revert)
        self.party_button.clicked.connect(self._show_party)
        self.form.attachment_opened.connect(lambda ev_id: self.open_item.emit("evidence", ev_id))
        self._set_dirty(False)
        self._show_title()

    def view_title(self) -> str:
        return _("Undercover contacts")

    # --- data -----------------------------------------------------------------------------

    def refresh(self) -> None:
        current = self.form.contact.id if self.form.contact else None
        if self.case_id is None:
            self.model.set_rows([], {})
            self.form.set_parties([])
        else:
            parties = self.app.parties.list(self.case_id)
            self.form.set_parties(parties)
            self.model.set_rows(self.app.contacts.list(self.case_id),
                                {p.id: p.name for p in parties})
        self._update_count()
        if self._dirty:
            return  # keep what the user is typing
        if current is not None and self.select_contact(current):
            return
        if self.proxy.rowCount():
            self.table.selectRow(self.proxy.rowCount() - 1)  # the latest contact
        else:
            self.new_contact()

    def _update_count(self) -> None:
        total = self.model.rowCount()
        self.count_label.setText(ngettext("{n} contact", "{n} contacts", total).format(n=total))
        self.new_button.setEnabled(self.case_id is not None)

    def _filter(self) -> None:
        self.proxy.set_text(self.search_edit.text())

    def select_contact(self, contact_id: int) -> bool:
        row = self.model.row_of(contact_id)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            self.search_edit.clear()
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
        return True

    def show_item(self, object_type: str, object_id: int) -> bool:
        return object_type == "contact" and self.select_contact(object_id)

    def _current_changed(self, current: object, _previous: object) -> None:
        index = self.table.currentIndex()
        if not index.isValid():
            return
        contact = self.model.contact_at(self.proxy.mapToSource(index).row())
        if self.form.contact is not None and self.form.contact.id == contact.id:
            return
        if self._dirty and not confirm(self, _("Discard changes?"), _(
                "The contact you were editing has unsaved changes. Discard them?")):
            self._reselect_form_contact()
            return
        self.form.load(contact)
        self._set_dirty(False)
        self._show_title()

    def _reselect_form_contact(self) -> None:
        blocker = self.table.selectionModel().blockSignals(True)
        if self.form.contact is not None:
            self.select_contact(self.form.contact.id)
        else:
            self.table.clearSelection()
        self.table.selectionModel().blockSignals(blocker)

    def _show_title(self) -> None:
        c = self.form.contact
        if c is None:
            self.form_title.setText(_("New undercover contact"))
        else:
            self.form_title.setText(_("{time} · {channel}").format(
                time=format_time(c.started_at), channel=channel_label(c.channel)))
        self.party_button.setVisible(bool(c and c.party_id))

    def _mark_dirty(self) -> None:
        self._set_dirty(True)

    def _set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        self.save_button.setEnabled(self.case_id is not None and (
            dirty or self.form.contact is None))
        self.revert_button.setEnabled(dirty)
        self.form_state.setText(_("unsaved changes") if dirty else "")

    # --- actions --------------------------------------------------------------------------

    def new_contact(self, party_id: int | None = None) -> None:
        if self._dirty and not confirm(self, _("Discard changes?"), _(
                "The contact you were editing has unsaved changes. Discard them?")):
            return
        self.table.clearSelection()
        self.form.load(None, party_id=party_id, investigator=self.app.ctx.actor)
        self._set_dirty(False)
        self._show_title()

    def save(self) -> ContactRecord | None:
        if self.case_id is None:
            return None
        saved = save_contact(self, self.app, self.case_id, self.form)
        if saved is None:
            return None
        self._set_dirty(False)
        self.refresh()
        self.select_contact(saved.id)
        self._show_title()
        self.status_message.emit(_("Contact saved."))
        self.data_changed.emit()
        return saved

    def revert(self) -> None:
        contact = self.form.contact
        self.form.load(self.app.contacts.get(contact.id) if contact else None,
                       investigator=self.app.ctx.actor)
        self._set_dirty(False)

    def _show_party(self) -> None:
        c = self.form.contact
        if c is not None and c.party_id is not None:
            self.open_item.emit("party", c.party_id)

    def has_unsaved_changes(self) -> bool:
        return self._dirty
