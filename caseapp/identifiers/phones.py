"""Chinese mobile and landline numbers: Excel artefacts, country codes, E.164 normalisation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

import phonenumbers
from phonenumbers import carrier

from caseapp.domain.enums import IdentifierType
from caseapp.identifiers.mobile_blocks import block_verdicts
from caseapp.identifiers.model import ParsedIdentifier, Problem, make_result
from caseapp.identifiers.normalize import (
    clean_value,
    is_scientific,
    strip_excel_float,
    strip_separators,
)

MOBILE_NSN_RE = re.compile(r"1[3-9]\d{9}", re.ASCII)
_ANY_1_NSN_RE = re.compile(r"1\d{10}", re.ASCII)
LANDLINE_NSN_RE = re.compile(r"(?:10|2\d)[1-9]\d{6,7}|[3-9]\d{2}[1-9]\d{6,7}", re.ASCII)
_SERVICE_RE = re.compile(r"[48]00\d{7}", re.ASCII)
_SHORT_CODE_RE = re.compile(r"1\d{4}|9[56]\d{3,4}", re.ASCII)
_NO_AREA_RE = re.compile(r"[2-9]\d{6,7}", re.ASCII)
_EXTENSION_RE = re.compile(r"(.*?\d)\s*(?:转|分机|ext\.?|x|#)\s*(\d{1,6})", re.IGNORECASE)
_LABEL_RE = re.compile(
    r"^(?:tel|phone|mobile|联系电话|电话|手机号码|手机号|手机|座机)\s*:?\s*", re.I
)
_PHONE_SEPARATORS = " -()./·"
# The usual shapes of a mobile in a cell, which parse exactly as the general path would parse
# them: ``13812345678``, ``13812345678.0``, ``+8613812345678``, ``008613812345678``,
# ``8613812345678``, ``138 1234 5678``, ``+86 138-1234-5678``, a leading apostrophe, spaces or
# tabs around. Anything else (full-width digits, labels, brackets …) takes the general path.
_FAST_MOBILE_RE = re.compile(
    r"[ \t]*'?(?:(?:\+86|0086|86)?(1[3-9][0-9]{9})(?:\.0+)?"
    r"|(?:(?:\+86|0086|86)[ -]?)?(1[3-9][0-9])[ -]?([0-9]{4})[ -]?([0-9]{4}))[ \t]*"
)
_COMPACT_RE = re.compile(r"\+?\d+", re.ASCII)


@dataclass(slots=True)
class _Analysis:
    actual: IdentifierType
    value: str
    problems: list[Problem] = field(default_factory=list)
    details: dict[str, object] = field(default_factory=dict)
    notes: list[Problem] = field(default_factory=list)


@lru_cache(maxsize=32768)
def _verdict(e164: str) -> tuple[bool, str | None]:
    """phonenumbers' validity verdict and carrier name (agent numbers repeat: cached)."""
    number = _pn(e164)
    if number is None:
        return False, None
    try:
        return bool(phonenumbers.is_valid_number(number)), carrier.name_for_number(number, "zh")
    except Exception:  # phonenumbers metadata edge cases must not break parsing
        return False, None


@cache
def _mobile_blocks() -> tuple[dict[str, tuple[bool, str | None]], tuple[int, ...]] | None:
    table = block_verdicts(_verdict)
    if not table:
        return None
    return table, tuple(sorted({len(prefix) for prefix in table}))


def _mobile_verdict(nsn: str) -> tuple[bool, str | None]:
    """``_verdict`` of a mobile's national number ``1[3-9]…``, from its number block."""
    blocks = _mobile_blocks()
    if blocks is not None:
        table, lengths = blocks
        for length in lengths:
            found = table.get(nsn[:length])
            if found is not None:
                return found
    return _verdict("+86" + nsn)


def _describe(e164: str, details: dict[str, object]) -> bool:
    """Add the carrier from phonenumbers; return its validity verdict."""
    valid, operator = _verdict(e164)
    if operator:
        details["carrier"] = operator
    return valid


def phone_location(e164: str, language: str = "zh") -> str | None:
    """Where a number is registered (``江苏省连云港市``, ``北京市``), or None when unknown.

    Kept out of parsing on purpose: phonenumbers' geocoding data costs about 100 MB of memory
    and half a second to load, so it is only loaded when this function is first called.
    """
    from phonenumbers import geocoder

    number = _pn(e164)
    if number is None:
        return None
    try:
        return geocoder.description_for_number(number, language) or None
    except Exception:  # defensive, as in _describe
        return None


def _pn(e164: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None


def _mobile(nsn: str) -> _Analysis:
    result = _Analysis(IdentifierType.MOBILE, "+86" + nsn)
    valid, operator = _mobile_verdict(nsn)
    if operator:
        result.details["carrier"] = operator
    if not valid:
        result.notes.append(Problem.UNASSIGNED_PREFIX)
    return result


def _landline(nsn: str) -> _Analysis:
    result = _Analysis(IdentifierType.LANDLINE, "+86" + nsn)
    area_len = 2 if nsn[0] in "12" else 3
    result.details["area_code"] = "0" + nsn[:area_len]
    result.details["subscriber"] = nsn[area_len:]
    if not _describe(result.value, result.details):
        result.notes.append(Problem.UNASSIGNED_PREFIX)
    return result


def _foreign(digits: str, cleaned: str) -> _Analysis:
    number = _pn("+" + digits)
    if number is None:
        return _Analysis(IdentifierType.MOBILE, cleaned, [Problem.BAD_FORMAT])
    details: dict[str, object] = {}
    valid = _describe("+" + digits, details)
    try:
        kind = phonenumbers.number_type(number)
        region = phonenumbers.region_code_for_number(number)
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except Exception:  # defensive: odd metadata for unusual country codes
        return _Analysis(IdentifierType.MOBILE, cleaned, [Problem.BAD_FORMAT])
    mobile_types = (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    actual = IdentifierType.MOBILE if kind in mobile_types else IdentifierType.LANDLINE
    if region:
        details["region"] = region
    result = _Analysis(actual, e164 if valid else cleaned, details=details)
    result.notes.append(Problem.FOREIGN_NUMBER)
    if not valid:
        result.problems.append(Problem.BAD_FORMAT)
    return result


def _analyse(raw: str) -> _Analysis:
    cleaned = _LABEL_RE.sub("", clean_value(raw))
    if not cleaned:
        return _Analysis(IdentifierType.MOBILE, "", [Problem.EMPTY])
    if is_scientific(cleaned):
        digits_hint = IdentifierType.MOBILE
        return _Analysis(digits_hint, cleaned, [Problem.SCIENTIFIC_NOTATION])
    extension: str | None = None
    match = _EXTENSION_RE.fullmatch(cleaned)
    if match:
        cleaned, extension = match.group(1), match.group(2)
    compact = strip_separators(strip_excel_float(cleaned), _PHONE_SEPARATORS)
    if not _COMPACT_RE.fullmatch(compact):
        if "*" in compact:
            return _Analysis(IdentifierType.MOBILE, cleaned, [Problem.MASKED])
        return _Analysis(IdentifierType.MOBILE, cleaned, [Problem.BAD_FORMAT])
    result = _analyse_digits(compact)
    if extension is not None:
        result.details["extension"] = extension
    return result


def _analyse_digits(compact: str) -> _Analysis:
    had_country_code = False
    national = compact
    international: str | None = None
    if compact.startswith("+"):
        international = compact[1:]
    elif compact.startswith("00") and len(compact) > 4:
        international = compact[2:]
    if international is not None:
        if not international.startswith("86"):
            return _foreign(international, compact)
        national, had_country_code = international[2:], True
        if national.startswith("0"):
            national = national[1:]  # "+86 (0)10 …": the trunk zero written anyway
    elif len(compact) == 13 and compact.startswith("86") and MOBILE_NSN_RE.fullmatch(compact[2:]):
        national, had_country_code = compact[2:], True
    trunk = not had_country_code and national.startswith("0")
    nsn = national[1:] if trunk else national

    if MOBILE_NSN_RE.fullmatch(nsn):
        return _mobile(nsn)
    if _ANY_1_NSN_RE.fullmatch(nsn):
        return _Analysis(IdentifierType.MOBILE, compact, [Problem.BAD_FORMAT])
    if not trunk and _SERVICE_RE.fullmatch(nsn):
        result = _landline(nsn)
        result.details = {"service": nsn[:3], **_strip_area(result.details)}
        return result
    if trunk or had_country_code:
        if LANDLINE_NSN_RE.fullmatch(nsn):
            return _landline(nsn)
        problem = Problem.BAD_LENGTH if nsn.isdigit() and nsn[:1] != "0" else Problem.BAD_FORMAT
        return _Analysis(IdentifierType.LANDLINE, compact, [problem])
    if _NO_AREA_RE.fullmatch(nsn):
        return _Analysis(IdentifierType.LANDLINE, nsn, [Problem.MISSING_AREA_CODE])
    if _SHORT_CODE_RE.fullmatch(nsn):
        return _Analysis(IdentifierType.LANDLINE, nsn, details={"service": "short_code"})
    actual = IdentifierType.MOBILE if nsn.startswith("1") else IdentifierType.LANDLINE
    return _Analysis(actual, compact, [Problem.BAD_LENGTH])


def _strip_area(details: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in details.items() if k not in ("area_code", "subscriber")}


def parse_phone(raw: str, kind: IdentifierType | None = None) -> ParsedIdentifier:
    """Parse a Chinese (or foreign, with ``+``) phone number; the value is E.164.

    Accepted forms: separators (spaces, dashes, brackets, dots), ``+86`` / ``0086`` / ``86``,
    full-width digits, a leading apostrophe and Excel's ``13812345678.0``. Excel's scientific
    form (``1.38123E+10``) is invalid with SCIENTIFIC_NOTATION: the digits are never guessed.

    Mobiles are accepted on shape alone (11 digits, ``1[3-9]…``): investigators see numbers from
    blocks that ``phonenumbers`` does not know, so its opinion is only the note
    UNASSIGNED_PREFIX. Landlines need an area code (``010``, ``02x``, ``0xxx``) and a 7–8 digit
    subscriber number not starting with 0; 400/800 numbers are landlines with
    ``details["service"]``; short service numbers (``95588``, ``12378``) are valid landlines whose
    value stays the bare digits.

    ``kind`` None detects mobile vs landline. MOBILE or LANDLINE insists on that kind: a number
    of the other kind keeps the requested type and is invalid with NOT_A_MOBILE /
    NOT_A_LANDLINE, ``details["actual_type"]`` says what it is and ``value`` is still its E.164.
    """
    fast = _FAST_MOBILE_RE.fullmatch(raw)
    if fast is not None:
        nsn = fast[1] or fast[2] + fast[3] + fast[4]
        if kind is None or kind == IdentifierType.MOBILE:
            valid, operator = _mobile_verdict(nsn)
            details: dict[str, object] = {"carrier": operator} if operator else {}
            if not valid:
                details["notes"] = (Problem.UNASSIGNED_PREFIX,)
            return ParsedIdentifier(IdentifierType.MOBILE, raw, "+86" + nsn, True, (), details)
        analysis = _mobile(nsn)
    else:
        analysis = _analyse(raw)
    problems = list(analysis.problems)
    details = dict(analysis.details)
    result_type = analysis.actual if kind is None else kind
    if kind is not None and analysis.actual != kind and not problems:
        problems.append(
            Problem.NOT_A_MOBILE if kind == IdentifierType.MOBILE else Problem.NOT_A_LANDLINE
        )
        details["actual_type"] = analysis.actual
    return make_result(result_type, raw, analysis.value, problems, details, analysis.notes)


def parse_mobile(raw: str) -> ParsedIdentifier:
    """Parse a mobile number; a landline is reported invalid with NOT_A_MOBILE."""
    return parse_phone(raw, IdentifierType.MOBILE)


def parse_landline(raw: str) -> ParsedIdentifier:
    """Parse a landline (incl. 400/800 and short service numbers); a mobile is NOT_A_LANDLINE."""
    return parse_phone(raw, IdentifierType.LANDLINE)


def mobile_national_digits(e164: str) -> str | None:
    """``+8613812345678`` -> ``13812345678``; None for anything but a CN mobile in E.164."""
    if e164.startswith("+86") and MOBILE_NSN_RE.fullmatch(e164[3:]):
        return e164[3:]
    return None
