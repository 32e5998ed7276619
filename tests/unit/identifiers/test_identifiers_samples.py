"""Recall (and precision) of the extractor and parsers on the synthetic complaint exports."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from caseapp.domain.enums import IdentifierType
from caseapp.identifiers import Problem, extract_identifiers, parse_id_card, parse_phone

SAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "samples"
T = IdentifierType

TEXT_COLUMNS = ("投诉内容", "代理人", "代理人电话")


def load(name: str, encoding: str = "utf-8-sig") -> tuple[list[dict[str, str]], dict[str, Any]]:
    csv_path = SAMPLES / f"{name}.csv"
    truth_path = SAMPLES / f"{name}.truth.json"
    if not csv_path.is_file() or not truth_path.is_file():
        pytest.skip(f"sample data not available: {csv_path} (shared samples are not checked out)")
    with csv_path.open(encoding=encoding, newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if any(row.values())]
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    return rows, truth


def _words_regex(words: set[str]) -> re.Pattern[str]:
    """Any of ``words`` standing alone (not inside a longer ID-like token), case-insensitive."""
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9_-])(?:{alternatives})(?![A-Za-z0-9_-])", re.IGNORECASE)


@pytest.mark.parametrize("name", ["complaints_small", "complaints_hard"])
def test_agent_identifiers_are_all_found(name: str) -> None:
    rows, truth = load(name)
    groups = truth["agent_groups"].values()
    phones = {p for g in groups for p in g["phones"]}
    wechats = {w for g in groups for w in g["wechats"]}
    usccs = {g["uscc"] for g in groups if g["uscc"]}
    wechat_re = _words_regex(wechats)
    expected: Counter[str] = Counter()
    found_ok: Counter[str] = Counter()
    misses: list[tuple[str, str]] = []
    for row in rows:
        cells = [row[column] for column in TEXT_COLUMNS]
        blob = "\n".join(cells)
        values = {(f.type, f.value) for cell in cells for f in extract_identifiers(cell)}
        checks = (
            [("phone", p, (T.MOBILE, "+86" + p)) for p in phones if p in blob]
            + [("wechat", w, (T.WECHAT, w.lower())) for w in set(wechat_re.findall(blob))]
            + [("uscc", u, (T.USCC, u)) for u in usccs if u in blob]
        )
        for label, raw, wanted in checks:
            expected[label] += 1
            if wanted in values:
                found_ok[label] += 1
            else:
                misses.append((row["投诉编号"], raw))
    assert expected["phone"] > 50
    assert expected["wechat"] > 10
    assert expected["uscc"] > 5
    assert misses == [], f"recall {dict(found_ok)} of {dict(expected)}"


@pytest.mark.parametrize("name", ["complaints_small", "complaints_hard"])
def test_extracted_values_are_known_identifiers(name: str) -> None:
    """Precision: every phone, WeChat ID, USCC and ID number found is one the data really has."""
    rows, truth = load(name)
    complaints = truth["complaints"].values()
    groups = truth["agent_groups"].values()
    known = {
        T.MOBILE: {"+86" + p for g in groups for p in g["phones"]}
        | {"+86" + c[key] for c in complaints for key in ("phone", "agent_phone") if c[key]},
        T.WECHAT: {w.lower() for g in groups for w in g["wechats"]},
        T.USCC: {g["uscc"] for g in groups if g["uscc"]},
        T.ID_CARD: {c["id_number"] for c in complaints if c["id_number"]},
    }
    unexpected = [
        (row["投诉编号"], found.type, found.raw)
        for row in rows
        for column in (*TEXT_COLUMNS, "诉求")
        for found in extract_identifiers(row[column])
        if found.value not in known.get(found.type, set())
    ]
    assert unexpected == []


@pytest.mark.parametrize("name", ["complaints_small", "complaints_hard"])
def test_id_and_phone_columns_parse(name: str) -> None:
    rows, truth = load(name)
    for row in rows:
        facts = truth["complaints"][row["投诉编号"]]
        if facts["id_number"]:
            parsed = parse_id_card(row["证件号码"])
            assert parsed.valid, (row["投诉编号"], row["证件号码"], parsed.problems)
            assert parsed.value == facts["id_number"]
        if facts["phone"]:
            phone = parse_phone(row["联系电话"])
            assert phone.valid
            assert phone.value == "+86" + facts["phone"]


def test_excel_quirk_cells() -> None:
    rows, truth = load("complaints_excel", encoding="gb18030")
    outcomes: Counter[str | None] = Counter()
    for row in rows:
        facts = truth["complaints"][row["工单号"]]
        phone = parse_phone(row["手机号"])
        assert phone.valid, row["手机号"]
        assert phone.value == "+86" + facts["phone"]
        if not facts["id_number"]:
            continue
        parsed = parse_id_card(row["身份证号"])
        cell = facts["id_cell"]
        outcomes[cell] += 1
        if cell == "sci":
            assert parsed.problems == (Problem.SCIENTIFIC_NOTATION,)
        elif cell == "excel15":
            # The zeroed tail cannot be recovered; it is flagged whatever the checksum says.
            assert Problem.EXCEL_PRECISION_LOSS in parsed.notes
        else:
            assert parsed.valid, (row["身份证号"], parsed.problems)
            assert parsed.value == facts["id_number"]
        if facts["agent_phone"]:
            found = extract_identifiers(row["代理联系方式"])
            assert (T.MOBILE, "+86" + facts["agent_phone"]) in {(f.type, f.value) for f in found}
    assert outcomes["sci"] and outcomes["excel15"] and outcomes["apostrophe"]
