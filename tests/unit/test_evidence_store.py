"""The content-addressed evidence store, on real files."""

from __future__ import annotations

import hashlib
import io
import stat
import zipfile
from pathlib import Path

import pytest

from caseapp.domain.errors import Cancelled, InvalidInputError
from caseapp.domain.progress import CancelToken
from caseapp.storage.evidence_store import (
    CHUNK_SIZE,
    EvidenceStore,
    FileState,
    detect_media_type,
)


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[int, int | None]] = []

    def report(self, done: int, total: int | None, label: str = "") -> None:
        self.calls.append((done, total))


def test_put_layout_hash_and_read_only(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path / "evidence")
    data = b"x" * (CHUNK_SIZE * 2 + 17)
    src = tmp_path / "big.bin"
    src.write_bytes(data)
    progress = Recorder()
    stored = store.put_file(src, progress=progress)
    sha = hashlib.sha256(data).hexdigest()
    assert stored.sha256 == sha and stored.size == len(data) and stored.created
    assert stored.path == tmp_path / "evidence" / sha[:2] / sha[2:4] / sha
    assert stored.path.read_bytes() == data
    assert not stored.path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert progress.calls[-1] == (len(data), len(data)) and len(progress.calls) == 3
    assert src.read_bytes() == data  # the source is untouched


def test_same_content_stored_once(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path / "e")
    first = store.put_stream(io.BytesIO(b"same"))
    second = store.put_stream(io.BytesIO(b"same"))
    assert first.created and not second.created and first.path == second.path
    assert list(store.iter_stored()) == [first.sha256]
    assert list((tmp_path / "e" / "tmp").iterdir()) == []


def test_cancel_leaves_no_file(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path / "e")
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        store.put_stream(io.BytesIO(b"abc" * 1000), cancel=token)
    assert list(store.iter_stored()) == []
    assert list((tmp_path / "e" / "tmp").iterdir()) == []


def test_missing_source_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"nope\.png"):
        EvidenceStore(tmp_path).put_file(tmp_path / "nope.png")


def test_check_reports_ok_altered_missing(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path / "e")
    stored = store.put_stream(io.BytesIO(b"original"))
    assert store.check(stored.sha256).state is FileState.OK
    stored.path.chmod(0o600)
    stored.path.write_bytes(b"originaL")
    altered = store.check(stored.sha256)
    assert altered.state is FileState.ALTERED
    assert altered.observed_sha256 == hashlib.sha256(b"originaL").hexdigest()
    store.remove(stored.sha256)
    assert store.check(stored.sha256).state is FileState.MISSING


def test_orphans_and_temp_cleanup(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path / "e")
    a = store.put_stream(io.BytesIO(b"a"))
    b = store.put_stream(io.BytesIO(b"b"))
    assert store.orphans([a.sha256]) == [b.sha256]
    leftover = tmp_path / "e" / "tmp" / "incoming-x"
    leftover.write_bytes(b"half")
    assert store.clean_temp(older_than_s=0) == [leftover]


def test_path_for_rejects_non_digests(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        EvidenceStore(tmp_path).path_for("../../etc/passwd")


def _zip_bytes(names: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in names:
            zf.writestr(name, "<x/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "x.txt", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "x.bin", "image/jpeg"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "contract", "application/pdf"),
        (b"ID3\x03\x00\x00\x00\x00\x00\x00", "call", "audio/mpeg"),
        ("微信聊天记录：对方收取定金500元".encode("gb18030"), "chat.dat", "text/plain"),
        ("微信聊天记录".encode(), "chat.csv", "text/csv"),
        (b"", "empty.png", "application/x-empty"),
        (b"\x00\x01\x02\x03binary", "unknown", "application/octet-stream"),
    ],
)
def test_media_type_from_content(head: bytes, name: str, expected: str) -> None:
    assert detect_media_type(head, name) == expected


def test_media_type_office_and_zip_from_content() -> None:
    docx = _zip_bytes(["[Content_Types].xml", "word/document.xml"])
    assert detect_media_type(docx, "letter.bin") == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert detect_media_type(_zip_bytes(["a.txt"]), "letter.docx") == "application/zip"
