"""Find objects by the references people type: case id or number, typed object refs."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseapp.db.models import Case, Complaint, Contact, Evidence, Identifier, Party
from caseapp.domain.enums import LinkEndType
from caseapp.domain.errors import InvalidInputError, NotFoundError
from caseapp.domain.labels import object_type_label
from caseapp.i18n import _

OBJECT_MODELS: dict[LinkEndType, type[Party | Complaint | Contact | Evidence | Identifier]] = {
    LinkEndType.PARTY: Party,
    LinkEndType.COMPLAINT: Complaint,
    LinkEndType.CONTACT: Contact,
    LinkEndType.EVIDENCE: Evidence,
    LinkEndType.IDENTIFIER: Identifier,
}


def find_case(session: Session, ref: str | int) -> Case:
    """A case by its number, else by its id."""
    text = str(ref).strip()
    case = session.scalar(select(Case).where(Case.number == text))
    if case is None and text.isdigit():
        case = session.get(Case, int(text))
    if case is None:
        raise NotFoundError(_("No case with number or id {ref}.").format(ref=text))
    return case


def find_object(
    session: Session, case_id: int, object_type: LinkEndType | str, ref: str | int
) -> Party | Complaint | Contact | Evidence | Identifier:
    """An object of a case by id (or, for a complaint, by its external number)."""
    try:
        kind = LinkEndType(object_type)
    except ValueError:
        allowed = ", ".join(t.value for t in LinkEndType)
        raise InvalidInputError(
            _("Unknown object type {type}; use one of: {allowed}.").format(
                type=object_type, allowed=allowed
            )
        ) from None
    model = OBJECT_MODELS[kind]
    text = str(ref).strip()
    obj = None
    if kind is LinkEndType.COMPLAINT:
        obj = session.scalar(
            select(Complaint).where(Complaint.case_id == case_id, Complaint.external_number == text)
        )
    if obj is None and text.isdigit():
        obj = session.get(model, int(text))
        if obj is not None and obj.case_id != case_id:
            obj = None
    if obj is None:
        raise NotFoundError(
            _("No {type} {ref} in this case ({code}:{ref}).").format(
                type=object_type_label(kind), ref=text, code=kind.value)
        )
    return obj
