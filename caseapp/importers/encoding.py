"""First pass over a file: size, SHA-256, type, and the text encoding with whole-file validation.

Automatic choice: a BOM decides (UTF-8, UTF-16, UTF-32); else strict UTF-8 over the whole file;
else, when most lines with non-ASCII bytes are UTF-8, UTF-8 with the other lines reported as
undecodable; else strict GB18030 over the whole file; else charset-normalizer's guess (when it
is installed and its guess decodes the whole file); else GB18030 with the undecodable lines
reported. Bytes are never replaced silently: ``valid`` says whether the chosen encoding decodes
every byte, and when it does not, the CSV reader reports each record that holds bad bytes.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path

from caseapp.i18n import _
from caseapp.importers.model import ImportFileError, RowProblem

CHUNK = 1 << 20
_VOTE_LINES = 2000
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True, slots=True)
class FileScan:
    path: Path
    size: int
    mtime_ns: int
    sha256: str
    file_type: str  # "csv", "xlsx" or "xls"
    encoding: str  # codec name for a CSV, "" for a workbook
    valid: bool  # the encoding decodes the whole file strictly
    ascii_compatible: bool
    bom: bool
    ends_with_newline: bool
    quotes_odd: bool
    has_nul: bool

    def unchanged(self) -> bool:
        try:
            stat = self.path.stat()
        except OSError:
            return False
        return stat.st_size == self.size and stat.st_mtime_ns == self.mtime_ns


def file_error(path: Path, code: str, message: str, line: int | None = None) -> ImportFileError:
    """An ImportFileError whose message starts with the file name."""
    text = _("{file}: {message}").format(file=path.name, message=message)
    return ImportFileError(text, (RowProblem(line, None, code, text),))


def encoding_label(encoding: str) -> str:
    """How people name an encoding: ``utf-8-sig`` -> ``UTF-8``, ``gb18030`` -> ``GB18030``."""
    return {"utf-8-sig": "UTF-8"}.get(encoding, encoding.upper())


def resolve_encoding(path: Path, name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise file_error(
            path,
            "unknown_encoding",
            _("{encoding!r} is not a known text encoding (try utf-8 or gb18030).").format(
                encoding=name
            ),
        ) from None


def is_ascii_compatible(encoding: str) -> bool:
    if encoding.startswith(("utf-16", "utf-32", "utf_16", "utf_32")):
        return False
    sample = b'\r\n,;\t"abc'
    try:
        return sample.decode(encoding) == sample.decode("ascii")
    except (UnicodeDecodeError, LookupError):
        return False


def scan_file(path: Path, encoding: str = "auto") -> FileScan:
    """Read the file once: hash it and check which candidate encodings decode all of it."""
    requested = encoding.strip().lower() if encoding else "auto"
    if requested != "auto":
        requested = resolve_encoding(path, requested)
    try:
        stat = path.stat()
        handle = path.open("rb")
    except OSError as exc:
        raise file_error(
            path, "unreadable", _("cannot be read: {error}").format(error=exc.strerror or exc)
        ) from exc
    with handle:
        try:
            first = handle.read(CHUNK)
        except OSError as exc:
            raise file_error(
                path, "unreadable", _("cannot be read: {error}").format(error=exc.strerror or exc)
            ) from exc
        if not first:
            raise file_error(path, "empty_file", _("the file is empty."))
        file_type = "csv"
        if first.startswith(_ZIP_MAGIC):
            file_type = "xlsx"
        elif first.startswith(_OLE_MAGIC):
            file_type = "xls"
        bom = next((name for mark, name in _BOMS if first.startswith(mark)), None)
        if file_type != "csv":
            candidates: list[str] = []
        elif requested != "auto":
            if requested == "utf-8" and bom == "utf-8-sig":
                requested = "utf-8-sig"
            candidates = [requested]
        elif bom is not None:
            candidates = [bom]
        else:
            candidates = ["utf-8", "gb18030"]
        decoders = {name: codecs.getincrementaldecoder(name)("strict") for name in candidates}
        invalid: set[str] = set()
        digest = hashlib.sha256()
        quotes = 0
        has_nul = False
        chunk = first
        last = b""
        try:
            while chunk:
                digest.update(chunk)
                if file_type == "csv":
                    quotes += chunk.count(b'"')
                    has_nul = has_nul or b"\x00" in chunk
                    for name, decoder in list(decoders.items()):
                        try:
                            decoder.decode(chunk)
                        except UnicodeDecodeError:
                            invalid.add(name)
                            del decoders[name]
                last = chunk
                chunk = handle.read(CHUNK)
        except OSError as exc:
            raise file_error(
                path, "unreadable", _("cannot be read: {error}").format(error=exc.strerror or exc)
            ) from exc
        for name, decoder in decoders.items():
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                invalid.add(name)
    sha256 = digest.hexdigest()
    if file_type != "csv":
        return FileScan(
            path, stat.st_size, stat.st_mtime_ns, sha256, file_type, encoding="", valid=True,
            ascii_compatible=True, bom=False, ends_with_newline=True, quotes_odd=False,
            has_nul=False,
        )
    if requested != "auto":
        chosen = requested
    elif bom is not None:
        chosen = bom
    elif "utf-8" not in invalid:
        chosen = "utf-8"
    else:
        chosen = _choose_without_utf8(path, "gb18030" not in invalid)
    valid = chosen not in invalid if chosen in candidates else _decodes(path, chosen)
    ascii_compatible = is_ascii_compatible(chosen)
    if not valid and not ascii_compatible:
        raise file_error(
            path,
            "cannot_decode",
            _("the file is not valid {encoding} text; choose its encoding explicitly.").format(
                encoding=encoding_label(chosen)
            ),
        )
    if ascii_compatible:
        ends_with_newline = last[-1:] in (b"\n", b"\r")
    else:
        ends_with_newline = last.endswith((b"\n\x00", b"\x00\n", b"\r\x00", b"\x00\r"))
    return FileScan(
        path,
        stat.st_size,
        stat.st_mtime_ns,
        sha256,
        "csv",
        encoding=chosen,
        valid=valid,
        ascii_compatible=ascii_compatible,
        bom=bom is not None,
        ends_with_newline=ends_with_newline,
        quotes_odd=ascii_compatible and quotes % 2 == 1,
        has_nul=has_nul if ascii_compatible else True,
    )


def _choose_without_utf8(path: Path, gb18030_valid: bool) -> str:
    utf8_lines, other_lines = _utf8_line_vote(path)
    if utf8_lines > other_lines:
        return "utf-8"
    if gb18030_valid:
        return "gb18030"
    guess = _charset_normalizer_guess(path)
    if guess and is_ascii_compatible(guess) and _decodes(path, guess):
        return guess
    return "gb18030"


def _utf8_line_vote(path: Path) -> tuple[int, int]:
    """Among the first lines with non-ASCII bytes: how many are UTF-8 and how many are not."""
    good = bad = 0
    with path.open("rb") as handle:
        for line in handle:
            if line.isascii():
                continue
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                bad += 1
            else:
                good += 1
            if good + bad >= _VOTE_LINES:
                break
    return good, bad


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except (UnicodeDecodeError, OSError):
        return False
    return True


def _charset_normalizer_guess(path: Path) -> str | None:
    """Last resort only: charset-normalizer misreads short Chinese files (see the pitfalls)."""
    try:
        from charset_normalizer import from_bytes  # type: ignore[import-not-found]
    except ImportError:
        return None
    try:
        with path.open("rb") as handle:
            sample = handle.read(4 * CHUNK)
        best = from_bytes(sample).best()
    except Exception:  # a detector failure only means: no guess
        return None
    if best is None:
        return None
    try:
        return codecs.lookup(best.encoding).name
    except LookupError:
        return None
