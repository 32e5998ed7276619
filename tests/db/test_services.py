"""Services end to end on a real database (SQLite file and PostgreSQL)."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from caseapp.app import App
from caseapp.db.models import AuditEntry, CustodyEvent, Evidence, Identifier
from caseapp.domain.enums import CaseStatus, PartyRole
from caseapp.domain.errors import Cancelled, ConflictError, InvalidInputError, NotFoundError
from caseapp.domain.progress import CancelToken
from caseapp.services.contacts import ContactFields
from caseapp.services.evidence import EvidenceFields

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
       b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe"
       b"\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_case_create_list_get_update(app: App) -> None:
    case = app.cases.create(title="测试案件", number="AJ-1")
    assert case.number == "AJ-1" and case.status == CaseStatus.OPEN
    auto = app.cases.create(title="第二个案件")
    assert auto.number.startswith(f"AJ{datetime.now(UTC).year}-")
    assert {c.id for c in app.cases.list()} == {case.id, auto.id}
    assert app.cases.get("AJ-1").id == case.id
    assert app.cases.get(str(case.id)).number == "AJ-1"
    updated = app.cases.update(case.id, expected_version=case.version, title="改名",
                               status=CaseStatus.HANDED_OVER)
    assert updated.title == "改名" and updated.status == "handed_over"
    assert updated.version == case.version + 1
    with pytest.raises(ConflictError, match="Someone else changed"):
        app.cases.update(case.id, expected_version=case.version, title="stale")
    with pytest.raises(ConflictError, match="already exists"):
        app.cases.create(title="dup", number="AJ-1")
    with pytest.raises(InvalidInputError):
        app.cases.create(title="   ")
    with pytest.raises(NotFoundError):
        app.cases.get("nope")


def test_party_with_identifiers_and_flags(app: App) -> None:
    case = app.cases.create(title="t")
    party = app.parties.add(
        case.number, name="王律师", role=PartyRole.AGENT,
        identifiers=[("mobile", "+86 138-1234-5678"),
                     ("lawyer_license", "91110101MA01ABCD2X"),
                     ("id_card", "11010519491231002X")])
    by_type = {i.type: i for i in party.identifiers}
    assert by_type["mobile"].value == "+8613812345678" and by_type["mobile"].valid
    assert by_type["id_card"].valid
    license_ = by_type["lawyer_license"]
    assert not license_.valid and "uscc_as_lawyer_license" in license_.problems
    other = app.parties.add(case.id, name="另一人")
    with pytest.raises(ConflictError, match="already belongs to party"):
        app.parties.add_identifier(other.id, "mobile", "13812345678")
    merged = app.parties.merge(party.id, other.id)
    assert "另一人" in merged.aliases
    assert [p.id for p in app.parties.list(case.id)] == [party.id]


def test_party_update_conflict(app: App) -> None:
    case = app.cases.create(title="t")
    party = app.parties.add(case.id, name="张三")
    first = app.parties.update(party.id, expected_version=party.version, notes="a")
    with pytest.raises(ConflictError):
        app.parties.update(party.id, expected_version=party.version, notes="b")
    assert app.parties.get(party.id).notes == "a" == first.notes


def test_evidence_add_stores_once_read_only_with_custody(app: App, tmp_path: Path) -> None:
    case = app.cases.create(title="t")
    src = _file(tmp_path, "聊天截图.png", PNG)
    added = app.evidence.add(case.id, src, EvidenceFields(source="微信聊天", proof_purpose="收费"))
    ev = added.evidence
    assert not added.already_present
    assert ev.media_type == "image/png" and ev.kind == "screenshot"
    assert ev.original_name == "聊天截图.png" and ev.size == len(PNG)
    stored = app.ctx.store.path_for(ev.sha256)
    assert stored == app.workspace.evidence_dir / ev.sha256[:2] / ev.sha256[2:4] / ev.sha256
    assert stored.read_bytes() == PNG
    assert not os.access(stored, os.W_OK) or os.geteuid() == 0
    assert not stored.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    # same content under another name: stored once, reported as already present
    again = app.evidence.add(case.id, _file(tmp_path, "copy.bin", PNG))
    assert again.already_present and again.evidence.id == ev.id
    assert list(app.ctx.store.iter_stored()) == [ev.sha256]
    custody = app.evidence.custody(ev.id)
    assert [c.action for c in custody] == ["added"]
    assert custody[0].sha256_observed == ev.sha256
    # a media type from content, not the name
    txt = app.evidence.add(case.id, _file(tmp_path, "note.png", "转账记录".encode("gb18030")))
    assert txt.evidence.media_type == "text/plain"


def test_evidence_verify_names_altered_and_missing_files(app: App, tmp_path: Path) -> None:
    case = app.cases.create(title="t")
    a = app.evidence.add(case.id, _file(tmp_path, "a.txt", b"alpha")).evidence
    b = app.evidence.add(case.id, _file(tmp_path, "b.txt", b"bravo")).evidence
    assert app.evidence.verify(case.id).ok
    path_a = app.ctx.store.path_for(a.sha256)
    os.chmod(path_a, stat.S_IWUSR | stat.S_IRUSR)
    data = bytearray(path_a.read_bytes())
    data[0] ^= 0x01  # flip one bit of one byte
    path_a.write_bytes(bytes(data))
    app.ctx.store.remove(b.sha256)
    result = app.evidence.verify(case.id)
    assert not result.ok and result.checked == 2
    problems = {p.evidence_id: p for p in result.problems}
    assert problems[a.id].state == "altered" and "a.txt" in problems[a.id].message
    assert problems[b.id].state == "missing" and "b.txt" in problems[b.id].message
    assert [c.action for c in app.evidence.custody(a.id)][-1] == "verified"


def test_failed_evidence_add_leaves_no_file(app: App, tmp_path: Path) -> None:
    case = app.cases.create(title="t")
    with pytest.raises(InvalidInputError):
        app.evidence.add(case.id, _file(tmp_path, "x.bin", b"payload"),
                         EvidenceFields(kind="not-a-kind"))
    with pytest.raises(NotFoundError):
        app.evidence.add("no-such-case", _file(tmp_path, "y.bin", b"payload2"))
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        app.evidence.add(case.id, _file(tmp_path, "z.bin", b"payload3"), cancel=token)
    assert list(app.ctx.store.iter_stored()) == []
    assert not any((app.ctx.store.root / "tmp").iterdir())
    with app.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Evidence)) == 0


def test_contact_with_attachments(app: App, tmp_path: Path) -> None:
    case = app.cases.create(title="t")
    agent = app.parties.add(case.id, name="李顾问", role="agent",
                            identifiers=[("wechat", "lgw_888")])
    at = datetime(2025, 3, 4, 14, 30, tzinfo=UTC)
    fields = ContactFields(channel="wechat", started_at=at, ended_at=at + timedelta(minutes=40),
                           summary="对方承诺停息挂账", party_id=agent.id,
                           cover_persona="负债30万的个体户", fee_amount=Decimal("3000"),
                           fee_basis="债务总额的10%", deposit_amount=Decimal("500"),
                           claims=["是律师", "和银行有内部关系"])
    shot = _file(tmp_path, "wechat.png", PNG)
    rec = _file(tmp_path, "call.txt", "通话记录".encode())
    contact = app.contacts.add(case.id, fields, attachments=[shot, rec])
    assert contact.party_id == agent.id and contact.deposit_amount == Decimal("500")
    assert contact.claims == ("是律师", "和银行有内部关系")
    assert [e.original_name for e in contact.attachments] == ["wechat.png", "call.txt"]
    assert contact.attachments[0].kind == "screenshot"
    custody = app.evidence.custody(contact.attachments[0].id)
    assert [c.action for c in custody] == ["acquired", "added"]
    assert custody[0].at == at
    with pytest.raises(InvalidInputError, match="ends before"):
        app.contacts.add(case.id, ContactFields(channel="phone", started_at=at,
                                                ended_at=at - timedelta(1)))
    with pytest.raises(InvalidInputError, match="channel"):
        app.contacts.add(case.id, ContactFields(channel="pigeon", started_at=at))
    assert [c.id for c in app.contacts.list(case.id)] == [contact.id]


def test_links(app: App, tmp_path: Path) -> None:
    case = app.cases.create(title="t")
    agent = app.parties.add(case.id, name="A")
    ev = app.evidence.add(case.id, _file(tmp_path, "a.txt", b"x")).evidence
    link = app.links.add(case.id, from_ref=("party", agent.id), to_ref=("evidence", ev.id),
                         relation="出现于")
    assert (link.from_type, link.from_id, link.to_type, link.to_id) == (
        "party", agent.id, "evidence", ev.id)
    with pytest.raises(ConflictError):
        app.links.add(case.id, from_ref=("party", agent.id), to_ref=("evidence", ev.id),
                      relation="出现于")
    with pytest.raises(NotFoundError):
        app.links.add(case.id, from_ref=("party", 999), to_ref=("evidence", ev.id),
                      relation="x")
    other = app.cases.create(title="other")
    with pytest.raises(NotFoundError):  # objects of another case cannot be linked
        app.links.add(other.id, from_ref=("party", agent.id), to_ref=("evidence", ev.id),
                      relation="x")
    assert len(app.links.list(case.id, touching=("party", agent.id))) == 1
    app.links.remove(link.id)
    assert app.links.list(case.id) == []


def _populate(app: App, tmp_path: Path) -> int:
    case = app.cases.create(title="审计")
    p = app.parties.add(case.id, name="A", identifiers=[("mobile", "13812345678")])
    ev = app.evidence.add(case.id, _file(tmp_path, "a.txt", b"x")).evidence
    app.links.add(case.id, from_ref=("party", p.id), to_ref=("evidence", ev.id), relation="r")
    app.parties.update(p.id, notes="n")
    return case.id


def test_every_write_is_audited_and_chain_verifies(app: App, tmp_path: Path) -> None:
    case_id = _populate(app, tmp_path)
    result = app.audit.verify(case_id)
    assert result.ok, result.problems
    actions = [e.action for e in app.audit.entries(case_id)]
    assert actions == ["case.create", "party.add", "identifier.attach", "evidence.add",
                       "link.add", "party.update"]
    assert all(e.actor == "tester" for e in app.audit.entries(case_id))


def _entries(app: App, case_id: int) -> list[AuditEntry]:
    with app.db.read() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.case_id == case_id)
                              .order_by(AuditEntry.seq)))


def test_audit_detects_edited_entry(app: App, tmp_path: Path) -> None:
    case_id = _populate(app, tmp_path)
    target = _entries(app, case_id)[2]
    with app.db.write() as s:
        s.get(AuditEntry, target.id).summary = "nothing to see"  # type: ignore[union-attr]
    result = app.audit.verify(case_id)
    assert not result.ok
    assert result.first_problem.seq == 3 and result.first_problem.kind == "edited"
    assert "#3" in result.first_problem.message


def test_audit_detects_deleted_entry(app: App, tmp_path: Path) -> None:
    case_id = _populate(app, tmp_path)
    target = _entries(app, case_id)[1]
    with app.db.write() as s:
        s.delete(s.get(AuditEntry, target.id))
    result = app.audit.verify(case_id)
    assert result.first_problem.seq == 2 and result.first_problem.kind == "missing"


def test_audit_detects_deleted_tail(app: App, tmp_path: Path) -> None:
    case_id = _populate(app, tmp_path)
    last = _entries(app, case_id)[-1]
    with app.db.write() as s:
        s.delete(s.get(AuditEntry, last.id))
    result = app.audit.verify(case_id)
    assert [p.kind for p in result.problems] == ["truncated"]


def test_audit_detects_inserted_entry(app: App, tmp_path: Path) -> None:
    case_id = _populate(app, tmp_path)
    entries = _entries(app, case_id)
    with app.db.write() as s:
        for e in sorted(entries[3:], key=lambda e: -e.seq):  # make room after #3
            s.get(AuditEntry, e.id).seq = e.seq + 1  # type: ignore[union-attr]
            s.flush()
        s.add(AuditEntry(case_id=case_id, seq=4, at=entries[2].at, actor="mallory",
                         action="party.add", object_type="party", object_id="1",
                         summary="forged", details={}, prev_hash=entries[2].hash,
                         hash="0" * 64))
    result = app.audit.verify(case_id)
    assert not result.ok and result.first_problem.seq == 4


def test_audit_detects_reordered_entries(app: App, tmp_path: Path) -> None:
    case_id = _populate(app, tmp_path)
    e2, e3 = _entries(app, case_id)[1:3]
    with app.db.write() as s:
        s.get(AuditEntry, e2.id).seq = 1000  # type: ignore[union-attr]
        s.flush()
        s.get(AuditEntry, e3.id).seq = 2  # type: ignore[union-attr]
        s.flush()
        s.get(AuditEntry, e2.id).seq = 3  # type: ignore[union-attr]
    result = app.audit.verify(case_id)
    assert not result.ok and result.first_problem.seq == 2


def test_identifier_uniqueness_per_case(app: App) -> None:
    case = app.cases.create(title="t")
    app.parties.add(case.id, name="A", identifiers=[("mobile", "13812345678")])
    app.parties.add(case.id, name="B")
    with app.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Identifier)) == 1
        assert s.scalar(select(func.count()).select_from(CustodyEvent)) == 0
