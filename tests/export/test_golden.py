"""Golden files: the demo case, a fixed clock and English headings give the same PDF bytes
(reportlab's invariant mode) and the same DOCX document.xml on every run.

After an intended change, regenerate with ``CASEAPP_UPDATE_GOLDEN=1 pytest tests/export/
test_golden.py`` and look at the new PDF before committing it."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from export_case import FixedClock

from caseapp.app import open_app
from caseapp.demo import ensure_demo_case
from caseapp.export.docx import render_docx
from caseapp.export.pdf import render_pdf
from caseapp.i18n import set_language

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("CASEAPP_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes, bytes]:
    set_language("en")
    root = tmp_path_factory.mktemp("golden")
    clock = FixedClock(datetime(2025, 3, 10, 2, 0, tzinfo=UTC))
    with open_app(root / "ws", actor="investigator", clock=clock) as app:
        case = ensure_demo_case(app)
        ctx = app.export.context(case.id)
    pdf = render_pdf(ctx)
    docx = render_docx(ctx)
    return pdf, render_pdf(ctx), docx


def _check(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(f"golden file {path} is missing; run with CASEAPP_UPDATE_GOLDEN=1")
        path.write_bytes(data)
    assert data == path.read_bytes(), f"{name} differs from the golden file"


def test_pdf_is_byte_stable(rendered: tuple[bytes, bytes, bytes]) -> None:
    pdf, again, _docx = rendered
    assert pdf == again
    _check("demo_dossier.pdf", pdf)


def test_docx_document_xml_is_stable(rendered: tuple[bytes, bytes, bytes]) -> None:
    document = zipfile.ZipFile(io.BytesIO(rendered[2])).read("word/document.xml")
    _check("demo_document.xml", document)
