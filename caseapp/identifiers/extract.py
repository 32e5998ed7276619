"""Find identifiers in free Chinese text (complaint letters, agent columns, chat exports)."""

from __future__ import annotations

import bisect
import datetime as dt
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from caseapp.domain.enums import IdentifierType
from caseapp.identifiers import normalize as _normalize
from caseapp.identifiers.accounts import (
    parse_email,
    parse_handle,
    parse_qq,
    parse_url,
    parse_wechat,
)
from caseapp.identifiers.codes import parse_bank_card, parse_lawyer_license, parse_uscc
from caseapp.identifiers.id_card import parse_id_card
from caseapp.identifiers.model import FoundIdentifier, ParsedIdentifier, Problem
from caseapp.identifiers.normalize import fold_with_map
from caseapp.identifiers.phones import parse_phone

_T = IdentifierType

KEYWORDS: dict[IdentifierType, tuple[str, ...]] = {
    _T.WECHAT: (
        "微信号码",
        "微信账号",
        "微信帐号",
        "微信号",
        "微信ID",
        "微信",
        "威信号",
        "威信",
        "薇信",
        "徽信",
        "V信号",
        "V信",
        "加微信",
        "加微",
        "加V",
        "VX号",
        "VX",
        "WX号",
        "WX",
        "wechat",
        "weixin",
    ),
    _T.QQ: ("QQ号码", "QQ号", "QQ", "扣扣号", "扣扣", "企鹅号"),
    _T.DOUYIN: ("抖音号", "抖音ID", "抖音账号", "抖音"),
    _T.KUAISHOU: ("快手号", "快手ID", "快手账号", "快手"),
    _T.XIAOHONGSHU: ("小红书号", "小红书ID", "小红书账号", "小红书", "红书号"),
    _T.WEIBO: ("微博号", "微博ID", "微博账号", "新浪微博", "微博"),
    _T.BANK_CARD: (
        "银行卡号",
        "银行卡",
        "银行账号",
        "银行账户",
        "收款账户",
        "收款账号",
        "收款卡号",
        "收款卡",
        "对公账户",
        "卡号",
        "账号",
        "帐号",
        "账户",
        "帐户",
    ),
    _T.LAWYER_LICENSE: (
        "律师执业证号码",
        "律师执业证号",
        "律师执业证",
        "执业证号码",
        "执业证号",
        "执业证书编号",
        "执业证书号",
        "执业证书",
        "执业证",
        "律师证号",
        "律师证",
        "执业号",
    ),
    _T.ID_CARD: (
        "公民身份号码",
        "身份证号码",
        "身份证号",
        "身份证",
        "证件号码",
        "证件号",
        "身份号码",
    ),
    _T.USCC: ("统一社会信用代码", "社会信用代码", "信用代码", "统一代码", "纳税人识别号", "税号"),
}

# Between a keyword and its value: punctuation, spaces, 号/码, 是/为 ("微信号是abc123").
_SEP = r"[\s:=是为/@(\[【「<《\"'“‘号码#]{0,4}"
_PHONE = r"(?:(?:\+|00)\s?86[\s-]?|86[\s-]?)?1[3-9][0-9](?:[\s-]?[0-9]{4}){2}"
_HANDLE = r"[A-Za-z0-9][A-Za-z0-9_.-]{1,29}(?![A-Za-z0-9_])"

_VALUES: dict[IdentifierType, str] = {
    _T.WECHAT: (
        rf"{_PHONE}(?![0-9])|[A-Za-z][A-Za-z0-9_-]{{2,29}}(?![A-Za-z0-9_-])|[0-9]{{5,12}}(?![0-9])"
    ),
    _T.QQ: r"[1-9][0-9]{4,10}(?![0-9])",
    _T.DOUYIN: _HANDLE,
    _T.KUAISHOU: _HANDLE,
    _T.XIAOHONGSHU: _HANDLE,
    _T.WEIBO: _HANDLE,
    _T.BANK_CARD: r"(?:[0-9]{4}(?:[ -][0-9]{4}){2,3}(?:[ -][0-9]{1,4})?|[0-9]{12,19})(?![0-9])",
    _T.LAWYER_LICENSE: r"[0-9A-Za-z]{10,20}(?![0-9A-Za-z])",
    _T.ID_CARD: (
        r"(?:[0-9]{6}[ -]?[0-9]{8}[ -]?[0-9]{3}[0-9Xx]|[0-9]{14,17}[0-9Xx])(?![0-9A-Za-z])"
    ),
    _T.USCC: r"[0-9A-Za-z]{15,20}(?![0-9A-Za-z])",
}

# Latin words that follow a keyword without being an account ("在微信APP上", "抖音ID").
_STOPWORDS = frozenset(
    (
        "app",
        "id",
        "pay",
        "ok",
        "qq",
        "http",
        "https",
        "www",
        "vx",
        "wx",
        "wechat",
        "weixin",
        "com",
        "pc",
        "web",
        "live",
        "vip",
        "plus",
        "ios",
        "android",
        "apk",
    )
)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_KEYWORD_TYPES: dict[str, IdentifierType] = {
    word.lower(): kind for kind, words in KEYWORDS.items() for word in words
}


def _ascii_lower(text: str) -> str:
    """Lower-case ASCII letters only, keeping every offset (``str.lower`` may change lengths)."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text.translate(_ASCII_LOWER)


def _keyword_trie_pattern(words: Iterable[str]) -> str:
    """A pattern matching the longest of ``words`` at a position, as a trie of literals.

    ``words`` are lower-case; their Latin letters match either case, and a word ending in one
    must not run on into another letter. At each node the longer continuations are tried before
    ending there, so the match is the longest keyword, as with an alternation of the words
    sorted longest first; the trie only tries the keywords that share the characters read so
    far, which makes scanning a long text several times faster. Every top-level alternative
    starts with a single literal character (a Latin first letter is given in both cases), so the
    search skips fast over characters that start no keyword.
    """
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # end of a word

    def latin(ch: str) -> bool:
        return ch.isascii() and ch.isalpha()

    def emit(node: dict[str, dict], word: str) -> str:
        options: list[str] = []
        for ch, child in node.items():
            if not ch:
                continue
            rest = emit(child, word + ch)
            if not latin(ch):
                options.append(re.escape(ch) + rest)
            elif word:
                options.append(f"[{ch.upper()}{ch}]" + rest)
            else:
                options += [ch.upper() + rest, ch + rest]
        if "" in node:
            options.append(r"(?![A-Za-z])" if latin(word[-1]) else "")
        if len(options) == 1:
            return options[0]
        return "(?:" + "|".join(options) + ")"

    return emit(trie, "")


# Scanned over the folded text, where only ASCII letters lower-case to ASCII letters (folding
# has turned the Kelvin sign into K).
_KEYWORD_SCAN = re.compile(_keyword_trie_pattern(_KEYWORD_TYPES))
_VALUE_RES: dict[IdentifierType, re.Pattern[str]] = {
    kind: re.compile(rf"{_SEP}(?P<val>{value})", re.IGNORECASE | re.ASCII)
    for kind, value in _VALUES.items()
}

# Not glued to a preceding word or number ("0.138…", "6222-138…"); "……138…" is fine.
_NOT_AFTER = r"(?<![0-9A-Za-z_+])(?<![0-9][.-])"
_MOBILE_RE = re.compile(
    _NOT_AFTER + r"(?:\(?(?:\+|00)\s?86\)?[\s-]?|(?<![0-9])86[\s-]?)?"
    r"1[3-9][0-9](?:[\s-]?[0-9]{4}){2}(?:\.0+)?(?![0-9])(?!\.[0-9])",
    re.ASCII,
)
_LANDLINE_RE = re.compile(
    _NOT_AFTER + r"(?:\(?(?:\+|00)\s?86\)?[\s-]?\(?0?|\(?0)(?:10|2[0-9]|[3-9][0-9]{2})\)?[\s-]?"
    r"[1-9][0-9]{2,3}[\s-]?[0-9]{4}(?:\s?(?:转|分机|ext\.?)\s?[0-9]{1,6})?(?![0-9])",
    re.ASCII | re.IGNORECASE,
)
_SERVICE_RE = re.compile(_NOT_AFTER + r"[48]00[\s-]?[0-9]{3,4}[\s-]?[0-9]{3,4}(?![0-9])")
_ID_RE = re.compile(
    r"(?<![0-9A-Za-z])[1-9][0-9]{5}[ -]?(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])"
    r"(?:0[1-9]|[12][0-9]|3[01])[ -]?[0-9]{3}[0-9Xx](?![0-9A-Za-z])"
)
# The look-behind sits after the first character so that the search can skip ahead fast.
_USCC_RE = re.compile(
    r"[0-9A-HJ-NP-RTUWXYa-hj-np-rtuwxy](?<![0-9A-Za-z].)[0-9A-HJ-NP-RTUWXYa-hj-np-rtuwxy]{17}"
    r"(?![0-9A-Za-z])"
)
_CARD_RE = re.compile(
    _NOT_AFTER + r"(?:[0-9]{4}(?:[ -][0-9]{4}){3}(?:[ -][0-9]{1,3})?|[0-9]{16,19})"
    r"(?![0-9A-Za-z])"
)
_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,24}(?![A-Za-z0-9-])"
)
_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
_TLDS = (
    "com|cn|net|org|top|xyz|vip|cc|info|shop|site|club|online|tech|io|me|ltd|law|biz|wang|"
    "link|work|ink|store|fun|icu"
)
_URL_RE = re.compile(
    rf"(?:https?://|(?<![A-Za-z0-9@._/-])www\.){_URL_CHARS}+"
    rf"|(?<![A-Za-z0-9@._/-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+(?:{_TLDS})"
    rf"(?![A-Za-z0-9-])(?:/{_URL_CHARS}*)?",
    re.IGNORECASE,
)
_WXID_RE = re.compile(r"(?<![A-Za-z0-9_])wxid_[a-z0-9]{4,30}(?![A-Za-z0-9_])", re.IGNORECASE)
_WECHAT_SAME_AFTER = re.compile(
    r"[\s(\[【]*(?:微信同号|同微信|微信同步|微信号同|vx同号|v同号)", re.I
)
_WECHAT_SAME_BEFORE = re.compile(r"(?:微信同号|同微信|电话/微信|电话微信|手机/微信)[\s:]*$", re.I)

_URL_HINT_RE = re.compile(rf"(?i)www\.|\.(?:{_TLDS})(?![A-Za-z0-9-])")
# Together found wherever _URL_HINT_RE is, and searched much faster (a literal first character,
# no case folding). Besides ASCII letters, only İ, ı, ſ and the Kelvin sign match a letter of a
# TLD when case is ignored.
_DOT_LETTER_RE = re.compile("\\.[A-Za-z\u0130\u0131\u017f\u212a]")
_WWW_DOT_RE = re.compile(r"\.(?<=[Ww][Ww][Ww]\.)")
# Found wherever a bare number or USCC is: a USCC is 18 letters and digits in a row, and every
# number pattern below (mobile, landline, service number, ID number, card) holds at least nine
# digits, each one separated from the next by at most ")" and a space or dash. (One character
# class first, so that the search skips everything else fast.)
_LONG_RUN_RE = re.compile(r"[0-9A-Za-z](?:(?<=[0-9])(?:\)?[\s-]?[0-9]){8}|[0-9A-Za-z]{17})")
# A number-like token starts here: "(", "+" or a digit not glued to a preceding letter/digit,
# and nine digits follow with at most four brackets, "+", spaces or dashes before each (every
# number pattern below has at most three in a row up to its ninth digit). Bounded, so that a
# long run of "(" or "+" is not rescanned from each of its characters.
_NUMBER_START_RE = re.compile(
    r"[(+0-9](?<![0-9A-Za-z].)"
    r"(?:(?<=[0-9])(?=(?:[()+\s-]{0,4}[0-9]){8})|(?<=[(+])(?=(?:[()+\s-]{0,4}[0-9]){9}))"
)
_NUMBER_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("id_card", _ID_RE),
    ("bank_card", _CARD_RE),
    ("mobile", _MOBILE_RE),
    ("landline", _LANDLINE_RE),
    ("service", _SERVICE_RE),
)
_NUMBER_PARSERS: dict[str, Callable[[str], ParsedIdentifier]] = {
    "id_card": parse_id_card,
    "bank_card": parse_bank_card,
    "mobile": parse_phone,
    "landline": parse_phone,
    "service": parse_phone,
}
_NUMBER_ACCEPT: dict[str, Callable[[ParsedIdentifier], bool]] = {
    "id_card": lambda parsed: True,
    "bank_card": lambda parsed: parsed.value[0] in "23456",
    "mobile": lambda parsed: parsed.type == _T.MOBILE,
    "landline": lambda parsed: parsed.type == _T.LANDLINE,
    "service": lambda parsed: parsed.type == _T.LANDLINE,
}

# ------------------------------------------------------------------ the raw-text prefilter
#
# Most complaint texts hold no identifier at all. Whether one may hold one is decided on the
# raw text, before folding: a text that folds one character for one (the common case: only
# full-width punctuation changes) has, at each position, a character that folds to the one
# the patterns above see there. So each pattern's character classes are widened to the
# characters folding into them, and a text is searched in full only when one of the widened
# triggers is found: a keyword followed by what may start a value, a long digit or letter run
# (every number and USCC pattern needs one), "@", "://", a dot before a letter, "www.",
# "wxid_", or any character that does not fold one for one (then nothing is assumed).


def _folding_into(chars: str) -> str:
    """A regex atom for the characters that are, or fold one for one into, one of ``chars``."""
    members = _members(chars)
    if len(members) == 1:
        return re.escape(members[0])
    return "[" + "".join(re.escape(ch) for ch in members) + "]"


def _members(chars: str) -> list[str]:
    """The characters that are, or fold one for one into, one of ``chars``."""
    inverse = _folded_from()
    members = {ch for ch in chars if ch not in _normalize._FOLDS}
    for ch in chars:
        members.update(inverse.get(ch, ()))
    return sorted(members)


@lru_cache(maxsize=1)
def _folded_from() -> dict[str, list[str]]:
    inverse: dict[str, list[str]] = {}
    for raw, folded in _normalize._ONE_FOR_ONE.items():
        inverse.setdefault(folded, []).append(raw)
    return inverse


def _both_cases(ch: str) -> str:
    return ch.lower() + ch.upper() if ch.isascii() and ch.isalpha() else ch


_LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_DIGITS = "0123456789"
_UNICODE_SPACE = "".join(chr(i) for i in range(0x3001) if chr(i).isspace())
_ASCII_SPACE = " \t\n\r\x0b\x0c"


def _raw_trigger_patterns() -> tuple[str, ...]:
    """Three patterns, each starting with a literal or one class, so that searching skips
    fast over the characters that cannot start a match."""
    # A keyword, its separator, and the first character of any value pattern (see _VALUES).
    value_start = _folding_into(_DIGITS + _LATIN + "+")
    separator = _folding_into(_ASCII_SPACE + ":=是为/@([【「<《\"'“‘号码#")
    after_keyword = f"{separator}{{0,4}}{value_start}"
    trie: dict[str, dict] = {}
    for word in _KEYWORD_TYPES:
        node = trie
        for ch in word:
            node = node.setdefault(ch.lower(), {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        options = [_folding_into(_both_cases(ch)) + emit(child)
                   for ch, child in node.items() if ch]
        if "" in node:
            options.append("")
        return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"

    # Every alternative starts with a literal: the search skips to the keywords' first
    # characters. (Backtracking tries the shorter keywords when a longer one has no value.)
    keywords = "(?:" + "|".join(
        re.escape(raw) + emit(child)
        for ch, child in trie.items() for raw in _members(_both_cases(ch))) + ")" + after_keyword
    # _LONG_RUN_RE, widened.
    digit = _folding_into(_DIGITS)
    runs = (
        f"{_folding_into(_DIGITS + _LATIN)}(?:(?<={digit})(?:{_folding_into(')')}?"
        f"{_folding_into(_UNICODE_SPACE + '-')}?{digit}){{8}}"
        f"|{_folding_into(_DIGITS + _LATIN)}{{17}})"
    )
    # "@", "://", ".x", "www.", "wxid_", and characters that fold to nothing or to several
    # (offsets move: searched in full).
    rare = "".join(re.escape(ch) for ch in sorted(set(_normalize._FOLDS)
                                                     - set(_normalize._ONE_FOR_ONE)))
    rare += _normalize._ASTRAL_COMPAT
    w = _folding_into("wW")
    first = _members("@:.wW")
    others = (
        "[" + "".join(re.escape(ch) for ch in first) + rare + "]"
        f"(?:(?<=[{rare}])|(?<={_folding_into('@')})"
        f"|(?<={_folding_into(':')}){_folding_into('/')}{{2}}"
        f"|(?<={_folding_into('.')}){_folding_into(_LATIN + chr(0x130) + chr(0x131))}"
        f"|(?<={w})(?:{w}{w}{_folding_into('.')}"
        f"|{''.join(_folding_into(_both_cases(c)) for c in 'xid_')}))"
    )
    return keywords, runs, others


@lru_cache(maxsize=1)
def _raw_triggers() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern) for pattern in _raw_trigger_patterns())


def _triggers(text: str) -> tuple[bool, bool, bool]:
    """Which searches ``text`` needs: keywords, numbers and codes, the rest (e-mail, URL, wxid).

    When a character folds to several (or none), offsets move and every search is needed."""
    keywords, runs, others = _raw_triggers()
    if others.search(text) is not None:
        return True, True, True
    return keywords.search(text) is not None, runs.search(text) is not None, False


def may_hold_identifiers(text: str) -> bool:
    """False when :func:`extract_identifiers` certainly finds nothing in ``text`` (fast)."""
    return any(_triggers(text))


_HANDLE_KINDS = frozenset({_T.WECHAT, _T.DOUYIN, _T.KUAISHOU, _T.XIAOHONGSHU, _T.WEIBO})

# Lower number = stronger claim when two candidates overlap.
_PRIORITY_KEYWORD = 0
_PRIORITY: dict[str, int] = {
    "email": 1,
    "url": 2,
    "id_card": 3,
    "uscc": 4,
    "bank_card": 5,
    "mobile": 6,
    "landline": 7,
    "service": 7,
    "wxid": 8,
}


@dataclass(slots=True)
class _Candidate:
    priority: int
    start: int
    end: int
    parsed: ParsedIdentifier
    extra: dict[str, object]


# Parse results of the values found in text, per distinct value: agents' phones, WeChat ids and
# company codes recur in hundreds of complaints. Bounded; emptied when the date changes (ID
# numbers and licence years are checked against today).
_MEMO_LIMIT = 1 << 15
_memo: dict[tuple[object, str], ParsedIdentifier] = {}
_memo_day: list[object] = [dt.date.today(), time.monotonic()]


def clear_parse_cache() -> None:
    """Forget the parse results remembered for values found in text."""
    _memo.clear()


def _check_memo_day() -> None:
    now = time.monotonic()
    if now - _memo_day[1] > 30.0:
        _memo_day[1] = now
        today = dt.date.today()
        if today != _memo_day[0]:
            _memo_day[0] = today
            _memo.clear()


def _parsed(tag: object, parser: Callable[[str], ParsedIdentifier], value: str
            ) -> ParsedIdentifier:
    key = (tag, value)
    found = _memo.get(key)
    if found is None:
        if len(_memo) >= _MEMO_LIMIT:
            _memo.clear()
        found = _memo[key] = parser(value)
    return found


def _trim_url(value: str) -> str:
    """Drop trailing punctuation that belongs to the sentence, keeping balanced brackets."""
    while value and value[-1] in ".,;:!?'\"":
        value = value[:-1]
    for closing, opening in ((")", "("), ("]", "[")):
        while value.endswith(closing) and value.count(closing) > value.count(opening):
            value = value[:-1]
    return value


def _keyword_candidates(folded: str) -> list[_Candidate]:
    found: list[_Candidate] = []
    for hit in _KEYWORD_SCAN.finditer(folded):
        keyword_start = hit.start()
        keyword = hit.group()
        if keyword[0].isascii() and keyword_start > 0:
            before = folded[keyword_start - 1]
            if before.isascii() and (before.isalnum() or before in "_+/="):
                continue  # "abcvx…", base64: the Latin keyword is part of a longer token
        kind = _KEYWORD_TYPES[_ascii_lower(keyword)]
        match = _VALUE_RES[kind].match(folded, hit.end())
        if match is None:
            continue
        value = match.group("val")
        start = match.start("val")
        if kind in _HANDLE_KINDS:
            value = value.rstrip(".-")
            if not value or value.lower() in _STOPWORDS:
                continue
        parsed = _parsed(kind, _KEYWORD_VALUE_PARSERS[kind], value)
        extra: dict[str, object] = {"keyword": keyword}
        if parsed.type == _T.MOBILE and kind == _T.WECHAT:
            extra["also_wechat"] = True
        found.append(_Candidate(_PRIORITY_KEYWORD, start, start + len(value), parsed, extra))
    return found


def _parse_keyword_value(kind: IdentifierType, value: str) -> ParsedIdentifier:
    if kind == _T.WECHAT:
        compact = re.sub(r"[\s-]", "", value)
        if compact.lstrip("+").isdigit():
            phone = parse_phone(value)
            if phone.valid and phone.type == _T.MOBILE:
                return phone
        return parse_wechat(value)
    parser = _KEYWORD_PARSERS[kind]
    return parser(value)


def _handle_parser(kind: IdentifierType) -> Callable[[str], ParsedIdentifier]:
    return lambda value: parse_handle(kind, value)


_KEYWORD_PARSERS: dict[IdentifierType, Callable[[str], ParsedIdentifier]] = {
    _T.QQ: parse_qq,
    _T.DOUYIN: _handle_parser(_T.DOUYIN),
    _T.KUAISHOU: _handle_parser(_T.KUAISHOU),
    _T.XIAOHONGSHU: _handle_parser(_T.XIAOHONGSHU),
    _T.WEIBO: _handle_parser(_T.WEIBO),
    _T.BANK_CARD: parse_bank_card,
    _T.LAWYER_LICENSE: parse_lawyer_license,
    _T.ID_CARD: parse_id_card,
    _T.USCC: parse_uscc,
}
_KEYWORD_VALUE_PARSERS: dict[IdentifierType, Callable[[str], ParsedIdentifier]] = {
    kind: (lambda value, kind=kind: _parse_keyword_value(kind, value))  # type: ignore[misc]
    for kind in _VALUES
}


def _bare_candidates(folded: str, *, numbers: bool = True, others: bool = True,
                     long_run: bool | None = None) -> list[_Candidate]:
    """Candidates found by their shape; ``numbers``/``others`` False skip searches the raw-text
    prefilter has shown to find nothing (numbers and codes; e-mail, URL, wxid); ``long_run``
    True: the prefilter has found the run of digits or letters every number and code needs."""
    found: list[_Candidate] = []

    def add(label: str, start: int, end: int, parsed: ParsedIdentifier) -> None:
        found.append(_Candidate(_PRIORITY[label], start, end, parsed, {}))

    # Cheap tests first: most complaint texts hold no e-mail, URL, wxid or long number at all.
    if others and "@" in folded:
        for match in _EMAIL_RE.finditer(folded):
            parsed = _parsed("email", parse_email, match.group())
            if parsed.valid:
                add("email", match.start(), match.end(), parsed)
    if others and ("://" in folded or (
        (_DOT_LETTER_RE.search(folded) or _WWW_DOT_RE.search(folded))
        and _URL_HINT_RE.search(folded)
    )):
        for match in _URL_RE.finditer(folded):
            value = _trim_url(match.group())
            parsed = _parsed("url", parse_url, value)
            if value and parsed.valid:
                add("url", match.start(), match.start() + len(value), parsed)
    if long_run is None:
        long_run = numbers and _LONG_RUN_RE.search(folded) is not None
    if long_run:
        for match in _USCC_RE.finditer(folded):
            parsed = _parsed("uscc", parse_uscc, match.group())
            has_letter = any(ch.isalpha() for ch in parsed.value)
            if parsed.valid and (has_letter or Problem.ORG_CODE_CHECK_FAILED not in parsed.notes):
                add("uscc", match.start(), match.end(), parsed)
    if others and "_" in folded and "wxid_" in _ascii_lower(folded):
        for match in _WXID_RE.finditer(folded):
            add("wxid", match.start(), match.end(),
                _parsed("wxid", parse_wechat, match.group()))
    if not long_run:
        return found
    # Numbers: find where a number may start, then try each precise pattern there.
    for start_hit in _NUMBER_START_RE.finditer(folded):
        position = start_hit.start()
        for label, regex in _NUMBER_PATTERNS:
            number = regex.match(folded, position)
            if number is None:
                continue
            parsed = _parsed(label, _NUMBER_PARSERS[label], number.group())
            if parsed.valid and _NUMBER_ACCEPT[label](parsed):
                add(label, number.start(), number.end(), parsed)
    return found


def _select(candidates: list[_Candidate]) -> list[_Candidate]:
    """Keep the strongest candidates whose spans do not overlap, in text order."""
    ordered = sorted(candidates, key=lambda c: (c.priority, -(c.end - c.start), c.start))
    starts: list[int] = []
    ends: list[int] = []
    chosen: list[_Candidate] = []
    for candidate in ordered:
        if candidate.end <= candidate.start:
            continue
        # Chosen spans are disjoint, so sorted by start they are sorted by end too.
        i = bisect.bisect_right(starts, candidate.start)
        if (i > 0 and ends[i - 1] > candidate.start) or (
            i < len(starts) and starts[i] < candidate.end
        ):
            continue
        starts.insert(i, candidate.start)
        ends.insert(i, candidate.end)
        chosen.insert(i, candidate)
    return chosen


def _mentions_same_wechat(folded: str, start: int, end: int) -> bool:
    if _WECHAT_SAME_AFTER.match(folded, end):
        return True
    return _WECHAT_SAME_BEFORE.search(folded[max(0, start - 12) : start]) is not None


def extract_identifiers(text: str) -> list[FoundIdentifier]:
    """Identifiers in ``text``, sorted by start, non-overlapping; spans index the original text.

    The text is folded first (full-width to ASCII, dash variants to ``-``, invisible characters
    dropped) and every span is mapped back, so ``text[f.start:f.end] == f.raw``. A value led by a
    keyword (微信, QQ, 卡号, 执业证号, 身份证, 信用代码 …) is parsed as that type and reported
    even when invalid, with ``details["keyword"]``. Without a keyword only distinctive, checkable
    shapes are reported: 11-digit mobiles, landlines with an area code, 400/800 numbers,
    checksum-valid ID numbers and USCCs, Luhn-valid card numbers (16–19 digits), e-mail
    addresses, URLs and ``wxid_`` WeChat ids; never a number glued inside a longer one. A mobile
    led by a WeChat keyword, or marked ``(微信同号)``, stays a mobile with
    ``details["also_wechat"]``. When candidates overlap, keyword-led ones win, then the longer.
    """
    if not text:
        return []
    keywords, numbers, others = _triggers(text)
    if not (keywords or numbers or others):
        return []
    _check_memo_day()
    folded, index_map = fold_with_map(text)
    candidates = _keyword_candidates(folded) if keywords else []
    if numbers or others:
        # Without "others" no character folded to several: the raw run is the folded run.
        candidates += _bare_candidates(folded, numbers=numbers, others=others,
                                       long_run=True if numbers and not others else None)
    if not candidates:
        return []
    results: list[FoundIdentifier] = []
    last_end = 0
    for candidate in _select(candidates):
        start = index_map[candidate.start]
        end = index_map[candidate.end - 1] + 1
        if start < last_end:
            continue  # two candidates met inside one character that folds to several
        extra = dict(candidate.extra)
        if candidate.parsed.type == _T.MOBILE and _mentions_same_wechat(
            folded, candidate.start, candidate.end
        ):
            extra["also_wechat"] = True
        results.append(
            FoundIdentifier.from_parsed(
                candidate.parsed, raw=text[start:end], start=start, end=end, extra=extra
            )
        )
        last_end = end
    return results
