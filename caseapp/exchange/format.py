"""The exchange file: a signed JSON document of keyed hashes of suspects' identifiers.

Layout (format ``caseapp.blacklist_exchange``, version 1)::

    {
    "format": "caseapp.blacklist_exchange",
    "version": 1,
    "issuer": {"code":"…","name":"…"},
    "created_at": "2025-03-04T06:30:00Z",
    "key_id": "alliance-2025",
    "key_check": "<16 hex>",
    "hash": "HMAC-SHA256",
    "hash_input": "type 0x1F normalised-value (UTF-8)",
    "series": "<32 hex>",
    "entries": [
    {"category":"agent","complaints":3,"customers":2,"digest":"<64 hex>","first_seen":"…",…},
    …
    ],
    "signature": {"algorithm":"Ed25519","key":"<fingerprint>","value":"<base64>"}
    }

The signature covers ``SIGNING_CONTEXT`` followed by the canonical JSON of every member except
``signature`` (keys sorted, no insignificant white space, UTF-8, integers and strings only).
caseapp writes exactly the layout above and accepts a file only if it is byte for byte the
layout of its own content, so any change to any byte is refused: either the content changed
(the signature fails) or the layout did (the file is not as it was signed).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from caseapp.domain.errors import InvalidInputError
from caseapp.exchange.hashing import HASH_INPUT, HASH_NAME
from caseapp.i18n import _

FORMAT = "caseapp.blacklist_exchange"
VERSION = 1
SIGNATURE_ALGORITHM = "Ed25519"
SIGNING_CONTEXT = b"caseapp.blacklist_exchange/1\n"
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_ENTRIES = 2_000_000
MAX_COUNT = 10**9

CATEGORIES = ("suspect", "agent", "intermediary")
TOP_LEVEL_ORDER = ("format", "version", "issuer", "created_at", "key_id", "key_check", "hash",
                   "hash_input", "series", "entries", "signature")
ENTRY_KEYS = frozenset({"digest", "category", "first_seen", "last_seen", "complaints",
                        "customers"})

CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_HEX64_RE = re.compile(r"[0-9a-f]{64}")
_HEX32_RE = re.compile(r"[0-9a-f]{32}")
_HEX16_RE = re.compile(r"[0-9a-f]{16}")
_TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


class ExchangeFileRefused(InvalidInputError):
    """An exchange file (or key file) that caseapp will not accept; nothing was stored."""

    def __init__(self, file_name: str, reason: str) -> None:
        super().__init__(_("{file}: refused: {reason}").format(file=file_name, reason=reason))
        self.file_name = file_name
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ExchangeEntry:
    digest: str
    category: str
    first_seen: date | None
    last_seen: date | None
    complaints: int
    customers: int

    def to_json(self) -> dict[str, Any]:
        return {
            "digest": self.digest,
            "category": self.category,
            "first_seen": self.first_seen.isoformat() if self.first_seen else "",
            "last_seen": self.last_seen.isoformat() if self.last_seen else "",
            "complaints": self.complaints,
            "customers": self.customers,
        }


@dataclass(frozen=True, slots=True)
class ExchangeDocument:
    """The content of an exchange file (everything the signature covers)."""

    issuer_code: str
    issuer_name: str
    created_at: datetime
    key_id: str
    key_check: str
    series: str
    entries: tuple[ExchangeEntry, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "issuer": {"code": self.issuer_code, "name": self.issuer_name},
            "created_at": format_time(self.created_at),
            "key_id": self.key_id,
            "key_check": self.key_check,
            "hash": HASH_NAME,
            "hash_input": HASH_INPUT,
            "series": self.series,
            "entries": [e.to_json() for e in self.entries],
        }


@dataclass(frozen=True, slots=True)
class SignatureBlock:
    algorithm: str
    key: str  # the signer's public-key fingerprint
    value: bytes


def format_time(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("exchange times must be timezone-aware")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def signing_payload(content: Mapping[str, Any]) -> bytes:
    """The bytes the issuer signs: a context string, then the canonical JSON of the content."""
    unsigned = {k: v for k, v in content.items() if k != "signature"}
    return SIGNING_CONTEXT + canonical_json(unsigned)


def render(document: Mapping[str, Any]) -> bytes:
    """The file's bytes: top-level members one per line in a fixed order, one entry per line."""
    lines = []
    for key in TOP_LEVEL_ORDER:
        if key not in document:
            continue
        name = json.dumps(key)
        if key == "entries":
            entries = document[key]
            if entries:
                body = ",\n".join(canonical_json(e).decode("utf-8") for e in entries)
                lines.append(f"{name}: [\n{body}\n]")
            else:
                lines.append(f"{name}: []")
        else:
            lines.append(f"{name}: {canonical_json(document[key]).decode('utf-8')}")
    return ("{\n" + ",\n".join(lines) + "\n}\n").encode("utf-8")


def signature_json(algorithm: str, key: str, value: bytes) -> dict[str, str]:
    return {"algorithm": algorithm, "key": key, "value": base64.b64encode(value).decode("ascii")}


# --- reading ---------------------------------------------------------------------------------


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(_("the member {key!r} appears twice").format(key=key))
        out[key] = value
    return out


def _no_float(text: str) -> Any:
    raise ValueError(_("the number {text} is not an integer").format(text=text))


def _no_constant(text: str) -> Any:
    raise ValueError(_("{text} is not allowed").format(text=text))


def load_json_document(data: bytes, file_name: str) -> dict[str, Any]:
    """Strict JSON: UTF-8, one object, no duplicate members, no floats or NaN."""
    if len(data) > MAX_FILE_BYTES:
        raise ExchangeFileRefused(file_name, _(
            "the file is {size} bytes, more than the {limit} bytes an exchange file may have."
        ).format(size=len(data), limit=MAX_FILE_BYTES))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExchangeFileRefused(file_name, _(
            "the file is not UTF-8 text (byte {offset}); it is damaged or not an exchange file."
        ).format(offset=exc.start)) from None
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicates, parse_float=_no_float,
                              parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ExchangeFileRefused(file_name, _(
            "the file is not valid JSON (line {line}, column {column}: {error}); it is damaged "
            "or not an exchange file.").format(line=exc.lineno, column=exc.colno,
                                               error=exc.msg)) from None
    except ValueError as exc:
        raise ExchangeFileRefused(file_name, _("the file is not valid JSON: {error}.").format(
            error=exc)) from None
    if not isinstance(document, dict):
        raise ExchangeFileRefused(file_name, _("the file does not hold a JSON object."))
    return document


def check_format(document: Mapping[str, Any], file_name: str, *, expected: str = FORMAT,
                 version: int = VERSION) -> None:
    found = document.get("format")
    if found != expected:
        raise ExchangeFileRefused(file_name, _(
            "this is not a {expected} file (its format is {found!r}).").format(
                expected=expected, found=found))
    found_version = document.get("version")
    if found_version != version:
        raise ExchangeFileRefused(file_name, _(
            "the file is version {found!r} of the format; this caseapp reads version {version}. "
            "Ask the sender which caseapp made it, or update caseapp.").format(
                found=found_version, version=version))


def _text(value: Any, what: str, file_name: str, *, max_len: int = 200) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > max_len \
            or _CONTROL_RE.search(value):
        raise ExchangeFileRefused(file_name, _("{what} is missing or malformed.").format(
            what=what))
    return value


def _pattern(value: Any, pattern: re.Pattern[str], what: str, file_name: str) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ExchangeFileRefused(file_name, _("{what} is missing or malformed.").format(
            what=what))
    return value


def parse_time(value: Any, what: str, file_name: str) -> datetime:
    text = _pattern(value, _TIME_RE, what, file_name)
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise ExchangeFileRefused(file_name, _("{what} {value!r} is not a real time.").format(
            what=what, value=text)) from None


def signature_block(document: Mapping[str, Any], file_name: str) -> SignatureBlock:
    block = document.get("signature")
    if not isinstance(block, dict) or set(block) != {"algorithm", "key", "value"}:
        raise ExchangeFileRefused(file_name, _("the file has no valid signature block."))
    if block["algorithm"] != SIGNATURE_ALGORITHM:
        raise ExchangeFileRefused(file_name, _(
            "the file is signed with {found!r}; caseapp accepts {expected} only.").format(
                found=block["algorithm"], expected=SIGNATURE_ALGORITHM))
    key = _pattern(block["key"], _HEX64_RE, _("the signer's key fingerprint"), file_name)
    raw = block["value"]
    try:
        value = base64.b64decode(raw, validate=True) if isinstance(raw, str) else b""
    except (binascii.Error, ValueError):
        value = b""
    if len(value) != 64 or base64.b64encode(value).decode("ascii") != raw:
        raise ExchangeFileRefused(file_name, _("the signature value is malformed."))
    return SignatureBlock(SIGNATURE_ALGORITHM, key, value)


def issuer_of(document: Mapping[str, Any], file_name: str) -> tuple[str, str]:
    issuer = document.get("issuer")
    if not isinstance(issuer, dict) or set(issuer) != {"code", "name"}:
        raise ExchangeFileRefused(file_name, _("the issuing institution is missing."))
    code = _pattern(issuer["code"], CODE_RE, _("the issuing institution's code"), file_name)
    name = _text(issuer["name"], _("the issuing institution's name"), file_name)
    return code, name


def _count(value: Any, what: str, file_name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise ExchangeFileRefused(file_name, _("{what} is not a count.").format(what=what))
    return value


def _day(value: Any, what: str, file_name: str) -> date | None:
    if value == "":
        return None
    text = _pattern(value, _DATE_RE, what, file_name)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ExchangeFileRefused(file_name, _("{what} {value!r} is not a real date.").format(
            what=what, value=text)) from None


def parse_document(document: Mapping[str, Any], file_name: str) -> ExchangeDocument:
    """Check every member of a (signature-verified) document and return its content."""
    expected = set(TOP_LEVEL_ORDER)
    if set(document) != expected:
        missing = sorted(expected - set(document))
        extra = sorted(set(document) - expected)
        raise ExchangeFileRefused(file_name, _(
            "the file's members are not those of version {version} (missing: {missing}; "
            "unexpected: {extra}).").format(version=VERSION, missing=", ".join(missing) or "-",
                                            extra=", ".join(extra) or "-"))
    code, name = issuer_of(document, file_name)
    created = parse_time(document["created_at"], _("the creation time"), file_name)
    key_id = _pattern(document["key_id"], CODE_RE, _("the key id"), file_name)
    key_check = _pattern(document["key_check"], _HEX16_RE, _("the key check value"), file_name)
    if document["hash"] != HASH_NAME or document["hash_input"] != HASH_INPUT:
        raise ExchangeFileRefused(file_name, _(
            "the identifiers are hashed as {found!r}; caseapp computes {expected}.").format(
                found=f"{document['hash']} / {document['hash_input']}",
                expected=f"{HASH_NAME} / {HASH_INPUT}"))
    series = _pattern(document["series"], _HEX32_RE, _("the series"), file_name)
    raw_entries = document["entries"]
    if not isinstance(raw_entries, list):
        raise ExchangeFileRefused(file_name, _("the entries are not a list."))
    if len(raw_entries) > MAX_ENTRIES:
        raise ExchangeFileRefused(file_name, _(
            "the file holds {n} entries, more than the {limit} allowed.").format(
                n=len(raw_entries), limit=MAX_ENTRIES))
    entries = []
    seen: set[str] = set()
    for number, raw in enumerate(raw_entries, start=1):
        what = _("entry {n}").format(n=number)
        if not isinstance(raw, dict) or set(raw) != ENTRY_KEYS:
            raise ExchangeFileRefused(file_name, _("{what} does not have the members {keys}."
                                                   ).format(what=what,
                                                            keys=", ".join(sorted(ENTRY_KEYS))))
        digest = _pattern(raw["digest"], _HEX64_RE, _("the digest of {what}").format(what=what),
                          file_name)
        if digest in seen:
            raise ExchangeFileRefused(file_name, _("{what} repeats an earlier digest.").format(
                what=what))
        seen.add(digest)
        category = raw["category"]
        if category not in CATEGORIES:
            raise ExchangeFileRefused(file_name, _(
                "{what} has the category {found!r}; expected one of {allowed}.").format(
                    what=what, found=category, allowed=", ".join(CATEGORIES)))
        first = _day(raw["first_seen"], _("the first-seen date of {what}").format(what=what),
                     file_name)
        last = _day(raw["last_seen"], _("the last-seen date of {what}").format(what=what),
                    file_name)
        if first and last and last < first:
            raise ExchangeFileRefused(file_name, _(
                "{what} was last seen before it was first seen.").format(what=what))
        entries.append(ExchangeEntry(
            digest=digest, category=category, first_seen=first, last_seen=last,
            complaints=_count(raw["complaints"], _("the complaint count of {what}").format(
                what=what), file_name),
            customers=_count(raw["customers"], _("the customer count of {what}").format(
                what=what), file_name)))
    return ExchangeDocument(issuer_code=code, issuer_name=name, created_at=created,
                            key_id=key_id, key_check=key_check, series=series,
                            entries=tuple(entries))


def sorted_entries(entries: Sequence[ExchangeEntry]) -> tuple[ExchangeEntry, ...]:
    """Entries in digest order, so the file's order says nothing about the issuer's records."""
    return tuple(sorted(entries, key=lambda e: e.digest))
