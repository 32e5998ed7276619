"""Resident identity card numbers (居民身份证号, GB 11643): checksum, birth date, region, sex."""

from __future__ import annotations

import datetime as dt
import re
import time
from functools import lru_cache

from stdnum.cn import ric

from caseapp.domain.enums import IdentifierType
from caseapp.identifiers.model import ParsedIdentifier, Problem, make_result
from caseapp.identifiers.normalize import clean_value, is_scientific, strip_separators
from caseapp.identifiers.regions import PROVINCES, RESIDENCE_PERMIT_REGIONS

_ID18_RE = re.compile(r"\d{17}[\dX]", re.ASCII)
_ID15_RE = re.compile(r"\d{15}", re.ASCII)
_EARLIEST_BIRTH = dt.date(1900, 1, 1)
# A bare number as Excel exports it (spaces or tabs around, a leading apostrophe): it cleans to
# the digits alone, so the general cleaning can be skipped.
_PLAIN_RE = re.compile(r"[ \t]*'?([0-9]{15}(?:[0-9]{2}[0-9Xx])?)[ \t]*")
_LENGTH_RE = re.compile(r"\d+X?")


def id_card_check_char(body17: str) -> str:
    """GB 11643 check character (``0``–``9`` or ``X``) for the first 17 digits."""
    if len(body17) != 17 or not body17.isascii() or not body17.isdigit():
        raise ValueError("an ID number body is exactly 17 digits")
    return _check_char(body17)


def _check_char(body17: str) -> str:
    """:func:`id_card_check_char` of a body already known to be 17 ASCII digits."""
    # stdnum expects the full number and ignores its last character.
    return ric.calc_check_digit(body17 + "0")


def _fast_check_char(body17: str) -> str:
    """:func:`_check_char` inlined: stdnum's formula (weights 2^(17-i) mod 11, as base 13)."""
    checksum = (1 - 2 * int(body17, 13)) % 11
    return "X" if checksum == 10 else _DIGIT_CHARS[checksum]


_DIGIT_CHARS = "0123456789"
# date.today() costs more than the rest of a parse: it is looked up again after a few seconds.
_TODAY: list[object] = [dt.date.today(), time.monotonic()]


def _today() -> dt.date:
    now = time.monotonic()
    if now - _TODAY[1] > 2.0:  # type: ignore[operator]
        _TODAY[0] = dt.date.today()
        _TODAY[1] = now
    return _TODAY[0]  # type: ignore[return-value]


def upgrade_id_card_15_to_18(number: str) -> str:
    """Upgrade a 15-digit (pre-1999) ID number: insert the century ``19``, add the check char."""
    digits = strip_separators(clean_value(number))
    if not _ID15_RE.fullmatch(digits):
        raise ValueError("a legacy ID number is exactly 15 digits")
    body = digits[:6] + "19" + digits[6:]
    return body + id_card_check_char(body)


@lru_cache(maxsize=1 << 16)
def _birth_date(yyyymmdd: str) -> dt.date | None:
    try:
        return dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


def parse_id_card(raw: str, *, today: dt.date | None = None) -> ParsedIdentifier:
    """Parse an ID number; report problems (checksum, date, region) without rejecting the value.

    Valid means: the GB 11643 check character, a real birth date between 1900-01-01 and
    ``today``, and a known province prefix. The county code is not checked (codes are created and
    abolished over time, so a strict table rejects real people). A 15-digit legacy number is
    upgraded to 18 digits and stays valid, with the note UPGRADED_FROM_15. A number ending in
    ``000`` carries the note EXCEL_PRECISION_LOSS.
    """
    kind = IdentifierType.ID_CARD
    plain = _PLAIN_RE.fullmatch(raw)
    if plain is not None:
        value = plain[1].upper()
    else:
        cleaned = clean_value(raw)
        if not cleaned:
            return make_result(kind, raw, "", [Problem.EMPTY])
        if is_scientific(cleaned):
            return make_result(kind, raw, cleaned, [Problem.SCIENTIFIC_NOTATION])
        value = strip_separators(cleaned).upper()
    notes: list[Problem] = []
    details: dict[str, object] = {}
    if len(value) == 15 and _ID15_RE.fullmatch(value):
        details["original_15"] = value
        notes.append(Problem.UPGRADED_FROM_15)
        body = value[:6] + "19" + value[6:]
        value = body + _check_char(body)
    elif len(value) != 18 or not _ID18_RE.fullmatch(value):
        if "*" in value:
            problem = Problem.MASKED
        elif _LENGTH_RE.fullmatch(value):
            problem = Problem.BAD_LENGTH
        else:
            problem = Problem.BAD_FORMAT
        return make_result(kind, raw, value, [problem])

    problems: list[Problem] = []
    region_code = value[:6]
    details["region_code"] = region_code
    province = PROVINCES.get(value[:2])
    if province is None:
        problems.append(Problem.UNKNOWN_REGION)
    else:
        details["province"] = province
    if region_code in RESIDENCE_PERMIT_REGIONS:
        details["residence_permit"] = True

    birth = _birth_date(value[6:14])
    latest = today or _today()
    if birth is None or not _EARLIEST_BIRTH <= birth <= latest:
        problems.append(Problem.BAD_BIRTH_DATE)
    else:
        details["birth_date"] = birth
    details["sex"] = "M" if value[16] in "13579" else "F"

    expected = _fast_check_char(value[:17])
    if value[17] != expected:
        problems.append(Problem.BAD_CHECKSUM)
        details["expected_check_char"] = expected
    if value.endswith("000") and "original_15" not in details:
        # Excel keeps 15 significant digits and zeroes the rest; one such number in eleven
        # still passes the checksum, so the remark is made whatever the checksum says.
        notes.append(Problem.EXCEL_PRECISION_LOSS)
    if not problems and not notes:
        return ParsedIdentifier(kind, raw, value, True, (), details)  # as make_result would
    return make_result(kind, raw, value, problems, details, notes)
