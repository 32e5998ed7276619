"""The exchange benchmark runs end to end (on a small scale) and finds exactly the overlap."""

from __future__ import annotations

import json

import pytest

from caseapp.bench.__main__ import main


def test_benchmark_small(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["exchange", "--local", "3000", "--peer", "400", "--overlap", "70",
                 "--json"]) == 0
    out = capsys.readouterr().out
    figures = json.loads(out[out.index("{"):])
    assert figures["matched"] == 70 and figures["import_matched"] == 70
    assert figures["checked"] == 3000 and figures["exported_entries"] == 600
    assert "match case against peers" in out
