"""Folding of full-width and look-alike characters, with the map back to original offsets."""

from __future__ import annotations

import pytest

from caseapp.identifiers.normalize import (
    clean_value,
    fold,
    fold_with_map,
    is_scientific,
    strip_excel_float,
)


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("１３８", "138"),
        ("ＶＸ：", "VX:"),
        ("（０２１）", "(021)"),
        ("138—1234–5678", "138-1234-5678"),
        ("a\u200bb", "ab"),
        ("\u3000", " "),
        ("微信", "微信"),
        ("ascii only", "ascii only"),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_identity_map_when_nothing_shifts() -> None:
    text = "电话：１３８"
    folded, index_map = fold_with_map(text)
    assert folded == "电话:138"
    assert list(index_map) == list(range(len(text) + 1))


def test_map_with_expanding_and_vanishing_characters() -> None:
    text = "a…b\u200bc㎏"
    folded, index_map = fold_with_map(text)
    assert folded == "a...bckg"
    assert list(index_map) == [0, 1, 1, 1, 2, 4, 5, 5, 6]
    for i, ch in enumerate(folded):
        assert ch in fold(text[index_map[i]])


def test_clean_value_strips_excel_quotes() -> None:
    assert clean_value(" '13812345678 ") == "13812345678"
    assert clean_value("“abc”") == "abc"


def test_excel_helpers() -> None:
    assert is_scientific("1.38123E+10")
    assert is_scientific("4.40304e17")
    assert not is_scientific("13812345678")
    assert strip_excel_float("13812345678.0") == "13812345678"
    assert strip_excel_float("8153.70") == "8153.70"
