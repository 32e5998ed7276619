"""The settings dialog: organisation, investigator, workspace and database, language, redaction.

The values live in the workspace's ``settings.json`` (typed by
:class:`caseapp.storage.workspace.Settings`); the workspace folder itself in the user's
``workspace.json`` pointer. The investigator's name and the language take effect at once, the
workspace folder and the database on the next start.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from caseapp.app import App
from caseapp.domain.errors import CaseappError
from caseapp.i18n import _, choose_language, current_language
from caseapp.storage.workspace import (
    Settings,
    default_workspace,
    load_settings,
    os_user,
    read_settings,
    remember_workspace,
    save_settings,
)
from caseapp.ui.dialogs.errors import show_error
from caseapp.ui.style import styled


@dataclass(frozen=True)
class SettingsOutcome:
    settings: Settings
    language: str  # the language to show now
    language_changed: bool
    restart_needed: bool


class SettingsDialog(QDialog):
    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.setWindowTitle(_("Settings"))
        self.original = load_settings(app.workspace.root)
        s = self.original
        self.organisation_edit = QLineEdit(s.organisation, self)
        self.organisation_edit.setPlaceholderText(_("e.g. 某银行消费者权益保护部"))
        self.investigator_edit = QLineEdit(s.investigator, self)
        self.investigator_edit.setPlaceholderText(os_user())
        self.workspace_edit = QLineEdit(str(app.workspace.root), self)
        browse = QPushButton(_("Choose…"), self)
        browse.clicked.connect(self._choose_workspace)
        workspace_row = QHBoxLayout()
        workspace_row.addWidget(self.workspace_edit, 1)
        workspace_row.addWidget(browse)
        self.database_edit = QLineEdit(s.database_url, self)
        self.database_edit.setPlaceholderText(
            _("empty: the SQLite file in the workspace; or postgresql://user@host/db"))
        self.language_combo = QComboBox(self)
        self.language_combo.addItem(_("Follow the system (Chinese on a Chinese system)"), "")
        self.language_combo.addItem("简体中文", "zh_CN")
        self.language_combo.addItem("English", "en")
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(s.language)))
        self.redact_check = QCheckBox(
            _("Mask customers' ID numbers and phone numbers in exports"), self)
        self.redact_check.setChecked(s.redact_by_default)
        note = QLabel(_("The investigator's name and the language apply at once; a new "
                        "workspace folder or database is used from the next start."), self)
        note.setWordWrap(True)
        styled(note, "hint")
        form = QFormLayout()
        form.addRow(_("Organisation"), self.organisation_edit)
        form.addRow(_("Investigator"), self.investigator_edit)
        form.addRow(_("Workspace folder"), workspace_row)
        form.addRow(_("Database URL"), self.database_edit)
        form.addRow(_("Language"), self.language_combo)
        form.addRow(_("Exports"), self.redact_check)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

    def _choose_workspace(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Workspace folder"),
                                                  self.workspace_edit.text())
        if folder:
            self.workspace_edit.setText(folder)

    def values(self) -> Settings:
        return replace(
            self.original,
            organisation=self.organisation_edit.text().strip(),
            investigator=self.investigator_edit.text().strip(),
            database_url=self.database_edit.text().strip(),
            language=self.language_combo.currentData() or "",
            redact_by_default=self.redact_check.isChecked())

    def problem(self) -> str | None:
        """What is wrong with the values entered, or None."""
        url = self.database_edit.text().strip()
        if url:
            try:
                parsed = make_url(url)
            except ArgumentError:
                return _("The database URL {url} is not a database address (e.g. "
                         "postgresql://user:password@host/database).").format(url=url)
            if parsed.get_backend_name() not in ("sqlite", "postgresql"):
                return _("caseapp works with SQLite and PostgreSQL databases, not {kind}.")\
                    .format(kind=parsed.get_backend_name())
        folder = self.workspace_edit.text().strip()
        if not folder:
            return _("Choose a workspace folder.")
        path = Path(folder).expanduser()
        if path.exists() and not path.is_dir():
            return _("{path} is a file, not a folder.").format(path=path)
        if path.is_dir():
            try:
                read_settings(path)
            except CaseappError as exc:
                return str(exc)
        return None

    def _accept(self) -> None:
        problem = self.problem()
        if problem:
            show_error(self, _("Cannot save the settings"), problem,
                       _("Correct the value and press OK again."))
            return
        self.accept()

    def apply(self) -> SettingsOutcome:
        """Save the values; apply the investigator's name now. Returns what else to do."""
        settings = self.values()
        ws = self.app.workspace
        save_settings(ws.root, settings)
        folder = Path(self.workspace_edit.text().strip()).expanduser().resolve()
        restart = settings.database_url != self.original.database_url
        if folder != ws.root.resolve():
            restart = True
            remember_workspace(None if folder == default_workspace().resolve() else folder)
            if folder.is_dir() or not folder.exists():
                folder.mkdir(parents=True, exist_ok=True)
                if folder != ws.root.resolve() and not (folder / "settings.json").exists():
                    save_settings(folder, settings)
        actor = settings.investigator or os_user()
        self.app.ctx.actor = actor
        self.app.workspace = replace(ws, settings=read_settings(ws.root), user_name=actor)
        from caseapp.ui.language import system_locale_name

        language = choose_language(settings.language, system_locale_name())
        return SettingsOutcome(settings=settings, language=language,
                               language_changed=language != current_language(),
                               restart_needed=restart)
