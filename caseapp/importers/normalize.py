"""Cell normalisation: dates, amounts, ID numbers, phones and the identifiers in a cell.

Parsing of phones and ID numbers is the identifiers package's; this module decides what an
import keeps (normalised value, flags, mentions). Results of cells that repeat across rows (agent
columns, phones, dates, demands) are cached.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from caseapp.domain.enums import IdentifierType
from caseapp.identifiers import Problem, extract_identifiers, parse_id_card, parse_phone
from caseapp.importers.model import Mention

CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
"""China has kept UTC+8 without daylight saving since 1991 (no tz database needed on Windows)."""

# Flags (stable strings, stored with the complaint).
FLAG_ID_UNRECOVERABLE = "id_number_unrecoverable"
FLAG_ID_SCIENTIFIC = "id_number_scientific"
FLAG_ID_EXCEL15 = "id_number_excel15"
FLAG_ID_POSSIBLE_EXCEL15 = "id_number_possible_excel15"
FLAG_ID_INVALID = "id_number_invalid"
FLAG_PHONE_INVALID = "phone_invalid"
FLAG_AGENT_PHONE_INVALID = "agent_phone_invalid"
FLAG_DATE_UNPARSED = "date_unparsed"
FLAG_AMOUNT_UNPARSED = "amount_unparsed"
FLAG_TEXT_EMPTY = "text_empty"

_PHONE_TYPES = (IdentifierType.MOBILE, IdentifierType.LANDLINE)
# Agent columns and demands repeat across many rows; customers' cells repeat a few times.
_CACHE_REPEATING = 1 << 15
_CACHE_PER_CUSTOMER = 1 << 13

# ------------------------------------------------------------------------------------- dates

_TIME = (
    r"(?P<ap1>上午|下午|晚上|凌晨|中午|AM|PM)?\s*(?P<H>\d{1,2})\s*[:：时点]\s*(?P<M>\d{1,2})"
    r"(?:\s*[:：分]\s*(?P<S>\d{1,2})(?:[.,](?P<f>\d{1,6}))?\s*秒?)?\s*分?"
    r"\s*(?P<ap2>AM|PM|A\.M\.|P\.M\.|上午|下午)?\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}:?\d{2})?"
)
_YMD_RE = re.compile(
    r"(?P<y>\d{4})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})\s*[日号]?"
    rf"(?:(?:\s*T\s*|\s+|(?<=[日号]))(?:{_TIME}))?",
    re.IGNORECASE,
)
_MDY_RE = re.compile(
    rf"(?P<m>\d{{1,2}})/(?P<d>\d{{1,2}})/(?P<y>\d{{4}})(?:,?\s+(?:{_TIME}))?", re.IGNORECASE
)
_MONTH_FIRST_RE = re.compile(
    r"(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})"
    rf"(?:,?\s+(?:at\s+)?(?:{_TIME}))?",
    re.IGNORECASE,
)
_DAY_FIRST_RE = re.compile(
    r"(?P<d>\d{1,2})[\s-]+(?P<mon>[A-Za-z]{3,9})\.?[\s-]+(?P<y>\d{4})"
    rf"(?:,?\s+(?:{_TIME}))?",
    re.IGNORECASE,
)
_COMPACT_RE = re.compile(
    r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2}))?"
)
_SERIAL_RE = re.compile(r"\d{4,6}(?:\.\d+)?")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_EXCEL_EPOCH = datetime(1899, 12, 30)
# Excel serials accepted as dates: 1954-10-03 .. 2201-02-13 (a bare year like 2025 is not one).
_SERIAL_MIN, _SERIAL_MAX = 20_000, 110_000
_PM = frozenset({"pm", "p.m.", "下午", "晚上"})
_AM = frozenset({"am", "a.m.", "上午", "凌晨"})


def _fold(value: str) -> str:
    return value if value.isascii() else unicodedata.normalize("NFKC", value)


def _build(match: re.Match[str], year: int, month: int, day: int) -> datetime | None:
    groups = match.groupdict()
    hour_text = groups.get("H")
    try:
        if not hour_text:
            return datetime(year, month, day, tzinfo=CHINA_TZ)
        hour = int(hour_text)
        minute = int(groups["M"] or 0)
        second = int(groups.get("S") or 0)
        fraction = groups.get("f") or ""
        micro = int(fraction.ljust(6, "0")) if fraction else 0
        marker = (groups.get("ap1") or groups.get("ap2") or "").lower()
        if marker in _PM and hour < 12:
            hour += 12
        elif marker in _AM and hour == 12:
            hour = 0
        zone = _zone(groups.get("tz"))
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=zone)
    except ValueError:
        return None


def _zone(text: str | None) -> timezone:
    if not text:
        return CHINA_TZ
    if text.upper() in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


@lru_cache(maxsize=_CACHE_PER_CUSTOMER)
def parse_received_at(raw: str) -> datetime | None:
    """A complaint date/time in UTC, or None when it cannot be read.

    Understands ``2025/3/4``, ``2025-03-04 10:22:31``, ``2025年3月4日``, ``2025/3/4 10:22``, ISO
    with a zone, Excel serials (1900 date system), ``05/29/2020`` (US order unless the first
    number is over 12), ``May 29, 2020 12:18:06 PM`` and ``20250304``.
    """
    value = _fold(raw).strip()
    if not value:
        return None
    found = _parse_local(value)
    return None if found is None else found.astimezone(UTC)


def _parse_local(value: str) -> datetime | None:
    match = _YMD_RE.fullmatch(value)
    if match:
        return _build(match, int(match["y"]), int(match["m"]), int(match["d"]))
    if _SERIAL_RE.fullmatch(value):
        serial = float(value)
        if _SERIAL_MIN <= serial < _SERIAL_MAX:
            moment = _EXCEL_EPOCH + timedelta(days=serial)
            # Excel stores times in whole seconds; drop the float's noise.
            moment = moment.replace(microsecond=0) + timedelta(
                seconds=round(moment.microsecond / 1_000_000)
            )
            return moment.replace(tzinfo=CHINA_TZ)
    match = _MDY_RE.fullmatch(value)
    if match:
        first, second = int(match["m"]), int(match["d"])
        month, day = (second, first) if first > 12 else (first, second)
        return _build(match, int(match["y"]), month, day)
    match = _MONTH_FIRST_RE.fullmatch(value) or _DAY_FIRST_RE.fullmatch(value)
    if match:
        named_month = _MONTHS.get(match["mon"].lower().rstrip("."))
        if named_month is None:
            return None
        return _build(match, int(match["y"]), named_month, int(match["d"]))
    match = _COMPACT_RE.fullmatch(value)
    if match:
        return _build(match, int(match["y"]), int(match["m"]), int(match["d"]))
    return None


def excel_cell_text(value: object) -> str:
    """A workbook cell as the text a CSV export would hold."""
    if value is None:
        return ""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[return-value]
    if kind is float:
        number: float = value  # type: ignore[assignment]
        if number != number or number in (float("inf"), float("-inf")):
            return ""
        if number.is_integer():
            # Beyond 15 significant digits Excel has already lost digits: show it as Excel does.
            return str(int(number)) if abs(number) < 1e15 else format(number, ".15G")
        return repr(number)
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is int:
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


# ------------------------------------------------------------------------------------ amounts

_CENT = Decimal("0.01")
_AMOUNT_NOISE_RE = re.compile(r"人民币|RMB|CNY|元整|元|圆|块钱|块|[¥$\s]", re.IGNORECASE)
_PLAIN_NUMBER_RE = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)")
_GROUPED_NUMBER_RE = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_MAX_AMOUNT = Decimal("1e15")


@lru_cache(maxsize=_CACHE_PER_CUSTOMER)
def parse_amount(raw: str) -> Decimal | None:
    """``1,234.50``, ``￥1234``, ``¥1,234.50``, ``1234.50元``, ``1.5万`` -> Decimal, 2 places."""
    value = _AMOUNT_NOISE_RE.sub("", _fold(raw))
    if not value:
        return None
    negative = value.startswith("(") and value.endswith(")")
    if negative:
        value = value[1:-1]
    scale = 1
    if value.endswith("万"):
        value, scale = value[:-1], 10_000
    elif value.endswith("亿"):
        value, scale = value[:-1], 100_000_000
    if "," in value:
        if not _GROUPED_NUMBER_RE.fullmatch(value):
            return None
        value = value.replace(",", "")
    elif not _PLAIN_NUMBER_RE.fullmatch(value):
        return None
    try:
        amount = Decimal(value) * scale
        if amount.copy_abs() >= _MAX_AMOUNT:
            return None
        amount = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return None
    return -amount if negative else amount


# ---------------------------------------------------------------------- identifiers in cells

_EXCEL_FLOAT_ID_RE = re.compile(r"(\d{15,18})\.0+")


@lru_cache(maxsize=_CACHE_PER_CUSTOMER)
def normalise_id_number(raw: str) -> tuple[str, tuple[str, ...], tuple[Mention, ...]]:
    """(normalised ID number, flags, mentions) of a 证件号码 cell; the raw cell is kept apart.

    Scientific notation (``1.10105E+17``) and Excel's 15-digit zeroing (18 digits ending in
    ``000`` whose check character fails) cannot give the real number: the value is then empty
    and flagged ``id_number_unrecoverable``. A valid number ending in ``000`` is kept, flagged
    ``id_number_possible_excel15``. Other invalid numbers keep their cleaned value, flagged
    ``id_number_invalid``.
    """
    value = raw.strip()
    if not value:
        return "", (), ()
    if "." in value:
        float_match = _EXCEL_FLOAT_ID_RE.fullmatch(value)
        if float_match:
            value = float_match.group(1)
    parsed = parse_id_card(value)
    problems = parsed.problems
    if problems and Problem.SCIENTIFIC_NOTATION in problems:
        return "", (FLAG_ID_UNRECOVERABLE, FLAG_ID_SCIENTIFIC), ()
    number = parsed.value
    # The precision remark is only ever made on a number ending in 000.
    zeroed = number.endswith("000") and (
        len(number) == 18 or Problem.EXCEL_PRECISION_LOSS in parsed.notes)
    if zeroed and Problem.BAD_CHECKSUM in problems:
        return "", (FLAG_ID_UNRECOVERABLE, FLAG_ID_EXCEL15), ()
    if zeroed:
        # Valid but maybe zeroed by Excel: kept and flagged, but not offered as an identifier
        # (two customers' zeroed numbers could look shared).
        return number, (FLAG_ID_POSSIBLE_EXCEL15,), ()
    mention = (Mention("customer_id_number", parsed, raw, None, None),)
    if parsed.valid:
        return number, (), mention
    return number, (FLAG_ID_INVALID,), mention


def _cell_mentions(field_name: str, value: str) -> tuple[Mention, ...]:
    return tuple(
        Mention(field_name, found, found.raw, found.start, found.end)
        for found in extract_identifiers(value)
    )


def _phone_cell(
    field_name: str, raw: str, invalid_flag: str
) -> tuple[str, tuple[str, ...], tuple[Mention, ...]]:
    value = raw.strip()
    if not value:
        return "", (), ()
    parsed = parse_phone(value)
    if parsed.valid:
        return parsed.value, (), (Mention(field_name, parsed, raw, None, None),)
    mentions = _cell_mentions(field_name, value)
    for mention in mentions:
        if mention.identifier.type in _PHONE_TYPES and mention.identifier.valid:
            return mention.identifier.value, (), mentions
    return "", (() if mentions else (invalid_flag,)), mentions


@lru_cache(maxsize=_CACHE_PER_CUSTOMER)
def normalise_customer_phone(raw: str) -> tuple[str, tuple[str, ...], tuple[Mention, ...]]:
    """(E.164 phone, flags, mentions) of a 联系电话 cell (``+86 138-1234-5678``, ``…678.0`` …)."""
    return _phone_cell("customer_phone", raw, FLAG_PHONE_INVALID)


@lru_cache(maxsize=_CACHE_REPEATING)
def normalise_agent_phone(raw: str) -> tuple[str, tuple[str, ...], tuple[Mention, ...]]:
    """(E.164 phone, flags, mentions) of a 代理人电话 cell: ``19915475953(微信同号)``,
    ``微信：abc_123`` (no phone, one WeChat mention) or both."""
    return _phone_cell("agent_phone", raw, FLAG_AGENT_PHONE_INVALID)


@lru_cache(maxsize=_CACHE_REPEATING)
def agent_name_mentions(value: str) -> tuple[Mention, ...]:
    return _cell_mentions("agent_name", value) if value else ()


@lru_cache(maxsize=_CACHE_REPEATING)
def demands_mentions(value: str) -> tuple[Mention, ...]:
    return _cell_mentions("demands", value) if value else ()


def text_mentions(value: str) -> tuple[Mention, ...]:
    return _cell_mentions("text", value) if value else ()


def clear_caches() -> None:
    """Forget cached cell results (they are bounded; this only frees memory sooner)."""
    for cached in (
        parse_received_at,
        parse_amount,
        normalise_id_number,
        normalise_customer_phone,
        normalise_agent_phone,
        agent_name_mentions,
        demands_mentions,
    ):
        cached.cache_clear()
