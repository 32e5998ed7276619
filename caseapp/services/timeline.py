"""The case timeline (时间线): complaints per day and template group, undercover contacts,
evidence acquisition and manual events, in time order."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from caseapp.db.models import (
    AnalysisRun,
    Complaint,
    ComplaintGroup,
    Contact,
    Evidence,
    GroupMember,
    Party,
    TimelineEvent,
)
from caseapp.db.repositories.lookup import find_case
from caseapp.domain.errors import InvalidInputError, NotFoundError
from caseapp.domain.labels import channel_label
from caseapp.i18n import _, ngettext
from caseapp.services.audit import append_audit
from caseapp.services.context import ServiceContext

MAX_TITLE = 300
_DETAIL_MAX = 200


class TimelineKind(StrEnum):
    COMPLAINTS = "complaints"
    CONTACT = "contact"
    EVIDENCE = "evidence"
    EVENT = "event"


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    kind: TimelineKind
    at: datetime  # UTC; for complaints the start of the (local) day
    title: str
    detail: str = ""
    object_type: str | None = None  # what open_item should show: contact, evidence, group, event
    object_id: int | None = None
    count: int = 1  # complaints on that day (and in that group)
    group_number: int | None = None
    end_at: datetime | None = None


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _DETAIL_MAX else text[: _DETAIL_MAX - 1] + "…"


def _local_tz() -> tzinfo:
    tz = datetime.now().astimezone().tzinfo
    return tz if tz is not None else UTC


class TimelineService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def list(
        self,
        case_ref: str | int,
        *,
        kinds: Collection[TimelineKind | str] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        tz: tzinfo | None = None,
    ) -> list[TimelineEntry]:
        """The case's timeline between `start` and `end` (inclusive; None: open), oldest first.

        Complaints are counted per day in `tz` (default: this computer's time zone) and per
        template group of the latest analysis run."""
        wanted = {TimelineKind(k) for k in kinds} if kinds is not None else set(TimelineKind)
        tz = tz or _local_tz()
        entries: list[TimelineEntry] = []
        with self._ctx.db.read() as s:
            case = find_case(s, case_ref)
            if TimelineKind.COMPLAINTS in wanted:
                entries += self._complaints(s, case.id, tz, start, end)
            if TimelineKind.CONTACT in wanted:
                entries += self._contacts(s, case.id, start, end)
            if TimelineKind.EVIDENCE in wanted:
                entries += self._evidence(s, case.id, start, end)
            if TimelineKind.EVENT in wanted:
                entries += self._events(s, case.id, start, end)
        order = {TimelineKind.EVENT: 0, TimelineKind.CONTACT: 1, TimelineKind.EVIDENCE: 2,
                 TimelineKind.COMPLAINTS: 3}
        entries.sort(key=lambda e: (e.at, order[e.kind], e.group_number or 0, e.object_id or 0))
        return entries

    @staticmethod
    def _between(column: object, start: datetime | None, end: datetime | None) -> list[object]:
        conds: list[object] = []
        if start is not None:
            conds.append(column >= start)  # type: ignore[operator]
        if end is not None:
            conds.append(column <= end)  # type: ignore[operator]
        return conds

    def _complaints(self, s: Session, case_id: int, tz: tzinfo, start: datetime | None,
                    end: datetime | None) -> list[TimelineEntry]:
        run_id = s.scalar(select(func.max(AnalysisRun.id)).where(AnalysisRun.case_id == case_id))
        groups: dict[int, tuple[int, int]] = {}  # complaint id -> (group id, number)
        if run_id is not None:
            groups = {cid: (gid, number) for cid, gid, number in s.execute(
                select(GroupMember.complaint_id, ComplaintGroup.id, ComplaintGroup.number)
                .join(ComplaintGroup, ComplaintGroup.id == GroupMember.group_id)
                .where(ComplaintGroup.run_id == run_id))}
        counts: Counter[tuple[date, int | None]] = Counter()
        group_ids: dict[int, int] = {}
        rows = s.execute(select(Complaint.id, Complaint.received_at).where(
            Complaint.case_id == case_id, Complaint.received_at.is_not(None),
            *self._between(Complaint.received_at, start, end)))
        for cid, received in rows:
            gid_number = groups.get(cid)
            number = gid_number[1] if gid_number else None
            if gid_number:
                group_ids[number] = gid_number[0]  # type: ignore[index]
            counts[(received.astimezone(tz).date(), number)] += 1
        entries = []
        for (day, number), n in counts.items():
            at = datetime.combine(day, time(0, 0), tzinfo=tz).astimezone(UTC)
            if number is None:
                title = ngettext("{n} complaint", "{n} complaints", n).format(n=n)
                entries.append(TimelineEntry(TimelineKind.COMPLAINTS, at, title, count=n))
            else:
                title = ngettext("{n} complaint of template group {group}",
                                 "{n} complaints of template group {group}", n).format(
                    n=n, group=number)
                entries.append(TimelineEntry(TimelineKind.COMPLAINTS, at, title,
                                             object_type="group",
                                             object_id=group_ids[number], count=n,
                                             group_number=number))
        return entries

    def _contacts(self, s: Session, case_id: int, start: datetime | None, end: datetime | None
                  ) -> list[TimelineEntry]:
        rows = s.execute(
            select(Contact, Party.name).outerjoin(Party, Party.id == Contact.party_id)
            .where(Contact.case_id == case_id, *self._between(Contact.started_at, start, end)))
        entries = []
        for contact, party_name in rows:
            who = party_name or contact.counterpart_account
            channel = channel_label(contact.channel)
            title = (_("Undercover contact ({channel}) with {who}").format(channel=channel,
                                                                        who=who)
                     if who else _("Undercover contact ({channel})").format(channel=channel))
            entries.append(TimelineEntry(TimelineKind.CONTACT, contact.started_at, title,
                                         _short(contact.summary), "contact", contact.id,
                                         end_at=contact.ended_at))
        return entries

    def _evidence(self, s: Session, case_id: int, start: datetime | None, end: datetime | None
                  ) -> list[TimelineEntry]:
        at = func.coalesce(Evidence.acquired_at, Evidence.added_at)
        rows = s.scalars(select(Evidence).where(Evidence.case_id == case_id,
                                                *self._between(at, start, end)))
        entries = []
        for ev in rows:
            when = ev.acquired_at or ev.added_at
            title = (_("Evidence acquired: {title}") if ev.acquired_at
                     else _("Evidence added: {title}")).format(title=ev.title)
            detail = ev.source or ev.proof_purpose
            entries.append(TimelineEntry(TimelineKind.EVIDENCE, when, title, _short(detail),
                                         "evidence", ev.id))
        return entries

    def _events(self, s: Session, case_id: int, start: datetime | None, end: datetime | None
                ) -> list[TimelineEntry]:
        rows = s.scalars(select(TimelineEvent).where(
            TimelineEvent.case_id == case_id, *self._between(TimelineEvent.at, start, end)))
        return [TimelineEntry(TimelineKind.EVENT, ev.at, ev.title, ev.description, "event",
                              ev.id) for ev in rows]

    # --- manual events --------------------------------------------------------------------

    @staticmethod
    def _check(at: datetime, title: str) -> str:
        title = title.strip()
        if not title:
            raise InvalidInputError(_("A timeline event needs a title."))
        if len(title) > MAX_TITLE:
            raise InvalidInputError(_("The title is longer than {n} characters.").format(
                n=MAX_TITLE))
        if at.tzinfo is None:
            raise InvalidInputError(_("The event's time needs a time zone."))
        return title

    def add_event(self, case_ref: str | int, *, at: datetime, title: str,
                  description: str = "") -> TimelineEntry:
        title = self._check(at, title)
        with self._ctx.db.write() as s:
            case = find_case(s, case_ref)
            event = TimelineEvent(case_id=case.id, at=at.astimezone(UTC), title=title,
                                  description=description, created_by=self._ctx.actor,
                                  created_at=self._ctx.clock())
            s.add(event)
            s.flush()
            append_audit(s, self._ctx, case_id=case.id, action="timeline.add",
                         object_type="timeline_event", object_id=event.id,
                         summary=f"{event.at.isoformat()} {title}",
                         details={"at": event.at.isoformat(), "title": title})
            return TimelineEntry(TimelineKind.EVENT, event.at, title, description, "event",
                                 event.id)

    def update_event(self, event_id: int, *, at: datetime, title: str, description: str = ""
                     ) -> TimelineEntry:
        title = self._check(at, title)
        with self._ctx.db.write() as s:
            event = self._event(s, event_id)
            event.at, event.title, event.description = at.astimezone(UTC), title, description
            s.flush()
            append_audit(s, self._ctx, case_id=event.case_id, action="timeline.update",
                         object_type="timeline_event", object_id=event.id,
                         summary=f"{event.at.isoformat()} {title}",
                         details={"at": event.at.isoformat(), "title": title})
            return TimelineEntry(TimelineKind.EVENT, event.at, title, description, "event",
                                 event.id)

    def remove_event(self, event_id: int) -> None:
        with self._ctx.db.write() as s:
            event = self._event(s, event_id)
            summary = f"{event.at.isoformat()} {event.title}"
            case_id = event.case_id
            s.delete(event)
            s.flush()
            append_audit(s, self._ctx, case_id=case_id, action="timeline.remove",
                         object_type="timeline_event", object_id=event_id, summary=summary)

    def get_event(self, event_id: int) -> TimelineEntry:
        with self._ctx.db.read() as s:
            ev = self._event(s, event_id)
            return TimelineEntry(TimelineKind.EVENT, ev.at, ev.title, ev.description, "event",
                                 ev.id)

    @staticmethod
    def _event(s: Session, event_id: int) -> TimelineEvent:
        event = s.get(TimelineEvent, event_id)
        if event is None:
            raise NotFoundError(_("No timeline event {id}.").format(id=event_id))
        return event


def day_range(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The first and last instant of a local day, in UTC (for list(start=, end=))."""
    first = datetime.combine(day, time(0, 0), tzinfo=tz)
    return first.astimezone(UTC), (first + timedelta(days=1, microseconds=-1)).astimezone(UTC)
