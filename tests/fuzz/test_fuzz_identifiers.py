"""Property-based fuzzing of the identifier parsers and the extractor: any text gives a result
(never an exception), spans index the text, a valid value parses again to itself, and long or
adversarial texts (the shapes that make regular expressions backtrack) finish promptly."""

from __future__ import annotations

import os
import time

import pytest
from fuzz_targets import parse_everything
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseapp.identifiers import extract_identifiers, parse_douyin
from caseapp.identifiers.normalize import fold

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))

PIECES = st.sampled_from([
    "1", "3", "8", "0", "9", "X", "x", " ", "-", "+86", "0086", "(", ")", "010", "0755", "400",
    "@", "qq.com", ".", "com", "wxid_", "http://", "https://", "www.", "a", "Z", "_", "/", "?",
    "#", "%", "：", "微信", "VX:", "QQ:", "电话", "卡号：", "6222", "9137", "E+", "1.3E+10",
    "'", "＋", "８", "\u3000", "执业证号", "身份证", "信用代码", "抖音号", "快手", "微博", "、",
    "1101011990", "0307851", "91350100M", "000100Y43", "\u200b", "…", "—",
])
texts = st.one_of(st.text(max_size=80), st.lists(PIECES, max_size=40).map("".join))


@FUZZ
@given(texts)
def test_every_parser_the_guesser_and_the_extractor(text: str) -> None:
    parse_everything(text)


# The slowest a 20,000-character text may take: a linear scan is milliseconds; a backtracking
# regular expression takes minutes on these shapes. Generous for a loaded CI machine.
LONG_TEXT_LIMIT_S = 10.0

ADVERSARIAL = [
    "1" * 20000,
    "1 " * 10000,
    "1-" * 10000,
    "+86" * 6000,
    "微信" * 10000,
    "微信：" + "a" * 20000,
    "wxid_" + "_" * 20000,
    "http://" + "a." * 10000,
    "www." * 5000,
    "a@" * 10000,
    "a" * 20000 + "@",
    "QQ" + "1" * 20000,
    "(" * 10000 + "1" * 11,
    "9" * 17 + "X" * 20000,
    "卡号：" + "6222 " * 4000,
    "1.3E+" * 4000,
    "执业证号" * 5000,
    "\u200b1" * 10000,
    "８" * 20000,
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=lambda t: repr(t[:12]))
def test_long_adversarial_texts_finish_promptly(text: str) -> None:
    started = time.perf_counter()
    found = extract_identifiers(text)
    elapsed = time.perf_counter() - started
    assert elapsed < LONG_TEXT_LIMIT_S, f"{elapsed:.1f} s for {len(text)} characters"
    for item in found:
        assert text[item.start:item.end] == item.raw
    started = time.perf_counter()
    parse_everything(text[:4000])
    assert time.perf_counter() - started < LONG_TEXT_LIMIT_S


@pytest.mark.parametrize("run", ["(", "+", "(+", "( "])
def test_a_long_run_before_a_number_is_scanned_once(run: str) -> None:
    """Regression: the number-start scan re-read a run of "(" or "+" from each of its
    characters (100,000 of them took about a minute); the run is now bounded."""
    text = run * (100_000 // len(run)) + "13812345678"
    started = time.perf_counter()
    found = extract_identifiers(text)
    assert time.perf_counter() - started < LONG_TEXT_LIMIT_S
    short = extract_identifiers(run * 3 + "13812345678")  # the same answer as for a short run
    assert [f.value for f in found] == [f.value for f in short]
    if not run.endswith("+"):  # "+138…" is not taken for a Chinese mobile
        assert [f.value for f in found] == ["+8613812345678"]


def test_folding_a_folded_text_changes_nothing() -> None:
    """Regression (found by atheris): NFKC output holding a dash variant was left unfolded, so
    "㌳" in a handle normalised to "フィート" and, entered again, to "フィ-ト"."""
    unfolded = [chr(c) for c in range(0x80, 0x10000)
                if not 0xD800 <= c <= 0xDFFF and fold(fold(chr(c))) != fold(chr(c))]
    assert unfolded == []
    parsed = parse_douyin("❻㌳ĳ簀")
    assert parsed.value == "❻フィ-トij簀" == parse_douyin(parsed.value).value
