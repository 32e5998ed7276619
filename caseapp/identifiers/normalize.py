"""Text folding (full-width to ASCII, dash variants, invisible characters) with an offset map."""

from __future__ import annotations

import re
import unicodedata

# Dash-like characters that NFKC leaves alone but people type inside numbers.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\u30fc\uff70"
# Characters that are invisible and sometimes inserted to defeat keyword filters.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"

_FOLD_CACHE: dict[str, str] = {}

SCIENTIFIC_RE = re.compile(r"[+-]?\d+(?:\.\d+)?[eE][+-]?\d+", re.ASCII)
EXCEL_FLOAT_RE = re.compile(r"(\+?\d+)\.0+", re.ASCII)
_QUOTES = "'\"`‘’“”"


def fold_char(ch: str) -> str:
    """Fold one character: NFKC, dash variants to ``-``, invisible characters removed."""
    folded = _FOLD_CACHE.get(ch)
    if folded is None:
        if ch in _INVISIBLE:
            folded = ""
        elif ch in _DASHES:
            folded = "-"
        else:
            folded = unicodedata.normalize("NFKC", ch)
        if len(_FOLD_CACHE) < 65536:
            _FOLD_CACHE[ch] = folded
    return folded


def fold(text: str) -> str:
    """Fold a whole string (see :func:`fold_char`)."""
    if text.isascii():
        return text
    return "".join(fold_char(ch) for ch in text)


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` and return, for each folded character, the index of its source character.

    The map has one extra entry, ``len(text)``, so that a folded span ``[a, b)`` maps back to
    ``[index_map[a], index_map[b - 1] + 1)`` in the original text.
    """
    parts: list[str] = []
    index_map: list[int] = []
    for i, ch in enumerate(text):
        folded = ch if ch.isascii() else fold_char(ch)
        if folded:
            parts.append(folded)
            index_map.extend([i] * len(folded))
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
    return "".join(ch for ch in value if ch not in separators and not ch.isspace())


def is_scientific(value: str) -> bool:
    """True for Excel's scientific rendering of a long number (``1.38123E+10``)."""
    return SCIENTIFIC_RE.fullmatch(value.replace(" ", "")) is not None


def strip_excel_float(value: str) -> str:
    """``13812345678.0`` -> ``13812345678`` (a number that went through a float column)."""
    match = EXCEL_FLOAT_RE.fullmatch(value)
    return match.group(1) if match else value
