"""The export dialog: options, background export with progress, Cancel, verify."""

from __future__ import annotations

import zipfile
from pathlib import Path

from pytestqt.qtbot import QtBot

from caseapp.app import App
from caseapp.demo import ensure_demo_case
from caseapp.export.context import Section
from caseapp.export.service import ExportFormat
from caseapp.ui.dialogs.export_dialog import ExportDialog


def _dialog(qtbot: QtBot, app: App, folder: Path) -> ExportDialog:
    case = ensure_demo_case(app)
    dialog = ExportDialog(app, case.id, folder=folder)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_export_then_verify(qtbot: QtBot, app: App, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    dialog = _dialog(qtbot, app, out)
    dialog.name_edit.setText("交付包")
    dialog.pdf_box.setChecked(True)
    dialog.section_boxes[Section.TIMELINE].setChecked(False)
    planned = dialog.planned()
    assert [p.name for p, _o in planned] == ["交付包.zip", "交付包.pdf"]
    assert all(o.redact and Section.TIMELINE not in o.sections for _p, o in planned)

    dialog.export_button.click()
    assert not dialog.export_button.isEnabled()  # busy: options locked
    assert dialog.cancel_button.text() != "Close"
    qtbot.waitUntil(lambda: len(dialog.results) == 2 and not dialog.running, timeout=120_000)
    assert [r.format for r in dialog.results] == [ExportFormat.PACKAGE, ExportFormat.PDF]
    assert sorted(p.name for p in out.iterdir()) == ["交付包.pdf", "交付包.zip"]
    assert dialog.results[0].sha256 in dialog.status.text()
    assert dialog.export_button.isEnabled()
    dialog.grab().save(str(tmp_path / "export_dialog.png"))

    dialog.verify_button.click()
    qtbot.waitUntil(lambda: dialog.verification is not None, timeout=60_000)
    assert dialog.verification is not None and dialog.verification.ok
    assert "DEMO-0001" in dialog.status.text()

    # A damaged copy is named as such.
    damaged = out / "damaged.zip"
    with zipfile.ZipFile(dialog.results[0].path) as src, zipfile.ZipFile(damaged, "w") as dst:
        for info in src.infolist():
            if not info.filename.endswith("003_deposit_receipt.txt"):
                dst.writestr(info, src.read(info.filename))
    dialog.verification = None
    dialog.verify_package(damaged)
    qtbot.waitUntil(lambda: dialog.verification is not None, timeout=60_000)
    assert not dialog.verification.ok
    assert "data/evidence/003_deposit_receipt.txt" in dialog.status.text()


def test_cancel_leaves_nothing(qtbot: QtBot, app: App, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    dialog = _dialog(qtbot, app, out)
    dialog.docx_box.setChecked(True)
    dialog.export_button.click()
    dialog.cancel_button.click()  # Cancel while the first export runs
    qtbot.waitUntil(lambda: not dialog.running, timeout=60_000)
    assert dialog.results == []
    assert list(out.iterdir()) == []
    assert dialog.export_button.isEnabled()
    assert dialog.isVisible()  # Cancel stops the work; a second press closes
    dialog.cancel_button.click()
    assert not dialog.isVisible()


def test_the_settings_choose_redaction_and_organisation(qtbot: QtBot, app: App,
                                                        tmp_path: Path) -> None:
    dialog = _dialog(qtbot, app, tmp_path)
    assert dialog.redact_box.isChecked()  # the default: complainants masked
    assert dialog.options(ExportFormat.PDF).organisation is None  # the case's own
    app.workspace.settings.update({"redact_by_default": False, "organisation": "某银行保卫部"})
    dialog = _dialog(qtbot, app, tmp_path)
    assert not dialog.redact_box.isChecked()
    options = dialog.options(ExportFormat.PACKAGE)
    assert not options.redact and options.organisation == "某银行保卫部"
