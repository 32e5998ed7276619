"""Errors the core raises. Their message is written for the person using the app."""

from __future__ import annotations

from datetime import datetime


class CaseappError(Exception):
    """An expected failure with a message a person can act on (no traceback shown)."""

    exit_code = 1


class NotFoundError(CaseappError):
    exit_code = 3


class InvalidInputError(CaseappError):
    exit_code = 2


class ConflictError(CaseappError):
    """Someone else changed the same object first, or a uniqueness rule was broken."""

    exit_code = 4


class EditConflictError(ConflictError):
    """Someone else saved a change to the object after the user read it (optimistic locking).

    Nothing of the user's edit was written; the message names the object, who changed it last
    and when."""

    def __init__(
        self,
        message: str,
        *,
        object_type: str,
        object_id: int,
        expected_version: int | None,
        current_version: int | None,
        changed_by: str = "",
        changed_at: datetime | None = None,
    ) -> None:
        super().__init__(message)
        self.object_type = object_type
        self.object_id = object_id
        self.expected_version = expected_version
        self.current_version = current_version
        self.changed_by = changed_by
        self.changed_at = changed_at


class IntegrityError(CaseappError):
    """Stored data does not match what was recorded (evidence hash, audit chain)."""

    exit_code = 5


class Cancelled(CaseappError):
    exit_code = 130
