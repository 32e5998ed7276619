"""Pairwise scores, and a small run of the benchmark (both engines in their own processes)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from caseapp.analysis import pairwise_scores
from caseapp.analysis.bench import DEFAULT_GENERATOR, main, read_complaints


def test_pairwise_scores() -> None:
    truth = {1: "A", 2: "A", 3: "A", 4: "B", 5: "B", 6: None}
    perfect = pairwise_scores(truth, truth)
    assert (perfect.precision, perfect.recall, perfect.f1) == (1.0, 1.0, 1.0)
    assert perfect.true_pairs == 4
    # One group too many merged: 1-2-3 with 4 and 5 → 10 predicted pairs, 4 correct.
    merged = pairwise_scores({k: "x" for k in [1, 2, 3, 4, 5]}, truth)
    assert merged.predicted_pairs == 10 and merged.correct_pairs == 4
    assert merged.precision == pytest.approx(0.4) and merged.recall == 1.0
    # Nothing grouped: precision is vacuous, recall nil.
    nothing = pairwise_scores({}, truth)
    assert (nothing.precision, nothing.recall, nothing.f1) == (1.0, 0.0, 0.0)
    # Items missing from the truth do not count.
    assert pairwise_scores({1: "x", 2: "x", 99: "x"}, {1: "A", 2: "A"}).f1 == 1.0


def test_read_complaints_drops_repeated_numbers(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("投诉编号,投诉内容\nA1,第一条\nA2,第二条\nA1,第一条\n,\n", encoding="utf-8-sig")
    assert read_complaints(path) == (["A1", "A2"], ["第一条", "第二条"])
    gb = tmp_path / "gb.csv"
    gb.write_bytes("工单号,问题描述\nB1,停息挂账\n".encode("gb18030"))
    assert read_complaints(gb) == (["B1"], ["停息挂账"])


def test_benchmark_runs_both_engines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not DEFAULT_GENERATOR.is_file():
        pytest.skip(f"sample generator not found at {DEFAULT_GENERATOR}")
    engines = ["caseapp"]
    if importlib.util.find_spec("datasketch") is not None:
        engines.append("datasketch")
    code = main(["--sizes", "400", "--workdir", str(tmp_path), "--engines", *engines])
    assert code == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split()[:3] == ["rows", "engine", "seconds"]
    rows = [line.split() for line in lines[1:]]
    assert [r[1] for r in rows] == engines
    for row in rows:
        assert row[0] == "400"
        assert float(row[3]) > 0  # peak RSS in MB
        assert float(row[-1]) >= 0.9  # family-level pairwise F1
