"""Readable error dialogs: what failed, why (the core's message), and what to do next.

An unexpected error (a bug) is shown the same way, with its traceback kept out of sight under
"Show Details…" for the bug report.
"""

from __future__ import annotations

import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from caseapp.domain.errors import (
    Cancelled,
    CaseappError,
    ConflictError,
    IntegrityError,
    InvalidInputError,
    NotFoundError,
)
from caseapp.i18n import _


def _internal_prefix() -> str:
    return _("An unexpected internal error occurred:\n{detail}").format(detail="")


def hint_for(error: BaseException | None) -> str:
    """What the user can do about an error of this kind."""
    if isinstance(error, InvalidInputError):
        return _("Correct what the message names and try again.")
    if isinstance(error, NotFoundError):
        return _("It may have been removed meanwhile: refresh (F5) and try again.")
    if isinstance(error, ConflictError):
        return _("Someone else changed it first: refresh (F5), then make your change again.")
    if isinstance(error, IntegrityError):
        return _("Do not change the stored files; report this to whoever keeps the workspace.")
    if isinstance(error, CaseappError):
        return _("Check the message above and try again.")
    return _("Try again. If it keeps happening, send the details (Show Details…) to your "
             "administrator.")


def build_error_box(parent: QWidget | None, what_failed: str, message: str,
                    hint: str = "") -> QMessageBox:
    """The dialog without showing it (tests inspect it)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(what_failed)
    box.setText(what_failed)
    details = ""
    prefix = _internal_prefix()
    if message.startswith(prefix):
        details = message[len(prefix):]
        message = _("caseapp ran into an internal error; nothing was changed by the failed "
                    "step.")
        hint = hint or hint_for(None)
    body = message if not hint else f"{message}\n\n{hint}"
    box.setInformativeText(body)
    if details:
        box.setDetailedText(details)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    return box


def show_error(parent: QWidget | None, what_failed: str, error: BaseException | str,
               hint: str | None = None) -> None:
    """Show ``what_failed`` (e.g. "Cannot import the file"), the error's message and a hint."""
    if isinstance(error, BaseException):
        if isinstance(error, CaseappError):
            message = str(error)
        else:
            message = _internal_prefix() + "".join(traceback.format_exception(error)).rstrip()
        hint = hint if hint is not None else hint_for(error)
    else:
        message = error
    box = build_error_box(parent, what_failed, message, hint or "")
    box.exec()


def install_excepthook() -> None:
    """Show unexpected errors in slots as a dialog instead of a traceback on the console."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], error: BaseException,
             tb: TracebackType | None) -> None:
        if isinstance(error, KeyboardInterrupt | Cancelled) or QApplication.instance() is None:
            previous(kind, error, tb)
            return
        if error.__traceback__ is None:
            error = error.with_traceback(tb)
        show_error(QApplication.activeWindow(), _("Something went wrong"), error)

    sys.excepthook = hook
