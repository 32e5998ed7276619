"""Online accounts: WeChat, QQ, e-mail, URLs, short-video / social handles, and free values."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from caseapp.domain.enums import IdentifierType
from caseapp.identifiers.model import ParsedIdentifier, Problem, make_result
from caseapp.identifiers.normalize import clean_value, strip_excel_float, strip_separators
from caseapp.identifiers.phones import MOBILE_NSN_RE, mobile_national_digits, parse_mobile

WECHAT_ID_RE = re.compile(r"[a-z][a-z0-9_-]{5,19}", re.ASCII)
_WECHAT_CHARS_RE = re.compile(r"[a-z0-9_-]+", re.ASCII)
QQ_RE = re.compile(r"[1-9][0-9]{4,10}")
_QQ_MAIL_RE = re.compile(r"([1-9][0-9]{4,10})@qq\.com", re.IGNORECASE)
EMAIL_RE = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9\u00a1-\uffff](?:[a-z0-9\u00a1-\uffff-]{0,61}[a-z0-9\u00a1-\uffff])?\.)+"
    r"(?:[a-z]{2,24}|xn--[a-z0-9-]{1,59}|[\u00a1-\uffff]{2,24})"
)
_HOST_LABEL_RE = re.compile(
    r"[a-z0-9\u00a1-\uffff](?:[a-z0-9\u00a1-\uffff-]{0,61}[a-z0-9\u00a1-\uffff])?"
)
_HANDLE_RE = re.compile(r"[\w.-]{2,30}")
_HANDLE_TYPES = (
    IdentifierType.DOUYIN,
    IdentifierType.KUAISHOU,
    IdentifierType.XIAOHONGSHU,
    IdentifierType.WEIBO,
)


def parse_wechat(raw: str) -> ParsedIdentifier:
    """Parse a WeChat ID: 6–20 characters, a letter first, then letters, digits, ``_`` or ``-``.

    The value is lower-cased (WeChat IDs are case-insensitive); ``wxid_…`` internal ids are
    valid with ``details["internal_id"]``. A mobile number used as WeChat ID (微信同号) is valid:
    value is the 11 national digits and ``details["is_phone"]`` is True.
    """
    kind = IdentifierType.WECHAT
    cleaned = clean_value(raw)
    if cleaned.lower().startswith("@"):
        cleaned = cleaned[1:].strip()
    if not cleaned:
        return make_result(kind, raw, "", [Problem.EMPTY])
    digits = strip_separators(strip_excel_float(cleaned), " -()")
    if digits.lstrip("+").isascii() and digits.lstrip("+").isdigit():
        phone = parse_mobile(digits)
        national = mobile_national_digits(phone.value) if phone.valid else None
        if national is not None:
            return make_result(kind, raw, national, details={"is_phone": True})
        return make_result(kind, raw, digits, [Problem.BAD_FORMAT])
    value = cleaned.lower()
    details: dict[str, object] = {}
    if value.startswith("wxid_"):
        # Internal account ids (wxid_…) are what exports and QR codes show; longer than 20.
        ok = re.fullmatch(r"wxid_[a-z0-9_-]{4,30}", value, re.ASCII) is not None
        details["internal_id"] = True
        return make_result(kind, raw, value, [] if ok else [Problem.BAD_FORMAT], details)
    if not _WECHAT_CHARS_RE.fullmatch(value) or not value[0].isalpha():
        return make_result(kind, raw, value, [Problem.BAD_FORMAT])
    if not 6 <= len(value) <= 20:
        return make_result(kind, raw, value, [Problem.BAD_LENGTH], {"length": len(value)})
    return make_result(kind, raw, value)


def parse_qq(raw: str) -> ParsedIdentifier:
    """Parse a QQ number: 5–11 digits, not starting with 0 (``12345@qq.com`` gives 12345)."""
    kind = IdentifierType.QQ
    cleaned = clean_value(raw)
    if not cleaned:
        return make_result(kind, raw, "", [Problem.EMPTY])
    mail = _QQ_MAIL_RE.fullmatch(cleaned)
    if mail:
        return make_result(kind, raw, mail.group(1), details={"from_email": True})
    value = strip_separators(strip_excel_float(cleaned))
    if QQ_RE.fullmatch(value):
        details: dict[str, object] = {}
        if MOBILE_NSN_RE.fullmatch(value):
            details["looks_like_mobile"] = True
        return make_result(kind, raw, value, details=details)
    if value.isascii() and value.isdigit():
        problem = Problem.BAD_FORMAT if value.startswith("0") else Problem.BAD_LENGTH
        return make_result(kind, raw, value, [problem])
    return make_result(kind, raw, value, [Problem.BAD_FORMAT])


def parse_email(raw: str) -> ParsedIdentifier:
    """Parse an e-mail address; the value is lower-cased (mail providers ignore case)."""
    kind = IdentifierType.EMAIL
    cleaned = clean_value(raw)
    if cleaned.lower().startswith("mailto:"):
        cleaned = cleaned[7:].strip()
    if not cleaned:
        return make_result(kind, raw, "", [Problem.EMPTY])
    value = cleaned.lower()
    if len(value) > 254 or not EMAIL_RE.fullmatch(value):
        return make_result(kind, raw, value, [Problem.BAD_FORMAT])
    local, _, domain = value.rpartition("@")
    return make_result(kind, raw, value, details={"domain": domain, "local": local})


def _normalise_host(host: str) -> str | None:
    host = host.lower().rstrip(".")
    labels = host.split(".")
    if len(labels) < 2 or not all(_HOST_LABEL_RE.fullmatch(label) for label in labels):
        return None
    if labels[-1].isdigit() and not all(label.isdigit() for label in labels):
        return None
    return host


def parse_url(raw: str) -> ParsedIdentifier:
    """Parse a web address (http, https or ftp).

    The value gets a lower-case scheme and host, ``http://`` when it had no scheme (a bare
    ``www.example.com`` becomes ``http://www.example.com``, with ``details["scheme_added"]``) and
    loses a lone trailing ``/``; path, query and fragment are kept as given.
    """
    kind = IdentifierType.URL
    cleaned = clean_value(raw)
    if not cleaned:
        return make_result(kind, raw, "", [Problem.EMPTY])
    if any(ch.isspace() for ch in cleaned):
        return make_result(kind, raw, cleaned, [Problem.BAD_FORMAT])
    text = cleaned
    added_scheme = False
    if not re.match(r"[a-z][a-z0-9+.-]*://", text, re.IGNORECASE | re.ASCII):
        if text.startswith("//"):
            text = text[2:]
        text = "http://" + text
        added_scheme = True
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return make_result(kind, raw, cleaned, [Problem.BAD_FORMAT])
    scheme = parts.scheme.lower()
    host = _normalise_host(parts.hostname or "")
    if scheme not in ("http", "https", "ftp") or host is None:
        return make_result(kind, raw, cleaned, [Problem.BAD_FORMAT])
    netloc = host if port is None else f"{host}:{port}"
    if parts.username:
        return make_result(kind, raw, cleaned, [Problem.BAD_FORMAT])
    path = "" if parts.path == "/" else parts.path
    value = urlunsplit((scheme, netloc, path, parts.query, parts.fragment))
    details: dict[str, object] = {"host": host}
    if added_scheme:
        details["scheme_added"] = True
    return make_result(kind, raw, value, details=details)


def parse_handle(kind: IdentifierType, raw: str) -> ParsedIdentifier:
    """Parse a Douyin / Kuaishou / Xiaohongshu / Weibo handle.

    2–30 letters (Chinese included), digits, ``_``, ``.`` or ``-``; a leading ``@`` is dropped and
    Latin letters are lower-cased.
    """
    if kind not in _HANDLE_TYPES:
        raise ValueError(f"not a social-media handle type: {kind}")
    cleaned = clean_value(raw)
    if cleaned.startswith("@"):
        cleaned = cleaned[1:].strip()
    if not cleaned:
        return make_result(kind, raw, "", [Problem.EMPTY])
    value = cleaned.lower()
    if not _HANDLE_RE.fullmatch(value):
        too_long_or_short = re.fullmatch(r"[\w.-]+", value) is not None
        problem = Problem.BAD_LENGTH if too_long_or_short else Problem.BAD_FORMAT
        return make_result(kind, raw, value, [problem])
    return make_result(kind, raw, value)


def parse_douyin(raw: str) -> ParsedIdentifier:
    return parse_handle(IdentifierType.DOUYIN, raw)


def parse_kuaishou(raw: str) -> ParsedIdentifier:
    return parse_handle(IdentifierType.KUAISHOU, raw)


def parse_xiaohongshu(raw: str) -> ParsedIdentifier:
    return parse_handle(IdentifierType.XIAOHONGSHU, raw)


def parse_weibo(raw: str) -> ParsedIdentifier:
    return parse_handle(IdentifierType.WEIBO, raw)


def parse_other(raw: str) -> ParsedIdentifier:
    """Any other identifier: the value is the stripped text; valid unless empty."""
    value = raw.strip()
    problems = [] if value else [Problem.EMPTY]
    return make_result(IdentifierType.OTHER, raw, value, problems)
