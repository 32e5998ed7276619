"""The font shipped for the dossier (see resources/fonts/README.md)."""

from __future__ import annotations

import atexit
import contextlib
from functools import cache
from importlib import resources
from pathlib import Path

FONT_FILE = "wqy-microhei.ttc"
SANS_INDEX = 0  # WenQuanYi Micro Hei
MONO_INDEX = 1  # WenQuanYi Micro Hei Mono

_files = contextlib.ExitStack()
atexit.register(_files.close)


@cache
def font_path() -> Path:
    """A real file path for the font (extracted once if caseapp runs from an archive)."""
    traversable = resources.files("caseapp.resources") / "fonts" / FONT_FILE
    return Path(_files.enter_context(resources.as_file(traversable)))


SANS = "CaseappSans"
MONO = "CaseappMono"


@cache
def register_fonts() -> None:
    """Register both faces with reportlab (once per process: parsing the collection takes
    about a second per face). Bold and italic map to the same face, so that markup can never
    fall back to an unembedded base-14 font."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path = str(font_path())
    pdfmetrics.registerFont(TTFont(SANS, path, subfontIndex=SANS_INDEX))
    pdfmetrics.registerFont(TTFont(MONO, path, subfontIndex=MONO_INDEX))
    for name in (SANS, MONO):
        pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name,
                                      boldItalic=name)


@cache
def covered_characters() -> frozenset[int]:
    """The code points the sans face has a glyph for."""
    from reportlab.pdfbase import pdfmetrics

    register_fonts()
    return frozenset(pdfmetrics.getFont(SANS).face.charToGlyph)


def missing_characters(texts: list[str] | tuple[str, ...]) -> list[str]:
    """Characters of `texts` the font cannot show (white space and controls excepted)."""
    covered = covered_characters()
    seen: dict[str, None] = {}
    for text in texts:
        for ch in text:
            if ord(ch) not in covered and not ch.isspace() and ord(ch) >= 0x20:
                seen.setdefault(ch)
    return list(seen)
