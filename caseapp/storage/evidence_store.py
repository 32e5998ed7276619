"""Content-addressed, write-once store for evidence files (``evidence/ab/cd/<sha256>``).

A file is streamed into a temporary file in the store while it is hashed, flushed to disk,
renamed atomically into place and marked read-only. The same content is stored once.
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import os
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

import filetype

from caseapp.domain.errors import InvalidInputError
from caseapp.domain.progress import CancelToken, NullProgress, ProgressSink
from caseapp.i18n import _

CHUNK_SIZE = 1024 * 1024
_TEMP_DIR = "tmp"
_TEXT_SNIFF = 64 * 1024


@dataclass(frozen=True, slots=True)
class StoredFile:
    sha256: str
    size: int
    path: Path
    created: bool  # False when the same content was already in the store


class FileState(StrEnum):
    OK = "ok"
    MISSING = "missing"
    ALTERED = "altered"


@dataclass(frozen=True, slots=True)
class FileCheck:
    sha256: str
    state: FileState
    observed_sha256: str = ""
    observed_size: int | None = None


def sha256_of(path: Path, *, cancel: CancelToken | None = None) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_SIZE):
            if cancel is not None:
                cancel.raise_if_cancelled()
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def detect_media_type(head: bytes, name: str = "") -> str:
    """Media type from the content's magic bytes, then text sniffing, then the extension."""
    kind = filetype.guess(head) if head else None
    if kind is not None:
        return str(kind.mime)
    by_name = mimetypes.guess_type(name)[0] if name else None
    if head and b"\x00" not in head[:_TEXT_SNIFF]:
        sample = head[:_TEXT_SNIFF]
        for encoding in ("utf-8", "gb18030"):
            try:
                sample.decode(encoding)
            except UnicodeDecodeError as exc:
                # A multi-byte character cut at the end of the sample is still text.
                if exc.start < len(sample) - 4:
                    continue
            if by_name and (by_name.startswith("text/") or by_name.endswith(("json", "xml"))):
                return by_name
            return "text/plain"
    if not head:
        return "application/x-empty"
    return by_name or "application/octet-stream"


class EvidenceStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def contains(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put_file(
        self,
        source: Path,
        *,
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> StoredFile:
        source = Path(source)
        if not source.is_file():
            raise InvalidInputError(_("File not found or not a regular file: {path}").format(
                path=source))
        total = source.stat().st_size
        with source.open("rb") as fh:
            return self.put_stream(fh, total=total, progress=progress, cancel=cancel)

    def put_stream(
        self,
        stream: BinaryIO,
        *,
        total: int | None = None,
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> StoredFile:
        progress = progress or NullProgress()
        temp_dir = self.root / _TEMP_DIR
        temp_dir.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, temp_name = tempfile.mkstemp(dir=temp_dir, prefix="incoming-")
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK_SIZE):
                    if cancel is not None:
                        cancel.raise_if_cancelled()
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                    progress.report(size, total, "")
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            target = self.path_for(sha)
            if target.exists():
                temp.unlink()
                return StoredFile(sha, size, target, created=False)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(temp, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
            try:
                os.replace(temp, target)
            except PermissionError:
                # Windows refuses to replace a read-only file another writer just put there.
                if target.exists() and sha256_of(target)[0] == sha:
                    temp.unlink(missing_ok=True)
                    return StoredFile(sha, size, target, created=False)
                raise
            _fsync_dir(target.parent)
            return StoredFile(sha, size, target, created=True)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.chmod(temp, stat.S_IWUSR | stat.S_IRUSR)
                temp.unlink()
            raise

    def remove(self, sha256: str) -> None:
        """Delete a stored file; only for content no record refers to (a rolled-back add)."""
        path = self.path_for(sha256)
        with contextlib.suppress(FileNotFoundError):
            os.chmod(path, stat.S_IWUSR | stat.S_IRUSR)
            path.unlink()

    def check(self, sha256: str, *, cancel: CancelToken | None = None) -> FileCheck:
        path = self.path_for(sha256)
        if not path.is_file():
            return FileCheck(sha256, FileState.MISSING)
        observed, size = sha256_of(path, cancel=cancel)
        state = FileState.OK if observed == sha256 else FileState.ALTERED
        return FileCheck(sha256, state, observed, size)

    def iter_stored(self) -> Iterator[str]:
        """Every digest present in the store (files whose name is a digest)."""
        if not self.root.is_dir():
            return
        for first in sorted(self.root.iterdir()):
            if len(first.name) != 2 or not first.is_dir():
                continue
            for second in sorted(first.iterdir()):
                for item in sorted(second.iterdir()):
                    if item.is_file() and len(item.name) == 64:
                        yield item.name

    def clean_temp(self, *, older_than_s: float = 3600.0) -> list[Path]:
        """Remove temporary files left by an interrupted add (older than `older_than_s`)."""
        temp_dir = self.root / _TEMP_DIR
        removed: list[Path] = []
        if not temp_dir.is_dir():
            return removed
        cutoff = time.time() - older_than_s
        for item in temp_dir.iterdir():
            # Another process may still be writing it (Windows refuses to delete an open file):
            # it is left for a later start rather than stopping this one.
            try:
                if item.is_file() and item.stat().st_mtime < cutoff:
                    os.chmod(item, stat.S_IWUSR | stat.S_IRUSR)
                    item.unlink()
                    removed.append(item)
            except OSError:
                continue
        return removed

    def orphans(self, referenced: Iterable[str]) -> list[str]:
        known = set(referenced)
        return [sha for sha in self.iter_stored() if sha not in known]


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
