"""``python -m caseapp.ui.screenshots --out DIR``: PNGs of the app on the demo case.

Opens the demo case (in a temporary workspace unless ``--workspace`` is given) in the Chinese
UI and saves one picture of every view registered in the main window, plus the case list, the
global search and a side-by-side comparison. A view that defines ``prepare_screenshot()`` is
asked to show something telling first (a selected complaint, an open group …).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def _settle(app: object, seconds: float = 0.3) -> None:
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)


def _wizard_shots(app: object, case_id: int, tmp: Path, shoot: object) -> None:
    """The import wizard's preview, mapping and check pages on an invented export."""
    from caseapp.demo import write_demo_complaints
    from caseapp.ui.dialogs.import_wizard import ImportWizard

    export = tmp / "投诉导出_2025年4月.csv"
    write_demo_complaints(export, seed=11, templated=60, genuine=20)
    wizard = ImportWizard(app, case_id)  # type: ignore[arg-type]
    wizard.resize(980, 680)
    wizard.show()
    wizard.file_page.path_edit.setText(str(export))
    wizard.next()
    shoot("import_preview", wizard)  # type: ignore[operator]
    wizard.next()
    shoot("import_mapping", wizard)  # type: ignore[operator]
    wizard.next()
    wizard.check_page.panel.wait()
    shoot("import_check", wizard)  # type: ignore[operator]
    wizard.reject()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m caseapp.ui.screenshots")
    parser.add_argument("--out", required=True, help="folder for the PNG files")
    parser.add_argument("--workspace", help="workspace to use (default: a temporary one)")
    parser.add_argument("--lang", default="zh_CN", choices=["zh_CN", "en"])
    parser.add_argument("--size", default="1440x900", help="window size, WIDTHxHEIGHT")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    width, height = (int(v) for v in args.size.lower().split("x"))

    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    tmp = tempfile.TemporaryDirectory(prefix="caseapp-shots-")
    QCoreApplication.setOrganizationName("caseapp-screenshots")
    QCoreApplication.setApplicationName("caseapp")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(Path(tmp.name) / "qsettings"))
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qt_app, QApplication)

    from caseapp.app import open_app
    from caseapp.demo import ensure_demo_case
    from caseapp.ui.language import apply_language
    from caseapp.ui.style import apply_style

    apply_language(args.lang)
    apply_style(qt_app)
    workspace = Path(args.workspace) if args.workspace else Path(tmp.name) / "ws"
    saved: list[Path] = []
    with open_app(workspace, actor="演示调查员") as app:
        case = ensure_demo_case(app, complaints=True)
        from caseapp.ui.main_window import MainWindow

        window = MainWindow(app, restore=False)
        window.resize(width, height)
        window.show()
        _settle(qt_app)

        def shoot(name: str, widget: object = window) -> None:
            _settle(qt_app, 0.4)
            path = out / f"{len(saved) + 1:02d}_{name}.png"
            widget.grab().save(str(path))  # type: ignore[attr-defined]
            saved.append(path)

        window.select_case(case.id)
        shoot("cases")
        window.open_case(case.id)
        for view in window.views:
            window.show_view(view)
            wait = getattr(view, "wait_loaded", None)
            if callable(wait):
                wait()
            prepare = getattr(view, "prepare_screenshot", None)
            if callable(prepare):
                prepare()
            shoot(type(view).__name__)
        window.search_edit.setText("18508477852")
        window.run_search("18508477852")
        shoot("search")
        window.search_dock.hide()
        compare = None
        for view in window.views:
            open_compare = getattr(view, "compare_for_screenshot", None)
            if callable(open_compare):
                compare = open_compare()
                break
        if compare is not None:
            compare.resize(width - 200, height - 120)
            compare.show()
            shoot("compare", compare)
            compare.close()
        _wizard_shots(app, case.id, Path(tmp.name), shoot)
        window.close()
    tmp.cleanup()
    for path in saved:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
