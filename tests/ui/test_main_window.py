"""The main window over a real workspace: the case list, opening a case, navigation, routing
between views, global search, remembered state, the demo case and switching the language."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot

from caseapp.app import App
from caseapp.demo import DEMO_NUMBER
from caseapp.services.complaint_queries import ComplaintQuery
from caseapp.storage.workspace import load_settings
from caseapp.ui.dialogs.errors import build_error_box
from caseapp.ui.dialogs.new_case_dialog import NewCaseDialog
from caseapp.ui.dialogs.settings_dialog import SettingsDialog
from caseapp.ui.main_window import MainWindow
from caseapp.ui.models.case_table_model import CaseTableModel
from caseapp.ui.views.analysis_view import AnalysisView
from caseapp.ui.views.complaints_view import ComplaintsView
from caseapp.ui.views.overview_view import OverviewView
from caseapp.ui.views.registry import VIEW_CLASSES


def _window(qtbot: QtBot, app: App, **kwargs: object) -> MainWindow:
    window = MainWindow(app, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    return window


def _view(window: MainWindow, cls: type) -> object:
    return next(v for v in window.views if isinstance(v, cls))


def test_case_table_model(sqlite_app: App) -> None:
    sqlite_app.cases.create(title="甲案", number="A-1")
    model = CaseTableModel()
    model.set_rows(sqlite_app.cases.list())
    assert model.rowCount() == 1 and model.columnCount() == 5
    assert model.data(model.index(0, CaseTableModel.COL_TITLE)) == "甲案"
    assert model.data(model.index(0, CaseTableModel.COL_STATUS)) == "Open"
    assert model.data(model.index(0, 0), CaseTableModel.CaseIdRole) == 1


def test_case_list_create_rename_and_status(qtbot: QtBot, demo_app: App,
                                            answer: Callable[..., None]) -> None:
    window = _window(qtbot, demo_app, restore=False)
    assert window.model.rowCount() == 1
    assert window.details.number.text() == DEMO_NUMBER
    assert window.details.counts.text() == (
        "228 complaints, 5 parties, 4 contacts, 9 evidence files")
    # nothing is open yet: the case views cannot be chosen
    assert not window.nav.item(1).flags() & window.nav.item(1).flags().ItemIsEnabled

    def fill(dialog: NewCaseDialog) -> None:
        dialog.title_edit.setText("新案件")  # QTest cannot type non-ASCII keys
        dialog.number_edit.setText("N-1")
        dialog.accept()

    answer(fill, kind=NewCaseDialog)
    window.new_case_action.trigger()
    assert demo_app.cases.list()[0].number == "N-1"
    assert window.model.rowCount() == 2
    assert window.current_case() is not None and window.current_case().number == "N-1"

    def rename(dialog: QInputDialog) -> None:
        assert dialog.textValue() == "新案件"
        dialog.setTextValue("新案件（更名）")
        dialog.accept()

    answer(rename, kind=QInputDialog)
    window.rename_action.trigger()
    assert demo_app.cases.get("N-1").title == "新案件（更名）"
    window.status_actions["handed_over"].trigger()
    assert demo_app.cases.get("N-1").status == "handed_over"
    assert window.status_actions["handed_over"].isChecked()
    assert window.details.status.text() == "Handed over"
    entries = [e.action for e in demo_app.audit.entries("N-1")]
    assert entries == ["case.create", "case.update", "case.update"]


def test_open_case_navigate_and_route(qtbot: QtBot, demo_app: App) -> None:
    window = _window(qtbot, demo_app, restore=False)
    assert [type(v) for v in window.views] == list(VIEW_CLASSES)
    case = demo_app.cases.get(DEMO_NUMBER)
    window.open_case(case.id)
    assert window.open_case_id == case.id
    assert isinstance(window.current_view(), OverviewView)
    assert window.nav_case.text() == DEMO_NUMBER
    overview = _view(window, OverviewView)
    assert overview.cards["complaints"].value.text() == "228"
    assert overview.activity.rowCount() > 5
    assert overview.chain.text().startswith("Audit log intact")
    # a click on a figure opens the view
    overview.cards["complaints"].clicked.emit()
    complaints = window.current_view()
    assert isinstance(complaints, ComplaintsView)
    complaints.wait_loaded()
    assert complaints.model.rowCount() == 228
    # a complaint is routed to the complaints view, which selects it
    analysis = _view(window, AnalysisView)
    assert analysis.case_id is None  # views get the case when first needed
    target = demo_app.complaint_queries.ordered_ids(case.id)[150]
    analysis.open_item.emit("complaint", target)
    assert window.current_view() is complaints
    assert complaints.current_complaint_id() == target
    # the group link of a complaint's details goes to the analysis view
    group = demo_app.analysis.latest(case.id).groups[1]
    complaints.open_item.emit("group", group.id)
    assert window.current_view() is analysis
    analysis.wait_loaded()
    assert analysis._current_group().id == group.id
    # …and the analysis view's "show in complaints list" filters the complaints view
    analysis.show_group_button.click()
    assert window.current_view() is complaints
    complaints.wait_loaded()
    assert complaints.model.rowCount() == group.size
    # Ctrl+number shortcuts and the case list
    window.view_actions[0].trigger()
    assert window.current_view() is overview
    window.case_list_action.trigger()
    assert window.stack.currentWidget() is window.case_page
    window.close_case()
    assert window.open_case_id is None and complaints.model.rowCount() == 0


def test_data_changed_refreshes_the_other_views(qtbot: QtBot, demo_app: App) -> None:
    window = _window(qtbot, demo_app, restore=False)
    case = demo_app.cases.get(DEMO_NUMBER)
    window.open_case(case.id)
    analysis = _view(window, AnalysisView)
    overview = _view(window, OverviewView)
    window.show_view(analysis)
    analysis.wait_loaded()
    shared = next(s for s in analysis.report.shared_identifiers if s.party_id is None)
    parties_before = len(demo_app.parties.list(case.id))
    analysis.accept_identifier(shared.identifier_id, "安心维权工作室")
    assert id(overview) in window._dirty  # hidden: refreshed when shown next
    window.show_view(overview)
    assert id(overview) not in window._dirty
    assert overview.cards["parties"].value.text() == str(parties_before + 1)


def test_global_search(qtbot: QtBot, demo_app: App) -> None:
    window = _window(qtbot, demo_app, restore=False)
    case = demo_app.cases.get(DEMO_NUMBER)
    assert window.run_search("x") is None  # no case open
    window.open_case(case.id)
    results = window.run_search("185 0847 7852")
    assert results is not None and window.search_dock.isVisible()
    top = [window.search_results.topLevelItem(i).text(0)
           for i in range(window.search_results.topLevelItemCount())]
    assert top[0].startswith("Identifiers") and top[-1].startswith("Complaints (")
    complaints_item = window.search_results.topLevelItem(len(top) - 1)
    first = complaints_item.child(0)
    window.search_results.itemActivated.emit(first, 0)
    complaints = _view(window, ComplaintsView)
    assert window.current_view() is complaints
    kind, ident = first.data(0, window.search_results.ROLE)
    assert kind == "complaint" and complaints.current_complaint_id() == ident
    expected = demo_app.complaint_queries.count(case.id, ComplaintQuery(search="18508477852"))
    assert results.complaint_total == expected


def test_window_state_is_remembered(qtbot: QtBot, demo_app: App) -> None:
    window = _window(qtbot, demo_app)
    case = demo_app.cases.get(DEMO_NUMBER)
    window.open_case(case.id)
    analysis = _view(window, AnalysisView)
    window.show_view(analysis)
    analysis.tabs.setCurrentIndex(2)
    window.resize(790, 700)  # the offscreen screen is 800×800: restoring clamps to it
    size = (window.width(), window.height())
    window.close()
    assert QSettings().value("main_window/view") == "AnalysisView"
    again = _window(qtbot, demo_app)
    qtbot.waitUntil(lambda: again.open_case_id == case.id, timeout=5000)
    assert isinstance(again.current_view(), AnalysisView)
    assert _view(again, AnalysisView).tabs.currentIndex() == 2
    assert (again.width(), again.height()) == size


def test_demo_case_menu(qtbot: QtBot, sqlite_app: App) -> None:
    window = _window(qtbot, sqlite_app, restore=False)
    assert window.model.rowCount() == 0
    window.demo_action.trigger()
    case = sqlite_app.cases.get(DEMO_NUMBER)
    assert window.open_case_id == case.id
    assert sqlite_app.complaint_queries.count(case.id) == 228
    assert _view(window, OverviewView).cards["groups"].value.text() != "0"


def test_switch_language_live(qtbot: QtBot, demo_app: App, answer: Callable[..., None]
                              ) -> None:
    window = _window(qtbot, demo_app, restore=False)
    case = demo_app.cases.get(DEMO_NUMBER)
    window.open_case(case.id)
    window.show_view(_view(window, ComplaintsView))
    assert window.menuBar().actions()[0].text() == "&File"
    assert window.model.headerData(0, Qt.Orientation.Horizontal) == "Case number"

    def choose_chinese(dialog: SettingsDialog) -> None:
        dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("zh_CN"))
        dialog.organisation_edit.setText("某银行消保部")
        dialog.accept()

    answer(choose_chinese, kind=SettingsDialog)
    window.settings_action.trigger()
    assert window.menuBar().actions()[0].text() == "文件(&F)"
    assert window.model.headerData(0, Qt.Orientation.Horizontal) == "案件编号"
    # the rebuilt window shows the same case and view
    assert window.open_case_id == case.id
    assert isinstance(window.current_view(), ComplaintsView)
    saved = load_settings(demo_app.workspace.root)
    assert saved.language == "zh_CN" and saved.organisation == "某银行消保部"
    assert demo_app.workspace.preferences.organisation == "某银行消保部"

    def choose_english(dialog: SettingsDialog) -> None:
        dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("en"))
        dialog.accept()

    answer(choose_english, kind=SettingsDialog)
    window.settings_action.trigger()
    assert window.menuBar().actions()[0].text() == "&File"


def test_error_box_says_what_failed_and_what_to_do(qtbot: QtBot) -> None:
    from caseapp.domain.errors import ConflictError
    from caseapp.ui.dialogs.errors import hint_for

    box = build_error_box(None, "Cannot rename the case", "case AJ-1 was changed by someone",
                          hint_for(ConflictError("x")))
    qtbot.addWidget(box)
    assert box.text() == "Cannot rename the case"
    assert "changed by someone" in box.informativeText()
    assert "refresh" in box.informativeText().lower()
    assert box.detailedText() == ""
    internal = ("An unexpected internal error occurred:\nTraceback (most recent call last):\n"
                "ZeroDivisionError: boom")
    box = build_error_box(None, "The analysis failed", internal)
    qtbot.addWidget(box)
    assert "Traceback" not in box.informativeText()
    assert "ZeroDivisionError" in box.detailedText()
    assert box.icon() == QMessageBox.Icon.Warning


def test_python_m_caseapp_entry_point(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "caseapp", "--help"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "--workspace" in result.stdout and "--demo" in result.stdout


def test_export_and_backup_from_the_menus(qtbot: QtBot, demo_app: App, tmp_path: Path,
                                          monkeypatch: object) -> None:
    import zipfile

    from PySide6.QtWidgets import QFileDialog

    from caseapp.backup.archive import verify_archive
    from caseapp.ui.dialogs.export_dialog import ExportDialog

    window = _window(qtbot, demo_app, restore=False)
    assert not window.export_action.isEnabled() and not window.backup_case_action.isEnabled()
    case = demo_app.cases.get(DEMO_NUMBER)
    window.open_case(case.id)
    assert window.export_action.isEnabled() and window.backup_case_action.isEnabled()

    shown: list[ExportDialog] = []
    monkeypatch.setattr(ExportDialog, "exec",  # type: ignore[attr-defined]
                        lambda self: shown.append(self) or 0)
    window.export_action.trigger()
    assert [d.windowTitle() for d in shown] == [f"Export case {DEMO_NUMBER}"]

    target = tmp_path / "备份 文件.cabak"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",  # type: ignore[attr-defined]
                        lambda *a, **k: (str(target), ""))
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information",  # type: ignore[attr-defined]
                        lambda _parent, _title, text: told.append(text))
    window.backup_case_action.trigger()
    assert target.is_file() and str(target) in told[0]
    assert verify_archive(target).manifest["cases"][0]["number"] == DEMO_NUMBER
    with zipfile.ZipFile(target) as archive:
        stored = [n for n in archive.namelist() if n.startswith("evidence/")]
    assert len(stored) == len({e.sha256 for e in demo_app.evidence.list(case.id)})
