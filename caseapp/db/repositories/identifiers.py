"""Identifier rows: one per (case, type, normalised value)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseapp.db.models import Identifier
from caseapp.identifiers import ParsedIdentifier


def get_or_create_identifier(
    session: Session, case_id: int, parsed: ParsedIdentifier
) -> Identifier:
    row = session.scalar(
        select(Identifier).where(
            Identifier.case_id == case_id,
            Identifier.type == parsed.type.value,
            Identifier.value == parsed.value,
        )
    )
    if row is None:
        row = Identifier(
            case_id=case_id,
            type=parsed.type.value,
            value=parsed.value,
            raw=parsed.raw[:200],
            valid=parsed.valid,
            problems=[p.value for p in parsed.problems],
            details=jsonable_details(parsed.details),
        )
        session.add(row)
        session.flush()
    return row


def jsonable_details(details: object) -> dict[str, object]:
    if not isinstance(details, dict):
        details = dict(details)  # type: ignore[call-overload]
    out: dict[str, object] = {}
    for key, value in details.items():
        if isinstance(value, str | int | bool | float) or value is None:
            out[str(key)] = value
        else:
            out[str(key)] = str(value)
    return out
