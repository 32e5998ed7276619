"""Repeat complainants, shared identifiers and suspicious claims on the sample exports."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from caseapp.analysis.claims import (
    RULE_BAD_ID_NUMBER,
    RULE_FAKE_LAWYER_LICENSE,
    KeywordRule,
    find_claims,
    load_rules_text,
)
from caseapp.analysis.repeat_complainants import (
    ComplaintFacts,
    customer_key,
    find_repeat_complainants,
)
from caseapp.analysis.shared_identifiers import MentionFacts, find_shared_identifiers
from caseapp.domain.errors import InvalidInputError
from caseapp.importers import open_complaint_file

SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "samples"


def _read(name: str) -> tuple[dict, dict[str, ComplaintFacts], list[MentionFacts]]:
    if not SAMPLES.is_dir():
        pytest.skip(f"samples not found at {SAMPLES}")
    truth = json.loads((SAMPLES / f"{name}.truth.json").read_text(encoding="utf-8"))
    facts: dict[str, ComplaintFacts] = {}
    mentions: list[MentionFacts] = []
    ids: dict[tuple[str, str], int] = {}
    for record in open_complaint_file(SAMPLES / f"{name}.csv").records():
        row = record.row
        if row is None:
            continue
        f = ComplaintFacts(id=len(facts) + 1, external_number=row.external_number,
                           customer_name=row.customer_name,
                           customer_id_number=row.customer_id_number,
                           customer_phone=row.customer_phone, category=row.category,
                           channel=row.channel, received_at=row.received_at, text=row.text)
        facts[row.external_number] = f
        for m in row.mentions:
            key = (m.identifier.type.value, m.identifier.value)
            mentions.append(MentionFacts(
                identifier_id=ids.setdefault(key, len(ids) + 1), type=key[0], value=key[1],
                valid=m.identifier.valid, party_id=None, complaint_id=f.id, field=m.field,
                customer=customer_key(f)))
    return truth, facts, mentions


def test_repeat_complainants_match_truth() -> None:
    truth, facts, _m = _read("complaints_small")
    expected: dict[tuple[str, str], set[str]] = defaultdict(set)
    for number, t in truth["complaints"].items():
        if t["id_number"]:
            expected[(t["customer"], facts[number].category)].add(number)
    expected_sets = {frozenset(v) for v in expected.values() if len(v) >= 3}
    found = find_repeat_complainants(facts.values())
    found_sets = {frozenset(r.external_numbers) for r in found if r.key_type == "id_card"}
    assert expected_sets and expected_sets == found_sets
    top = found[0]
    assert top.count >= 3 and top.first_received <= top.last_received
    assert sum(n for _c, n in top.channels) == top.count


def test_shared_agent_identifiers_match_truth() -> None:
    truth, _facts_by_number, mentions = _read("complaints_small")
    shared = {(s.type, s.value): s for s in find_shared_identifiers(mentions)}
    customers_by_phone: dict[str, set[str]] = defaultdict(set)
    for t in truth["complaints"].values():
        if t["agent_phone"] and t["agent_visible"] in ("column", "both"):
            customers_by_phone[t["agent_phone"]].add(t["customer"])
    expected = {p for p, c in customers_by_phone.items() if len(c) >= 2}
    assert expected
    for phone in expected:
        assert ("mobile", "+86" + phone) in shared, phone
        assert shared[("mobile", "+86" + phone)].customers >= 2
    # customers' own ID numbers are never proposed as fingerprints
    assert not any(t == "id_card" for t, _v in shared)
    ranked = list(shared.values())
    assert ranked == sorted(ranked, key=lambda s: (-s.customers, -s.groups, -s.complaints,
                                                  s.type, s.value))


def test_shared_identifier_groups_count() -> None:
    mentions = [MentionFacts(1, "wechat", "abc_123", True, None, cid, "text", ("id_card", k))
                for cid, k in ((1, "a"), (2, "b"), (3, "c"))]
    found = find_shared_identifiers(mentions, group_of={1: 1, 2: 1, 3: 2})
    assert len(found) == 1 and found[0].customers == 3 and found[0].groups == 2
    assert find_shared_identifiers(mentions[:1]) == []


def _facts(text: str, id_number: str = "", when: datetime | None = None) -> ComplaintFacts:
    return ComplaintFacts(id=1, external_number="X-1", customer_name="张三",
                          customer_id_number=id_number, customer_phone="", category="c",
                          channel="ch", received_at=when or datetime(2025, 3, 4, tzinfo=UTC),
                          text=text)


def test_keyword_rules_with_age() -> None:
    rule = KeywordRule("ill", "重症", ("重症", "住院证明"), max_age=35)
    young = "110105200001010016"  # born 2000-01-01 (valid check digit)
    old = "11010519491231002X"  # born 1949
    hit = find_claims([_facts("本人身患重症，附住院证明", young)], [], [rule])
    assert [h.rule_id for h in hit] == ["ill"]
    assert hit[0].matched == ("重症", "住院证明") and "25" in hit[0].detail
    assert find_claims([_facts("本人身患重症", old)], [], [rule]) == []
    assert find_claims([_facts("本人身患重症", "")], [], [rule]) == []  # age unknown
    threat = KeywordRule("suicide", "自杀", ("自杀",))
    assert len(find_claims([_facts("再催我就自杀")], [], [threat])) == 1


def test_fake_lawyer_licence_and_bad_id_rules() -> None:
    facts = _facts("王律师执业证号91110101MAGY87PN75")
    mentions = [MentionFacts(7, "lawyer_license", "91110101MAGY87PN75", False, None, 1, "text",
                             None)]
    hits = find_claims([facts], mentions, [], id_number_problems={1: ["id_number_invalid"]})
    assert {h.rule_id for h in hits} == {RULE_FAKE_LAWYER_LICENSE, RULE_BAD_ID_NUMBER}


def test_rules_file_errors_are_named() -> None:
    with pytest.raises(InvalidInputError, match=r"my_rules\.json"):
        load_rules_text("{bad", source="my_rules.json")
    with pytest.raises(InvalidInputError, match="rule 1"):
        load_rules_text('{"rules": [{"id": "x", "keywords": []}]}', source="r.json")
    rules = load_rules_text('{"rules": [{"id": "x", "keywords": ["自杀"], "max_age": 30}]}',
                            source="r.json")
    assert rules == [KeywordRule("x", "x", ("自杀",), max_age=30)]
