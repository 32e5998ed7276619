"""The app icon: a well-formed multi-size .ico and a PNG, drawn by packaging/make_icon.py."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

REPO = Path(__file__).resolve().parents[2]
ICONS = REPO / "resources" / "icons"
sys.path.insert(0, str(REPO / "packaging"))

import make_icon  # noqa: E402


def read_ico(data: bytes) -> list[tuple[int, bytes]]:
    reserved, kind, count = struct.unpack_from("<HHH", data, 0)
    assert (reserved, kind) == (0, 1)
    entries = []
    for i in range(count):
        width, height, _colors, _res, planes, bits, size, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * i)
        assert width == height and planes == 1 and bits == 32
        assert offset + size <= len(data)
        entries.append((width or 256, data[offset:offset + size]))
    return entries


def check_entry(side: int, blob: bytes) -> QImage:
    image = QImage()
    if blob.startswith(b"\x89PNG"):
        assert image.loadFromData(blob, "PNG")
    else:  # BITMAPINFOHEADER: height counts the XOR bitmap and the AND mask
        header = struct.unpack_from("<IiiHH", blob, 0)
        assert header == (40, side, 2 * side, 1, 32)
        assert len(blob) == 40 + side * side * 4 + ((side + 31) // 32) * 4 * side
        pixels = blob[40:40 + side * side * 4]
        image = QImage(pixels, side, side, QImage.Format.Format_ARGB32).copy()
        image = (image.flipped(Qt.Orientation.Vertical) if hasattr(image, "flipped")
                 else image.mirrored(False, True))
    assert (image.width(), image.height()) == (side, side)
    return image


def test_committed_icon_has_every_windows_size(qapp: object) -> None:
    entries = read_ico((ICONS / "caseapp.ico").read_bytes())
    assert [side for side, _ in entries] == list(make_icon.ICO_SIZES)
    for side, blob in entries:
        image = check_entry(side, blob)
        corner = image.pixelColor(0, 0).alpha()
        middle = image.pixelColor(side // 2, side // 2).alpha()
        assert corner < 64 and middle == 255  # rounded transparent corners, opaque tile
    png = QImage(str(ICONS / "caseapp.png"))
    assert (png.width(), png.height()) == (256, 256)


def test_qt_reads_the_icon_file(qapp: object) -> None:
    image = QImage(str(ICONS / "caseapp.ico"))
    assert not image.isNull()


def test_the_generator_draws_the_same_icon(qapp: object, tmp_path: Path) -> None:
    make_icon.write_icons(tmp_path)
    fresh = read_ico((tmp_path / "caseapp.ico").read_bytes())
    committed = read_ico((ICONS / "caseapp.ico").read_bytes())
    assert [s for s, _ in fresh] == [s for s, _ in committed]
    for (side, a), (_side, b) in zip(fresh, committed, strict=True):
        image_a, image_b = check_entry(side, a), check_entry(side, b)
        differing = sum(image_a.pixel(x, y) != image_b.pixel(x, y)
                        for x in range(side) for y in range(0, side, 4))
        assert differing <= side * side // 40  # same drawing (antialiasing may differ a little)
