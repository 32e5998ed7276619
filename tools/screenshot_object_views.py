"""Screenshots of the parties, contacts, evidence, timeline and link-chart views on the demo
case, to look at them the way an investigator will.

    QT_QPA_PLATFORM=offscreen python tools/screenshot_object_views.py --out shots/ [--lang en]

Each view is shown standalone at 1440×900 in a fresh workspace holding the demo case.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

VIEWS = ("parties", "contacts", "evidence", "timeline", "linkchart")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--lang", default="zh_CN", choices=["zh_CN", "en"])
    parser.add_argument("--size", default="1440x900")
    parser.add_argument("--views", nargs="*", default=list(VIEWS), choices=VIEWS)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from caseapp.i18n import set_language

    set_language(args.lang)
    from PySide6.QtGui import QFont, QFontDatabase
    from PySide6.QtWidgets import QApplication

    from caseapp.app import open_app
    from caseapp.demo import ensure_demo_case

    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    families = set(QFontDatabase.families())
    for family in ("Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei",
                   "Source Han Sans SC"):
        if family in families:
            qt_app.setFont(QFont(family, 10))  # type: ignore[attr-defined]
            break
    width, height = (int(v) for v in args.size.split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, open_app(Path(tmp) / "ws",
                                                        actor="调查员 王明") as app:
        case = ensure_demo_case(app)
        for name in args.views:
            view = _make_view(name, app)
            view.resize(width, height)
            view.set_case(case.id)
            view.show()
            _prepare(name, view)
            for _ in range(5):
                qt_app.processEvents()
            path = args.out / f"{name}.png"
            view.grab().save(str(path))
            print(path)
            view.close()
            view.deleteLater()
    return 0


def _make_view(name: str, app: object) -> object:
    if name == "parties":
        from caseapp.ui.views.parties_view import PartiesView as View
    elif name == "contacts":
        from caseapp.ui.views.contacts_view import ContactsView as View  # type: ignore[assignment]
    elif name == "evidence":
        from caseapp.ui.views.evidence_view import EvidenceView as View  # type: ignore[assignment]
    elif name == "timeline":
        from caseapp.ui.views.timeline_view import TimelineView as View  # type: ignore[assignment]
    else:
        from caseapp.ui.views.linkchart_view import LinkChartView as View  # type: ignore[assignment]
    return View(app)  # type: ignore[arg-type]


def _prepare(name: str, view: object) -> None:
    """Select something worth looking at."""
    if name == "parties":
        # the "lawyer" whose licence number is a company code shows the red flag
        model = view.model  # type: ignore[attr-defined]
        for row in range(model.rowCount()):
            if model.party_at(row).identifiers and any(
                    i.type == "lawyer_license" for i in model.party_at(row).identifiers):
                view.select_party(model.party_at(row).id)  # type: ignore[attr-defined]
                break
    elif name == "evidence":
        view.select_first_image()  # type: ignore[attr-defined]


if __name__ == "__main__":
    sys.exit(main())
