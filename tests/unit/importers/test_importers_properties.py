"""Whatever bytes a file holds, reading it ends in records, problems or an ImportFileError."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from caseapp.importers import ImportFileError, open_complaint_file

HEADER = "投诉编号,受理日期,证件号码,联系电话,代理人电话,投诉内容,涉及金额(元)\n".encode()

# Bytes that matter to the reader: delimiters, quotes, line ends, NUL, BOM and multibyte pieces.
INTERESTING = st.sampled_from(
    [b",", b'"', b"\n", b"\r", b"\r\n", b"\x00", b"\t", b";", b"\xef\xbb\xbf", b"\xff\xfe",
     "中文".encode(), "中文".encode("gb18030"), b"\xe4\xb8", b"13812345678", b"2025/3/4",
     b"440304199808192346", b"1.10105E+17", b"PK\x03\x04"]
)
CHUNKS = st.lists(st.one_of(st.binary(max_size=12), INTERESTING), max_size=40).map(b"".join)


def read_everything(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "fuzz.csv"
        path.write_bytes(data)
        try:
            file = open_complaint_file(path, max_field_chars=64)
            file.preview(3)
            for record in file.records():
                assert record.row is not None or record.problems or record.duplicate_of
                for problem in record.problems:
                    assert problem.message and problem.line == record.line
        except ImportFileError as error:
            assert str(error).startswith("fuzz.csv")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
@example(b"\xef\xbb\xbf\xef\xbb\xbf")
@example(b"PK\x03\x04\x00")
@example(b"\xff\xfe\x00")
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    read_everything(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CHUNKS, st.booleans())
def test_arbitrary_bodies_under_a_valid_header(body: bytes, bom: bool) -> None:
    read_everything((b"\xef\xbb\xbf" if bom else b"") + HEADER + body)
