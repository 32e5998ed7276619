"""A short coverage-guided run of each atheris target (the long one: ``run_long.py``).

Each target runs in its own process on a seeded corpus; the run fails on any crash, invariant
failure or input slower than the timeout. Skipped where atheris does not install (Windows,
Python 3.12+).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fuzz_targets import seed_corpus

pytest.importorskip("atheris")

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parents[2] / "shared" / "samples"
RUNS = int(os.environ.get("FUZZ_ATHERIS_RUNS", "1500"))


def run_target(target: str, corpus: Path, *options: str) -> tuple[int, str]:
    env = dict(os.environ, CASEAPP_LANG="en")
    result = subprocess.run(
        [sys.executable, str(HERE / "atheris_fuzz.py"), target, *options,
         "-timeout=30", "-rss_limit_mb=3072", "-print_final_stats=1", str(corpus)],
        capture_output=True, text=True, errors="replace", env=env, timeout=600, cwd=corpus.parent)
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize("target", ["csv", "xlsx", "identifiers"])
def test_short_coverage_guided_run(target: str, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    seeds = seed_corpus(target, corpus, samples=SAMPLES)
    assert seeds > 0
    status, output = run_target(target, corpus, f"-runs={RUNS}", "-max_total_time=120")
    assert status == 0, output[-3000:]
    executed = int(re.search(r"stat::number_of_executed_units:\s+(\d+)", output).group(1))
    assert executed >= min(RUNS, 300), output[-2000:]
    assert not list(tmp_path.glob("crash-*")) and not list(tmp_path.glob("timeout-*"))


def test_a_crash_is_reported_with_its_input(tmp_path: Path) -> None:
    """The harness really fails: an input that breaks an invariant stops the run."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "seed").write_bytes(b"x")
    code = (
        "import runpy, sys, fuzz_targets\n"
        "def broken(text):\n"
        "    raise AssertionError('planted')\n"
        "fuzz_targets.parse_everything = broken\n"
        f"sys.argv = ['atheris_fuzz.py', 'identifiers', '-runs=50', {str(corpus)!r}]\n"
        f"runpy.run_path({str(HERE / 'atheris_fuzz.py')!r}, run_name='__main__')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            errors="replace", cwd=tmp_path, timeout=300,
                            env=dict(os.environ, PYTHONPATH=str(HERE)))
    assert result.returncode != 0
    assert "planted" in result.stderr + result.stdout
    assert list(tmp_path.glob("crash-*"))
