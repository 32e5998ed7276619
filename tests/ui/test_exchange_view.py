"""The exchange view: keys set up, an export for the open case, a member's file imported (and a
tampered one refused), matches listed — all through the view, work off the UI thread."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from caseapp.app import App, open_app
from caseapp.exchange import InstitutionReport, KeyStore
from caseapp.services.exchange import IdentifierMatch
from caseapp.ui.views.exchange_view import ExchangeMatchTableModel, ExchangeView


@pytest.fixture
def apps(tmp_path: Path) -> Iterator[tuple[App, App]]:
    a = open_app(tmp_path / "A", actor="甲")
    b = open_app(tmp_path / "B", actor="乙")
    yield a, b
    a.close()
    b.close()


def test_match_table_model() -> None:
    report = InstitutionReport(code="BANKB", name="乙银行", categories=("agent", "suspect"),
                               first_seen=date(2025, 1, 3), last_seen=date(2025, 2, 1),
                               complaints=12, customers=9)
    rows = [
        IdentifierMatch(identifier_id=5, case_id=1, type="mobile", value="+8618508477852",
                        party_id=3, party_name="杜专员", party_role="agent", local_complaints=4,
                        institutions=1, first_seen=date(2025, 1, 3),
                        last_seen=date(2025, 2, 1), reports=(report,)),
        IdentifierMatch(identifier_id=6, case_id=1, type="wechat", value="jude_du888",
                        party_id=None, party_name="", party_role="", local_complaints=2,
                        institutions=1, first_seen=None, last_seen=None, reports=(report,)),
    ]
    model = ExchangeMatchTableModel()
    model.set_rows(rows)
    assert (model.rowCount(), model.columnCount()) == (2, 7)
    cell = model.data
    assert cell(model.index(0, model.COL_TYPE)) == "Mobile number"
    assert cell(model.index(0, model.COL_PARTY)) == "杜专员 · Agent"
    assert cell(model.index(1, model.COL_PARTY)) == "(found in complaints)"
    assert cell(model.index(0, model.COL_INSTITUTIONS)) == 1
    assert cell(model.index(0, model.COL_FIRST)) == "2025-01-03"
    assert cell(model.index(1, model.COL_FIRST)) == ""
    assert cell(model.index(0, model.COL_REPORTED_AS)) == "Agent, Suspect"
    assert "乙银行 (BANKB)" in cell(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    assert cell(model.index(0, 0), model.PartyIdRole) == 3
    assert cell(model.index(1, 0), model.IdentifierIdRole) == 6


def test_exchange_through_the_view(qtbot: QtBot, apps: tuple[App, App],
                                   tmp_path: Path) -> None:
    a, b = apps
    key_file = tmp_path / "alliance.key.json"
    key_file.write_bytes(KeyStore.new_consortium_key_file("alliance-2025", now=a.ctx.clock()))
    b.exchange.keys.create_identity("BANKB", "乙银行", now=b.ctx.clock())
    b.exchange.keys.add_consortium_key(key_file.read_bytes(), key_file.name)
    (tmp_path / "b.pub").write_bytes(b.exchange.keys.public_key_file())

    view = ExchangeView(a)
    qtbot.addWidget(view)
    view.resize(1000, 640)
    assert view.view_title() == "Blacklist exchange"
    # Keys, set up in the view.
    assert view.create_identity("BANKA", "甲银行")
    assert view.fingerprint.text() == a.exchange.keys.require_identity().fingerprint
    assert not view.create_identity_button.isVisible()
    assert view.add_consortium_key_file(key_file)
    assert "alliance-2025" in view.key_list.item(0).text()
    assert not view.add_member_file(tmp_path / "missing.pub")
    assert "Cannot read" in view.last_error
    assert view.add_member_file(tmp_path / "b.pub")
    assert "乙银行 (BANKB)" in view.member_list.item(0).text()
    assert view.export_public_key_to(tmp_path / "a.pub")
    b.exchange.keys.add_member((tmp_path / "a.pub").read_bytes(), "a.pub", now=b.ctx.clock())

    # A case with an agent and a customer.
    case = a.cases.create(title="甲案")
    agent = a.parties.add(case.id, name="杜专员", role="agent",
                          identifiers=[("mobile", "185 0847 7852"), ("wechat", "jude_du888"),
                                       ("id_card", "420106198706068903")])
    a.parties.add(case.id, name="张三", role="complainant",
                  identifiers=[("mobile", "13800001111")])
    with qtbot.waitSignal(view.work_done, timeout=20_000) as done:
        view.set_case(case.id)
    assert done.args == ["matches"] and view.match_model.rowCount() == 0
    # Only the agent is offered for export; the customer never is.
    assert view.party_list.count() == 1 and view.selected_party_ids() == [agent.id]
    assert "2 hashed identifiers of 1 parties" in view.plan_label.text()
    assert view.withheld_list.count() == 1  # the ID number stays here
    view.party_list.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert not view.export_button.isEnabled()
    view.party_list.item(0).setCheckState(Qt.CheckState.Checked)
    assert view.export_button.isEnabled()

    out = tmp_path / "甲案.json"
    with qtbot.waitSignal(view.work_done, timeout=20_000) as done:
        view.export_to(out)
    assert done.args == ["export"], view.last_error
    assert view.last_export is not None
    assert view.last_export.file_sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    assert view.last_export.file_sha256 in view.export_result.text()
    assert b"13800001111" not in out.read_bytes()

    # B reports the same agent phone; A imports B's file in the view.
    case_b = b.cases.create(title="乙案")
    b.parties.add(case_b.id, name="杜某", role="suspect", identifiers=[("mobile", "18508477852")])
    from_b = b.exchange.export_case(case_b.id, tmp_path / "from_b.json").path
    tampered = tmp_path / "tampered.json"
    tampered.write_bytes(from_b.read_bytes().replace(b'"version": 1', b'"version": 2'))
    with qtbot.waitSignal(view.work_done, timeout=20_000) as done:
        view.import_from(tampered)
    assert done.args == ["import"]
    assert "tampered.json: refused" in view.last_error and not view.message.isHidden()
    assert view.files_model.rowCount() == 0

    with qtbot.waitSignals([view.work_done, view.work_done], timeout=30_000):
        view.import_from(from_b)
    assert view.last_error == "" and view.files_model.rowCount() == 1
    assert view.last_import is not None and view.last_import.matched_identifiers == 1
    qtbot.waitUntil(lambda: view.match_model.rowCount() == 1, timeout=20_000)
    model = view.match_model
    assert model.data(model.index(0, model.COL_VALUE)) == "+8618508477852"
    assert model.data(model.index(0, model.COL_INSTITUTIONS)) == 1
    assert "1 identifier of this case is also reported" in view.matches_summary.text()
    assert "乙银行 (BANKB): Suspect" in view.match_detail.text()
    with qtbot.waitSignal(view.open_item) as opened:
        view.match_table.doubleClicked.emit(model.index(0, 1))
    assert opened.args == ["party", agent.id]

    if os.environ.get("CASEAPP_SCREENSHOTS"):
        shots = Path(os.environ["CASEAPP_SCREENSHOTS"])
        shots.mkdir(parents=True, exist_ok=True)
        for i in range(view.tabs.count()):
            view.tabs.setCurrentIndex(i)
            view.grab().save(str(shots / f"exchange_view_{i}.png"))
