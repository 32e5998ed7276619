"""Where the workspace, database and user name come from, in order of precedence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caseapp.domain.errors import InvalidInputError
from caseapp.storage.workspace import default_workspace, resolve_workspace


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("CASEAPP_WORKSPACE", "CASEAPP_DATABASE_URL", "CASEAPP_USER"):
        monkeypatch.delenv(name, raising=False)
    # no workspace remembered by the settings dialog of whoever runs the tests
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def test_defaults_under_user_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_workspace() == tmp_path / "data" / "caseapp"
    ws = resolve_workspace()
    assert ws.root == tmp_path / "data" / "caseapp"
    assert ws.database_url == f"sqlite:///{(ws.root / 'caseapp.db').as_posix()}"
    assert ws.evidence_dir == ws.root / "evidence" and ws.evidence_dir.is_dir()
    assert ws.is_sqlite


def test_option_beats_environment_beats_settings(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "settings.json").write_text(json.dumps({
        "database_url": "sqlite:///from-settings.db", "user_name": "设置用户",
        "evidence_dir": str(tmp_path / "shared-evidence")}), encoding="utf-8")
    ws = resolve_workspace(root)
    assert ws.database_url == "sqlite:///from-settings.db"
    assert ws.user_name == "设置用户"
    assert ws.evidence_dir == tmp_path / "shared-evidence"
    monkeypatch.setenv("CASEAPP_DATABASE_URL", "sqlite:///from-env.db")
    monkeypatch.setenv("CASEAPP_USER", "env-user")
    ws = resolve_workspace(root)
    assert ws.database_url == "sqlite:///from-env.db" and ws.user_name == "env-user"
    ws = resolve_workspace(root, "sqlite:///from-option.db")
    assert ws.database_url == "sqlite:///from-option.db"
    monkeypatch.setenv("CASEAPP_WORKSPACE", str(tmp_path / "env-ws"))
    assert resolve_workspace().root == tmp_path / "env-ws"
    assert resolve_workspace(root).root == root


def test_broken_settings_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"settings\.json"):
        resolve_workspace(tmp_path)
