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

# The parts of a minimal .xlsx; the fuzzer's bytes become one of the XML parts.
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    b'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SHARED_STRINGS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" '
    'uniqueCount="4"><si><t>投诉编号</t></si><si><t>投诉内容</t></si><si><t>A1</t></si>'
    '<si><t>停息挂账，联系微信 jude_du888</t></si></sst>'
).encode()
SHEET = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    b'<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>'
    b'<row r="3"><c r="A3"><v>45123.5</v></c><c r="B3" t="inlineStr"><is><t>13812345678</t>'
    b'</is></c></row></sheetData></worksheet>'
)


def workbook(sheet: bytes = SHEET, shared: bytes = SHARED_STRINGS) -> bytes:
    return fuzz_targets.xlsx_from_entries({
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": shared,
    })


def fuzz_csv(data: bytes) -> None:
    fuzz_targets.read_complaint_bytes(data, ".csv")


def fuzz_xlsx(data: bytes) -> None:
    """The first byte chooses which XML part the rest replaces (the sheet most often)."""
    if not data:
        return
    rest = data[1:]
    part = data[0] % 4
    if part == 0:
        book = workbook(shared=rest)
    elif part == 1:
        book = rest  # the whole file: a zip the fuzzer builds itself
    else:
        book = workbook(sheet=rest)
    fuzz_targets.read_complaint_bytes(book, ".xlsx")


def fuzz_identifiers(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    text = provider.ConsumeUnicodeNoSurrogates(len(data))
    fuzz_targets.parse_everything(text)


TARGETS = {"csv": fuzz_csv, "xlsx": fuzz_xlsx, "identifiers": fuzz_identifiers}
if hasattr(fuzz_targets, "verify_package_bytes"):
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
