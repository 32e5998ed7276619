"""Team mode: several people on one database. Edits name their author, and an edit based on
an old version is refused with a conflict instead of overwriting (two real processes)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select

from caseapp.app import App, open_app
from caseapp.db.migrate import alembic_config
from caseapp.db.models import Party
from caseapp.domain.enums import ContactChannel
from caseapp.domain.errors import ConflictError, EditConflictError
from caseapp.services.contacts import ContactFields

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "crash"))
from crash_procs import spawn, wait_for


def _result(child: object) -> dict[str, object]:
    out, err = child.output()  # type: ignore[attr-defined]
    assert out.strip(), err
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_second_client_editing_the_same_party_gets_a_conflict(
    app: App, db_url: str, workspace: Path, tmp_path: Path
) -> None:
    case = app.cases.create(title="团队")
    party = app.parties.add(case.id, name="深圳某法务公司", kind="org", role="suspect")
    assert party.version == 1 and party.created_by == "tester"
    flushed, go, b_read = tmp_path / "a.flushed", tmp_path / "a.go", tmp_path / "b.read"
    cmd = ["party-update", str(workspace), db_url, str(party.id), "1"]
    # Alice's UPDATE has run but her transaction is still open when Bob reads the party.
    alice = spawn(tmp_path, "alice", ["--at", f"UPDATE party|1|{flushed}|{go}"],
                  [*cmd, "深圳某法务公司（阿里斯改）"], user="alice")
    wait_for(flushed, alice)
    bob = spawn(tmp_path, "bob", ["--at", f"FROM party|1|{b_read}|"],
                [*cmd, "深圳某法务公司（鲍勃改）"], user="bob")
    if app.db.engine.dialect.name == "postgresql":
        # Bob read version 1 (Alice has not committed) and now waits on her row lock.
        wait_for(b_read, bob)
    go.write_text("go")
    assert alice.wait() == 0, alice.output()
    assert bob.wait() == 4, bob.output()
    a, b = _result(alice), _result(bob)
    assert a == {"ok": True, "version": 2, "name": "深圳某法务公司（阿里斯改）",
                 "updated_by": "alice"}
    assert b["conflict"] is True and b["changed_by"] == "alice" and b["current_version"] == 2
    message = str(b["message"])
    assert f"party #{party.id} 深圳某法务公司" in message and "alice" in message
    assert "not saved" in message
    stored = app.parties.get(party.id)
    assert (stored.name, stored.version, stored.updated_by) == (
        "深圳某法务公司（阿里斯改）", 2, "alice")
    entries = app.audit.entries(case.id)
    assert [(e.action, e.actor) for e in entries if e.action == "party.update"] == [
        ("party.update", "alice")]
    assert app.audit.verify(case.id).ok


def test_two_clients_editing_different_parties_both_succeed(
    app: App, db_url: str, workspace: Path, tmp_path: Path
) -> None:
    case = app.cases.create(title="团队")
    p1 = app.parties.add(case.id, name="甲")
    p2 = app.parties.add(case.id, name="乙")
    flushed, go = tmp_path / "a.flushed", tmp_path / "a.go"
    alice = spawn(tmp_path, "alice", ["--at", f"UPDATE party|1|{flushed}|{go}"],
                  ["party-update", str(workspace), db_url, str(p1.id), "1", "甲（改）"],
                  user="alice")
    wait_for(flushed, alice)
    bob = spawn(tmp_path, "bob", [],
                ["party-update", str(workspace), db_url, str(p2.id), "1", "乙（改）"],
                user="bob")
    if app.db.engine.dialect.name == "postgresql":
        # Bob is not held up by Alice's open transaction on another party.
        assert bob.wait(timeout=120) == 0, bob.output()
    go.write_text("go")
    assert alice.wait() == 0, alice.output()
    assert bob.wait() == 0, bob.output()
    assert _result(alice)["updated_by"] == "alice" and _result(bob)["updated_by"] == "bob"
    got = {p.id: (p.name, p.version, p.updated_by) for p in app.parties.list(case.id)}
    assert got == {p1.id: ("甲（改）", 2, "alice"), p2.id: ("乙（改）", 2, "bob")}
    actors = {e.actor for e in app.audit.entries(case.id) if e.action == "party.update"}
    assert actors == {"alice", "bob"}
    assert app.audit.verify(case.id).ok


def _other_user(app: App, user: str) -> App:
    return open_app(app.workspace.root, app.workspace.database_url, actor=user)


def test_stale_party_edit_is_refused_and_names_who_and_when(app: App) -> None:
    case = app.cases.create(title="团队")
    party = app.parties.add(case.id, name="王某")
    with _other_user(app, "carol") as carol:
        changed = carol.parties.update(party.id, expected_version=1, notes="见过两次")
    before = len(app.audit.entries(case.id))
    with pytest.raises(EditConflictError) as info:
        app.parties.update(party.id, expected_version=1, name="王某某")
    err = info.value
    assert isinstance(err, ConflictError) and err.exit_code == 4
    assert (err.object_type, err.object_id, err.changed_by) == ("party", party.id, "carol")
    assert (err.expected_version, err.current_version) == (1, 2)
    assert err.changed_at == changed.updated_at
    when = changed.updated_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    assert "carol" in str(err) and when in str(err) and "王某" in str(err)
    stored = app.parties.get(party.id)
    assert (stored.name, stored.notes, stored.version) == ("王某", "见过两次", 2)
    assert len(app.audit.entries(case.id)) == before
    # With the version just read, the edit goes through and records its author.
    again = app.parties.update(party.id, expected_version=2, name="王某某")
    assert (again.version, again.updated_by, again.created_by) == (3, "tester", "tester")


def test_stale_contact_edit_is_refused(app: App) -> None:
    case = app.cases.create(title="团队")
    at = datetime(2025, 3, 4, 6, 30, tzinfo=UTC)
    contact = app.contacts.add(case.id, ContactFields(channel=ContactChannel.WECHAT,
                                                      started_at=at, summary="初次接触"))
    assert (contact.version, contact.created_by, contact.updated_by) == (1, "tester", "tester")
    with _other_user(app, "dave") as dave:
        dave.contacts.update(contact.id, ContactFields(
            channel=ContactChannel.WECHAT, started_at=at, summary="对方报价 20%"),
            expected_version=1)
    with pytest.raises(EditConflictError, match="dave") as info:
        app.contacts.update(contact.id, ContactFields(
            channel=ContactChannel.PHONE, started_at=at, summary="覆盖"), expected_version=1)
    assert info.value.object_type == "contact" and info.value.current_version == 2
    stored = app.contacts.get(contact.id)
    assert (stored.summary, stored.updated_by, stored.version) == ("对方报价 20%", "dave", 2)


def test_identifier_attach_and_stale_detach(app: App) -> None:
    case = app.cases.create(title="团队")
    party = app.parties.add(case.id, name="代理人", identifiers=[("mobile", "13812345678")])
    ident = party.identifiers[0]
    assert ident.version == 2  # created, then attached
    with _other_user(app, "erin") as erin:
        detached = erin.parties.detach_identifier(ident.id, expected_version=ident.version)
    assert detached.party_id is None and detached.updated_by == "erin"
    with pytest.raises(EditConflictError, match="erin"):
        app.parties.detach_identifier(ident.id, expected_version=ident.version)


def test_merge_records_who_and_the_absorbed_party_is_gone(app: App) -> None:
    case = app.cases.create(title="团队")
    keep = app.parties.add(case.id, name="甲")
    gone = app.parties.add(case.id, name="乙")
    app.parties.merge(keep.id, gone.id)
    with pytest.raises(Exception, match="No party"):
        app.parties.update(gone.id, expected_version=1, name="x")
    assert app.parties.get(keep.id).updated_by == "tester"


def test_migration_fills_authors_from_the_audit_log(app: App) -> None:
    case = app.cases.create(title="团队")
    with _other_user(app, "frank") as frank:
        party = frank.parties.add(case.id, name="甲")
    with _other_user(app, "gina") as gina:
        gina.parties.update(party.id, expected_version=1, notes="n")
    config = alembic_config()
    with app.db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0003")
    with app.db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    with app.db.read() as s:
        row = s.scalar(select(Party).where(Party.id == party.id))
        assert row is not None
        assert (row.created_by, row.updated_by, row.version) == ("frank", "gina", 2)
