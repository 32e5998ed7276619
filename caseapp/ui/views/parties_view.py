"""涉案主体 — the parties of a case: list, detail with identifiers and their validity, what each
party is connected to (complaints, contacts, evidence, links); add, edit, merge."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from caseapp.app import App
from caseapp.domain.enums import PartyRole
from caseapp.domain.errors import CaseappError
from caseapp.domain.labels import identifier_type_label, party_kind_label, party_role_label
from caseapp.i18n import _, ngettext
from caseapp.services.exchange import PartyMatch
from caseapp.services.parties import PartyRelations, RelatedObject
from caseapp.services.records import PartyRecord
from caseapp.ui.dialogs.contact_dialog import ContactDialog
from caseapp.ui.dialogs.party_dialog import PartyDialog, PartyEdit
from caseapp.ui.dialogs.party_merge_dialog import PartyMergeDialog
from caseapp.ui.models.party_table_model import PartyFilterProxy, PartyTableModel
from caseapp.ui.views.base import CaseView
from caseapp.ui.widgets.objects_common import (
    BAD_COLOR,
    ROLE_COLORS,
    card,
    heading,
    muted,
    pill,
    set_pill,
    show_error,
    tool_button,
    type_icon,
)
from caseapp.ui.widgets.party_identifiers import IdentifierTableModel, flagged


class RelatedList(QListWidget):
    """Objects connected to the party; double-click opens one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlternatingRowColors(True)
        self.setUniformItemSizes(True)

    def set_items(self, items: tuple[RelatedObject, ...], *, more: int = 0) -> None:
        self.clear()
        for rel in items:
            item = QListWidgetItem(type_icon(rel.object.type), f"{rel.object.label}  ·  {rel.via}")
            item.setData(Qt.ItemDataRole.UserRole, (rel.object.type, rel.object.id))
            item.setToolTip(_("Double-click to open"))
            self.addItem(item)
        if more > 0:
            extra = QListWidgetItem(ngettext("… and {n} more", "… and {n} more", more).format(
                n=more))
            extra.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addItem(extra)
        if not items:
            empty = QListWidgetItem(_("Nothing yet"))
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addItem(empty)


class PartyDetail(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.party: PartyRecord | None = None
        self.name_label = heading("", self, size=5)
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.role_pill = pill("", "#7f8c8d", self)
        self.kind_label = muted("", self)
        self.aliases_label = muted("", self)
        self.flag_label = QLabel(self)
        self.flag_label.setWordWrap(True)
        self.exchange_label = QLabel(self)
        self.exchange_label.setWordWrap(True)
        self.exchange_label.hide()
        self.notes_label = QLabel(self)
        self.notes_label.setWordWrap(True)
        self.notes_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.identifiers = IdentifierTableModel(self)
        self.identifier_table = QTableView(self)
        self.identifier_table.setModel(self.identifiers)
        self.identifier_table.verticalHeader().hide()
        self.identifier_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.identifier_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.identifier_table.setShowGrid(False)
        self.identifier_table.setAlternatingRowColors(True)
        header = self.identifier_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(IdentifierTableModel.COL_STATUS,
                                    QHeaderView.ResizeMode.Stretch)

        self.tabs = QTabWidget(self)
        self.complaints = RelatedList(self)
        self.contacts = RelatedList(self)
        self.evidence = RelatedList(self)
        self.links = RelatedList(self)
        for lst in (self.complaints, self.contacts, self.evidence, self.links):
            self.tabs.addTab(lst, "")

        head_card, head = card(self)
        title_row = QHBoxLayout()
        title_row.addWidget(self.name_label)
        title_row.addWidget(self.role_pill)
        title_row.addStretch(1)
        head.addLayout(title_row)
        head.addWidget(self.kind_label)
        head.addWidget(self.aliases_label)
        head.addWidget(self.flag_label)
        head.addWidget(self.exchange_label)
        head.addWidget(self.notes_label)
        id_card, id_layout = card(self)
        id_layout.addWidget(heading(_("Identifiers"), self))
        id_layout.addWidget(self.identifier_table)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(head_card)
        layout.addWidget(id_card)
        layout.addWidget(heading(_("Connected to"), self))
        layout.addWidget(self.tabs, 1)

    def show_exchange(self, match: PartyMatch | None) -> None:
        """How many other institutions of the industry exchange report this party's
        identifiers (a count and a date: the exchange never reveals who or what else)."""
        if match is None:
            self.exchange_label.clear()
            self.exchange_label.hide()
            return
        line = ngettext("⚑ Also reported by {n} other institution",
                        "⚑ Also reported by {n} other institutions",
                        match.institutions).format(n=match.institutions)
        if match.first_seen is not None:
            line += _(" (first seen {date})").format(date=match.first_seen.isoformat())
        details = [ngettext("{type} {value}: {n} institution", "{type} {value}: {n} institutions",
                            m.institutions).format(type=identifier_type_label(m.type),
                                                   value=m.value, n=m.institutions)
                   for m in match.identifiers]
        self.exchange_label.setText(
            f"<span style='color:#b45309'><b>{line}</b><br>{'<br>'.join(details)}</span>")
        self.exchange_label.show()

    def show_party(self, party: PartyRecord, relations: PartyRelations | None) -> None:
        self.party = party
        self.name_label.setText(party.name)
        set_pill(self.role_pill, party_role_label(party.role),
                 ROLE_COLORS.get(party.role, "#7f8c8d"))
        self.kind_label.setText(party_kind_label(party.kind) + f" · #{party.id}")
        self.aliases_label.setText(_("Also known as: {aliases}").format(
            aliases="、".join(party.aliases)) if party.aliases else "")
        self.aliases_label.setVisible(bool(party.aliases))
        problems = flagged(party.identifiers)
        if problems:
            self.flag_label.setText("<br>".join(
                f"<span style='color:{BAD_COLOR}'>✖ {p.text}</span>" for p in problems))
        self.flag_label.setVisible(bool(problems))
        self.notes_label.setText(party.notes)
        self.notes_label.setVisible(bool(party.notes))
        self.identifiers.set_rows(party.identifiers)
        table = self.identifier_table
        rows = max(1, len(party.identifiers))
        table.setFixedHeight(table.horizontalHeader().height() + 4
                             + rows * max(table.verticalHeader().defaultSectionSize(), 24))
        rel = relations
        if rel is None:
            for lst in (self.complaints, self.contacts, self.evidence, self.links):
                lst.set_items(())
            return
        self.complaints.set_items(rel.complaints, more=rel.complaint_total - len(rel.complaints))
        self.contacts.set_items(rel.contacts)
        self.evidence.set_items(rel.evidence)
        self.links.set_items(rel.links)
        self.tabs.setTabText(0, _("Complaints ({n})").format(n=rel.complaint_total))
        self.tabs.setTabText(1, _("Undercover contacts ({n})").format(n=len(rel.contacts)))
        self.tabs.setTabText(2, _("Evidence ({n})").format(n=len(rel.evidence)))
        self.tabs.setTabText(3, _("All links ({n})").format(n=len(rel.links)))
        self.tabs.setTabIcon(0, type_icon("complaint"))
        self.tabs.setTabIcon(1, type_icon("contact"))
        self.tabs.setTabIcon(2, type_icon("evidence"))
        self.tabs.setTabIcon(3, type_icon("party"))
        counts = [rel.complaint_total, len(rel.contacts), len(rel.evidence), len(rel.links)]
        if counts[self.tabs.currentIndex()] == 0:  # show something, if there is anything
            self.tabs.setCurrentIndex(next((i for i, n in enumerate(counts) if n), 0))


class PartiesView(CaseView):
    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.model = PartyTableModel(self)
        self.proxy = PartyFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setIconSize(self.table.iconSize())
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(PartyTableModel.COL_IDENTIFIERS,
                                    QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)

        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText(_("Search name, alias or identifier"))
        self.search_edit.setClearButtonEnabled(True)
        self.role_combo = QComboBox(self)
        self.role_combo.addItem(_("All roles"), None)
        for role in PartyRole:
            self.role_combo.addItem(party_role_label(role), role.value)
        self.add_button = tool_button(_("New party…"), self, self.add_party,
                                      icon=type_icon("party"))
        self.edit_button = tool_button(_("Edit…"), self, self.edit_party)
        self.merge_button = tool_button(_("Merge…"), self, self.merge_parties,
                                        tip=_("Merge two parties that are the same"))
        self.contact_button = tool_button(_("New contact with this party…"), self,
                                          self.new_contact, icon=type_icon("contact"))
        self.count_label = muted("", self)

        toolbar = QHBoxLayout()
        toolbar.addWidget(self.search_edit, 2)
        toolbar.addWidget(self.role_combo)
        toolbar.addSpacing(12)
        for b in (self.add_button, self.edit_button, self.merge_button, self.contact_button):
            toolbar.addWidget(b)
        toolbar.addStretch(1)

        self.detail = PartyDetail(self)
        self.empty = muted(_("Select a party to see its identifiers and what it is connected "
                             "to, or add one with “New party…”."), self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget(self)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.detail)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(scroll)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count_label)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 4)
        splitter.setSizes([620, 800])
        layout = QVBoxLayout(self)
        layout.addLayout(toolbar)
        layout.addWidget(splitter, 1)

        self.search_edit.textChanged.connect(self._filter)
        self.role_combo.currentIndexChanged.connect(self._filter)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _i: self.edit_party())
        for lst in (self.detail.complaints, self.detail.contacts, self.detail.evidence,
                    self.detail.links):
            lst.itemDoubleClicked.connect(self._open_related)
        self._update_buttons()

    def view_title(self) -> str:
        return _("Parties")

    # --- data -----------------------------------------------------------------------------

    def refresh(self) -> None:
        current = self.current_party()
        if self.case_id is None:
            self.model.set_rows([])
        else:
            self.model.set_rows(self.app.parties.list(self.case_id))
        self._update_count()
        if current is not None and self.select_party(current.id):
            return
        if self.proxy.rowCount():
            self.table.selectRow(0)
        else:
            self._show(None)

    def _update_count(self) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        text = ngettext("{n} party", "{n} parties", total).format(n=total)
        if shown != total:
            text = _("{shown} of {total}").format(shown=shown, total=text)
        self.count_label.setText(text)

    def _filter(self) -> None:
        self.proxy.set_text(self.search_edit.text())
        self.proxy.set_role(self.role_combo.currentData())
        self._update_count()

    def selected_parties(self) -> list[PartyRecord]:
        rows = sorted({self.proxy.mapToSource(i).row()
                       for i in self.table.selectionModel().selectedRows()})
        return [self.model.party_at(r) for r in rows]

    def current_party(self) -> PartyRecord | None:
        selected = self.selected_parties()
        return selected[0] if selected else None

    def select_party(self, party_id: int) -> bool:
        row = self.model.row_of(party_id)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():  # filtered out: clear the filter so it can be shown
            self.search_edit.clear()
            self.role_combo.setCurrentIndex(0)
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectionModel().select(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)
        return True

    def show_item(self, object_type: str, object_id: int) -> bool:
        if object_type == "party":
            return self.select_party(object_id)
        if object_type == "identifier":
            for r in range(self.model.rowCount()):
                party = self.model.party_at(r)
                if any(i.id == object_id for i in party.identifiers):
                    return self.select_party(party.id)
        return False

    def _selection_changed(self) -> None:
        self._update_buttons()
        self._show(self.current_party())

    def _show(self, party: PartyRecord | None) -> None:
        if party is None:
            self.stack.setCurrentIndex(0)
            return
        try:
            relations = self.app.parties.related(party.id)
        except CaseappError as exc:
            self.status_message.emit(str(exc))
            relations = None
        self.detail.show_party(party, relations)
        try:
            match = self.app.exchange.party_matches(party.case_id, [party.id]).get(party.id)
        except CaseappError as exc:  # e.g. a consortium key file that cannot be read
            self.status_message.emit(str(exc))
            match = None
        self.detail.show_exchange(match)
        self.stack.setCurrentIndex(1)

    def _update_buttons(self) -> None:
        n = len(self.selected_parties())
        has_case = self.case_id is not None
        self.add_button.setEnabled(has_case)
        self.edit_button.setEnabled(n == 1)
        self.merge_button.setEnabled(has_case and self.model.rowCount() >= 2 and n in (1, 2))
        self.contact_button.setEnabled(n == 1)

    def _open_related(self, item: QListWidgetItem) -> None:
        data = item.data(Qt.ItemDataRole.UserRole)
        if data:
            object_type, object_id = data
            if object_type == "party":
                self.select_party(object_id)
            else:
                self.open_item.emit(object_type, object_id)

    # --- actions --------------------------------------------------------------------------

    def add_party(self) -> None:
        if self.case_id is None:
            return
        dialog = PartyDialog(self)
        if dialog.exec() != PartyDialog.DialogCode.Accepted:
            return
        edit = dialog.values()
        try:
            party = self.app.parties.add(self.case_id, name=edit.name, kind=edit.kind,
                                         role=edit.role, aliases=edit.aliases, notes=edit.notes,
                                         identifiers=edit.added)
        except CaseappError as exc:
            show_error(self, _("Cannot add the party"), str(exc))
            return
        self._changed(party.id, _("Party {name} added.").format(name=party.name))

    def edit_party(self) -> None:
        party = self.current_party()
        if party is None:
            return
        dialog = PartyDialog(self, party)
        if dialog.exec() != PartyDialog.DialogCode.Accepted:
            return
        self.apply_edit(party, dialog.values())

    def apply_edit(self, party: PartyRecord, edit: PartyEdit) -> None:
        try:
            self.app.parties.update(party.id, expected_version=party.version, name=edit.name,
                                    kind=edit.kind, role=edit.role, aliases=edit.aliases,
                                    notes=edit.notes)
            for identifier_id in edit.removed:
                self.app.parties.detach_identifier(identifier_id)
            for id_type, raw in edit.added:
                self.app.parties.add_identifier(party.id, id_type, raw)
        except CaseappError as exc:
            show_error(self, _("Cannot save the party"), str(exc))
            self._changed(party.id, "")
            return
        self._changed(party.id, _("Party {name} saved.").format(name=edit.name))

    def merge_parties(self) -> None:
        if self.case_id is None:
            return
        parties = [self.model.party_at(r) for r in range(self.model.rowCount())]
        selected = self.selected_parties()
        if len(parties) < 2:
            return
        keep = selected[0] if selected else parties[0]
        absorb = selected[1] if len(selected) > 1 else None
        dialog = PartyMergeDialog(parties, keep, absorb, self)
        if dialog.exec() != PartyMergeDialog.DialogCode.Accepted:
            return
        keep, absorb = dialog.values()
        self.merge(keep, absorb)

    def merge(self, keep: PartyRecord, absorb: PartyRecord) -> None:
        try:
            merged = self.app.parties.merge(keep.id, absorb.id,
                                            expected_versions=(keep.version, absorb.version))
        except CaseappError as exc:
            show_error(self, _("Cannot merge the parties"), str(exc))
            self.refresh()
            return
        self._changed(merged.id, _("{absorb} merged into {keep}.").format(
            absorb=absorb.name, keep=merged.name))

    def new_contact(self) -> None:
        party = self.current_party()
        if party is None or self.case_id is None:
            return
        dialog = ContactDialog(self.app, self.case_id, party_id=party.id, parent=self)
        if dialog.exec() == ContactDialog.DialogCode.Accepted and dialog.saved is not None:
            self._changed(party.id, _("Contact saved."))
            self.open_item.emit("contact", dialog.saved.id)

    def _changed(self, party_id: int, message: str) -> None:
        self.refresh()
        self.select_party(party_id)
        self.status_message.emit(message)
        self.data_changed.emit()

    def current_index(self) -> QModelIndex:
        return self.table.currentIndex()
