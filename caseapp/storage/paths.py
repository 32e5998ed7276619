"""File names and paths that work on Windows as well as on Linux.

Names that come from users or from evidence (an original file name, a case title) are made
safe with :func:`safe_file_name` before a file of that name is written (an export package, a
copy for viewing): Windows refuses ``<>:"/\\|?*`` and control characters, device names such as
``CON`` or ``com1.txt``, and silently drops trailing dots and spaces, so that ``a.`` and ``a``
would collide. :class:`UniqueNames` then keeps the names of one folder distinct the way Windows
compares them (case-insensitively). No Qt, no platform checks: the same names on every system,
so a package made on Linux unpacks on Windows.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path, PurePath

# Characters Windows does not allow in a file name, each replaced by its full-width form, which
# reads the same to a Chinese user ("证据:微信" -> "证据：微信") and is allowed everywhere.
_REPLACEMENTS = {
    "<": "＜", ">": "＞", ":": "：", '"': "＂", "/": "／", "\\": "＼", "|": "｜", "?": "？",
    "*": "＊",
}
_TRANSLATION = {ord(k): v for k, v in _REPLACEMENTS.items()}
_TRANSLATION.update({code: None for code in range(32)})  # control characters are dropped
_TRANSLATION[0x7F] = None

# Device names, with or without an extension (Windows 11 still refuses "CON.txt"); the
# superscript digits count as digits for COM and LPT.
_DEVICE_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"}
    | {f"{port}{n}" for port in ("COM", "LPT") for n in "0123456789¹²³"}
)

# NTFS allows 255 UTF-16 units per name, ext4 255 bytes; Chinese needs 3 UTF-8 bytes a
# character. 150 bytes leaves room for a " (2)" suffix and keeps whole paths short.
DEFAULT_MAX_BYTES = 150
# MAX_PATH (260) less the terminating NUL.
WINDOWS_MAX_PATH = 259
_EXTENSION_MAX_BYTES = 24


def _fit(text: str, max_bytes: int) -> str:
    """The longest prefix of ``text`` (whole characters) whose UTF-8 form fits ``max_bytes``."""
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded) <= max_bytes:
        return text
    return encoded[:max_bytes].decode("utf-8", "ignore")


def is_device_name(name: str) -> bool:
    """Whether Windows takes ``name`` for a device (``CON``, ``nul.txt``, ``COM1.tar.gz``)."""
    stem = name.split(".", 1)[0].rstrip(" ").upper()
    return stem in _DEVICE_NAMES


def safe_file_name(
    name: str, *, max_bytes: int = DEFAULT_MAX_BYTES, fallback: str = "file"
) -> str:
    """``name`` made valid as one file name on Windows, Linux and macOS.

    Keeps the text readable (Chinese, spaces and punctuation stay; forbidden characters become
    their full-width forms), keeps the extension when the name must be shortened, and never
    returns an empty name, ``.``, ``..``, a device name or a name ending in a dot or space.
    """
    if max_bytes < 16:
        raise ValueError("max_bytes must be at least 16")
    text = unicodedata.normalize("NFC", name).translate(_TRANSLATION)
    # Lone surrogates (from undecodable bytes in a name) cannot be written in UTF-8.
    text = text.encode("utf-8", "replace").decode("utf-8").replace("\ufffd", "_")
    text = text.strip(" ").rstrip(".")
    if text in ("", ".", ".."):
        text = fallback
    if is_device_name(text):
        text = "_" + text
    stem, dot, extension = text.rpartition(".")
    if not dot or not stem or len(extension.encode("utf-8")) > _EXTENSION_MAX_BYTES \
            or " " in extension:
        stem, extension = text, ""
    suffix = f".{extension}" if extension else ""
    stem = _fit(stem, max_bytes - len(suffix.encode("utf-8"))).rstrip(" .")
    if not stem:
        stem = fallback
    return stem + suffix


def windows_key(name: str) -> str:
    """How Windows compares two names in one folder: case-insensitively (NFC)."""
    return unicodedata.normalize("NFC", name).casefold()


class UniqueNames:
    """Hands out safe names that stay distinct within one folder, also on Windows.

    ``claim("a.txt")`` gives ``a.txt``, then ``a (2).txt``, then ``a (3).txt``; ``A.TXT`` counts
    as taken once ``a.txt`` is.
    """

    def __init__(self, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._taken: set[str] = set()
        self._max_bytes = max_bytes

    def claim(self, name: str) -> str:
        candidate = safe_file_name(name, max_bytes=self._max_bytes)
        stem, dot, extension = candidate.rpartition(".")
        if not dot or not stem:
            stem, extension = candidate, ""
        suffix = f".{extension}" if extension else ""
        number = 1
        while windows_key(candidate) in self._taken:
            number += 1
            marker = f" ({number})"
            room = self._max_bytes - len((marker + suffix).encode("utf-8"))
            candidate = _fit(stem, room).rstrip(" .") + marker + suffix
        self._taken.add(windows_key(candidate))
        return candidate


def sqlite_url(path: str | os.PathLike[str]) -> str:
    """A SQLAlchemy URL for a SQLite file at ``path``.

    ``%`` and ``?`` are escaped: SQLAlchemy would read ``%20`` in a folder name as a space and
    everything after ``?`` as URL options (both are valid in Windows and Linux folder names).
    """
    text = PurePath(path).as_posix()
    return "sqlite:///" + text.replace("%", "%25").replace("?", "%3F")


def extended_path(path: str | os.PathLike[str]) -> str:
    """``path`` in a form Windows opens even beyond MAX_PATH (the ``\\\\?\\`` prefix for an
    absolute path over 259 characters, on Windows only); unchanged elsewhere."""
    text = os.fspath(path)
    if os.name != "nt" or len(text) <= WINDOWS_MAX_PATH or text.startswith("\\\\?\\"):
        return text
    absolute = os.path.abspath(text)
    if absolute.startswith("\\\\"):
        return "\\\\?\\UNC\\" + absolute[2:]
    return "\\\\?\\" + absolute


def path_problems(path: str | os.PathLike[str]) -> list[str]:
    """What would make ``path`` fail on Windows: each part not a valid name, and a total length
    over MAX_PATH. Empty when the path is fine; for checks and messages, never raises."""
    problems: list[str] = []
    pure = PurePath(path)
    parts = pure.parts[1:] if pure.anchor else pure.parts
    for part in parts:
        if part in (".", ".."):
            continue
        if safe_file_name(part, max_bytes=1024) != unicodedata.normalize("NFC", part):
            problems.append(part)
    if len(str(Path(path).absolute())) > WINDOWS_MAX_PATH:
        problems.append(f"length>{WINDOWS_MAX_PATH}")
    return problems
