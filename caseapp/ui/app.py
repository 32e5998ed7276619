"""Start the desktop app: Qt application, language and fonts, workspace, main window."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import resources

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from caseapp import __version__
from caseapp.app import open_app
from caseapp.domain.errors import CaseappError
from caseapp.i18n import _, set_language
from caseapp.storage.workspace import resolve_workspace
from caseapp.ui.dialogs.errors import install_excepthook
from caseapp.ui.language import apply_language, startup_language
from caseapp.ui.style import apply_style
from caseapp.ui.workers.task import task_pool

__all__ = ["main", "parse_args"]


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="caseapp", description=_("caseapp desktop app"))
    parser.add_argument("--workspace", metavar="DIR")
    parser.add_argument("--db", metavar="URL")
    parser.add_argument("--lang", choices=["zh_CN", "en"])
    parser.add_argument("--demo", action="store_true",
                        help=_("create the demo case if it does not exist yet"))
    parser.add_argument("--self-test", action="store_true",
                        help=_("check this installation in a temporary workspace and exit"))
    parser.add_argument("--self-test-report", metavar="FILE",
                        help=_("also write the self-test report to FILE"))
    return parser.parse_args(list(argv))


def _preferred_language(args: argparse.Namespace) -> str | None:
    try:
        return resolve_workspace(args.workspace, args.db).preferences.language or None
    except CaseappError:
        return None  # the error is shown when the workspace is opened


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.self_test:
        from caseapp.selftest import run_self_test

        set_language(args.lang)
        return run_self_test(report_path=args.self_test_report)
    QCoreApplication.setOrganizationName("caseapp")
    QCoreApplication.setApplicationName("caseapp")
    QCoreApplication.setApplicationVersion(__version__)
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    qt_app.setWindowIcon(QIcon(str(resources.files("caseapp.resources") / "icons"
                                   / "caseapp.png")))
    assert isinstance(qt_app, QApplication)
    apply_language(startup_language(args.lang, _preferred_language(args)))
    apply_style(qt_app)
    install_excepthook()
    try:
        app = open_app(args.workspace, args.db)
    except CaseappError as exc:
        QMessageBox.critical(None, _("caseapp cannot start"), _(
            "{error}\n\nCheck the workspace folder and the database in the settings "
            "(or start with --workspace DIR / --db URL).").format(error=exc))
        return 1
    from caseapp.ui.main_window import MainWindow

    with app:
        window = MainWindow(app)
        if args.demo:
            window.open_demo_case()
        window.show()
        code = qt_app.exec()
        # Let background reads (row lists, findings) end before the database closes.
        task_pool().waitForDone(10_000)
        return code
