"""Complaint import into a real database: counts, normalisation, all-or-nothing, idempotence,
provenance and search (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from caseapp.app import App
from caseapp.db.models import (
    AuditEntry,
    Complaint,
    Evidence,
    Identifier,
    IdentifierMention,
    ImportBatch,
)
from caseapp.db.repositories.complaints import ComplaintFilter
from caseapp.domain.errors import Cancelled, InvalidInputError
from caseapp.domain.progress import CancelToken
from caseapp.importers import ColumnMapping
from caseapp.services.complaints import ImportRejected

BROKEN = ["truncated", "ragged", "badenc", "nulbytes", "hugefield", "empty", "nohead", "dupids"]


def _truth(samples: Path, name: str) -> dict:
    return json.loads((samples / f"{name}.truth.json").read_text(encoding="utf-8"))


def _counts(app: App) -> dict[str, int]:
    with app.db.read() as s:
        return {model.__tablename__: s.scalar(select(func.count()).select_from(model)) or 0
                for model in (Complaint, ImportBatch, Identifier, IdentifierMention, Evidence,
                              AuditEntry)}


@pytest.mark.parametrize("name", ["complaints_small", "complaints_excel"])
def test_good_samples_import_with_truth_counts(app: App, samples: Path, name: str) -> None:
    truth = _truth(samples, name)
    case = app.cases.create(title=name)
    summary = app.complaints.import_file(case.id, samples / f"{name}.csv")
    assert summary.rows_imported == truth["unique_complaints"]
    assert summary.rows_duplicate == truth["rows_written"] - truth["unique_complaints"]
    assert summary.rows_rejected == 0 and summary.problem_count == 0
    rows = {r.external_number: r for r in app.complaints.iter_all(case.id)}
    assert set(rows) == set(truth["complaints"])
    for number, expected in truth["complaints"].items():
        row = rows[number]
        assert row.source_line == expected["line"]
        if expected["id_number"] and expected.get("id_cell") not in ("sci", "excel15"):
            assert row.customer_id_number == expected["id_number"], number
        if expected.get("id_cell") == "sci":
            assert row.customer_id_number == "" and row.customer_id_number_raw
        if expected["phone"]:
            assert row.customer_phone == "+86" + expected["phone"], number
        if expected["accept_date"]:
            local = row.received_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
            assert local.date().isoformat() == expected["accept_date"], number
        if expected["amount"] is not None:
            assert float(row.amount) == pytest.approx(expected["amount"]), number
    # provenance: the batch and the source file as evidence
    with app.db.read() as s:
        batch = s.scalars(select(ImportBatch)).one()
        evidence = s.get(Evidence, batch.evidence_id)
        assert evidence.sha256 == summary.file_sha256 == batch.file_sha256
        assert evidence.original_name == f"{name}.csv"
        assert batch.rows_imported == summary.rows_imported
    assert app.ctx.store.path_for(summary.file_sha256).read_bytes() == (
        samples / f"{name}.csv").read_bytes()
    assert app.audit.verify(case.id).ok


def test_agent_identifiers_are_mentions(app: App, samples: Path) -> None:
    truth = _truth(samples, "complaints_small")
    case = app.cases.create(title="t")
    app.complaints.import_file(case.id, samples / "complaints_small.csv")
    with app.db.read() as s:
        found = set(s.execute(select(Identifier.type, Identifier.value)
                              .join(IdentifierMention)).all())
    for group in truth["agent_groups"].values():
        for phone in group["phones"]:
            used = any(c.get("agent_phone") == phone for c in truth["complaints"].values())
            if used:
                assert ("mobile", "+86" + phone) in found


def test_importing_twice_changes_nothing(app: App, samples: Path, tmp_path: Path) -> None:
    case = app.cases.create(title="t")
    first = app.complaints.import_file(case.id, samples / "complaints_small.csv")
    before = _counts(app)
    again = app.complaints.import_file(case.id, samples / "complaints_small.csv")
    assert again.rows_imported == 0
    assert again.rows_duplicate == first.rows_read
    after = _counts(app)
    # only the second batch record and its audit entry are new; no complaint, no mention
    assert after["complaint"] == before["complaint"]
    assert after["identifier_mention"] == before["identifier_mention"]
    assert after["evidence"] == before["evidence"]


@pytest.mark.parametrize("kind", BROKEN)
def test_broken_files_are_refused_naming_lines_and_nothing_changes(
        app: App, samples: Path, kind: str) -> None:
    truth = _truth(samples, f"broken_{kind}")
    other = app.cases.create(title="already there")
    app.complaints.import_file(other.id, samples / "complaints_small.csv")
    case = app.cases.create(title="t")
    before = _counts(app)
    stored_before = set(app.ctx.store.iter_stored())
    with pytest.raises(InvalidInputError) as info:
        app.complaints.import_file(case.id, samples / f"broken_{kind}.csv")
    message = str(info.value)
    assert f"broken_{kind}.csv" in message
    for line in truth.get("lines") or []:
        assert str(line) in message, (kind, line, message)
    if isinstance(info.value, ImportRejected):
        reported = {p.line for p in info.value.summary.problems} | {
            p.related_line for p in info.value.summary.problems}
        assert set(truth["lines"]) <= reported | {None}
    assert _counts(app) == before
    assert set(app.ctx.store.iter_stored()) == stored_before


def test_skip_bad_rows_imports_the_rest(app: App, samples: Path, tmp_path: Path) -> None:
    truth = _truth(samples, "broken_ragged")
    src = tmp_path / "ragged.csv"
    shutil.copyfile(samples / "broken_ragged.csv", src)
    case = app.cases.create(title="t")
    summary = app.complaints.import_file(case.id, src, skip_bad_rows=True)
    assert summary.rows_rejected == len(truth["lines"])
    assert summary.rows_imported > 0
    rejected = Path(summary.rejected_file)
    assert rejected == tmp_path / "ragged.csv.rejected.csv"
    with rejected.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][2:] == truth["header"]
    assert {int(r[0]) for r in rows[1:]} == set(truth["lines"])
    assert all(r[1] and r[2].startswith("TS") for r in rows[1:])


def test_cancelled_import_leaves_nothing(app: App, samples: Path) -> None:
    case = app.cases.create(title="t")
    before = _counts(app)
    token = CancelToken()

    class CancelWhileWriting:
        """Cancels once rows are being written (the check pass ends at 350 of 1000)."""

        def __init__(self) -> None:
            self.seen: list[int] = []

        def report(self, done: int, total: int | None, label: str = "") -> None:
            self.seen.append(done)
            if 350 < done < 1000:
                token.cancel()

    sink = CancelWhileWriting()
    with pytest.raises(Cancelled):
        app.complaints.import_file(case.id, samples / "complaints_hard.csv", progress=sink,
                                   cancel=token)
    assert any(350 < d < 1000 for d in sink.seen)
    assert _counts(app) == before
    assert list(app.ctx.store.iter_stored()) == []


def test_search_finds_chinese_substrings(app: App, samples: Path) -> None:
    case = app.cases.create(title="t")
    app.complaints.import_file(case.id, samples / "complaints_small.csv")
    every = list(app.complaints.iter_all(case.id))
    for needle in ("停息挂账", "征信", "催", "12378"):
        expected = {r.id for r in every if needle in r.text}
        page = app.complaints.list(case.id, ComplaintFilter(search=needle), limit=5000)
        assert {r.id for r in page.rows} == expected, needle
        assert page.total == len(expected)
    assert app.complaints.list(case.id, ComplaintFilter(search="不存在的句子xyz")).total == 0
    quoted = app.complaints.list(case.id, ComplaintFilter(search='"引号'))
    assert quoted.total == 0


def test_search_index_follows_updates_and_deletes(app: App, samples: Path) -> None:
    case = app.cases.create(title="t")
    app.complaints.import_file(case.id, samples / "complaints_small.csv")
    first = app.complaints.list(case.id, limit=1).rows[0]
    with app.db.write() as s:
        s.get(Complaint, first.id).text = "独一无二的测试文本"  # type: ignore[union-attr]
    found = app.complaints.list(case.id, ComplaintFilter(search="独一无二的测试"))
    assert [r.id for r in found.rows] == [first.id]
    with app.db.write() as s:
        s.execute(text("DELETE FROM identifier_mention WHERE complaint_id = :i"), {"i": first.id})
        s.delete(s.get(Complaint, first.id))
    assert app.complaints.list(case.id, ComplaintFilter(search="独一无二的测试")).total == 0


def test_cfpb_exports_with_english_headers(app: App) -> None:
    from conftest import SHARED

    real = SHARED / "data" / "real" / "cfpb_complaints_b.csv"
    if not real.exists():
        pytest.skip(f"{real} not found")
    case = app.cases.create(title="cfpb")
    summary = app.complaints.import_file(case.id, real)
    assert summary.rows_read == 6623
    assert summary.rows_imported + summary.rows_duplicate == 6623
    assert "Consumer complaint narrative" in json.dumps(summary.mapping, ensure_ascii=False)


def test_headerless_file_with_positional_mapping(app: App, samples: Path, tmp_path: Path
                                                 ) -> None:
    truth = _truth(samples, "broken_nohead")
    mapping = ColumnMapping(fields={"external_number": 0, "received_at": 1, "customer_name": 3,
                                    "customer_id_number": 4, "customer_phone": 5, "text": 10},
                            has_header=False)
    path = tmp_path / "mapping.json"
    mapping.save(path)
    case = app.cases.create(title="t")
    summary = app.complaints.import_file(case.id, samples / "broken_nohead.csv",
                                         mapping=ColumnMapping.load(path))
    assert summary.rows_imported + summary.rows_duplicate == truth["records"]


def test_cfpb_narratives_without_id_column_need_a_mapping(app: App, tmp_path: Path) -> None:
    from conftest import SHARED

    from caseapp.importers import ROW_NUMBER, ImportFileError

    real = SHARED / "data" / "real" / "cfpb_narratives_a.csv"
    if not real.exists():
        pytest.skip(f"{real} not found")
    case = app.cases.create(title="cfpb a")
    with pytest.raises(ImportFileError, match=r"cfpb_narratives_a\.csv"):
        app.complaints.import_file(case.id, real)
    mapping = ColumnMapping(fields={"external_number": ROW_NUMBER, "product": "Product",
                                    "text": "Consumer complaint narrative"})
    summary = app.complaints.import_file(case.id, real, mapping=mapping)
    assert summary.rows_read == 2085 and summary.rows_imported == 2085
    row = app.complaints.list(case.id, ComplaintFilter(search="fair credit reporting act"),
                              limit=1)
    assert row.total > 30


def test_bulk_writer_stores_what_an_orm_insert_stores(app: App) -> None:
    """The DBAPI writer converts values as SQLAlchemy does: the stored rows are identical."""
    from datetime import UTC, datetime
    from decimal import Decimal
    from types import SimpleNamespace

    from sqlalchemy import insert

    from caseapp.db.repositories.complaints import IMPORT_COLUMNS, ComplaintBulkWriter
    from caseapp.db.repositories.identifiers import jsonable_details
    from caseapp.identifiers import extract_identifiers, parse_id_card, parse_phone

    now = datetime(2025, 3, 4, 2, 22, 31, 123456, tzinfo=UTC)
    values = [
        (7, "TS-1", datetime(2024, 7, 1, 1, 14, 22, tzinfo=UTC), "12378热线", "张三",
         "110101199003071234", "'110101199003071234", "+8613812345678", "13812345678.0",
         "李四（配偶）", "+8619915475953", "19915475953(微信同号)", "信用卡", "催收",
         "投诉内容\n第二行", "停息挂账", Decimal("1234.50"), "￥1,234.50", "处理中",
         {"备注": "x", "#16": "y"},
         ("id_number_invalid", "phone_invalid"), "ab" * 32),
        (9, "TS-2", None, "", "", "", "", "", "", "", "", "", "", "", "", "", None, "", "", {},
         (), "cd" * 32),
    ]
    parsed = [parse_id_card("110101199003071234"), parse_phone("13812345678"),
              *extract_identifiers("律所信用代码：91450102640431010X，执业证号14401201010123456")]
    mentions = [[SimpleNamespace(field="text", identifier=p, raw=p.raw, start=0, end=len(p.raw))
                 for p in parsed], []]
    names = ["line" if c == "source_line" else c for c in IMPORT_COLUMNS]
    imported = [SimpleNamespace(**dict(zip(names, row, strict=True)), mentions=found)
                for row, found in zip(values, mentions, strict=True)]
    first = app.cases.create(title="writer")
    second = app.cases.create(title="orm")
    with app.db.write() as s:
        batches = []
        for case in (first, second):
            batch = ImportBatch(case_id=case.id, file_name="f.csv", file_sha256="0" * 64,
                                file_size=1, encoding="utf-8", actor="t")
            s.add(batch)
            batches.append(batch)
        s.flush()
        writer = ComplaintBulkWriter(s, first.id, batches[0].id, now)
        writer.write(imported)
        writer.close()
        for row in values:
            record = dict(zip(IMPORT_COLUMNS, row, strict=True))
            record["flags"] = list(record["flags"])
            s.execute(insert(Complaint), [{**record, "case_id": second.id,
                                           "batch_id": batches[1].id, "created_at": now}])
        for p in parsed:
            s.execute(insert(Identifier), [{
                "case_id": second.id, "party_id": None, "type": p.type.value, "value": p.value,
                "raw": p.raw, "valid": p.valid, "problems": [x.value for x in p.problems],
                "details": jsonable_details(p.details), "note": "", "created_at": now,
                "updated_at": now}])
    with app.db.read() as s:
        def stored(table: str, case_id: int, order: str) -> list[tuple[object, ...]]:
            model = Complaint if table == "complaint" else Identifier
            columns = [c.name for c in model.__table__.columns
                       if c.name not in ("id", "case_id", "batch_id")]
            quoted = ", ".join(f'"{c}"' for c in columns)
            return [tuple(r) for r in s.execute(text(
                f'SELECT {quoted} FROM {table} WHERE case_id = :c ORDER BY {order}'),
                {"c": case_id})]

        assert stored("complaint", first.id, "source_line") == stored(
            "complaint", second.id, "source_line")
        assert stored("identifier", first.id, "type, value") == stored(
            "identifier", second.id, "type, value")
        mentioned = s.execute(select(IdentifierMention.field, IdentifierMention.raw,
                                     Identifier.type, Identifier.value)
                              .join(Identifier).where(Identifier.case_id == first.id)).all()
        assert sorted(mentioned) == sorted(("text", p.raw, p.type.value, p.value)
                                           for p in parsed)
