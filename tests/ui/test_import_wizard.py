"""The import wizard driven page by page: preview, mapping (saved and loaded), validation report
with line numbers, import with progress and Cancel, summary — and a UI thread that keeps
processing events during a large import."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from caseapp.app import App
from caseapp.demo import write_demo_complaints
from caseapp.importers import ROW_NUMBER
from caseapp.ui.dialogs.import_wizard import ImportWizard


def _wizard(qtbot: QtBot, app: App, case_id: int) -> ImportWizard:
    wizard = ImportWizard(app, case_id)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def _choose(wizard: ImportWizard, path: Path) -> None:
    wizard.file_page.path_edit.setText(str(path))
    assert wizard.file_page.isComplete()
    wizard.next()


def _wait_page(qtbot: QtBot, page: object) -> None:
    qtbot.waitUntil(lambda: not page.panel.running, timeout=120_000)  # type: ignore[attr-defined]


def test_import_a_sample_through_the_wizard(qtbot: QtBot, sqlite_app: App, samples: Path,
                                            tmp_path: Path) -> None:
    case = sqlite_app.cases.create(title="导入")
    truth = json.loads((samples / "complaints_small.truth.json").read_text(encoding="utf-8"))
    wizard = _wizard(qtbot, sqlite_app, case.id)
    _choose(wizard, samples / "complaints_small.csv")
    # preview
    assert wizard.currentId() == ImportWizard.PREVIEW
    preview = wizard.preview_page
    assert "UTF-8" in preview.info.text() and "comma" in preview.info.text()
    assert preview.table.rowCount() == 20
    assert preview.table.horizontalHeaderItem(0).text() == "投诉编号"
    assert preview.table.item(0, 0).text() == "TS20240701-0001"
    wizard.next()
    # mapping: detected from the header, saveable
    assert wizard.currentId() == ImportWizard.MAPPING
    page = wizard.mapping_page
    assert page.combos["external_number"].currentData() == "投诉编号"
    assert page.combos["text"].currentData() == "投诉内容"
    assert page.table.item(0, 2).text() == "TS20240701-0001"
    saved = tmp_path / "mapping.json"
    page.save_mapping(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["fields"]["agent_phone"] == "代理人电话" and data["has_header"] is True
    wizard.next()
    # validation
    assert wizard.currentId() == ImportWizard.CHECK
    check = wizard.check_page
    _wait_page(qtbot, check)
    assert check.summary is not None and check.summary.rows_read == 300
    assert check.importable() == truth["unique_complaints"]
    assert "No problems found." in check.result.text()
    assert check.isComplete() and not check.skip_check.isVisible()
    wizard.next()
    # import and summary
    assert wizard.currentId() == ImportWizard.IMPORT
    _wait_page(qtbot, wizard.import_page)
    summary = wizard.summary
    assert summary is not None and summary.rows_imported == truth["unique_complaints"]
    assert "296 complaints imported" in wizard.import_page.result.text()
    assert sqlite_app.complaint_queries.count(case.id) == truth["unique_complaints"]
    assert wizard.import_page.isComplete()


def test_validation_report_names_the_lines(qtbot: QtBot, sqlite_app: App,
                                           samples: Path) -> None:
    case = sqlite_app.cases.create(title="坏文件")
    truth = json.loads((samples / "broken_ragged.truth.json").read_text(encoding="utf-8"))
    wizard = _wizard(qtbot, sqlite_app, case.id)
    _choose(wizard, samples / "broken_ragged.csv")
    wizard.next()
    wizard.next()
    check = wizard.check_page
    _wait_page(qtbot, check)
    lines = sorted({int(check.problems.item(r, 0).text())
                    for r in range(check.problems.rowCount())})
    assert lines == truth["lines"]
    message = check.problems.item(0, 2).text()
    assert f"line {truth['lines'][0]}" in message
    # bad rows: only with "import the good rows" ticked
    assert not check.isComplete() and check.skip_check.isVisible()
    check.skip_check.setChecked(True)
    assert check.isComplete()
    wizard.next()
    _wait_page(qtbot, wizard.import_page)
    summary = wizard.summary
    assert summary is not None and summary.rows_rejected == len(truth["lines"])
    assert summary.rejected_file and Path(summary.rejected_file).exists()
    Path(summary.rejected_file).unlink()


def test_file_without_header_mapped_by_position(qtbot: QtBot, sqlite_app: App, samples: Path,
                                                tmp_path: Path) -> None:
    case = sqlite_app.cases.create(title="无表头")
    wizard = _wizard(qtbot, sqlite_app, case.id)
    _choose(wizard, samples / "broken_nohead.csv")
    assert wizard.currentId() == ImportWizard.PREVIEW
    assert "header row is missing" in wizard.preview_page.info.text()
    assert wizard.preview_page.table.item(0, 0).text().startswith("TS2024")
    wizard.next()
    page = wizard.mapping_page
    assert not page.header_check.isChecked()
    assert not page.isComplete()
    page.set_source("external_number", 0)
    page.set_source("received_at", 1)
    page.set_source("customer_name", 3)
    page.set_source("text", 10)
    assert page.isComplete()
    assert page.table.item(3, 2).text()  # customer name sample
    saved = tmp_path / "nohead.json"
    page.save_mapping(saved)
    wizard.next()
    assert wizard.currentId() == ImportWizard.CHECK
    _wait_page(qtbot, wizard.check_page)
    assert wizard.check_page.summary.rows_read == 49
    # the saved mapping opens the same file directly in a new wizard
    again = _wizard(qtbot, sqlite_app, case.id)
    assert again.file_page.load_mapping(saved)
    _choose(again, samples / "broken_nohead.csv")
    assert again.open_problem == "" and again.mapping.fields["text"] == 10
    again.next()
    assert again.mapping_page.combos["text"].currentData() == 10
    assert again.mapping_page.combos["external_number"].currentData() == 0
    assert ROW_NUMBER in [again.mapping_page.combos["text"].itemData(i)
                          for i in range(again.mapping_page.combos["text"].count())]


def test_unreadable_file_stays_on_the_first_page(qtbot: QtBot, sqlite_app: App,
                                                 tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                 ) -> None:
    case = sqlite_app.cases.create(title="空")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    shown: list[str] = []
    monkeypatch.setattr("caseapp.ui.dialogs.import_wizard.show_error",
                        lambda parent, what, error, hint=None: shown.append(f"{what}: {error}"))
    wizard = _wizard(qtbot, sqlite_app, case.id)
    _choose(wizard, empty)
    assert wizard.currentId() == ImportWizard.FILE
    assert shown and "empty.csv" in shown[0] and "empty" in shown[0]


@pytest.fixture(scope="module")
def large_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("large") / "large.csv"
    write_demo_complaints(path, templated=16_000, genuine=4_000)
    return path


def _to_import_page(qtbot: QtBot, wizard: ImportWizard, path: Path) -> None:
    _choose(wizard, path)
    wizard.next()
    wizard.next()
    _wait_page(qtbot, wizard.check_page)
    assert wizard.check_page.isComplete()
    wizard.next()


def test_cancel_the_import(qtbot: QtBot, sqlite_app: App, large_file: Path) -> None:
    case = sqlite_app.cases.create(title="取消")
    wizard = _wizard(qtbot, sqlite_app, case.id)
    _to_import_page(qtbot, wizard, large_file)
    panel = wizard.import_page.panel
    qtbot.waitUntil(lambda: panel.bar.maximum() > 0 and panel.bar.value() > 0, timeout=60_000)
    panel.cancel_button.click()
    _wait_page(qtbot, wizard.import_page)
    assert "nothing was imported" in wizard.import_page.result.text()
    assert wizard.summary is None and not wizard.import_page.isComplete()
    assert sqlite_app.complaint_queries.count(case.id) == 0
    assert sqlite_app.evidence.list(case.id) == []


def test_ui_keeps_processing_events_during_a_large_import(qtbot: QtBot, sqlite_app: App,
                                                          large_file: Path) -> None:
    case = sqlite_app.cases.create(title="大文件")
    wizard = _wizard(qtbot, sqlite_app, case.id)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    start = time.monotonic()
    _to_import_page(qtbot, wizard, large_file)
    progress: list[int] = []
    wizard.import_page.panel.bar.valueChanged.connect(progress.append)
    _wait_page(qtbot, wizard.import_page)
    timer.stop()
    elapsed = time.monotonic() - start
    assert wizard.summary is not None and wizard.summary.rows_imported == 20_000
    assert elapsed > 2  # a real amount of work happened off the UI thread
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    # the timer kept firing through checking and importing: no long freeze
    assert len(ticks) > elapsed / 0.020 * 0.3, (len(ticks), elapsed)
    assert max(gaps) < 1.0, max(gaps)
    assert len(set(progress)) > 5  # the bar moved
