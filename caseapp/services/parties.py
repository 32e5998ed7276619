"""Parties (涉案主体) and the identifiers attached to them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from caseapp.db.models import (
    Contact,
    ContactAttachment,
    Identifier,
    IdentifierMention,
    Link,
    Party,
    TagAssignment,
)
from caseapp.db.repositories.identifiers import get_or_create_identifier
from caseapp.db.repositories.lookup import find_case, find_object
from caseapp.domain.enums import IdentifierType, LinkEndType, PartyKind, PartyRole
from caseapp.domain.errors import ConflictError, InvalidInputError, NotFoundError
from caseapp.domain.labels import identifier_type_label
from caseapp.i18n import _
from caseapp.identifiers import parse_identifier
from caseapp.services.audit import append_audit
from caseapp.services.context import ServiceContext
from caseapp.services.convert import identifier_record, party_record
from caseapp.services.guard import check_version, edit_conflict
from caseapp.services.objects import ObjectRef, object_labels
from caseapp.services.records import IdentifierRecord, PartyRecord

MAX_NAME = 200
RELATED_LIMIT = 500


@dataclass(frozen=True, slots=True)
class RelatedObject:
    """Something a party is connected to, and how (a link's relation, or the identifier that
    was mentioned there)."""

    object: ObjectRef
    via: str
    link_id: int | None = None


@dataclass(frozen=True, slots=True)
class PartyRelations:
    party_id: int
    links: tuple[RelatedObject, ...]  # every manual or rule link, whatever the other end
    complaints: tuple[RelatedObject, ...]  # linked, or mentioning one of its identifiers
    complaint_total: int  # may exceed len(complaints) (capped at RELATED_LIMIT)
    contacts: tuple[RelatedObject, ...]
    evidence: tuple[RelatedObject, ...]


class _StaleIdentifier(Exception):
    """An identifier row changed under an attach or detach (turned into a conflict)."""

    def __init__(self, identifier_id: int) -> None:
        super().__init__(identifier_id)
        self.identifier_id = identifier_id


def _party_conflict(party_id: int, expected: int | None, party: Party | None
                    ) -> ConflictError:
    what = (_("party #{id} {name}").format(id=party_id, name=party.name) if party is not None
            else _("party #{id}").format(id=party_id))
    return edit_conflict(
        object_type="party", object_id=party_id, what=what, expected=expected,
        current=party.version if party is not None else None,
        changed_by=party.updated_by if party is not None else "",
        changed_at=party.updated_at if party is not None else None)


def parse_id_spec(spec: str) -> tuple[IdentifierType, str]:
    """``TYPE:VALUE`` as typed on the command line (``mobile:138 1234 5678``)."""
    kind, sep, value = spec.partition(":")
    if not sep or not value.strip():
        raise InvalidInputError(
            _("Identifier {spec!r} is not TYPE:VALUE (for example mobile:13812345678).").format(
                spec=spec))
    return _identifier_type(kind), value.strip()


def _identifier_type(kind: str) -> IdentifierType:
    try:
        return IdentifierType(kind.strip().lower())
    except ValueError:
        allowed = ", ".join(t.value for t in IdentifierType)
        raise InvalidInputError(_("Unknown identifier type {type}; use one of: {allowed}.")
                                .format(type=kind, allowed=allowed)) from None


def _enum_value(enum: type[PartyKind] | type[PartyRole], value: str, label: str) -> str:
    try:
        return enum(value).value
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise InvalidInputError(_("Unknown {label} {value}; use one of: {allowed}.").format(
            label=label, value=value, allowed=allowed)) from None


class PartyService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def add(
        self,
        case_ref: str | int,
        *,
        name: str,
        kind: PartyKind | str = PartyKind.PERSON,
        role: PartyRole | str = PartyRole.OTHER,
        aliases: Sequence[str] = (),
        notes: str = "",
        identifiers: Iterable[tuple[IdentifierType | str, str]] = (),
    ) -> PartyRecord:
        name = name.strip()
        if not name:
            raise InvalidInputError(_("A party needs a name."))
        if len(name) > MAX_NAME:
            raise InvalidInputError(_("The name is longer than {n} characters.").format(
                n=MAX_NAME))
        kind_value = _enum_value(PartyKind, str(kind), _("party kind"))
        role_value = _enum_value(PartyRole, str(role), _("role"))
        try:
            with self._ctx.db.write() as s:
                case = find_case(s, case_ref)
                now = self._ctx.clock()
                party = Party(case_id=case.id, kind=kind_value, role=role_value, name=name,
                              aliases=[a.strip() for a in aliases if a.strip()], notes=notes,
                              created_by=self._ctx.actor, created_at=now,
                              updated_by=self._ctx.actor, updated_at=now)
                s.add(party)
                s.flush()
                append_audit(s, self._ctx, case_id=case.id, action="party.add",
                             object_type="party", object_id=party.id,
                             summary=f"{name} ({role_value})",
                             details={"name": name, "kind": kind_value, "role": role_value})
                for id_type, raw in identifiers:
                    self._attach(s, case.id, party, _identifier_type(str(id_type)), raw)
                return self._record(s, party)
        except _StaleIdentifier as stale:
            raise self._stale_identifier(stale.identifier_id) from None

    def add_identifier(
        self, party_id: int, id_type: IdentifierType | str, raw: str, *, note: str = ""
    ) -> IdentifierRecord:
        try:
            with self._ctx.db.write() as s:
                party = self._party(s, party_id)
                row = self._attach(s, party.case_id, party, _identifier_type(str(id_type)),
                                   raw)
                if note:
                    row.note = note
                return identifier_record(row)
        except _StaleIdentifier as stale:
            raise self._stale_identifier(stale.identifier_id) from None

    def _attach(
        self, s: Session, case_id: int, party: Party, id_type: IdentifierType, raw: str
    ) -> Identifier:
        parsed = parse_identifier(id_type, raw)
        if not parsed.value:
            raise InvalidInputError(_("The {type} is empty.").format(
                type=identifier_type_label(id_type)))
        row = get_or_create_identifier(s, case_id, parsed)
        if row.party_id not in (None, party.id):
            owner = s.get(Party, row.party_id)
            raise ConflictError(
                _("{type} {value} already belongs to party #{id} {name}; merge the two parties "
                  "or detach it there first.").format(
                    type=identifier_type_label(id_type), value=row.value, id=row.party_id,
                    name=owner.name if owner else "?"))
        if not row.created_by:
            row.created_by = self._ctx.actor
        row.party_id = party.id
        row.updated_by = self._ctx.actor
        row.updated_at = self._ctx.clock()
        try:
            s.flush()
        except StaleDataError:
            raise _StaleIdentifier(row.id) from None
        append_audit(s, self._ctx, case_id=case_id, action="identifier.attach",
                     object_type="identifier", object_id=row.id,
                     summary=f"{row.type} {row.value} → party #{party.id}",
                     details={"party_id": party.id, "type": row.type, "value": row.value,
                              "valid": row.valid, "problems": list(row.problems)})
        return row

    def detach_identifier(self, identifier_id: int, *, expected_version: int | None = None
                          ) -> IdentifierRecord:
        try:
            return self._detach(identifier_id, expected_version)
        except (StaleDataError, _StaleIdentifier):
            raise self._stale_identifier(identifier_id, expected_version) from None

    def _detach(self, identifier_id: int, expected_version: int | None) -> IdentifierRecord:
        with self._ctx.db.write() as s:
            row = s.get(Identifier, identifier_id)
            if row is None:
                raise NotFoundError(_("No identifier {id}.").format(id=identifier_id))
            if expected_version is not None and row.version != expected_version:
                raise _StaleIdentifier(row.id)
            old = row.party_id
            row.party_id = None
            row.updated_by = self._ctx.actor
            row.updated_at = self._ctx.clock()
            s.flush()
            append_audit(s, self._ctx, case_id=row.case_id, action="identifier.detach",
                         object_type="identifier", object_id=row.id,
                         summary=f"{row.type} {row.value} ✕ party #{old}",
                         details={"party_id": old})
            return identifier_record(row)

    def update(
        self,
        party_id: int,
        *,
        expected_version: int | None = None,
        name: str | None = None,
        kind: PartyKind | str | None = None,
        role: PartyRole | str | None = None,
        aliases: Sequence[str] | None = None,
        notes: str | None = None,
    ) -> PartyRecord:
        """Change a party. `expected_version` is the version the user read: if someone else
        saved a change since, nothing is written and `EditConflictError` says who and when."""
        read_version = expected_version
        try:
            with self._ctx.db.write() as s:
                party = self._party(s, party_id)
                if expected_version is not None and party.version != expected_version:
                    raise _party_conflict(party_id, expected_version, party)
                read_version = party.version
                changed: dict[str, object] = {}
                if name is not None:
                    name = name.strip()
                    if not name:
                        raise InvalidInputError(_("A party needs a name."))
                    changed["name"] = party.name = name
                if kind is not None:
                    changed["kind"] = party.kind = _enum_value(PartyKind, str(kind),
                                                               _("party kind"))
                if role is not None:
                    changed["role"] = party.role = _enum_value(PartyRole, str(role), _("role"))
                if aliases is not None:
                    party.aliases = [a.strip() for a in aliases if a.strip()]
                    changed["aliases"] = list(party.aliases)
                if notes is not None:
                    party.notes = notes
                    changed["notes"] = f"{len(notes)} chars"
                if changed:
                    party.updated_at = self._ctx.clock()
                    party.updated_by = self._ctx.actor
                    s.flush()  # the UPDATE checks the version (StaleDataError if it moved)
                    append_audit(s, self._ctx, case_id=party.case_id, action="party.update",
                                 object_type="party", object_id=party.id,
                                 summary=", ".join(sorted(changed)), details=changed)
                return self._record(s, party)
        except StaleDataError:
            raise self._stale(party_id, read_version) from None

    def _stale(self, party_id: int, expected: int | None) -> ConflictError:
        """The conflict error for an edit that lost the race, read after the rollback."""
        with self._ctx.db.read() as s:
            return _party_conflict(party_id, expected, s.get(Party, party_id))

    def merge(
        self,
        keep_id: int,
        absorb_id: int,
        *,
        expected_versions: tuple[int, int] | None = None,
    ) -> PartyRecord:
        """Fold party `absorb_id` into `keep_id` and remove it.

        Its identifiers move over (and with them every place they were mentioned: complaints,
        contacts, evidence), as do its contacts, links and tags; its name and aliases become
        aliases of the kept party and its notes are appended. One audited unit of work."""
        if keep_id == absorb_id:
            raise InvalidInputError(_("A party cannot be merged with itself."))
        try:
            return self._merge(keep_id, absorb_id, expected_versions)
        except StaleDataError:
            raise self._stale(keep_id, None) from None

    def _merge(self, keep_id: int, absorb_id: int,
               expected_versions: tuple[int, int] | None) -> PartyRecord:
        with self._ctx.db.write() as s:
            keep = self._party(s, keep_id)
            absorb = self._party(s, absorb_id)
            if keep.case_id != absorb.case_id:
                raise InvalidInputError(_("Only parties of the same case can be merged."))
            if expected_versions is not None:
                check_version(keep.version, expected_versions[0],
                              _("party #{id} {name}").format(id=keep.id, name=keep.name))
                check_version(absorb.version, expected_versions[1],
                              _("party #{id} {name}").format(id=absorb.id, name=absorb.name))
            moved_identifiers = s.execute(
                update(Identifier).where(Identifier.party_id == absorb.id)
                .values(party_id=keep.id)).rowcount
            moved_contacts = s.execute(
                update(Contact).where(Contact.party_id == absorb.id)
                .values(party_id=keep.id)).rowcount
            moved_links, dropped_links = self._move_links(s, keep.case_id, absorb.id, keep.id)
            moved_tags = self._move_tags(s, absorb.id, keep.id)
            s.flush()
            keep.aliases = [a for a in dict.fromkeys([*keep.aliases, absorb.name,
                                                      *absorb.aliases]) if a != keep.name]
            if absorb.notes:
                keep.notes = f"{keep.notes}\n{absorb.notes}".strip()
            keep.updated_at = self._ctx.clock()
            keep.updated_by = self._ctx.actor
            absorbed_name = absorb.name
            s.delete(absorb)
            s.flush()
            append_audit(s, self._ctx, case_id=keep.case_id, action="party.merge",
                         object_type="party", object_id=keep.id,
                         summary=f"#{absorb_id} {absorbed_name} → #{keep.id} {keep.name}",
                         details={"absorbed_id": absorb_id, "absorbed_name": absorbed_name,
                                  "identifiers": moved_identifiers, "contacts": moved_contacts,
                                  "links": moved_links, "duplicate_links_dropped": dropped_links,
                                  "tags": moved_tags})
            return self._record(s, keep)

    def _stale_identifier(self, identifier_id: int, expected: int | None = None
                          ) -> ConflictError:
        with self._ctx.db.read() as s:
            row = s.get(Identifier, identifier_id)
            what = (_("identifier {type} {value}").format(
                type=identifier_type_label(row.type), value=row.value) if row is not None
                else _("identifier #{id}").format(id=identifier_id))
            return edit_conflict(
                object_type="identifier", object_id=identifier_id, what=what,
                expected=expected, current=row.version if row is not None else None,
                changed_by=row.updated_by if row is not None else "",
                changed_at=row.updated_at if row is not None else None)

    @staticmethod
    def _move_tags(s: Session, from_id: int, to_id: int) -> int:
        party = LinkEndType.PARTY.value
        have = set(s.scalars(select(TagAssignment.tag_id).where(
            TagAssignment.object_type == party, TagAssignment.object_id == to_id)))
        moved = 0
        for row in list(s.scalars(select(TagAssignment).where(
                TagAssignment.object_type == party, TagAssignment.object_id == from_id))):
            tag_id = row.tag_id
            s.delete(row)
            if tag_id not in have:
                s.flush()
                s.add(TagAssignment(tag_id=tag_id, object_type=party, object_id=to_id))
                moved += 1
        return moved

    @staticmethod
    def _move_links(s: Session, case_id: int, from_id: int, to_id: int) -> tuple[int, int]:
        """Point the links of party `from_id` at `to_id`; a link that would then duplicate
        another one (or join the party to itself) is removed. Returns (moved, removed)."""
        party = LinkEndType.PARTY.value
        links = list(s.scalars(select(Link).where(Link.case_id == case_id).order_by(Link.id)))
        keys = {(lk.from_type, lk.from_id, lk.to_type, lk.to_id, lk.relation) for lk in links}
        moved = removed = 0
        for link in links:
            ends = [(link.from_type, link.from_id), (link.to_type, link.to_id)]
            if (party, from_id) not in ends:
                continue
            new_ends = [(t, to_id if (t, i) == (party, from_id) else i) for t, i in ends]
            key = (*new_ends[0], *new_ends[1], link.relation)
            keys.discard((link.from_type, link.from_id, link.to_type, link.to_id, link.relation))
            if key in keys or new_ends[0] == new_ends[1]:
                s.delete(link)
                removed += 1
            else:
                link.from_id, link.to_id = new_ends[0][1], new_ends[1][1]
                keys.add(key)
                moved += 1
        s.flush()
        return moved, removed

    def list(self, case_ref: str | int, *, role: PartyRole | str | None = None
             ) -> list[PartyRecord]:
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            query = select(Party).where(Party.case_id == case.id).order_by(Party.id)
            if role is not None:
                query = query.where(Party.role == str(role))
            parties = list(s.scalars(query))
            ids = [p.id for p in parties]
            by_party: dict[int, list[Identifier]] = {i: [] for i in ids}
            if ids:
                for ident in s.scalars(select(Identifier).where(Identifier.party_id.in_(ids))
                                       .order_by(Identifier.id)):
                    by_party[ident.party_id].append(ident)  # type: ignore[index]
            return [party_record(p, by_party[p.id]) for p in parties]

    def get(self, party_id: int) -> PartyRecord:
        with self._ctx.db.read() as s:
            return self._record(s, self._party(s, party_id))

    @staticmethod
    def _party(s: Session, party_id: int) -> Party:
        party = s.get(Party, party_id)
        if party is None:
            raise NotFoundError(_("No party {id}.").format(id=party_id))
        return party

    @staticmethod
    def _record(s: Session, party: Party) -> PartyRecord:
        idents = list(s.scalars(select(Identifier).where(Identifier.party_id == party.id)
                                .order_by(Identifier.id)))
        return party_record(party, idents)

    def find(self, case_ref: str | int, ref: str | int) -> PartyRecord:
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            party = find_object(s, case.id, LinkEndType.PARTY, ref)
            assert isinstance(party, Party)
            return self._record(s, party)

    def related(self, party_id: int) -> PartyRelations:
        """What the party is connected to: links, complaints, contacts and evidence."""
        with self._ctx.db.read() as s:
            party = self._party(s, party_id)
            pkind = LinkEndType.PARTY.value
            links = list(s.scalars(select(Link).where(
                Link.case_id == party.case_id,
                or_((Link.from_type == pkind) & (Link.from_id == party.id),
                    (Link.to_type == pkind) & (Link.to_id == party.id))).order_by(Link.id)))
            ends: list[tuple[str, int, str, int]] = []  # other type, id, relation, link id
            for link in links:
                if (link.from_type, link.from_id) == (pkind, party.id):
                    ends.append((link.to_type, link.to_id, link.relation, link.id))
                else:
                    ends.append((link.from_type, link.from_id, link.relation, link.id))
            idents = {i.id: i for i in s.scalars(
                select(Identifier).where(Identifier.party_id == party.id))}
            mention_rows = list(s.execute(
                select(IdentifierMention.identifier_id, IdentifierMention.complaint_id,
                       IdentifierMention.contact_id, IdentifierMention.evidence_id)
                .where(IdentifierMention.identifier_id.in_(list(idents)))
                .order_by(IdentifierMention.id).limit(RELATED_LIMIT * 4))) if idents else []
            complaint_total = s.scalar(
                select(func.count(func.distinct(IdentifierMention.complaint_id)))
                .where(IdentifierMention.identifier_id.in_(list(idents)),
                       IdentifierMention.complaint_id.is_not(None))) if idents else 0
            own_contacts = list(s.scalars(select(Contact.id).where(
                or_(Contact.party_id == party.id,
                    Contact.counterpart_identifier_id.in_(list(idents) or [-1])))
                .order_by(Contact.started_at)))
            attachments = list(s.execute(
                select(ContactAttachment.contact_id, ContactAttachment.evidence_id)
                .where(ContactAttachment.contact_id.in_(own_contacts or [-1]))))

            wanted: list[tuple[str, int]] = [(t, i) for t, i, _r, _l in ends]
            wanted += [(LinkEndType.COMPLAINT.value, c) for _i, c, _t, _e in mention_rows if c]
            wanted += [(LinkEndType.CONTACT.value, c) for _i, _c, c, _e in mention_rows if c]
            wanted += [(LinkEndType.EVIDENCE.value, e) for _i, _c, _t, e in mention_rows if e]
            wanted += [(LinkEndType.CONTACT.value, c) for c in own_contacts]
            wanted += [(LinkEndType.EVIDENCE.value, e) for _c, e in attachments]
            labels = object_labels(s, wanted)

            def ref(kind: str, oid: int) -> ObjectRef:
                return ObjectRef(kind, oid, labels[(kind, oid)])

            buckets: dict[str, dict[int, RelatedObject]] = {
                LinkEndType.COMPLAINT.value: {}, LinkEndType.CONTACT.value: {},
                LinkEndType.EVIDENCE.value: {}}

            def put(kind: str, oid: int, via: str, link_id: int | None = None) -> None:
                bucket = buckets.get(kind)
                if bucket is not None and oid not in bucket and len(bucket) < RELATED_LIMIT:
                    bucket[oid] = RelatedObject(ref(kind, oid), via, link_id)

            link_objects = tuple(RelatedObject(ref(t, i), r, lid) for t, i, r, lid in ends)
            for t, i, r, lid in ends:
                put(t, i, r, lid)
            for c in own_contacts:
                put(LinkEndType.CONTACT.value, c, _("counterpart"))
            for ident_id, complaint_id, contact_id, evidence_id in mention_rows:
                ident = idents[ident_id]
                via = _("mentions {type} {value}").format(
                    type=identifier_type_label(ident.type), value=ident.value)
                if complaint_id:
                    put(LinkEndType.COMPLAINT.value, complaint_id, via)
                if contact_id:
                    put(LinkEndType.CONTACT.value, contact_id, via)
                if evidence_id:
                    put(LinkEndType.EVIDENCE.value, evidence_id, via)
            for contact_id, evidence_id in attachments:
                put(LinkEndType.EVIDENCE.value, evidence_id,
                    _("attached to contact #{id}").format(id=contact_id))
            linked_complaints = {i for t, i, _r, _l in ends if t == LinkEndType.COMPLAINT.value}
            if linked_complaints and idents:
                also_mentioned = set(s.scalars(select(IdentifierMention.complaint_id).where(
                    IdentifierMention.identifier_id.in_(list(idents)),
                    IdentifierMention.complaint_id.in_(list(linked_complaints)))))
                extra = len(linked_complaints - also_mentioned)
            else:
                extra = len(linked_complaints)
            complaints = buckets[LinkEndType.COMPLAINT.value]
            contacts = buckets[LinkEndType.CONTACT.value]
            evidence = buckets[LinkEndType.EVIDENCE.value]
            return PartyRelations(
                party_id=party.id,
                links=link_objects,
                complaints=tuple(complaints.values()),
                complaint_total=max(int(complaint_total or 0) + extra, len(complaints)),
                contacts=tuple(contacts.values()),
                evidence=tuple(evidence.values()),
            )
