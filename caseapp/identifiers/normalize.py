"""Text folding (full-width to ASCII, dash variants, invisible characters) with an offset map."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

# Dash-like characters that NFKC leaves alone but people type inside numbers.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\u30fc\uff70"
# Characters that are invisible and sometimes inserted to defeat keyword filters.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"

# Astral-plane blocks with compatibility forms (mathematical letters and digits, enclosed and
# CJK compatibility characters); the BMP is scanned exhaustively below.
_ASTRAL_COMPAT = "\U0001d400-\U0001d7ff\U0001f100-\U0001f1ff\U0002f800-\U0002fa1f"

SCIENTIFIC_RE = re.compile(r"[+-]?\d+(?:\.\d+)?[eE][+-]?\d+", re.ASCII)
EXCEL_FLOAT_RE = re.compile(r"(\+?\d+)\.0+", re.ASCII)
_QUOTES = "'\"`‘’“”"


def fold_char(ch: str) -> str:
    """Fold one character: NFKC, dash variants to ``-``, invisible characters removed."""
    if ch in _INVISIBLE:
        return ""
    if ch in _DASHES:
        return "-"
    folded = unicodedata.normalize("NFKC", ch)
    if folded != ch:
        # NFKC output may hold a dash variant ("㌳" gives "フィート", "⁻" gives "−"): fold it
        # too, so that folding a folded text changes nothing.
        folded = "".join("-" if c in _DASHES else c for c in folded if c not in _INVISIBLE)
    return folded


def _changing_characters() -> tuple[dict[str, str], re.Pattern[str]]:
    """Every BMP character that folds to something else, and a pattern matching them."""
    table: dict[str, str] = {}
    for code in range(0x80, 0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        folded = fold_char(ch)
        if folded != ch:
            table[ch] = folded
    char_class = "".join(re.escape(ch) for ch in table) + _ASTRAL_COMPAT
    return table, re.compile(f"[{char_class}]")


_FOLDS, _CHANGING_RE = _changing_characters()
# Folds that can be applied one character at a time with str.replace, in any order: their result
# holds no character that folds again (NFKC output may: ``㌀`` gives ``ー``, itself a dash).
_REPLACEABLE = {ch: folded for ch, folded in _FOLDS.items() if not any(c in _FOLDS for c in folded)}
# Of those, the folds that keep offsets: exactly one character for one.
_ONE_FOR_ONE = {ch: folded for ch, folded in _REPLACEABLE.items() if len(folded) == 1}
_REPLACEABLE_CHARS = frozenset(_REPLACEABLE)
_ONE_FOR_ONE_CHARS = frozenset(_ONE_FOR_ONE)


def _fold_match(match: re.Match[str]) -> str:
    ch = match.group()
    folded = _FOLDS.get(ch)
    return fold_char(ch) if folded is None else folded


def fold(text: str) -> str:
    """Fold a whole string (see :func:`fold_char`)."""
    if text.isascii():
        return text
    changing = set(_CHANGING_RE.findall(text))
    if changing <= _REPLACEABLE_CHARS:
        # A few distinct characters (full-width punctuation …) in a long text: str.replace each.
        for ch in changing:
            text = text.replace(ch, _REPLACEABLE[ch])
        return text
    return _CHANGING_RE.sub(_fold_match, text)


def fold_with_map(text: str) -> tuple[str, Sequence[int]]:
    """Fold ``text`` and return, for each folded character, the index of its source character.

    The map has one extra entry, ``len(text)``, so that a folded span ``[a, b)`` maps back to
    ``[index_map[a], index_map[b - 1] + 1)`` in the original text.
    """
    if text.isascii():
        return text, range(len(text) + 1)
    changing = set(_CHANGING_RE.findall(text))
    if changing <= _ONE_FOR_ONE_CHARS:
        # Full-width forms, CJK punctuation, dash variants: one character each, offsets kept.
        for ch in changing:
            text = text.replace(ch, _ONE_FOR_ONE[ch])
        return text, range(len(text) + 1)
    shifted = False

    def replace(match: re.Match[str]) -> str:
        nonlocal shifted
        folded = _fold_match(match)
        if len(folded) != 1:
            shifted = True
        return folded

    folded = _CHANGING_RE.sub(replace, text)
    if not shifted:
        return folded, range(len(text) + 1)
    parts: list[str] = []
    index_map: list[int] = []
    for i, ch in enumerate(text):
        piece = ch if ch.isascii() else fold_char(ch)
        if piece:
            parts.append(piece)
            index_map.extend([i] * len(piece))
    index_map.append(len(text))
    return "".join(parts), index_map


def clean_value(raw: str) -> str:
    """Fold, trim whitespace and the quote Excel users type to keep a number as text."""
    value = fold(raw).strip()
    while value and value[0] in _QUOTES:
        value = value[1:].lstrip()
    while value and value[-1] in _QUOTES:
        value = value[:-1].rstrip()
    return value


def strip_separators(value: str, separators: str = " -") -> str:
    """Remove every character of ``separators`` (and any whitespace) from ``value``."""
    if value.isascii() and value.isalnum():
        return value
    # ``\s`` in a str pattern is exactly str.isspace().
    return _separators_re(separators).sub("", value)


@lru_cache(maxsize=16)
def _separators_re(separators: str) -> re.Pattern[str]:
    return re.compile("[\\s" + "".join(re.escape(ch) for ch in separators) + "]")


def is_scientific(value: str) -> bool:
    """True for Excel's scientific rendering of a long number (``1.38123E+10``)."""
    return SCIENTIFIC_RE.fullmatch(value.replace(" ", "")) is not None


def strip_excel_float(value: str) -> str:
    """``13812345678.0`` -> ``13812345678`` (a number that went through a float column)."""
    match = EXCEL_FLOAT_RE.fullmatch(value)
    return match.group(1) if match else value
