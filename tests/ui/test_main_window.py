"""The main window over a real workspace: list, select and create cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from caseapp.app import App, open_app
from caseapp.demo import ensure_demo_case
from caseapp.ui.dialogs.new_case_dialog import NewCaseDialog
from caseapp.ui.main_window import MainWindow
from caseapp.ui.models.case_table_model import CaseTableModel


@pytest.fixture
def sqlite_app(tmp_path: Path) -> App:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "qsettings"))
    application = open_app(tmp_path / "ws", actor="tester")
    yield application
    application.close()


def test_case_table_model(sqlite_app: App) -> None:
    sqlite_app.cases.create(title="甲案", number="A-1")
    model = CaseTableModel()
    model.set_rows(sqlite_app.cases.list())
    assert model.rowCount() == 1 and model.columnCount() == 5
    assert model.data(model.index(0, CaseTableModel.COL_TITLE)) == "甲案"
    assert model.data(model.index(0, CaseTableModel.COL_STATUS)) == "Open"
    assert model.data(model.index(0, 0), CaseTableModel.CaseIdRole) == 1


def test_window_lists_and_creates_cases(qtbot: QtBot, sqlite_app: App, tmp_path: Path) -> None:
    demo = ensure_demo_case(sqlite_app)
    window = MainWindow(sqlite_app)
    qtbot.addWidget(window)
    window.show()
    assert window.model.rowCount() == 1
    assert window.details.number.text() == demo.number
    assert window.details.counts.text() == "5 parties, 4 contacts, 8 evidence files"

    def fill_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, NewCaseDialog)
        dialog.title_edit.setText("新案件")  # QTest cannot type non-ASCII keys
        dialog.number_edit.setText("N-1")
        dialog.accept()

    QTimer.singleShot(0, fill_dialog)
    window.new_case_action.trigger()
    assert sqlite_app.cases.list()[0].number == "N-1"
    assert window.model.rowCount() == 2
    assert window.current_case() is not None and window.current_case().number == "N-1"
    window.grab().save(str(tmp_path / "main_window.png"))
    assert (tmp_path / "main_window.png").stat().st_size > 0


def test_new_case_dialog_needs_a_title(qtbot: QtBot) -> None:
    dialog = NewCaseDialog()
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled()
    qtbot.keyClicks(dialog.title_edit, "x")
    assert ok.isEnabled()
    assert dialog.values() == ("x", None, "")


def test_python_m_caseapp_entry_point() -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "caseapp", "--help"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "--workspace" in result.stdout and "--demo" in result.stdout
