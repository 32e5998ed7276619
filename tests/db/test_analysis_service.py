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
