"""Links (关联) between parties, complaints, contacts, evidence and identifiers."""

from __future__ import annotations

from sqlalchemy import or_, select

from caseapp.db.models import Link
from caseapp.db.repositories.lookup import find_case, find_object
from caseapp.domain.enums import LinkEndType, LinkSource
from caseapp.domain.errors import ConflictError, InvalidInputError, NotFoundError
from caseapp.i18n import _
from caseapp.services.audit import append_audit
from caseapp.services.context import ServiceContext
from caseapp.services.convert import link_record
from caseapp.services.objects import ObjectRef, object_labels
from caseapp.services.records import LinkRecord

MAX_RELATION = 100


def parse_object_ref(text: str) -> tuple[LinkEndType, str]:
    """``TYPE:ID`` as typed on the command line (``party:3``, ``complaint:TS2024-0001``)."""
    kind, sep, ref = text.partition(":")
    if not sep or not ref.strip():
        raise InvalidInputError(
            _("{ref!r} is not TYPE:ID (for example party:3 or complaint:12).").format(ref=text))
    try:
        return LinkEndType(kind.strip().lower()), ref.strip()
    except ValueError:
        allowed = ", ".join(t.value for t in LinkEndType)
        raise InvalidInputError(_("Unknown object type {type}; use one of: {allowed}.").format(
            type=kind, allowed=allowed)) from None


class LinkService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def add(
        self,
        case_ref: str | int,
        *,
        from_ref: tuple[LinkEndType | str, str | int],
        to_ref: tuple[LinkEndType | str, str | int],
        relation: str,
        note: str = "",
        confidence: float = 1.0,
        source: LinkSource | str = LinkSource.MANUAL,
        rule: str = "",
    ) -> LinkRecord:
        relation = relation.strip()
        if not relation:
            raise InvalidInputError(_("A link needs a relation (for example 代理 or 收款)."))
        if len(relation) > MAX_RELATION:
            raise InvalidInputError(_("The relation is longer than {n} characters.").format(
                n=MAX_RELATION))
        if not 0.0 <= confidence <= 1.0:
            raise InvalidInputError(_("Confidence must be between 0 and 1."))
        with self._ctx.db.write() as s:
            case = find_case(s, case_ref)
            a = find_object(s, case.id, from_ref[0], from_ref[1])
            b = find_object(s, case.id, to_ref[0], to_ref[1])
            a_type, b_type = LinkEndType(from_ref[0]).value, LinkEndType(to_ref[0]).value
            if (a_type, a.id) == (b_type, b.id):
                raise InvalidInputError(_("An object cannot be linked to itself."))
            duplicate = s.scalar(select(Link.id).where(
                Link.case_id == case.id, Link.from_type == a_type, Link.from_id == a.id,
                Link.to_type == b_type, Link.to_id == b.id, Link.relation == relation))
            if duplicate is not None:
                raise ConflictError(_("This link already exists (link #{id}).").format(
                    id=duplicate))
            link = Link(case_id=case.id, from_type=a_type, from_id=a.id, to_type=b_type,
                        to_id=b.id, relation=relation, source=LinkSource(source).value,
                        rule=rule, confidence=confidence, note=note,
                        created_by=self._ctx.actor, created_at=self._ctx.clock())
            s.add(link)
            s.flush()
            append_audit(s, self._ctx, case_id=case.id, action="link.add",
                         object_type="link", object_id=link.id,
                         summary=f"{a_type}:{a.id} —{relation}→ {b_type}:{b.id}",
                         details={"from": f"{a_type}:{a.id}", "to": f"{b_type}:{b.id}",
                                  "relation": relation})
            return link_record(link)

    def remove(self, link_id: int) -> None:
        with self._ctx.db.write() as s:
            link = s.get(Link, link_id)
            if link is None:
                raise NotFoundError(_("No link {id}.").format(id=link_id))
            summary = (f"{link.from_type}:{link.from_id} —{link.relation}→ "
                       f"{link.to_type}:{link.to_id}")
            s.delete(link)
            s.flush()
            append_audit(s, self._ctx, case_id=link.case_id, action="link.remove",
                         object_type="link", object_id=link_id, summary=summary)

    def list(self, case_ref: str | int, *, touching: tuple[LinkEndType | str, int] | None = None
             ) -> list[LinkRecord]:
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            query = select(Link).where(Link.case_id == case.id).order_by(Link.id)
            if touching is not None:
                kind, oid = LinkEndType(touching[0]).value, touching[1]
                query = query.where(or_(
                    (Link.from_type == kind) & (Link.from_id == oid),
                    (Link.to_type == kind) & (Link.to_id == oid)))
            return [link_record(r) for r in s.scalars(query)]

    def neighbours(self, case_ref: str | int, touching: tuple[LinkEndType | str, int]
                   ) -> list[tuple[LinkRecord, ObjectRef]]:
        """Each link of an object with the object at its other end (type, id, label)."""
        links = self.list(case_ref, touching=touching)
        kind, oid = LinkEndType(touching[0]).value, int(touching[1])
        others = [(lk.to_type, lk.to_id) if (lk.from_type, lk.from_id) == (kind, oid)
                  else (lk.from_type, lk.from_id) for lk in links]
        with self._ctx.db.read() as s:
            labels = object_labels(s, others)
        return [(lk, ObjectRef(t, i, labels[(t, i)])) for lk, (t, i) in zip(links, others,
                                                                             strict=True)]
