"""Parties, contacts, evidence and timeline views: item models tested directly, main flows
driven through the widgets (dialogs answered in code, drops sent as real drop events)."""

from __future__ import annotations

import struct
import wave
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage, QPainter, QPdfWriter
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from caseapp.app import App, open_app
from caseapp.domain.enums import PartyRole
from caseapp.services.contacts import ContactFields
from caseapp.services.timeline import TimelineKind
from caseapp.ui.dialogs.evidence_link_dialog import EvidenceLinkDialog
from caseapp.ui.dialogs.party_dialog import PartyDialog, split_aliases
from caseapp.ui.dialogs.party_merge_dialog import PartyMergeDialog
from caseapp.ui.dialogs.timeline_event_dialog import TimelineEventDialog
from caseapp.ui.models.contact_table_model import ContactTableModel
from caseapp.ui.models.evidence_table_model import EvidenceTableModel
from caseapp.ui.models.party_table_model import PartyFilterProxy, PartyTableModel
from caseapp.ui.models.timeline_model import TimelineModel
from caseapp.ui.views.contacts_view import ContactsView
from caseapp.ui.views.evidence_view import EvidenceView
from caseapp.ui.views.parties_view import PartiesView
from caseapp.ui.views.timeline_view import TimelineView
from caseapp.ui.widgets.party_identifiers import IdentifierTableModel, identifier_status

Accepted = QDialog.DialogCode.Accepted
Rejected = QDialog.DialogCode.Rejected


@pytest.fixture
def ui_app(tmp_path: Path) -> Iterator[App]:
    application = open_app(tmp_path / "ws", actor="tester")
    yield application
    application.close()


@pytest.fixture
def case_id(ui_app: App) -> int:
    return ui_app.cases.create(title="测试案", number="T-1").id


@pytest.fixture(autouse=True)
def no_message_boxes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Error dialogs would block: record them instead."""
    shown: list[tuple[str, str]] = []

    def warning(parent: Any, title: str, text: str, *args: Any) -> Any:
        shown.append((title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", warning)
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    return shown


def answer(monkeypatch: pytest.MonkeyPatch, dialog_class: type, fill: Any,
           result: QDialog.DialogCode = Accepted) -> list[Any]:
    """Make `dialog_class.exec` fill the dialog in code and return `result`."""
    seen: list[Any] = []

    def exec_(self: Any) -> QDialog.DialogCode:
        seen.append(self)
        fill(self)
        return result

    monkeypatch.setattr(dialog_class, "exec", exec_)
    return seen


def drop_files(widget: QWidget, paths: list[Path]) -> bool:
    """Send a real drag-enter and drop of local files to a widget; True when accepted."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)
    return drop.isAccepted()


def make_png(path: Path, color: str = "#3366cc") -> Path:
    image = QImage(120, 80, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    assert image.save(str(path), "PNG")
    return path


def make_pdf(path: Path) -> Path:
    writer = QPdfWriter(str(path))
    painter = QPainter(writer)
    painter.drawText(100, 100, "Receipt")
    painter.end()
    return path


def make_wav(path: Path, seconds: float = 1.0) -> Path:
    rate = 8000
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(struct.pack("<h", (i * 37) % 2000 - 1000)
                               for i in range(int(rate * seconds))))
    return path


# --- item models ------------------------------------------------------------------------------

def test_party_models_show_validity_and_filter(qapp: Any, ui_app: App, case_id: int) -> None:
    app = ui_app
    app.parties.add(case_id, name="聚德法务", kind="org", role="intermediary",
                    identifiers=[("uscc", "91371302MAELPKL57J")])
    app.parties.add(case_id, name="王律师", role="suspect", aliases=["王大律师"],
                    identifiers=[("lawyer_license", "91110101MAGY87PN75")])
    app.parties.add(case_id, name="张三", role="complainant",
                    identifiers=[("id_card", "110101199003071234")])  # bad check digit
    model = PartyTableModel()
    model.set_rows(app.parties.list(case_id))
    assert model.rowCount() == 3 and model.columnCount() == 4
    check = [model.data(model.index(r, PartyTableModel.COL_CHECK)) for r in range(3)]
    assert check == ["all valid", "fake lawyer licence", "1 invalid"]
    assert model.data(model.index(1, 0), PartyTableModel.PartyIdRole) == model.party_at(1).id

    proxy = PartyFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_text("大律师")  # an alias
    assert proxy.rowCount() == 1
    proxy.set_text("9111 0101")  # an identifier, typed with a space
    assert proxy.rowCount() == 1
    proxy.set_text("")
    proxy.set_role("complainant")
    assert [proxy.data(proxy.index(r, 0)) for r in range(proxy.rowCount())] == ["张三"]

    idents = IdentifierTableModel()
    lawyer = app.parties.list(case_id)[1]
    idents.set_rows(lawyer.identifiers)
    status = idents.data(idents.index(0, IdentifierTableModel.COL_STATUS))
    assert status.startswith("Fake lawyer licence number")
    assert "unified social credit code" in status
    assert idents.data(idents.index(0, 0), IdentifierTableModel.ValidRole) is False
    assert identifier_status(app.parties.list(case_id)[0].identifiers[0]).valid


def test_contact_and_evidence_models(qapp: Any, ui_app: App, case_id: int, tmp_path: Path
                                     ) -> None:
    app = ui_app
    party = app.parties.add(case_id, name="杜专员")
    early = app.contacts.add(case_id, ContactFields(
        channel="phone", started_at=datetime(2025, 3, 1, 8, 0, tzinfo=UTC), party_id=party.id,
        counterpart_account="18508477852", fee_amount=Decimal("8000"),
        deposit_amount=Decimal("500"), summary="电话暗访"),
        attachments=[make_png(tmp_path / "a.png")])
    app.contacts.add(case_id, ContactFields(
        channel="wechat", started_at=datetime(2025, 3, 5, 8, 0, tzinfo=UTC),
        counterpart_account="jude_du888"))
    model = ContactTableModel()
    contacts = app.contacts.list(case_id)
    model.set_rows(list(reversed(contacts)), {party.id: party.name})  # sorted by the model
    assert model.contact_at(0).id == early.id
    assert model.data(model.index(0, ContactTableModel.COL_COUNTERPART)) == \
        "杜专员 (18508477852)"
    assert model.data(model.index(0, ContactTableModel.COL_FEE)) == "¥8,000 · deposit ¥500"
    assert model.data(model.index(0, ContactTableModel.COL_FILES)) == "1"
    assert model.data(model.index(1, ContactTableModel.COL_COUNTERPART)) == "jude_du888"

    evidence = EvidenceTableModel(app.ctx.store.path_for)
    evidence.set_rows(app.evidence.list(case_id))
    assert evidence.rowCount() == 1
    thumb = evidence.data(evidence.index(0, 0), Qt.ItemDataRole.DecorationRole)
    assert not thumb.isNull() and max(thumb.width(), thumb.height()) == 56
    assert evidence.data(evidence.index(0, EvidenceTableModel.COL_HASH),
                         Qt.ItemDataRole.ToolTipRole) == contacts[0].attachments[0].sha256


def test_timeline_model_marks_new_days_and_filters_text(qapp: Any, ui_app: App, case_id: int
                                                        ) -> None:
    app = ui_app
    for day, title in ((1, "报案"), (1, "约谈"), (3, "移送")):
        app.timeline.add_event(case_id, at=datetime(2025, 3, day, 10 + len(title), 0,
                                                    tzinfo=UTC), title=title)
    model = TimelineModel()
    model.set_rows(app.timeline.list(case_id))
    assert [model.data(model.index(r, TimelineModel.COL_TITLE)) for r in range(3)] == [
        "报案", "约谈", "移送"]
    assert [model.data(model.index(r, 0), TimelineModel.NewDayRole) for r in range(3)] == [
        True, False, True]
    model.set_rows(app.timeline.list(case_id), "移送")
    assert model.rowCount() == 1


# --- parties --------------------------------------------------------------------------------

def test_add_edit_and_merge_parties(qtbot: QtBot, ui_app: App, case_id: int,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    view = PartiesView(ui_app)
    qtbot.addWidget(view)
    view.set_case(case_id)
    changed: list[bool] = []
    view.data_changed.connect(lambda: changed.append(True))

    def fill_new(d: PartyDialog) -> None:
        d.name_edit.setText("杜专员")
        d.role_combo.setCurrentIndex(d.role_combo.findData("agent"))
        d.aliases_edit.setText("杜经理、小杜")
        d.type_combo.setCurrentIndex(d.type_combo.findData("mobile"))
        d.value_edit.setText("185 0847 7852")
        assert "✔" in d.check_label.text()
        d.add_identifier()
        d.type_combo.setCurrentIndex(d.type_combo.findData("lawyer_license"))
        d.value_edit.setText("91110101MAGY87PN75")
        assert "✖" in d.check_label.text()  # shown as fake while typing
        d.add_identifier()

    answer(monkeypatch, PartyDialog, fill_new)
    view.add_party()
    party = ui_app.parties.list(case_id)[0]
    assert party.name == "杜专员" and party.role == "agent"
    assert party.aliases == ("杜经理", "小杜")
    assert {i.type for i in party.identifiers} == {"mobile", "lawyer_license"}
    assert view.current_party().id == party.id and changed
    assert not view.detail.flag_label.isHidden()
    assert "Fake lawyer licence" in view.detail.flag_label.text()

    def fill_edit(d: PartyDialog) -> None:
        assert d.identifiers.rowCount() == 2
        d.name_edit.setText("杜某")
        lawyer_row = next(r for r in range(2)
                      if d.identifiers.identifier_at(r).type == "lawyer_license")
        d.table.selectRow(lawyer_row)
        d.remove_selected()
        d.type_combo.setCurrentIndex(d.type_combo.findData("wechat"))
        d.value_edit.setText("jude_du888")  # typed, not added: saved anyway

    answer(monkeypatch, PartyDialog, fill_edit)
    view.edit_party()
    party = ui_app.parties.get(party.id)
    assert party.name == "杜某"
    assert {i.type for i in party.identifiers} == {"mobile", "wechat"}

    other = ui_app.parties.add(case_id, name="杜经理", role=PartyRole.AGENT,
                               identifiers=[("qq", "123456789")])
    ui_app.contacts.add(case_id, ContactFields(
        channel="qq", started_at=datetime(2025, 3, 4, tzinfo=UTC), party_id=other.id))
    view.refresh()

    def fill_merge(d: PartyMergeDialog) -> None:
        keep, absorb = d.values()
        if keep.id != party.id:
            d.swap()
        keep, absorb = d.values()
        assert (keep.id, absorb.id) == (party.id, other.id)
        assert "杜经理" in d.explanation.text()

    answer(monkeypatch, PartyMergeDialog, fill_merge)
    view.select_party(other.id)
    view.merge_parties()
    parties = ui_app.parties.list(case_id)
    assert [p.id for p in parties] == [party.id]
    assert {i.type for i in parties[0].identifiers} == {"mobile", "wechat", "qq"}
    assert "杜经理" in parties[0].aliases
    assert view.model.rowCount() == 1
    assert view.detail.tabs.tabText(1) == "Undercover contacts (1)"
    opened: list[tuple[str, int]] = []
    view.open_item.connect(lambda t, i: opened.append((t, i)))
    view.detail.contacts.itemDoubleClicked.emit(view.detail.contacts.item(0))
    assert opened and opened[0][0] == "contact"


def test_new_contact_from_a_party(qtbot: QtBot, ui_app: App, case_id: int,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from caseapp.ui.dialogs.contact_dialog import ContactDialog

    party = ui_app.parties.add(case_id, name="杜专员", identifiers=[("wechat", "jude_du888")])
    view = PartiesView(ui_app)
    qtbot.addWidget(view)
    view.set_case(case_id)
    opened: list[tuple[str, int]] = []
    view.open_item.connect(lambda t, i: opened.append((t, i)))

    def fill(d: ContactDialog) -> None:
        assert d.form.party_combo.currentData() == party.id
        assert d.form.account_edit.text() == "jude_du888"  # from the party's identifier
        d.form.summary_edit.setPlainText("加微信咨询停息挂账")
        d._save()

    answer(monkeypatch, ContactDialog, fill)
    view.new_contact()
    contacts = ui_app.contacts.list(case_id)
    assert len(contacts) == 1 and contacts[0].party_id == party.id
    assert contacts[0].counterpart_identifier_id == party.identifiers[0].id
    assert opened == [("contact", contacts[0].id)]


# --- contacts -------------------------------------------------------------------------------

def test_add_a_contact_with_an_attachment(qtbot: QtBot, ui_app: App, case_id: int,
                                          tmp_path: Path) -> None:
    party = ui_app.parties.add(case_id, name="杜专员")
    view = ContactsView(ui_app)
    qtbot.addWidget(view)
    view.set_case(case_id)
    assert view.form.contact is None  # an empty case starts on a new contact
    form = view.form
    form.channel_combo.setCurrentIndex(form.channel_combo.findData("phone"))
    form.persona_edit.setText("信用卡逾期的个体户")
    form.party_combo.setCurrentIndex(form.party_combo.findData(party.id))
    form.account_edit.setText("185 0847 7852")
    form.location_edit.setText("")
    form.services_edit.setPlainText("停息挂账")
    form.fee_edit.setText("8000")
    form.fee_basis_edit.setText("逾期总额的10%")
    form.deposit_edit.setText("500")
    form.claims_edit.setPlainText("团队有律师\n\n和银行有关系\n")
    form.summary_edit.setPlainText("对方承诺三个月停息")
    form.transcript_edit.setPlainText("甲：你好……")
    form.has_end.setChecked(True)
    form.end_edit.setDateTime(form.start_edit.dateTime().addSecs(1800))
    recording = make_wav(tmp_path / "call.wav")
    assert drop_files(form.drop_area, [recording])
    assert form.pending == [recording]
    assert view.has_unsaved_changes()

    saved = view.save()
    assert saved is not None and not view.has_unsaved_changes()
    contact = ui_app.contacts.get(saved.id)
    assert contact.channel == "phone" and contact.party_id == party.id
    assert contact.fee_amount == Decimal("8000.00") and contact.deposit_amount == Decimal("500")
    assert contact.claims == ("团队有律师", "和银行有关系")
    assert contact.ended_at - contact.started_at == timedelta(minutes=30)
    assert [a.original_name for a in contact.attachments] == ["call.wav"]
    stored = ui_app.evidence.file_path(contact.attachments[0].id)
    assert stored.read_bytes() == recording.read_bytes()
    assert view.model.rowCount() == 1 and view.form.contact.id == contact.id
    assert form.attachment_list.count() == 1

    # a second file added later to the same contact, through the picker path
    form.add_pending([make_png(tmp_path / "chat.png")])
    form.summary_edit.setPlainText("补充截图")
    view.save()
    contact = ui_app.contacts.get(contact.id)
    assert contact.summary == "补充截图" and len(contact.attachments) == 2


def test_a_bad_amount_is_reported_and_nothing_saved(qtbot: QtBot, ui_app: App, case_id: int,
                                                    no_message_boxes: list[Any]) -> None:
    view = ContactsView(ui_app)
    qtbot.addWidget(view)
    view.set_case(case_id)
    view.form.fee_edit.setText(".")
    assert view.save() is None
    assert no_message_boxes and "not an amount" in no_message_boxes[0][1]
    assert ui_app.contacts.list(case_id) == []


# --- evidence -------------------------------------------------------------------------------

def test_add_evidence_by_drop_preview_verify_and_link(
        qtbot: QtBot, ui_app: App, case_id: int, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    party = ui_app.parties.add(case_id, name="杜专员")
    view = EvidenceView(ui_app)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.set_case(case_id)
    files = [make_png(tmp_path / "chat.png"), make_pdf(tmp_path / "contract.pdf"),
             make_wav(tmp_path / "call.wav"), tmp_path / "notes.txt"]
    files[3].write_bytes("微信聊天记录导出".encode("gb18030"))
    assert drop_files(view.table.viewport(), files[:2])
    assert drop_files(view.drop_area, files[2:])
    records = ui_app.evidence.list(case_id)
    assert [r.original_name for r in records] == ["chat.png", "contract.pdf", "call.wav",
                                                  "notes.txt"]
    assert view.model.rowCount() == 4

    kinds = {}
    for record in records:
        view.select_evidence(record.id)
        kinds[record.original_name] = view.detail.preview.kind
    assert kinds == {"chat.png": "image", "contract.pdf": "pdf", "call.wav": "audio",
                     "notes.txt": "text"}
    assert view.detail.preview.text.toPlainText() == "微信聊天记录导出"
    view.select_evidence(records[2].id)
    media = view.detail.preview.media
    assert media is not None
    qtbot.waitUntil(lambda: media.player.duration() > 0, timeout=10_000)

    # the record fields
    view.select_evidence(records[0].id)
    view.detail.source_edit.setPlainText("暗访中对方微信发送")
    view.detail.purpose_edit.setPlainText("证明对方承诺停息挂账")
    view.detail.kind_combo.setCurrentIndex(view.detail.kind_combo.findData("chat_export"))
    view.save_record()
    saved = ui_app.evidence.get(records[0].id)
    assert (saved.source, saved.proof_purpose, saved.kind) == (
        "暗访中对方微信发送", "证明对方承诺停息挂账", "chat_export")
    assert view.detail.hash_label.text() == saved.sha256

    # verify: intact, then altered on disk
    assert view.verify_current() is None
    assert "Intact" in view.detail.verify_label.text()
    stored = ui_app.evidence.file_path(saved.id)
    stored.chmod(0o644)
    stored.write_bytes(b"edited")
    problem = view.verify_current()
    assert problem is not None and "altered" in view.detail.verify_label.text()
    notes = [view.detail.custody.item(r, 3).text() for r in range(view.detail.custody.rowCount())]
    assert notes[-2:] == ["intact", "ALTERED"]

    # link to a party, then open it from the links tab
    def fill(d: EvidenceLinkDialog) -> None:
        d.target_combo.setCurrentIndex(d.target_combo.findData(f"party:{party.id}"))
        d.relation_combo.setEditText("收款")

    answer(monkeypatch, EvidenceLinkDialog, fill)
    view.add_link()
    links = ui_app.links.list(case_id)
    assert [(lk.from_type, lk.to_type, lk.to_id, lk.relation) for lk in links] == [
        ("evidence", "party", party.id, "收款")]
    opened: list[tuple[str, int]] = []
    view.open_item.connect(lambda t, i: opened.append((t, i)))
    view.detail.links.itemDoubleClicked.emit(view.detail.links.item(0))
    assert opened == [("party", party.id)]


def test_verify_all_names_the_altered_file(qtbot: QtBot, ui_app: App, case_id: int,
                                           tmp_path: Path,
                                           no_message_boxes: list[Any]) -> None:
    view = EvidenceView(ui_app)
    qtbot.addWidget(view)
    view.set_case(case_id)
    view.add_files([make_png(tmp_path / "a.png"), make_png(tmp_path / "b.png", "#ff0000")])
    assert view.verify_all().ok
    ev = ui_app.evidence.list(case_id)[1]
    ui_app.evidence.file_path(ev.id).unlink()
    result = view.verify_all()
    assert not result.ok and no_message_boxes
    assert "b" in no_message_boxes[-1][1] and "missing" in no_message_boxes[-1][1]


# --- timeline -------------------------------------------------------------------------------

def test_timeline_view_filters_and_manual_events(qtbot: QtBot, ui_app: App, case_id: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    party = ui_app.parties.add(case_id, name="杜专员")
    contact = ui_app.contacts.add(case_id, ContactFields(
        channel="wechat", started_at=datetime(2025, 3, 4, 6, 0, tzinfo=UTC), party_id=party.id,
        summary="首次暗访"))
    view = TimelineView(ui_app)
    qtbot.addWidget(view)
    view.set_case(case_id)
    assert view.model.rowCount() == 1

    def fill(d: TimelineEventDialog) -> None:
        from PySide6.QtCore import QDateTime

        d.at_edit.setDateTime(QDateTime.fromSecsSinceEpoch(
            int(datetime(2025, 3, 10, 2, 0, tzinfo=UTC).timestamp())))
        d.title_edit.setText("向公安机关报案")
        d.description_edit.setPlainText("携带证据材料包")

    answer(monkeypatch, TimelineEventDialog, fill)
    view.add_event()
    assert [view.model.entry_at(r).kind for r in range(2)] == [TimelineKind.CONTACT,
                                                              TimelineKind.EVENT]
    assert view.current_entry().title == "向公安机关报案"
    assert view.edit_button.isEnabled()

    view.kind_boxes[TimelineKind.EVENT].setChecked(False)
    assert view.model.rowCount() == 1
    view.kind_boxes[TimelineKind.EVENT].setChecked(True)
    view.set_date_range(datetime(2025, 3, 5).date(), None)
    assert [view.model.entry_at(r).title for r in range(view.model.rowCount())] == [
        "向公安机关报案"]
    view.set_date_range(None, None)
    view.search_edit.setText("暗访")
    assert view.model.rowCount() == 1

    view.search_edit.clear()
    opened: list[tuple[str, int]] = []
    view.open_item.connect(lambda t, i: opened.append((t, i)))
    view._activated(view.model.index(0, 2))
    assert opened == [("contact", contact.id)]

    view.table.selectRow(1)
    view.delete_event()
    assert ui_app.timeline.list(case_id, kinds=["event"]) == []
    assert view.model.rowCount() == 1


def test_split_aliases() -> None:
    assert split_aliases("杜经理、小杜, Du；  ") == ["杜经理", "小杜", "Du"]
