"""Parse a value of a given identifier type, or guess the type of a bare value."""

from __future__ import annotations

import re
from collections.abc import Callable

from caseapp.domain.enums import IdentifierType
from caseapp.identifiers.accounts import (
    QQ_RE,
    WECHAT_ID_RE,
    parse_douyin,
    parse_email,
    parse_kuaishou,
    parse_other,
    parse_qq,
    parse_url,
    parse_wechat,
    parse_weibo,
    parse_xiaohongshu,
)
from caseapp.identifiers.codes import (
    is_uscc_shaped,
    parse_bank_card,
    parse_lawyer_license,
    parse_uscc,
)
from caseapp.identifiers.extract import extract_identifiers
from caseapp.identifiers.id_card import parse_id_card
from caseapp.identifiers.model import ParsedIdentifier, Problem
from caseapp.identifiers.normalize import SCIENTIFIC_RE, clean_value, strip_separators
from caseapp.identifiers.phones import parse_landline, parse_mobile, parse_phone
from caseapp.identifiers.regions import PROVINCES

_PARSERS: dict[IdentifierType, Callable[[str], ParsedIdentifier]] = {
    IdentifierType.MOBILE: parse_mobile,
    IdentifierType.LANDLINE: parse_landline,
    IdentifierType.WECHAT: parse_wechat,
    IdentifierType.QQ: parse_qq,
    IdentifierType.DOUYIN: parse_douyin,
    IdentifierType.KUAISHOU: parse_kuaishou,
    IdentifierType.XIAOHONGSHU: parse_xiaohongshu,
    IdentifierType.WEIBO: parse_weibo,
    IdentifierType.EMAIL: parse_email,
    IdentifierType.URL: parse_url,
    IdentifierType.ID_CARD: parse_id_card,
    IdentifierType.USCC: parse_uscc,
    IdentifierType.BANK_CARD: parse_bank_card,
    IdentifierType.LAWYER_LICENSE: parse_lawyer_license,
    IdentifierType.OTHER: parse_other,
}

_PHONE_CHARS_RE = re.compile(r"\+?[0-9().\s-]+", re.ASCII)
_URL_START_RE = re.compile(r"(?:https?://|www\.)", re.IGNORECASE)
_ID18_RE = re.compile(r"[0-9]{17}[0-9X]")


def parse_identifier(kind: IdentifierType | str, raw: str) -> ParsedIdentifier:
    """Parse ``raw`` as an identifier of type ``kind``; never raises for a string ``raw``.

    An unknown ``kind`` string raises ValueError.
    """
    identifier_type = IdentifierType(kind)
    return _PARSERS[identifier_type](raw)


def _guess_scientific(raw: str, cleaned: str) -> ParsedIdentifier | None:
    match = SCIENTIFIC_RE.fullmatch(cleaned.replace(" ", ""))
    if match is None:
        return None
    try:
        digits = int(cleaned.replace(" ", "").lower().split("e")[1]) + 1
    except ValueError:
        return None
    if digits == 11:
        return parse_mobile(raw)
    if digits in (15, 18):
        return parse_id_card(raw)
    if 12 <= digits <= 19:
        return parse_bank_card(raw)
    return None


def guess_identifier(raw: str) -> ParsedIdentifier | None:
    """Detect the type of a bare value (or of a lone labelled one, like ``VX:abc123``).

    Checks run from the most to the least specific shape: e-mail, URL, mobile, 18-character ID
    number / USCC, 15-digit ID number, lawyer licence, landline, bank card, QQ, WeChat ID.
    Returns None when nothing fits.
    """
    cleaned = clean_value(raw)
    if not cleaned:
        return None
    if SCIENTIFIC_RE.fullmatch(cleaned.replace(" ", "")):
        return _guess_scientific(raw, cleaned)
    if "@" in cleaned and not cleaned.startswith("@"):
        email = parse_email(raw)
        if email.valid:
            return email
    if _URL_START_RE.match(cleaned):
        url = parse_url(raw)
        if url.valid:
            return url
    phone_like = _PHONE_CHARS_RE.fullmatch(cleaned) is not None
    if phone_like:
        phone = parse_phone(raw)
        if phone.valid and phone.type == IdentifierType.MOBILE:
            return phone
    compact = strip_separators(cleaned).upper()
    digits = compact.isascii() and compact.isdigit()
    if len(compact) == 18:
        guessed = _guess_eighteen(raw, compact)
        if guessed is not None:
            return guessed
    if len(compact) == 15 and digits:
        id_card = parse_id_card(raw)
        if id_card.valid:
            return id_card
    if len(compact) == 17 and digits:
        licence = parse_lawyer_license(raw)
        if licence.valid:
            return licence
    if phone_like:
        phone = parse_phone(raw)
        if phone.valid:
            return phone
    if digits and 12 <= len(compact) <= 19:
        card = parse_bank_card(raw)
        if card.valid or len(compact) >= 16:
            return card
    if QQ_RE.fullmatch(cleaned):  # QQ numbers are written without separators
        return parse_qq(raw)
    lowered = cleaned.lower()
    if WECHAT_ID_RE.fullmatch(lowered) or lowered.startswith("wxid_"):
        wechat = parse_wechat(raw)
        if wechat.valid:
            return wechat
    found = extract_identifiers(raw)
    if len(found) == 1:
        one = found[0]
        return ParsedIdentifier(
            type=one.type,
            raw=raw,
            value=one.value,
            valid=one.valid,
            problems=one.problems,
            details=dict(one.details),
        )
    return None


def _guess_eighteen(raw: str, compact: str) -> ParsedIdentifier | None:
    id_card = parse_id_card(raw)
    if id_card.valid:
        return id_card
    uscc = parse_uscc(raw)
    if uscc.valid:
        return uscc
    if id_card.problems == (Problem.BAD_CHECKSUM,):
        return id_card
    card = parse_bank_card(raw)
    if card.valid:
        return card
    if _ID18_RE.fullmatch(compact) and compact[:2] in PROVINCES:
        return id_card
    if is_uscc_shaped(compact) and not compact.isdigit():
        return uscc
    return None
