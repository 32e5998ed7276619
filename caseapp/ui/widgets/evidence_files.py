"""Files coming in (drag-and-drop area, file picker) and thumbnails of stored evidence."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QImageReader,
    QPainter,
    QPixmap,
)
from PySide6.QtWidgets import QFileDialog, QFrame, QLabel, QVBoxLayout, QWidget

from caseapp.i18n import _

EVIDENCE_FILE_FILTER = "*"


def paths_from_mime(mime: QMimeData) -> list[Path]:
    """The local files (not folders) in a drag, in the order given."""
    if not mime.hasUrls():
        return []
    paths = []
    for url in mime.urls():
        if url.isLocalFile():
            path = Path(url.toLocalFile())
            if path.is_file():
                paths.append(path)
    return paths


def pick_files(parent: QWidget | None, title: str | None = None) -> list[Path]:
    names, _filter = QFileDialog.getOpenFileNames(
        parent, title or _("Choose files"), "",
        _("All files (*)"))
    return [Path(n) for n in names]


class FileDropArea(QFrame):
    """A dashed box that takes files dropped on it (and opens the picker when clicked)."""

    files_dropped = Signal(list)  # list[Path]

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setObjectName("dropArea")
        self._set_active(False)
        self.setMinimumHeight(56)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        self.label = QLabel(text, self)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        self.label.setStyleSheet("color: #4b5563;")
        layout.addWidget(self.label)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(_("Drop files here, or click to choose them"))

    def _set_active(self, active: bool) -> None:
        color, background = ("#2563eb", "#eff6ff") if active else ("#9ca3af", "#f9fafb")
        self.setStyleSheet(f"QFrame#dropArea {{ border: 2px dashed {color}; border-radius: 8px;"
                           f" background: {background}; }}")

    def mouseReleaseEvent(self, event: object) -> None:
        paths = pick_files(self)
        if paths:
            self.files_dropped.emit(paths)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if paths_from_mime(event.mimeData()):
            self._set_active(True)
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: object) -> None:
        self._set_active(False)

    def dropEvent(self, event: QDropEvent) -> None:
        self._set_active(False)
        paths = paths_from_mime(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)


# --- thumbnails -------------------------------------------------------------------------------

_THUMBS: dict[tuple[str, int], QPixmap] = {}


def _glyph_thumbnail(glyph: str, caption: str, color: str, size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    margin = size * 0.12
    w = size - 2 * margin
    p.setPen(QColor("#d1d5db"))
    p.setBrush(QColor("#ffffff"))
    p.drawRoundedRect(int(margin), 2, int(w), size - 4, 4, 4)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(color))
    p.drawRoundedRect(int(margin), int(size * 0.62), int(w), int(size * 0.22), 2, 2)
    font = QFont()
    font.setPixelSize(int(size * 0.36))
    p.setFont(font)
    p.setPen(QColor(color))
    p.drawText(0, 0, size, int(size * 0.62), Qt.AlignmentFlag.AlignCenter, glyph)
    font.setPixelSize(max(7, int(size * 0.14)))
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor("white"))
    p.drawText(int(margin), int(size * 0.62), int(w), int(size * 0.22),
               Qt.AlignmentFlag.AlignCenter, caption)
    p.end()
    return pixmap


def _pdf_thumbnail(path: Path, size: int) -> QPixmap | None:
    try:
        from PySide6.QtPdf import QPdfDocument
    except ImportError:  # pragma: no cover - QtPdf is a dependency
        return None
    doc = QPdfDocument()
    doc.load(str(path))
    if doc.status() != QPdfDocument.Status.Ready or doc.pageCount() < 1:
        return None
    page = doc.pagePointSize(0)
    scale = size / max(page.width(), page.height(), 1)
    image = doc.render(0, QSize(max(1, int(page.width() * scale)),
                                max(1, int(page.height() * scale))))
    doc.close()
    if image.isNull():
        return None
    return QPixmap.fromImage(image)


def evidence_thumbnail(path: Path, media_type: str, size: int = 64, *, key: str = ""
                       ) -> QPixmap:
    """A picture for a stored file: the image itself, a PDF's first page, else a badge."""
    cache_key = (key or str(path), size)
    if cache_key in _THUMBS:
        return _THUMBS[cache_key]
    pixmap: QPixmap | None = None
    major = media_type.split("/")[0]
    if major == "image" and path.is_file():
        reader = QImageReader(str(path))
        reader.setAutoTransform(True)
        original = reader.size()
        if original.isValid() and original.width() > 0 and original.height() > 0:
            reader.setScaledSize(original.scaled(size, size,
                                                 Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
        if not image.isNull():
            pixmap = QPixmap.fromImage(image)
    elif media_type == "application/pdf" and path.is_file():
        pixmap = _pdf_thumbnail(path, size)
    if pixmap is None:
        if major == "audio":
            pixmap = _glyph_thumbnail("♪", _("AUDIO"), "#7c3aed", size)
        elif major == "video":
            pixmap = _glyph_thumbnail("▶", _("VIDEO"), "#db2777", size)
        elif media_type == "application/pdf":
            pixmap = _glyph_thumbnail("≡", "PDF", "#dc2626", size)
        elif major == "text":
            pixmap = _glyph_thumbnail("≡", _("TEXT"), "#2563eb", size)
        elif major == "image":
            pixmap = _glyph_thumbnail("▦", _("IMAGE"), "#059669", size)
        else:
            ext = path.suffix.lstrip(".").upper()[:4] or _("FILE")
            pixmap = _glyph_thumbnail("▤", ext, "#6b7280", size)
    pixmap = _centred(pixmap, size)
    _THUMBS[cache_key] = pixmap
    return pixmap


def _centred(pixmap: QPixmap, size: int) -> QPixmap:
    """The picture in the middle of a square, so that list rows line up."""
    if pixmap.width() == size and pixmap.height() == size:
        return pixmap
    square = QPixmap(size, size)
    square.fill(Qt.GlobalColor.transparent)
    p = QPainter(square)
    p.drawPixmap((size - pixmap.width()) // 2, (size - pixmap.height()) // 2, pixmap)
    p.setPen(QColor("#d1d5db"))
    p.drawRect((size - pixmap.width()) // 2, (size - pixmap.height()) // 2,
               pixmap.width() - 1, pixmap.height() - 1)
    p.end()
    return square
