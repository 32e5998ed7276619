"""An inline progress bar with a Cancel button for a :class:`~caseapp.ui.workers.task.Task`
(for pages that show their own progress, e.g. the import wizard)."""

from __future__ import annotations

from PySide6.QtCore import QDeadlineTimer, QEventLoop, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from caseapp.i18n import _
from caseapp.ui.workers.task import Task, TaskFn


class TaskPanel(QWidget):
    finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setValue(0)
        self.cancel_button = QPushButton(_("Cancel"), self)
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout()
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addLayout(row)
        self.task: Task | None = None
        self.cancel_button.setEnabled(False)

    @property
    def running(self) -> bool:
        return self.task is not None and self.task.running

    def start(self, fn: TaskFn, label: str = "") -> Task:
        if self.running:
            raise RuntimeError("a task is already running")
        self.label.setText(label)
        self.bar.setRange(0, 0)  # busy until the first report
        task = Task(fn)
        task.progress.connect(self._on_progress)
        task.finished.connect(self._on_finished)
        self.task = task
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText(_("Cancel"))
        task.start()
        return task

    def cancel(self) -> None:
        if self.running and self.task is not None:
            self.cancel_button.setEnabled(False)
            self.cancel_button.setText(_("Cancelling…"))
            self.task.cancel()

    def wait(self, timeout_ms: int = 600_000) -> None:
        """Process events until the task has finished (for closing a dialog, and tests)."""
        deadline = QDeadlineTimer(timeout_ms)
        loop = QEventLoop()
        while self.running and not deadline.hasExpired():
            loop.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
        loop.processEvents()

    def _on_progress(self, done: int, total: int, label: str) -> None:
        # Only what changed: a new range or text asks the whole page for a new layout.
        maximum = max(total, 0)
        if self.bar.minimum() != 0 or self.bar.maximum() != maximum:
            self.bar.setRange(0, maximum)
        if total > 0:
            self.bar.setValue(min(done, total))
        if label and label != self.label.text():
            self.label.setText(label)

    def _on_finished(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText(_("Cancel"))
        task = self.task
        if task is not None and task.error is None and not task.was_cancelled:
            self.bar.setRange(0, 1)
            self.bar.setValue(1)
        else:
            self.bar.setRange(0, 1)
            self.bar.setValue(0)
        self.finished.emit()
