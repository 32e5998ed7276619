"""Long work runs off the UI thread and reports progress, results, errors and cancellation."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QThread, QTimer
from pytestqt.qtbot import QtBot

from caseapp.domain.errors import CaseappError
from caseapp.domain.progress import CancelToken, ProgressSink
from caseapp.ui.workers.task import Task, run_with_progress_dialog


def test_task_runs_off_the_ui_thread_and_reports(qtbot: QtBot) -> None:
    ui_thread = QThread.currentThread()
    seen: dict[str, object] = {}
    reports: list[tuple[int, int, str]] = []

    def work(progress: ProgressSink, cancel: CancelToken) -> int:
        seen["thread"] = threading.current_thread()
        seen["qt_thread"] = QThread.currentThread()
        for i in range(1, 1001):
            progress.report(i, 1000, "counting")
        return 42

    task = Task(work)
    task.progress.connect(lambda d, t, label: reports.append((d, t, label)))
    with qtbot.waitSignal(task.succeeded, timeout=10_000) as blocker:
        task.start()
    assert blocker.args == [42]
    assert seen["thread"] is not threading.main_thread()
    assert seen["qt_thread"] is not ui_thread
    assert task.result == 42 and not task.running
    # thinned out, but the bar reaches the end
    assert 2 <= len(reports) <= 600
    assert reports[-1] == (1000, 1000, "counting")


def test_task_errors_arrive_as_messages(qtbot: QtBot) -> None:
    def domain_error(progress: ProgressSink, cancel: CancelToken) -> None:
        raise CaseappError("file.csv line 7: bad date")

    task = Task(domain_error)
    with qtbot.waitSignal(task.failed, timeout=10_000) as blocker:
        task.start()
    assert blocker.args == ["file.csv line 7: bad date"]

    def bug(progress: ProgressSink, cancel: CancelToken) -> None:
        raise ZeroDivisionError("boom")

    task = Task(bug)
    with qtbot.waitSignal(task.failed, timeout=10_000) as blocker:
        task.start()
    assert "ZeroDivisionError" in blocker.args[0]


def test_cancel_stops_the_work(qtbot: QtBot) -> None:
    started = threading.Event()
    loops = []

    def work(progress: ProgressSink, cancel: CancelToken) -> None:
        started.set()
        while True:
            loops.append(1)
            cancel.raise_if_cancelled()
            time.sleep(0.005)

    task = Task(work)
    task.start()
    assert started.wait(5)
    with qtbot.waitSignal(task.cancelled, timeout=10_000):
        task.cancel()
    assert task.was_cancelled and task.result is None and task.error is None


def test_progress_dialog_cancel_button(qtbot: QtBot) -> None:
    def work(progress: ProgressSink, cancel: CancelToken) -> str:
        for i in range(10_000):
            progress.report(i, 10_000, "working")
            cancel.raise_if_cancelled()
            time.sleep(0.001)
        return "finished"

    def press_cancel() -> None:
        from PySide6.QtWidgets import QApplication, QProgressDialog

        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog)
                   and w.isVisible()]
        if not dialogs:
            QTimer.singleShot(50, press_cancel)
            return
        from PySide6.QtWidgets import QPushButton

        button = dialogs[0].findChild(QPushButton)
        assert button is not None
        button.click()

    QTimer.singleShot(100, press_cancel)
    task = run_with_progress_dialog(None, "Work", work)
    assert task.was_cancelled and task.result is None


def test_progress_dialog_returns_result(qtbot: QtBot) -> None:
    task = run_with_progress_dialog(None, "Work", lambda progress, cancel: "done")
    assert task.result == "done" and not task.was_cancelled


def test_progress_is_thinned_to_what_a_person_can_see() -> None:
    from caseapp.ui.workers.task import _SignalProgress, _Signals

    now = [0.0]
    signals = _Signals()
    sent: list[tuple[int, int, str]] = []
    signals.progress.connect(lambda d, t, label: sent.append((d, t, label)))
    sink = _SignalProgress(signals, clock=lambda: now[0])
    for i in range(1, 100_001):  # a tight loop: 100,000 reports within 0.1 s
        now[0] = i * 1e-6
        sink.report(i, 100_000, "rows")
    # the first, two more 50 ms later (at most), and the last one
    assert sent[0] == (1, 100_000, "rows") and sent[-1] == (100_000, 100_000, "rows")
    assert len(sent) <= 4
    sink.report(5, None, "hashing")  # a new phase always shows at once
    assert sent[-1] == (5, -1, "hashing")
    sink.report(6, None, "hashing")
    assert sent[-1] == (5, -1, "hashing")
    now[0] += 0.06
    sink.report(7, None, "hashing")
    assert sent[-1] == (7, -1, "hashing")


def test_a_busy_worker_pauses_for_the_ui_thread_now_and_then() -> None:
    from caseapp.ui.workers.task import _SignalProgress, _Signals

    now = [0.0]
    pauses: list[float] = []
    sink = _SignalProgress(_Signals(), clock=lambda: now[0], sleep=pauses.append)
    for i in range(1, 1001):  # one second of work, reported every millisecond
        now[0] = i / 1000
        sink.report(i, 1000, "rows")
    # about every 20 ms, for a millisecond: enough for the UI thread to take the lock
    assert 45 <= len(pauses) <= 51 and set(pauses) == {0.001}
