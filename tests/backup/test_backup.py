"""Backups: backup → restore into an empty workspace gives the same cases, complaints, parties
and evidence files (hashes verified) with an audit chain that still verifies; a damaged backup
is refused; PostgreSQL gets a restorable export before a migration."""

from __future__ import annotations

import json
import uuid
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from caseapp.app import App, open_app
from caseapp.backup.scope import unscoped_tables
from caseapp.backup.service import BackupService
from caseapp.cli.main import main as cli_main
from caseapp.db.base import Base
from caseapp.db.migrate import alembic_config
from caseapp.domain.enums import ContactChannel
from caseapp.domain.errors import ConflictError, IntegrityError, InvalidInputError
from caseapp.services.contacts import ContactFields
from caseapp.services.evidence import EvidenceFields

PG_ENV = "CASEAPP_TEST_PG_URL"


@pytest.fixture
def second_pg_url() -> Iterator[str]:
    """Another empty schema on the test server (a second PostgreSQL workspace)."""
    import os

    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"needs {PG_ENV}")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield make_url(base).update_query_dict(
            {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _fill(app: App, samples: Path, tmp_path: Path, *, title: str = "反催收团伙",
          number: str = "BK-1") -> int:
    case = app.cases.create(title=title, number=number)
    app.complaints.import_file(case.id, samples / "complaints_small.csv")
    party = app.parties.add(case.id, name="深圳某法务公司", kind="org", role="suspect",
                            identifiers=[("mobile", "13812345678")], aliases=["某法务"])
    app.parties.update(party.id, expected_version=1, notes="见暗访记录")
    shot = tmp_path / f"截图-{number}.png"
    shot.write_bytes(b"\x89PNG\r\n\x1a\n" + number.encode() * 5000)
    app.evidence.add(case.id, shot, EvidenceFields(title="聊天截图", proof_purpose="收费"))
    deal = tmp_path / f"合同-{number}.txt"
    deal.write_text("委托协议：服务费为债务金额的18%，定金500元。" * 50, encoding="utf-8")
    app.contacts.add(case.id, ContactFields(
        channel=ContactChannel.WECHAT, started_at=datetime(2025, 3, 4, 6, 30, tzinfo=UTC),
        summary="对方承诺停息挂账", fee_amount=None, party_id=party.id), attachments=[deal])
    app.analysis.run(case.id)
    return case.id


def _snapshot(app: App, case_ref: str) -> dict[str, Any]:
    case = app.cases.get(case_ref)
    complaints = [(c.external_number, c.text, c.received_at, c.amount, c.customer_id_number,
                   c.flags) for c in app.complaints.iter_all(case.id)]
    parties = [(p.name, p.aliases, p.notes, p.version, p.created_by, p.updated_by,
                tuple((i.type, i.value) for i in p.identifiers))
               for p in app.parties.list(case.id)]
    evidence = [(e.title, e.sha256, e.size, e.original_name, e.media_type)
                for e in app.evidence.list(case.id)]
    contacts = [(c.summary, c.started_at, tuple(a.sha256 for a in c.attachments))
                for c in app.contacts.list(case.id)]
    audit = [(e.seq, e.action, e.actor, e.hash) for e in app.audit.entries(case.id)]
    return {"case": (case.id, case.uid, case.number, case.title, case.created_at),
            "complaints": complaints, "parties": parties, "evidence": evidence,
            "contacts": contacts, "audit": audit,
            "groups": app.analysis.latest(case.id).clusters()}


def _check_restored(before: dict[str, Any], target: App, number: str) -> None:
    after = _snapshot(target, number)
    for key in ("case", "complaints", "parties", "evidence", "contacts", "groups"):
        assert after[key] == before[key], key
    # The chain goes on: the old entries unchanged, one entry saying where it came from.
    assert after["audit"][:-1] == before["audit"]
    assert after["audit"][-1][1:3] == ("case.restore", "restorer")
    assert target.audit.verify(number).ok
    check = target.evidence.verify(number)
    assert check.ok and check.checked == len(before["evidence"])
    assert len(target.complaints.list(number, offset=0, limit=5).rows) == 5


@pytest.mark.parametrize("into", ["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def test_round_trip_into_an_empty_workspace(app: App, samples: Path, tmp_path: Path,
                                            into: str, request: pytest.FixtureRequest) -> None:
    _fill(app, samples, tmp_path)
    before = _snapshot(app, "BK-1")
    out = tmp_path / "备份 BK-1.cabak"
    summary = BackupService(app.ctx).backup(out, cases=["BK-1"])
    assert summary.kind == ("sqlite" if app.db.engine.dialect.name == "sqlite" else "rows")
    assert summary.cases[0].complaints == len(before["complaints"]) > 0
    assert summary.evidence_files == 3  # the import's source file, the screenshot, the contract
    url = request.getfixturevalue("second_pg_url") if into == "pg" else None
    with open_app(tmp_path / "restored", url, actor="restorer") as target:
        restored = BackupService(target.ctx).restore(out)
        assert [c.number for c in restored.cases] == ["BK-1"]
        _check_restored(before, target, "BK-1")
        # New rows get new ids after the restored ones (sequences moved on).
        party = target.parties.add("BK-1", name="新增")
        assert party.id > max(p.id for p in target.parties.list("BK-1") if p.name != "新增")


def test_one_case_of_several_leaves_the_others_out(app: App, samples: Path,
                                                    tmp_path: Path) -> None:
    _fill(app, samples, tmp_path)
    other = app.cases.create(title="绝密乙案", number="BK-2")
    app.parties.add(other.id, name="乙案嫌疑人甲某")
    out = tmp_path / "one.cabak"
    BackupService(app.ctx).backup(out, cases=["BK-1"])
    with zipfile.ZipFile(out) as zf:
        blob = b"".join(zf.read(n) for n in zf.namelist())
    assert "绝密乙案".encode() not in blob and "乙案嫌疑人甲某".encode() not in blob
    with open_app(tmp_path / "restored", actor="restorer") as target:
        BackupService(target.ctx).restore(out)
        assert [c.number for c in target.cases.list()] == ["BK-1"]
        assert target.audit.verify("BK-1").ok


def test_all_cases(app: App, samples: Path, tmp_path: Path) -> None:
    _fill(app, samples, tmp_path)
    _fill(app, samples, tmp_path, title="第二案", number="BK-2")
    before = {n: _snapshot(app, n) for n in ("BK-1", "BK-2")}
    out = tmp_path / "all.cabak"
    summary = BackupService(app.ctx).backup(out)
    assert [c.number for c in summary.cases] == ["BK-1", "BK-2"]
    with open_app(tmp_path / "restored", actor="restorer") as target:
        BackupService(target.ctx).restore(out)
        for number, snap in before.items():
            _check_restored(snap, target, number)


def _rewrite(src: Path, dst: Path, change: Any) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info, data)


def _assert_untouched(target: App) -> None:
    assert target.cases.list() == []
    assert list(target.ctx.store.iter_stored()) == []
    assert [p.name for p in (target.workspace.evidence_dir / "tmp").glob("*")] == []


def test_damaged_backups_are_refused(app: App, samples: Path, tmp_path: Path) -> None:
    _fill(app, samples, tmp_path)
    good = tmp_path / "good.cabak"
    BackupService(app.ctx).backup(good, cases=["BK-1"])
    manifest = json.loads(zipfile.ZipFile(good).read("manifest.json"))
    evidence = next(f["name"] for f in manifest["files"] if f["name"].startswith("evidence/"))

    flipped = tmp_path / "flipped.cabak"
    _rewrite(good, flipped, lambda n, d: d[:100] + bytes([d[100] ^ 1]) + d[101:]
             if n == evidence else d)
    missing = tmp_path / "missing.cabak"
    _rewrite(good, missing, lambda n, d: None if n == evidence else d)
    forged = tmp_path / "forged.cabak"
    _rewrite(good, forged, lambda n, d: d.replace(b'"BK-1"', b'"BK-9"')
             if n == "manifest.json" else d)
    truncated = tmp_path / "truncated.cabak"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    junk = tmp_path / "junk.cabak"
    junk.write_bytes(b"not a backup at all")

    with open_app(tmp_path / "restored", actor="restorer") as target:
        service = BackupService(target.ctx)
        with pytest.raises(IntegrityError, match=rf"damaged[\s\S]*{evidence}: altered"):
            service.restore(flipped)
        with pytest.raises(IntegrityError, match=rf"{evidence}: missing"):
            service.restore(missing)
        with pytest.raises(IntegrityError, match="manifest does not match its checksum"):
            service.restore(forged)
        with pytest.raises(IntegrityError, match="truncated"):
            service.restore(truncated)
        with pytest.raises(IntegrityError, match="truncated"):
            service.restore(junk)
        _assert_untouched(target)
        service.restore(good)  # the intact file still restores
        assert target.audit.verify("BK-1").ok


def test_restore_needs_an_empty_workspace(app: App, samples: Path, tmp_path: Path) -> None:
    _fill(app, samples, tmp_path)
    out = tmp_path / "b.cabak"
    BackupService(app.ctx).backup(out, cases=["BK-1"])
    with pytest.raises(ConflictError, match="empty workspace"):
        BackupService(app.ctx).restore(out)


def test_every_table_belongs_to_a_case() -> None:
    """A new table must be reachable from its case, or backups would leave it out."""
    assert unscoped_tables(Base.metadata) == []


def test_cli_backup_and_restore(app: App, samples: Path, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    _fill(app, samples, tmp_path)
    ws, url = str(app.workspace.root), app.workspace.database_url
    out = tmp_path / "cli.cabak"
    assert cli_main(["--db", url, "--workspace", ws, "--json", "backup", "BK-1",
                     "--out", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["cases"][0]["number"] == "BK-1" and out.exists()
    assert cli_main(["--json", "--workspace", ws, "--db", url, "backup-verify", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    target = tmp_path / "restored"
    assert cli_main(["--workspace", str(target), "--json", "restore", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["cases"][0]["number"] == "BK-1"
    assert cli_main(["--workspace", ws, "--db", url, "backup", "--out", str(out)]) == 2
    assert "CASE or --all" in capsys.readouterr().err
    assert cli_main(["--workspace", str(tmp_path / "other"), "restore", str(out),
                     "--into", str(target)]) == 4
    assert "empty workspace" in capsys.readouterr().err


def test_unknown_file_is_a_clear_error(app: App, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="not found"):
        BackupService(app.ctx).restore(tmp_path / "nope.cabak")


@pytest.mark.pg
def test_postgresql_is_exported_before_a_migration(pg_url: str, tmp_path: Path) -> None:
    ws = tmp_path / "team"
    with open_app(ws, pg_url, actor="alice") as app:
        case = app.cases.create(title="迁移前", number="MG-1")
        app.parties.add(case.id, name="甲")
        config = alembic_config()
        with app.db.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0003")
    with open_app(ws, pg_url, actor="alice") as app:
        result = app.upgrade
        assert result is not None and result.from_revision == "0003"
        assert result.backup is not None and result.backup.parent == ws / "backups"
        assert app.parties.list("MG-1")[0].created_by == "alice"  # filled from the audit log
    manifest = json.loads(zipfile.ZipFile(result.backup).read("manifest.json"))
    assert manifest["revision"] == "0003" and manifest["kind"] == "rows"
    # The export restores (migrated to the current schema on the way) into a new workspace.
    with open_app(tmp_path / "restored", actor="restorer") as target:
        BackupService(target.ctx).restore(result.backup)
        assert [p.name for p in target.parties.list("MG-1")] == ["甲"]
        assert target.audit.verify("MG-1").ok


def test_sqlite_migration_backup_is_complete(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    with open_app(ws, actor="a") as app:
        app.cases.create(title="x", number="X-1")
        config = alembic_config()
        with app.db.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0003")
    with open_app(ws, actor="a") as app:
        assert app.upgrade is not None and app.upgrade.backup is not None
        assert app.upgrade.backup.name.endswith(".bak")
        assert not list(ws.glob("*.partial"))
        assert [c.number for c in app.cases.list()] == ["X-1"]
