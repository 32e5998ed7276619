"""Check an evidence package (a BagIt bag in a ZIP) without unpacking it: every file the
manifests list is present and has its recorded hash, and no file is there that they do not
list. Each missing, extra or altered file is named."""

from __future__ import annotations

import hashlib
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath

from caseapp.domain.errors import InvalidInputError
from caseapp.domain.progress import CancelToken, NullProgress, ProgressSink
from caseapp.i18n import _

CHUNK = 1024 * 1024
_ALGORITHMS = {"sha256": hashlib.sha256, "sha512": hashlib.sha512, "sha1": hashlib.sha1,
               "md5": hashlib.md5}
# A manifest line: the checksum, ASCII blanks, then the path exactly as written (a name may
# begin or end with other white space, so nothing else is stripped).
_MANIFEST_LINE = re.compile(r"([0-9A-Fa-f]+)[ \t]+\*?(.+)")
# What reading a ZIP member can raise when its bytes or headers were changed: a bad CRC or
# header, a broken deflate/bzip2/lzma stream, a truncated member, an encrypted member
# (RuntimeError) or an unknown compression method (NotImplementedError).
# Damaged headers can also surface as a bad UTF-8 name (ValueError), a short field
# (struct.error) or an index past the end of a header (IndexError).
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError,
            NotImplementedError, IndexError, struct.error)


class ProblemKind(StrEnum):
    MISSING = "missing"
    EXTRA = "extra"
    ALTERED = "altered"
    INVALID = "invalid"  # the bag's own description is wrong (bagit.txt, Payload-Oxum …)


@dataclass(frozen=True, slots=True)
class PackageProblem:
    kind: ProblemKind
    path: str  # relative to the bag
    message: str


@dataclass(frozen=True, slots=True)
class PackageVerification:
    package: str
    bag_name: str
    files_checked: int
    bytes_checked: int
    bag_info: tuple[tuple[str, str], ...]
    problems: tuple[PackageProblem, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems

    def info(self, key: str) -> str:
        return next((v for k, v in self.bag_info if k.lower() == key.lower()), "")


def _decode_path(text: str) -> str:
    """Manifest paths percent-encode %, CR and LF (RFC 8493 §2.1.3)."""
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%0d", "\r") \
        .replace("%0a", "\n").replace("%25", "%")


def _parse_manifest(text: str, name: str) -> tuple[dict[str, str], list[PackageProblem]]:
    entries: dict[str, str] = {}
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip(" \t"):
            continue
        match = _MANIFEST_LINE.fullmatch(line.lstrip(" \t"))
        if match is None:
            problems.append(PackageProblem(ProblemKind.INVALID, name, _(
                "{file} line {line} is not '<hash> <path>'.").format(file=name, line=number)))
            continue
        entries[_decode_path(match.group(2))] = match.group(1).lower()
    return entries, problems


def _parse_bag_info(text: str) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for line in text.splitlines():
        if line[:1] in (" ", "\t") and items:
            key, value = items[-1]
            items[-1] = (key, f"{value} {line.strip()}")
        elif ":" in line:
            key, _sep, value = line.partition(":")
            items.append((key.strip(), value.strip()))
    return items


def _bag_root(names: list[str]) -> str:
    """The folder holding bagit.txt: the ZIP's root or its single top folder."""
    if "bagit.txt" in names:
        return ""
    candidates = {n.split("/", 1)[0] for n in names if n.count("/") == 1
                  and n.endswith("/bagit.txt")}
    if len(candidates) == 1:
        return candidates.pop() + "/"
    raise InvalidInputError(_("This ZIP file holds no BagIt bag (no bagit.txt at its top)."))


def verify_package(path: Path, *, progress: ProgressSink | None = None,
                   cancel: CancelToken | None = None) -> PackageVerification:
    """Check the package at `path`; raises InvalidInputError only if it is not a ZIP or
    not a bag at all (everything else is reported as problems)."""
    sink = progress or NullProgress()
    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(_("Package not found: {path}").format(path=path))
    try:
        zf = zipfile.ZipFile(path)
    except _DAMAGED as exc:
        raise InvalidInputError(_("{path} is not a readable ZIP file: {error}").format(
            path=path, error=exc)) from exc
    with zf:
        names = [i.filename for i in zf.infolist() if not i.is_dir()]
        root = _bag_root(names)
        files = {n[len(root):]: n for n in names if n.startswith(root)}
        outside = [n for n in names if not n.startswith(root)]
        problems: list[PackageProblem] = [
            PackageProblem(ProblemKind.EXTRA, n, _("{path}: extra file outside the bag.")
                           .format(path=n)) for n in outside]

        def read_text(name: str) -> str | None:
            if name not in files:
                return None
            try:
                return zf.read(files[name]).decode("utf-8-sig")
            except (*_DAMAGED, UnicodeDecodeError) as exc:
                problems.append(PackageProblem(ProblemKind.ALTERED, name, _(
                    "{path}: unreadable ({error}).").format(path=name, error=exc)))
                return None

        bagit = read_text("bagit.txt")
        if bagit is None or "BagIt-Version" not in bagit:
            problems.append(PackageProblem(ProblemKind.INVALID, "bagit.txt", _(
                "bagit.txt is missing or does not declare a BagIt version.")))
        bag_info = _parse_bag_info(read_text("bag-info.txt") or "")
        manifests = sorted(n for n in files if n.startswith("manifest-") and n.endswith(".txt"))
        tagmanifests = sorted(n for n in files if n.startswith("tagmanifest-")
                              and n.endswith(".txt"))
        if not manifests:
            problems.append(PackageProblem(ProblemKind.MISSING, "manifest-sha256.txt", _(
                "manifest-sha256.txt is missing: the payload cannot be checked.")))
        checks: list[tuple[str, str, str]] = []  # (path, algorithm, expected)
        listed: set[str] = set()
        for manifest in manifests + tagmanifests:
            algorithm = manifest.rsplit("-", 1)[1][:-4]
            if algorithm not in _ALGORITHMS:
                continue
            text = read_text(manifest)
            if text is None:
                continue
            entries, bad = _parse_manifest(text, manifest)
            problems += bad
            for item, digest in entries.items():
                checks.append((item, algorithm, digest))
                listed.add(item)
        total = sum(zf.getinfo(files[p]).file_size for p, _a, _d in checks if p in files)
        done = 0
        checked_files: set[str] = set()
        for item, algorithm, expected in checks:
            if cancel is not None:
                cancel.raise_if_cancelled()
            if item not in files:
                problems.append(PackageProblem(ProblemKind.MISSING, item, _(
                    "{path}: missing (listed in the manifest, not in the package).").format(
                    path=item)))
                continue

            def step(n: int, label: str = item) -> None:
                nonlocal done
                done += n
                sink.report(done, total, label)

            found = _hash_member(zf, files[item], algorithm, cancel, step)
            checked_files.add(item)
            if found is None:
                problems.append(PackageProblem(ProblemKind.ALTERED, item, _(
                    "{path}: altered (its content is damaged in the ZIP).").format(path=item)))
            elif found != expected:
                problems.append(PackageProblem(ProblemKind.ALTERED, item, _(
                    "{path}: altered ({algorithm} is {found}, the manifest says "
                    "{expected}).").format(path=item, algorithm=algorithm.upper(),
                                            found=found, expected=expected)))
        manifest_names = set(manifests) | set(tagmanifests)
        for item in sorted(files):
            if item in listed or item in manifest_names:
                continue
            where = _("in the payload") if PurePosixPath(item).parts[0] == "data" \
                else _("among the tag files")
            problems.append(PackageProblem(ProblemKind.EXTRA, item, _(
                "{path}: extra file {where}, not listed in any manifest.").format(
                path=item, where=where)))
        oxum = next((v for k, v in bag_info if k == "Payload-Oxum"), "")
        if oxum:
            payload = [p for p in files if p.startswith("data/")]
            actual = f"{sum(zf.getinfo(files[p]).file_size for p in payload)}.{len(payload)}"
            if actual != oxum:
                problems.append(PackageProblem(ProblemKind.INVALID, "bag-info.txt", _(
                    "Payload-Oxum in bag-info.txt is {recorded}, the payload is "
                    "{actual} (bytes.files).").format(recorded=oxum, actual=actual)))
        return PackageVerification(
            package=str(path), bag_name=root.rstrip("/"), files_checked=len(checked_files),
            bytes_checked=done, bag_info=tuple(bag_info),
            problems=tuple(sorted(problems, key=lambda p: (p.kind.value, p.path))))


def _hash_member(zf: zipfile.ZipFile, name: str, algorithm: str, cancel: CancelToken | None,
                 step: Callable[[int], None]) -> str | None:
    digest = _ALGORITHMS[algorithm]()
    try:
        with zf.open(name) as fh:
            while chunk := fh.read(CHUNK):
                if cancel is not None:
                    cancel.raise_if_cancelled()
                digest.update(chunk)
                step(len(chunk))
    except _DAMAGED:
        return None  # a CRC error or a truncated member: the bytes were changed in the ZIP
    return digest.hexdigest()
