"""The undercover-contact form: every field of SPEC §2 (cover persona, channel, counterpart
account and party, times, location, services offered, fees with basis and deposit, claims,
summary, transcript) and attachments added by drag-and-drop or the file picker."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from caseapp.app import App
from caseapp.domain.enums import ContactChannel
from caseapp.domain.errors import InvalidInputError
from caseapp.domain.labels import channel_label, identifier_type_label, party_role_label
from caseapp.i18n import _, ngettext
from caseapp.services.contacts import ContactFields
from caseapp.services.records import ContactRecord, PartyRecord
from caseapp.ui.widgets.evidence_files import FileDropArea, evidence_thumbnail, pick_files
from caseapp.ui.widgets.objects_common import format_size, muted, run_file_work

_AMOUNT_PATTERN = r"^\s*[0-9]{0,12}([.][0-9]{0,2})?\s*$"


def parse_amount(text: str, what: str) -> Decimal | None:
    text = text.strip().replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidInputError(_("{what}: {text!r} is not an amount in yuan.").format(
            what=what, text=text)) from None
    if value < 0:
        raise InvalidInputError(_("{what} cannot be negative.").format(what=what))
    return value.quantize(Decimal("0.01"))


def _to_qt(value: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(value.timestamp()))


def _from_qt(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), UTC)


def _text_edit(parent: QWidget, height: int, placeholder: str = "",
               maximum: int | None = None) -> QPlainTextEdit:
    edit = QPlainTextEdit(parent)
    edit.setMinimumHeight(height)
    edit.setMaximumHeight(maximum or int(height * 1.6))
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    return edit


class ContactForm(QWidget):
    """Edits one contact (or a new one). The owner saves it with :func:`save_contact`."""

    changed = Signal()
    attachment_opened = Signal(int)  # evidence id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.contact: ContactRecord | None = None
        self.pending: list[Path] = []
        self._parties: list[PartyRecord] = []
        self._loading = False

        self.investigator_edit = QLineEdit(self)
        self.persona_edit = QLineEdit(self)
        self.persona_edit.setPlaceholderText(_("e.g. 信用卡逾期8万元的个体户“小陈”"))
        self.channel_combo = QComboBox(self)
        for ch in ContactChannel:
            self.channel_combo.addItem(channel_label(ch), ch.value)
        self.start_edit = QDateTimeEdit(self)
        self.end_edit = QDateTimeEdit(self)
        for edit in (self.start_edit, self.end_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.has_end = QCheckBox(_("ended at"), self)
        self.location_edit = QLineEdit(self)
        self.location_edit.setPlaceholderText(_("only for meetings in person"))

        self.account_edit = QLineEdit(self)
        self.account_edit.setPlaceholderText(_("the phone number, WeChat ID or account used"))
        self.identifier_combo = QComboBox(self)
        self.party_combo = QComboBox(self)

        self.services_edit = _text_edit(self, 48, _("e.g. 停息挂账、个性化分期、代写投诉信"))
        self.fee_edit = QLineEdit(self)
        self.deposit_edit = QLineEdit(self)
        validator = QRegularExpressionValidator()
        from PySide6.QtCore import QRegularExpression

        validator.setRegularExpression(QRegularExpression(_AMOUNT_PATTERN))
        for edit in (self.fee_edit, self.deposit_edit):
            edit.setValidator(validator)
            edit.setPlaceholderText(_("yuan"))
            edit.setMaximumWidth(140)
        self.fee_basis_edit = QLineEdit(self)
        self.fee_basis_edit.setPlaceholderText(_("e.g. 逾期总额的10%，分期成功后支付"))
        self.claims_edit = _text_edit(self, 60, _("one claim per line, e.g. 团队有律师"))
        self.summary_edit = _text_edit(self, 60)
        self.transcript_edit = _text_edit(self, 220, maximum=16777215)

        self.attachment_list = QListWidget(self)
        self.attachment_list.setMinimumHeight(70)
        self.attachment_list.setIconSize(self.attachment_list.iconSize() * 2)
        self.drop_area = FileDropArea(
            _("Drop screenshots, recordings or chat exports here, or click to choose files. "
              "They are hashed and kept as evidence when the contact is saved."), self)
        self.add_files_button = QPushButton(_("Add files…"), self)
        self.remove_pending_button = QPushButton(_("Remove"), self)
        self.attachment_note = muted("", self)

        basics = QGroupBox(_("Contact"), self)
        grid = QGridLayout(basics)
        grid.addWidget(muted(_("Investigator"), self), 0, 0)
        grid.addWidget(self.investigator_edit, 0, 1)
        grid.addWidget(muted(_("Channel"), self), 0, 2)
        grid.addWidget(self.channel_combo, 0, 3)
        grid.addWidget(muted(_("Cover persona"), self), 1, 0)
        grid.addWidget(self.persona_edit, 1, 1, 1, 3)
        grid.addWidget(muted(_("Started at"), self), 2, 0)
        grid.addWidget(self.start_edit, 2, 1)
        end_row = QHBoxLayout()
        end_row.addWidget(self.has_end)
        end_row.addWidget(self.end_edit, 1)
        grid.addLayout(end_row, 2, 2, 1, 2)
        grid.addWidget(muted(_("Location"), self), 3, 0)
        grid.addWidget(self.location_edit, 3, 1, 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

        counterpart = QGroupBox(_("Counterpart"), self)
        cform = QFormLayout(counterpart)
        cform.addRow(_("Account"), self.account_edit)
        cform.addRow(_("Known identifier"), self.identifier_combo)
        cform.addRow(_("Party"), self.party_combo)

        offer = QGroupBox(_("What was offered"), self)
        oform = QFormLayout(offer)
        oform.addRow(_("Services offered"), self.services_edit)
        fee_row = QHBoxLayout()
        fee_row.addWidget(self.fee_edit)
        fee_row.addWidget(muted(_("basis"), self))
        fee_row.addWidget(self.fee_basis_edit, 1)
        oform.addRow(_("Fee quoted"), fee_row)
        oform.addRow(_("Deposit"), self.deposit_edit)
        oform.addRow(_("Claims made"), self.claims_edit)

        record = QGroupBox(_("Record"), self)
        rform = QFormLayout(record)
        rform.addRow(_("Summary"), self.summary_edit)
        rform.addRow(_("Transcript"), self.transcript_edit)

        files = QGroupBox(_("Attachments"), self)
        flayout = QVBoxLayout(files)
        flayout.addWidget(self.attachment_list)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_files_button)
        buttons.addWidget(self.remove_pending_button)
        buttons.addWidget(self.attachment_note, 1)
        flayout.addLayout(buttons)
        flayout.addWidget(self.drop_area)

        inner = QWidget(self)
        inner_layout = QVBoxLayout(inner)
        inner_layout.setContentsMargins(0, 0, 6, 0)
        for box in (basics, counterpart, offer, record, files):
            inner_layout.addWidget(box)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

        self.has_end.toggled.connect(self.end_edit.setEnabled)
        self.drop_area.files_dropped.connect(self.add_pending)
        self.add_files_button.clicked.connect(self._pick)
        self.remove_pending_button.clicked.connect(self._remove_pending)
        self.identifier_combo.currentIndexChanged.connect(self._identifier_chosen)
        self.attachment_list.itemDoubleClicked.connect(self._open_attachment)
        for edit in (self.investigator_edit, self.persona_edit, self.location_edit,
                     self.account_edit, self.fee_edit, self.deposit_edit, self.fee_basis_edit):
            edit.textChanged.connect(self._emit_changed)
        for text in (self.services_edit, self.claims_edit, self.summary_edit,
                     self.transcript_edit):
            text.textChanged.connect(self._emit_changed)
        for combo in (self.channel_combo, self.identifier_combo, self.party_combo):
            combo.currentIndexChanged.connect(self._emit_changed)
        self.load(None)

    def _emit_changed(self) -> None:
        if not self._loading:
            self.changed.emit()

    # --- choices --------------------------------------------------------------------------

    def set_parties(self, parties: list[PartyRecord]) -> None:
        self._parties = list(parties)
        party_id = self.party_combo.currentData()
        ident_id = self.identifier_combo.currentData()
        self._loading = True
        self.party_combo.clear()
        self.party_combo.addItem(_("(none)"), None)
        for p in parties:
            self.party_combo.addItem(f"{p.name} · {party_role_label(p.role)}", p.id)
        self.identifier_combo.clear()
        self.identifier_combo.addItem(_("(none)"), None)
        for p in parties:
            for i in p.identifiers:
                self.identifier_combo.addItem(
                    f"{identifier_type_label(i.type)} {i.value} — {p.name}", i.id)
        self._select(self.party_combo, party_id)
        self._select(self.identifier_combo, ident_id)
        self._loading = False

    @staticmethod
    def _select(combo: QComboBox, value: object) -> None:
        index = combo.findData(value)
        combo.setCurrentIndex(index if index >= 0 else 0)

    def _identifier_chosen(self) -> None:
        ident_id = self.identifier_combo.currentData()
        if ident_id is None or self._loading:
            return
        for p in self._parties:
            for i in p.identifiers:
                if i.id == ident_id:
                    if self.party_combo.currentData() is None:
                        self._select(self.party_combo, p.id)
                    if not self.account_edit.text().strip():
                        self.account_edit.setText(i.value)

    # --- loading and reading --------------------------------------------------------------

    def load(self, contact: ContactRecord | None, *, party_id: int | None = None,
             investigator: str = "") -> None:
        """Show a contact, or an empty form for a new one (optionally with its party)."""
        self._loading = True
        self.contact = contact
        self.pending = []
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        c = contact
        self.investigator_edit.setText(c.investigator if c else investigator)
        self.persona_edit.setText(c.cover_persona if c else "")
        self._select(self.channel_combo, c.channel if c else ContactChannel.WECHAT.value)
        self.start_edit.setDateTime(_to_qt(c.started_at if c else now))
        self.has_end.setChecked(bool(c and c.ended_at))
        self.end_edit.setEnabled(bool(c and c.ended_at))
        self.end_edit.setDateTime(_to_qt(c.ended_at if c and c.ended_at else now))
        self.location_edit.setText(c.location if c else "")
        self.account_edit.setText(c.counterpart_account if c else "")
        self._select(self.identifier_combo, c.counterpart_identifier_id if c else None)
        self._select(self.party_combo, c.party_id if c else party_id)
        self.services_edit.setPlainText(c.services_offered if c else "")
        self.fee_edit.setText(str(c.fee_amount) if c and c.fee_amount is not None else "")
        self.fee_basis_edit.setText(c.fee_basis if c else "")
        self.deposit_edit.setText(
            str(c.deposit_amount) if c and c.deposit_amount is not None else "")
        self.claims_edit.setPlainText("\n".join(c.claims) if c else "")
        self.summary_edit.setPlainText(c.summary if c else "")
        self.transcript_edit.setPlainText(c.transcript if c else "")
        self._loading = False
        self._refresh_attachments()

    def fields(self) -> ContactFields:
        """The form as service input; raises InvalidInputError on a bad amount."""
        start = _from_qt(self.start_edit.dateTime())
        end = _from_qt(self.end_edit.dateTime()) if self.has_end.isChecked() else None
        claims = [line.strip() for line in self.claims_edit.toPlainText().splitlines()]
        return ContactFields(
            channel=self.channel_combo.currentData(),
            started_at=start,
            ended_at=end,
            summary=self.summary_edit.toPlainText().strip(),
            investigator=self.investigator_edit.text().strip(),
            cover_persona=self.persona_edit.text().strip(),
            counterpart_account=self.account_edit.text().strip(),
            counterpart_identifier_id=self.identifier_combo.currentData(),
            party_id=self.party_combo.currentData(),
            location=self.location_edit.text().strip(),
            services_offered=self.services_edit.toPlainText().strip(),
            fee_amount=parse_amount(self.fee_edit.text(), _("Fee quoted")),
            fee_basis=self.fee_basis_edit.text().strip(),
            deposit_amount=parse_amount(self.deposit_edit.text(), _("Deposit")),
            claims=[c for c in claims if c],
            transcript=self.transcript_edit.toPlainText(),
        )

    # --- attachments ----------------------------------------------------------------------

    def _pick(self) -> None:
        paths = pick_files(self, _("Attach files to the contact"))
        if paths:
            self.add_pending(paths)

    def add_pending(self, paths: list[Path]) -> None:
        for path in paths:
            if path not in self.pending:
                self.pending.append(Path(path))
        self._refresh_attachments()
        self.changed.emit()

    def _open_attachment(self, item: QListWidgetItem) -> None:
        evidence_id = item.data(Qt.ItemDataRole.UserRole + 1)
        if evidence_id is not None:
            self.attachment_opened.emit(int(evidence_id))

    def _remove_pending(self) -> None:
        for item in self.attachment_list.selectedItems():
            path = item.data(Qt.ItemDataRole.UserRole)
            if isinstance(path, Path) and path in self.pending:
                self.pending.remove(path)
        self._refresh_attachments()

    def _refresh_attachments(self) -> None:
        self.attachment_list.clear()
        if self.contact is not None:
            for ev in self.contact.attachments:
                item = QListWidgetItem(f"{ev.title} · {format_size(ev.size)} · "
                                       f"SHA-256 {ev.sha256[:12]}…")
                item.setData(Qt.ItemDataRole.UserRole + 1, ev.id)
                item.setToolTip(_("{name} — double-click to open the evidence").format(
                    name=ev.original_name))
                self.attachment_list.addItem(item)
        for path in self.pending:
            item = QListWidgetItem(_("{name} (new, saved with the contact)").format(
                name=path.name))
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setIcon(evidence_thumbnail(path, _guess_media_type(path), 32))
            self.attachment_list.addItem(item)
        stored = len(self.contact.attachments) if self.contact else 0
        self.attachment_note.setText(
            ngettext("{n} file kept as evidence", "{n} files kept as evidence", stored).format(
                n=stored)
            + ("" if not self.pending else " · " + ngettext(
                "{n} new file to add", "{n} new files to add", len(self.pending)).format(
                n=len(self.pending))))
        self.remove_pending_button.setEnabled(bool(self.pending))


def _guess_media_type(path: Path) -> str:
    import mimetypes

    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def save_contact(parent: QWidget, app: App, case_id: int, form: ContactForm
                 ) -> ContactRecord | None:
    """Save the form (new or existing contact) and its new attachments; files are hashed and
    copied in a worker behind a progress dialog. Errors are shown; None when nothing saved."""
    from caseapp.ui.widgets.objects_common import show_error

    try:
        fields = form.fields()
    except InvalidInputError as exc:
        show_error(parent, _("Cannot save the contact"), str(exc))
        return None
    contact, pending = form.contact, list(form.pending)
    title = _("Saving the contact")
    if contact is None:
        result = run_file_work(parent, title, lambda progress, cancel: app.contacts.add(
            case_id, fields, attachments=pending, progress=progress, cancel=cancel))
    else:
        def work(progress: object, cancel: object) -> ContactRecord:
            updated = app.contacts.update(contact.id, fields,
                                          expected_version=contact.version)
            if pending:
                updated = app.contacts.add_attachments(contact.id, pending,
                                                       progress=progress,  # type: ignore[arg-type]
                                                       cancel=cancel)  # type: ignore[arg-type]
            return updated

        result = run_file_work(parent, title, work)
    if result is not None:
        form.load(result)
    return result
