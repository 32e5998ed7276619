"""The industry blacklist exchange (行业黑名单共享) for the open case: which of its identifiers
other institutions also report, export of its suspects' hashed identifiers, import of members'
files, and the exchange keys. Exports, imports and matching run off the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from caseapp.app import App
from caseapp.domain.errors import CaseappError
from caseapp.domain.labels import identifier_type_label, party_role_label
from caseapp.domain.progress import CancelToken, ProgressSink
from caseapp.i18n import _, ngettext
from caseapp.services.exchange import (
    EXPORTED_ROLES,
    CaseMatches,
    ExportResult,
    IdentifierMatch,
    ImportResult,
    PeerFileRecord,
    category_label,
    withheld_reason_label,
)
from caseapp.ui.views.base import CaseView
from caseapp.ui.workers.task import Task, TaskProgressDialog

_Index = QModelIndex | QPersistentModelIndex


class ExchangeMatchTableModel(QAbstractTableModel):
    """The case's identifiers that other institutions also report."""

    (COL_TYPE, COL_VALUE, COL_PARTY, COL_LOCAL, COL_INSTITUTIONS, COL_FIRST,
     COL_REPORTED_AS) = range(7)
    IdentifierIdRole = Qt.ItemDataRole.UserRole + 1
    PartyIdRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[IdentifierMatch] = []
        self._headers = [_("Type"), _("Identifier"), _("Party"), _("Our complaints"),
                         _("Other institutions"), _("First seen there"), _("Reported as")]

    def set_rows(self, rows: list[IdentifierMatch] | tuple[IdentifierMatch, ...]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def match_at(self, row: int) -> IdentifierMatch:
        return self._rows[row]

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
        m = self._rows[index.row()]
        col = index.column()
        if role == self.IdentifierIdRole:
            return m.identifier_id
        if role == self.PartyIdRole:
            return m.party_id
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.COL_LOCAL,
                                                                  self.COL_INSTITUTIONS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == self.COL_PARTY \
                and m.party_id is None:
            return QColor("#777777")
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(_("{name} ({code}): {categories}, {first} … {last}, "
                               "{complaints} complaints, {customers} customers").format(
                name=r.name, code=r.code,
                categories=", ".join(category_label(c) for c in r.categories),
                first=r.first_seen.isoformat() if r.first_seen else "?",
                last=r.last_seen.isoformat() if r.last_seen else "?",
                complaints=r.complaints, customers=r.customers) for r in m.reports)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col == self.COL_TYPE:
            return identifier_type_label(m.type)
        if col == self.COL_VALUE:
            return m.value
        if col == self.COL_PARTY:
            if m.party_id is None:
                return _("(found in complaints)")
            return f"{m.party_name} · {party_role_label(m.party_role)}"
        if col == self.COL_LOCAL:
            return m.local_complaints
        if col == self.COL_INSTITUTIONS:
            return m.institutions
        if col == self.COL_FIRST:
            return m.first_seen.isoformat() if m.first_seen else ""
        if col == self.COL_REPORTED_AS:
            categories = sorted({c for r in m.reports for c in r.categories})
            return ", ".join(category_label(c) for c in categories)
        return None


def _table(model: QAbstractTableModel, parent: QWidget) -> QTableView:
    table = QTableView(parent)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class ExchangeView(CaseView):
    """See the module docstring. Emits :attr:`work_done` (the kind of work: "matches",
    "export", "import") when background work ends, whatever its outcome."""

    work_done = Signal(str)

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self._task: Task | None = None
        self.last_export: ExportResult | None = None
        self.last_import: ImportResult | None = None
        self.last_error: str = ""
        self._pending_match = False
        layout = QVBoxLayout(self)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.tabs = QTabWidget(self)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs)
        self.tabs.addTab(self._build_matches_tab(), _("Matches"))
        self.tabs.addTab(self._build_export_tab(), _("Export"))
        self.tabs.addTab(self._build_import_tab(), _("Import"))
        self.tabs.addTab(self._build_keys_tab(), _("Keys"))
        self._update_enabled()

    def view_title(self) -> str:
        return _("Blacklist exchange")

    # --- building -----------------------------------------------------------------------

    def _build_matches_tab(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        top = QHBoxLayout()
        self.matches_summary = QLabel(page)
        self.matches_summary.setWordWrap(True)
        self.match_button = QPushButton(_("Compare with the members' files"), page)
        self.match_button.clicked.connect(self.find_matches)
        top.addWidget(self.matches_summary, 1)
        top.addWidget(self.match_button)
        layout.addLayout(top)
        self.match_model = ExchangeMatchTableModel(self)
        self.match_table = _table(self.match_model, page)
        self.match_table.doubleClicked.connect(self._open_match)
        self.match_table.selectionModel().currentRowChanged.connect(self._show_match_detail)
        layout.addWidget(self.match_table, 3)
        self.match_detail = QLabel(page)
        self.match_detail.setWordWrap(True)
        self.match_detail.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.match_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.match_detail, 1)
        hint = QLabel(_("Only keyed hashes are compared: no institution sees another's "
                        "identifiers. Double-click a row to open the party or identifier."),
                      page)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666;")
        layout.addWidget(hint)
        return page

    def _build_export_tab(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        intro = QLabel(_("Only the identifiers of suspects, agents and intermediary "
                         "organisations leave the institution, as keyed hashes; never a "
                         "complainant's, never a name or a text."), page)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.party_list = QListWidget(page)
        self.party_list.itemChanged.connect(self._update_plan)
        layout.addWidget(self.party_list, 2)
        self.plan_label = QLabel(page)
        self.plan_label.setWordWrap(True)
        layout.addWidget(self.plan_label)
        self.withheld_list = QListWidget(page)
        self.withheld_list.setMaximumHeight(120)
        layout.addWidget(self.withheld_list, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.export_button = QPushButton(_("Export exchange file…"), page)
        self.export_button.clicked.connect(self._choose_export_file)
        row.addWidget(self.export_button)
        layout.addLayout(row)
        self.export_result = QLabel(page)
        self.export_result.setWordWrap(True)
        self.export_result.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.export_result)
        return page

    def _build_import_tab(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        row = QHBoxLayout()
        intro = QLabel(_("A member's file is accepted only when its signature, consortium key "
                         "and content check out; otherwise nothing is stored."), page)
        intro.setWordWrap(True)
        row.addWidget(intro, 1)
        self.import_button = QPushButton(_("Import a member's file…"), page)
        self.import_button.clicked.connect(self._choose_import_file)
        row.addWidget(self.import_button)
        layout.addLayout(row)
        self.files_table = QTableView(page)
        self.files_model = QStandardItemModel(0, 6, self)
        self.files_model.setHorizontalHeaderLabels([
            _("Institution"), _("Made at"), _("Entries"), _("Consortium key"), _("SHA-256"),
            _("State")])
        self.files_table.setModel(self.files_model)
        self.files_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.files_table.verticalHeader().hide()
        self.files_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.files_table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.files_table)
        return page

    def _build_keys_tab(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        identity_box = QGroupBox(_("This institution"), page)
        form = QFormLayout(identity_box)
        self.identity_code = QLineEdit(identity_box)
        self.identity_code.setPlaceholderText(_("code agreed in the alliance"))
        self.identity_name = QLineEdit(identity_box)
        self.fingerprint = QLabel(identity_box)
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint.setWordWrap(True)
        form.addRow(_("Institution code"), self.identity_code)
        form.addRow(_("Institution name"), self.identity_name)
        form.addRow(_("Key fingerprint"), self.fingerprint)
        buttons = QHBoxLayout()
        self.create_identity_button = QPushButton(_("Create signing key"), identity_box)
        self.create_identity_button.clicked.connect(self._create_identity)
        self.export_public_button = QPushButton(_("Export public key…"), identity_box)
        self.export_public_button.clicked.connect(self._choose_public_key_file)
        buttons.addWidget(self.create_identity_button)
        buttons.addWidget(self.export_public_button)
        buttons.addStretch(1)
        form.addRow(buttons)
        layout.addWidget(identity_box)

        keys_box = QGroupBox(_("Consortium keys"), page)
        keys_layout = QVBoxLayout(keys_box)
        self.key_list = QListWidget(keys_box)
        keys_layout.addWidget(self.key_list)
        row = QHBoxLayout()
        add_key = QPushButton(_("Add key file…"), keys_box)
        add_key.clicked.connect(self._choose_key_file)
        self.use_key_button = QPushButton(_("Use for exports"), keys_box)
        self.use_key_button.clicked.connect(self._use_selected_key)
        self.remove_key_button = QPushButton(_("Remove"), keys_box)
        self.remove_key_button.clicked.connect(self._remove_selected_key)
        for w in (add_key, self.use_key_button, self.remove_key_button):
            row.addWidget(w)
        row.addStretch(1)
        keys_layout.addLayout(row)
        layout.addWidget(keys_box)

        members_box = QGroupBox(_("Member institutions"), page)
        members_layout = QVBoxLayout(members_box)
        self.member_list = QListWidget(members_box)
        members_layout.addWidget(self.member_list)
        row = QHBoxLayout()
        add_member = QPushButton(_("Add member's public key…"), members_box)
        add_member.clicked.connect(self._choose_member_file)
        self.remove_member_button = QPushButton(_("Remove"), members_box)
        self.remove_member_button.clicked.connect(self._remove_selected_member)
        row.addWidget(add_member)
        row.addWidget(self.remove_member_button)
        row.addStretch(1)
        members_layout.addLayout(row)
        layout.addWidget(members_box)
        return page

    # --- showing ------------------------------------------------------------------------

    def refresh(self) -> None:
        self._refresh_keys()
        self._refresh_files()
        self._refresh_parties()
        if self.case_id is None:
            self.match_model.set_rows([])
            self.matches_summary.setText(_("Open a case to compare it with the members' "
                                           "files."))
        else:
            self.find_matches()
        self._update_enabled()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.last_error = text if error else ""
        self.message.setText(text)
        self.message.setStyleSheet(
            "QLabel { background: #fdecea; color: #8a1c1c; padding: 6px; border-radius: 3px; }"
            if error else
            "QLabel { background: #e8f4ea; color: #1d5b2a; padding: 6px; border-radius: 3px; }")
        self.message.setVisible(bool(text))
        if text:
            self.status_message.emit(text)

    def _refresh_keys(self) -> None:
        keys = self.app.exchange.keys
        try:
            identity = keys.identity()
            consortium = keys.consortium_keys()
            members = keys.members()
        except CaseappError as exc:
            self._say(str(exc), error=True)
            return
        self.identity_code.setText(identity.code if identity else self.identity_code.text())
        self.identity_name.setText(identity.name if identity else self.identity_name.text())
        self.identity_code.setReadOnly(identity is not None)
        self.identity_name.setReadOnly(identity is not None)
        self.fingerprint.setText(identity.fingerprint if identity else _("(no signing key yet)"))
        self.create_identity_button.setVisible(identity is None)
        self.export_public_button.setEnabled(identity is not None)
        self.key_list.clear()
        check = _("check value")
        for k in consortium:
            label = f"{k.key_id}   {check} {k.check}"
            if k.for_export:
                label += "   " + _("(used for exports)")
            item = QListWidgetItem(label, self.key_list)
            item.setData(Qt.ItemDataRole.UserRole, k.key_id)
        self.member_list.clear()
        for m in members:
            item = QListWidgetItem(f"{m.name} ({m.code})   {m.fingerprint}", self.member_list)
            item.setData(Qt.ItemDataRole.UserRole, m.fingerprint)

    def _refresh_files(self) -> None:
        self.files_model.removeRows(0, self.files_model.rowCount())
        files: list[PeerFileRecord] = self.app.exchange.peer_files()
        for f in files:
            state = _("in use") if f.active else _("replaced by #{id}").format(
                id=f.superseded_by_id)
            cells = [f"{f.issuer_name} ({f.issuer_code})",
                     f.created_at.astimezone().strftime("%Y-%m-%d %H:%M"), str(f.entries),
                     f.key_id, f.file_sha256[:16] + "…", state]
            items = [QStandardItem(c) for c in cells]
            items[4].setToolTip(f.file_sha256)
            items[0].setToolTip(f.file_name)
            self.files_model.appendRow(items)

    def _refresh_parties(self) -> None:
        self.party_list.blockSignals(True)
        self.party_list.clear()
        if self.case_id is not None:
            for p in self.app.parties.list(self.case_id):
                if p.role not in EXPORTED_ROLES:
                    continue
                ids = ", ".join(f"{identifier_type_label(i.type)} {i.value}"
                                for i in p.identifiers)
                item = QListWidgetItem(f"{p.name} · {party_role_label(p.role)}   {ids}",
                                       self.party_list)
                item.setData(Qt.ItemDataRole.UserRole, p.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked)
        self.party_list.blockSignals(False)
        self._update_plan()

    def selected_party_ids(self) -> list[int]:
        return [self.party_list.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.party_list.count())
                if self.party_list.item(i).checkState() == Qt.CheckState.Checked]

    def _update_plan(self) -> None:
        self.withheld_list.clear()
        if self.case_id is None:
            self.plan_label.setText("")
            return
        chosen = self.selected_party_ids()
        if not chosen:
            self.plan_label.setText(_("No suspect, agent or intermediary organisation "
                                      "chosen."))
            self._update_enabled()
            return
        try:
            plan = self.app.exchange.plan_export(self.case_id, party_ids=chosen)
        except CaseappError as exc:
            self.plan_label.setText(str(exc))
            self._update_enabled()
            return
        self.plan_label.setText(ngettext(
            "{n} hashed identifier of {p} parties will be exported.",
            "{n} hashed identifiers of {p} parties will be exported.",
            len(plan.entries)).format(n=len(plan.entries), p=len(plan.party_ids)) + (
            " " + ngettext("{n} identifier stays here:", "{n} identifiers stay here:",
                           len(plan.withheld)).format(n=len(plan.withheld))
            if plan.withheld else ""))
        for w in plan.withheld:
            QListWidgetItem(f"{identifier_type_label(w.type)} {w.value} — "
                            f"{withheld_reason_label(w.reason)}", self.withheld_list)
        self._update_enabled()

    def _update_enabled(self) -> None:
        busy = self._task is not None and self._task.running
        has_case = self.case_id is not None
        self.match_button.setEnabled(has_case and not busy)
        self.export_button.setEnabled(has_case and not busy and bool(self.selected_party_ids()))
        self.import_button.setEnabled(not busy)

    def show_item(self, object_type: str, object_id: int) -> bool:
        return False

    def _show_match_detail(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.match_detail.setText("")
            return
        m = self.match_model.match_at(current.row())
        lines = [ngettext(
            "{type} {value} is also reported by {n} other institution:",
            "{type} {value} is also reported by {n} other institutions:",
            m.institutions).format(type=identifier_type_label(m.type), value=m.value,
                                   n=m.institutions)]
        lines += ["  • " + line for line in self.match_model.data(
            current, Qt.ItemDataRole.ToolTipRole).splitlines()]
        self.match_detail.setText("\n".join(lines))

    def _open_match(self, index: QModelIndex) -> None:
        m = self.match_model.match_at(index.row())
        if m.party_id is not None:
            self.open_item.emit("party", m.party_id)
        else:
            self.open_item.emit("identifier", m.identifier_id)

    # --- background work ----------------------------------------------------------------

    def _run(self, kind: str, title: str, fn: Callable[[ProgressSink, CancelToken], Any],
             on_success: Callable[[Any], None]) -> Task:
        task = Task(fn, self)
        self._task = task
        dialog = TaskProgressDialog(task, title, self)

        def succeeded(result: object) -> None:
            on_success(result)

        def failed(message: str) -> None:
            self._say(message, error=True)

        def cancelled() -> None:
            self._say(_("Cancelled; nothing was changed."))

        def finished() -> None:
            dialog.deleteLater()
            self._task = None
            self._update_enabled()
            self.work_done.emit(kind)

        task.succeeded.connect(succeeded)
        task.failed.connect(failed)
        task.cancelled.connect(cancelled)
        task.finished.connect(finished)
        task.start()
        self._update_enabled()
        return task

    def find_matches(self) -> None:
        if self.case_id is None or (self._task is not None and self._task.running):
            return
        case_id = self.case_id
        self._run("matches", _("Comparing with the members' files"),
                  lambda progress, cancel: self.app.exchange.matches(
                      case_id, progress=progress, cancel=cancel),
                  self._show_matches)

    def _show_matches(self, result: CaseMatches) -> None:
        if result.case_id != self.case_id:
            return
        self.match_model.set_rows(result.identifiers)
        self.match_detail.setText("")
        if result.identifiers:
            self.match_table.selectRow(0)
        text = ngettext(
            "{n} identifier of this case is also reported by other institutions "
            "({checked} compared with {files} member files).",
            "{n} identifiers of this case are also reported by other institutions "
            "({checked} compared with {files} member files).",
            len(result.identifiers)).format(n=len(result.identifiers), checked=result.checked,
                                            files=result.peer_files)
        if result.missing_keys:
            text += " " + _("Not compared: files made with consortium keys no longer "
                            "installed ({keys}).").format(keys=", ".join(result.missing_keys))
        self.matches_summary.setText(text)

    def _choose_export_file(self) -> None:
        if self.case_id is None:
            return
        case = self.app.cases.get(self.case_id)
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Export exchange file"), f"{case.number}-exchange.json",
            _("Exchange files (*.json)"))
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> Task | None:
        if self.case_id is None:
            return None
        case_id, parties = self.case_id, self.selected_party_ids()

        def done(result: ExportResult) -> None:
            self.last_export = result
            text = _("Exchange file written: {path}\nSHA-256: {sha}\n{n} hashed identifiers, "
                     "consortium key {key}.").format(path=result.path, sha=result.file_sha256,
                                                    n=result.entries, key=result.key_id)
            self.export_result.setText(text)
            self._say(_("Exported {n} hashed identifiers to {name}.").format(
                n=result.entries, name=result.path.name))
            self.data_changed.emit()

        return self._run("export", _("Exporting the exchange file"),
                         lambda progress, cancel: self.app.exchange.export_case(
                             case_id, path, party_ids=parties, progress=progress,
                             cancel=cancel), done)

    def _choose_import_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Import a member's exchange file"), "", _("Exchange files (*.json)"))
        if path:
            self.import_from(Path(path))

    def import_from(self, path: Path) -> Task:
        def done(result: ImportResult) -> None:
            self.last_import = result
            self._say(ngettext(
                "Imported {file} from {name} ({code}): {n} entry; {m} of your identifiers "
                "match.",
                "Imported {file} from {name} ({code}): {n} entries; {m} of your identifiers "
                "match.", result.entries).format(
                    file=result.file_name, name=result.issuer_name, code=result.issuer_code,
                    n=result.entries, m=result.matched_identifiers))
            self._refresh_files()
            self.data_changed.emit()
            if self.case_id is not None:
                # Chained after this task has finished (see _after_import).
                self._pending_match = True

        self._pending_match = False
        task = self._run("import", _("Importing the exchange file"),
                         lambda progress, cancel: self.app.exchange.import_file(
                             path, progress=progress, cancel=cancel), done)
        task.finished.connect(self._after_import)
        return task

    def _after_import(self) -> None:
        if self._pending_match:
            self._pending_match = False
            self.find_matches()

    # --- keys ---------------------------------------------------------------------------

    def _key_action(self, action: Callable[[], str]) -> bool:
        try:
            message = action()
        except CaseappError as exc:
            self._say(str(exc), error=True)
            return False
        self._say(message)
        self._refresh_keys()
        self._update_plan()
        return True

    def _create_identity(self) -> None:
        self.create_identity(self.identity_code.text(), self.identity_name.text())

    def create_identity(self, code: str, name: str) -> bool:
        def act() -> str:
            identity = self.app.exchange.keys.create_identity(code, name,
                                                              now=self.app.ctx.clock())
            return _("Signing key of {name} ({code}) created; fingerprint {fingerprint}.").format(
                name=identity.name, code=identity.code, fingerprint=identity.fingerprint)
        return self._key_action(act)

    def _choose_public_key_file(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Export public key"), "public-key.json", _("Key files (*.json)"))
        if path:
            self.export_public_key_to(Path(path))

    def export_public_key_to(self, path: Path) -> bool:
        def act() -> str:
            try:
                path.write_bytes(self.app.exchange.keys.public_key_file())
            except OSError as exc:
                raise CaseappError(_("Cannot write {path}: {error}").format(
                    path=path, error=exc.strerror or exc)) from exc
            return _("Public key written to {path}.").format(path=path)
        return self._key_action(act)

    def _choose_key_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Add consortium key file"), "", _("Key files (*.json)"))
        if path:
            self.add_consortium_key_file(Path(path))

    def add_consortium_key_file(self, path: Path) -> bool:
        def act() -> str:
            key = self.app.exchange.keys.add_consortium_key(_read(path), path.name)
            return _("Consortium key {key_id} installed (check value {check}).").format(
                key_id=key.key_id, check=key.check)
        return self._key_action(act)

    def _selected(self, widget: QListWidget) -> str | None:
        item = widget.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def _use_selected_key(self) -> None:
        key_id = self._selected(self.key_list)
        if key_id:
            self._key_action(lambda: _("Exports now use the consortium key {key_id}.").format(
                key_id=self.app.exchange.keys.use_for_export(key_id).key_id))

    def _remove_selected_key(self) -> None:
        key_id = self._selected(self.key_list)
        if key_id:
            def act() -> str:
                self.app.exchange.keys.remove_consortium_key(key_id)
                return _("Consortium key {key_id} removed.").format(key_id=key_id)
            self._key_action(act)

    def _choose_member_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Add a member's public key"), "", _("Key files (*.json *.pub)"))
        if path:
            self.add_member_file(Path(path))

    def add_member_file(self, path: Path) -> bool:
        def act() -> str:
            member = self.app.exchange.keys.add_member(_read(path), path.name,
                                                       now=self.app.ctx.clock())
            return _("Member {name} ({code}) added. Check the fingerprint {fingerprint} with "
                     "them on another channel.").format(
                         name=member.name, code=member.code, fingerprint=member.fingerprint)
        return self._key_action(act)

    def _remove_selected_member(self) -> None:
        fingerprint = self._selected(self.member_list)
        if fingerprint:
            def act() -> str:
                removed = self.app.exchange.keys.remove_member(fingerprint)
                return _("Removed the key of {code}.").format(code=removed[0].code)
            self._key_action(act)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CaseappError(_("Cannot read {path}: {error}").format(
            path=path, error=exc.strerror or exc)) from exc
