"""Parties (涉案主体) and the identifiers attached to them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from caseapp.db.models import Contact, Identifier, Link, Party
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
from caseapp.services.guard import edit_conflict
from caseapp.services.records import IdentifierRecord, PartyRecord

MAX_NAME = 200


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

    def merge(self, keep_id: int, absorb_id: int) -> PartyRecord:
        """Fold party `absorb_id` into `keep_id`: identifiers, contacts and links move over,
        its name becomes an alias, and it is removed."""
        if keep_id == absorb_id:
            raise InvalidInputError(_("A party cannot be merged with itself."))
        try:
            return self._merge(keep_id, absorb_id)
        except StaleDataError:
            raise self._stale(keep_id, None) from None

    def _merge(self, keep_id: int, absorb_id: int) -> PartyRecord:
        with self._ctx.db.write() as s:
            keep = self._party(s, keep_id)
            absorb = self._party(s, absorb_id)
            if keep.case_id != absorb.case_id:
                raise InvalidInputError(_("Only parties of the same case can be merged."))
            s.execute(update(Identifier).where(Identifier.party_id == absorb.id)
                      .values(party_id=keep.id))
            s.execute(update(Contact).where(Contact.party_id == absorb.id)
                      .values(party_id=keep.id))
            for end in ("from", "to"):
                type_col = getattr(Link, f"{end}_type")
                id_col = getattr(Link, f"{end}_id")
                for link in s.scalars(select(Link).where(
                        type_col == LinkEndType.PARTY.value, id_col == absorb.id)):
                    setattr(link, f"{end}_id", keep.id)
            s.flush()
            self._drop_duplicate_links(s, keep.case_id)
            keep.aliases = list(dict.fromkeys([*keep.aliases, absorb.name, *absorb.aliases]))
            if absorb.notes:
                keep.notes = f"{keep.notes}\n{absorb.notes}".strip()
            keep.updated_at = self._ctx.clock()
            keep.updated_by = self._ctx.actor
            s.delete(absorb)
            s.flush()
            append_audit(s, self._ctx, case_id=keep.case_id, action="party.merge",
                         object_type="party", object_id=keep.id,
                         summary=f"#{absorb_id} {absorb.name} → #{keep.id} {keep.name}",
                         details={"absorbed_id": absorb_id, "absorbed_name": absorb.name})
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
    def _drop_duplicate_links(s: Session, case_id: int) -> None:
        seen: set[tuple[str, int, str, int, str]] = set()
        for link in s.scalars(select(Link).where(Link.case_id == case_id).order_by(Link.id)):
            key = (link.from_type, link.from_id, link.to_type, link.to_id, link.relation)
            if key in seen or (link.from_type, link.from_id) == (link.to_type, link.to_id):
                s.delete(link)
            else:
                seen.add(key)

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
