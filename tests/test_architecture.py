"""The core runs without Qt, and only caseapp.ui imports PySide6."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CORE_MODULES = [
    "caseapp.app",
    "caseapp.cli.main",
    "caseapp.demo",
    "caseapp.identifiers",
    "caseapp.storage.workspace",
    "caseapp.db.migrate",
]


def test_core_imports_and_runs_without_qt(tmp_path: Path) -> None:
    # A meta-path finder that refuses PySide6 proves no core module needs it.
    code = f"""
import sys
class NoQt:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6'):
            raise ImportError('Qt is not allowed here: ' + name)
sys.meta_path.insert(0, NoQt())
import importlib
for m in {CORE_MODULES!r}:
    importlib.import_module(m)
from caseapp.cli.main import main
sys.exit(main(['--workspace', {str(tmp_path)!r}, '--json', 'demo']))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert not any(m.startswith("PySide6") for m in result.stdout.splitlines())


def test_import_contracts() -> None:
    exe = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(exe), "--config", str(REPO / "pyproject.toml")], cwd=REPO,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
