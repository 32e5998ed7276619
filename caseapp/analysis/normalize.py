"""Complaint text normalisation for similarity: one vectorised pass over a batch of texts.

What two complaints share is their wording, so what differs between two fillings of one template
is folded away: NFKC (full-width to half-width), case, runs of digits (amounts, dates, ID and
phone numbers become one ``0``) and the masks of the CFPB export (``XXXX``, ``XX/XX/XXXX``,
``{$…}``). Chinese text keeps only its wording: punctuation and white space are removed.
Latin-script text keeps its punctuation and one space for every run of white space: words need
separating there, and two English letters that differ only in punctuation are different letters.
Each text is Chinese or Latin by the characters it holds (``Script.AUTO``) unless forced.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

import numpy as np
import numpy.typing as npt

from caseapp.analysis.arrays import unique_sorted

# Character flags (bits of the lookup table).
KEEP = 1  # a letter, ideograph, mark or non-decimal number: part of the wording
DIGIT = 2  # a decimal digit: masked
CJK = 4  # a character of a script written without spaces (Han, kana, Hangul)
LATIN = 8  # a Latin letter
WHITE = 16  # white space
MARK = 32  # punctuation or a symbol

MASK_CHAR = "0"
_MASK = ord(MASK_CHAR)
_SPACE = 0x20
_DOC_SEP = 0  # texts are joined on NUL; NUL inside a text is turned into a space first

# Masks of the CFPB export, matched case-sensitively before folding.
_CFPB_MASK_RE = re.compile(r"(?<![A-Za-z])X{2,}(?:[/-]X{2,})*(?![A-Za-z])|\{\$[^{}\x00]*\}")
# Characters that NFKC may change and that the vectorised pass does not fold itself: everything
# outside ASCII, CJK punctuation, unified ideographs, general punctuation and the full-width
# ASCII block. The optional ASCII letter in front lets a combining mark compose with its base.
_NEEDS_NFKC_RE = re.compile(
    "[A-Za-z]?[^\x00-\x7f\u3001-\u3037\u4e00-\u9fff\uff01-\uff5e\u2010-\u2027\u2030-\u205e]+"
)
# Separators that belong to a number when they stand between two digits (1,234.50 2025-03-04).
_NUMBER_INNER = np.array([ord(c) for c in ".,:/-"], dtype=np.uint32)


class Script(StrEnum):
    """How a text is shingled: Chinese-like (no word spaces) or Latin-like (words)."""

    AUTO = "auto"
    CJK = "cjk"
    LATIN = "latin"


@dataclass(frozen=True, eq=False)
class NormalisedBatch:
    """Normalised texts as one array of code points with per-text offsets."""

    codes: npt.NDArray[np.uint32]
    offsets: npt.NDArray[np.int64]  # len(texts) + 1
    latin: npt.NDArray[np.bool_]  # True where the text was treated as Latin-script

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def lengths(self) -> npt.NDArray[np.int64]:
        return np.diff(self.offsets)

    def text(self, index: int) -> str:
        start, end = self.offsets[index], self.offsets[index + 1]
        return self.codes[start:end].tobytes().decode("utf-32-le")


@cache
def _bmp_flags() -> npt.NDArray[np.uint8]:
    flags = np.zeros(0x10000, dtype=np.uint8)
    for code in range(0x10000):
        flags[code] = _flags_of(code)
    return flags


def _flags_of(code: int) -> int:
    if 0xD800 <= code <= 0xDFFF:
        return 0
    ch = chr(code)
    category = unicodedata.category(ch)
    major = category[0]
    if category == "Nd":
        return DIGIT
    if ch.isspace():
        return WHITE
    if major in "PS":
        return MARK
    if major not in "LMN":
        return 0
    flag = KEEP
    if major == "L" and _is_cjk(code):
        flag |= CJK
    elif major == "L" and ("a" <= ch.lower() <= "z" or 0xC0 <= code <= 0x24F):
        flag |= LATIN
    return flag


def _is_cjk(code: int) -> bool:
    return (
        0x2E80 <= code <= 0x2FDF  # radicals
        or 0x3040 <= code <= 0x30FF  # kana
        or 0x3100 <= code <= 0x31FF  # bopomofo, kana extensions
        or 0x3400 <= code <= 0x4DBF  # extension A
        or 0x4E00 <= code <= 0x9FFF  # unified ideographs
        or 0xAC00 <= code <= 0xD7AF  # Hangul
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0x20000 <= code <= 0x3FFFF  # extensions B and later
    )


def _flags_for(codes: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint8]:
    table = _bmp_flags()
    flags = table[np.minimum(codes, 0xFFFF)]
    astral = np.flatnonzero(codes > 0xFFFF)
    if len(astral):
        values, inverse = np.unique(codes[astral], return_inverse=True)  # few values
        astral_flags = np.array([_flags_of(int(v)) for v in values], dtype=np.uint8)
        flags[astral] = astral_flags[inverse]
    return flags


def _nfkc(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", match.group())


def _safe_table() -> npt.NDArray[np.bool_]:
    safe = np.zeros(0x10000, dtype=np.bool_)
    for start, end in _NFKC_SAFE:
        safe[start : end + 1] = True
    return safe


# Code point ranges NFKC leaves alone or the vectorised pass folds itself (see _NEEDS_NFKC_RE).
_NFKC_SAFE = (
    (0x00, 0x7F),
    (0x3001, 0x3037),
    (0x4E00, 0x9FFF),
    (0xFF01, 0xFF5E),
    (0x2010, 0x2027),
    (0x2030, 0x205E),
)
_SAFE = _safe_table()


def _encode(text: str) -> npt.NDArray[np.uint32]:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).copy()


def _prepare(texts: Sequence[str]) -> npt.NDArray[np.uint32]:
    """Masks stripped, NFKC where needed, lower case: code points with NUL after every text."""
    parts = [t.replace("\x00", " ") if "\x00" in t else t for t in texts]
    if any("XX" in t or "{$" in t for t in parts):
        parts = [_CFPB_MASK_RE.sub(" ", t) if "XX" in t or "{$" in t else t for t in parts]
    # A separator after every text, the last one included: no array below is ever empty.
    codes = _encode("\x00".join(parts).lower() + "\x00")
    unsafe = np.flatnonzero(~_SAFE[np.minimum(codes, 0xFFFF)] | (codes > 0xFFFF))
    if len(unsafe):
        docs = unique_sorted(np.cumsum(codes == _DOC_SEP)[unsafe])
        for i in docs.tolist():
            parts[i] = _NEEDS_NFKC_RE.sub(_nfkc, parts[i])
        codes = _encode("\x00".join(parts).lower() + "\x00")
    return codes


def normalise_batch(texts: Sequence[str], script: Script | str = Script.AUTO) -> NormalisedBatch:
    """Normalise ``texts`` in one vectorised pass (see the module docstring)."""
    script = Script(script)
    n = len(texts)
    if n == 0:
        return NormalisedBatch(np.zeros(0, np.uint32), np.zeros(1, np.int64), np.zeros(0, np.bool_))
    codes = _prepare(texts)
    full_width = (codes >= 0xFF01) & (codes <= 0xFF5E)
    codes[full_width] -= 0xFEE0
    codes[codes == 0x3000] = _SPACE
    sep = codes == _DOC_SEP
    doc = np.cumsum(sep, dtype=np.int64)  # text index of every character (separators: next)
    flags = _flags_for(codes)
    flags[sep] = 0

    digit = (flags & DIGIT) != 0
    if digit.any():
        prev_digit = np.zeros_like(digit)
        prev_digit[1:] = digit[:-1]
        next_digit = np.zeros_like(digit)
        next_digit[:-1] = digit[1:]
        inner = prev_digit & next_digit & np.isin(codes, _NUMBER_INNER)
        # An ID number's check character: "x" straight after a digit, not starting a word.
        next_letter = np.zeros_like(digit)
        next_letter[:-1] = (flags[1:] & KEEP) != 0
        check_x = prev_digit & (codes == ord("x")) & ~next_letter
        digit |= inner | check_x
    word = ((flags & KEEP) != 0) | digit

    # Script of each text: Latin when Latin letters clearly outnumber CJK characters.
    if script is Script.AUTO:
        cjk_count = np.bincount(doc, weights=(flags & CJK) != 0, minlength=n + 1)[:n]
        latin_count = np.bincount(doc, weights=(flags & LATIN) != 0, minlength=n + 1)[:n]
        latin_doc = latin_count > 3 * cjk_count
    else:
        latin_doc = np.full(n, script is Script.LATIN)
    in_latin = np.append(latin_doc, False)[doc]  # the final separator belongs to no text

    # Chinese texts keep their wording only. Latin texts also keep punctuation (it separates
    # words there), and a run of white space becomes one space.
    white = (flags & WHITE) != 0
    keep = word | (in_latin & (white | ((flags & MARK) != 0)))
    codes = np.where(white, np.uint32(_SPACE), codes)
    codes[digit] = _MASK
    kept = keep | sep
    codes, doc, digit = codes[kept], doc[kept], digit[kept]
    sep = codes == _DOC_SEP
    space = codes == _SPACE
    prev = np.empty_like(codes)
    prev[0] = _DOC_SEP
    prev[1:] = codes[:-1]
    nxt = np.empty_like(codes)
    nxt[-1] = _DOC_SEP
    nxt[:-1] = codes[1:]
    prev_digit = np.zeros_like(digit)
    prev_digit[1:] = digit[:-1]
    drop = (space & ((prev == _SPACE) | (prev == _DOC_SEP) | (nxt == _DOC_SEP))) | (
        digit & prev_digit
    )
    codes, doc = codes[~drop], doc[~drop]
    # A trailing space left by a dropped run before a separator.
    sep = codes == _DOC_SEP
    trailing = np.zeros_like(sep)
    trailing[:-1] = (codes[:-1] == _SPACE) & sep[1:]
    keep = ~(trailing | sep)
    codes, doc = codes[keep], doc[keep]
    counts = np.bincount(doc, minlength=n + 1)[:n]
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return NormalisedBatch(codes.astype(np.uint32, copy=False), offsets, latin_doc)


def normalise_text(text: str, script: Script | str = Script.AUTO) -> str:
    """The normalised form of one text, as the grouping engine compares it."""
    return normalise_batch([text], script).text(0)
