"""Starting caseapp in a child process, waiting for it to reach a point, killing it there."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

DRIVER = Path(__file__).with_name("driver.py")


@dataclass
class Child:
    proc: subprocess.Popen[bytes]
    out: Path
    err: Path

    def output(self) -> tuple[str, str]:
        return (self.out.read_text(encoding="utf-8", errors="replace"),
                self.err.read_text(encoding="utf-8", errors="replace"))

    def wait(self, timeout: float = 300) -> int:
        return self.proc.wait(timeout=timeout)

    def kill(self) -> None:
        """SIGKILL (TerminateProcess on Windows): no handler, no finally block, no atexit
        runs."""
        self.proc.kill()
        self.proc.wait(timeout=60)
        if os.name == "posix":
            assert self.proc.returncode == -signal.SIGKILL
        else:
            assert self.proc.returncode != 0


def spawn(tmp: Path, name: str, options: list[str], command: list[str], *,
          user: str = "tester") -> Child:
    env = dict(os.environ, CASEAPP_USER=user, CASEAPP_LANG="en", PYTHONUNBUFFERED="1")
    env.pop("CASEAPP_WORKSPACE", None)
    env.pop("CASEAPP_DATABASE_URL", None)
    out, err = tmp / f"{name}.out", tmp / f"{name}.err"
    with out.open("wb") as fo, err.open("wb") as fe:
        proc = subprocess.Popen([sys.executable, str(DRIVER), *options, "--", *command],
                                stdout=fo, stderr=fe, env=env)
    return Child(proc, out, err)


def wait_for(marker: Path, child: Child, timeout: float = 300) -> None:
    """Wait until the child writes `marker`; fail at once if it ends first."""
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if child.proc.poll() is not None:
            out, err = child.output()
            raise AssertionError(f"the process ended ({child.proc.returncode}) before "
                                 f"{marker.name}:\n{out}\n{err}")
        if time.monotonic() > deadline:
            child.proc.kill()
            raise AssertionError(f"timed out waiting for {marker.name}")
        time.sleep(0.02)
