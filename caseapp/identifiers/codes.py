"""Unified social credit codes (GB 32100), lawyer licence numbers and bank card numbers."""

from __future__ import annotations

import datetime as dt
import re

from stdnum import luhn
from stdnum.cn import uscc as stdnum_uscc

from caseapp.domain.enums import IdentifierType
from caseapp.identifiers.id_card import parse_id_card
from caseapp.identifiers.model import ParsedIdentifier, Problem, make_result
from caseapp.identifiers.normalize import (
    clean_value,
    is_scientific,
    strip_excel_float,
    strip_separators,
)
from caseapp.identifiers.regions import PROVINCES

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_CHARS = frozenset(USCC_ALPHABET)

# GB 32100-2015 registration authorities and the entity types each one registers.
USCC_AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": (
        "机构编制",
        {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    ),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {
            "1": "外国旅游部门常驻代表机构",
            "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
            "9": "其他",
        },
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("市场监督管理", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": (
        "农业",
        {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    ),
    "Y": ("其他", {}),
}

LAWYER_CATEGORIES: dict[str, str] = {
    "1": "专职律师",
    "2": "兼职律师",
    "3": "香港居民律师",
    "4": "澳门居民律师",
    "5": "台湾居民律师",
    "6": "公职律师",
    "7": "公司律师",
    "8": "法律援助律师",
    "9": "军队律师",
}
_EARLIEST_LICENCE_YEAR = 1980

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_code_check_char(body8: str) -> str:
    """GB 11714 check character of an organisation code (positions 9–16 of a USCC)."""
    total = sum(
        (int(ch) if ch.isdigit() else ord(ch) - 55) * w
        for ch, w in zip(body8, _ORG_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def uscc_check_char(body17: str) -> str:
    """GB 32100 check character for the first 17 characters of a USCC."""
    body = body17.upper()
    if len(body) != 17 or any(ch not in _USCC_CHARS for ch in body):
        raise ValueError("a USCC body is 17 characters of the USCC alphabet")
    return stdnum_uscc.calc_check_digit(body)


def is_uscc_shaped(value: str) -> bool:
    """18 characters laid out like a USCC (authority, type, 6-digit region, 10 code characters)."""
    value = value.upper()
    return (
        len(value) == 18
        and all(ch in _USCC_CHARS for ch in value)
        and value[0] in USCC_AUTHORITIES
        and value[2:8].isdigit()
    )


def parse_uscc(raw: str) -> ParsedIdentifier:
    """Parse a unified social credit code: upper-case, no separators, GB 32100 check character."""
    kind = IdentifierType.USCC
    cleaned = clean_value(raw)
    if not cleaned:
        return make_result(kind, raw, "", [Problem.EMPTY])
    value = strip_separators(cleaned).upper()
    if len(value) != 18:
        problem = Problem.BAD_LENGTH if value.isascii() and value.isalnum() else Problem.BAD_FORMAT
        return make_result(kind, raw, value, [problem])
    if any(ch not in _USCC_CHARS for ch in value) or not value[2:8].isdigit():
        return make_result(kind, raw, value, [Problem.BAD_FORMAT])

    problems: list[Problem] = []
    notes: list[Problem] = []
    details: dict[str, object] = {"region_code": value[2:8], "org_code": value[8:17]}
    province = PROVINCES.get(value[2:4])
    if province:
        details["province"] = province
    authority = USCC_AUTHORITIES.get(value[0])
    if authority is None:
        problems.append(Problem.BAD_REGISTRATION_AUTHORITY)
    else:
        details["registration_authority"] = value[0]
        details["registration_authority_name"] = authority[0]
        details["entity_type"] = value[1]
        if value[1] in authority[1]:
            details["entity_type_name"] = authority[1][value[1]]
        details["is_law_firm"] = value[:2] == "31"
    expected = uscc_check_char(value[:17])
    if value[17] != expected:
        problems.append(Problem.BAD_CHECKSUM)
        details["expected_check_char"] = expected
    if _org_code_check_char(value[8:16]) != value[16]:
        notes.append(Problem.ORG_CODE_CHECK_FAILED)
    return make_result(kind, raw, value, problems, details, notes)


def parse_lawyer_license(raw: str, *, today: dt.date | None = None) -> ParsedIdentifier:
    """Parse a 17-digit lawyer licence number (律师执业证号).

    Digits 1–6 region, 7–10 year first licensed, 11 category, 12 sex (0 female, 1 male),
    13–17 serial. Fake law firms print the 18-character social credit code of their (non-law-firm)
    company where a licence number belongs: an 18-character USCC, valid or just USCC-shaped, is
    invalid with USCC_AS_LAWYER_LICENSE (an ID number, with ID_CARD_AS_LAWYER_LICENSE).
    """
    kind = IdentifierType.LAWYER_LICENSE
    cleaned = clean_value(raw)
    if not cleaned:
        return make_result(kind, raw, "", [Problem.EMPTY])
    value = strip_separators(cleaned).upper()
    if len(value) == 18:
        return _eighteen_as_lawyer_license(raw, value)
    if len(value) != 17:
        problem = Problem.BAD_LENGTH if value.isascii() and value.isalnum() else Problem.BAD_FORMAT
        return make_result(kind, raw, value, [problem])
    if not (value.isascii() and value.isdigit()):
        return make_result(kind, raw, value, [Problem.BAD_FORMAT])

    problems: list[Problem] = []
    details: dict[str, object] = {"region_code": value[:6], "serial": value[12:]}
    province = PROVINCES.get(value[:2])
    if province is None:
        problems.append(Problem.UNKNOWN_REGION)
    else:
        details["province"] = province
    year = int(value[6:10])
    this_year = (today or dt.date.today()).year
    if _EARLIEST_LICENCE_YEAR <= year <= this_year:
        details["year"] = year
    else:
        problems.append(Problem.BAD_YEAR)
    category = value[10]
    if category in LAWYER_CATEGORIES:
        details["category"] = category
        details["category_name"] = LAWYER_CATEGORIES[category]
    else:
        problems.append(Problem.BAD_CATEGORY)
    if value[11] in "01":
        details["sex"] = "M" if value[11] == "1" else "F"
    else:
        problems.append(Problem.BAD_SEX_DIGIT)
    return make_result(kind, raw, value, problems, details)


def _eighteen_as_lawyer_license(raw: str, value: str) -> ParsedIdentifier:
    kind = IdentifierType.LAWYER_LICENSE
    as_uscc = parse_uscc(value)
    if as_uscc.valid or (is_uscc_shaped(value) and not value.isdigit()):
        details = {"uscc_valid": as_uscc.valid, **as_uscc.details}
        details.pop("notes", None)
        return make_result(kind, raw, value, [Problem.USCC_AS_LAWYER_LICENSE], details)
    as_id = parse_id_card(value)
    if as_id.valid:
        return make_result(kind, raw, value, [Problem.ID_CARD_AS_LAWYER_LICENSE])
    problem = Problem.BAD_LENGTH if value.isascii() and value.isalnum() else Problem.BAD_FORMAT
    return make_result(kind, raw, value, [problem])


_SCHEMES: tuple[tuple[str, str], ...] = (
    ("62", "UnionPay"),
    ("81", "UnionPay"),
    ("34", "American Express"),
    ("37", "American Express"),
    ("35", "JCB"),
    ("4", "Visa"),
    ("51", "Mastercard"),
    ("52", "Mastercard"),
    ("53", "Mastercard"),
    ("54", "Mastercard"),
    ("55", "Mastercard"),
    ("2", "Mastercard"),
)
_DIGITS_RE = re.compile(r"[0-9]+")


def parse_bank_card(raw: str) -> ParsedIdentifier:
    """Parse a bank card number: 12–19 digits after removing separators, Luhn check."""
    kind = IdentifierType.BANK_CARD
    cleaned = clean_value(raw)
    if not cleaned:
        return make_result(kind, raw, "", [Problem.EMPTY])
    if is_scientific(cleaned):
        return make_result(kind, raw, cleaned, [Problem.SCIENTIFIC_NOTATION])
    value = strip_separators(strip_excel_float(cleaned))
    if not _DIGITS_RE.fullmatch(value):
        problem = Problem.MASKED if "*" in value else Problem.BAD_FORMAT
        return make_result(kind, raw, value, [problem])
    details: dict[str, object] = {"length": len(value)}
    if not 12 <= len(value) <= 19:
        return make_result(kind, raw, value, [Problem.BAD_LENGTH], details)
    for prefix, scheme in _SCHEMES:
        if value.startswith(prefix):
            details["scheme"] = scheme
            break
    problems = [] if luhn.is_valid(value) else [Problem.BAD_CHECKSUM]
    return make_result(kind, raw, value, problems, details)
