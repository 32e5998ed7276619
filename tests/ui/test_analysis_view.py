"""The analysis view: its item models, running the analysis, opening a comparison, accepting
a shared identifier as a suspect."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QInputDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from caseapp.app import App
from caseapp.db.models import Link
from caseapp.demo import DEMO_NUMBER
from caseapp.ui.models.analysis_models import (
    ClaimHitModel,
    GroupMemberTableModel,
    GroupTableModel,
    RepeatComplainantModel,
    SharedIdentifierModel,
)
from caseapp.ui.models.record_table_model import RecordTableModel
from caseapp.ui.views.analysis_view import AnalysisView
from caseapp.ui.widgets.rich_text import SHARED_BG


def _case_id(app: App) -> int:
    return app.cases.get(DEMO_NUMBER).id


def test_analysis_models(demo_app: App) -> None:
    report = demo_app.analysis.latest(_case_id(demo_app))
    groups = GroupTableModel()
    groups.set_rows(report.groups)
    assert groups.rowCount() == len(report.groups) and groups.columnCount() == 7
    first = report.groups[0]
    assert groups.data(groups.index(0, 0)) == "1"
    assert groups.data(groups.index(0, 1)) == str(first.size)
    assert groups.data(groups.index(0, 0), RecordTableModel.RecordRole) is first
    assert groups.data(groups.index(0, 1), Qt.ItemDataRole.TextAlignmentRole) is not None
    channel = first.channels[0][0]
    assert groups.data(groups.index(0, 4)).startswith(f"{channel} {first.channels[0][1]}")
    groups.sort(1, Qt.SortOrder.AscendingOrder)
    sizes = [int(groups.data(groups.index(r, 1))) for r in range(groups.rowCount())]
    assert sizes == sorted(sizes)

    members = GroupMemberTableModel()
    members.set_rows(demo_app.analysis.group_members(first.id))
    assert members.rowCount() == first.size
    col = GroupMemberTableModel.COL_SIMILARITY
    assert members.data(members.index(0, col)).endswith("%")
    members.sort(col, Qt.SortOrder.DescendingOrder)
    sims = [members.record(r).similarity for r in range(members.rowCount())]
    assert sims == sorted(sims, reverse=True)

    repeat = RepeatComplainantModel()
    repeat.set_rows(report.repeat_complainants)
    top = report.repeat_complainants[0]
    assert repeat.data(repeat.index(0, 1)) == f"ID number {top.key_value}"
    assert repeat.data(repeat.index(0, 3)) == str(top.count)

    shared = SharedIdentifierModel()
    parties = {p.id: p.name for p in demo_app.parties.list(_case_id(demo_app))}
    shared.party_names = parties
    shared.set_rows(report.shared_identifiers)
    rows = {shared.data(shared.index(r, 1)): r for r in range(shared.rowCount())}
    agent_row = rows["+8618508477852"]
    assert shared.data(shared.index(agent_row, 0)) == "Mobile number"
    assert shared.data(shared.index(agent_row, 6)) == "杜专员"
    lawyer_row = rows["91110101MAGY87PN75"]
    assert shared.data(shared.index(lawyer_row, 1), Qt.ItemDataRole.ForegroundRole) is not None
    assert "not valid" in shared.data(shared.index(lawyer_row, 1), Qt.ItemDataRole.ToolTipRole)

    claims = ClaimHitModel()
    claims.set_rows(report.claims)
    assert claims.rowCount() == len(report.claims) > 0
    assert claims.data(claims.index(0, 1)) == report.claims[0].external_number


def _view(qtbot: QtBot, app: App) -> AnalysisView:
    view = AnalysisView(app)
    qtbot.addWidget(view)
    view.resize(1300, 800)
    view.show()
    view.set_case(_case_id(app))
    view.wait_loaded()
    return view


def test_run_analysis_and_compare_two_members(qtbot: QtBot, demo_app: App) -> None:
    view = _view(qtbot, demo_app)
    assert view.report is not None and view.report.run_id is not None
    old_start = view.report.started_at
    changed: list[bool] = []
    view.data_changed.connect(lambda: changed.append(True))
    view.threshold.setValue(0.6)
    view.run_analysis()
    assert view.report.started_at != old_start and changed
    assert view.report.params["threshold"] == 0.6
    assert "threshold 0.6" in view.status.text()
    assert view.tabs.tabText(0) == f"Templated groups ({len(view.report.groups)})"
    # the first group is selected and its members listed
    group = view.report.groups[0]
    assert view.member_model.rowCount() == group.size
    assert group.representative_number in view.representative.toPlainText()
    selection = view.members_table.selectionModel()
    for row in (0, 3):
        selection.select(view.member_model.index(row, 0),
                         QItemSelectionModel.SelectionFlag.Select
                         | QItemSelectionModel.SelectionFlag.Rows)
    assert view.compare_button.isEnabled()
    view.compare_button.click()
    dialog = view.last_compare_dialog
    qtbot.addWidget(dialog)
    result = dialog.view.comparison
    assert {result.a.id, result.b.id} == {view.member_model.record(0).complaint.id,
                                          view.member_model.record(3).complaint.id}
    assert SHARED_BG in dialog.view.text_a.toHtml()
    assert result.comparison.shared_a > 0.5  # two copies of one template
    dialog.close()


def test_accept_shared_identifier_as_suspect(qtbot: QtBot, demo_app: App,
                                             answer: Callable[..., None]) -> None:
    view = _view(qtbot, demo_app)
    case_id = _case_id(demo_app)
    rows = {s.value: r for r, s in enumerate(view.shared_model.rows())}
    row = rows["anxin_weiquan"]
    shared = view.shared_model.record(row)
    assert shared.party_id is None
    view.tabs.setCurrentIndex(2)
    view.shared_table.selectRow(row)
    assert view.accept_button.isEnabled()

    def name_it(dialog: QInputDialog) -> None:
        assert "anxin_weiquan" in dialog.labelText()
        dialog.setTextValue("安心维权工作室")
        dialog.accept()

    answer(name_it, kind=QInputDialog)
    view.accept_button.click()
    view.wait_loaded()
    party = next(p for p in demo_app.parties.list(case_id) if p.name == "安心维权工作室")
    assert party.role == "suspect"
    assert [i.value for i in party.identifiers] == ["anxin_weiquan"]
    with demo_app.db.read() as s:
        links = s.scalar(select(func.count()).select_from(Link).where(
            Link.from_type == "party", Link.from_id == party.id))
    assert links == shared.complaints
    # the table now names the party
    rows = {s.value: r for r, s in enumerate(view.shared_model.rows())}
    assert view.shared_model.data(view.shared_model.index(rows["anxin_weiquan"], 6)) \
        == "安心维权工作室"
    # routing: an identifier selects its row, a group its group
    assert view.show_item("identifier", shared.identifier_id)
    assert view.tabs.currentIndex() == 2
    group = view.report.groups[2]
    assert view.show_item("group", group.id)
    assert view.tabs.currentIndex() == 0 and view._current_group().id == group.id
    assert not view.show_item("party", party.id)
