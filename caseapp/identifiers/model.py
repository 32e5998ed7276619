"""Result types of identifier parsing: problems, parsed values and values found in text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from caseapp.domain.enums import IdentifierType


class Problem(StrEnum):
    """Machine-readable reason why a value is invalid (or, in ``details["notes"]``, a remark).

    Values are stable strings; the UI and the exports translate them.
    """

    EMPTY = "empty"
    BAD_FORMAT = "bad_format"
    BAD_LENGTH = "bad_length"
    BAD_CHECKSUM = "bad_checksum"
    BAD_BIRTH_DATE = "bad_birth_date"
    UNKNOWN_REGION = "unknown_region"
    SCIENTIFIC_NOTATION = "scientific_notation"
    MASKED = "masked"
    NOT_A_MOBILE = "not_a_mobile"
    NOT_A_LANDLINE = "not_a_landline"
    MISSING_AREA_CODE = "missing_area_code"
    USCC_AS_LAWYER_LICENSE = "uscc_as_lawyer_license"
    ID_CARD_AS_LAWYER_LICENSE = "id_card_as_lawyer_license"
    BAD_YEAR = "bad_year"
    BAD_CATEGORY = "bad_category"
    BAD_SEX_DIGIT = "bad_sex_digit"
    BAD_REGISTRATION_AUTHORITY = "bad_registration_authority"
    # The following are informational: they appear in ``details["notes"]`` of valid values.
    UPGRADED_FROM_15 = "upgraded_from_15"
    EXCEL_PRECISION_LOSS = "excel_precision_loss"
    UNASSIGNED_PREFIX = "unassigned_prefix"
    ORG_CODE_CHECK_FAILED = "org_code_check_failed"
    FOREIGN_NUMBER = "foreign_number"
    SHORT_LENGTH = "short_length"


@dataclass(frozen=True, slots=True)
class ParsedIdentifier:
    """One identifier after parsing.

    ``problems`` lists why the value is invalid (empty when ``valid``); remarks that do not make
    a value invalid (e.g. a 15-digit ID number that was upgraded) are in ``details["notes"]``.
    ``value`` is the normalised form, or the cleaned raw text when the value is invalid.
    """

    type: IdentifierType
    raw: str
    value: str
    valid: bool
    problems: tuple[Problem, ...] = ()
    details: Mapping[str, object] = field(default_factory=dict, hash=False)

    @property
    def notes(self) -> tuple[Problem, ...]:
        """Informational remarks (problems that do not make the value invalid)."""
        notes = self.details.get("notes", ())
        return tuple(notes) if isinstance(notes, tuple | list) else ()


@dataclass(frozen=True, slots=True)
class FoundIdentifier(ParsedIdentifier):
    """An identifier found in free text; ``raw == text[start:end]`` of the original text."""

    start: int = field(kw_only=True)
    end: int = field(kw_only=True)

    @classmethod
    def from_parsed(
        cls,
        parsed: ParsedIdentifier,
        *,
        raw: str,
        start: int,
        end: int,
        extra: Mapping[str, object] | None = None,
    ) -> FoundIdentifier:
        details = dict(parsed.details)
        if extra:
            details.update(extra)
        return cls(
            type=parsed.type,
            raw=raw,
            value=parsed.value,
            valid=parsed.valid,
            problems=parsed.problems,
            details=details,
            start=start,
            end=end,
        )

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)


def make_result(
    kind: IdentifierType,
    raw: str,
    value: str,
    problems: list[Problem] | tuple[Problem, ...] = (),
    details: dict[str, object] | None = None,
    notes: list[Problem] | tuple[Problem, ...] = (),
) -> ParsedIdentifier:
    """Build a ParsedIdentifier: valid exactly when there is no problem."""
    problems = tuple(dict.fromkeys(problems)) if problems else ()
    details = dict(details) if details else {}
    if notes:
        details["notes"] = tuple(dict.fromkeys(notes))
    return ParsedIdentifier(kind, raw, value, not problems, problems, details)
