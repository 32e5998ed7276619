"""Fixtures of the desktop tests: private QSettings and user config, a workspace holding the demo
case (built once, copied per test), and helpers to answer modal dialogs."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from caseapp.app import App, open_app
from caseapp.demo import ensure_demo_case
from caseapp.i18n import set_language


@pytest.fixture(autouse=True)
def private_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """QSettings and the user's workspace pointer go to the test's folder."""
    QCoreApplication.setOrganizationName("caseapp-tests")
    QCoreApplication.setApplicationName("caseapp")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "qsettings"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("APPDATA", str(tmp_path / "config"))
    for name in ("CASEAPP_WORKSPACE", "CASEAPP_DATABASE_URL", "CASEAPP_USER"):
        monkeypatch.delenv(name, raising=False)
    yield
    set_language("en")


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo-template") / "ws"
    with open_app(root, actor="tester") as application:
        ensure_demo_case(application, complaints=True)
    return root


@pytest.fixture
def demo_app(demo_template: Path, tmp_path: Path) -> Iterator[App]:
    root = tmp_path / "demo-ws"
    shutil.copytree(demo_template, root)
    application = open_app(root, actor="tester")
    yield application
    application.close()


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[App]:
    application = open_app(tmp_path / "ws", actor="tester")
    yield application
    application.close()


def answer_modal(action: Callable[[QWidget], None], *, kind: type[QWidget] | None = None,
                 tries: int = 200) -> None:
    """Call ``action`` on the next modal dialog (of ``kind``) once it is open."""

    def attempt(left: int) -> None:
        widget = QApplication.activeModalWidget()
        if widget is not None and (kind is None or isinstance(widget, kind)):
            action(widget)
        elif left:
            QTimer.singleShot(25, lambda: attempt(left - 1))

    QTimer.singleShot(0, lambda: attempt(tries))


@pytest.fixture
def answer() -> Callable[..., None]:
    """``answer(action, kind=QDialog)``: act on the next modal dialog when it opens."""
    return answer_modal
