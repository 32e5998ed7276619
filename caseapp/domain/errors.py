"""Errors the core raises. Their message is written for the person using the app."""

from __future__ import annotations


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


class IntegrityError(CaseappError):
    """Stored data does not match what was recorded (evidence hash, audit chain)."""

    exit_code = 5


class Cancelled(CaseappError):
    exit_code = 130
