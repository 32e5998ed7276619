"""The fast paths (bare mobiles, number blocks, plain ID numbers, folding, text scanning) give
exactly the results of the general code paths and of phonenumbers."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable, Iterator, Sequence

import phonenumbers
import pytest
from phonenumbers import carrier

from caseapp.domain.enums import IdentifierType
from caseapp.identifiers import (
    Problem,
    extract_identifiers,
    parse_id_card,
    parse_landline,
    parse_mobile,
    parse_phone,
)
from caseapp.identifiers import extract as extract_module
from caseapp.identifiers import id_card as id_card_module
from caseapp.identifiers import normalize as normalize_module
from caseapp.identifiers import phones as phones_module
from caseapp.identifiers.mobile_blocks import block_verdicts, sequences
from caseapp.identifiers.normalize import fold, fold_char, fold_with_map, strip_separators

_NEVER = re.compile(r"(?!)")


# ------------------------------------------------------------------------ references


def _reference_fold(text: str) -> str:
    return "".join(fold_char(ch) for ch in text) if not text.isascii() else text


def _reference_fold_with_map(text: str) -> tuple[str, Sequence[int]]:
    """Folding one character at a time, mapping back whenever a fold changes the length."""
    if text.isascii():
        return text, range(len(text) + 1)
    changing = normalize_module._CHANGING_RE
    pieces = [normalize_module._fold_match(m) for m in changing.finditer(text)]
    if all(len(piece) == 1 for piece in pieces):
        return changing.sub(normalize_module._fold_match, text), range(len(text) + 1)
    parts: list[str] = []
    index_map: list[int] = []
    for i, ch in enumerate(text):
        piece = ch if ch.isascii() else fold_char(ch)
        parts.append(piece)
        index_map.extend([i] * len(piece))
    index_map.append(len(text))
    return "".join(parts), index_map


def _reference_keyword_scan() -> re.Pattern[str]:
    """The keywords as a plain alternation, longest first, ignoring the case of ASCII letters."""
    words = sorted(extract_module._KEYWORD_TYPES, key=len, reverse=True)

    def alternative(word: str) -> str:
        tail = r"(?![a-z])" if word[-1].isascii() and word[-1].isalpha() else ""
        return re.escape(word) + tail

    return re.compile("|".join(alternative(w) for w in words), re.IGNORECASE | re.ASCII)


def _phonenumbers_verdict(nsn: str) -> tuple[bool, str | None]:
    number = phonenumbers.parse("+86" + nsn, None)
    return bool(phonenumbers.is_valid_number(number)), carrier.name_for_number(number, "zh")


@pytest.fixture
def general_paths(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """Call the fixture to turn every fast path off (for the rest of the test)."""

    def switch_off() -> None:
        monkeypatch.setattr(phones_module, "_FAST_MOBILE_RE", _NEVER)
        monkeypatch.setattr(
            phones_module, "_mobile_verdict", lambda nsn: phones_module._verdict("+86" + nsn)
        )
        monkeypatch.setattr(id_card_module, "_PLAIN_RE", _NEVER)
        monkeypatch.setattr(normalize_module, "fold", _reference_fold)
        monkeypatch.setattr(extract_module, "fold_with_map", _reference_fold_with_map)
        monkeypatch.setattr(extract_module, "_KEYWORD_SCAN", _reference_keyword_scan())
        monkeypatch.setattr(extract_module, "_DOT_LETTER_RE", re.compile(""))
        monkeypatch.setattr(extract_module, "_WWW_DOT_RE", re.compile(""))
        monkeypatch.setattr(extract_module, "_LONG_RUN_RE", re.compile(""))
        monkeypatch.setattr(
            extract_module, "_NUMBER_START_RE", re.compile(r"[(+0-9](?<![0-9A-Za-z].)")
        )
        monkeypatch.setattr(extract_module, "_triggers", lambda _text: (True, True, True))
        monkeypatch.setattr(extract_module, "_parsed", lambda _tag, parser, value: parser(value))

    yield switch_off


def _as_tuple(parsed: object) -> tuple[object, ...]:
    fields = ("type", "raw", "value", "valid", "problems", "start", "end")
    details = getattr(parsed, "details", {})
    return (*(getattr(parsed, f, None) for f in fields), tuple(details.items()))


# ---------------------------------------------------------------------------- mobiles


def _sample_mobiles() -> list[str]:
    rng = random.Random(20240607)
    prefixes = [f"1{d}{e}" for d in "3456789" for e in "0123456789"]
    prefixes += ["1349", "1400", "1410", "1440", "1610", "1611", "1619", "1700", "1709", "1710"]
    prefixes += [f"1740{d}" for d in "0123456789"] + ["17951", "17911", "1790", "1920", "1999"]
    numbers = []
    for prefix in prefixes:
        for _ in range(6):
            rest = "".join(rng.choice("0123456789") for _ in range(11 - len(prefix)))
            numbers.append(prefix + rest)
        numbers.append(prefix + "0" * (11 - len(prefix)))
        numbers.append(prefix + "9" * (11 - len(prefix)))
    return numbers


def test_block_table_covers_every_mobile_once() -> None:
    table = block_verdicts(phones_module._verdict)
    assert table is not None, "the metadata analysis should succeed for the pinned phonenumbers"
    assert all(not any(b != a and b.startswith(a) for b in table) for a in table)
    for second in "3456789":
        for third in "0123456789":
            head = "1" + second + third
            covering = [p for p in table if head.startswith(p) or p.startswith(head)]
            assert covering, head


def test_mobile_verdict_equals_phonenumbers() -> None:
    for nsn in _sample_mobiles():
        valid, operator = phones_module._mobile_verdict(nsn)
        expected_valid, expected_operator = _phonenumbers_verdict(nsn)
        assert valid == expected_valid, nsn
        assert (operator or "") == (expected_operator or ""), nsn
        parsed = parse_mobile(nsn)
        assert parsed.valid
        assert parsed.value == "+86" + nsn
        assert (Problem.UNASSIGNED_PREFIX in parsed.notes) == (not expected_valid), nsn
        assert parsed.details.get("carrier") == (expected_operator or None), nsn


def test_unassigned_and_assigned_neighbours() -> None:
    # Blocks that phonenumbers splits below four digits: 1740[0-5] and 1610 are assigned.
    for nsn in ("14012345678", "17406123456", "17405123456", "16101234567", "16111234567"):
        expected_valid, _ = _phonenumbers_verdict(nsn)
        assert (Problem.UNASSIGNED_PREFIX not in parse_mobile(nsn).notes) == expected_valid


_PHONE_FORMS = [
    "{n}",
    "{n}.0",
    "{n}.000",
    "+86{n}",
    "+86 {n}",
    "+86-{n}",
    "0086{n}",
    "0086 {n}",
    "86{n}",
    "86 {n}",
    "86-{n}",
    "{a} {b} {c}",
    "{a}-{b}-{c}",
    "+86 {a}-{b}-{c}",
    "+86 {a} {b} {c}",
    "0086-{a}-{b}-{c}",
    "'{n}",
    "'+86{n}",
    "'{n}.0",
    "  {n}\t",
    "\t{a} {b} {c} ",
    # Shapes that must take the general path.
    "{a} {b} {c}.0",
    "+86 {n}.0",
    "86 {n}.0",
    "+860{n}",
    "0{n}",
    "' {n}",
    "{n}'",
    "{a}--{b}-{c}",
    "{a}  {b}  {c}",
    "{a}.{b}.{c}",
    "(+86){n}",
    "{n}\n",
    "{n}\u3000",
    "１{n}",
    "{n}转12",
    "手机:{n}",
    "{n}0",
    "{n}.5",
    "+{n}",
    "00{n}",
]


@pytest.mark.parametrize("form", _PHONE_FORMS)
def test_fast_phone_path_equals_general_path(form: str, general_paths: Callable[[], None]) -> None:
    raws = []
    for n in ("13812345678", "14012345678", "17406123456", "19915475953", "1381234567"):
        raws.append(form.format(n=n, a=n[:3], b=n[3:7], c=n[7:]))
    parsers = (parse_phone, parse_mobile, parse_landline)
    fast = [_as_tuple(parser(raw)) for raw in raws for parser in parsers]
    general_paths()
    general = [_as_tuple(parser(raw)) for raw in raws for parser in parsers]
    assert fast == general


def test_phones_without_block_table(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = [_as_tuple(parse_phone(n)) for n in _sample_mobiles()[:60]]
    monkeypatch.setattr(phones_module, "_mobile_blocks", lambda: None)
    assert [_as_tuple(parse_phone(n)) for n in _sample_mobiles()[:60]] == expected


def test_pattern_sequences() -> None:
    digits = frozenset("0123456789")
    allowed = (digits,) * 4
    found = sequences(r"1(?:2[0-3]|4)\d?", allowed)
    assert found == {
        (frozenset("1"), frozenset("2"), frozenset("0123")),
        (frozenset("1"), frozenset("2"), frozenset("0123"), digits),
        (frozenset("1"), frozenset("4")),
        (frozenset("1"), frozenset("4"), digits),
    }
    with pytest.raises(Exception, match="pattern item"):
        sequences(r"(?=1)1", allowed)


# ------------------------------------------------------------------------- ID numbers


def _id_variants() -> list[str]:
    bodies = ["11010119900307123", "44030519851231000", "99000019900101123", "11010119001301123"]
    bodies += ["51010419900420128", "71000019491001456", "82000020000229123", "83000018991231123"]
    values: list[str] = []
    for body in bodies:
        good = body + id_card_module.id_card_check_char(body)
        bad = body + ("1" if good[-1] != "1" else "2")
        for number in (good, bad, good[:15], good[:17], good + "1", good[:14] + "x"):
            values += [number, number.lower(), "'" + number, f" {number}\t", "' " + number]
            values += [f"{number[:6]} {number[6:14]} {number[14:]}", number + "'"]
    return values


def test_fast_id_path_equals_general_path(general_paths: Callable[[], None]) -> None:
    today = dt.date(2025, 1, 1)
    values = _id_variants()
    fast = [_as_tuple(parse_id_card(v, today=today)) for v in values]
    general_paths()
    assert [_as_tuple(parse_id_card(v, today=today)) for v in values] == fast


@pytest.mark.parametrize(
    ("value", "separators"),
    [
        ("1 2-3", " -"),
        ("abc", " -"),
        ("12\u300034\u00a05\x1c6", " -"),
        ("(010) 1234.5678·", " -()./·"),
        ("a]b^c\\d", "]^\\"),
        ("", " -"),
    ],
)
def test_strip_separators(value: str, separators: str) -> None:
    expected = "".join(ch for ch in value if ch not in separators and not ch.isspace())
    assert strip_separators(value, separators) == expected


# ---------------------------------------------------------------------------- folding

_TRICKY_TEXTS = [
    "客户称，微信：ａｂｃ＿１２３；电话（０２１）１２３４５６７８！",
    "㌀ー号码１３８—１２３４—５６７８",
    "ﬁle ① ² ㎏ 𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖 🄐",
    "a\u200bb\u00adc\ufeff",
    "⁻₋‑﹘ｰ",
    "全角　空格，ＱＱ号：１２３４５６７８",
    "plain ascii 13812345678",
    "纯中文文本没有任何标识",
]


@pytest.mark.parametrize("text", _TRICKY_TEXTS)
def test_fold_equals_reference(text: str) -> None:
    assert fold(text) == _reference_fold(text)
    folded, index_map = fold_with_map(text)
    expected, expected_map = _reference_fold_with_map(text)
    assert folded == expected
    assert list(index_map) == list(expected_map)


def test_fold_every_changing_character() -> None:
    for ch in normalize_module._FOLDS:
        text = f"中{ch}，{ch}x"
        assert fold(text) == _reference_fold(text), repr(ch)
        folded, index_map = fold_with_map(text)
        expected, expected_map = _reference_fold_with_map(text)
        assert (folded, list(index_map)) == (expected, list(expected_map)), repr(ch)


def test_fold_characters_whose_fold_folds_again() -> None:
    # "㌀" folds to "アパート", whose "ー" is itself folded to "-" where it stands alone.
    for ch, folded in normalize_module._FOLDS.items():
        again = "".join(c for c in folded if c in normalize_module._FOLDS)
        if again:
            for text in (ch + again, again + ch, f"，{ch}{again}{ch}"):
                assert fold(text) == _reference_fold(text), repr(text)
                assert fold_with_map(text)[0] == _reference_fold_with_map(text)[0], repr(text)


# ------------------------------------------------------------------------- extraction


def _fuzz_texts(count: int) -> list[str]:
    rng = random.Random(7)
    fragments = [
        *extract_module._KEYWORD_TYPES,
        *("微", "信", "V", "v", "X", "x", "Q", "q", "I", "D", "wx", "WeChat", "WEIXIN", "加", "号"),
        *("码", "是", ":", "：", " ", "-", "—", "(", ")", "（", "）", "+", ".", "@", "_", "/", "="),
        *("13812345678", "138 1234 5678", "+86 138-1234-5678", "１３８１２３４５６７８", "0"),
        *("110101199003071234", "11010119900307123X", "6222021234567890123", "9145010264043101X5"),
        *("010-12345678", "(0755)1234567", "400-123-4567", "95588", "12345", "2024-07-01 10:09"),
        *("wxid_abcd1234", "test@example.com", "www.example.cn", "http://a.cn/x?y=1"),
        *("ｗｗｗ．ａ．ｃｎ", "ｔｅｓｔ＠ｅｘａｍｐｌｅ．ｃｏｍ"),
        *("ﬁ", "㌀", "\u200b", "①", "İ", "ı", "K", "ſ", "abc", "ABC", "2024", "年", "元", "。"),
        *("微信同号", "(微信同号)", "电话/微信", "执业证号", "14401201010123456", "13943.27"),
    ]
    return ["".join(rng.choice(fragments) for _ in range(rng.randint(1, 14))) for _ in range(count)]


_TRICKY_EXTRACTION = [
    *_TRICKY_TEXTS,
    "请联系微信ＶＸ：ａｂｃ＿１２３或者QQ12345678，电话13812345678(微信同号)。",
    "加V：wxid_abc123def，vx号abc-def，WX:Abc_Def，WeChat：user.name，weixinabc",
    "abcvx12345678 base64+vx123 /wx456 =qq789",
    "身份证号码：１１０１０１１９９００３０７１２３Ｘ，"
    "卡号６２２２ ０２１２ ３４５６ ７８９０ １２３",
    "统一社会信用代码：９１４５０１０２６４０４３１０１Ｘ５，执业证号14401201010123456",
    "网址 http://example.com/a?b=(1)). 和 www.ＥＸＡＭＰＬＥ.cn/path, 以及 shop.ınfo 与 a.ſhop",
    "邮箱：ｔｅｓｔ＠ｅｘａｍｐｌｅ．ｃｏｍ；座机（０２１）６１２３ ４５６７转８８",
    "+86 (0)10 1234 5678; 0086-138-1234-5678; 86 13812345678; 400 800 1234",
    "金额13943.27元，2024-07-01 10:09:37，编号123456789012，0.13812345678",
    "见shop.ınfo，",
    "见a.İnfo或WWW.x，",
    "见x.ſhop与Ｘ．ＫＫ",
]


@pytest.mark.parametrize("text", _TRICKY_EXTRACTION)
def test_extraction_equals_general_path(text: str, general_paths: Callable[[], None]) -> None:
    fast = [_as_tuple(found) for found in extract_identifiers(text)]
    general_paths()
    assert [_as_tuple(found) for found in extract_identifiers(text)] == fast


def test_extraction_fuzz_equals_general_path(general_paths: Callable[[], None]) -> None:
    texts = _fuzz_texts(1500)
    fast = [[_as_tuple(found) for found in extract_identifiers(t)] for t in texts]
    general_paths()
    general = [[_as_tuple(found) for found in extract_identifiers(t)] for t in texts]
    for text, a, b in zip(texts, fast, general, strict=True):
        assert a == b, text


def _prefilter_texts() -> list[str]:
    rng = random.Random(11)
    pieces = [
        *_fuzz_texts(1), "账户", "微信", "身份证号", "银行卡", "：", "，", "（", "）", "。",
        "2024年7月1日", "17000.43元", "12378", "第3期", "a", "Z", "ｖｘ", "Ｖ信", "\u3000", "－",
        "‐", "⁃", "．", "＠", "／", "ｗ", "Ｗ", "ｘｉｄ＿", "8", "１", "①", "\u00a0",
    ]
    texts = [*_TRICKY_EXTRACTION, *_fuzz_texts(4000)]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))) for _ in range(4000)]
    return texts


def test_prefilter_never_hides_an_identifier(general_paths: Callable[[], None]) -> None:
    texts = _prefilter_texts()
    fast = [[_as_tuple(found) for found in extract_identifiers(t)] for t in texts]
    triggers = [extract_module._triggers(t) for t in texts]
    long_run = extract_module._LONG_RUN_RE
    general_paths()
    assert sum(not any(t) for t in triggers) > 1000  # the prefilter does skip texts
    assert sum(t == (True, False, False) for t in triggers) > 100
    assert sum(t == (False, True, False) for t in triggers) > 100
    for text, found, (keywords, numbers, others) in zip(texts, fast, triggers, strict=True):
        assert [_as_tuple(f) for f in extract_identifiers(text)] == found, text
        folded = fold(text)
        if not keywords:
            assert extract_module._keyword_candidates(folded) == [], text
        if not numbers:
            assert long_run.search(folded) is None, text
        elif not others:  # the raw run is then exactly the folded run
            assert long_run.search(folded) is not None, text
        if not others:
            assert extract_module._bare_candidates(folded, numbers=False) == [], text


def test_prefilter_skips_plain_complaint_text() -> None:
    assert not extract_module.may_hold_identifiers(
        "本人在中信银行的信用卡账户于2024年7月1日逾期，欠款17000.43元（含利息），请核实。")
    assert extract_module.may_hold_identifiers("请加微信：abc123")
    assert extract_module.may_hold_identifiers("电话１３８１２３４５６７８")
    assert extract_module.may_hold_identifiers("见ﬁle")  # folds to two characters


def test_parse_cache_is_emptied_when_the_date_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    extract_module.clear_parse_cache()
    first = extract_identifiers("身份证号110101199003071234")
    assert extract_module._memo
    assert extract_identifiers("身份证号110101199003071234") == first
    monkeypatch.setattr(extract_module, "_memo_day", [dt.date(2000, 1, 1), -1e9])
    extract_identifiers("微信abc123")
    assert ("id_card", "110101199003071234") not in extract_module._memo


def test_keyword_trie_equals_alternation() -> None:
    reference = _reference_keyword_scan()
    for text in _fuzz_texts(3000):
        folded = fold(text)
        expected = [m.span() for m in reference.finditer(folded)]
        assert [m.span() for m in extract_module._KEYWORD_SCAN.finditer(folded)] == expected, text
        # The same as scanning the ASCII-lower-cased text for the lower-case keywords.
        lowered = extract_module._ascii_lower(folded)
        assert [m.span() for m in reference.finditer(lowered)] == expected, text


def test_mobile_found_in_text_is_a_mobile() -> None:
    found = extract_identifiers("联系人：１３８１２３４５６７８（微信同号）")
    assert [f.type for f in found] == [IdentifierType.MOBILE]
    assert found[0].value == "+8613812345678"
    assert found[0].details.get("also_wechat") is True
