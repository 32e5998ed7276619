"""Redaction, package file names, the BagIt writer (checked with the bagit library) and the
package verifier, without a database."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path

import bagit
import pytest

from caseapp.domain.errors import IntegrityError, InvalidInputError
from caseapp.export.build import safe_file_name
from caseapp.export.package import BagZipWriter
from caseapp.export.redact import Redactor, mask_id_number, mask_phone
from caseapp.export.verify import ProblemKind, verify_package

WHEN = datetime(2025, 3, 4, 6, 30, tzinfo=UTC)


def test_masks() -> None:
    assert mask_id_number("110101199003071234") == "110101********1234"
    assert mask_id_number("11010119900307123X") == "110101********123X"
    assert mask_phone("+8613812345678") == "138****5678"
    assert mask_phone("138 1234 5678") == "138****5678"
    assert mask_phone("0086-138-1234-5678") == "138****5678"


def test_redactor_masks_complainants_only() -> None:
    r = Redactor.for_complainants(
        enabled=True, id_numbers=["110105194912310021"], phones=["+8613900001111"],
        keep_phones=["+8618508477852"], keep_id_numbers=["11010519491231002X"])
    assert r.id_number("110105194912310021") == "110105********0021"
    assert r.phone("+8613900001111") == "139****1111"
    assert r.phone("+8618508477852") == "18508477852"  # a suspect's: in full
    assert r.identifier("mobile", "+8613900001111") == "139****1111"
    assert r.identifier("mobile", "+8617000000000") == "17000000000"  # nobody's: in full
    assert r.identifier("wechat", "jude_du888") == "jude_du888"
    text = ("本人电话139-0000-1111，身份证110105194912310021，代理人电话18508477852，"
            "另一身份证11010519491231002X，我妻子身份证 110101199003071233 ，"
            "卡号6222021234567890123")
    masked = r.text(text)
    assert "139****1111" in masked and "110105********0021" in masked
    assert "18508477852" in masked  # the agent's number stays
    assert "11010519491231002X" in masked  # a suspect's ID number stays
    assert "110101********1233" in masked  # any other valid ID number is masked
    assert "6222021234567890123" in masked  # a 19-digit card number is not an ID number
    assert "13900001111" not in masked.replace("-", "")
    assert r.masked_count >= 4
    off = Redactor.for_complainants(enabled=False, id_numbers=["110105194912310021"],
                                    phones=["+8613900001111"])
    assert off.text(text) == text and off.phone("+8613900001111") == "13900001111"


@pytest.mark.parametrize(("name", "expected"), [
    ("聊天记录.png", "001_聊天记录.png"),
    ('a<b>c:"d|e?f*.jpg', "001_a_b_c__d_e_f_.jpg"),
    ("CON.txt", "001__CON.txt"),
    ("report. ", "001_report"),
    ("100%.pdf", "001_100_.pdf"),
    ("line\nbreak.txt", "001_line_break.txt"),
])
def test_safe_file_names(name: str, expected: str) -> None:
    assert safe_file_name(name, 1) == expected


def test_long_names_are_cut_to_fit_windows() -> None:
    name = safe_file_name("很长的文件名" * 40 + ".mp4", 12)
    assert name.startswith("012_") and name.endswith(".mp4")
    assert len(name.encode("utf-8")) <= 120


def _bag(tmp_path: Path, files: dict[str, bytes]) -> Path:
    path = tmp_path / "bag.zip"
    with zipfile.ZipFile(path, "w") as zf:
        bag = BagZipWriter(zf, "CASE-1_20250304", WHEN)
        for name, data in files.items():
            bag.add_bytes(name, data)
        bag.finish([("Source-Organization", "演示银行"), ("External-Identifier", "CASE-1"),
                     ("Bagging-Date", "2025-03-04")], readme="说明\n")
    return path


def test_writer_makes_bags_the_bagit_library_accepts(tmp_path: Path) -> None:
    files = {"data/dossier/案件材料.pdf": b"%PDF-1.4 ...", "data/evidence/001_录音.m4a":
             bytes(range(256)) * 100, "data/case/complaints.csv": "编号\r\n1\r\n".encode(
                 "utf-8-sig")}
    path = _bag(tmp_path, files)
    with zipfile.ZipFile(path) as zf:
        zf.extractall(tmp_path / "x")
    bag = bagit.Bag(str(tmp_path / "x" / "CASE-1_20250304"))
    bag.validate()
    assert bag.info["Payload-Oxum"] == f"{sum(map(len, files.values()))}.3"
    assert bag.info["Source-Organization"] == "演示银行"
    assert set(bag.payload_entries()) == set(files)
    assert verify_package(path).ok


def test_writer_refuses_paths_outside_data_and_changed_store_files(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "x.zip", "w") as zf:
        bag = BagZipWriter(zf, "b", WHEN)
        for bad in ("../evil.txt", "bagit.txt", "data/../x", "data/a%20b.txt"):
            with pytest.raises(InvalidInputError):
                bag.add_bytes(bad, b"x")
        source = tmp_path / "evidence.bin"
        source.write_bytes(b"changed")
        with pytest.raises(IntegrityError, match=r"data/evidence/001_e\.bin"):
            bag.add_file("data/evidence/001_e.bin", source, expected_sha256="0" * 64)


def test_verify_reports_each_kind_of_damage(tmp_path: Path) -> None:
    path = _bag(tmp_path, {"data/a.txt": b"aaa", "data/b.txt": b"bbb"})
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(damaged, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.endswith("data/a.txt"):
                continue  # missing
            if info.filename.endswith("data/b.txt"):
                data = b"bbB"  # altered
            if info.filename.endswith("bag-info.txt"):
                data = data.replace(b"CASE-1", b"CASE-2")  # a tag file altered
            dst.writestr(info, data)
        dst.writestr("CASE-1_20250304/data/c.txt", b"ccc")  # extra payload
        dst.writestr("CASE-1_20250304/notes.txt", b"?")  # extra tag file
        dst.writestr("elsewhere.txt", b"!")  # outside the bag
    result = verify_package(damaged)
    found = {(p.kind, p.path) for p in result.problems}
    assert (ProblemKind.MISSING, "data/a.txt") in found
    assert (ProblemKind.ALTERED, "data/b.txt") in found
    assert (ProblemKind.ALTERED, "bag-info.txt") in found
    assert (ProblemKind.EXTRA, "data/c.txt") in found
    assert (ProblemKind.EXTRA, "notes.txt") in found
    assert (ProblemKind.EXTRA, "elsewhere.txt") in found
    assert not result.ok


def test_verify_refuses_what_is_not_a_bag(tmp_path: Path) -> None:
    (tmp_path / "plain.zip").write_bytes(b"not a zip")
    with pytest.raises(InvalidInputError, match="not a readable ZIP"):
        verify_package(tmp_path / "plain.zip")
    with zipfile.ZipFile(tmp_path / "nobag.zip", "w") as zf:
        zf.writestr("x/readme.txt", "hi")
    with pytest.raises(InvalidInputError, match="no BagIt bag"):
        verify_package(tmp_path / "nobag.zip")
