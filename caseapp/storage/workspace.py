"""Where caseapp keeps its data: the workspace folder, its settings and the database URL.

Precedence (highest first): command-line option, environment variable, the workspace's
``settings.json``, the built-in default.
"""

from __future__ import annotations

import getpass
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from caseapp.domain.errors import InvalidInputError
from caseapp.i18n import _
from caseapp.storage.paths import sqlite_url

APP_NAME = "caseapp"
ENV_WORKSPACE = "CASEAPP_WORKSPACE"
ENV_DATABASE_URL = "CASEAPP_DATABASE_URL"
ENV_USER = "CASEAPP_USER"
SETTINGS_FILE = "settings.json"
DB_FILE = "caseapp.db"
EVIDENCE_DIR = "evidence"


def default_workspace() -> Path:
    return platformdirs.user_data_path(APP_NAME, appauthor=False, roaming=False)


@dataclass(frozen=True)
class Workspace:
    root: Path
    database_url: str
    evidence_dir: Path
    user_name: str
    settings: dict[str, Any]

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def read_settings(root: Path) -> dict[str, Any]:
    path = root / SETTINGS_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInputError(
            _("Cannot read the settings file {path}: {error}").format(path=path, error=exc)
        ) from exc
    if not isinstance(data, dict):
        raise InvalidInputError(
            _("The settings file {path} must hold a JSON object.").format(path=path)
        )
    return data


def write_settings(root: Path, settings: dict[str, Any]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    path = root / SETTINGS_FILE
    temp = path.with_suffix(".json.tmp")
    temp.write_text(json.dumps(settings, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(temp, path)


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def resolve_workspace(
    workspace: str | os.PathLike[str] | None = None, database_url: str | None = None
) -> Workspace:
    """Work out the workspace folder, database URL, evidence folder and user name, and
    create the folders for a local workspace."""
    root_text = workspace or os.environ.get(ENV_WORKSPACE) or None
    root = Path(root_text).expanduser() if root_text else default_workspace()
    root = root.resolve()
    settings = read_settings(root)
    url = database_url or os.environ.get(ENV_DATABASE_URL) or settings.get("database_url")
    if not url:
        url = sqlite_url(root / DB_FILE)
    evidence = Path(settings.get("evidence_dir") or root / EVIDENCE_DIR).expanduser()
    user = os.environ.get(ENV_USER) or settings.get("user_name") or os_user()
    root.mkdir(parents=True, exist_ok=True)
    evidence.mkdir(parents=True, exist_ok=True)
    return Workspace(root, url, evidence, user, settings)
