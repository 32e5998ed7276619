"""The settings dialog: values saved as typed settings, the investigator's name applied at
once, the workspace folder remembered for the next start, bad values refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from caseapp.app import App
from caseapp.storage.workspace import load_settings, remembered_workspace
from caseapp.ui.dialogs.settings_dialog import SettingsDialog


def test_settings_are_saved_and_applied(qtbot: QtBot, sqlite_app: App, tmp_path: Path) -> None:
    dialog = SettingsDialog(sqlite_app)
    qtbot.addWidget(dialog)
    assert dialog.workspace_edit.text() == str(sqlite_app.workspace.root)
    assert dialog.redact_check.isChecked()
    dialog.organisation_edit.setText("某银行 消费者权益保护部")
    dialog.investigator_edit.setText("李调查")
    dialog.redact_check.setChecked(False)
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("en"))
    assert dialog.problem() is None
    outcome = dialog.apply()
    assert not outcome.restart_needed and not outcome.language_changed
    saved = load_settings(sqlite_app.workspace.root)
    assert saved.organisation == "某银行 消费者权益保护部" and saved.investigator == "李调查"
    assert saved.redact_by_default is False and saved.language == "en"
    # the investigator acts from now on
    assert sqlite_app.ctx.actor == "李调查"
    case = sqlite_app.cases.create(title="新")
    assert case.lead_investigator == "李调查"
    assert sqlite_app.audit.entries(case.id)[0].actor == "李调查"
    assert sqlite_app.workspace.preferences.organisation == "某银行 消费者权益保护部"


def test_new_workspace_and_database_need_a_restart(qtbot: QtBot, sqlite_app: App,
                                                   tmp_path: Path) -> None:
    dialog = SettingsDialog(sqlite_app)
    qtbot.addWidget(dialog)
    target = tmp_path / "team-ws"
    dialog.workspace_edit.setText(str(target))
    dialog.organisation_edit.setText("甲")
    outcome = dialog.apply()
    assert outcome.restart_needed
    assert remembered_workspace() == target.resolve()
    assert load_settings(target).organisation == "甲"
    dialog = SettingsDialog(sqlite_app)
    qtbot.addWidget(dialog)
    dialog.database_edit.setText("postgresql+psycopg://u:p@db.example/caseapp")
    assert dialog.problem() is None
    assert dialog.apply().restart_needed


@pytest.mark.parametrize(("field", "value", "needle"), [
    ("database_edit", "not a url", "not a database address"),
    ("database_edit", "mysql://u@h/db", "not mysql"),
    ("workspace_edit", "", "Choose a workspace folder"),
])
def test_bad_values_are_refused(qtbot: QtBot, sqlite_app: App, field: str, value: str,
                                needle: str, monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = SettingsDialog(sqlite_app)
    qtbot.addWidget(dialog)
    getattr(dialog, field).setText(value)
    problem = dialog.problem()
    assert problem is not None and needle in problem
    shown: list[str] = []
    monkeypatch.setattr("caseapp.ui.dialogs.settings_dialog.show_error",
                        lambda parent, what, error, hint=None: shown.append(str(error)))
    dialog._accept()
    assert shown == [problem] and dialog.result() == 0


def test_a_file_is_not_a_workspace(qtbot: QtBot, sqlite_app: App, tmp_path: Path) -> None:
    dialog = SettingsDialog(sqlite_app)
    qtbot.addWidget(dialog)
    file = tmp_path / "file.txt"
    file.write_text("x", encoding="utf-8")
    dialog.workspace_edit.setText(str(file))
    assert "is a file, not a folder" in (dialog.problem() or "")
