"""Keys kept in the workspace folder: this institution's signing key, the consortium keys
(several at once, for rotation), the members' public keys."""

from __future__ import annotations

import json
import os
import stat
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from caseapp.domain.errors import ConflictError, InvalidInputError, NotFoundError
from caseapp.exchange import ExchangeFileRefused, KeyStore

NOW = datetime(2025, 3, 4, 6, 30, tzinfo=UTC)


def test_identity_is_created_once(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "exchange")
    assert store.identity() is None
    with pytest.raises(NotFoundError, match="exchange identity create"):
        store.require_identity()
    first = store.create_identity(" BANKA ", "  甲银行  股份 ", now=NOW)
    assert (first.code, first.name) == ("BANKA", "甲银行 股份")
    assert len(first.fingerprint) == 64 and len(first.public_key) == 32
    with pytest.raises(ConflictError, match="--replace"):
        store.create_identity("BANKA", "甲银行", now=NOW)
    second = store.create_identity("BANKA", "甲银行", now=NOW, replace=True)
    assert second.fingerprint != first.fingerprint
    assert list((tmp_path / "exchange").glob("identity.key.*.retired.pem"))
    with pytest.raises(InvalidInputError, match="not a usable code"):
        store.create_identity("银行/1", "x", now=NOW, replace=True)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_secrets_are_owner_only(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "exchange")
    store.create_identity("BANKA", "甲银行", now=NOW)
    store.add_consortium_key(KeyStore.new_consortium_key_file("k1", now=NOW), "k1.json")
    for path in (tmp_path / "exchange" / "identity.key.pem",
                 tmp_path / "exchange" / "consortium" / "k1.json"):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    assert not list((tmp_path / "exchange").rglob("*.tmp"))


def test_consortium_keys_rotate(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "exchange")
    with pytest.raises(NotFoundError, match="exchange key add"):
        store.export_key()
    k1 = KeyStore.new_consortium_key_file("alliance-2025", now=NOW)
    k2 = KeyStore.new_consortium_key_file("alliance-2026", now=NOW)
    assert store.add_consortium_key(k1, "k1.json").for_export
    assert not store.add_consortium_key(k2, "k2.json").for_export
    assert store.add_consortium_key(k1, "k1.json").key_id == "alliance-2025"  # again: no-op
    assert store.export_key()[0] == "alliance-2025"
    store.use_for_export("alliance-2026")
    assert [(k.key_id, k.for_export) for k in store.consortium_keys()] == [
        ("alliance-2025", False), ("alliance-2026", True)]
    assert set(store.consortium_secrets()) == {"alliance-2025", "alliance-2026"}
    store.remove_consortium_key("alliance-2026")
    with pytest.raises(NotFoundError):
        store.export_key()
    with pytest.raises(NotFoundError):
        store.use_for_export("alliance-2026")
    other = KeyStore.new_consortium_key_file("alliance-2025", now=NOW)
    with pytest.raises(ConflictError, match="different consortium key"):
        store.add_consortium_key(other, "other.json")


def test_damaged_consortium_key_files_are_refused(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "exchange")
    good = json.loads(KeyStore.new_consortium_key_file("k1", now=NOW))
    for change, fragment in (
        ({"check": "0" * 16}, "check value does not match"),
        ({"secret": "AAAA"}, "at least 32"),
        ({"secret": "not base64!"}, "not base64"),
        ({"format": "caseapp.exchange_public_key"}, "not a caseapp.consortium_key file"),
        ({"key_id": "../../etc"}, "key id is missing or malformed"),
    ):
        data = json.dumps({**good, **change}).encode()
        with pytest.raises(ExchangeFileRefused, match=fragment):
            store.add_consortium_key(data, "k.json")
    assert store.consortium_keys() == []


def test_member_keys(tmp_path: Path) -> None:
    mine, theirs = KeyStore(tmp_path / "a"), KeyStore(tmp_path / "b")
    mine.create_identity("BANKA", "甲银行", now=NOW)
    identity = theirs.create_identity("BANKB", "乙银行", now=NOW)
    member = mine.add_member(theirs.public_key_file(), "b.pub", now=NOW)
    assert (member.code, member.fingerprint) == ("BANKB", identity.fingerprint)
    assert mine.member(identity.fingerprint) == member
    with pytest.raises(ExchangeFileRefused, match="own public key"):
        mine.add_member(mine.public_key_file(), "a.pub", now=NOW)
    tampered = json.loads(theirs.public_key_file())
    tampered["fingerprint"] = "0" * 64
    with pytest.raises(ExchangeFileRefused, match="does not match its key"):
        mine.add_member(json.dumps(tampered).encode(), "b.pub", now=NOW)
    assert [m.code for m in mine.members()] == ["BANKB"]
    assert mine.remove_member("BANKB") == [member]
    assert mine.members() == [] and mine.member(identity.fingerprint) is None
    with pytest.raises(NotFoundError):
        mine.remove_member("BANKB")
