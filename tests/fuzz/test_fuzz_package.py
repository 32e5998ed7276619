"""Property-based fuzzing of the evidence-package verifier: whatever the ZIP holds, the verifier
gives a report or a clear CaseappError, an intact bag passes, and a changed payload byte is
named as an altered file."""

from __future__ import annotations

import io
import os
import struct
import zipfile

import pytest
from fuzz_targets import Scratch, make_bag, verify_package_bytes
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

verify = pytest.importorskip("caseapp.export.verify")

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "120"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))

# File names as caseapp's export writes them (safe on Windows: no control characters).
names = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"),
                              blacklist_characters='/\\<>:"|?*%\x85'),
                min_size=1, max_size=20).filter(lambda n: n.strip() == n.strip(".") == n)
payloads = st.dictionaries(names, st.binary(max_size=200), min_size=1, max_size=5)


def _verify(data: bytes) -> object:
    path = Scratch.path("package.zip")
    path.write_bytes(data)
    return verify.verify_package(path)


@FUZZ
@given(payloads, st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED,
                                  zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]),
       st.sampled_from(["bag", "", "案件 DEMO-0001 证据材料"]))
def test_an_intact_bag_passes(payload: dict[str, bytes], compression: int, root: str) -> None:
    result = _verify(make_bag(payload, root=root, compression=compression))
    assert result.ok, result.problems
    assert result.files_checked == len(payload) + 3  # and bagit.txt, bag-info, manifest


@FUZZ
@given(payloads, st.data())
def test_a_changed_payload_byte_is_named(payload: dict[str, bytes], data: st.DataObject) -> None:
    victim = data.draw(st.sampled_from(sorted(n for n, d in payload.items() if d) or [""]))
    if not victim:
        return
    original = payload[victim]
    index = data.draw(st.integers(0, len(original) - 1))
    changed = bytearray(original)
    changed[index] ^= data.draw(st.integers(1, 255))
    bag = make_bag(payload, compression=zipfile.ZIP_STORED)
    # Same length, different bytes, inside the ZIP (the CRC no longer matches either).
    start = bag.index(original) if original in bag else -1
    if start < 0 or bag.count(original) != 1:
        return
    tampered = bag[:start] + bytes(changed) + bag[start + len(original):]
    result = _verify(tampered)
    altered = [p for p in result.problems if p.kind == verify.ProblemKind.ALTERED]
    assert [p.path for p in altered] == [f"data/{victim}"], result.problems


@FUZZ
@given(payloads, st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=6),
       st.integers(0, 10**6))
@example({"a.txt": b"x"}, [], 0)
def test_damaged_zips_give_a_report_or_a_clear_error(payload: dict[str, bytes],
                                                     flips: list[tuple[int, int]],
                                                     cut: int) -> None:
    data = bytearray(make_bag(payload))
    for position, value in flips:
        data[position % len(data)] = value
    if cut:
        data = data[: cut % (len(data) + 1)]
    verify_package_bytes(bytes(data))


def _rewrite(bag: bytes, change: str) -> bytes:
    """The same bag with one hostile change to its ZIP structure or its tag files."""
    with zipfile.ZipFile(io.BytesIO(bag)) as archive:
        entries = [(info, archive.read(info)) for info in archive.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for info, data in entries:
            if change == "manifest lines" and info.filename.endswith("/manifest-sha256.txt"):
                data += b"nohash\n" + b"abc ../../etc/passwd\n" + b"00  /abs\n" + b"  \n" + \
                    b"ff data/%0A%0D%25\n" + b"\xff\xfe bad utf8\n"
            if change == "bag-info" and info.filename.endswith("/bag-info.txt"):
                data = b" leading continuation\n" + b"Payload-Oxum: x.y\n" * 3 + b":\n"
            out.writestr(info, data)
        if change == "duplicate":
            out.writestr(entries[-1][0], b"second copy")
        if change == "traversal":
            out.writestr("bag/../../escape.txt", b"x")
            out.writestr("/absolute.txt", b"x")
            out.writestr("bag/data/C:\\windows.txt", b"x")
        if change == "directory":
            out.writestr(zipfile.ZipInfo("bag/data/folder/"), b"")
    data = bytearray(buffer.getvalue())
    if change in ("encrypted", "method 99"):
        # Set the flag / method in every local and central header.
        for signature, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
            start = 0
            while (start := data.find(signature, start)) >= 0:
                if change == "encrypted":
                    flags = struct.unpack_from("<H", data, start + flag_at)[0]
                    struct.pack_into("<H", data, start + flag_at, flags | 1)
                else:
                    struct.pack_into("<H", data, start + method_at, 99)
                start += 4
    return bytes(data)


@pytest.mark.parametrize("change", ["manifest lines", "bag-info", "duplicate", "traversal",
                                    "directory", "encrypted", "method 99"])
def test_hostile_zips_give_a_report_or_a_clear_error(change: str) -> None:
    bag = make_bag({"证据.txt": "内容".encode(), "b.bin": bytes(range(256))})
    verify_package_bytes(_rewrite(bag, change))


@FUZZ
@given(st.binary(max_size=400))
@example(b"PK\x05\x06" + b"\x00" * 18)
@example(b"PK\x03\x04")
def test_arbitrary_bytes_give_a_report_or_a_clear_error(data: bytes) -> None:
    verify_package_bytes(data)
