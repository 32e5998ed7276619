"""Optimistic locking: refuse to overwrite what someone else changed in the meantime."""

from __future__ import annotations

from caseapp.domain.errors import ConflictError
from caseapp.i18n import _


def check_version(current: int, expected: int | None, what: str) -> None:
    if expected is not None and current != expected:
        raise ConflictError(
            _("Someone else changed {what} while you were editing it (version {expected} → "
              "{current}). Reload it and apply your changes again.").format(
                what=what, expected=expected, current=current))
