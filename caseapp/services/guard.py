"""Optimistic locking: refuse to overwrite what someone else changed in the meantime."""

from __future__ import annotations

from datetime import datetime

from caseapp.domain.errors import ConflictError, EditConflictError
from caseapp.i18n import _


def check_version(current: int, expected: int | None, what: str) -> None:
    if expected is not None and current != expected:
        raise ConflictError(
            _("Someone else changed {what} while you were editing it (version {expected} → "
              "{current}). Reload it and apply your changes again.").format(
                what=what, expected=expected, current=current))


def edit_conflict(
    *,
    object_type: str,
    object_id: int,
    what: str,
    expected: int | None,
    current: int | None,
    changed_by: str,
    changed_at: datetime | None,
) -> EditConflictError:
    """The error for an edit based on an old version (or on a row deleted meanwhile)."""
    if current is None:
        message = _("{what} was deleted by someone else while you were editing it; your "
                    "changes were not saved.").format(what=what)
    else:
        when = changed_at.astimezone().strftime("%Y-%m-%d %H:%M:%S") if changed_at else "?"
        message = _("{what} was changed by {who} at {when} while you were editing it "
                    "(you had version {expected}, it is now version {current}); your changes "
                    "were not saved. Reload it and apply them again.").format(
            what=what, who=changed_by or _("an unknown user"), when=when,
            expected=expected if expected is not None else "?", current=current)
    return EditConflictError(message, object_type=object_type, object_id=object_id,
                             expected_version=expected, current_version=current,
                             changed_by=changed_by, changed_at=changed_at)
