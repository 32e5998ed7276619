"""Institutions for exchange tests: each with its own workspace and database (SQLite files, or
two fresh schemas on the PostgreSQL test server), its own signing identity, one shared
consortium key and each other's public keys."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from caseapp.app import App, open_app
from caseapp.exchange.keystore import KeyStore

T0 = datetime(2025, 3, 4, 6, 30, tzinfo=UTC)


class Clock:
    """A settable clock, so that tests decide what "now" is for each institution."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Institution:
    code: str
    name: str
    root: Path
    db_url: str
    clock: Clock
    app: App
    files: Path = field(init=False)

    def __post_init__(self) -> None:
        self.files = self.root / "outbox"
        self.files.mkdir(parents=True, exist_ok=True)

    def public_key(self) -> bytes:
        return self.app.exchange.keys.public_key_file()

    def reopen(self) -> App:
        self.app.close()
        self.app = open_app(self.root / "ws", self.db_url, actor=f"{self.code}-user",
                            clock=self.clock)
        return self.app


class Alliance:
    """Makes institutions that trust each other (or not, when asked)."""

    def __init__(self, tmp_path: Path, make_url_for: Callable[[str], str]) -> None:
        self.tmp_path = tmp_path
        self.make_url_for = make_url_for
        self.members: list[Institution] = []
        self.key_file = self.tmp_path / "alliance-2025.key.json"
        self.key_file.write_bytes(KeyStore.new_consortium_key_file("alliance-2025", now=T0))

    def institution(self, code: str, name: str, *, join: bool = True,
                    trust: bool = True) -> Institution:
        root = self.tmp_path / code
        url = self.make_url_for(code)
        clock = Clock()
        app = open_app(root / "ws", url, actor=f"{code}-user", clock=clock)
        inst = Institution(code=code, name=name, root=root, db_url=url, clock=clock, app=app)
        app.exchange.keys.create_identity(code, name, now=T0)
        if join:
            app.exchange.keys.add_consortium_key(self.key_file.read_bytes(), self.key_file.name)
        if trust:
            for other in self.members:
                app.exchange.keys.add_member(other.public_key(), f"{other.code}.pub", now=T0)
                other.app.exchange.keys.add_member(inst.public_key(), f"{code}.pub", now=T0)
            self.members.append(inst)
        return inst

    def close(self) -> None:
        for m in self.members:
            m.app.close()


def _pg_schema(base: str, schemas: list[str]) -> str:
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        admin.dispose()
    schemas.append(schema)
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def alliance(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Alliance]:
    schemas: list[str] = []
    if request.param == "sqlite":
        def make(code: str) -> str:
            return f"sqlite:///{(tmp_path / code / 'ws' / 'caseapp.db').as_posix()}"
        base = None
    else:
        # The shared fixture checks the server (skip or fail as configured); its schema is the
        # first institution's, further ones get their own.
        first = request.getfixturevalue("pg_url")
        base = os.environ["CASEAPP_TEST_PG_URL"]
        given = [first]

        def make(code: str) -> str:
            return given.pop() if given else _pg_schema(base, schemas)
    group = Alliance(tmp_path, make)
    try:
        yield group
    finally:
        group.close()
        if base is not None and schemas:
            admin = create_engine(base, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                for schema in schemas:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


# --- a scenario: two banks that share some intermediaries but no customer ----------------------

CSV_HEADER = "投诉编号,受理日期,客户姓名,证件号码,联系电话,代理人,代理人电话,投诉内容\n"

# Bank A: agent 杜专员 and the organisation behind him, plus a suspect only A knows.
A_PARTIES = [
    ("杜专员", "person", "agent", [("mobile", "185 0847 7852"), ("wechat", "JUDE_du888"),
                                   ("bank_card", "6217 0012 3456 7890 122")]),
    ("某某法务咨询有限公司", "org", "intermediary", [("uscc", "91110108ma01abcd1e"),
                                                    ("douyin", "dy_fawu2024")]),
    ("王律师", "person", "suspect", [("mobile", "139-1111-2222"),
                                     ("id_card", "420106198706068903")]),
    ("张三", "person", "complainant", [("mobile", "13800001111"),
                                       ("id_card", "110101199003071233")]),
]
A_COMPLAINTS = (
    "A-0001,2025-01-03,张三,110101199003071233,13800001111,杜专员,18508477852,"
    "本人身患重病无力还款，要求停息挂账。加微信jude_du888联系\n"
    "A-0002,2025-01-20,李四,32010219850512456X,13800002222,杜专员,185-0847-7852,"
    "要求减免全部利息，否则向监管投诉\n"
    "A-0003,2025-02-11,王五,440305199211117892,13800003333,王律师,13911112222,"
    "申请延期还款并免除违约金\n"
)
# Bank B: the same agent (another spelling of his phone) and organisation, its own agent.
B_PARTIES = [
    ("杜某", "person", "suspect", [("mobile", "+86 185-0847-7852"), ("qq", "2845671234")]),
    ("法务公司", "org", "intermediary", [("uscc", "91110108MA01ABCD1E")]),
    ("陈专员", "person", "agent", [("mobile", "13700009999"), ("wechat", "chen_fawu01")]),
    ("赵六", "person", "complainant", [("mobile", "13600004444"),
                                       ("id_card", "510107198808082341")]),
]
B_COMPLAINTS = (
    "B-0001,2024-12-30,赵六,510107198808082341,13600004444,陈专员,13700009999,"
    "停息挂账，微信：jude_du888\n"
    "B-0002,2025-02-02,孙七,310115199501015678,13600005555,陈专员,13700009999,"
    "协商还款，要求免息\n"
)

# What each side exports (type, normalised value) and what each finds in the other's file.
A_EXPORTED = {
    ("mobile", "+8618508477852"), ("wechat", "jude_du888"),
    ("bank_card", "6217001234567890122"), ("uscc", "91110108MA01ABCD1E"),
    ("douyin", "dy_fawu2024"), ("mobile", "+8613911112222"),
}
B_EXPORTED = {
    ("mobile", "+8618508477852"), ("qq", "2845671234"), ("uscc", "91110108MA01ABCD1E"),
    ("mobile", "+8613700009999"), ("wechat", "chen_fawu01"),
}
# B also has jude_du888, found in one of its complaints (not attached to a party).
FOUND_BY_B = {("mobile", "+8618508477852"), ("uscc", "91110108MA01ABCD1E"),
              ("wechat", "jude_du888")}
FOUND_BY_A = {("mobile", "+8618508477852"), ("uscc", "91110108MA01ABCD1E")}


def populate(inst: Institution, parties: list, complaints: str) -> int:
    app = inst.app
    case = app.cases.create(title=f"{inst.name}反催收案", number=f"{inst.code}-2025-01")
    for name, kind, role, ids in parties:
        app.parties.add(case.id, name=name, kind=kind, role=role, identifiers=ids)
    csv_path = inst.root / "complaints.csv"
    csv_path.write_text(CSV_HEADER + complaints, encoding="utf-8")
    app.complaints.import_file(case.id, csv_path)
    return case.id


@dataclass
class Pair:
    a: Institution
    b: Institution
    case_a: int
    case_b: int
    a_exported: set[tuple[str, str]] = field(default_factory=lambda: set(A_EXPORTED))
    b_exported: set[tuple[str, str]] = field(default_factory=lambda: set(B_EXPORTED))
    found_by_a: set[tuple[str, str]] = field(default_factory=lambda: set(FOUND_BY_A))
    found_by_b: set[tuple[str, str]] = field(default_factory=lambda: set(FOUND_BY_B))


@pytest.fixture
def pair(alliance: Alliance) -> Pair:
    a = alliance.institution("BANKA", "甲银行")
    b = alliance.institution("BANKB", "乙银行")
    return Pair(a, b, populate(a, A_PARTIES, A_COMPLAINTS), populate(b, B_PARTIES, B_COMPLAINTS))
