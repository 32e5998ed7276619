"""Content-addressed, write-once store for evidence files (``evidence/ab/cd/<sha256>``).

A file is streamed into a temporary file in the store while it is hashed, flushed to disk,
renamed atomically into place and marked read-only. The same content is stored once.

Crash safety: every write runs under an owner lock (``tmp/<token>.lock``) that the operating
system releases when the process dies, so `clean_temp` removes exactly the temporary files whose
writer is gone, whatever their age, and never one still being written. A file put with
``claim=True`` stays claimed (``tmp/claim-<sha256>-<token>``) until the operation that needs it
has committed its database record; claims left by a dead process tell the recovery on the next
start which stored files may be orphans (see caseapp.services.recovery).
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import os
import stat
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

import filetype

from caseapp.domain.errors import InvalidInputError
from caseapp.domain.progress import CancelToken, NullProgress, ProgressSink
from caseapp.i18n import _
from caseapp.storage.owner_lock import OwnerLock

CHUNK_SIZE = 1024 * 1024
_TEMP_DIR = "tmp"
_TEXT_SNIFF = 64 * 1024
_LOCK_SUFFIX = ".lock"
_INCOMING = "incoming-"
_CLAIM = "claim-"
_CONDEMNED = "condemned-"


class Claim:
    """Content in use by an operation whose database record is not committed yet."""

    def __init__(self, lock: OwnerLock, marker: Path, sha256: str) -> None:
        self._lock = lock
        self.marker = marker
        self.sha256 = sha256

    @property
    def token(self) -> str:
        return self._lock.path.name[: -len(_LOCK_SUFFIX)]

    @property
    def held(self) -> bool:
        return self._lock.held

    def release(self) -> None:
        if not self._lock.held:
            return
        with contextlib.suppress(FileNotFoundError):
            self.marker.unlink()
        self._lock.release()


@dataclass(frozen=True, slots=True)
class StoredFile:
    sha256: str
    size: int
    path: Path
    created: bool  # False when the same content was already in the store
    claim: Claim | None = field(default=None, compare=False, repr=False)


@dataclass(slots=True)
class AbandonedClaims:
    """The claims of one operation whose process died; its owner lock is held by us now."""

    token: str
    sha256s: list[str]
    lock: OwnerLock
    markers: list[Path]

    def release(self) -> None:
        for marker in self.markers:
            with contextlib.suppress(FileNotFoundError):
                marker.unlink()
        self.lock.release()


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
        claim: bool = False,
    ) -> StoredFile:
        source = Path(source)
        if not source.is_file():
            raise InvalidInputError(_("File not found or not a regular file: {path}").format(
                path=source))
        total = source.stat().st_size
        with source.open("rb") as fh:
            return self.put_stream(fh, total=total, progress=progress, cancel=cancel,
                                   claim=claim)

    def put_stream(
        self,
        stream: BinaryIO,
        *,
        total: int | None = None,
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
        claim: bool = False,
    ) -> StoredFile:
        """Store the stream's content. With `claim`, the result holds a `Claim` that the
        caller releases once its database record is committed (or the content discarded)."""
        progress = progress or NullProgress()
        temp_dir = self.root / _TEMP_DIR
        temp_dir.mkdir(parents=True, exist_ok=True)
        token = uuid.uuid4().hex
        lock = OwnerLock.create(temp_dir / f"{token}{_LOCK_SUFFIX}")
        temp = temp_dir / f"{_INCOMING}{token}"
        marker: Path | None = None
        digest = hashlib.sha256()
        size = 0
        try:
            with temp.open("xb") as out:
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
            if claim:
                # Claimed before looking at the target, so that a recovery running elsewhere
                # either sees the claim or has already moved the old copy away.
                marker = temp_dir / f"{_CLAIM}{sha}-{token}"
                marker.touch()
            target = self.path_for(sha)
            created = not target.exists()
            if not created:
                temp.unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(temp, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
                try:
                    os.replace(temp, target)
                except PermissionError:
                    # Windows refuses to replace a read-only file another writer just put
                    # there.
                    if not (target.exists() and sha256_of(target)[0] == sha):
                        raise
                    _unlink(temp)
                    created = False
                else:
                    _fsync_dir(target.parent)
        except BaseException:
            _unlink(temp)
            if marker is not None:
                _unlink(marker)
            lock.release()
            raise
        if marker is None:
            lock.release()
            return StoredFile(sha, size, target, created=created)
        return StoredFile(sha, size, target, created=created, claim=Claim(lock, marker, sha))

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
        """Remove what interrupted writes left in ``tmp/``: half-copied files of writers that
        are gone (at once, whatever their age; never a file still being written), and files
        of unknown origin older than `older_than_s`. A stored file that was being removed when
        its remover died is put back if it is not in the store. Claims are left for
        `take_abandoned_claims` (deciding about them needs the database)."""
        temp_dir = self.root / _TEMP_DIR
        removed: list[Path] = []
        if not temp_dir.is_dir():
            return removed
        cutoff = time.time() - older_than_s
        items = sorted(temp_dir.iterdir())
        tokens = {p.name[: -len(_LOCK_SUFFIX)] for p in items if p.name.endswith(_LOCK_SUFFIX)}
        for lock_path in (p for p in items if p.name.endswith(_LOCK_SUFFIX)):
            token = lock_path.name[: -len(_LOCK_SUFFIX)]
            lock = OwnerLock.take_abandoned(lock_path)
            if lock is None:
                continue  # its owner is alive
            removed += self._clean_token(temp_dir, token)
            has_claims = any(temp_dir.glob(f"{_CLAIM}*-{token}"))
            lock.release(delete=not has_claims)
        for item in items:
            if not item.is_file() or item.name.endswith(_LOCK_SUFFIX) or not item.exists():
                continue
            token = item.name.rsplit("-", 1)[-1]
            if item.name.startswith(_CLAIM):
                continue
            ours = item.name.startswith((_INCOMING, _CONDEMNED))
            if ours and token in tokens:
                continue  # its owner is alive (or was handled above)
            # Ours without an owner lock: nobody can be writing it. Unknown: go by age.
            # Another process may hold it open (Windows refuses to delete an open file):
            # it is then left for a later start rather than stopping this one.
            try:
                if ours or item.stat().st_mtime < cutoff:
                    removed += self._clean_item(item)
            except OSError:
                continue
        return removed

    def _clean_token(self, temp_dir: Path, token: str) -> list[Path]:
        removed: list[Path] = []
        for item in [*temp_dir.glob(f"{_INCOMING}{token}"),
                     *temp_dir.glob(f"{_CONDEMNED}*-{token}")]:
            removed += self._clean_item(item)
        return removed

    def _clean_item(self, item: Path) -> list[Path]:
        if item.name.startswith(_CONDEMNED):
            sha = item.name[len(_CONDEMNED):].rsplit("-", 1)[0]
            with contextlib.suppress(ValueError):
                target = self.path_for(sha)
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(item, target)
                    return []
        _unlink(item)
        return [item]

    def take_abandoned_claims(self) -> list[AbandonedClaims]:
        """The claims of operations whose process died, with their owner locks taken, so
        that the caller can decide (with the database) whether the content is needed."""
        temp_dir = self.root / _TEMP_DIR
        if not temp_dir.is_dir():
            return []
        by_token: dict[str, list[Path]] = {}
        for marker in sorted(temp_dir.glob(f"{_CLAIM}*")):
            by_token.setdefault(marker.name.rsplit("-", 1)[-1], []).append(marker)
        out: list[AbandonedClaims] = []
        for token, markers in by_token.items():
            lock_path = temp_dir / f"{token}{_LOCK_SUFFIX}"
            if lock_path.exists():
                lock = OwnerLock.take_abandoned(lock_path)
            else:  # the owner died while releasing; nobody can own this token any more
                lock = OwnerLock.create(lock_path)
            if lock is None:
                continue
            shas = [m.name[len(_CLAIM):].rsplit("-", 1)[0] for m in markers]
            out.append(AbandonedClaims(token, shas, lock, markers))
        return out

    def is_claimed(self, sha256: str, *, ignore_tokens: Iterable[str] = ()) -> bool:
        """Whether a live operation (other than `ignore_tokens`) claims this content."""
        temp_dir = self.root / _TEMP_DIR
        ignored = set(ignore_tokens)
        for marker in temp_dir.glob(f"{_CLAIM}{sha256}-*"):
            token = marker.name.rsplit("-", 1)[-1]
            if token in ignored:
                continue
            lock = OwnerLock.take_abandoned(temp_dir / f"{token}{_LOCK_SUFFIX}")
            if lock is None:
                if (temp_dir / f"{token}{_LOCK_SUFFIX}").exists():
                    return True
                continue
            lock.release(delete=False)
        return False

    def remove_unclaimed(
        self,
        sha256: str,
        still_needed: Callable[[], bool],
        *,
        ignore_tokens: Iterable[str] = (),
    ) -> bool:
        """Remove a stored file that no record refers to, unless a live operation claims it
        or `still_needed()` says otherwise after it was moved aside. True if removed."""
        target = self.path_for(sha256)
        if not target.exists() or self.is_claimed(sha256, ignore_tokens=ignore_tokens):
            return False
        temp_dir = self.root / _TEMP_DIR
        temp_dir.mkdir(parents=True, exist_ok=True)
        token = uuid.uuid4().hex
        lock = OwnerLock.create(temp_dir / f"{token}{_LOCK_SUFFIX}")
        condemned = temp_dir / f"{_CONDEMNED}{sha256}-{token}"
        try:
            try:
                os.replace(target, condemned)
            except FileNotFoundError:
                return False
            if self.is_claimed(sha256, ignore_tokens=ignore_tokens) or still_needed():
                if target.exists():
                    _unlink(condemned)
                else:
                    os.replace(condemned, target)
                return False
            _unlink(condemned)
            return True
        finally:
            lock.release()

    def orphans(self, referenced: Iterable[str]) -> list[str]:
        known = set(referenced)
        return [sha for sha in self.iter_stored() if sha not in known]


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, stat.S_IWUSR | stat.S_IRUSR)
        path.unlink()


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
