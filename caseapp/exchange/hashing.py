"""The keyed hash every member computes over an identifier: HMAC-SHA256(consortium key,
type ‖ 0x1F ‖ normalised value).

The type is the identifier type's stable name (``mobile``, ``wechat`` …, ASCII, never holding
the separator); the value is the normalised form caseapp.identifiers produces (E.164 phones,
lower-case WeChat IDs, upper-case USCC …), UTF-8 encoded. The separator is the ASCII unit
separator, 0x1F, which no type name contains, so the input splits back into exactly one
(type, value) pair and ``("qq", "12345")`` never collides with ``("wechat", "12345")``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac

from caseapp.domain.enums import IdentifierType

SEPARATOR = b"\x1f"
HASH_NAME = "HMAC-SHA256"
HASH_INPUT = "type 0x1F normalised-value (UTF-8)"
MIN_KEY_BYTES = 32

# What may leave the institution as a keyed hash. Resident ID numbers are personal data whose
# small space makes a keyed hash easy to reverse for any key holder; "other" values have no
# normalisation two institutions would share.
EXCHANGED_TYPES: frozenset[str] = frozenset({
    IdentifierType.MOBILE, IdentifierType.LANDLINE, IdentifierType.WECHAT, IdentifierType.QQ,
    IdentifierType.DOUYIN, IdentifierType.KUAISHOU, IdentifierType.XIAOHONGSHU,
    IdentifierType.WEIBO, IdentifierType.EMAIL, IdentifierType.URL, IdentifierType.USCC,
    IdentifierType.BANK_CARD, IdentifierType.LAWYER_LICENSE,
})


def hash_input(identifier_type: str, value: str) -> bytes:
    """The bytes that are hashed: ``type ‖ 0x1F ‖ value``."""
    kind = IdentifierType(identifier_type).value
    return kind.encode("ascii") + SEPARATOR + value.encode("utf-8")


def identifier_digest(key: bytes, identifier_type: str, value: str) -> str:
    """HMAC-SHA256 of one identifier, as 64 lower-case hex digits."""
    return hmac.digest(key, hash_input(identifier_type, value), hashlib.sha256).hex()


def digests(key: bytes, identifiers: Iterable[tuple[str, str]]) -> list[str]:
    """The digests of many (type, value) pairs, in order. The matching hot path: the keyed
    state is set up once and copied for each identifier (``cryptography``'s HMAC copies about
    twice as fast as the standard library's one-shot ``hmac.digest``)."""
    keyed = crypto_hmac.HMAC(key, hashes.SHA256())
    copy = keyed.copy
    sep = SEPARATOR
    out = []
    for kind, value in identifiers:
        h = copy()
        h.update(kind.encode("ascii") + sep + value.encode("utf-8"))
        out.append(h.finalize().hex())
    return out


def key_check_value(key: bytes) -> str:
    """A short value derived from the key that shows two members hold the same secret under the
    same key id (it reveals nothing about the key)."""
    return hmac.digest(key, b"caseapp consortium key check", hashlib.sha256).hex()[:16]
