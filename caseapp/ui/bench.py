"""``python -m caseapp.bench ui``: open a case of 100,000 complaints in the desktop UI.

Builds (once) a workspace holding a case of ``--rows`` invented complaints, then measures, in
an offscreen window: opening the case until the complaints table is painted, and each filter,
search and sort until the table is painted again. Targets: table shown in < 1 s, a filter or
search answered in < 200 ms. Reuse the workspace with ``--workspace DIR`` (it is kept).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

CASE_NUMBER = "BENCH-UI"
SHOW_TARGET = 1.0
FILTER_TARGET = 0.2


def prepare(workspace: Path, rows: int, source: Path | None, with_groups: bool) -> None:
    from caseapp.app import open_app
    from caseapp.demo import write_demo_complaints
    from caseapp.domain.errors import NotFoundError

    with open_app(workspace, actor="bench") as app:
        try:
            case = app.cases.get(CASE_NUMBER)
        except NotFoundError:
            case = None
        if case is None or app.complaint_queries.count(case.id) == 0:
            case = case or app.cases.create(title="界面基准 100k", number=CASE_NUMBER)
            path = source
            if path is None:
                path = workspace / f"bench_{rows}.csv"
                genuine = rows // 5
                write_demo_complaints(path, templated=rows - genuine, genuine=genuine)
            print(f"importing {path} …", flush=True)
            start = time.perf_counter()
            summary = app.complaints.import_file(case.id, path)
            print(f"  {summary.rows_imported:,} complaints in "
                  f"{time.perf_counter() - start:.1f} s", flush=True)
        if with_groups and app.analysis.latest(case.id).run_id is None:
            print("grouping …", flush=True)
            start = time.perf_counter()
            report = app.analysis.run(case.id)
            print(f"  {len(report.groups):,} groups in {time.perf_counter() - start:.1f} s",
                  flush=True)


Result = tuple[str, float, float, float | None, float]


def measure(workspace: Path, repeat: int) -> list[Result]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName("caseapp-bench")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      tempfile.mkdtemp(prefix="caseapp-bench-qsettings-"))
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])

    from caseapp.app import open_app
    from caseapp.services.complaint_queries import ComplaintQuery
    from caseapp.ui.language import apply_language
    from caseapp.ui.main_window import MainWindow
    from caseapp.ui.style import apply_style
    from caseapp.ui.views.complaints_view import ComplaintsView

    apply_language("zh_CN")
    apply_style(qt_app)  # type: ignore[arg-type]
    # (what, seconds until painted, target, seconds until the exact count is shown,
    #  CPU seconds of the UI thread until painted: what the figure is on an idle machine)
    results: list[Result] = []
    with open_app(workspace, actor="bench") as app:
        case = app.cases.get(CASE_NUMBER)
        total = app.complaint_queries.count(case.id)
        facets = app.complaint_queries.facets(case.id)
        window = MainWindow(app, restore=False)
        window.resize(1440, 900)
        window.show()
        qt_app.processEvents()

        def painted(widget: object) -> None:
            widget.grab()  # type: ignore[attr-defined]  # paints, reading every visible cell
            qt_app.processEvents()

        start, cpu = time.perf_counter(), time.thread_time()
        window.open_case(case.id, "ComplaintsView")
        painted(window)
        shown, cpu = time.perf_counter() - start, time.thread_time() - cpu
        view = window.current_view()
        assert isinstance(view, ComplaintsView)
        view.wait_loaded()
        counted = time.perf_counter() - start
        results.append((f"open the case, complaints table painted ({total:,} rows)",
                        shown, SHOW_TARGET, counted, cpu))

        def timed(label: str, action: Callable[[], None], reset: Callable[[], None]) -> None:
            times, counts, cpus = [], [], []
            for _ in range(repeat):
                reset()
                view.model.wait_loaded()
                painted(view.table.viewport())
                start, cpu = time.perf_counter(), time.thread_time()
                action()
                painted(view.table.viewport())
                times.append(time.perf_counter() - start)
                cpus.append(time.thread_time() - cpu)
                view.model.wait_loaded()
                counts.append(time.perf_counter() - start)
            results.append((f"{label} → {view.model.rowCount():,} rows",
                            statistics.median(times), FILTER_TARGET, statistics.median(counts),
                            statistics.median(cpus)))

        def query(**kwargs: object) -> Callable[[], None]:
            return lambda: view.model.set_query(ComplaintQuery(**kwargs))  # type: ignore[arg-type]

        clear = query()
        category = facets.categories[len(facets.categories) // 2][0]
        channel = facets.channels[0][0]
        first = facets.first_received
        ids = app.complaint_queries.ordered_ids(case.id)
        sample = app.complaints.get(ids[len(ids) // 2])
        timed(f"filter category {category}", query(category=category), clear)
        timed(f"filter channel {channel}", query(channel=channel), clear)
        if first is not None:
            timed("filter one week", query(received_from=first + timedelta(days=20),
                                           received_to=first + timedelta(days=27)), clear)
        timed("category + channel + search 住院证明",
              query(category=category, channel=channel, search="住院证明"), clear)
        timed("full-text search 住院证明 (FTS)", query(search="住院证明"), clear)
        timed("full-text search 律师执业证号 (FTS)", query(search="律师执业证号"), clear)
        timed("substring search 催收 (2 characters)", query(search="催收"), clear)
        timed(f"search complaint number {sample.external_number}",
              query(search=sample.external_number), clear)
        if sample.customer_phone:
            timed("search a phone number", query(search=sample.customer_phone), clear)
        if facets.groups:
            timed("filter the largest group", query(group_id=facets.groups[0].id), clear)
        timed("sort by complaint number", query(sort="external_number"), clear)
        timed("sort by customer, descending", query(sort="customer_name", descending=True),
              clear)
        timed("scroll to the last row", lambda: view.table.scrollToBottom(),
              lambda: (view.model.set_query(ComplaintQuery()), view.table.scrollToTop()))
        timed("jump to the middle", lambda: view.table.verticalScrollBar().setValue(
            view.table.verticalScrollBar().maximum() // 2), view.table.scrollToTop)
        start, cpu = time.perf_counter(), time.thread_time()
        window.run_search("住院证明")
        painted(window.search_results)
        results.append(("global search 住院证明 (every kind of object), results painted",
                        time.perf_counter() - start, FILTER_TARGET, None,
                        time.thread_time() - cpu))
        window.close()
        window.deleteLater()
        qt_app.processEvents()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m caseapp.bench ui")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workspace", help="keep the prepared workspace here and reuse it")
    parser.add_argument("--file", help="import this complaint export instead of generating one")
    parser.add_argument("--with-groups", action="store_true",
                        help="also run the grouping (minutes) to time the group filter")
    parser.add_argument("--repeat", type=int, default=3, help="median of this many runs")
    args = parser.parse_args(argv)
    workspace = Path(args.workspace or tempfile.mkdtemp(prefix="caseapp-bench-ui-"))
    prepare(workspace, args.rows, Path(args.file) if args.file else None, args.with_groups)
    results = measure(workspace, args.repeat)
    failed = 0
    print()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.1f} on {os.cpu_count()} CPUs")
    print("     first rows painted (target)  UI-thread CPU  exact count shown")
    for label, seconds, target, counted, cpu in results:
        ok = seconds < target
        failed += not ok
        count = f"{counted * 1000:8.0f} ms" if counted is not None else " " * 11
        print(f"{'ok  ' if ok else 'SLOW'} {seconds * 1000:7.0f} ms (< {target * 1000:4.0f} ms)"
              f"  {cpu * 1000:8.0f} ms  {count}   {label}")
    print(f"\nworkspace: {workspace}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
