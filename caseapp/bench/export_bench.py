"""``python -m caseapp.bench export``: time the court-ready export of a demo case with N
generated complaints (imported and analysed) and E evidence files of incompressible content,
and compare its hashing throughput with ``sha256sum`` on the same files."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser],
               default_generator: str) -> None:
    p = sub.add_parser("export", help="export a case (PDF, DOCX, package) and verify it")
    p.add_argument("--complaints", type=int, default=1000)
    p.add_argument("--evidence", type=int, default=0, help="extra evidence files to add")
    p.add_argument("--evidence-mb", type=float, default=0.0,
                   help="their total size in MB (default 2.5 MB each)")
    p.add_argument("--generator", default=default_generator)
    p.add_argument("--redact", choices=["yes", "no"], default="yes")
    p.add_argument("--keep", action="store_true", help="keep the work folder")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=bench_export)


def _timed(label: str, fn, results: dict):  # type: ignore[no-untyped-def]
    """Wall time, and this process's CPU time (steadier on a shared machine)."""
    start, cpu = time.perf_counter(), time.process_time()
    value = fn()
    results[label] = round(time.perf_counter() - start, 2)
    results[label + " cpu"] = round(time.process_time() - cpu, 2)
    print(f"{label:<28} {results[label]:8.2f} s wall {results[label + ' cpu']:8.2f} s cpu",
          flush=True)
    return value


def bench_export(args: argparse.Namespace) -> int:
    from caseapp.app import open_app
    from caseapp.demo import ensure_demo_case
    from caseapp.export.service import ExportOptions
    from caseapp.i18n import set_language
    from caseapp.services.evidence import EvidenceFields

    set_language("zh_CN")
    work = Path(tempfile.mkdtemp(prefix="caseapp-bench-export-"))
    results: dict[str, object] = {"complaints": args.complaints, "evidence": args.evidence}
    try:
        with open_app(work / "ws", actor="bench") as app:
            case = ensure_demo_case(app)
            if args.complaints:
                csv_path = work / "complaints.csv"
                subprocess.run([sys.executable, args.generator, "--rows",
                                str(args.complaints), "--seed", "11", "--out", str(csv_path),
                                "--truth", str(work / "truth.json")], check=True,
                               stdout=subprocess.DEVNULL)
                _timed("import", lambda: app.complaints.import_file(case.id, csv_path), results)
                _timed("analysis", lambda: app.analysis.run(case.id), results)
            files = []
            if args.evidence:
                each = int((args.evidence_mb or 2.5 * args.evidence) * 1e6 / args.evidence)
                folder = work / "evidence"
                folder.mkdir()
                for i in range(args.evidence):
                    path = folder / f"录音_{i:03d}.m4a"
                    with path.open("wb") as fh:
                        fh.write(os.urandom(each))
                    files.append((path, EvidenceFields(title=f"暗访录音 {i + 1}",
                                                       source="暗访中录制",
                                                       proof_purpose="证明对方承诺代理投诉")))
                _timed("evidence add", lambda: app.evidence.add_many(case.id, files), results)
                shutil.rmtree(folder)
            out = work / "package.zip"
            options = ExportOptions(redact=args.redact == "yes")
            result = _timed("export package", lambda: app.export.export(case.id, out, options),
                            results)
            results["package_mb"] = round(result.size / 1e6, 1)
            results["phases"] = {k: round(v, 2) for k, v in result.phase_seconds.items()}
            results["evidence_mb"] = round(result.evidence_bytes / 1e6, 1)
            print(f"package: {result.size / 1e6:.1f} MB, {result.payload_files} files "
                  f"({result.evidence_files} evidence, {result.evidence_bytes / 1e6:.1f} MB)")
            print("phases: " + ", ".join(f"{k} {v:.2f} s" for k, v in
                                         result.phase_seconds.items()))
            if result.evidence_bytes:
                rate = result.evidence_bytes / 1e6 / result.phase_seconds.get("evidence", 1)
                results["evidence_copy_mb_s"] = round(rate, 1)
                print(f"evidence copy + hash into the ZIP: {rate:.0f} MB/s")
                stored = [str(app.ctx.store.path_for(e.sha256))
                          for e in app.evidence.list(case.id)]
                if shutil.which("sha256sum"):
                    start = time.perf_counter()
                    subprocess.run(["sha256sum", *stored], check=True,
                                   stdout=subprocess.DEVNULL)
                    seconds = time.perf_counter() - start
                    total = sum(Path(p).stat().st_size for p in stored)
                    results["sha256sum_mb_s"] = round(total / 1e6 / seconds, 1)
                    print(f"sha256sum on the same files: {total / 1e6 / seconds:.0f} MB/s")
            verified = _timed("verify package", lambda: app.export.verify(out), results)
            assert verified.ok, verified.problems
            if verified.bytes_checked:
                results["verify_mb_s"] = round(
                    verified.bytes_checked / 1e6 / float(results["verify package"]), 1)
    finally:
        if args.keep:
            print(f"work folder: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    return 0
