"""Undercover contacts (暗访记录), with files attached as evidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from caseapp.db.models import Contact, ContactAttachment, Evidence, Identifier, Party
from caseapp.db.repositories.lookup import find_case
from caseapp.domain.enums import ContactChannel
from caseapp.domain.errors import ConflictError, InvalidInputError, NotFoundError
from caseapp.domain.labels import channel_label
from caseapp.domain.progress import CancelToken, ProgressSink
from caseapp.i18n import _
from caseapp.services.audit import append_audit
from caseapp.services.context import ServiceContext
from caseapp.services.convert import contact_record
from caseapp.services.evidence import EvidenceFields, EvidenceService
from caseapp.services.guard import edit_conflict
from caseapp.services.records import ContactRecord


@dataclass(frozen=True, slots=True)
class ContactFields:
    channel: ContactChannel | str
    started_at: datetime
    summary: str = ""
    ended_at: datetime | None = None
    investigator: str | None = None
    cover_persona: str = ""
    counterpart_account: str = ""
    counterpart_identifier_id: int | None = None
    party_id: int | None = None
    location: str = ""
    services_offered: str = ""
    fee_amount: Decimal | None = None
    fee_basis: str = ""
    deposit_amount: Decimal | None = None
    claims: Sequence[str] = field(default_factory=tuple)
    transcript: str = ""


def _channel_value(channel: ContactChannel | str) -> str:
    try:
        return ContactChannel(channel).value
    except ValueError:
        allowed = ", ".join(c.value for c in ContactChannel)
        raise InvalidInputError(_("Unknown channel {channel}; use one of: {allowed}.").format(
            channel=channel, allowed=allowed)) from None


def _contact_conflict(contact_id: int, expected: int | None, contact: Contact | None
                      ) -> ConflictError:
    return edit_conflict(
        object_type="contact", object_id=contact_id,
        what=_("contact #{id}").format(id=contact_id) if contact is None else
        _("contact #{id} ({channel}, {at})").format(
            id=contact_id, channel=contact.channel,
            at=contact.started_at.astimezone().strftime("%Y-%m-%d %H:%M")),
        expected=expected, current=contact.version if contact is not None else None,
        changed_by=contact.updated_by if contact is not None else "",
        changed_at=contact.updated_at if contact is not None else None)


class ContactService:
    def __init__(self, ctx: ServiceContext, evidence: EvidenceService) -> None:
        self._ctx = ctx
        self._evidence = evidence

    def add(
        self,
        case_ref: str | int,
        fields: ContactFields,
        *,
        attachments: Sequence[Path] = (),
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> ContactRecord:
        """Record a contact; attached files become evidence of the case, all in one go."""
        channel = _channel_value(fields.channel)
        self._check_times(fields)
        with self._ctx.db.read() as s:
            find_case(s, case_ref)
        stored = self._evidence.store_files(list(attachments), progress=progress,
                                            cancel=cancel)
        try:
            with self._ctx.db.write() as s:
                case = find_case(s, case_ref)
                self._check_refs(s, case.id, fields)
                contact = Contact(case_id=case.id, created_by=self._ctx.actor,
                                  updated_by=self._ctx.actor, created_at=self._ctx.clock(),
                                  channel=channel)
                self._apply(contact, fields)
                contact.updated_at = contact.created_at
                s.add(contact)
                s.flush()
                append_audit(s, self._ctx, case_id=case.id, action="contact.add",
                             object_type="contact", object_id=contact.id,
                             summary=f"{channel} {contact.started_at.isoformat()}",
                             details={"channel": channel, "party_id": contact.party_id,
                                      "attachments": len(stored)})
                for path, item in zip(attachments, stored, strict=True):
                    added = self._evidence.record_stored(s, case, Path(path), item, EvidenceFields(
                        source=_("undercover contact #{id} ({channel})").format(
                            id=contact.id, channel=channel_label(channel)),
                        acquired_at=contact.started_at, acquired_by=contact.investigator))
                    self._attach(s, contact, added.evidence.id)
                return self._record(s, contact)
        except BaseException:
            self._evidence.discard_new(stored)
            raise

    def add_attachments(
        self,
        contact_id: int,
        paths: Sequence[Path],
        *,
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> ContactRecord:
        """Store files as evidence of the contact's case and attach them, all or nothing."""
        contact = self.get(contact_id)
        stored = self._evidence.store_files(list(paths), progress=progress, cancel=cancel)
        try:
            with self._ctx.db.write() as s:
                row = self._contact(s, contact_id)
                case = find_case(s, row.case_id)
                for path, item in zip(paths, stored, strict=True):
                    added = self._evidence.record_stored(s, case, Path(path), item, EvidenceFields(
                        source=_("undercover contact #{id} ({channel})").format(
                            id=row.id, channel=channel_label(contact.channel)),
                        acquired_at=row.started_at, acquired_by=row.investigator))
                    self._attach(s, row, added.evidence.id)
                return self._record(s, row)
        except BaseException:
            self._evidence.discard_new(stored)
            raise

    def attach_evidence(self, contact_id: int, evidence_id: int) -> ContactRecord:
        with self._ctx.db.write() as s:
            contact = self._contact(s, contact_id)
            evidence = s.get(Evidence, evidence_id)
            if evidence is None or evidence.case_id != contact.case_id:
                raise NotFoundError(_("No evidence {id} in this case.").format(id=evidence_id))
            self._attach(s, contact, evidence.id)
            return self._record(s, contact)

    def _attach(self, s: Session, contact: Contact, evidence_id: int) -> None:
        if s.get(ContactAttachment, (contact.id, evidence_id)) is not None:
            return
        s.add(ContactAttachment(contact_id=contact.id, evidence_id=evidence_id))
        s.flush()
        append_audit(s, self._ctx, case_id=contact.case_id, action="contact.attach",
                     object_type="contact", object_id=contact.id,
                     summary=f"evidence #{evidence_id}", details={"evidence_id": evidence_id})

    def update(self, contact_id: int, fields: ContactFields, *,
               expected_version: int | None = None) -> ContactRecord:
        """Replace a contact's fields. `expected_version` is the version the user read: if
        someone else saved a change since, nothing is written and `EditConflictError` says who
        and when."""
        channel = _channel_value(fields.channel)
        self._check_times(fields)
        read_version = expected_version
        try:
            with self._ctx.db.write() as s:
                contact = self._contact(s, contact_id)
                if expected_version is not None and contact.version != expected_version:
                    raise _contact_conflict(contact_id, expected_version, contact)
                read_version = contact.version
                self._check_refs(s, contact.case_id, fields)
                contact.channel = channel
                self._apply(contact, fields)
                contact.updated_at = self._ctx.clock()
                contact.updated_by = self._ctx.actor
                s.flush()  # the UPDATE checks the version (StaleDataError if it moved)
                append_audit(s, self._ctx, case_id=contact.case_id, action="contact.update",
                             object_type="contact", object_id=contact.id,
                             summary=f"{channel} {contact.started_at.isoformat()}",
                             details={"channel": channel, "party_id": contact.party_id})
                return self._record(s, contact)
        except StaleDataError:
            with self._ctx.db.read() as s:
                raise _contact_conflict(contact_id, read_version,
                                        s.get(Contact, contact_id)) from None

    def _apply(self, contact: Contact, f: ContactFields) -> None:
        contact.started_at = f.started_at.astimezone(UTC)
        contact.ended_at = f.ended_at.astimezone(UTC) if f.ended_at else None
        contact.investigator = f.investigator if f.investigator is not None else self._ctx.actor
        contact.cover_persona = f.cover_persona
        contact.counterpart_account = f.counterpart_account
        contact.counterpart_identifier_id = f.counterpart_identifier_id
        contact.party_id = f.party_id
        contact.location = f.location
        contact.services_offered = f.services_offered
        contact.fee_amount = f.fee_amount
        contact.fee_basis = f.fee_basis
        contact.deposit_amount = f.deposit_amount
        contact.claims = [c.strip() for c in f.claims if c.strip()]
        contact.summary = f.summary
        contact.transcript = f.transcript

    @staticmethod
    def _check_times(f: ContactFields) -> None:
        if f.started_at.tzinfo is None:
            raise InvalidInputError(_("The contact's start time needs a time zone."))
        if f.ended_at is not None and f.ended_at < f.started_at:
            raise InvalidInputError(_("The contact ends before it starts."))
        if f.fee_amount is not None and f.fee_amount < 0:
            raise InvalidInputError(_("The fee quoted cannot be negative."))
        if f.deposit_amount is not None and f.deposit_amount < 0:
            raise InvalidInputError(_("The deposit cannot be negative."))

    @staticmethod
    def _check_refs(s: Session, case_id: int, f: ContactFields) -> None:
        if f.party_id is not None:
            party = s.get(Party, f.party_id)
            if party is None or party.case_id != case_id:
                raise NotFoundError(_("No party {id} in this case.").format(id=f.party_id))
        if f.counterpart_identifier_id is not None:
            ident = s.get(Identifier, f.counterpart_identifier_id)
            if ident is None or ident.case_id != case_id:
                raise NotFoundError(_("No identifier {id} in this case.").format(
                    id=f.counterpart_identifier_id))

    def list(self, case_ref: str | int) -> list[ContactRecord]:
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            rows = s.scalars(select(Contact).where(Contact.case_id == case.id)
                             .order_by(Contact.started_at, Contact.id))
            return [self._record(s, c) for c in rows]

    def get(self, contact_id: int) -> ContactRecord:
        with self._ctx.db.read() as s:
            return self._record(s, self._contact(s, contact_id))

    @staticmethod
    def _contact(s: Session, contact_id: int) -> Contact:
        row = s.get(Contact, contact_id)
        if row is None:
            raise NotFoundError(_("No contact {id}.").format(id=contact_id))
        return row

    @staticmethod
    def _record(s: Session, contact: Contact) -> ContactRecord:
        files = list(s.scalars(
            select(Evidence).join(ContactAttachment,
                                  ContactAttachment.evidence_id == Evidence.id)
            .where(ContactAttachment.contact_id == contact.id).order_by(Evidence.id)))
        return contact_record(contact, files)
