"""The exchange's matches where the investigator and the police see them: on the party, on
the link chart and in the dossier's suspect section — as a count of other institutions, never
their names, codes or data."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from caseapp.export.service import ExportFormat, ExportOptions
from caseapp.i18n import set_language

if TYPE_CHECKING:
    from conftest import Pair


def _exchange(pair: Pair) -> None:
    out = pair.a.files / "from_a.json"
    pair.a.app.exchange.export_case(pair.case_a, out)
    pair.b.app.exchange.import_file(out)


def test_the_dossier_counts_the_institutions_behind_a_suspect(pair: Pair) -> None:
    set_language("en")
    b = pair.b.app
    before = {p.name: p.exchange for p in b.export.context(pair.case_b).parties}
    assert set(before.values()) == {""}  # nothing exchanged yet
    _exchange(pair)
    parties = {p.name: p for p in b.export.context(pair.case_b).parties}
    assert parties["杜某"].exchange == (
        "1 other institution of the industry exchange also reports this party's identifiers "
        "(first seen 2025-01-03)")
    assert parties["法务公司"].exchange.startswith("1 other institution")
    assert parties["陈专员"].exchange == "" and parties["赵六"].exchange == ""


def test_the_pdf_shows_the_count_and_nothing_of_the_other_institution(
        pair: Pair, tmp_path: object) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    set_language("zh_CN")
    _exchange(pair)
    out = pair.b.files / "dossier.pdf"
    pair.b.app.export.export(pair.case_b, out, ExportOptions(format=ExportFormat.PDF))
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    flat = "".join(text.split())
    assert "另有1家行业共享机构报告了该主体的标识" in flat
    # the other institution, its party names and identifiers only it knows
    for secret in ("BANKA", "甲银行", "杜专员", "王律师", "13911112222", "6217001234567890122"):
        assert secret not in flat, secret


def test_the_party_view_and_the_link_chart_show_the_count(pair: Pair, qtbot: object,
                                                          tmp_path: Path) -> None:
    from caseapp.ui.views.linkchart_view import LinkChartView
    from caseapp.ui.views.parties_view import PartiesView

    set_language("en")
    b = pair.b.app
    parties = {p.name: p for p in b.parties.list(pair.case_b)}
    view = PartiesView(b)
    qtbot.addWidget(view)  # type: ignore[attr-defined]
    view.resize(1200, 800)
    view.set_case(pair.case_b)
    view.show()
    assert view.show_item("party", parties["杜某"].id)
    assert view.detail.exchange_label.isHidden()  # nothing exchanged yet
    _exchange(pair)
    view.refresh()
    assert view.show_item("party", parties["杜某"].id)
    label = view.detail.exchange_label
    assert not label.isHidden()
    assert "Also reported by 1 other institution (first seen 2025-01-03)" in label.text()
    assert "+8618508477852: 1 institution" in label.text()
    assert "BANKA" not in label.text() and "甲银行" not in label.text()
    view.grab().save(str(tmp_path / "party_exchange.png"))
    assert view.show_item("party", parties["陈专员"].id)
    assert view.detail.exchange_label.isHidden()

    chart = LinkChartView(b)
    qtbot.addWidget(chart)  # type: ignore[attr-defined]
    chart.resize(1100, 750)
    chart.set_case(pair.case_b)
    chart.show()
    chart.reload()
    du, chen = (chart.nodes[f"party:{parties[n].id}"] for n in ("杜某", "陈专员"))
    assert du.badge == 1 and "Also reported by 1 other institution" in du.toolTip()
    assert chen.badge == 0 and "Also reported" not in chen.toolTip()
    chart.grab().save(str(tmp_path / "chart_exchange.png"))
