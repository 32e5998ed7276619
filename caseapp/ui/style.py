"""The look of the desktop app: fonts with a Chinese fallback, and one style sheet."""

from __future__ import annotations

import sys

from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QApplication, QWidget

# Chinese UI fonts, best first: Windows, macOS, then the free fonts of Linux distributions.
CJK_FAMILIES = (
    "Microsoft YaHei UI",
    "Microsoft YaHei",
    "PingFang SC",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
)
LATIN_FAMILIES = ("Segoe UI", "Helvetica Neue", "Noto Sans", "DejaVu Sans")


def cjk_family(available: set[str] | None = None) -> str | None:
    """The best Chinese font on this machine, or None."""
    families = available if available is not None else set(QFontDatabase.families())
    return next((f for f in CJK_FAMILIES if f in families), None)


def ui_font_families(language: str, available: set[str]) -> list[str]:
    """The family list of the UI font: the Chinese font first for a Chinese UI (its Latin
    letters match its Chinese ones), after the platform's Latin font for an English UI (so
    that Chinese data still renders with a proper font instead of boxes)."""
    cjk = [f for f in CJK_FAMILIES if f in available][:1]
    latin = [f for f in LATIN_FAMILIES if f in available][:1]
    return cjk + latin if language == "zh_CN" else latin + cjk


def configure_fonts(app: QApplication, language: str) -> QFont:
    available = set(QFontDatabase.families())
    families = ui_font_families(language, available)
    font = QFont(app.font())
    if families:
        font.setFamilies(families)
    if sys.platform == "win32" and font.pointSizeF() < 9:
        font.setPointSizeF(9)
    app.setFont(font)
    return font


_MUTED = "QLabel { color: #64748b; }"

# Style sheets per widget (by object name), set on that widget only: an application-wide style
# sheet makes every widget paint through the style-sheet engine, tables included, which doubles
# the time a table of 100,000 rows takes to paint.
WIDGET_STYLES = {
    "primaryButton": (
        "QPushButton { background: #2563eb; color: #ffffff; border: 1px solid #1d4ed8;"
        " border-radius: 4px; padding: 5px 14px; }"
        " QPushButton:hover { background: #1d4ed8; }"
        " QPushButton:disabled { background: #93c5fd; border-color: #93c5fd; }"),
    "filterChip": (
        "QToolButton { background: #dbeafe; color: #1e3a8a; border: 1px solid #bfdbfe;"
        " border-radius: 10px; padding: 2px 10px; }"),
    "hint": _MUTED,
    "runStatus": _MUTED,
    "countLabel": _MUTED,
    "caseSubtitle": _MUTED,
    "pageTitle": "QLabel { color: #0f172a; font-size: 14pt; font-weight: 600; }",
    "caseTitle": "QLabel { color: #0f172a; font-size: 16pt; font-weight: 600; }",
    "sectionTitle": "QLabel { color: #0f172a; font-size: 11pt; font-weight: 600; }",
    "globalSearch": ("QLineEdit { border: 1px solid #cbd5e1; border-radius: 4px;"
                     " padding: 3px 8px; min-width: 260px; background: #ffffff; }"),
}

NAV_STYLE = """
QWidget#navPanel { background: #1e293b; }
QLabel#navCase { color: #f8fafc; font-weight: 600; padding: 14px 14px 2px 14px; }
QLabel#navCaseTitle { color: #94a3b8; padding: 0 14px 10px 14px; }
QListWidget#navList {
    background: #1e293b; border: none; color: #cbd5e1; outline: 0; padding: 4px 0;
}
QListWidget#navList::item { padding: 9px 16px; border-left: 3px solid transparent; }
QListWidget#navList::item:selected {
    background: #334155; color: #ffffff; border-left: 3px solid #60a5fa;
}
QListWidget#navList::item:hover:!selected { background: #273449; }
QListWidget#navList::item:disabled { color: #64748b; }
"""

CARDS_STYLE = """
QFrame#figureCard { background: #ffffff; border: 1px solid #e2e8f0; border-radius: 8px; }
QFrame#figureCard:hover { border: 1px solid #93c5fd; }
QLabel#figureValue { color: #0f172a; font-size: 24pt; font-weight: 600; }
QLabel#figureCaption { color: #475569; font-weight: 600; }
QLabel#figureDetail { color: #64748b; }
QLabel#chainStatus[ok="true"] { color: #15803d; }
QLabel#chainStatus[ok="false"] { color: #b91c1c; font-weight: 600; }
"""


def styled(widget: QWidget, name: str) -> QWidget:
    """Name the widget and give it the look of that name (see :data:`WIDGET_STYLES`)."""
    widget.setObjectName(name)
    sheet = WIDGET_STYLES.get(name)
    if sheet:
        widget.setStyleSheet(sheet)
    return widget


def apply_style(app: QApplication) -> None:
    """Colours through the palette; style sheets only on the widgets that need one."""
    palette = app.palette()
    for role, color in ((QPalette.ColorRole.AlternateBase, "#f8fafc"),
                        (QPalette.ColorRole.Highlight, "#cfe0fc"),
                        (QPalette.ColorRole.HighlightedText, "#0f172a"),
                        (QPalette.ColorRole.Window, "#f1f5f9"),
                        (QPalette.ColorRole.Button, "#f8fafc"),
                        (QPalette.ColorRole.Link, "#1d4ed8")):
        palette.setColor(role, QColor(color))
    app.setPalette(palette)
