"""The backup file: a ZIP whose ``manifest.json`` lists every other member with its SHA-256,
written under a temporary name and renamed into place only when complete."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from caseapp.domain.errors import IntegrityError, InvalidInputError
from caseapp.domain.progress import CancelToken
from caseapp.i18n import _

FORMAT = "caseapp-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_HASH = "manifest.sha256"
CHUNK = 1024 * 1024


class _HashingWriter:
    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self._raw.write(data)


class ArchiveWriter:
    """Members are added one by one; `finish` writes the manifest and puts the file in place.
    If anything fails before, the partial file is removed and `path` is untouched."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._partial = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex[:8]}.partial")
        self._zip = zipfile.ZipFile(self._partial, "w", allowZip64=True)
        self.files: list[dict[str, Any]] = []

    @contextmanager
    def member(self, name: str, *, compress: bool = True) -> Iterator[_HashingWriter]:
        info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        if compress:  # fast: evidence may be gigabytes
            attr = "compress_level" if hasattr(info, "compress_level") else "_compresslevel"
            setattr(info, attr, 1)
        with self._zip.open(info, "w", force_zip64=True) as raw:
            writer = _HashingWriter(raw)
            yield writer
        self.files.append({"name": name, "sha256": writer.digest.hexdigest(),
                           "size": writer.size})

    def add_file(self, name: str, source: Path, *, compress: bool,
                 cancel: CancelToken | None = None) -> dict[str, Any]:
        with self.member(name, compress=compress) as out, source.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                if cancel is not None:
                    cancel.raise_if_cancelled()
                out.write(chunk)
        return self.files[-1]

    def finish(self, manifest: dict[str, Any]) -> Path:
        manifest = {**manifest, "format": FORMAT, "format_version": FORMAT_VERSION,
                    "files": self.files}
        data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
        self._zip.writestr(MANIFEST, data)
        self._zip.writestr(MANIFEST_HASH, hashlib.sha256(data).hexdigest() + "\n")
        self._zip.close()
        with self._partial.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(self._partial, self.path)
        return self.path

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._zip.close()
        with contextlib.suppress(FileNotFoundError):
            self._partial.unlink()


@dataclass(frozen=True)
class Backup:
    path: Path
    manifest: dict[str, Any]

    def open(self, name: str) -> IO[bytes]:
        return zipfile.ZipFile(self.path).open(name)


def _damaged(path: Path, problems: list[str]) -> IntegrityError:
    lines = [_("The backup {file} is damaged and was not restored:").format(file=path)]
    lines += [f"  {p}" for p in problems[:20]]
    if len(problems) > 20:
        lines.append(_("  … and {n} more.").format(n=len(problems) - 20))
    return IntegrityError("\n".join(lines))


def verify_archive(path: Path, *, cancel: CancelToken | None = None) -> Backup:
    """Check the whole file against its manifest; `IntegrityError` naming every problem."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(_("Backup file not found: {file}").format(file=path))
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if MANIFEST not in names or MANIFEST_HASH not in names:
                raise InvalidInputError(_("{file} is not a caseapp backup (it has no "
                                          "manifest).").format(file=path))
            data = zf.read(MANIFEST)
            recorded = zf.read(MANIFEST_HASH).decode("ascii", "replace").strip()
            if hashlib.sha256(data).hexdigest() != recorded:
                raise _damaged(path, [_("the manifest does not match its checksum")])
            manifest = json.loads(data)
            if manifest.get("format") != FORMAT:
                raise InvalidInputError(_("{file} is not a caseapp backup.").format(file=path))
            if manifest.get("format_version") != FORMAT_VERSION:
                raise InvalidInputError(_(
                    "{file} was written in backup format {version}, which this version of "
                    "caseapp cannot read.").format(file=path,
                                                   version=manifest.get("format_version")))
            problems: list[str] = []
            listed = {f["name"] for f in manifest["files"]}
            for extra in sorted(names - listed - {MANIFEST, MANIFEST_HASH}):
                problems.append(_("{name}: not listed in the manifest").format(name=extra))
            for entry in manifest["files"]:
                name = entry["name"]
                if name not in names:
                    problems.append(_("{name}: missing").format(name=name))
                    continue
                digest, size = hashlib.sha256(), 0
                try:
                    with zf.open(name) as fh:
                        while chunk := fh.read(CHUNK):
                            if cancel is not None:
                                cancel.raise_if_cancelled()
                            digest.update(chunk)
                            size += len(chunk)
                except (zipfile.BadZipFile, OSError, EOFError) as exc:
                    problems.append(_("{name}: unreadable ({error})").format(name=name,
                                                                            error=exc))
                    continue
                if digest.hexdigest() != entry["sha256"] or size != entry["size"]:
                    problems.append(_("{name}: altered (SHA-256 {observed}, recorded "
                                      "{expected})").format(name=name,
                                                            observed=digest.hexdigest(),
                                                            expected=entry["sha256"]))
                elif name.startswith("evidence/") and name.split("/")[-1] != entry["sha256"]:
                    problems.append(_("{name}: content does not match its name").format(
                        name=name))
            if problems:
                raise _damaged(path, problems)
    except (zipfile.BadZipFile, EOFError, ValueError, KeyError) as exc:
        raise _damaged(path, [_("not a readable ZIP file or truncated ({error})").format(
            error=exc)]) from exc
    return Backup(path, manifest)
