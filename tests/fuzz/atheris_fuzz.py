"""Coverage-guided fuzzing with atheris (libFuzzer) of the complaint reader, the identifier
parsers and the package verifier.

    python tests/fuzz/atheris_fuzz.py TARGET [libFuzzer options] [CORPUS_DIR ...]
    python tests/fuzz/atheris_fuzz.py csv -max_total_time=60 -print_final_stats=1 corpus/

TARGET is one of ``csv``, ``xlsx``, ``identifiers`` (and ``package`` when caseapp.export is
there). caseapp's modules are instrumented, so libFuzzer steers the inputs towards new branches
of caseapp's own code. A target fails (exit status non-zero, the input saved as ``crash-*``)
when anything but a clear CaseappError comes out, when an invariant does not hold, or when one
input takes longer than ``-timeout`` seconds. Needs atheris (Linux, Python 3.11).
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))

with atheris.instrument_imports(include=["caseapp", "fuzz_targets"]):
    import fuzz_targets

    from caseapp.i18n import set_language

set_language("en")

def fuzz_csv(data: bytes) -> None:
    fuzz_targets.read_complaint_bytes(data, ".csv")


def fuzz_xlsx(data: bytes) -> None:
    """The first byte chooses which XML part the rest replaces (the sheet most often)."""
    if not data:
        return
    rest = data[1:]
    part = data[0] % 4
    if part == 0:
        book = fuzz_targets.workbook(shared=rest)
    elif part == 1:
        book = rest  # the whole file: a zip the fuzzer builds itself
    else:
        book = fuzz_targets.workbook(sheet=rest)
    fuzz_targets.read_complaint_bytes(book, ".xlsx")


def fuzz_identifiers(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    text = provider.ConsumeUnicodeNoSurrogates(len(data))
    fuzz_targets.parse_everything(text)


TARGETS = {"csv": fuzz_csv, "xlsx": fuzz_xlsx, "identifiers": fuzz_identifiers}
if fuzz_targets.has_package_verifier():
    TARGETS["package"] = fuzz_targets.verify_package_bytes


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        raise SystemExit(f"usage: {Path(__file__).name} {{{'|'.join(TARGETS)}}} "
                         "[libFuzzer options] [CORPUS_DIR ...]")
    target = TARGETS[sys.argv[1]]
    atheris.Setup([sys.argv[0], *sys.argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
