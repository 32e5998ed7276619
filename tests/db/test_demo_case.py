"""The demo case: created once; its invented complaint export added (and analysed) on request."""

from __future__ import annotations

from caseapp.app import App
from caseapp.demo import DEMO_NUMBER, ensure_demo_case


def test_demo_complaints_are_added_once(app: App) -> None:
    case = ensure_demo_case(app)
    assert app.complaint_queries.count(case.id) == 0
    again = ensure_demo_case(app, complaints=True)
    assert again.id == case.id and again.number == DEMO_NUMBER
    assert app.complaint_queries.count(case.id) == 228
    report = app.analysis.latest(case.id)
    assert report.run_id is not None and len(report.groups) >= 4
    # the agency's phone ties its complaints to the agent party of the demo
    agent = next(p for p in app.parties.list(case.id) if p.name == "杜专员")
    shared = {s.value: s for s in report.shared_identifiers}
    assert shared["+8618508477852"].party_id == agent.id
    assert shared["+8618508477852"].customers >= 10
    batches = len(app.evidence.list(case.id))
    ensure_demo_case(app, complaints=True)
    assert app.complaint_queries.count(case.id) == 228
    assert len(app.evidence.list(case.id)) == batches
    assert app.audit.verify(case.id).ok
