"""Small pieces shared by the parties, contacts, evidence, timeline and link-chart views:
colours and icons per object type, time and size formatting, headers, error dialogs and
running file work (hashing, copying) behind a progress dialog."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from caseapp.domain.progress import CancelToken, ProgressSink
from caseapp.i18n import _
from caseapp.ui.workers.task import run_with_progress_dialog

T = TypeVar("T")

# One colour per kind of object, the same in every list, the timeline and the link chart.
TYPE_COLORS: dict[str, str] = {
    "party": "#c0392b",
    "identifier": "#8e44ad",
    "complaint": "#2471a3",
    "group": "#1f618d",
    "contact": "#d68910",
    "evidence": "#1e8449",
    "event": "#566573",
}
ROLE_COLORS: dict[str, str] = {
    "suspect": "#c0392b",
    "intermediary": "#a93226",
    "agent": "#cb4335",
    "complainant": "#2471a3",
    "other": "#7f8c8d",
}
OK_COLOR = "#1e8449"
BAD_COLOR = "#c0392b"
WARN_COLOR = "#b9770e"
MUTED_COLOR = "#6b7280"

_ICON_CACHE: dict[tuple[str, int], QIcon] = {}


def type_color(kind: str) -> QColor:
    return QColor(TYPE_COLORS.get(kind, "#7f8c8d"))


def type_icon(kind: str, size: int = 16) -> QIcon:
    """A round badge with the type's colour and a glyph (人, 标, 诉, 访, 证, 事)."""
    key = (kind, size)
    if key not in _ICON_CACHE:
        _ICON_CACHE[key] = QIcon(type_pixmap(kind, size))
    return _ICON_CACHE[key]


def party_icon(kind: str, size: int = 16) -> QIcon:
    """A person (人) or an organisation (企) badge in the party colour."""
    key = (f"party:{kind}", size)
    if key not in _ICON_CACHE:
        glyph = "企" if kind == "org" else "人"
        _ICON_CACHE[key] = QIcon(type_pixmap("party", size, glyph=glyph))
    return _ICON_CACHE[key]


_GLYPHS = {"party": "人", "identifier": "#", "complaint": "诉", "group": "群", "contact": "访",
           "evidence": "证", "event": "事"}


def type_pixmap(kind: str, size: int, *, glyph: str | None = None) -> QPixmap:
    pixmap = QPixmap(size * 2, size * 2)  # drawn at 2× for sharp scaling
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(type_color(kind))
    p.drawEllipse(1, 1, size * 2 - 2, size * 2 - 2)
    font = QFont()
    font.setPixelSize(int(size * 1.1))
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor("white"))
    p.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, glyph or _GLYPHS.get(kind, "?"))
    p.end()
    pixmap.setDevicePixelRatio(2.0)
    return pixmap


def dot_icon(color: str, size: int = 12) -> QIcon:
    key = (color, -size)
    if key not in _ICON_CACHE:
        pixmap = QPixmap(size * 2, size * 2)
        pixmap.fill(Qt.GlobalColor.transparent)
        p = QPainter(pixmap)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(color))
        p.drawEllipse(4, 4, size * 2 - 8, size * 2 - 8)
        p.end()
        pixmap.setDevicePixelRatio(2.0)
        _ICON_CACHE[key] = QIcon(pixmap)
    return _ICON_CACHE[key]


def status_icon(ok: bool, size: int = 14) -> QIcon:
    """A green tick or a red cross in a circle."""
    key = ("ok" if ok else "bad", size)
    if key not in _ICON_CACHE:
        pixmap = QPixmap(size * 2, size * 2)
        pixmap.fill(Qt.GlobalColor.transparent)
        p = QPainter(pixmap)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(OK_COLOR if ok else BAD_COLOR))
        p.drawEllipse(1, 1, size * 2 - 2, size * 2 - 2)
        pen = QPen(QColor("white"), size * 0.28)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        s = size * 2
        path = QPainterPath()
        if ok:
            path.moveTo(s * 0.28, s * 0.52)
            path.lineTo(s * 0.44, s * 0.68)
            path.lineTo(s * 0.72, s * 0.34)
        else:
            path.moveTo(s * 0.32, s * 0.32)
            path.lineTo(s * 0.68, s * 0.68)
            path.moveTo(s * 0.68, s * 0.32)
            path.lineTo(s * 0.32, s * 0.68)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(path)
        p.end()
        pixmap.setDevicePixelRatio(2.0)
        _ICON_CACHE[key] = QIcon(pixmap)
    return _ICON_CACHE[key]


def color_brush(color: str) -> QBrush:
    return QBrush(QColor(color))


def format_time(value: datetime | None, *, seconds: bool = False) -> str:
    """Local time as people write it in a case file (2025-03-04 14:30)."""
    if value is None:
        return ""
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def format_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def heading(text: str, parent: QWidget | None = None, *, size: int = 0) -> QLabel:
    label = QLabel(text, parent)
    font = label.font()
    font.setBold(True)
    if size:
        font.setPointSizeF(font.pointSizeF() + size)
    label.setFont(font)
    return label


def muted(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setStyleSheet(f"color: {MUTED_COLOR};")
    label.setWordWrap(True)
    return label


def pill(text: str, color: str, parent: QWidget | None = None) -> QLabel:
    """A small coloured label (a role, a flag)."""
    label = QLabel(text, parent)
    set_pill(label, text, color)
    label.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
    return label


def set_pill(label: QLabel, text: str, color: str) -> None:
    label.setText(text)
    label.setStyleSheet(
        f"QLabel {{ color: white; background: {color}; border-radius: 8px;"
        f" padding: 1px 8px; font-weight: bold; }}")


def hline(parent: QWidget | None = None) -> QFrame:
    line = QFrame(parent)
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


def tool_button(text: str, parent: QWidget, slot: Callable[[], Any], *,
                tip: str = "", icon: QIcon | None = None) -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    button.setToolTip(tip or text.replace("…", ""))
    if icon is not None:
        button.setIcon(icon)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    else:
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    button.setAutoRaise(False)
    button.clicked.connect(slot)
    return button


def button_row(*widgets: QWidget, stretch_first: bool = False) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    if stretch_first:
        row.addStretch(1)
    for w in widgets:
        row.addWidget(w)
    if not stretch_first:
        row.addStretch(1)
    return row


def primary_button(text: str, parent: QWidget) -> QPushButton:
    button = QPushButton(text, parent)
    button.setDefault(True)
    return button


def card(parent: QWidget | None = None) -> tuple[QFrame, QVBoxLayout]:
    """A framed white panel for a detail pane section."""
    frame = QFrame(parent)
    frame.setObjectName("card")
    frame.setStyleSheet("QFrame#card { background: palette(base); border: 1px solid "
                        "palette(mid); border-radius: 6px; }")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(12, 10, 12, 10)
    layout.setSpacing(6)
    return frame, layout


def icon_size() -> QSize:
    return QSize(16, 16)


def show_error(parent: QWidget | None, title: str, message: str) -> None:
    """A readable error: what failed (title) and why / what to do (message)."""
    QMessageBox.warning(parent, title, message)


def confirm(parent: QWidget | None, title: str, message: str) -> bool:
    answer = QMessageBox.question(parent, title, message,
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def run_file_work(parent: QWidget | None, title: str,
                  fn: Callable[[ProgressSink, CancelToken], T]) -> T | None:
    """Run hashing / copying off the UI thread behind a progress dialog with Cancel.

    Returns the result, or None when cancelled or failed (the error is shown)."""
    task = run_with_progress_dialog(parent, title, fn)
    if task.error is not None:
        show_error(parent, _("{what} failed").format(what=title), task.error)
        return None
    if task.was_cancelled:
        return None
    return task.result  # type: ignore[no-any-return]
