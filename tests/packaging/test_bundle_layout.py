"""The PyInstaller spec's inputs: every run-time data file listed, version info, exclusions."""

from __future__ import annotations

import ast
import fnmatch
import importlib.util
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "packaging"))

import bundle_layout  # noqa: E402
from bundle_layout import (  # noqa: E402
    DATA_FILES,
    DEVELOPMENT_ONLY,
    EXCLUDED_MODULES,
    bundle_dir,
    data_file_pairs,
    version_file_text,
    version_tuple,
)


def _runtime_files() -> list[Path]:
    """What the app reads at run time from its own folders."""
    files = [p for p in (REPO / "resources").rglob("*") if p.is_file()]
    files += [p for p in (REPO / "caseapp" / "db" / "migrations").rglob("*")
              if p.is_file() and p.suffix in (".py", ".mako") and p.name != "__init__.py"]
    return [p for p in files
            if not any(fnmatch.fnmatch(p.name, pattern) or "__pycache__" in p.parts
                       for pattern in DEVELOPMENT_ONLY)]


def test_every_runtime_data_file_is_listed() -> None:
    listed = {Path(source) for source, _dest in data_file_pairs(REPO)}
    missing = [str(p.relative_to(REPO)) for p in _runtime_files() if p not in listed]
    assert not missing, f"add these to DATA_FILES in packaging/bundle_layout.py: {missing}"


def test_data_files_keep_the_package_layout() -> None:
    pairs = {Path(s).relative_to(REPO).as_posix(): d for s, d in data_file_pairs(REPO)}
    assert pairs["resources/__init__.py"] == "caseapp/resources"
    assert pairs["resources/translations/zh_CN/LC_MESSAGES/caseapp.mo"] == \
        "caseapp/resources/translations/zh_CN/LC_MESSAGES"
    assert pairs["resources/demo/complaints_demo.csv"] == "caseapp/resources/demo"
    assert pairs["caseapp/db/migrations/env.py"] == "caseapp/db/migrations"
    versions = [k for k in pairs if k.startswith("caseapp/db/migrations/versions/")]
    assert versions and all(pairs[k] == "caseapp/db/migrations/versions" for k in versions)
    assert not any(k.endswith((".po", ".pot")) for k in pairs)
    assert bundle_dir(Path("resources/fonts/x.ttf")) == "caseapp/resources/fonts"


def test_a_missing_required_kind_of_file_stops_the_build(tmp_path: Path) -> None:
    (tmp_path / "resources").mkdir()
    with pytest.raises(SystemExit, match="compiled translations"):
        data_file_pairs(tmp_path)


def test_every_kind_of_data_file_is_there_in_this_checkout() -> None:
    required = [d for d in DATA_FILES if d.required]
    assert all(bundle_layout.matches(REPO, d.pattern) for d in required)


@pytest.mark.parametrize(("text", "numbers"), [
    ("0.1.0", (0, 1, 0, 0)), ("1.2.3.4", (1, 2, 3, 4)), ("2.0rc1", (2, 0, 0, 0)),
    ("1.10.0.dev3", (1, 10, 0, 0)),
])
def test_version_tuple(text: str, numbers: tuple[int, ...]) -> None:
    assert version_tuple(text) == numbers


class _Recorded:
    """Stands in for PyInstaller's version-info classes where they cannot load (not Windows)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, *args: object, **kwargs: object) -> dict[str, object]:
        return {"class": self.name, "args": args, **kwargs}


def test_version_resource_is_what_pyinstaller_reads(tmp_path: Path) -> None:
    from caseapp import __version__

    path = tmp_path / "version_info.txt"
    bundle_layout.write_version_file(path, __version__)
    numbers = version_tuple(__version__)
    try:  # PyInstaller's own loader and encoder (Windows only)
        from PyInstaller.utils.win32 import versioninfo
    except ImportError:
        names = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable",
                 "StringStruct", "VarFileInfo", "VarStruct")
        info = eval(path.read_text(encoding="utf-8"), {n: _Recorded(n) for n in names})
        assert info["ffi"]["filevers"] == numbers == info["ffi"]["prodvers"]
        tables = info["kids"][0]["args"][0]
        assert [t["args"][0] for t in tables] == ["040904B0", "080404B0"]
        chinese = {s["args"][0]: s["args"][1] for s in tables[1]["args"][1]}
        assert chinese["FileDescription"] == "caseapp 案件管理"
        assert chinese["ProductVersion"] == __version__
        assert chinese["OriginalFilename"] == "caseapp.exe"
        assert info["kids"][1]["args"][0][0]["args"] == ("Translation",
                                                          [0x0409, 1200, 0x0804, 1200])
    else:
        info = versioninfo.load_version_info_from_text_file(str(path))
        assert info.ffi.fileVersionMS >> 16 == numbers[0]
        assert "案件管理".encode("utf-16-le") in info.toRaw()


def test_version_text_is_a_python_expression() -> None:
    tree = ast.parse(version_file_text("0.1.0"), mode="eval")
    assert isinstance(tree.body, ast.Call) and tree.body.func.id == "VSVersionInfo"  # type: ignore[attr-defined]


def test_the_spec_builds_both_programs_from_existing_files() -> None:
    spec = (REPO / "packaging" / "caseapp.spec").read_text(encoding="utf-8")
    ast.parse(spec)
    for name in ("entry_gui.py", "entry_cli.py", "bundle_layout.py", "make_icon.py"):
        assert (REPO / "packaging" / name).is_file()
        assert name.removesuffix(".py") in spec
    assert 'name="caseapp"' in spec and 'name="caseapp-cli"' in spec
    assert "console=False" in spec and "console=True" in spec  # windowed app, console CLI
    assert "COLLECT(" in spec and "onefile" not in spec.lower().replace("one folder", "")
    assert '("X utf8", None, "OPTION")' in spec
    assert "icon=str(ICON)" in spec and "version=version_file" in spec


def test_entry_points_call_the_installed_mains() -> None:
    gui = (REPO / "packaging" / "entry_gui.py").read_text(encoding="utf-8")
    cli = (REPO / "packaging" / "entry_cli.py").read_text(encoding="utf-8")
    assert "from caseapp.ui.app import main" in gui
    assert "from caseapp.cli.main import main" in cli


def test_the_app_does_not_import_what_the_bundle_leaves_out() -> None:
    """An import of an excluded module would fail only in the bundle; the only allowed ones
    are optional fallbacks and development tools, each behind a try or in a dev command."""
    allowed = {
        ("caseapp/importers/sources.py", "openpyxl"),  # fallback when calamine is missing
        ("caseapp/i18n.py", "babel"),  # python -m caseapp.i18n (development)
        ("caseapp/analysis/bench.py", "datasketch"),  # the benchmark, not part of the app
    }
    offenders = []
    for path in (REPO / "caseapp").rglob("*.py"):
        relative = path.relative_to(REPO).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            for name in names:
                for excluded in EXCLUDED_MODULES:
                    if (name == excluded or name.startswith(excluded + ".")) \
                            and (relative, excluded.split(".")[0].lower()) not in allowed:
                        offenders.append(f"{relative}: {name}")
    assert not offenders


def test_hidden_imports_exist() -> None:
    for module in bundle_layout.HIDDEN_IMPORTS:
        if module.startswith("psycopg_binary") and importlib.util.find_spec("psycopg_binary") \
                is None:
            continue  # a pure-Python psycopg install
        assert importlib.util.find_spec(module) is not None, module


def test_packaging_readme_names_the_commands() -> None:
    text = (REPO / "packaging" / "README.md").read_text(encoding="utf-8")
    for command in ("build_bundle.py", "caseapp.spec", "caseapp.iss", "--self-test",
                    "make_icon.py"):
        assert re.search(re.escape(command), text), command
