"""What goes into the PyInstaller bundle: data files, hidden imports, exclusions, version info.

Kept apart from ``caseapp.spec`` so that tests can check it without running PyInstaller.
Paths are relative to the repository root; a bundle keeps the package layout, so
``resources/x`` ends up as ``caseapp/resources/x`` (the ``caseapp.resources`` package).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DataFiles:
    pattern: str  # glob relative to the repository root
    what: str
    required: bool = True  # the build fails when a required pattern matches nothing


DATA_FILES: tuple[DataFiles, ...] = (
    DataFiles("resources/__init__.py", "the caseapp.resources package itself"),
    DataFiles("resources/translations/*/LC_MESSAGES/*.mo", "compiled translations (gettext)"),
    DataFiles("resources/icons/*.png", "application icon (window)"),
    DataFiles("resources/icons/*.ico", "application icon (Windows)"),
    DataFiles("resources/icons/*.svg", "icons drawn as SVG", required=False),
    DataFiles("resources/rules/*.json", "claim rules shipped with the app"),
    DataFiles("resources/demo/*", "demo case files and demo complaints"),
    DataFiles("resources/fonts/*", "fonts embedded in exports, with their licences",
              required=False),
    DataFiles("resources/templates/*", "export templates", required=False),
    DataFiles("resources/docs/*.md", "documents shown in the app (exchange threat model)"),
    DataFiles("caseapp/db/migrations/env.py", "Alembic environment (read as a file)"),
    DataFiles("caseapp/db/migrations/script.py.mako", "Alembic revision template"),
    DataFiles("caseapp/db/migrations/versions/*.py", "Alembic migrations (read as files)"),
)

# Files under resources/ that are sources for development, not read at run time.
DEVELOPMENT_ONLY = ("*.po", "*.pot", "__pycache__/*", "*.pyc")

# Imported by name at run time (entry points, dialects, a driver's compiled half).
HIDDEN_IMPORTS: tuple[str, ...] = (
    "sqlalchemy.dialects.sqlite.pysqlite",
    "sqlalchemy.dialects.postgresql.psycopg",
    "psycopg",
    "psycopg_binary",
    "python_calamine",
    "charset_normalizer",
    "platformdirs",
)

# Third-party packages whose own data files must be collected into the bundle.
DATA_PACKAGES: tuple[str, ...] = ("docx", "reportlab", "stdnum")

# Qt modules the app may use when installed (PySide6-Addons / PySide6-Pdf): their plugins
# (multimedia back ends, the PDF image format) come with them.
OPTIONAL_QT_MODULES: tuple[str, ...] = (
    "QtMultimedia",
    "QtMultimediaWidgets",
    "QtPdf",
    "QtPdfWidgets",
    "QtSvg",
)

# Not needed at run time: other Qt bindings, QML/Quick and WebEngine (large), GUI toolkits,
# and development tools that may sit in the build environment.
EXCLUDED_MODULES: tuple[str, ...] = (
    "tkinter",
    "PyQt5",
    "PyQt6",
    "PySide2",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuickWidgets",
    "PySide6.QtQuickControls2",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtWebChannel",
    "PySide6.QtDesigner",
    "PySide6.QtTest",
    "pytest",
    "_pytest",
    "hypothesis",
    "atheris",
    "babel",
    "openpyxl",
    "datasketch",
    "importlinter",
    "yaml",
    "IPython",
)


def matches(root: Path, pattern: str) -> list[Path]:
    return sorted(p for p in root.glob(pattern) if p.is_file() and "__pycache__" not in p.parts)


def bundle_dir(relative: Path) -> str:
    """Where a repository file goes inside the bundle (a folder, as PyInstaller wants it)."""
    parts = relative.parent.parts
    if parts and parts[0] == "resources":
        parts = ("caseapp", "resources", *parts[1:])
    return "/".join(parts) or "."


def data_file_pairs(root: Path) -> list[tuple[str, str]]:
    """(source file, destination folder) for every data file; raises when a required kind of
    file is missing, so that a broken checkout cannot build a broken bundle."""
    pairs: list[tuple[str, str]] = []
    missing = []
    for entry in DATA_FILES:
        found = matches(root, entry.pattern)
        if not found and entry.required:
            missing.append(f"{entry.pattern} ({entry.what})")
        for path in found:
            pairs.append((str(path), bundle_dir(path.relative_to(root))))
    if missing:
        raise SystemExit("data files missing: " + "; ".join(missing))
    return pairs


def installed_optional_qt_modules() -> list[str]:
    return [m for m in OPTIONAL_QT_MODULES
            if importlib.util.find_spec(f"PySide6.{m}") is not None]


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """``0.1.0`` -> (0, 1, 0, 0); pre-release tags are dropped (Windows wants four numbers)."""
    numbers: list[int] = []
    for part in version.split(".")[:4]:
        digits = ""
        for char in part:
            if not char.isdigit():
                break
            digits += char
        numbers.append(int(digits or 0))
    while len(numbers) < 4:
        numbers.append(0)
    return numbers[0], numbers[1], numbers[2], numbers[3]


def version_file_text(version: str) -> str:
    """A PyInstaller version resource (``EXE(version=...)``), in English and Chinese."""
    numbers = version_tuple(version)
    strings = {
        "040904B0": {
            "CompanyName": "caseapp",
            "FileDescription": "caseapp - case management for investigators",
            "ProductName": "caseapp",
        },
        "080404B0": {
            "CompanyName": "caseapp",
            "FileDescription": "caseapp 案件管理",
            "ProductName": "caseapp 案件管理",
        },
    }
    tables = []
    for code, values in strings.items():
        values = {
            **values,
            "FileVersion": version,
            "ProductVersion": version,
            "InternalName": "caseapp",
            "OriginalFilename": "caseapp.exe",
            "LegalCopyright": "caseapp",
        }
        structs = ", ".join(f"StringStruct({k!r}, {v!r})" for k, v in values.items())
        tables.append(f"StringTable({code!r}, [{structs}])")
    return (
        "VSVersionInfo(\n"
        f"  ffi=FixedFileInfo(filevers={numbers}, prodvers={numbers}, mask=0x3f, flags=0x0,\n"
        "                    OS=0x40004, fileType=0x1, subtype=0x0, date=(0, 0)),\n"
        "  kids=[\n"
        f"    StringFileInfo([{', '.join(tables)}]),\n"
        "    VarFileInfo([VarStruct('Translation', [0x0409, 1200, 0x0804, 1200])]),\n"
        "  ]\n"
        ")\n"
    )


def write_version_file(path: Path, version: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(version_file_text(version), encoding="utf-8")
