"""The Windows workflow: one file in two places, valid, and doing every step the issue asks."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / ".github" / "workflows" / "windows.yml"
COPY = REPO / "packaging" / "windows-ci.yml"


def load() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def test_the_two_copies_are_identical() -> None:
    assert WORKFLOW.read_bytes() == COPY.read_bytes()


def test_runs_on_windows_with_python_311() -> None:
    workflow = load()
    job = workflow["jobs"]["windows"]
    assert job["runs-on"].startswith("windows")
    assert job["timeout-minutes"] <= 90
    setup = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["python-version"] == "3.11"
    triggers = workflow.get(True) or workflow.get("on")  # YAML 1.1 reads `on` as True
    assert {"push", "pull_request"} <= set(triggers)


def test_every_step_is_there_in_order() -> None:
    steps = load()["jobs"]["windows"]["steps"]
    scripts = [s.get("run", "") for s in steps]
    joined = "\n".join(scripts)
    order = [
        'pip install -e ".[test,build]"',
        "python -m pytest",
        "packaging/build_bundle.py",
        "--self-test",
        "caseapp.iss",
        "/VERYSILENT",
        "unins000.exe",
    ]
    positions = [joined.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "CASEAPP_TEST_PG_URL" in load()["jobs"]["windows"]["env"]
    assert "Start Menu\\Programs\\caseapp.lnk" in joined
    assert "VersionInfo.ProductVersion" in joined
    # The installed copy is tested from a folder with Chinese characters and spaces.
    assert "测试 安装" in joined


def test_every_powershell_failure_stops_the_job() -> None:
    steps = load()["jobs"]["windows"]["steps"]
    for step in steps:
        script = step.get("run", "")
        for line in script.splitlines():
            if line.strip().startswith("& ") and "iscc" in line.lower():
                assert "$LASTEXITCODE" in script
    assert load()["jobs"]["windows"]["defaults"]["run"]["shell"] == "pwsh"
