"""``python -m caseapp.bench import``: time a complaint import against a bare load.

Each measurement runs in its own process so that its peak RSS is its own. Figures printed:
the bare floor (``csv.reader`` + ``executemany`` into SQLite), caseapp's import without the
full-text index, caseapp's import with it (the real thing), and a bare FTS5 trigram build of
the same texts. Wall-clock times and, beside them, CPU times (user + system): on a machine
shared with other work the CPU ratio is the steadier one.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from caseapp.bench.exchange import add_parser as add_exchange_parser
from caseapp.bench.export_bench import add_parser as add_export_parser

SHARED_GENERATOR = Path("../shared/samples/make_samples.py")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _child(kind: str, csv_path: str, workdir: str) -> dict[str, object]:
    start = time.perf_counter()
    cpu_start = _cpu()
    if kind == "floor":
        import csv
        import sqlite3

        db = sqlite3.connect(Path(workdir) / "floor.db")
        cols = None
        with open(csv_path, encoding="gb18030", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            cols = len(header)
            db.execute(f"CREATE TABLE t ({', '.join(f'c{i} TEXT' for i in range(cols))})")
            marks = ", ".join("?" * cols)
            rows = (r for r in reader if any(r))
            db.executemany(f"INSERT INTO t VALUES ({marks})", (r[:cols] for r in rows))
        db.commit()
        n = db.execute("SELECT count(*) FROM t").fetchone()[0]
        db.close()
        return {"rows": n, "seconds": time.perf_counter() - start, "cpu": _cpu() - cpu_start}
    if kind == "fts-floor":
        import csv
        import sqlite3

        db = sqlite3.connect(Path(workdir) / "fts.db")
        db.execute("CREATE VIRTUAL TABLE f USING fts5(text, tokenize='trigram', detail=full)")
        with open(csv_path, encoding="gb18030", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            col = next(i for i, h in enumerate(header) if h in ("投诉内容", "问题描述", "content"))
            db.executemany("INSERT INTO f(text) VALUES (?)",
                           ((r[col],) for r in reader if len(r) > col))
        db.commit()
        db.close()
        return {"seconds": time.perf_counter() - start, "cpu": _cpu() - cpu_start}
    from caseapp.app import open_app
    from caseapp.i18n import set_language

    set_language("en")
    with open_app(Path(workdir) / "ws", actor="bench") as app:
        case = app.cases.create(title="bench")
        first_seen: dict[str, tuple[float, float]] = {}

        class Clock:
            def report(self, done: int, total: int | None, label: str = "") -> None:
                first_seen.setdefault(label, (time.perf_counter(), _cpu()))

        t0, c0 = time.perf_counter(), _cpu()
        summary = app.complaints.import_file(case.id, Path(csv_path), progress=Clock())
        t1, c1 = time.perf_counter(), _cpu()
        index_start, index_cpu = first_seen.get("Indexing the complaint texts", (t1, c1))
        return {"rows": summary.rows_imported, "read": summary.rows_read,
                "seconds": index_start - t0, "fts_seconds": t1 - index_start,
                "total_seconds": t1 - t0, "cpu": index_cpu - c0, "fts_cpu": c1 - index_cpu}


def _run(kind: str, csv_path: Path, workdir: Path) -> dict[str, object]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "caseapp.bench", "_child", kind, str(csv_path), str(workdir)],
        stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"{kind} failed (status {status})")
    result = json.loads(out)
    result["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)
    return result


def bench_import(args: argparse.Namespace) -> int:
    work = Path(tempfile.mkdtemp(prefix="caseapp-bench-"))
    csv_path = Path(args.file) if args.file else work / f"complaints_{args.rows}.csv"
    if not args.file:
        generator = Path(args.generator)
        if not generator.exists():
            raise SystemExit(f"generator not found: {generator} (give --file or --generator)")
        subprocess.run([sys.executable, str(generator), "--rows", str(args.rows),
                        "--excel-quirks", "--encoding", "gb18030", "--seed", "7",
                        "--out", str(csv_path), "--truth", str(work / "truth.json")],
                       check=True, stdout=subprocess.DEVNULL)
    size_mb = csv_path.stat().st_size / 1e6
    print(f"file: {csv_path} ({size_mb:.1f} MB)")
    results = {}
    for kind in ("floor", "caseapp", "fts-floor"):
        sub = work / kind
        sub.mkdir()
        results[kind] = r = _run(kind, csv_path, sub)
        rows = r.get("rows")
        rate = f"{int(rows) / float(r['seconds']):,.0f} rows/s" if rows else ""
        print(f"{kind:<10} {float(r['seconds']):7.2f} s  {rate:>16}  peak RSS "
              f"{r['peak_rss_mb']} MB  (CPU {float(r['cpu']):.2f} s)")
    ours, floor = results["caseapp"], float(results["floor"]["seconds"])
    print(f"caseapp read+check+normalise+extract+insert / floor: "
          f"{float(ours['seconds']) / floor:.2f}× (CPU time: "
          f"{float(ours['cpu']) / float(results['floor']['cpu']):.2f}×)")
    print(f"caseapp full-text indexing: {float(ours['fts_seconds']):.2f} s, CPU "
          f"{float(ours['fts_cpu']):.2f} s (bare FTS5 trigram build of the same texts: "
          f"{float(results['fts-floor']['seconds']):.2f} s, CPU "
          f"{float(results['fts-floor']['cpu']):.2f} s)")
    print(f"caseapp import end to end: {float(ours['total_seconds']):.2f} s")
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_child"]:
        print(json.dumps(_child(argv[1], argv[2], argv[3])))
        return 0
    if argv[:1] == ["ui"]:  # the desktop UI over a 100,000-complaint case (needs Qt)
        from caseapp.ui.bench import main as bench_ui

        return bench_ui(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m caseapp.bench")
    sub = parser.add_subparsers(dest="bench", required=True)
    p = sub.add_parser("import", help="complaint import vs a bare csv + executemany load")
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--file", help="an existing GB18030 complaint CSV instead of generating one")
    p.add_argument("--generator", default=str(SHARED_GENERATOR),
                   help="make_samples.py to generate the file with")
    p.add_argument("--json", action="store_true")
    add_exchange_parser(sub)
    add_export_parser(sub, str(SHARED_GENERATOR))
    sub.add_parser("ui", help="open a 100,000-complaint case in the desktop UI "
                              "(python -m caseapp.bench ui --help)")
    args = parser.parse_args(argv)
    return int(args.run(args)) if hasattr(args, "run") else bench_import(args)


if __name__ == "__main__":
    sys.exit(main())
