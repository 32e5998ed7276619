"""Typed settings in the workspace's settings.json, the remembered workspace folder, and the
choice of the desktop language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caseapp.domain.errors import InvalidInputError
from caseapp.i18n import choose_language
from caseapp.storage.workspace import (
    Settings,
    load_settings,
    location_file,
    remember_workspace,
    remembered_workspace,
    resolve_workspace,
    save_settings,
)


@pytest.fixture(autouse=True)
def private_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    for name in ("CASEAPP_WORKSPACE", "CASEAPP_DATABASE_URL", "CASEAPP_USER"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_and_round_trip(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert load_settings(root) == Settings()
    assert Settings().redact_by_default is True and Settings().language == ""
    settings = Settings(organisation="某银行消保部", investigator="李调查", language="zh_CN",
                        redact_by_default=False, database_url="sqlite:///x.db")
    save_settings(root, settings)
    assert load_settings(root) == settings
    data = json.loads((root / "settings.json").read_text(encoding="utf-8"))
    assert data["user_name"] == "李调查"  # the key the workspace has always read
    ws = resolve_workspace(root)
    assert ws.user_name == "李调查" and ws.database_url == "sqlite:///x.db"
    assert ws.preferences == settings


def test_unknown_keys_are_kept(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text(json.dumps({"export_font": "WenQuanYi",
                                                        "organisation": "甲"}),
                                            encoding="utf-8")
    save_settings(tmp_path, load_settings(tmp_path).with_changes(organisation="乙"))
    data = json.loads((tmp_path / "settings.json").read_text(encoding="utf-8"))
    assert data["export_font"] == "WenQuanYi" and data["organisation"] == "乙"


@pytest.mark.parametrize(("data", "needle"), [
    ({"organisation": 5}, '"organisation" must be text'),
    ({"redact_by_default": "yes"}, '"redact_by_default" must be true or false'),
    ({"language": "fr"}, 'unknown language "fr"'),
])
def test_bad_values_are_named(tmp_path: Path, data: dict[str, object], needle: str) -> None:
    (tmp_path / "settings.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"settings\.json") as info:
        load_settings(tmp_path)
    assert needle in str(info.value)
    with pytest.raises(InvalidInputError):
        resolve_workspace(tmp_path)


def test_remembered_workspace_is_the_default(tmp_path: Path) -> None:
    assert remembered_workspace() is None
    chosen = tmp_path / "elsewhere"
    remember_workspace(chosen)
    assert location_file().is_relative_to(tmp_path / "config")
    assert remembered_workspace() == chosen
    assert resolve_workspace().root == chosen.resolve()
    # an explicit folder still wins
    assert resolve_workspace(tmp_path / "explicit").root == (tmp_path / "explicit").resolve()
    remember_workspace(None)
    assert remembered_workspace() is None
    assert resolve_workspace().root == (tmp_path / "data" / "caseapp").resolve()
    location_file().parent.mkdir(parents=True, exist_ok=True)
    location_file().write_text("{broken", encoding="utf-8")
    assert remembered_workspace() is None  # ignored, not fatal


@pytest.mark.parametrize(("preference", "system", "chosen"), [
    ("", "zh_CN", "zh_CN"),
    ("", "zh_TW", "zh_CN"),
    ("", "Chinese (Simplified)_China", "zh_CN"),
    ("", "en_US", "en"),
    ("", "de_DE", "en"),
    ("", "", "en"),
    ("en", "zh_CN", "en"),
    ("zh_CN", "en_GB", "zh_CN"),
    ("zh-CN", "en_GB", "zh_CN"),
    ("fr", "zh_CN", "en"),
])
def test_desktop_language(preference: str, system: str, chosen: str) -> None:
    assert choose_language(preference, system) == chosen
