"""The keyed hash: exactly HMAC-SHA256(key, type ‖ 0x1F ‖ normalised value), with the project's
normalisation, so that two institutions derive the same digest from differently typed values."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseapp.domain.enums import IdentifierType
from caseapp.exchange import EXCHANGED_TYPES, SEPARATOR, hash_input, identifier_digest
from caseapp.exchange.hashing import digests, key_check_value
from caseapp.identifiers import parse_identifier

KEY = bytes(range(32))


def test_documented_test_vectors() -> None:
    # Published in resources/docs/exchange-threat-model.md for other implementations.
    assert SEPARATOR == b"\x1f"
    assert hash_input("mobile", "+8618508477852") == b"mobile\x1f+8618508477852"
    assert identifier_digest(KEY, "mobile", "+8618508477852") == (
        "004d5624186619445518913729ee3dc63246abd426bc8fa6081cd2af6f5d0133")
    assert identifier_digest(KEY, "wechat", "jude_du888") == (
        "cba75692ce57378c15be842ba1ef525623c6b0d830d06ea58fa71359b6faa559")
    assert key_check_value(KEY) == "a307f41640f7ceab"


def test_digest_is_the_standard_hmac_of_type_separator_value() -> None:
    expected = hmac.new(KEY, b"uscc\x1f91110108MA01ABCD1E", hashlib.sha256).hexdigest()
    assert identifier_digest(KEY, "uscc", "91110108MA01ABCD1E") == expected
    assert identifier_digest(KEY, "wechat", "微信号") == hmac.new(
        KEY, "wechat\x1f微信号".encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize(("kind", "spellings"), [
    ("mobile", ["185 0847 7852", "+86 185-0847-7852", "008618508477852", "１８５０８４７７８５２",
                "18508477852.0"]),
    ("wechat", ["jude_du888", "JUDE_du888", " jude_du888 ", "ｊｕｄｅ＿ｄｕ８８８"]),
    ("uscc", ["91110108MA01ABCD1E", "91110108ma01abcd1e", "9111 0108 MA01 ABCD 1E"]),
    ("bank_card", ["6217001234567890122", "6217 0012 3456 7890 122"]),
    ("landline", ["010-8888 6666", "(010)88886666", "+86 10 8888 6666"]),
])
def test_spellings_of_one_identifier_give_one_digest(kind: str, spellings: list[str]) -> None:
    parsed = [parse_identifier(kind, s) for s in spellings]
    assert all(p.valid for p in parsed), [p for p in parsed if not p.valid]
    assert len({identifier_digest(KEY, kind, p.value) for p in parsed}) == 1


@pytest.mark.parametrize("raw", ["185 0847 7852", "JUDE_du888", "91110108ma01abcd1e",
                                 "2845671234", "dy_fawu2024", "Jude@Example.COM"])
def test_stored_values_are_already_normal(raw: str) -> None:
    """Matching hashes the stored normalised value; normalising it again changes nothing."""
    for kind in EXCHANGED_TYPES:
        first = parse_identifier(kind, raw)
        if first.valid:
            assert parse_identifier(kind, first.value).value == first.value


def test_types_are_kept_apart() -> None:
    assert identifier_digest(KEY, "qq", "12345678") != identifier_digest(KEY, "wechat",
                                                                         "12345678")
    assert identifier_digest(KEY, "mobile", "+8618508477852") != identifier_digest(
        bytes(32), "mobile", "+8618508477852")
    with pytest.raises(ValueError):
        hash_input("phone", "+8618508477852")


@given(st.sampled_from(sorted(IdentifierType)), st.text(max_size=30),
       st.sampled_from(sorted(IdentifierType)), st.text(max_size=30))
def test_hash_input_is_unambiguous(t1: str, v1: str, t2: str, v2: str) -> None:
    if (t1, v1) != (t2, v2):
        assert hash_input(t1, v1) != hash_input(t2, v2)
    kind, _sep, value = hash_input(t1, v1).partition(SEPARATOR)
    assert (kind.decode(), value.decode()) == (t1, v1)


def test_bulk_digests_equal_single_ones() -> None:
    pairs = [("mobile", "+8618508477852"), ("wechat", "jude_du888"), ("qq", "2845671234")]
    assert digests(KEY, pairs) == [identifier_digest(KEY, t, v) for t, v in pairs]


def test_customers_resident_id_numbers_are_never_exchanged() -> None:
    assert "id_card" not in EXCHANGED_TYPES and "other" not in EXCHANGED_TYPES
