"""Where caseapp keeps its data: the workspace folder, its settings and the database URL.

Precedence (highest first): command-line option, environment variable, the workspace's
``settings.json`` (the workspace folder itself: the user's ``workspace.json`` pointer written
by the settings dialog), the built-in default.

:class:`Settings` is the typed view of ``settings.json``: what the investigator sets in the
settings dialog. Keys this version does not know are kept when the file is written again.
"""

from __future__ import annotations

import getpass
import json
import os
from dataclasses import dataclass, fields, replace
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
LOCATION_FILE = "workspace.json"
DB_FILE = "caseapp.db"
EVIDENCE_DIR = "evidence"


def default_workspace() -> Path:
    return platformdirs.user_data_path(APP_NAME, appauthor=False, roaming=False)


@dataclass(frozen=True)
class Settings:
    """The investigator's settings, stored in the workspace's ``settings.json``.

    Empty strings mean "not set": the database is the workspace's SQLite file, the evidence
    folder is ``evidence/`` inside the workspace, the investigator is the system user and the
    language follows the system locale (Simplified Chinese on a Chinese system, else English).
    """

    organisation: str = ""
    investigator: str = ""
    database_url: str = ""
    evidence_dir: str = ""
    language: str = ""  # "", "zh_CN" or "en"
    redact_by_default: bool = True  # mask customers' ID numbers and phones in exports

    # The JSON key of each field (``user_name`` predates the settings dialog).
    KEYS = {"organisation": "organisation", "investigator": "user_name",  # noqa: RUF012
            "database_url": "database_url", "evidence_dir": "evidence_dir",
            "language": "language", "redact_by_default": "redact_by_default"}
    LANGUAGES = ("", "zh_CN", "en")

    @classmethod
    def from_json(cls, data: dict[str, Any], *, source: str = SETTINGS_FILE) -> Settings:
        values: dict[str, Any] = {}
        for f in fields(cls):
            key = cls.KEYS[f.name]
            if key not in data or data[key] is None:
                continue
            value = data[key]
            expected = bool if f.name == "redact_by_default" else str
            if not isinstance(value, expected):
                raise InvalidInputError(
                    _("{file}: the setting \"{key}\" must be {kind}.").format(
                        file=source, key=key,
                        kind=_("true or false") if expected is bool else _("text")))
            values[f.name] = value.strip() if isinstance(value, str) else value
        language = values.get("language", "")
        if language not in cls.LANGUAGES:
            raise InvalidInputError(
                _("{file}: unknown language \"{value}\" (use zh_CN or en).").format(
                    file=source, value=language))
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        return {self.KEYS[f.name]: getattr(self, f.name) for f in fields(self)}

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def load_settings(root: Path) -> Settings:
    """The typed settings of the workspace at ``root`` (defaults when there is no file)."""
    return Settings.from_json(read_settings(root), source=str(root / SETTINGS_FILE))


def save_settings(root: Path, settings: Settings) -> None:
    """Write ``settings`` into the workspace's ``settings.json``, keeping unknown keys."""
    data = read_settings(root)
    data.update(settings.to_json())
    write_settings(root, data)


def location_file() -> Path:
    """The user's pointer to the workspace folder chosen in the settings dialog."""
    return platformdirs.user_config_path(APP_NAME, appauthor=False, roaming=True) / LOCATION_FILE


def remembered_workspace() -> Path | None:
    """The workspace folder chosen in the settings dialog, if any (an unreadable pointer is
    ignored: the default workspace is used instead of refusing to start)."""
    path = location_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    folder = data.get("workspace") if isinstance(data, dict) else None
    return Path(folder).expanduser() if isinstance(folder, str) and folder.strip() else None


def remember_workspace(folder: Path | None) -> None:
    """Use ``folder`` as the workspace from the next start on (None: the default again)."""
    path = location_file()
    if folder is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".json.tmp")
    temp.write_text(json.dumps({"workspace": str(folder)}, ensure_ascii=False, indent=2),
                    encoding="utf-8")
    os.replace(temp, path)


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

    @property
    def preferences(self) -> Settings:
        """The typed settings read from the workspace's ``settings.json``."""
        return Settings.from_json(self.settings, source=str(self.root / SETTINGS_FILE))


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
    root = Path(root_text).expanduser() if root_text else (
        remembered_workspace() or default_workspace())
    root = root.resolve()
    settings = read_settings(root)
    Settings.from_json(settings, source=str(root / SETTINGS_FILE))  # refuse bad values early
    url = database_url or os.environ.get(ENV_DATABASE_URL) or settings.get("database_url")
    if not url:
        url = sqlite_url(root / DB_FILE)
    evidence = Path(settings.get("evidence_dir") or root / EVIDENCE_DIR).expanduser()
    user = os.environ.get(ENV_USER) or settings.get("user_name") or os_user()
    root.mkdir(parents=True, exist_ok=True)
    evidence.mkdir(parents=True, exist_ok=True)
    return Workspace(root, url, evidence, user, settings)
