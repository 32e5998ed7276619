"""File names and paths that must work on Windows: the sanitiser, unique names, SQLite URLs of
workspaces with unusual folder names, and a temporary-file clean-up that cannot stop a start."""

from __future__ import annotations

import os
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import make_url

from caseapp.app import open_app
from caseapp.storage.evidence_store import EvidenceStore
from caseapp.storage.paths import (
    DEFAULT_MAX_BYTES,
    UniqueNames,
    extended_path,
    is_device_name,
    path_problems,
    safe_file_name,
    sqlite_url,
    windows_key,
)

WINDOWS_FORBIDDEN = set('<>:"/\\|?*') | {chr(c) for c in range(32)}


@pytest.mark.parametrize(("name", "expected"), [
    ("微信聊天记录 2025-03-04.png", "微信聊天记录 2025-03-04.png"),  # Chinese and spaces stay
    ("a:b", "a：b"),
    ("证据:微信/截图?.png", "证据：微信／截图？.png"),
    ('say "hi" <now> | *', "say ＂hi＂ ＜now＞ ｜ ＊"),
    ("CON", "_CON"),
    ("con.txt", "_con.txt"),
    ("Com1.tar.gz", "_Com1.tar.gz"),
    ("LPT9", "_LPT9"),
    ("COM¹.txt", "_COM¹.txt"),
    ("NUL .txt", "_NUL.txt"),
    ("CONSOLE.txt", "CONSOLE.txt"),  # only the exact device names
    ("report.", "report"),
    ("report...  ", "report"),
    ("  leading", "leading"),
    ("", "file"),
    (".", "file"),
    ("..", "file"),
    ("...", "file"),
    ("tab\there\nnew", "tabherenew"),
    (".hidden", ".hidden"),
])
def test_safe_file_name(name: str, expected: str) -> None:
    assert safe_file_name(name) == expected


def test_long_names_keep_their_extension_and_whole_characters() -> None:
    name = "关于代理维权投诉的证据材料" * 30 + ".pdf"
    safe = safe_file_name(name)
    assert safe.endswith(".pdf")
    assert len(safe.encode("utf-8")) <= DEFAULT_MAX_BYTES
    assert safe[:-4] and name.startswith(safe[:-4])
    # An absurd "extension" is not kept at the expense of the name.
    odd = safe_file_name("a." + "x" * 300)
    assert len(odd.encode()) <= DEFAULT_MAX_BYTES and odd.startswith("a.")


def test_device_names() -> None:
    assert is_device_name("aux.log") and is_device_name("PRN") and is_device_name("conin$")
    assert not is_device_name("auxiliary") and not is_device_name("com10")


def test_unique_names_compare_like_windows() -> None:
    names = UniqueNames()
    assert names.claim("截图.png") == "截图.png"
    assert names.claim("截图.png") == "截图 (2).png"
    assert names.claim("截图.PNG") == "截图 (3).PNG"
    assert names.claim("a:b") == "a：b"
    assert names.claim("a：b") == "a：b (2)"
    assert names.claim("CON") == "_CON"
    long = "长" * 200 + ".txt"
    first, second = names.claim(long), names.claim(long)
    assert first != second and second.endswith(" (2).txt")
    assert max(len(first.encode()), len(second.encode())) <= DEFAULT_MAX_BYTES
    # Composed and decomposed forms of one name are the same name.
    assert windows_key("é") == windows_key(unicodedata.normalize("NFD", "é"))


names_text = st.text(
    st.characters(blacklist_categories=("Cs",)) | st.sampled_from(list('<>:"/\\|?* .')),
    max_size=80)


@settings(max_examples=300, deadline=None)
@given(names_text)
def test_sanitised_names_are_valid_and_stable(name: str) -> None:
    safe = safe_file_name(name)
    assert safe and safe not in (".", "..")
    assert not set(safe) & WINDOWS_FORBIDDEN
    assert not safe.endswith((".", " "))
    assert not is_device_name(safe)
    assert len(safe.encode("utf-8")) <= DEFAULT_MAX_BYTES
    assert safe_file_name(safe) == safe  # idempotent
    assert path_problems(safe) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(names_text, min_size=1, max_size=8))
def test_sanitised_names_can_be_written(tmp_path_factory: pytest.TempPathFactory,
                                        raw: list[str]) -> None:
    folder = tmp_path_factory.mktemp("names")
    names = UniqueNames()
    for index, name in enumerate(raw):
        target = folder / names.claim(name)
        target.write_bytes(str(index).encode())
    assert len(list(folder.iterdir())) == len(raw)


def test_path_problems_name_each_bad_part() -> None:
    assert path_problems("案件/证据 材料/截图.png") == []
    assert path_problems("exports/CON/a:b.txt") == ["CON", "a:b.txt"]
    deep = "/".join(["很长的文件夹名称"] * 40)
    assert path_problems(deep)[-1].startswith("length>")


def test_extended_path_only_changes_long_windows_paths() -> None:
    short = os.path.join("a", "b.txt")
    assert extended_path(short) == short
    if os.name != "nt":
        long = "/" + "x" * 400
        assert extended_path(long) == long


@pytest.mark.parametrize("folder", ["案件 工作区", "100% done", "what?#1", "a%20b"])
def test_sqlite_url_round_trips_odd_folder_names(tmp_path: Path, folder: str) -> None:
    path = tmp_path / folder / "caseapp.db"
    assert make_url(sqlite_url(path)).database == path.as_posix()


@pytest.mark.parametrize("folder", ["ws 100%", "ws?x", "工作 区 #2"])
def test_workspace_in_an_odd_folder_keeps_its_database_inside(tmp_path: Path,
                                                              folder: str) -> None:
    root = tmp_path / folder
    with open_app(root, actor="t") as app:
        app.cases.create(title="放在正确的位置")
        assert make_url(app.workspace.database_url).database == (root / "caseapp.db").as_posix()
    assert (root / "caseapp.db").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder]  # nothing beside it


def test_clean_temp_skips_a_file_it_cannot_delete(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    store = EvidenceStore(tmp_path / "evidence")
    temp_dir = store.root / "tmp"
    temp_dir.mkdir(parents=True)
    busy, stale = temp_dir / "incoming-busy", temp_dir / "incoming-stale"
    for item in (busy, stale):
        item.write_bytes(b"partial")
        old = time.time() - 7200
        os.utime(item, (old, old))
    real_unlink = Path.unlink

    def unlink(self: Path, missing_ok: bool = False) -> None:
        if self.name == busy.name:  # as Windows refuses for a file another process holds open
            raise PermissionError(13, "The process cannot access the file", str(self))
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)
    removed = store.clean_temp()
    assert removed == [stale]
    assert busy.exists() and not stale.exists()
