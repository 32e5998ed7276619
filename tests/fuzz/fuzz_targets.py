"""Fuzz targets shared by the hypothesis tests, the atheris harness and ``run_long.py``.

Each target takes bytes or text and either returns (a count of what it read) or raises a
:class:`~caseapp.domain.errors.CaseappError` with a message a person can act on; it checks the
result's invariants on the way. Any other exception, or a failed invariant, is a bug.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from caseapp.domain.enums import IdentifierType
from caseapp.domain.errors import CaseappError
from caseapp.identifiers import extract_identifiers, guess_identifier, parse_identifier
from caseapp.identifiers.model import ParsedIdentifier
from caseapp.importers import ImportFileError, open_complaint_file

MAX_FIELD_CHARS = 256
# Identifier types whose normalised value, parsed again, must give itself back.
IDEMPOTENT_TYPES = tuple(IdentifierType)


class Scratch:
    """One temporary folder per process; each input is written to the same file names."""

    _dir: Path | None = None

    @classmethod
    def path(cls, name: str) -> Path:
        if cls._dir is None:
            cls._dir = Path(tempfile.mkdtemp(prefix="caseapp-fuzz-"))
        return cls._dir / name


def check_import_error(exc: ImportFileError, path: Path) -> None:
    message = str(exc)
    assert message.startswith(path.name), message
    assert "\n" not in message.strip() or len(message) < 5000, message[:200]
    for problem in exc.problems:
        assert problem.message


def read_complaint_file(path: Path) -> int:
    """Open ``path`` as a complaint export and read every record; the records read."""
    try:
        file = open_complaint_file(path, max_field_chars=MAX_FIELD_CHARS)
    except ImportFileError as exc:
        check_import_error(exc, path)
        return 0
    assert file.info.sha256 and len(file.info.sha256) == 64
    file.preview(3)
    count = 0
    last_line = 0
    try:
        for record in file.records():
            assert record.line > last_line, (record.line, last_line)
            last_line = record.line
            if record.row is not None:
                row = record.row
                assert row.external_number and row.external_number == row.external_number.strip()
                assert row.line == record.line and len(row.content_sha256) == 64
                assert "\r" not in row.text
                for mention in row.mentions:
                    assert isinstance(mention.identifier, ParsedIdentifier)
                    if mention.start is not None:
                        # The span indexes the cell as read (the raw value where one is kept).
                        source = getattr(row, mention.field + "_raw", None)
                        if source is None:
                            source = getattr(row, mention.field)
                        assert source[mention.start:mention.end] == mention.raw, mention
            elif record.duplicate_of is not None:
                assert record.duplicate_of < record.line
            else:
                assert record.problems, record
                for problem in record.problems:
                    assert problem.line == record.line and problem.message
            count += 1
    except ImportFileError as exc:
        check_import_error(exc, path)
    return count


def read_complaint_bytes(data: bytes, suffix: str = ".csv") -> int:
    path = Scratch.path(f"fuzz{suffix}")
    path.write_bytes(data)
    return read_complaint_file(path)


def xlsx_from_entries(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def check_parsed(kind: IdentifierType, raw: str, parsed: ParsedIdentifier) -> None:
    assert isinstance(parsed, ParsedIdentifier)
    assert parsed.type == kind and parsed.raw == raw
    assert parsed.valid == (not parsed.problems)
    assert isinstance(parsed.value, str)
    hash(parsed)


def parse_everything(text: str) -> int:
    """Every parser, the guesser and the extractor over ``text``; the identifiers seen."""
    seen = 0
    for kind in IdentifierType:
        parsed = parse_identifier(kind, text)
        check_parsed(kind, text, parsed)
        if parsed.valid and kind in IDEMPOTENT_TYPES:
            again = parse_identifier(kind, parsed.value)
            assert again.valid and again.value == parsed.value, (kind, text, parsed, again)
        seen += parsed.valid
    guessed = guess_identifier(text)
    if guessed is not None:
        check_parsed(guessed.type, text, guessed)
    last_end = 0
    for found in extract_identifiers(text):
        assert last_end <= found.start < found.end <= len(text), found
        assert text[found.start:found.end] == found.raw
        if found.valid:
            again = parse_identifier(found.type, found.value)
            assert again.valid and again.value == found.value, (found, again)
        last_end = found.end
        seen += 1
    return seen


def expected_error(exc: BaseException) -> bool:
    return isinstance(exc, CaseappError)
