"""``python -m caseapp.analysis.bench``: time the grouping engine against a datasketch baseline.

For every size, a synthetic export is generated with the shared sample generator
(``make_samples.py --rows N --seed S``), then each engine groups its complaint texts in a process
of its own, so that the peak RSS reported (``os.wait4``) is that engine's. Printed per engine:
wall time of the grouping (texts already in memory), peak RSS of the process, and pairwise
precision, recall and F1 against the generator's template families.

The baseline is the plain use of ``datasketch``: a ``MinHash`` (128 permutations) of the same
normalised character shingles per text, a ``MinHashLSH`` at the same threshold, and groups as
connected components of the pairs it returns.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from caseapp.analysis.metrics import PairScores, pairwise_scores

DEFAULT_GENERATOR = Path(__file__).resolve().parents[2].parent / "shared/samples/make_samples.py"
DEFAULT_SIZES = (10_000, 30_000, 100_000)
TEXT_COLUMNS = ("投诉内容", "问题描述", "content")
ENGINES = ("caseapp", "datasketch")


def read_complaints(path: Path) -> tuple[list[str], list[str]]:
    """Complaint numbers and texts of an export, first occurrence of every number only."""
    raw = path.read_bytes()
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    rows = csv.reader(text.splitlines(keepends=True))
    header = next(rows)
    column = next(i for i, name in enumerate(header) if name in TEXT_COLUMNS)
    numbers: list[str] = []
    texts: list[str] = []
    seen: set[str] = set()
    for row in rows:
        if not row or not any(row) or row[0] in seen:
            continue
        seen.add(row[0])
        numbers.append(row[0])
        texts.append(row[column] if len(row) > column else "")
    return numbers, texts


def _run_caseapp(texts: list[str], threshold: float) -> list[int]:
    from caseapp.analysis.grouping import GroupingParams, group_texts

    result = group_texts(list(enumerate(texts)), GroupingParams(threshold=threshold))
    labels = [-1] * len(texts)
    for number, group in enumerate(result.groups):
        for member in group.members:
            labels[member.doc_id] = number
    return labels


def _run_datasketch(texts: list[str], threshold: float) -> list[int]:
    from datasketch import MinHash, MinHashLSH  # type: ignore[import-untyped]

    from caseapp.analysis.normalize import normalise_batch

    normalised: list[str] = []
    for start in range(0, len(texts), 4096):
        batch = normalise_batch(texts[start : start + 4096])
        normalised.extend(batch.text(i) for i in range(len(batch)))
    usable = [i for i, s in enumerate(normalised) if len(s) >= 20]
    shingles = (
        [s[k : k + 3].encode("utf-8") for k in range(len(s) - 2)]
        for s in (normalised[i] for i in usable)
    )
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    minhashes = []
    with lsh.insertion_session() as session:
        for i, minhash in zip(usable, MinHash.generator(shingles, num_perm=128), strict=True):
            session.insert(i, minhash)
            minhashes.append(minhash)
    parent = list(range(len(texts)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, minhash in zip(usable, minhashes, strict=True):
        for j in lsh.query(minhash):
            a, b = find(i), find(j)
            if a != b:
                parent[max(a, b)] = min(a, b)
    roots = [find(i) for i in range(len(texts))]
    sizes: dict[int, int] = {}
    for root in roots:
        sizes[root] = sizes.get(root, 0) + 1
    return [root if sizes[root] > 1 else -1 for root in roots]


def child(engine: str, csv_path: Path, out: Path, threshold: float) -> None:
    """Group one export with one engine and write the labels and the time taken."""
    _numbers, texts = read_complaints(csv_path)
    started = time.perf_counter()
    labels = (
        _run_caseapp(texts, threshold) if engine == "caseapp" else _run_datasketch(texts, threshold)
    )
    seconds = time.perf_counter() - started
    out.write_text(json.dumps({"seconds": seconds, "labels": labels}), encoding="utf-8")


def _measure(
    engine: str, csv_path: Path, workdir: Path, threshold: float
) -> tuple[float, float, list[int]]:
    """(seconds, peak RSS in MB, labels) of one engine run in a fresh process."""
    out = workdir / f"{csv_path.stem}.{engine}.json"
    command = [
        sys.executable,
        "-m",
        "caseapp.analysis.bench",
        "--child",
        engine,
        "--csv",
        str(csv_path),
        "--out",
        str(out),
        "--threshold",
        str(threshold),
    ]
    process = subprocess.Popen(command)
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{engine} failed on {csv_path} (exit {process.returncode})")
    data = json.loads(out.read_text(encoding="utf-8"))
    peak_mb = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 2**20
    return float(data["seconds"]), peak_mb, [int(x) for x in data["labels"]]


def _generate(
    generator: Path, rows: int, seed: int, workdir: Path, hard: bool
) -> tuple[Path, Path]:
    suffix = "hard" if hard else "plain"
    csv_path = workdir / f"bench_{rows}_{seed}_{suffix}.csv"
    truth = workdir / f"bench_{rows}_{seed}_{suffix}.truth.json"
    if not (csv_path.exists() and truth.exists()):
        command = [
            sys.executable,
            str(generator),
            "--rows",
            str(rows),
            "--seed",
            str(seed),
            "--out",
            str(csv_path),
            "--truth",
            str(truth),
        ]
        if hard:
            command.append("--hard")
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"the generator failed: {done.stderr.strip()}")
    return csv_path, truth


def score(csv_path: Path, truth_path: Path, labels: Sequence[int]) -> PairScores:
    numbers, _texts = read_complaints(csv_path)
    truth = json.loads(truth_path.read_text(encoding="utf-8"))["complaints"]
    gold = {n: truth[n]["family"] for n in numbers}
    predicted = {
        n: (label if label >= 0 else None) for n, label in zip(numbers, labels, strict=True)
    }
    return pairwise_scores(predicted, gold)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m caseapp.analysis.bench",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--generator", type=Path, default=DEFAULT_GENERATOR, help="path of make_samples.py"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where generated exports are kept (default: a temporary folder)",
    )
    parser.add_argument("--hard", action="store_true", help="generate with --hard")
    parser.add_argument("--threshold", type=float, default=0.7)
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--child", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.csv, args.out, args.threshold)
        return 0
    if not args.generator.is_file():
        print(f"generator not found: {args.generator} (use --generator)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        print(
            f"{'rows':>8} {'engine':<11} {'seconds':>8} {'peak MB':>8} "
            f"{'precision':>9} {'recall':>7} {'F1':>7}",
            flush=True,
        )
        for rows in args.sizes:
            csv_path, truth = _generate(args.generator, rows, args.seed, workdir, args.hard)
            for engine in args.engines:
                seconds, peak, labels = _measure(engine, csv_path, workdir, args.threshold)
                s = score(csv_path, truth, labels)
                print(
                    f"{rows:>8} {engine:<11} {seconds:>8.1f} {peak:>8.0f} "
                    f"{s.precision:>9.4f} {s.recall:>7.4f} {s.f1:>7.4f}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
