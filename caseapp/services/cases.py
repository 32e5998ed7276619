"""Cases: create, list, open, rename, change status."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from caseapp.db.models import Case
from caseapp.db.repositories.lookup import find_case
from caseapp.domain.enums import CaseStatus
from caseapp.domain.errors import ConflictError, InvalidInputError
from caseapp.i18n import _
from caseapp.services.audit import append_audit
from caseapp.services.context import ServiceContext
from caseapp.services.convert import case_record
from caseapp.services.guard import check_version
from caseapp.services.records import CaseRecord

MAX_TITLE = 300
MAX_NUMBER = 64


class CaseService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def create(
        self,
        *,
        title: str,
        number: str | None = None,
        lead_investigator: str | None = None,
        organisation: str = "",
        summary: str = "",
    ) -> CaseRecord:
        title = title.strip()
        if not title:
            raise InvalidInputError(_("A case needs a title."))
        if len(title) > MAX_TITLE:
            raise InvalidInputError(
                _("The case title is longer than {n} characters.").format(n=MAX_TITLE))
        with self._ctx.db.write() as s:
            number = (number or "").strip() or self._next_number(s)
            if len(number) > MAX_NUMBER:
                raise InvalidInputError(
                    _("The case number is longer than {n} characters.").format(n=MAX_NUMBER))
            if s.scalar(select(Case.id).where(Case.number == number)) is not None:
                raise ConflictError(_("A case numbered {number} already exists.").format(
                    number=number))
            now = self._ctx.clock()
            case = Case(
                number=number,
                title=title,
                status=CaseStatus.OPEN.value,
                lead_investigator=lead_investigator if lead_investigator is not None
                else self._ctx.actor,
                organisation=organisation,
                summary=summary,
                created_at=now,
                updated_at=now,
            )
            s.add(case)
            s.flush()
            append_audit(s, self._ctx, case_id=case.id, action="case.create",
                         object_type="case", object_id=case.id,
                         summary=f"{case.number} {case.title}",
                         details={"number": number, "title": title})
            return case_record(case)

    def _next_number(self, s: Session) -> str:
        year = self._ctx.clock().year
        prefix = f"AJ{year}-"
        count = s.scalar(select(func.count()).select_from(Case).where(
            Case.number.like(f"{prefix}%"))) or 0
        n = count + 1
        while s.scalar(select(Case.id).where(Case.number == f"{prefix}{n:04d}")) is not None:
            n += 1
        return f"{prefix}{n:04d}"

    def list(self, *, status: CaseStatus | None = None) -> list[CaseRecord]:
        with self._ctx.db.read() as s:
            query = select(Case).order_by(Case.created_at.desc(), Case.id.desc())
            if status is not None:
                query = query.where(Case.status == status.value)
            return [case_record(c) for c in s.scalars(query)]

    def get(self, ref: str | int) -> CaseRecord:
        with self._ctx.db.read() as s:
            return case_record(find_case(s, ref))

    def update(
        self,
        ref: str | int,
        *,
        expected_version: int | None = None,
        title: str | None = None,
        status: CaseStatus | str | None = None,
        lead_investigator: str | None = None,
        organisation: str | None = None,
        summary: str | None = None,
    ) -> CaseRecord:
        with self._ctx.db.write() as s:
            case = find_case(s, ref)
            check_version(case.version, expected_version, _("case {number}").format(
                number=case.number))
            changed: dict[str, str] = {}
            if title is not None:
                title = title.strip()
                if not title:
                    raise InvalidInputError(_("A case needs a title."))
                changed["title"] = case.title = title
            if status is not None:
                try:
                    changed["status"] = case.status = CaseStatus(status).value
                except ValueError:
                    raise InvalidInputError(_("Unknown case status {status}.").format(
                        status=status)) from None
            if lead_investigator is not None:
                changed["lead_investigator"] = case.lead_investigator = lead_investigator
            if organisation is not None:
                changed["organisation"] = case.organisation = organisation
            if summary is not None:
                case.summary = summary
                changed["summary"] = f"{len(summary)} chars"
            if changed:
                case.updated_at = self._ctx.clock()
                s.flush()
                append_audit(s, self._ctx, case_id=case.id, action="case.update",
                             object_type="case", object_id=case.id,
                             summary=", ".join(sorted(changed)), details=changed)
            return case_record(case)
