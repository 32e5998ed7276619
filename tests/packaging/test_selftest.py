"""``caseapp --self-test``: passes on a working installation, names what fails, never hangs."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from caseapp import selftest
from caseapp.selftest import FAILED, PASSED, PENDING, SelfTest, run_self_test

STEPS = ["environment", "resources", "workspace", "demo case", "main window", "import",
         "analysis", "evidence and audit", "export package", "verify package"]


def _env() -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CASEAPP_LANG="en")
    env.pop("CASEAPP_WORKSPACE", None)
    env.pop("CASEAPP_DATABASE_URL", None)
    return env


def test_self_test_of_this_installation_passes(tmp_path: Path) -> None:
    report = tmp_path / "报告 文件.txt"
    result = subprocess.run(
        [sys.executable, "-m", "caseapp", "--self-test", "--self-test-report", str(report)],
        capture_output=True, text=True, encoding="utf-8", env=_env(), timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    text = report.read_text(encoding="utf-8")
    assert text == result.stdout
    for name in STEPS:
        assert f"] {name}" in text
    assert "[FAIL]" not in text and "self-test OK" in text
    assert "22 complaints" in text and "2 groups" in text


def test_a_failing_check_is_named_and_exits_non_zero(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(selftest, "EXPECTED_GROUP_SIZES", [9, 5])
    status = run_self_test(gui=False, timeout_s=0)
    out = capsys.readouterr().out
    assert status == 1
    assert "[FAIL] analysis" in out
    assert "templated groups of sizes [8, 6], expected [9, 5]" in out
    assert "self-test FAILED: 1 of" in out and ": analysis" in out


def test_steps_after_a_failure_still_run_and_the_workspace_is_removed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    created: list[Path] = []
    real_mkdtemp = selftest.tempfile.mkdtemp

    def mkdtemp(*args: str | None, **kwargs: str | None) -> str:
        path = real_mkdtemp(*args, **kwargs)  # type: ignore[arg-type]
        created.append(Path(path))
        return path

    monkeypatch.setattr(selftest.tempfile, "mkdtemp", mkdtemp)

    def broken_import(self: SelfTest) -> None:
        with self.step("import"):
            raise RuntimeError("disk on fire")

    monkeypatch.setattr(SelfTest, "import_complaints", broken_import)
    report = SelfTest(None, gui=False).run()
    status = {s.name: s.status for s in report.steps}
    assert status["import"] == FAILED and "disk on fire" in report.steps[4].detail
    assert status["evidence and audit"] == PASSED
    assert status["export package"] in (PASSED, PENDING)
    workspace = next(p for p in created if p.name.startswith("caseapp 自检"))
    assert not workspace.exists()  # read-only evidence files included


def test_a_hang_ends_with_the_stacks_not_a_stuck_build(tmp_path: Path) -> None:
    code = textwrap.dedent("""
        import sys, time
        from caseapp import selftest
        selftest.SelfTest.check_environment = lambda self: time.sleep(60)
        sys.exit(selftest.run_self_test(gui=False, timeout_s=2))
    """)
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=_env(), timeout=120)
    assert time.monotonic() - started < 45
    assert result.returncode != 0
    assert "Timeout" in result.stderr and "check_environment" not in result.stdout


def test_without_a_console_the_report_goes_to_a_file(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    code = textwrap.dedent(f"""
        import sys
        from caseapp import selftest
        sys.stdout = None  # a windowed Windows program has no stdout
        sys.exit(selftest.run_self_test(report_path={str(report)!r}, gui=False))
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=_env(), timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "self-test OK" in report.read_text(encoding="utf-8")
