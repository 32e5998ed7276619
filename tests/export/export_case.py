"""A case exported once per test module: the demo case, an imported sample and an analysis
run, with a complainant recorded as a party; exported redacted and not."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from caseapp.app import App, open_app
from caseapp.demo import ensure_demo_case
from caseapp.export.service import ExportFormat, ExportOptions, ExportResult
from caseapp.i18n import set_language

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples"


class FixedClock:
    """Advances one second per call, from a fixed start: runs are repeatable."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@dataclass
class Exported:
    app: App
    case_number: str
    package: ExportResult
    unredacted: ExportResult
    pdf: ExportResult
    docx: ExportResult
    out: Path

    def member(self, name: str, package: ExportResult | None = None) -> bytes:
        result = package or self.package
        with zipfile.ZipFile(result.path) as zf:
            return zf.read(f"{result.bag_name}/{name}")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exported]:
    if not SAMPLES.is_dir():
        pytest.skip(f"sample files not found at {SAMPLES}")
    root = tmp_path_factory.mktemp("export")
    set_language("zh_CN")
    clock = FixedClock(datetime(2025, 6, 30, 1, 0, tzinfo=UTC))
    app = open_app(root / "ws", actor="调查员甲", clock=clock)
    try:
        case = ensure_demo_case(app)
        app.complaints.import_file(case.id, SAMPLES / "complaints_small.csv")
        report = app.analysis.run(case.id)
        app.analysis.accept_shared_identifier(case.id, report.shared_identifiers[0].identifier_id,
                                              name="代理团伙A")
        app.parties.add(case.id, name="投诉客户乙", role="complainant",
                        identifiers=[("id_card", "11010519491231002X"),
                                     ("mobile", "13900001111")])
        out = root / "out"
        out.mkdir()
        package = app.export.export(case.id, out / "package.zip")
        unredacted = app.export.export(case.id, out / "full.zip", ExportOptions(redact=False))
        pdf = app.export.export(case.id, out / "dossier.pdf",
                                ExportOptions(format=ExportFormat.PDF))
        docx = app.export.export(case.id, out / "dossier.docx",
                                 ExportOptions(format=ExportFormat.DOCX))
        yield Exported(app, case.number, package, unredacted, pdf, docx, out)
    finally:
        app.close()
        set_language("en")
