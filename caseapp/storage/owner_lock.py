"""Owner locks: a file locked for as long as an operation (and its process) is alive.

The operating system drops the lock when the process ends, however it ends (even SIGKILL or a
power cut), so another process can tell an abandoned temporary file from one still being
written by trying the lock without waiting. ``flock`` on POSIX, ``msvcrt.locking`` on Windows;
both conflict between two handles of the same process too.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

if os.name == "nt":  # pragma: no cover - exercised on the Windows runner
    import msvcrt

    def _lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)


class OwnerLock:
    """An exclusive lock on `path`, held until `release()`."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def create(cls, path: Path) -> OwnerLock:
        """Create a new lock file and lock it (the name must be new: it is the owner's)."""
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        if not _lock(fd):  # nobody else knows the name yet
            os.close(fd)
            raise OSError(f"cannot lock the new file {path}")
        return cls(path, fd)

    @classmethod
    def take_abandoned(cls, path: Path) -> OwnerLock | None:
        """Lock an existing lock file whose owner has gone; None while the owner lives (or
        when the file is already gone)."""
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            return None
        if not _lock(fd):
            os.close(fd)
            return None
        return cls(path, fd)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self, *, delete: bool = True) -> None:
        """Unlock; by default delete the lock file first (while still holding it)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        if delete and os.name != "nt":
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
        _unlock(fd)
        os.close(fd)
        if delete and os.name == "nt":  # Windows cannot delete an open file
            with contextlib.suppress(OSError):
                self.path.unlink()
