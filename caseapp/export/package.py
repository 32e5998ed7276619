"""Write a BagIt bag (RFC 8493, version 1.0) straight into a ZIP file.

Every payload file is hashed while it is written, so a file is read once; the manifests, the
bag-info with its Payload-Oxum and the tag manifest are written last. The ZIP holds one folder
(the bag), as bagit tools expect when a bag is zipped. Manifest lines are ``<sha256>  <path>``,
which ``sha256sum -c`` reads too (paths are kept free of ``%``, CR and LF, the characters BagIt
would percent-encode).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from caseapp.domain.errors import IntegrityError, InvalidInputError
from caseapp.domain.progress import CancelToken
from caseapp.i18n import _

CHUNK = 1024 * 1024
BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
# Already-compressed content is stored as it is; deflating it again only costs time.
_STORED_SUFFIXES = frozenset({
    ".zip", ".docx", ".xlsx", ".pptx", ".pdf", ".png", ".jpg", ".jpeg", ".gif", ".webp",
    ".heic", ".mp3", ".m4a", ".aac", ".amr", ".ogg", ".opus", ".wav", ".mp4", ".mov",
    ".avi", ".mkv", ".3gp", ".7z", ".rar", ".gz", ".bz2", ".xz",
})


def _compression(path: str) -> int:
    return zipfile.ZIP_STORED if PurePosixPath(path).suffix.lower() in _STORED_SUFFIXES \
        else zipfile.ZIP_DEFLATED


def check_bag_path(path: str) -> str:
    """A payload path relative to the bag, as written in the manifest."""
    p = PurePosixPath(path)
    if p.is_absolute() or ".." in p.parts or not p.parts or p.parts[0] != "data":
        raise InvalidInputError(_("{path} is not a path inside the bag's data/ folder.")
                                .format(path=path))
    if any(ch in path for ch in "%\r\n\\"):
        raise InvalidInputError(_("{path}: file names in the package may not contain %, \\ "
                                  "or line breaks.").format(path=path))
    return str(p)


class _HashingWriter(io.RawIOBase):
    def __init__(self, target: BinaryIO) -> None:
        self._target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        view = bytes(data)
        self._target.write(view)
        self.digest.update(view)
        self.size += len(view)
        return len(view)


@dataclass
class BagZipWriter:
    """Builds the bag inside `zf` under the folder `bag_name`."""

    zf: zipfile.ZipFile
    bag_name: str
    when: datetime
    payload: dict[str, tuple[str, int]] = field(default_factory=dict)  # path → (sha256, size)
    tags: dict[str, str] = field(default_factory=dict)  # tag file → sha256

    def _info(self, path: str, compress: int | None = None) -> zipfile.ZipInfo:
        stamp = (max(self.when.year, 1980), self.when.month, self.when.day, self.when.hour,
                 self.when.minute, self.when.second // 2 * 2)
        info = zipfile.ZipInfo(f"{self.bag_name}/{path}", date_time=stamp)
        info.compress_type = _compression(path) if compress is None else compress
        info.external_attr = 0o644 << 16
        return info

    @contextmanager
    def open_payload(self, path: str) -> Iterator[_HashingWriter]:
        """A stream to write one payload file through; hashed on the way."""
        path = check_bag_path(path)
        if path in self.payload:
            raise InvalidInputError(_("{path} is twice in the package.").format(path=path))
        with self.zf.open(self._info(path), "w", force_zip64=True) as raw:
            writer = _HashingWriter(raw)
            yield writer
        self.payload[path] = (writer.digest.hexdigest(), writer.size)

    def add_bytes(self, path: str, data: bytes) -> str:
        with self.open_payload(path) as out:
            out.write(data)
        return self.payload[check_bag_path(path)][0]

    def add_file(self, path: str, source: Path, *, expected_sha256: str | None = None,
                 cancel: CancelToken | None = None,
                 progress: Callable[[int], None] | None = None) -> str:
        """Copy `source` into the bag; with `expected_sha256`, a copy whose content differs
        from what was recorded fails the export instead of being packaged."""
        with source.open("rb") as fh, self.open_payload(path) as out:
            while chunk := fh.read(CHUNK):
                if cancel is not None:
                    cancel.raise_if_cancelled()
                out.write(chunk)
                if progress is not None:
                    progress(len(chunk))
        sha = self.payload[check_bag_path(path)][0]
        if expected_sha256 is not None and sha != expected_sha256:
            raise IntegrityError(_(
                "The stored file for {path} no longer matches its recorded SHA-256 (recorded "
                "{expected}, now {found}); run evidence verify. Nothing was exported.").format(
                path=path, expected=expected_sha256, found=sha))
        return sha

    def _tag(self, name: str, text: str) -> None:
        data = text.encode("utf-8")
        self.zf.writestr(self._info(name, zipfile.ZIP_DEFLATED), data)
        self.tags[name] = hashlib.sha256(data).hexdigest()

    def payload_oxum(self) -> str:
        return f"{sum(size for _sha, size in self.payload.values())}.{len(self.payload)}"

    def finish(self, bag_info: list[tuple[str, str]], readme: str | None = None) -> None:
        """bagit.txt, manifest, bag-info (with Payload-Oxum and Bag-Size), README, and the
        tag manifest over all of them."""
        self._tag("bagit.txt", BAGIT_TXT)
        manifest = "".join(f"{sha}  {path}\n" for path, (sha, _size)
                           in sorted(self.payload.items()))
        self._tag("manifest-sha256.txt", manifest)
        total = sum(size for _sha, size in self.payload.values())
        info = [*bag_info, ("Payload-Oxum", self.payload_oxum()),
                ("Bag-Size", _human_size(total))]
        self._tag("bag-info.txt", "".join(f"{k}: {_one_line(v)}\n" for k, v in info if v))
        if readme is not None:
            self._tag("README.txt", readme)
        tagmanifest = "".join(f"{sha}  {name}\n" for name, sha in sorted(self.tags.items()))
        self.zf.writestr(self._info("tagmanifest-sha256.txt", zipfile.ZIP_DEFLATED),
                         tagmanifest.encode("utf-8"))


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"
