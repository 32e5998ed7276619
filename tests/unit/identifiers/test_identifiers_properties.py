"""Property tests: parsers and the extractor never raise; generated valid values round-trip."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from caseapp.domain.enums import IdentifierType
from caseapp.identifiers import (
    PROVINCES,
    ParsedIdentifier,
    extract_identifiers,
    guess_identifier,
    parse_id_card,
    parse_identifier,
    parse_mobile,
    upgrade_id_card_15_to_18,
)

FAST = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

# Characters that matter to the parsers, mixed with arbitrary text.
_INTERESTING = [
    *"0123456789０１２３+-() .:：xX*@/_'Ee\u200b—…㎏①",
    *("微信", "VX", "QQ", "卡号", "执业证号", "身份证", "信用代码", "wxid_", "www.", ".com", "86"),
]
texts = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(_INTERESTING), max_size=40).map("".join),
)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_char(body17: str) -> str:
    total = sum(int(d) * w for d, w in zip(body17, _WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


@st.composite
def id_numbers(draw: st.DrawFn) -> tuple[str, dt.date, str]:
    province = draw(st.sampled_from(sorted(PROVINCES)))
    county = draw(st.integers(0, 9999))
    birth = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date.today()))
    serial = draw(st.integers(0, 999))
    body = f"{province}{county:04d}{birth:%Y%m%d}{serial:03d}"
    return body + check_char(body), birth, "M" if serial % 2 else "F"


@FAST
@given(kind=st.sampled_from(list(IdentifierType)), raw=texts)
def test_parse_identifier_never_raises(kind: IdentifierType, raw: str) -> None:
    parsed = parse_identifier(kind, raw)
    assert isinstance(parsed, ParsedIdentifier)
    assert parsed.type == kind
    assert parsed.raw == raw
    assert parsed.valid == (parsed.problems == ())
    hash(parsed)


@FAST
@given(raw=texts)
def test_guess_identifier_never_raises(raw: str) -> None:
    guessed = guess_identifier(raw)
    assert guessed is None or isinstance(guessed, ParsedIdentifier)


@FAST
@given(text=texts)
def test_extract_identifiers_spans(text: str) -> None:
    found = extract_identifiers(text)
    last_end = 0
    for item in found:
        assert last_end <= item.start < item.end <= len(text)
        assert text[item.start : item.end] == item.raw
        last_end = item.end


@FAST
@given(prefix=texts, suffix=texts, number=id_numbers())
def test_extract_finds_an_embedded_id_number(
    prefix: str, suffix: str, number: tuple[str, dt.date, str]
) -> None:
    value = number[0]
    text = f"{prefix}身份证号：{value}。{suffix}"
    hits = [f for f in extract_identifiers(text) if f.value == value]
    assert len(hits) == 1
    assert hits[0].raw == value


@FAST
@given(number=id_numbers())
def test_generated_id_numbers_round_trip(number: tuple[str, dt.date, str]) -> None:
    value, birth, sex = number
    parsed = parse_id_card(value)
    assert parsed.valid, parsed.problems
    assert parsed.value == value
    assert parsed.details["birth_date"] == birth
    assert parsed.details["sex"] == sex


@FAST
@given(number=id_numbers())
def test_15_digit_form_upgrades_to_the_same_number(number: tuple[str, dt.date, str]) -> None:
    value, birth, _sex = number
    assume(1900 <= birth.year <= 1999)
    legacy = value[:6] + value[8:17]
    assert upgrade_id_card_15_to_18(legacy) == value
    assert parse_id_card(legacy).value == value


@FAST
@given(
    prefix=st.sampled_from(["13", "15", "17", "18", "19", "14", "16"]),
    rest=st.text(alphabet="0123456789", min_size=9, max_size=9),
    layout=st.sampled_from(["{}", "{} ", "+86 {}", "0086{}", "{}.0"]),
)
def test_any_cn_mobile_shape_is_a_valid_mobile(prefix: str, rest: str, layout: str) -> None:
    digits = prefix + rest
    parsed = parse_mobile(layout.format(digits))
    assert parsed.valid
    assert parsed.value == "+86" + digits
