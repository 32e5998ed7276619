"""Parse, validate and normalise identifiers (phones, ID numbers, USCC …) and find them in text."""

from caseapp.identifiers.accounts import (
    parse_douyin,
    parse_email,
    parse_handle,
    parse_kuaishou,
    parse_other,
    parse_qq,
    parse_url,
    parse_wechat,
    parse_weibo,
    parse_xiaohongshu,
)
from caseapp.identifiers.codes import (
    LAWYER_CATEGORIES,
    USCC_AUTHORITIES,
    is_uscc_shaped,
    parse_bank_card,
    parse_lawyer_license,
    parse_uscc,
    uscc_check_char,
)
from caseapp.identifiers.dispatch import guess_identifier, parse_identifier
from caseapp.identifiers.extract import KEYWORDS, extract_identifiers
from caseapp.identifiers.id_card import (
    id_card_check_char,
    parse_id_card,
    upgrade_id_card_15_to_18,
)
from caseapp.identifiers.model import FoundIdentifier, ParsedIdentifier, Problem
from caseapp.identifiers.phones import parse_landline, parse_mobile, parse_phone, phone_location
from caseapp.identifiers.regions import PROVINCES

__all__ = [
    "KEYWORDS",
    "LAWYER_CATEGORIES",
    "PROVINCES",
    "USCC_AUTHORITIES",
    "FoundIdentifier",
    "ParsedIdentifier",
    "Problem",
    "extract_identifiers",
    "guess_identifier",
    "id_card_check_char",
    "is_uscc_shaped",
    "parse_bank_card",
    "parse_douyin",
    "parse_email",
    "parse_handle",
    "parse_id_card",
    "parse_identifier",
    "parse_kuaishou",
    "parse_landline",
    "parse_lawyer_license",
    "parse_mobile",
    "parse_other",
    "parse_phone",
    "parse_qq",
    "parse_url",
    "parse_uscc",
    "parse_wechat",
    "parse_weibo",
    "parse_xiaohongshu",
    "phone_location",
    "upgrade_id_card_15_to_18",
    "uscc_check_char",
]
