"""The analysis service on a real database: stored groups, findings, accepting a suspect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from caseapp.app import App
from caseapp.db.models import AnalysisRun, ComplaintGroup, Link
from caseapp.domain.errors import Cancelled
from caseapp.domain.progress import CancelToken


def _pairs(clusters: list[list[str]]) -> set[frozenset[str]]:
    return {frozenset((a, b)) for c in clusters for i, a in enumerate(c) for b in c[i + 1:]}


def test_groups_match_families_and_rerun_replaces(app: App, samples: Path) -> None:
    truth = json.loads((samples / "complaints_small.truth.json").read_text(encoding="utf-8"))
    case = app.cases.create(title="a")
    app.complaints.import_file(case.id, samples / "complaints_small.csv")
    report = app.analysis.run(case.id)
    by_family: dict[str, list[str]] = {}
    for number, t in truth["complaints"].items():
        if t["family"]:
            by_family.setdefault(t["family"], []).append(number)
    gold = _pairs(list(by_family.values()))
    found = _pairs(report.clusters())
    precision = len(gold & found) / len(found)
    recall = len(gold & found) / len(gold)
    assert precision >= 0.95 and recall >= 0.9, (precision, recall)
    genuine = {n for n, t in truth["complaints"].items() if not t["family"]}
    assert not genuine & {n for c in report.clusters() for n in c}
    first = report.groups[0]
    members = app.analysis.group_members(first.id)
    assert len(members) == first.size and members[0].similarity >= members[-1].similarity
    again = app.analysis.run(case.id)
    with app.db.read() as s:
        assert s.scalar(select(func.count()).select_from(AnalysisRun)) == 1
        assert s.scalar(select(func.count()).select_from(ComplaintGroup)) == len(again.groups)
    assert app.analysis.latest(case.id).run_id == again.run_id
    assert app.audit.verify(case.id).ok


def test_findings_and_accept_as_suspect(app: App, samples: Path) -> None:
    case = app.cases.create(title="a")
    app.complaints.import_file(case.id, samples / "complaints_small.csv")
    report = app.analysis.run(case.id)
    assert report.repeat_complainants and report.shared_identifiers
    top = report.shared_identifiers[0]
    party = app.analysis.accept_shared_identifier(case.id, top.identifier_id, name="代理团伙A")
    assert party.name == "代理团伙A" and party.role == "suspect"
    assert [i.value for i in party.identifiers] == [top.value]
    with app.db.read() as s:
        links = s.scalar(select(func.count()).select_from(Link).where(
            Link.from_type == "party", Link.from_id == party.id))
    assert links == top.complaints
    again = app.analysis.accept_shared_identifier(case.id, top.identifier_id)
    assert again.id == party.id  # accepting twice adds nothing
    with app.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Link)) == links
    latest = app.analysis.latest(case.id)
    assert latest.shared_identifiers[0].party_id == party.id


def test_cancelled_analysis_keeps_previous_results(app: App, samples: Path) -> None:
    case = app.cases.create(title="a")
    app.complaints.import_file(case.id, samples / "complaints_small.csv")
    first = app.analysis.run(case.id)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        app.analysis.run(case.id, threshold=0.5, cancel=token)
    assert app.analysis.latest(case.id).run_id == first.run_id


def _group_sets(app: App, report: object) -> set[frozenset[str]]:
    return {frozenset(c) for c in report.clusters()}  # type: ignore[attr-defined]


def _first_rows(source: Path, target: Path, count: int) -> Path:
    import csv

    with source.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    with target.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows[:count + 1])
    return target


def test_signatures_are_stored_and_only_new_complaints_hashed(app: App, samples: Path,
                                                              tmp_path: Path) -> None:
    from caseapp.db.models import Complaint, ComplaintSignature

    half = _first_rows(samples / "complaints_small.csv", tmp_path / "half.csv", 120)
    case = app.cases.create(title="incremental")
    first = app.complaints.import_file(case.id, half)
    report = app.analysis.run(case.id)
    with app.db.read() as s:
        stats = s.scalar(select(AnalysisRun.stats))
        stored = s.scalar(select(func.count()).select_from(ComplaintSignature))
        total = s.scalar(select(func.count()).select_from(Complaint))
    assert stats["signatures_computed"] == total == stored and stats["signatures_reused"] == 0

    # A re-run hashes nothing and finds the same groups.
    again = app.analysis.run(case.id)
    with app.db.read() as s:
        stats = s.scalar(select(AnalysisRun.stats))
    assert stats["signatures_computed"] == 0 and stats["signatures_reused"] == total
    assert _group_sets(app, again) == _group_sets(app, report)

    # New complaints: only they are hashed, and the groups equal a from-scratch run.
    second = app.complaints.import_file(case.id, samples / "complaints_small.csv")
    assert second.rows_imported > 0 and first.rows_imported > 100
    grown = app.analysis.run(case.id)
    with app.db.read() as s:
        stats = s.scalar(select(AnalysisRun.stats))
        now_total = s.scalar(select(func.count()).select_from(Complaint))
    assert stats["signatures_reused"] == total
    assert stats["signatures_computed"] == now_total - total
    scratch = app.cases.create(title="from scratch")
    app.complaints.import_file(scratch.id, samples / "complaints_small.csv")
    assert _group_sets(app, app.analysis.run(scratch.id)) == _group_sets(app, grown)

    # A stored signature whose text changed is recomputed, not trusted.
    with app.db.write() as s:
        victim = s.scalar(select(Complaint).where(Complaint.case_id == case.id).limit(1))
        assert victim is not None
        victim.text = (victim.text or "") + "补充说明。"
    app.analysis.run(case.id)
    with app.db.read() as s:
        stats = s.scalar(select(AnalysisRun.stats).where(AnalysisRun.case_id == case.id))
    assert stats["signatures_computed"] == 1 and stats["signatures_reused"] == now_total - 1


def test_packed_signatures_round_trip() -> None:
    import numpy as np

    from caseapp.analysis.grouping import GroupingParams
    from caseapp.analysis.signatures import compute_signatures
    from caseapp.services.grouping import pack_signature, unpack_signatures

    spec = GroupingParams().signature_spec()
    texts = [(5, "你好世界，这是一段投诉内容"), (9, ""), (2, "short english text")]
    sigs = compute_signatures(texts, spec)
    back = unpack_signatures(spec, [(int(sigs.ids[i]), pack_signature(sigs, i))
                                    for i in range(len(sigs))])
    for name in ("ids", "minhash", "offsets", "shingles", "lengths", "latin"):
        assert np.array_equal(getattr(back, name), getattr(sigs, name)), name
