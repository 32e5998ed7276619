"""Preview of a stored evidence file: images, PDFs (QtPdf), audio and video (QtMultimedia: call
recordings) and text. The stored file is only read."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QImageReader, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSlider,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from caseapp.i18n import _
from caseapp.ui.widgets.objects_common import muted

TEXT_PREVIEW_BYTES = 256 * 1024


def decode_text(data: bytes) -> str:
    """Text as Chinese users save it: UTF-8 (with or without BOM), else GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def preview_kind(media_type: str) -> str:
    major = media_type.split("/")[0]
    if major == "image":
        return "image"
    if media_type == "application/pdf":
        return "pdf"
    if major == "audio":
        return "audio"
    if major == "video":
        return "video"
    if major == "text" or media_type in ("application/json", "application/xml"):
        return "text"
    return "none"


class _ImagePane(QLabel):
    """An image scaled to fit the pane, keeping its proportions."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(120, 120)
        self.setStyleSheet("background: #1f2937; border-radius: 6px;")
        self._pixmap = QPixmap()

    def set_image(self, path: Path) -> bool:
        reader = QImageReader(str(path))
        reader.setAutoTransform(True)
        image = reader.read()
        self._pixmap = QPixmap.fromImage(image) if not image.isNull() else QPixmap()
        self._rescale()
        return not self._pixmap.isNull()

    def _rescale(self) -> None:
        if self._pixmap.isNull():
            self.clear()
            return
        target = self.size() - QSize(8, 8)
        scaled = self._pixmap.scaled(target, Qt.AspectRatioMode.KeepAspectRatio,
                                     Qt.TransformationMode.SmoothTransformation)
        self.setPixmap(scaled)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._rescale()


class _MediaPane(QWidget):
    """Play / pause, position slider and time for audio (and video, with a video surface)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
        from PySide6.QtMultimediaWidgets import QVideoWidget

        self.player = QMediaPlayer(self)
        self.audio = QAudioOutput(self)
        self.player.setAudioOutput(self.audio)
        self.video = QVideoWidget(self)
        self.video.setMinimumHeight(160)
        self.player.setVideoOutput(self.video)
        self.icon = QLabel("♪", self)
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.icon.setStyleSheet("font-size: 64px; color: #7c3aed; background: #f5f3ff;"
                                " border-radius: 8px;")
        self.icon.setMinimumHeight(140)
        self.play_button = QPushButton(_("Play"), self)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(0, 0)
        self.time_label = QLabel("0:00 / 0:00", self)
        controls = QHBoxLayout()
        controls.addWidget(self.play_button)
        controls.addWidget(self.slider, 1)
        controls.addWidget(self.time_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.icon, 1)
        layout.addWidget(self.video, 1)
        layout.addLayout(controls)
        self.play_button.clicked.connect(self.toggle)
        self.player.durationChanged.connect(self._duration)
        self.player.positionChanged.connect(self._position)
        self.player.playbackStateChanged.connect(self._state)
        self.slider.sliderMoved.connect(self.player.setPosition)

    def load(self, path: Path, *, video: bool) -> None:
        self.player.stop()
        self.video.setVisible(video)
        self.icon.setVisible(not video)
        self.slider.setRange(0, 0)
        self.time_label.setText("0:00 / 0:00")
        self.player.setSource(QUrl.fromLocalFile(str(path)))

    def stop(self) -> None:
        self.player.stop()
        self.player.setSource(QUrl())

    def toggle(self) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
        else:
            self.player.play()

    @staticmethod
    def _fmt(ms: int) -> str:
        s = max(0, ms) // 1000
        return f"{s // 60}:{s % 60:02d}"

    def _duration(self, ms: int) -> None:
        self.slider.setRange(0, ms)
        self._position(self.player.position())

    def _position(self, ms: int) -> None:
        if not self.slider.isSliderDown():
            self.slider.setValue(ms)
        self.time_label.setText(f"{self._fmt(ms)} / {self._fmt(self.player.duration())}")

    def _state(self, state: object) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        playing = state == QMediaPlayer.PlaybackState.PlayingState
        self.play_button.setText(_("Pause") if playing else _("Play"))


class EvidencePreview(QStackedWidget):
    PAGES = ("none", "image", "pdf", "audio", "text")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = "none"
        self.none_label = muted(_("No preview for this kind of file."), self)
        self.none_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image = _ImagePane(self)
        self.pdf_document = None
        self.pdf_view: QWidget | None = None
        self._pdf_holder = QWidget(self)
        QVBoxLayout(self._pdf_holder).setContentsMargins(0, 0, 0, 0)
        self.media: _MediaPane | None = None
        self._media_holder = QWidget(self)
        QVBoxLayout(self._media_holder).setContentsMargins(0, 0, 0, 0)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        for page in (self.none_label, self.image, self._pdf_holder, self._media_holder,
                     self.text):
            self.addWidget(page)
        self.setMinimumHeight(220)

    def _ensure_pdf(self) -> None:
        if self.pdf_view is None:
            from PySide6.QtPdf import QPdfDocument
            from PySide6.QtPdfWidgets import QPdfView

            self.pdf_document = QPdfDocument(self)
            view = QPdfView(self._pdf_holder)
            view.setDocument(self.pdf_document)
            view.setPageMode(QPdfView.PageMode.MultiPage)
            view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
            self._pdf_holder.layout().addWidget(view)
            self.pdf_view = view

    def _ensure_media(self) -> _MediaPane:
        if self.media is None:
            self.media = _MediaPane(self._media_holder)
            self._media_holder.layout().addWidget(self.media)
        return self.media

    def show_file(self, path: Path | None, media_type: str = "") -> str:
        """Show the file; returns which preview is used (none, image, pdf, audio, video, text)."""
        if self.media is not None:
            self.media.stop()
        kind = preview_kind(media_type) if path is not None and path.is_file() else "none"
        if kind == "image" and not self.image.set_image(path):  # type: ignore[arg-type]
            kind = "none"
        if kind == "pdf":
            self._ensure_pdf()
            from PySide6.QtPdf import QPdfDocument

            assert self.pdf_document is not None
            self.pdf_document.load(str(path))
            if self.pdf_document.status() != QPdfDocument.Status.Ready:
                kind = "none"
        if kind in ("audio", "video"):
            self._ensure_media().load(path, video=kind == "video")  # type: ignore[arg-type]
        if kind == "text":
            with path.open("rb") as fh:  # type: ignore[union-attr]
                data = fh.read(TEXT_PREVIEW_BYTES + 1)
            text = decode_text(data[:TEXT_PREVIEW_BYTES])
            if len(data) > TEXT_PREVIEW_BYTES:
                text += "\n\n" + _("[… only the first {n} KB are shown]").format(
                    n=TEXT_PREVIEW_BYTES // 1024)
            self.text.setPlainText(text)
        page = {"none": 0, "image": 1, "pdf": 2, "audio": 3, "video": 3, "text": 4}[kind]
        self.setCurrentIndex(page)
        self.kind = kind
        return kind
