"""The progress and cancel protocol long-running services take (no Qt)."""

from __future__ import annotations

import threading
from typing import Protocol

from caseapp.domain.errors import Cancelled
from caseapp.i18n import _


class ProgressSink(Protocol):
    def report(self, done: int, total: int | None, label: str = "") -> None: ...


class NullProgress:
    def report(self, done: int, total: int | None, label: str = "") -> None:
        pass


class CancelToken:
    """Set from any thread; long work calls `raise_if_cancelled()` between chunks."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled(_("The operation was cancelled; nothing was changed."))
