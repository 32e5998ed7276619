"""Build the PyInstaller bundle and check it: ``python packaging/build_bundle.py``.

1. runs PyInstaller on ``packaging/caseapp.spec`` (timed);
2. measures the bundle (size, files);
3. copies it to a folder whose path holds Chinese characters and spaces, as a Windows user's
   profile may, and runs ``caseapp --self-test`` there with ``QT_QPA_PLATFORM=offscreen``;
4. runs the bundled ``caseapp-cli`` on a fresh workspace, and on PostgreSQL when
   ``CASEAPP_TEST_PG_URL`` is set (in a schema of its own, dropped afterwards).

Prints the figures and, with ``--figures FILE``, writes them as JSON. Exits non-zero when the
build or any check fails. Used by ``.ci/run`` on Linux and by the Windows workflow.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "caseapp.spec"
EXE_SUFFIX = ".exe" if os.name == "nt" else ""
CHECK_TIMEOUT_S = 900


def log(text: str) -> None:
    print(text, flush=True)


def build(dist: Path, work: Path) -> float:
    started = time.perf_counter()
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
               "--log-level", "WARN", "--distpath", str(dist), "--workpath", str(work),
               str(SPEC)]
    log("$ " + " ".join(command))
    subprocess.run(command, check=True, cwd=ROOT)
    return time.perf_counter() - started


def measure(bundle: Path) -> tuple[int, int]:
    size = files = 0
    for path in bundle.rglob("*"):
        if path.is_file() and not path.is_symlink():
            size += path.stat().st_size
            files += 1
    return size, files


def run(command: list[str], *, env: dict[str, str], timeout: float = CHECK_TIMEOUT_S,
        secret: str | None = None, brief: bool = False) -> subprocess.CompletedProcess[str]:
    shown = " ".join(f'"{c}"' if " " in c else c for c in command)
    log("$ " + (shown.replace(secret, "***") if secret else shown))
    result = subprocess.run(command, env=env, capture_output=True, text=True,
                            encoding="utf-8", errors="replace", timeout=timeout)
    output = (result.stdout or "") + (result.stderr or "")
    if brief and result.returncode == 0:
        lines = output.splitlines()
        output = "\n".join(lines[:3] + (["  …"] if len(lines) > 3 else [])) + "\n"
    sys.stdout.write(output)
    log(f"  (exit status {result.returncode})")
    return result


def self_test(bundle: Path, env: dict[str, str]) -> tuple[bool, float, str]:
    report = bundle.parent / "self-test report.txt"
    started = time.perf_counter()
    result = run([str(bundle / f"caseapp{EXE_SUFFIX}"), "--self-test", "--self-test-report",
                  str(report)], env=env)
    seconds = time.perf_counter() - started
    text = report.read_text(encoding="utf-8") if report.exists() else ""
    if text and not result.stdout:  # a windowed program may print nowhere: show the file
        sys.stdout.write(text)
    return result.returncode == 0 and bool(text), seconds, text


def cli_checks(bundle: Path, env: dict[str, str], scratch: Path) -> list[str]:
    """The bundled command line on SQLite, and on PostgreSQL when a server is given."""
    failures: list[str] = []
    cli = str(bundle / f"caseapp-cli{EXE_SUFFIX}")
    workspace = scratch / "命令行 工作区"
    result = run([cli, "--workspace", str(workspace), "--json", "demo"], env=env, brief=True)
    if result.returncode != 0 or '"DEMO-0001"' not in result.stdout:
        failures.append("caseapp-cli demo (SQLite)")
    result = run([cli, "--workspace", str(workspace), "audit", "verify", "DEMO-0001"], env=env)
    if result.returncode != 0:
        failures.append("caseapp-cli audit verify (SQLite)")
    pg_url = os.environ.get("CASEAPP_TEST_PG_URL")
    if pg_url:
        failures += _postgres_check(cli, env, scratch, pg_url)
    else:
        log("(CASEAPP_TEST_PG_URL not set: the bundle's PostgreSQL driver was not tried)")
    return failures


def _postgres_check(cli: str, env: dict[str, str], scratch: Path, base_url: str) -> list[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = f"bundle_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
        db = url.render_as_string(hide_password=False)
        workspace = scratch / "pg workspace"
        secret = url.password and str(url.password)
        result = run([cli, "--db", db, "--workspace", str(workspace), "--json", "case",
                      "create", "打包检查", "--number", "PKG-1"], env=env, secret=secret,
                     brief=True)
        listed = run([cli, "--db", db, "--workspace", str(workspace), "--json", "case",
                      "list"], env=env, secret=secret, brief=True)
        if result.returncode != 0 or listed.returncode != 0 or "PKG-1" not in listed.stdout:
            return ["caseapp-cli on PostgreSQL"]
        return []
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", default=str(ROOT / "dist"), help="output folder")
    parser.add_argument("--work", default=str(ROOT / "build" / "pyinstaller"))
    parser.add_argument("--skip-build", action="store_true", help="check an existing bundle")
    parser.add_argument("--figures", metavar="FILE", help="write the figures as JSON")
    args = parser.parse_args(argv)
    dist = Path(args.dist).resolve()
    bundle = dist / "caseapp"

    build_seconds = None
    if not args.skip_build:
        build_seconds = build(dist, Path(args.work).resolve())
    if not (bundle / f"caseapp{EXE_SUFFIX}").is_file():
        log(f"no bundle at {bundle}")
        return 1
    size, files = measure(bundle)

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CASEAPP_LANG="zh_CN")
    env.pop("CASEAPP_WORKSPACE", None)
    env.pop("CASEAPP_DATABASE_URL", None)
    scratch = Path(tempfile.mkdtemp(prefix="caseapp 打包 检查 "))
    try:
        # Installed under a path with Chinese characters and spaces, as under C:\Users\张三.
        installed = scratch / "程序 目录" / "caseapp"
        shutil.copytree(bundle, installed, symlinks=True)
        passed, self_test_seconds, _report = self_test(installed, env)
        failures = [] if passed else ["bundle self-test"]
        failures += cli_checks(installed, env, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    figures = {
        "bundle_mb": round(size / 1e6, 1),
        "bundle_files": files,
        "build_seconds": round(build_seconds, 1) if build_seconds is not None else None,
        "self_test_seconds": round(self_test_seconds, 1),
        "platform": sys.platform,
        "failures": failures,
    }
    log("bundle figures: " + ", ".join(f"{k}={v}" for k, v in figures.items()))
    if args.figures:
        Path(args.figures).write_text(json.dumps(figures, indent=2), encoding="utf-8")
    if failures:
        log("BUNDLE CHECK FAILED: " + ", ".join(failures))
        return 1
    log("bundle check OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
