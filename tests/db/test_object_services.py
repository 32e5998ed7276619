"""Parties (merge, relations), evidence edits and checks, contact attachments and the timeline,
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from caseapp.app import App
from caseapp.db.models import AuditEntry, CustodyEvent, IdentifierMention, Tag, TagAssignment
from caseapp.domain.enums import PartyRole
from caseapp.domain.errors import ConflictError, InvalidInputError
from caseapp.services.contacts import ContactFields
from caseapp.services.evidence import EvidenceFields
from caseapp.services.timeline import TimelineKind, day_range

CSV = """投诉编号,受理日期,客户姓名,证件号码,代理人电话,投诉内容
C-1,2025-03-01 09:00:00,张三,,18508477852,请联系我的代理人18508477852，要求停息挂账分期。
C-2,2025-03-01 15:00:00,李四,,18508477852,我委托代理人处理，电话18508477852，要求减免。
C-3,2025-03-02 10:00:00,王五,,13912345678,我要求停息挂账，微信 jude_du888 联系。
C-4,2025-03-05 10:00:00,赵六,,,普通投诉，没有代理。
"""


@pytest.fixture
def case_with_complaints(app: App, tmp_path: Path) -> int:
    case = app.cases.create(title="t", number="T-1")
    path = tmp_path / "c.csv"
    path.write_text(CSV, encoding="utf-8")
    summary = app.complaints.import_file(case.id, path)
    assert summary.rows_imported == 4
    return case.id


def _audit_actions(app: App, case_id: int) -> list[str]:
    with app.db.read() as s:
        return list(s.scalars(select(AuditEntry.action).where(AuditEntry.case_id == case_id)
                              .order_by(AuditEntry.seq)))


def test_merge_moves_identifiers_mentions_links_contacts_and_tags(
        app: App, case_with_complaints: int) -> None:
    case_id = case_with_complaints
    keep = app.parties.add(case_id, name="杜专员", role=PartyRole.AGENT,
                           identifiers=[("mobile", "185 0847 7852")])
    absorb = app.parties.add(case_id, name="杜经理", role=PartyRole.AGENT, aliases=["小杜"],
                             notes="微信上自称经理", identifiers=[("wechat", "jude_du888")])
    org = app.parties.add(case_id, name="聚德法务", kind="org", role="intermediary")
    contact = app.contacts.add(case_id, ContactFields(
        channel="wechat", started_at=datetime(2025, 3, 4, 6, 0, tzinfo=UTC),
        party_id=absorb.id, summary="暗访"))
    app.links.add(case_id, from_ref=("party", absorb.id), to_ref=("party", org.id),
                  relation="所属")
    app.links.add(case_id, from_ref=("party", keep.id), to_ref=("party", org.id),
                  relation="所属")  # becomes a duplicate after the merge
    app.links.add(case_id, from_ref=("contact", contact.id), to_ref=("party", absorb.id),
                  relation="暗访对象")
    with app.db.write() as s:
        tag = Tag(case_id=case_id, name="核心")
        s.add(tag)
        s.flush()
        s.add(TagAssignment(tag_id=tag.id, object_type="party", object_id=absorb.id))

    before = app.parties.related(absorb.id)
    assert {r.object.label for r in before.complaints} == {"C-3 王五"}

    merged = app.parties.merge(keep.id, absorb.id,
                               expected_versions=(keep.version, absorb.version))

    assert merged.id == keep.id
    assert {(i.type, i.value) for i in merged.identifiers} == {
        ("mobile", "+8618508477852"), ("wechat", "jude_du888")}
    assert set(merged.aliases) == {"杜经理", "小杜"}
    assert "微信上自称经理" in merged.notes
    assert [p.id for p in app.parties.list(case_id)] == [keep.id, org.id]
    assert app.contacts.get(contact.id).party_id == keep.id
    links = app.links.list(case_id)
    assert {(lk.from_type, lk.from_id, lk.relation, lk.to_type, lk.to_id) for lk in links} == {
        ("party", keep.id, "所属", "party", org.id),
        ("contact", contact.id, "暗访对象", "party", keep.id)}
    with app.db.read() as s:
        assert s.scalar(select(TagAssignment.object_id).where(
            TagAssignment.object_type == "party")) == keep.id
        # the absorbed party's WeChat ID is still mentioned in C-3, now under the kept party
        assert s.scalar(select(func.count()).select_from(IdentifierMention)) >= 3

    related = app.parties.related(keep.id)
    assert {r.object.label for r in related.complaints} == {"C-1 张三", "C-2 李四", "C-3 王五"}
    assert related.complaint_total == 3
    assert [r.object.id for r in related.contacts] == [contact.id]
    assert {r.object.label for r in related.links} == {"聚德法务",
                                                       related.contacts[0].object.label}
    assert _audit_actions(app, case_id)[-1] == "party.merge"
    assert app.audit.verify(case_id).ok


def test_merge_refuses_self_other_case_and_stale_versions(app: App) -> None:
    a_case = app.cases.create(title="a")
    b_case = app.cases.create(title="b")
    a = app.parties.add(a_case.id, name="甲")
    b = app.parties.add(a_case.id, name="乙")
    c = app.parties.add(b_case.id, name="丙")
    with pytest.raises(InvalidInputError):
        app.parties.merge(a.id, a.id)
    with pytest.raises(InvalidInputError):
        app.parties.merge(a.id, c.id)
    app.parties.update(b.id, notes="changed elsewhere")
    with pytest.raises(ConflictError):
        app.parties.merge(a.id, b.id, expected_versions=(a.version, b.version))
    assert len(app.parties.list(a_case.id)) == 2  # nothing half done


def test_related_lists_linked_and_attached_evidence(app: App, tmp_path: Path) -> None:
    case = app.cases.create(title="t")
    party = app.parties.add(case.id, name="杜专员")
    shot = tmp_path / "chat.txt"
    shot.write_text("聊天记录", encoding="utf-8")
    contact = app.contacts.add(case.id, ContactFields(
        channel="phone", started_at=datetime(2025, 3, 4, 6, 0, tzinfo=UTC), party_id=party.id),
        attachments=[shot])
    receipt = tmp_path / "receipt.txt"
    receipt.write_text("转账 500 元", encoding="utf-8")
    ev = app.evidence.add(case.id, receipt).evidence
    app.links.add(case.id, from_ref=("evidence", ev.id), to_ref=("party", party.id),
                  relation="收款")
    related = app.parties.related(party.id)
    assert {r.object.id for r in related.evidence} == {ev.id, contact.attachments[0].id}
    assert [r.via for r in related.evidence if r.object.id == ev.id] == ["收款"]
    assert related.complaint_total == 0


def test_evidence_update_and_verify_one(app: App, tmp_path: Path) -> None:
    case = app.cases.create(title="t")
    path = tmp_path / "a.txt"
    path.write_text("内容", encoding="utf-8")
    ev = app.evidence.add(case.id, path).evidence
    updated = app.evidence.update(ev.id, expected_version=ev.version, title="定金收据",
                                  kind="payment_record", source="对方发来",
                                  proof_purpose="证明收取定金")
    assert (updated.title, updated.kind, updated.source, updated.proof_purpose) == (
        "定金收据", "payment_record", "对方发来", "证明收取定金")
    assert updated.sha256 == ev.sha256  # the file is untouched
    with pytest.raises(ConflictError):
        app.evidence.update(ev.id, expected_version=ev.version, title="旧版本")
    with pytest.raises(InvalidInputError):
        app.evidence.update(ev.id, title="  ")
    assert app.evidence.verify_one(ev.id) is None
    stored = app.evidence.file_path(ev.id)
    stored.chmod(0o644)
    stored.write_bytes(b"tampered")
    problem = app.evidence.verify_one(ev.id)
    assert problem is not None and problem.state.value == "altered"
    with app.db.read() as s:
        notes = list(s.scalars(select(CustodyEvent.note).where(
            CustodyEvent.evidence_id == ev.id, CustodyEvent.action == "verified")
            .order_by(CustodyEvent.id)))
    assert notes == ["ok", "altered"]
    assert "evidence.update" in _audit_actions(app, case.id)


def test_attachments_added_to_an_existing_contact(app: App, tmp_path: Path) -> None:
    case = app.cases.create(title="t")
    contact = app.contacts.add(case.id, ContactFields(
        channel="phone", started_at=datetime(2025, 3, 4, 6, 0, tzinfo=UTC)))
    a = tmp_path / "call.txt"
    a.write_text("通话", encoding="utf-8")
    updated = app.contacts.add_attachments(contact.id, [a])
    assert [e.original_name for e in updated.attachments] == ["call.txt"]
    assert updated.attachments[0].acquired_at == contact.started_at
    with pytest.raises(InvalidInputError):
        app.contacts.add_attachments(contact.id, [tmp_path / "missing.txt"])
    assert len(app.contacts.get(contact.id).attachments) == 1


def test_timeline_orders_and_aggregates(app: App, case_with_complaints: int, tmp_path: Path
                                        ) -> None:
    case_id = case_with_complaints
    beijing = timezone(timedelta(hours=8))
    party = app.parties.add(case_id, name="杜专员")
    app.contacts.add(case_id, ContactFields(
        channel="wechat", started_at=datetime(2025, 3, 1, 12, 0, tzinfo=beijing),
        party_id=party.id, summary="首次暗访"))
    path = tmp_path / "r.txt"
    path.write_text("收据", encoding="utf-8")
    app.evidence.add(case_id, path, EvidenceFields(
        title="收据", acquired_at=datetime(2025, 3, 2, 9, 0, tzinfo=beijing)))
    event = app.timeline.add_event(case_id, at=datetime(2025, 3, 3, 10, 0, tzinfo=beijing),
                                   title="向公安机关报案")
    # (the imported complaint file itself is evidence added today: outside this range)
    entries = app.timeline.list(case_id, tz=beijing, end=datetime(2025, 4, 1, tzinfo=UTC))
    summary = [(e.kind.value, e.at.astimezone(beijing).strftime("%m-%d %H:%M"), e.count)
               for e in entries]
    assert summary == [
        ("complaints", "03-01 00:00", 2),
        ("contact", "03-01 12:00", 1),
        ("complaints", "03-02 00:00", 1),
        ("evidence", "03-02 09:00", 1),
        ("event", "03-03 10:00", 1),
        ("complaints", "03-05 00:00", 1),
    ]
    assert "杜专员" in entries[1].title
    # filters: by kind and by date
    assert [e.kind for e in app.timeline.list(case_id, kinds=["event"])] == [TimelineKind.EVENT]
    assert any(e.kind is TimelineKind.EVIDENCE and "c.csv" in e.title
               for e in app.timeline.list(case_id))
    start, end = day_range(date(2025, 3, 2), beijing)
    assert [e.kind.value for e in app.timeline.list(case_id, start=start, end=end, tz=beijing)
            ] == ["complaints", "evidence"]
    # with an analysis run, complaints of a template group are counted apart
    app.analysis.run(case_id, threshold=0.3)
    grouped = [e for e in app.timeline.list(case_id, kinds=["complaints"], tz=beijing)
               if e.group_number is not None]
    assert all(e.object_type == "group" and e.object_id for e in grouped)
    app.timeline.update_event(event.object_id, at=event.at, title="报案（已受理）")
    assert app.timeline.get_event(event.object_id).title == "报案（已受理）"
    app.timeline.remove_event(event.object_id)
    assert app.timeline.list(case_id, kinds=["event"]) == []
    with pytest.raises(InvalidInputError):
        app.timeline.add_event(case_id, at=datetime(2025, 3, 3), title="naive")
    assert app.audit.verify(case_id).ok
