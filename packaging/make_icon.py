"""Draw caseapp's icon with Qt and write ``caseapp.png`` (256 px) and ``caseapp.ico``.

``python packaging/make_icon.py [OUT_DIR]`` (default ``resources/icons``). Each size is drawn
on its own (not scaled down from 256 px), so the small sizes stay sharp. The .ico holds 16, 20,
24, 32, 40, 48, 64 and 128 px as 32-bit BMP entries and 256 px as PNG, as Windows expects.
The PyInstaller spec runs this when the icon is missing.
"""

from __future__ import annotations

import math
import os
import struct
import sys
from pathlib import Path

ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)
PNG_SIZE = 256

NAVY = "#17375E"
NAVY_LIGHT = "#2B5D92"
PAPER = "#FFFFFF"
LINE = "#9AA9BC"
SEAL = "#C0392B"
GOLD = "#E8A317"


def _qt():  # type: ignore[no-untyped-def]
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtCore, QtGui

    if QtGui.QGuiApplication.instance() is None:
        _qt.app = QtGui.QGuiApplication([])  # type: ignore[attr-defined]
    return QtCore, QtGui


def draw(size: int):  # type: ignore[no-untyped-def]
    """The icon at ``size`` × ``size`` pixels as a QImage (ARGB32, premultiplied)."""
    QtCore, QtGui = _qt()
    Qt = QtCore.Qt
    image = QtGui.QImage(size, size, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    p = QtGui.QPainter(image)
    p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    p.scale(size / 256, size / 256)  # draw on a 256-unit canvas
    small = size <= 24

    # Background: a rounded navy tile with a light top edge.
    gradient = QtGui.QLinearGradient(0, 0, 0, 256)
    gradient.setColorAt(0, QtGui.QColor(NAVY_LIGHT))
    gradient.setColorAt(1, QtGui.QColor(NAVY))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(gradient)
    p.drawRoundedRect(QtCore.QRectF(8, 8, 240, 240), 44, 44)

    # A case file: white sheet with a folded corner and text lines.
    sheet = QtGui.QPainterPath()
    sheet.moveTo(52, 36)
    sheet.lineTo(150, 36)
    sheet.lineTo(190, 76)
    sheet.lineTo(190, 214)
    sheet.lineTo(52, 214)
    sheet.closeSubpath()
    p.setBrush(QtGui.QColor(PAPER))
    p.drawPath(sheet)
    fold = QtGui.QPainterPath()
    fold.moveTo(150, 36)
    fold.lineTo(150, 76)
    fold.lineTo(190, 76)
    fold.closeSubpath()
    p.setBrush(QtGui.QColor("#D5DEE9"))
    p.drawPath(fold)
    if not small:
        pen = QtGui.QPen(QtGui.QColor(LINE), 9, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        for y, right in ((98, 168), (124, 168), (150, 132)):
            p.drawLine(QtCore.QPointF(74, y), QtCore.QPointF(right, y))
        p.setPen(Qt.PenStyle.NoPen)

    # The red seal of an evidence record, bottom left of the sheet (too fine for 16-24 px).
    if not small:
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QtGui.QPen(QtGui.QColor(SEAL), 8))
        p.drawEllipse(QtCore.QPointF(94, 182), 22, 22)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QtGui.QColor(SEAL))
        star = QtGui.QPolygonF()
        for i in range(10):
            radius = 10 if i % 2 == 0 else 4
            angle = -math.pi / 2 + i * math.pi / 5
            star.append(QtCore.QPointF(94 + radius * math.cos(angle),
                                       182 + radius * math.sin(angle)))
        p.drawPolygon(star)

    # A gold magnifying glass over the sheet's lower right.
    p.setBrush(Qt.BrushStyle.NoBrush)
    handle = QtGui.QPen(QtGui.QColor(GOLD), 26, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    p.setPen(handle)
    p.drawLine(QtCore.QPointF(190, 190), QtCore.QPointF(222, 222))
    p.setBrush(QtGui.QColor(255, 255, 255, 150))
    p.setPen(QtGui.QPen(QtGui.QColor(GOLD), 18 if small else 14))
    p.drawEllipse(QtCore.QPointF(164, 164), 38, 38)
    p.end()
    return image


def png_bytes(image) -> bytes:  # type: ignore[no-untyped-def]
    QtCore, _QtGui = _qt()
    data = QtCore.QByteArray()
    buffer = QtCore.QBuffer(data)
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError("Qt could not encode a PNG")
    buffer.close()
    return bytes(data.data())


def bmp_entry(image) -> bytes:  # type: ignore[no-untyped-def]
    """A 32-bit BGRA device-independent bitmap as an .ico entry (bottom-up, with AND mask)."""
    _QtCore, QtGui = _qt()
    argb = image.convertToFormat(QtGui.QImage.Format.Format_ARGB32)
    width, height = argb.width(), argb.height()
    rows = []
    for y in range(height):
        line = argb.constScanLine(y)
        rows.append(bytes(line)[: width * 4])  # little-endian ARGB32 is BGRA in memory
    pixels = b"".join(reversed(rows))
    mask_row = ((width + 31) // 32) * 4
    mask = b"\x00" * (mask_row * height)  # transparency comes from the alpha channel
    header = struct.pack("<IiiHHIIiiII", 40, width, height * 2, 1, 32, 0,
                         len(pixels) + len(mask), 0, 0, 0, 0)
    return header + pixels + mask


def ico_bytes(sizes: tuple[int, ...] = ICO_SIZES) -> bytes:
    entries = []
    for size in sizes:
        image = draw(size)
        entries.append((size, png_bytes(image) if size >= 256 else bmp_entry(image)))
    directory = struct.pack("<HHH", 0, 1, len(entries))
    offset = 6 + 16 * len(entries)
    blobs = []
    for size, blob in entries:
        side = 0 if size >= 256 else size  # 0 means 256 in an icon directory
        directory += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
        blobs.append(blob)
    return directory + b"".join(blobs)


def write_icons(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    png = out_dir / "caseapp.png"
    ico = out_dir / "caseapp.ico"
    png.write_bytes(png_bytes(draw(PNG_SIZE)))
    ico.write_bytes(ico_bytes())
    return [png, ico]


def main(argv: list[str]) -> int:
    default = Path(__file__).resolve().parents[1] / "resources" / "icons"
    out_dir = Path(argv[0]) if argv else default
    for path in write_icons(out_dir):
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
