"""Start the desktop app: Qt application, translations, workspace, main window."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import resources

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from caseapp import __version__
from caseapp.app import open_app
from caseapp.domain.errors import CaseappError
from caseapp.i18n import _, current_language, set_language


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


def install_qt_translations(app: QCoreApplication) -> None:
    if current_language() != "zh_CN":
        return
    translator = QTranslator(app)
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_",
                       path):
        app.installTranslator(translator)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    set_language(args.lang)
    if args.self_test:
        from caseapp.selftest import run_self_test

        return run_self_test(report_path=args.self_test_report)
    QCoreApplication.setOrganizationName("caseapp")
    QCoreApplication.setApplicationName("caseapp")
    QCoreApplication.setApplicationVersion(__version__)
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    qt_app.setWindowIcon(QIcon(str(resources.files("caseapp.resources") / "icons"
                                   / "caseapp.png")))
    install_qt_translations(qt_app)
    try:
        app = open_app(args.workspace, args.db)
    except CaseappError as exc:
        QMessageBox.critical(None, _("caseapp cannot start"), str(exc))
        return 1
    from caseapp.ui.main_window import MainWindow

    with app:
        if args.demo:
            from caseapp.demo import ensure_demo_case

            ensure_demo_case(app)
        window = MainWindow(app)
        window.show()
        return qt_app.exec()
