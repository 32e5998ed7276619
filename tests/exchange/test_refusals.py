"""Every way a file can be wrong is refused with a message saying what is wrong, and nothing is
stored: no peer file, no entry, no audit entry."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select

from caseapp.db.models import AuditEntry, ExchangePeerEntry, ExchangePeerFile
from caseapp.domain.errors import InvalidInputError
from caseapp.exchange import ExchangeFileRefused, signing
from caseapp.exchange.format import render, signature_json, signing_payload
from caseapp.exchange.keystore import KeyStore

if TYPE_CHECKING:
    from conftest import Alliance, Institution, Pair


def _stored(inst: Institution) -> tuple[int, int, int]:
    with inst.app.db.read() as s:
        return (s.scalar(select(func.count()).select_from(ExchangePeerFile)) or 0,
                s.scalar(select(func.count()).select_from(ExchangePeerEntry)) or 0,
                s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def _refused(inst: Institution, path: Path, *fragments: str) -> str:
    before = _stored(inst)
    with pytest.raises(ExchangeFileRefused) as info:
        inst.app.exchange.import_file(path)
    message = str(info.value)
    assert message.startswith(f"{path.name}: refused: ")
    for fragment in fragments:
        assert fragment in message, message
    assert _stored(inst) == before
    return message


def _resign(inst: Institution, path: Path, change: Callable[[dict[str, Any]], None],
            name: str) -> Path:
    """Edit the content of a file and sign it again with `inst`'s own key."""
    content = json.loads(path.read_bytes())
    change(content)
    _identity, key = inst.app.exchange.keys.signing_key()
    content["signature"] = signature_json(
        "Ed25519", content["signature"]["key"], signing.sign(key, signing_payload(content)))
    out = path.with_name(name)
    out.write_bytes(render(content))
    return out


@pytest.fixture
def from_b(pair: Pair) -> Path:
    return pair.b.app.exchange.export_case(pair.case_b, pair.b.files / "b.json").path


def test_a_flipped_byte_is_refused(pair: Pair, from_b: Path) -> None:
    data = from_b.read_bytes()
    entries_at = data.index(b'"digest":"') + len(b'"digest":"') + 10
    flipped = bytearray(data)
    flipped[entries_at] = ord("0") if data[entries_at] != ord("0") else ord("1")
    (from_b.parent / "digest.json").write_bytes(bytes(flipped))
    _refused(pair.a, from_b.parent / "digest.json", "signature does not verify",
             "乙银行 (BANKB)")

    count_at = data.index(b'"complaints":') + len(b'"complaints":')
    more = data[:count_at] + b"9" + data[count_at + 1:]
    (from_b.parent / "count.json").write_bytes(more)
    _refused(pair.a, from_b.parent / "count.json", "signature does not verify")

    spaced = data.replace(b'"version": 1', b'"version":  1')
    (from_b.parent / "layout.json").write_bytes(spaced)
    _refused(pair.a, from_b.parent / "layout.json", "edited after signing")

    broken = bytearray(data)
    broken[0] ^= 0x01
    (from_b.parent / "broken.json").write_bytes(bytes(broken))
    _refused(pair.a, from_b.parent / "broken.json", "not valid JSON", "line 1")

    # The genuine file still goes in.
    assert pair.a.app.exchange.import_file(from_b).issuer_code == "BANKB"


def test_a_wrong_signer_is_refused(alliance: Alliance, pair: Pair, from_b: Path) -> None:
    outsider = alliance.institution("BANKX", "某银行", trust=False)
    case = outsider.app.cases.create(title="x")
    outsider.app.parties.add(case.id, name="代理", role="agent",
                             identifiers=[("mobile", "18508477852")])
    # 1. A non-member's own file: its key is unknown here.
    own = outsider.app.exchange.export_case(case.id, outsider.files / "x.json").path
    _refused(pair.a, own, "unknown signer", "某银行 (BANKX)",
             outsider.app.exchange.keys.require_identity().fingerprint)
    # 2. A non-member re-signs B's file with its own key while claiming to be B.
    b_key = json.loads(from_b.read_bytes())["signature"]["key"]
    forged = _resign(outsider, from_b, lambda c: None, "forged.json")
    _refused(pair.a, forged, "signature does not verify", "乙银行 (BANKB)")
    assert json.loads(forged.read_bytes())["signature"]["key"] == b_key
    # 3. A member signs a file that claims to come from another member.
    c = alliance.institution("BANKC", "丙银行")

    def claim_b(content: dict[str, Any]) -> None:
        content["issuer"] = {"code": "BANKB", "name": "乙银行"}
        content["signature"]["key"] = c.app.exchange.keys.require_identity().fingerprint

    impostor = _resign(c, from_b, claim_b, "impostor.json")
    _refused(pair.a, impostor, "wrong signer", "claims to come from BANKB",
             "member BANKC (丙银行)")


def test_an_unknown_key_id_is_refused(alliance: Alliance, pair: Pair) -> None:
    new_key = KeyStore.new_consortium_key_file("alliance-2026", now=pair.b.clock.now)
    pair.b.app.exchange.keys.add_consortium_key(new_key, "k2.json")
    pair.b.app.exchange.keys.use_for_export("alliance-2026")
    path = pair.b.app.exchange.export_case(pair.case_b, pair.b.files / "k2.json").path
    _refused(pair.a, path, "consortium key alliance-2026", "not installed here",
             "installed: alliance-2025")
    # Once A holds the new key too, the same file is accepted and matches as before.
    pair.a.app.exchange.keys.add_consortium_key(new_key, "k2.json")
    pair.a.app.exchange.import_file(path)
    assert {(m.type, m.value) for m in pair.a.app.exchange.matches(pair.case_a).identifiers} \
        == pair.found_by_a


def test_a_different_secret_under_a_known_key_id_is_refused(
        alliance: Alliance, pair: Pair) -> None:
    rogue = alliance.institution("BANKR", "丁银行", join=False)
    rogue.app.exchange.keys.add_consortium_key(
        KeyStore.new_consortium_key_file("alliance-2025", now=rogue.clock.now), "fake.json")
    case = rogue.app.cases.create(title="x")
    rogue.app.parties.add(case.id, name="代理", role="agent",
                          identifiers=[("mobile", "18508477852")])
    path = rogue.app.exchange.export_case(case.id, rogue.files / "r.json").path
    _refused(pair.a, path, "not the key installed here", "hold different keys")


def test_a_file_from_the_future_is_refused(pair: Pair) -> None:
    pair.b.clock.advance(days=1)
    path = pair.b.app.exchange.export_case(pair.case_b, pair.b.files / "f.json").path
    _refused(pair.a, path, "from the future", "2025-03-05T06:30:00Z")
    # A few minutes of clock difference between two laptops is tolerated.
    pair.b.clock.now = pair.a.clock.now + timedelta(minutes=5)
    ok = pair.b.app.exchange.export_case(pair.case_b, pair.b.files / "g.json").path
    assert pair.a.app.exchange.import_file(ok).entries == len(pair.b_exported)


def test_a_wrong_format_or_version_is_refused(pair: Pair, from_b: Path) -> None:
    other = from_b.with_name("mapping.json")
    other.write_text(json.dumps({"format": "caseapp.column_mapping", "version": 1}))
    _refused(pair.a, other, "not a caseapp.blacklist_exchange file", "caseapp.column_mapping")
    v2 = _resign(pair.b, from_b, lambda c: c.update(version=2), "v2.json")
    _refused(pair.a, v2, "version 2", "reads version 1")
    array = from_b.with_name("array.json")
    array.write_text("[]")
    _refused(pair.a, array, "does not hold a JSON object")
    binary = from_b.with_name("binary.json")
    binary.write_bytes(b"\xff\xfe{}")
    _refused(pair.a, binary, "not UTF-8")
    truncated = from_b.with_name("truncated.json")
    truncated.write_bytes(from_b.read_bytes()[:200])
    _refused(pair.a, truncated, "not valid JSON")
    twice = _resign(pair.b, from_b, lambda c: c["entries"].append(c["entries"][0]),
                    "twice.json")
    _refused(pair.a, twice, "entry 6 repeats an earlier digest")
    categories = _resign(pair.b, from_b,
                         lambda c: c["entries"][0].update(category="customer"), "cat.json")
    _refused(pair.a, categories, "category 'customer'")


def test_own_file_replay_and_missing_file(pair: Pair, from_b: Path) -> None:
    _refused(pair.b, from_b, "issued by this institution itself")
    pair.a.app.exchange.import_file(from_b)
    _refused(pair.a, from_b, "already imported")
    with pytest.raises(InvalidInputError, match="Cannot read"):
        pair.a.app.exchange.import_file(from_b.with_name("missing.json"))


def test_newer_files_of_a_series_replace_older_ones(pair: Pair) -> None:
    a, b = pair.a, pair.b
    old = b.app.exchange.export_case(pair.case_b, b.files / "old.json").path
    b.clock.advance(days=2)
    # B clears its suspect 杜某's phone, then sends the case again.
    phone = next(i for p in b.app.parties.list(pair.case_b) for i in p.identifiers
                 if i.value == "+8618508477852")
    b.app.parties.detach_identifier(phone.id)
    new = b.app.exchange.export_case(pair.case_b, b.files / "new.json").path
    a.clock.advance(days=3)
    a.app.exchange.import_file(new)
    # The older file of the same series is a replay now.
    _refused(a, old, "would replace newer information with older")
    assert {(m.type, m.value) for m in a.app.exchange.matches(pair.case_a).identifiers} == \
        pair.found_by_a - {("mobile", "+8618508477852")}


def test_a_newer_file_supersedes_the_older(pair: Pair) -> None:
    a, b = pair.a, pair.b
    old = b.app.exchange.export_case(pair.case_b, b.files / "old.json").path
    a.app.exchange.import_file(old)
    b.clock.advance(days=2)
    b.app.parties.add(pair.case_b, name="新代理", role="agent",
                      identifiers=[("bank_card", "6217001234567890122")])
    new = b.app.exchange.export_case(pair.case_b, b.files / "new.json").path
    a.clock.advance(days=3)
    result = a.app.exchange.import_file(new)
    files = {f.id: f for f in a.app.exchange.peer_files()}
    assert result.superseded_file_id is not None
    assert not files[result.superseded_file_id].active and files[result.file_id].active
    assert files[result.superseded_file_id].superseded_by_id == result.file_id
    found = a.app.exchange.matches(pair.case_a)
    assert {(m.type, m.value) for m in found.identifiers} == \
        pair.found_by_a | {("bank_card", "6217001234567890122")}
    assert found.peer_files == 1
    assert all(len(m.reports) == 1 for m in found.identifiers)
