"""Run long work off the UI thread, with progress and Cancel.

A task is any callable ``fn(progress, cancel) -> result`` where ``progress`` is a
:class:`~caseapp.domain.progress.ProgressSink` and ``cancel`` a
:class:`~caseapp.domain.progress.CancelToken` — the protocol the services already take. The
callable runs on a pool thread; its progress reports, result, error or cancellation come back to
the UI thread as Qt signals (queued connections), so slots may touch widgets.

    task = Task(lambda progress, cancel: app.complaints.import_file(..., progress=progress,
                                                                     cancel=cancel))
    task.succeeded.connect(self._show_summary)
    task.failed.connect(self._show_error)
    task.start()

:func:`run_with_progress_dialog` wraps this in a modal progress dialog with a Cancel button.
"""

from __future__ import annotations

import gc
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, QRunnable, Qt, QThread, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from caseapp.domain.errors import Cancelled, CaseappError
from caseapp.domain.progress import CancelToken, ProgressSink
from caseapp.i18n import _

TaskFn = Callable[[ProgressSink, CancelToken], Any]

# Progress ticks come from tight loops; cap how many cross into the UI thread: a bar shows
# no more than 500 steps, and a person no more than about 20 updates a second. Each report
# that crosses costs the UI thread a wait for the interpreter lock held by the busy worker
# (up to sys.getswitchinterval(), 5 ms), so hundreds a second would freeze the window.
_MIN_STEP = 1 / 500
_MIN_INTERVAL = 0.05  # seconds
_YIELD_INTERVAL, _YIELD_SECONDS = 0.02, 0.001  # see _SignalProgress.report


class _Signals(QObject):
    progress = Signal(int, int, str)  # done, total (-1 when unknown), label
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    finished = Signal()


class _SignalProgress:
    """A ProgressSink that forwards to a Qt signal, thinned out to what a bar can show."""

    def __init__(self, signals: _Signals, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._signals = signals
        self._clock = clock
        self._sleep = sleep
        self._yielded_at = float("-inf")
        self._last: tuple[int, int, str] | None = None
        self._last_at = float("-inf")

    def report(self, done: int, total: int | None, label: str = "") -> None:
        total_i = -1 if total is None else int(total)
        last = self._last
        same_phase = last is not None and last[2] == label and last[1] == total_i
        finished = total_i > 0 and done >= total_i
        now = self._clock()
        if now - self._yielded_at >= _YIELD_INTERVAL:
            # Let the UI thread have the interpreter lock. A worker that reads files or a
            # database gives the lock up and takes it back thousands of times a second; each
            # such hand-over resets the UI thread's claim to it, so without a real pause the
            # window can wait for seconds (the "convoy effect", bpo-7946).
            self._yielded_at = now
            self._sleep(_YIELD_SECONDS)
        if same_phase and not finished:
            assert last is not None
            if total_i > 0 and (done - last[0]) < total_i * _MIN_STEP:
                return
            if now - self._last_at < _MIN_INTERVAL:
                return
        self._last = (int(done), total_i, label)
        self._last_at = now
        self._signals.progress.emit(int(done), total_i, label)


class _FrozenHeap:
    """While long work runs, keep the objects that existed before it out of the collector's
    full passes (``gc.freeze``): a full pass over a large heap holds the interpreter lock for
    up to seconds, and the window would freeze with it. Nested tasks share one freeze."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0

    def __enter__(self) -> None:
        with self._lock:
            if self._users == 0:
                gc.freeze()
            self._users += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0:
                gc.unfreeze()


_FROZEN_HEAP = _FrozenHeap()


_POOL: QThreadPool | None = None


def task_pool() -> QThreadPool:
    """The threads long work runs on: a pool of its own, not Qt's global one. Qt uses the
    global pool itself (the raster paint engine splits some drawing across it and waits): a
    long task holding those threads would stall painting the window — its progress bar too."""
    global _POOL
    if _POOL is None:
        _POOL = QThreadPool()
        _POOL.setObjectName("caseapp-tasks")
        _POOL.setMaxThreadCount(max(4, QThread.idealThreadCount()))
    return _POOL


class _Runnable(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._task = task

    def run(self) -> None:
        self._task._run()


class Task(QObject):
    """One unit of long work on the global thread pool; see the module docstring."""

    progress = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    finished = Signal()

    def __init__(self, fn: TaskFn, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fn = fn
        self.cancel_token = CancelToken()
        self._signals = _Signals()
        # Queued: the worker thread emits, the UI thread (this object's thread) receives.
        queued = Qt.ConnectionType.QueuedConnection
        self._signals.progress.connect(self.progress, queued)
        self._signals.succeeded.connect(self._on_succeeded, queued)
        self._signals.failed.connect(self._on_failed, queued)
        self._signals.cancelled.connect(self._on_cancelled, queued)
        self.running = False
        self.result: Any = None
        self.error: str | None = None
        self.was_cancelled = False

    def start(self, pool: QThreadPool | None = None) -> None:
        if self.running:
            raise RuntimeError("task already running")
        self.running = True
        (pool or task_pool()).start(_Runnable(self))

    def cancel(self) -> None:
        self.cancel_token.cancel()

    def _run(self) -> None:  # on the pool thread
        sink = _SignalProgress(self._signals)
        try:
            with _FROZEN_HEAP:
                result = self._fn(sink, self.cancel_token)
        except Cancelled:
            self._signals.cancelled.emit()
        except CaseappError as exc:
            self._signals.failed.emit(str(exc))
        except Exception as exc:  # unexpected: keep the traceback for the bug report
            detail = "".join(traceback.format_exception(exc)).rstrip()
            self._signals.failed.emit(
                _("An unexpected internal error occurred:\n{detail}").format(detail=detail))
        else:
            if self.cancel_token.cancelled:
                self._signals.cancelled.emit()
            else:
                self._signals.succeeded.emit(result)

    def _on_succeeded(self, result: object) -> None:
        self.running = False
        self.result = result
        self.succeeded.emit(result)
        self.finished.emit()

    def _on_failed(self, message: str) -> None:
        self.running = False
        self.error = message
        self.failed.emit(message)
        self.finished.emit()

    def _on_cancelled(self) -> None:
        self.running = False
        self.was_cancelled = True
        self.cancelled.emit()
        self.finished.emit()


class TaskProgressDialog(QProgressDialog):
    """A modal progress dialog bound to a task: bar, label, Cancel."""

    def __init__(self, task: Task, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, _("Cancel"), 0, 0, parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumDuration(300)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumWidth(420)
        self._title = title
        self._task = task
        task.progress.connect(self._on_progress)
        task.finished.connect(self._on_finished)
        self.canceled.connect(self._on_cancel_clicked)

    def _on_progress(self, done: int, total: int, label: str) -> None:
        if total > 0:
            self.setMaximum(total)
            self.setValue(min(done, total))
        else:
            self.setMaximum(0)  # busy indicator
        if label:
            self.setLabelText(label)

    def _on_cancel_clicked(self) -> None:
        self.setLabelText(_("Cancelling…"))
        self._task.cancel()

    def _on_finished(self) -> None:
        self.reset()
        self.hide()


def run_with_progress_dialog(parent: QWidget | None, title: str, fn: TaskFn) -> Task:
    """Run `fn` in a worker behind a modal progress dialog; return the finished task.

    The event loop keeps running (the window repaints, Cancel works) until the task ends.
    Inspect ``task.result``, ``task.error`` and ``task.was_cancelled`` afterwards.
    """
    task = Task(fn)
    dialog = TaskProgressDialog(task, title, parent)
    loop = QEventLoop()
    task.finished.connect(loop.quit)
    task.start()
    if task.running:
        loop.exec()
    dialog.deleteLater()
    return task
