"""Side-by-side comparison of two complaint texts: aligned shared and differing passages.

Both texts are compared on their wording only (NFKC, lower case, no punctuation or white space),
with ``difflib`` aligning the two character sequences. Digits are kept here: an investigator
wants to see that two copies of a letter differ in the amount or the date. Matches shorter than
``min_match`` characters inside differing passages are coincidences (a shared particle or
number) and count as different. Every span indexes the *original* string, and the spans of one
text cover it from start to end, punctuation included (it goes with the passage before it).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from caseapp.analysis.overlap import jaccard_and_containment
from caseapp.analysis.signatures import SignatureSpec, compute_signatures

SAME = "same"
DIFFER = "differ"


@dataclass(frozen=True)
class Span:
    """``text[start:end]`` of one side, shared with the other side or not."""

    start: int
    end: int
    kind: str  # SAME or DIFFER


@dataclass(frozen=True)
class Passage:
    """One step of the alignment: a passage of a and the passage of b facing it (maybe empty)."""

    kind: str
    a: Span
    b: Span


@dataclass(frozen=True)
class Comparison:
    spans_a: tuple[Span, ...]
    spans_b: tuple[Span, ...]
    passages: tuple[Passage, ...]  # in order; SAME passages pair equal wording
    similarity: float  # Jaccard similarity of the shingle sets, as the grouping measures it
    shared_a: float  # share of a's wording (characters) inside shared passages
    shared_b: float


def _wording(text: str) -> tuple[str, list[int]]:
    """Folded wording of ``text`` and, per folded character, the index it comes from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        folded = ch if ch.isascii() else unicodedata.normalize("NFKC", ch)
        for piece in folded.lower():
            if piece.isalnum():
                chars.append(piece)
                origin.append(index)
    return "".join(chars), origin


def _boundaries(origin: list[int], length: int) -> list[int]:
    """Original position of every folded boundary (0 … len): punctuation goes with the passage
    before it, leading punctuation with the first one, and a text without wording is one span."""
    if not origin:
        return [length]
    bounds = [*origin, length]
    bounds[0] = 0
    return bounds


def compare_texts(a: str, b: str, *, min_match: int = 4) -> Comparison:
    """Align ``a`` and ``b``: their shared and differing passages, and how similar they are."""
    words_a, origin_a = _wording(a)
    words_b, origin_b = _wording(b)
    matcher = SequenceMatcher(None, words_a, words_b, autojunk=False)
    steps: list[tuple[str, int, int, int, int]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        kind = SAME if tag == "equal" and (i2 - i1) >= min_match else DIFFER
        if steps and steps[-1][0] == kind:
            previous = steps[-1]
            steps[-1] = (kind, previous[1], i2, previous[3], j2)
        else:
            steps.append((kind, i1, i2, j1, j2))
    bounds_a = _boundaries(origin_a, len(a))
    bounds_b = _boundaries(origin_b, len(b))
    passages: list[Passage] = []
    for kind, i1, i2, j1, j2 in steps:
        span_a = Span(0 if not origin_a else bounds_a[i1], bounds_a[i2], kind)
        span_b = Span(0 if not origin_b else bounds_b[j1], bounds_b[j2], kind)
        passages.append(Passage(kind, span_a, span_b))
    if not passages and (a or b):
        passages.append(Passage(DIFFER, Span(0, len(a), DIFFER), Span(0, len(b), DIFFER)))
    spans_a = tuple(p.a for p in passages if p.a.end > p.a.start)
    spans_b = tuple(p.b for p in passages if p.b.end > p.b.start)
    same_a = sum(i2 - i1 for kind, i1, i2, _j1, _j2 in steps if kind == SAME)
    same_b = sum(j2 - j1 for kind, _i1, _i2, j1, j2 in steps if kind == SAME)
    return Comparison(
        spans_a=spans_a,
        spans_b=spans_b,
        passages=tuple(passages),
        similarity=text_similarity(a, b),
        shared_a=same_a / len(words_a) if words_a else 0.0,
        shared_b=same_b / len(words_b) if words_b else 0.0,
    )


def text_similarity(a: str, b: str, spec: SignatureSpec | None = None) -> float:
    """Exact Jaccard similarity of two texts' shingle sets (the grouping's measure)."""
    signatures = compute_signatures([(0, a), (1, b)], spec or SignatureSpec())
    jaccard, _a_in_b, _b_in_a = jaccard_and_containment(signatures, [0], [1])
    return round(float(jaccard[0]), 4)
