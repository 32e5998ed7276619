"""Two institutions exchange files both ways: each finds exactly the suspects they share, and
nothing about a customer (or any plaintext) ever leaves either of them."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from caseapp.db.models import Complaint, Identifier, Party
from caseapp.exchange import EXCHANGED_TYPES, identifier_digest
from caseapp.services import exchange as exchange_service
from caseapp.services.linkgraph import LinkGraphService

if TYPE_CHECKING:
    from conftest import Alliance, Institution, Pair

pytestmark = pytest.mark.filterwarnings("error")


def _export(inst: Institution, case_id: int, name: str, monkeypatch: pytest.MonkeyPatch,
            hashed: list[tuple[str, str]] | None = None) -> Path:
    """Export with the hashing function watched: every (type, value) hashed is recorded."""
    real = exchange_service.digests

    def watched(key: bytes, pairs: list[tuple[str, str]]) -> list[str]:
        pairs = list(pairs)
        if hashed is not None:
            hashed.extend(pairs)
        return real(key, pairs)

    out = inst.files / name
    with monkeypatch.context() as m:
        m.setattr(exchange_service, "digests", watched)
        inst.app.exchange.export_case(case_id, out)
    return out


def _found(inst: Institution, case_id: int) -> set[tuple[str, str]]:
    return {(m.type, m.value) for m in inst.app.exchange.matches(case_id).identifiers}


def _consortium_key(inst: Institution) -> bytes:
    secret = inst.app.exchange.keys.consortium_secret("alliance-2025")
    assert secret is not None
    return secret


def test_each_side_finds_exactly_the_shared_suspects(
        pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = pair.a, pair.b
    hashed_by_a: list[tuple[str, str]] = []
    hashed_by_b: list[tuple[str, str]] = []
    file_a = _export(a, pair.case_a, "from_a.json", monkeypatch, hashed_by_a)
    file_b = _export(b, pair.case_b, "from_b.json", monkeypatch, hashed_by_b)
    # Only the suspect-side parties' identifiers were ever hashed for a file.
    assert set(hashed_by_a) == pair.a_exported and len(hashed_by_a) == len(pair.a_exported)
    assert set(hashed_by_b) == pair.b_exported

    # Nothing matches before the files are exchanged.
    assert _found(a, pair.case_a) == set() and _found(b, pair.case_b) == set()
    into_b = b.app.exchange.import_file(file_a)
    into_a = a.app.exchange.import_file(file_b)
    assert (into_b.issuer_code, into_b.entries) == ("BANKA", len(pair.a_exported))
    assert (into_a.issuer_code, into_a.entries) == ("BANKB", len(pair.b_exported))
    assert into_b.matched_identifiers == len(pair.found_by_b) and into_b.matched_cases == 1
    assert into_a.matched_identifiers == len(pair.found_by_a)

    assert _found(b, pair.case_b) == pair.found_by_b
    assert _found(a, pair.case_a) == pair.found_by_a

    # What B learns about the shared agent phone: A's own figures, as A counted them.
    at_b = {(m.type, m.value): m for m in b.app.exchange.matches(pair.case_b).identifiers}
    phone = at_b[("mobile", "+8618508477852")]
    assert phone.institutions == 1 and phone.party_name == "杜某"
    (report,) = phone.reports
    assert (report.code, report.name, report.categories) == ("BANKA", "甲银行", ("agent",))
    assert (report.first_seen, report.last_seen) == (date(2025, 1, 3), date(2025, 1, 20))
    assert (report.complaints, report.customers) == (2, 2)
    assert phone.local_complaints == 0  # B's complaints never name this phone
    wechat = at_b[("wechat", "jude_du888")]
    assert wechat.party_id is None and wechat.local_complaints == 1
    assert wechat.reports[0].complaints == 1
    assert at_b[("uscc", "91110108MA01ABCD1E")].reports[0].categories == ("intermediary",)

    # Matches appear on the party: institutions counted, never their data.
    by_party = b.app.exchange.party_matches(pair.case_b)
    names = {p.name: p for p in by_party.values()}
    assert set(names) == {"杜某", "法务公司"}
    assert names["杜某"].institutions == 1 and names["杜某"].first_seen == date(2025, 1, 3)

    # …and on the link chart's nodes, as an attribute keyed like the chart's own nodes.
    badges = b.app.exchange.graph_badges(pair.case_b)
    graph = LinkGraphService(b.app.ctx).graph(pair.case_b)
    party_keys = {f"party:{p.party_id}" for p in by_party.values()}
    assert party_keys <= set(badges) and all(key in graph for key in party_keys)
    ids = {f"identifier:{m.identifier_id}" for m in b.app.exchange.matches(pair.case_b)
           .identifiers}
    assert set(badges) == party_keys | ids and set(badges.values()) == {1}


def _plaintexts(inst: Institution) -> set[str]:
    """Every identifier (normalised and as typed, with and without +86), name, number and
    complaint text the institution holds."""
    out: set[str] = set()
    with inst.app.db.read() as s:
        for ident in s.scalars(select(Identifier)):
            out.update({ident.value, ident.raw, ident.raw.replace(" ", "").replace("-", "")})
            if ident.value.startswith("+86"):
                out.add(ident.value[3:])
        for party in s.scalars(select(Party)):
            out.add(party.name)
        for c in s.scalars(select(Complaint)):
            out.update({c.external_number, c.customer_name, c.customer_id_number,
                        c.customer_phone, c.customer_phone_raw, c.customer_id_number_raw,
                        c.agent_name, c.agent_phone, c.agent_phone_raw, c.text[:8],
                        c.text[-8:]})
            if c.customer_phone.startswith("+86"):
                out.add(c.customer_phone[3:])
    return {p for p in out if p and len(p) >= 2}


def _complainant_values(inst: Institution) -> set[str]:
    with inst.app.db.read() as s:
        values = set(s.scalars(select(Identifier.value).join(Party).where(
            Party.role == "complainant")))
        for c in s.scalars(select(Complaint)):
            values.update({c.customer_id_number, c.customer_phone})
    return {v for v in values if v}


def test_no_plaintext_and_no_customer_leaves_in_an_exported_file(
        pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = pair.a, pair.b
    files = {"A": _export(a, pair.case_a, "a.json", monkeypatch),
             "B": _export(b, pair.case_b, "b.json", monkeypatch)}
    plaintexts = _plaintexts(a) | _plaintexts(b)
    case_texts = {"BANKA-2025-01", "甲银行反催收案", "乙银行反催收案"}
    assert len(plaintexts) > 60  # the scan has something to look for
    for side, path in files.items():
        text = path.read_text(encoding="utf-8").lower()
        leaked = sorted(p for p in plaintexts | case_texts if p.lower() in text)
        # The issuer's own name is the only plain word in the file.
        assert leaked == [], f"{side}'s file contains {leaked}"

    key = _consortium_key(a)
    customer_values = _complainant_values(a) | _complainant_values(b)
    assert {"+8613800001111", "110101199003071233", "+8613600004444",
            "510107198808082341"} <= customer_values
    for side, path in files.items():
        entries = json.loads(path.read_bytes())["entries"]
        in_file = {e["digest"] for e in entries}
        # No complainant identifier is in the file under any type it could be hashed as.
        for value in customer_values:
            for kind in sorted(EXCHANGED_TYPES | {"id_card"}):
                assert identifier_digest(key, kind, value) not in in_file, (side, kind, value)
        expected = pair.a_exported if side == "A" else pair.b_exported
        assert in_file == {identifier_digest(key, t, v) for t, v in expected}
        assert [e["digest"] for e in entries] == sorted(in_file)  # order says nothing


def test_identifier_also_used_by_a_customer_is_withheld(
        alliance: Alliance, monkeypatch: pytest.MonkeyPatch) -> None:
    a = alliance.institution("BANKA", "甲银行")
    app = a.app
    case = app.cases.create(title="案一")
    # The agent filed complaints posing as the customer, with his own phone as the customer's.
    agent = app.parties.add(case.id, name="冒充家属的代理人", role="agent",
                            identifiers=[("mobile", "13811112222"), ("wechat", "fake_kin01")])
    csv_path = a.root / "c.csv"
    csv_path.write_text("投诉编号,客户姓名,联系电话,投诉内容\nX-1,钱八,13811112222,要求免息\n"
                        "X-2,周十,微信：kin_wx88,要求停息\n", encoding="utf-8")
    app.complaints.import_file(case.id, csv_path)
    # In another case, a complainant's QQ number.
    other = app.cases.create(title="案二")
    app.parties.add(other.id, name="孙九", role="complainant", identifiers=[("qq", "88776655")])
    app.parties.add_identifier(agent.id, "qq", "88776655")
    # A WeChat ID written in a customer's phone cell is the customer's too.
    app.parties.add_identifier(agent.id, "wechat", "kin_wx88")

    plan = app.exchange.plan_export(case.id)
    assert {(w.type, w.value, w.reason) for w in plan.withheld} == {
        ("mobile", "+8613811112222", "complainant"), ("qq", "88776655", "complainant"),
        ("wechat", "kin_wx88", "complainant")}
    hashed: list[tuple[str, str]] = []
    path = _export(a, case.id, "a.json", monkeypatch, hashed)
    assert hashed == [("wechat", "fake_kin01")]
    key = _consortium_key(a)
    digests = {e["digest"] for e in json.loads(path.read_bytes())["entries"]}
    assert digests == {identifier_digest(key, "wechat", "fake_kin01")}


def test_only_suspect_side_parties_can_be_chosen(alliance: Alliance) -> None:
    a = alliance.institution("BANKA", "甲银行")
    case = a.app.cases.create(title="案")
    customer = a.app.parties.add(case.id, name="张三", role="complainant",
                                 identifiers=[("mobile", "13800001111")])
    agent = a.app.parties.add(case.id, name="代理人", role="agent",
                              identifiers=[("mobile", "13900001111")])
    from caseapp.domain.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="Nothing to export"):
        a.app.exchange.export_case(case.id, a.files / "x.json", party_ids=[])
    with pytest.raises(InvalidInputError, match="only their identifiers are ever exported"):
        a.app.exchange.export_case(case.id, a.files / "x.json",
                                   party_ids=[agent.id, customer.id])
    assert not (a.files / "x.json").exists()
    result = a.app.exchange.export_case(case.id, a.files / "x.json", party_ids=[agent.id])
    assert (result.entries, result.parties) == (1, 1)


def test_exports_and_imports_are_in_the_audit_chain(
        pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = pair.a, pair.b
    extra_case = b.app.cases.create(title="另一案件")
    file_a = _export(a, pair.case_a, "a.json", monkeypatch)
    sha = hashlib.sha256(file_a.read_bytes()).hexdigest()
    (export_entry,) = [e for e in a.app.audit.entries(pair.case_a)
                       if e.action == "exchange.export"]
    assert sha in export_entry.summary
    assert [r.file_sha256 for r in a.app.exchange.exports(pair.case_a)] == [sha]

    b.clock.advance(hours=1)
    b.app.exchange.import_file(file_a)
    for case_id in (pair.case_b, extra_case.id):
        imports = [e for e in b.app.audit.entries(case_id) if e.action == "exchange.import"]
        assert len(imports) == 1 and sha in imports[0].summary
        assert b.app.audit.verify(case_id).ok
    assert a.app.audit.verify(pair.case_a).ok
    with b.app.db.read() as s:
        from caseapp.db.models import AuditEntry

        details = s.scalars(select(AuditEntry.details).where(
            AuditEntry.action == "exchange.import")).first()
    assert details is not None and details["sha256"] == sha
    assert details["issuer_code"] == "BANKA" and details["entries"] == len(pair.a_exported)
    (stored,) = b.app.exchange.peer_files()
    assert stored.file_sha256 == sha and stored.active


def test_institutions_are_counted_per_party(alliance: Alliance) -> None:
    a = alliance.institution("BANKA", "甲银行")
    b = alliance.institution("BANKB", "乙银行")
    c = alliance.institution("BANKC", "丙银行")
    case_a = a.app.cases.create(title="案")
    suspect = a.app.parties.add(case_a.id, name="杜专员", role="agent",
                                identifiers=[("mobile", "18508477852"), ("wechat", "jude_du888")])
    lone = a.app.parties.add(case_a.id, name="其他", role="suspect",
                             identifiers=[("mobile", "13500000000")])
    for inst, ids, day in ((b, [("mobile", "185 0847 7852")], 10),
                           (c, [("wechat", "Jude_Du888")], 40)):
        inst.clock.now = inst.clock.now - timedelta(days=day)
        case = inst.app.cases.create(title="案")
        inst.app.parties.add(case.id, name="代理", role="agent", identifiers=ids)
        inst.clock.advance(days=day)
        inst.app.exchange.export_case(case.id, inst.files / "out.json")
        a.app.exchange.import_file(inst.files / "out.json")

    matches = a.app.exchange.party_matches(case_a.id)
    assert set(matches) == {suspect.id}
    m = matches[suspect.id]
    assert m.institutions == 2
    # Neither peer saw its agent in a complaint: first seen is when it recorded the party,
    # C 40 days before the export, B 10 days before.
    assert m.first_seen == date(2025, 1, 23)
    firsts = {i.type: i.first_seen for i in m.identifiers}
    assert firsts == {"mobile": date(2025, 2, 22), "wechat": date(2025, 1, 23)}
    assert {(i.type, i.institutions) for i in m.identifiers} == {("mobile", 1), ("wechat", 1)}
    assert a.app.exchange.party_matches(case_a.id, [lone.id]) == {}
    ids = {i.id: i for i in a.app.parties.get(suspect.id).identifiers}
    by_id = a.app.exchange.identifier_matches(case_a.id, ids)
    assert {by_id[i].reports[0].code for i in by_id} == {"BANKB", "BANKC"}
