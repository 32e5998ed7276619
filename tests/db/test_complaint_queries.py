"""Browsing a case's complaints: ordered ids under filters and sorts, rows by id, facets,
details with identifier mentions and the templated group."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from caseapp.app import App
from caseapp.domain.errors import InvalidInputError, NotFoundError
from caseapp.services.complaint_queries import SORT_KEYS, ComplaintQuery


@pytest.fixture
def loaded(app: App, samples: Path) -> tuple[App, int, dict[str, dict[str, str]]]:
    case = app.cases.create(title="browse")
    app.complaints.import_file(case.id, samples / "complaints_small.csv")
    with (samples / "complaints_small.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = {r["投诉编号"]: r for r in csv.DictReader(fh)}
    return app, case.id, rows


def _numbers(app: App, ids: list[int]) -> list[str]:
    return [app.complaints.get(i).external_number for i in ids]


def test_ids_in_order_and_rows_by_id(loaded: tuple[App, int, dict]) -> None:
    app, case_id, rows = loaded
    q = app.complaint_queries
    ids = q.ordered_ids(case_id)
    assert len(ids) == len(rows) == q.count(case_id)
    listed = q.rows(case_id, ids[:50])
    assert [r.id for r in listed] == ids[:50]
    dates = [r.received_at for r in listed]
    assert dates == sorted(dates)
    first = listed[0]
    source = rows[first.external_number]
    assert first.customer_name == source["客户姓名"] and first.category == source["投诉类别"]
    assert first.excerpt and source["投诉内容"].replace("\n", " ").startswith(first.excerpt[:20])
    # ids of another order, including one of another case, come back in the asked order
    other = app.cases.create(title="other")
    assert q.rows(other.id, ids[:3]) == []
    assert [r.id for r in q.rows(case_id, list(reversed(ids[:5])))] == list(reversed(ids[:5]))
    with pytest.raises(InvalidInputError):
        q.rows(case_id, list(range(6000)))


def test_every_sort_key(loaded: tuple[App, int, dict]) -> None:
    app, case_id, rows = loaded
    app.analysis.run(case_id)
    for key in SORT_KEYS:
        _check_sort(app, case_id, rows, key)


def _check_sort(app: App, case_id: int, rows: dict, key: str) -> None:
    q = app.complaint_queries
    up = q.ordered_ids(case_id, ComplaintQuery(sort=key))
    down = q.ordered_ids(case_id, ComplaintQuery(sort=key, descending=True))
    assert sorted(up) == sorted(down) and len(up) == len(rows)
    if key in ("external_number", "received_at", "amount"):
        assert up == list(reversed(down))
    if key == "external_number":
        numbers = [r.external_number for r in q.rows(case_id, up[:100])]
        assert numbers == sorted(numbers)
    if key == "group":
        listed = q.rows(case_id, up[:200])
        numbers = [r.group_number for r in listed if r.group_number is not None]
        assert numbers == sorted(numbers) and numbers[0] == 1
        # complaints in no group come last in both directions
        assert q.rows(case_id, up[-1:])[0].group_number is None
        assert q.rows(case_id, down[-1:])[0].group_number is None


def test_filters(loaded: tuple[App, int, dict]) -> None:
    app, case_id, rows = loaded
    q = app.complaint_queries
    facets = q.facets(case_id)
    assert facets.total == len(rows)
    category, n = facets.categories[0]
    assert n == sum(1 for r in rows.values() if r["投诉类别"] == category)
    assert q.count(case_id, ComplaintQuery(category=category)) == n
    channel, n = facets.channels[-1]
    assert len(q.ordered_ids(case_id, ComplaintQuery(channel=channel))) == n
    start = datetime(2024, 8, 1, tzinfo=UTC)
    end = datetime(2024, 9, 1, tzinfo=UTC)
    in_august = q.ordered_ids(case_id, ComplaintQuery(received_from=start, received_to=end))
    assert in_august and all(start <= r.received_at < end for r in q.rows(case_id, in_august))
    both = q.count(case_id, ComplaintQuery(category=category, received_from=start,
                                           received_to=end))
    assert both <= min(len(in_august), q.count(case_id, ComplaintQuery(category=category)))
    assert facets.groups == ()  # no analysis yet
    with pytest.raises(InvalidInputError):
        q.ordered_ids(case_id, ComplaintQuery(sort="text"))


def test_search_text_numbers_and_phones(loaded: tuple[App, int, dict]) -> None:
    app, case_id, rows = loaded
    q = app.complaint_queries
    for needle in ("停息挂账", "征信", "催"):  # FTS (3+ characters) and short substrings
        expected = {k for k, r in rows.items() if needle in r["投诉内容"]}
        found = set(_numbers(app, q.ordered_ids(case_id, ComplaintQuery(search=needle))))
        assert expected <= found, needle
        assert found == expected | {k for k, r in rows.items()
                                    if needle in (r["客户姓名"], r["代理人"])}
    number = next(iter(rows))
    assert _numbers(app, q.ordered_ids(case_id, ComplaintQuery(search=number))) == [number]
    agent_phone = next(r["代理人电话"] for r in rows.values()
                       if r["代理人电话"][:11].isdigit())[:11]
    spaced = f"{agent_phone[:3]} {agent_phone[3:7]} {agent_phone[7:]}"
    found = set(_numbers(app, q.ordered_ids(case_id, ComplaintQuery(search=spaced))))
    assert {k for k, r in rows.items() if agent_phone in r["代理人电话"]} <= found
    total, page = q.page(case_id, ComplaintQuery(search="停息挂账"), offset=2, limit=3)
    assert total == q.count(case_id, ComplaintQuery(search="停息挂账")) and len(page) == 3


def test_detail_group_and_identifier_filters(loaded: tuple[App, int, dict]) -> None:
    app, case_id, rows = loaded
    q = app.complaint_queries
    report = app.analysis.run(case_id)
    group = report.groups[0]
    members = q.ordered_ids(case_id, ComplaintQuery(group_id=group.id))
    assert len(members) == group.size
    assert {r.group_number for r in q.rows(case_id, members)} == {group.number}
    facets = q.facets(case_id)
    assert [g.id for g in facets.groups] == [g.id for g in report.groups]
    detail = q.detail(group.representative_id)
    assert detail.group is not None and detail.group.id == group.id
    assert detail.group.size == group.size
    text_mentions = [m for m in detail.mentions if m.field == "text" and m.start is not None]
    for m in text_mentions:
        assert detail.complaint.text[m.start:m.end] == m.raw
    shared = report.shared_identifiers[0]
    mentioning = q.ordered_ids(case_id, ComplaintQuery(identifier_id=shared.identifier_id))
    assert sorted(mentioning) == sorted(shared.complaint_ids)
    with pytest.raises(NotFoundError):
        q.detail(10**9)
    number = next(iter(rows))
    assert q.find_number(case_id, number) == q.ordered_ids(case_id, ComplaintQuery(
        search=number))[0]
    assert number in q.numbers_starting(case_id, number[:8])
    assert q.numbers_starting(case_id, "%") == []


def test_search_service_finds_every_kind(loaded: tuple[App, int, dict], tmp_path: Path
                                         ) -> None:
    app, case_id, rows = loaded
    from caseapp.domain.enums import ContactChannel
    from caseapp.services.contacts import ContactFields
    from caseapp.services.evidence import EvidenceFields

    party = app.parties.add(case_id, name="聚德法务中心", aliases=["聚德工作室"],
                            identifiers=[("mobile", "185 0847 7852"), ("wechat", "jude_du888")])
    app.contacts.add(case_id, ContactFields(
        channel=ContactChannel.WECHAT, started_at=datetime(2025, 3, 4, tzinfo=UTC),
        counterpart_account="jude_du888", summary="对方称可代办停息挂账，收定金500元"))
    shot = tmp_path / "receipt.txt"
    shot.write_text("转账记录", encoding="utf-8")
    app.evidence.add(case_id, shot, EvidenceFields(title="定金转账截图",
                                                   proof_purpose="证明收取定金"))
    results = app.search.search(case_id, "聚德")
    assert [h.object_id for h in results.of_type("party")] == [party.id]
    results = app.search.search(case_id, "185-0847-7852")
    idents = results.of_type("identifier")
    assert idents and idents[0].title == "+8618508477852" and "聚德法务中心" in idents[0].snippet
    results = app.search.search(case_id, "定金")
    assert len(results.of_type("contact")) == 1 and len(results.of_type("evidence")) == 1
    assert "定金" in results.of_type("contact")[0].snippet
    results = app.search.search(case_id, "停息挂账", limit=5)
    expected = sum(1 for r in rows.values() if "停息挂账" in r["投诉内容"])
    assert results.complaint_total >= expected and len(results.of_type("complaint")) == 5
    assert all("停息挂账" in h.snippet for h in results.of_type("complaint"))
    assert app.search.search(case_id, "   ").hits == ()
    assert json.dumps([h.title for h in app.search.search(case_id, "%_").hits]) == "[]"
