"""The complaints table model (windowed cache over the service) and the complaints view:
filters, search, details with highlighted identifiers, comparison."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from caseapp.app import App
from caseapp.demo import DEMO_NUMBER
from caseapp.services.complaint_queries import ComplaintQuery
from caseapp.ui.dialogs.compare_dialog import CompareDialog
from caseapp.ui.models.complaint_table_model import ComplaintTableModel
from caseapp.ui.views.complaints_view import ComplaintsView
from caseapp.ui.widgets.rich_text import IDENTIFIER_BG, INVALID_BG, PARTY_BG, SHARED_BG


def _case_id(app: App) -> int:
    return app.cases.get(DEMO_NUMBER).id


def test_model_shows_the_first_rows_then_the_count(qtbot: QtBot, demo_app: App) -> None:
    model = ComplaintTableModel(demo_app.complaint_queries)
    model.BLOCK = 50
    case_id = _case_id(demo_app)
    with qtbot.waitSignal(model.ids_loaded, timeout=30_000) as loaded:
        model.set_case(case_id)
        # the first rows are there at once; the others are listed in a worker
        assert model.rowCount() == 50 and model.total is None
        assert model.data(model.index(0, 0)) is not None
    assert loaded.args == [228]
    assert model.rowCount() == 228 and model.total == 228
    ids = demo_app.complaint_queries.ordered_ids(case_id)
    assert [model.complaint_id(r) for r in range(228)] == ids
    assert model.data(model.index(227, 0)) == demo_app.complaints.get(ids[-1]).external_number
    # a query with fewer rows than a block is complete at once
    model.set_query(ComplaintQuery(search="住院证明"))
    assert model.total == model.rowCount() == demo_app.complaint_queries.count(
        case_id, ComplaintQuery(search="住院证明")) < 50


def test_model_reads_blocks_on_demand(demo_app: App) -> None:
    model = ComplaintTableModel(demo_app.complaint_queries, background=False)
    model.BLOCK = 20
    model.MAX_BLOCKS = 3
    case_id = _case_id(demo_app)
    model.set_case(case_id)
    ids = demo_app.complaint_queries.ordered_ids(case_id)
    assert model.rowCount() == len(ids) == 228 and model.columnCount() == 9
    assert model.blocks_read == 0 and model.cached_blocks() == 1  # the first rows only
    last = model.index(227, ComplaintTableModel.COL_NUMBER)
    record = demo_app.complaints.get(ids[-1])
    assert model.data(last) == record.external_number
    assert model.data(last, ComplaintTableModel.ComplaintIdRole) == ids[-1]
    assert model.blocks_read == 1
    model.data(model.index(221, 0))  # same block: no new read
    assert model.blocks_read == 1
    for row in range(0, 228, 7):
        model.data(model.index(row, ComplaintTableModel.COL_CUSTOMER))
    assert model.cached_blocks() == 3  # bounded
    amount = model.index(0, ComplaintTableModel.COL_AMOUNT)
    assert model.data(amount, Qt.ItemDataRole.TextAlignmentRole) is not None
    first = demo_app.complaints.get(ids[0])
    assert model.data(model.index(0, ComplaintTableModel.COL_CUSTOMER)) == first.customer_name
    assert model.data(model.index(0, ComplaintTableModel.COL_TEXT),
                      Qt.ItemDataRole.ToolTipRole).startswith(first.text[:10])
    group_cells = {model.data(model.index(r, ComplaintTableModel.COL_GROUP)) for r in range(228)}
    assert "1" in group_cells and "" in group_cells


def test_model_sorts_and_filters_through_the_service(demo_app: App) -> None:
    model = ComplaintTableModel(demo_app.complaint_queries, background=False)
    case_id = _case_id(demo_app)
    model.set_case(case_id)
    model.sort(ComplaintTableModel.COL_NUMBER, Qt.SortOrder.DescendingOrder)
    numbers = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    assert numbers == sorted(numbers, reverse=True)
    assert model.sort_column() == ComplaintTableModel.COL_NUMBER
    model.sort(ComplaintTableModel.COL_TEXT)  # not sortable: unchanged
    assert [model.data(model.index(r, 0)) for r in range(5)] == numbers[:5]
    model.set_query(ComplaintQuery(search="住院证明", sort="external_number"))
    expected = demo_app.complaint_queries.count(case_id, ComplaintQuery(search="住院证明"))
    assert 0 < model.rowCount() == expected
    row = model.row_of(model.complaint_id(3))
    assert row == 3
    model.set_case(None)
    assert model.rowCount() == 0


def _view(qtbot: QtBot, app: App) -> ComplaintsView:
    view = ComplaintsView(app)
    qtbot.addWidget(view)
    view.resize(1300, 800)
    view.show()
    view.set_case(_case_id(app))
    view.wait_loaded()
    return view


def test_view_filters(qtbot: QtBot, demo_app: App) -> None:
    view = _view(qtbot, demo_app)
    case_id = _case_id(demo_app)
    facets = demo_app.complaint_queries.facets(case_id)
    assert view.model.rowCount() == 228 and view.count_label.text() == "228 complaints"
    category, n = facets.categories[1]
    view.category_combo.setCurrentIndex(view.category_combo.findData(category))
    assert view.model.rowCount() == n
    assert view.count_label.text() == f"{n} of 228 complaints"
    channel = facets.channels[0][0]
    view.channel_combo.setCurrentIndex(view.channel_combo.findData(channel))
    view.wait_loaded()
    both = demo_app.complaint_queries.count(case_id, ComplaintQuery(category=category,
                                                                      channel=channel))
    assert view.model.rowCount() == both
    view.clear_filters()
    view.wait_loaded()
    assert view.model.rowCount() == 228
    view.from_check.setChecked(True)
    view.from_date.setDate(QDate(2025, 3, 1))
    view.wait_loaded()
    rows = [view.model.record(r) for r in range(view.model.rowCount())]
    assert rows and all(r.received_at.astimezone().date() >= date(2025, 3, 1) for r in rows)
    view.clear_filters()
    group = facets.groups[0]
    view.group_combo.setCurrentIndex(view.group_combo.findData(group.id))
    assert view.model.rowCount() == group.size
    view.clear_filters()
    view.search_edit.setText("住院证明")
    assert view.model.query.search == ""  # debounced: applied after a pause in typing
    qtbot.waitUntil(lambda: view.model.query.search == "住院证明", timeout=3000)
    view.wait_loaded()
    assert view.model.rowCount() == demo_app.complaint_queries.count(
        case_id, ComplaintQuery(search="住院证明"))


def test_details_highlight_identifiers_and_compare(qtbot: QtBot, demo_app: App) -> None:
    view = _view(qtbot, demo_app)
    case_id = _case_id(demo_app)
    # a complaint naming the agency's phone and WeChat in its text (the agent is a party)
    cid = demo_app.complaint_queries.ordered_ids(case_id, ComplaintQuery(
        search="jude_du888"))[0]
    assert view.show_item("complaint", cid)
    assert view.current_complaint_id() == cid
    html = view.detail.toHtml()
    detail = demo_app.complaint_queries.detail(cid)
    assert detail.complaint.external_number in html
    assert PARTY_BG in html  # jude_du888 belongs to the party 杜专员
    assert "Templated group" in html and view.group_button.isEnabled()
    # the fake lawyer licence is marked as invalid
    lawyer = demo_app.complaint_queries.ordered_ids(case_id, ComplaintQuery(
        search="91110101MAGY87PN75"))[0]
    view.show_item("complaint", lawyer)
    assert INVALID_BG in view.detail.toHtml()
    # identifier filter from a mention
    mention = next(m for m in detail.mentions if m.field == "text")
    assert view.show_item("identifier", mention.identifier_id)
    assert view.identifier_chip.isVisible()
    mentioning = demo_app.complaint_queries.count(case_id, ComplaintQuery(
        identifier_id=mention.identifier_id))
    assert view.model.rowCount() == mentioning
    view.identifier_chip.click()
    view.wait_loaded()
    assert view.model.rowCount() == 228 and not view.identifier_chip.isVisible()
    # compare with the group's representative
    view.show_item("complaint", cid)
    dialog = CompareDialog(demo_app, case_id, cid, detail.group.representative_id)
    qtbot.addWidget(dialog)
    result = dialog.view.comparison
    assert result is not None and result.a.id == cid
    assert SHARED_BG in dialog.view.text_a.toHtml()
    assert f"{result.comparison.similarity:.0%}" in dialog.view.summary.text()
    dialog.other_edit.setText(demo_app.complaints.get(lawyer).external_number)
    dialog.compare_with_typed()
    assert dialog.view.comparison.b.id == lawyer
    assert IDENTIFIER_BG  # legend colours exist


def test_view_without_case(qtbot: QtBot, demo_app: App) -> None:
    view = ComplaintsView(demo_app)
    qtbot.addWidget(view)
    view.set_case(None)
    assert view.model.rowCount() == 0
    assert not view.show_item("complaint", 1)
    assert view.view_title() == "Complaints"
