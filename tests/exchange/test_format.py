"""The exchange file on its own (no database): signed, laid out exactly, and any change to any
byte refused."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from caseapp.exchange import (
    ExchangeDocument,
    ExchangeEntry,
    ExchangeFileRefused,
    KeyStore,
    identifier_digest,
    read_exchange_file,
    signed_file,
)
from caseapp.exchange.format import render, signing_payload
from caseapp.exchange.hashing import key_check_value

NOW = datetime(2025, 3, 4, 6, 30, tzinfo=UTC)


@pytest.fixture
def stores(tmp_path: Path) -> tuple[KeyStore, KeyStore]:
    """An issuer and a receiver that trust each other and share a consortium key."""
    issuer, receiver = KeyStore(tmp_path / "issuer"), KeyStore(tmp_path / "receiver")
    issuer.create_identity("BANKB", "乙银行", now=NOW)
    receiver.create_identity("BANKA", "甲银行", now=NOW)
    key = KeyStore.new_consortium_key_file("alliance-2025", now=NOW)
    issuer.add_consortium_key(key, "k.json")
    receiver.add_consortium_key(key, "k.json")
    receiver.add_member(issuer.public_key_file(), "b.pub", now=NOW)
    return issuer, receiver


def _file(issuer: KeyStore, entries: int = 3, **changes: object) -> bytes:
    identity, private = issuer.signing_key()
    key_id, secret = issuer.export_key()
    values = ["+8618508477852", "+8613700009999", "+8613911112222", "+8613500000000"]
    doc = ExchangeDocument(
        issuer_code=identity.code, issuer_name=identity.name, created_at=NOW, key_id=key_id,
        key_check=key_check_value(secret), series="0" * 32,
        entries=tuple(sorted((ExchangeEntry(
            digest=identifier_digest(secret, "mobile", v), category="agent",
            first_seen=date(2025, 1, 3), last_seen=date(2025, 2, 1), complaints=i + 1,
            customers=i) for i, v in enumerate(values[:entries])), key=lambda e: e.digest)))
    for name, value in changes.items():
        object.__setattr__(doc, name, value)
    return signed_file(doc, identity, private)


def test_a_signed_file_reads_back(stores: tuple[KeyStore, KeyStore]) -> None:
    issuer, receiver = stores
    data = _file(issuer)
    verified = read_exchange_file(data, "b.json", receiver, now=NOW)
    assert verified.signer.code == "BANKB"
    assert verified.document.issuer_name == "乙银行"
    assert sorted(e.complaints for e in verified.document.entries) == [1, 2, 3]
    assert render(json.loads(data)) == data
    text = data.decode()
    assert text.startswith('{\n"format": "caseapp.blacklist_exchange",\n"version": 1,\n')
    assert text.count("\n") == 14 + 3  # one line per member, one per entry


def test_every_single_byte_change_is_refused(stores: tuple[KeyStore, KeyStore]) -> None:
    issuer, receiver = stores
    data = _file(issuer, entries=2)
    assert len(data) > 700
    for position in range(len(data)):
        for changed in (
            data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1:],
            data[:position] + data[position + 1:],
            data[:position] + b" " + data[position:],
        ):
            with pytest.raises(ExchangeFileRefused):
                read_exchange_file(changed, "b.json", receiver, now=NOW)


def test_signature_covers_the_content_not_the_signature(
        stores: tuple[KeyStore, KeyStore]) -> None:
    issuer, _receiver = stores
    content = json.loads(_file(issuer))
    payload = signing_payload(content)
    assert payload.startswith(b"caseapp.blacklist_exchange/1\n{")
    assert b"signature" not in payload and "乙银行".encode() in payload
    content["signature"]["value"] = "x"
    assert signing_payload(content) == payload


def test_json_tricks_are_refused(stores: tuple[KeyStore, KeyStore]) -> None:
    _issuer, receiver = stores
    cases = {
        b'{"format": "a", "format": "b"}': "appears twice",
        b'{"format": 1.5}': "not an integer",
        b'{"format": NaN}': "not allowed",
        b'\xef\xbb\xbf{}': "not valid JSON",
        b"": "not valid JSON",
    }
    for data, fragment in cases.items():
        with pytest.raises(ExchangeFileRefused, match=fragment):
            read_exchange_file(data, "x.json", receiver, now=NOW)


def test_dates_and_counts_are_checked(stores: tuple[KeyStore, KeyStore]) -> None:
    issuer, receiver = stores
    bad = _file(issuer, created_at=NOW + timedelta(hours=1))
    with pytest.raises(ExchangeFileRefused, match="from the future"):
        read_exchange_file(bad, "b.json", receiver, now=NOW)
    assert read_exchange_file(bad, "b.json", receiver, now=NOW + timedelta(hours=1))


def test_an_empty_issuer_store_knows_no_signer(tmp_path: Path,
                                               stores: tuple[KeyStore, KeyStore]) -> None:
    issuer, _receiver = stores
    stranger = KeyStore(tmp_path / "stranger")
    with pytest.raises(ExchangeFileRefused, match="unknown signer"):
        read_exchange_file(_file(issuer), "b.json", stranger, now=NOW)
