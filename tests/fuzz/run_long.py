"""The long fuzzing run: ``python tests/fuzz/run_long.py --minutes N``.

Shares the time between the coverage-guided atheris targets (where atheris installs) and the
hypothesis properties of ``tests/fuzz`` (run again and again with fresh seeds), then prints how
many inputs each ran and whether anything failed. The atheris corpora are kept (default
``build/fuzz``), so that each run starts where the last one stopped; a failing input is saved
there as ``crash-*`` or ``timeout-*``. Exit status 0 when nothing failed.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from fuzz_targets import has_package_verifier, seed_corpus  # noqa: E402

ATHERIS_TARGETS = ["csv", "xlsx", "identifiers", "package"]
HYPOTHESIS_FILES = ["test_fuzz_readers.py", "test_fuzz_identifiers.py", "test_fuzz_package.py"]


def atheris_targets() -> list[str]:
    if importlib.util.find_spec("atheris") is None:
        return []
    targets = ATHERIS_TARGETS[:3]
    if has_package_verifier():
        targets.append("package")
    return targets


def run_atheris(target: str, seconds: int, work: Path) -> dict[str, object]:
    corpus = work / target / "corpus"
    if not corpus.is_dir() or not any(corpus.iterdir()):
        seed_corpus(target, corpus, samples=ROOT.parent / "shared" / "samples")
    artifacts = work / target
    command = [sys.executable, str(HERE / "atheris_fuzz.py"), target,
               f"-max_total_time={seconds}", "-timeout=30", "-rss_limit_mb=3072",
               "-print_final_stats=1", f"-artifact_prefix={artifacts}{os.sep}", str(corpus)]
    print(f"[atheris {target}] {seconds} s ...", flush=True)
    result = subprocess.run(command, capture_output=True, text=True, errors="replace",
                            env=dict(os.environ, CASEAPP_LANG="en"),
                            timeout=seconds + 600)
    output = result.stdout + result.stderr
    executed = re.search(r"stat::number_of_executed_units:\s+(\d+)", output)
    new_units = re.search(r"stat::new_units_added:\s+(\d+)", output)
    outcome = {
        "tool": "atheris",
        "target": target,
        "inputs": int(executed.group(1)) if executed else None,
        "new_coverage_units": int(new_units.group(1)) if new_units else None,
        "corpus_files": sum(1 for _ in corpus.iterdir()),
        "ok": result.returncode == 0,
    }
    if result.returncode != 0:
        (artifacts / "last-failure.log").write_text(output[-20000:], encoding="utf-8")
        outcome["log"] = str(artifacts / "last-failure.log")
        print(output[-4000:])
    return outcome


def run_hypothesis(seconds: int, examples: int) -> dict[str, object]:
    """Rounds of the property tests with fresh seeds until the time is used."""
    deadline = time.monotonic() + seconds
    total = rounds = 0
    ok = True
    files = [str(HERE / name) for name in HYPOTHESIS_FILES]
    while time.monotonic() < deadline:
        rounds += 1
        seed = int.from_bytes(os.urandom(4), "big")
        print(f"[hypothesis] round {rounds} (seed {seed}) ...", flush=True)
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x",
             "-k", "not long_adversarial and not scanned_once and not folding",
             f"--hypothesis-seed={seed}", "--hypothesis-show-statistics", *files],
            capture_output=True, text=True, errors="replace", cwd=ROOT,
            env=dict(os.environ, FUZZ_EXAMPLES=str(examples), CASEAPP_LANG="en"),
            timeout=max(600, seconds * 2))
        output = result.stdout + result.stderr
        total += sum(int(n) for n in re.findall(r"- (\d+) passing, \d+ failing", output))
        if result.returncode != 0:
            ok = False
            print(output[-6000:])
            break
    return {"tool": "hypothesis", "target": "properties", "inputs": total, "rounds": rounds,
            "ok": ok}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="total time (default 10)")
    parser.add_argument("--work", default=str(ROOT / "build" / "fuzz"),
                        help="corpora and failing inputs (kept between runs)")
    parser.add_argument("--examples", type=int, default=500,
                        help="hypothesis examples per property and round")
    parser.add_argument("--figures", metavar="FILE", help="write the counts as JSON")
    args = parser.parse_args(argv)
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    total_seconds = int(args.minutes * 60)
    targets = atheris_targets()
    if not targets:
        print("atheris is not installed here (it has wheels for Linux/macOS, Python <= 3.11): "
              "hypothesis only")
    shares = len(targets) + 1
    started = time.monotonic()
    results = [run_atheris(t, max(10, total_seconds // shares), work) for t in targets]
    remaining = max(30, total_seconds - int(time.monotonic() - started))
    results.append(run_hypothesis(remaining, args.examples))
    elapsed = time.monotonic() - started
    print(f"\nfuzzing for {elapsed / 60:.1f} min:")
    for r in results:
        extra = f", {r['new_coverage_units']} new coverage units" \
            if r.get("new_coverage_units") is not None else ""
        print(f"  {r['tool']:<10} {r['target']:<12} {r['inputs']} inputs{extra}"
              f"  {'ok' if r['ok'] else 'FAILED'}")
    inputs = sum(int(r["inputs"] or 0) for r in results)
    print(f"  total: {inputs} inputs")
    if args.figures:
        Path(args.figures).write_text(json.dumps({"minutes": round(elapsed / 60, 1),
                                                  "inputs": inputs, "runs": results}, indent=2),
                                      encoding="utf-8")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
