"""Plain result types of reading a complaint file (no database, no Qt)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from caseapp.domain.errors import InvalidInputError
from caseapp.identifiers import ParsedIdentifier
from caseapp.importers.mapping import ColumnMapping


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What was found out about a file before its records are read.

    ``header`` is the header row as read; for a file without one it holds the labels ``#1``,
    ``#2`` … of the columns of the first record. ``encoding`` and ``delimiter`` are empty for a
    workbook. ``unknown_columns`` are the columns the mapping does not use (their values are kept
    in :attr:`ComplaintRow.extra`).
    """

    path: Path
    size: int
    sha256: str
    encoding: str
    delimiter: str
    has_header: bool
    header: tuple[str, ...]
    mapping: ColumnMapping
    unknown_columns: tuple[str, ...]
    file_type: str


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why a record (or the file) cannot be imported; ``message`` names the line.

    ``code`` is stable: ``encoding``, ``nul_byte``, ``field_too_large``, ``too_many_fields``,
    ``too_few_fields``, ``truncated``, ``missing_value``, ``duplicate_number`` for records;
    ``unreadable``, ``empty_file``, ``unsupported_format``, ``unknown_encoding``,
    ``cannot_decode``, ``no_header``, ``missing_column``, ``column_not_found``, ``no_data_rows``,
    ``record_too_large``, ``malformed``, ``file_changed`` for whole files.
    ``related_line`` is the other line involved (the first record of a duplicated number).
    """

    line: int | None
    column: str | None
    code: str
    message: str
    related_line: int | None = None


@dataclass(frozen=True, slots=True)
class Mention:
    """An identifier in a field; ``start``/``end`` index the field's value (None: whole cell)."""

    field: str
    identifier: ParsedIdentifier
    raw: str
    start: int | None
    end: int | None


@dataclass(frozen=True, slots=True)
class ComplaintRow:
    """One complaint, normalised. Raw cell values are kept beside the normalised ones.

    ``received_at`` is timezone-aware UTC (a time without zone is China time, UTC+8; a date
    alone is midnight China time). ``customer_id_number`` is empty when the cell cannot give the
    real number (Excel's scientific notation or 15-digit zeroing): never guessed.
    ``received_at_raw`` is the source cell of the date.
    """

    line: int
    external_number: str
    received_at: datetime | None
    channel: str
    customer_name: str
    customer_id_number: str
    customer_id_number_raw: str
    customer_phone: str
    customer_phone_raw: str
    agent_name: str
    agent_phone: str
    agent_phone_raw: str
    product: str
    category: str
    text: str
    demands: str
    amount: Decimal | None
    amount_raw: str
    status: str
    extra: dict[str, str]
    flags: tuple[str, ...]
    mentions: tuple[Mention, ...]
    content_sha256: str
    received_at_raw: str = ""


@dataclass(frozen=True, slots=True)
class ParsedRecord:
    """One data record of the file.

    ``row`` is None when the record is rejected (``problems`` say why) or is an exact duplicate
    (same number, same content) of the record at line ``duplicate_of``: import ``row`` when it
    is not None.
    """

    line: int
    row: ComplaintRow | None
    problems: tuple[RowProblem, ...] = ()
    duplicate_of: int | None = None
    cells: tuple[str, ...] = ()  # the record's raw cells (for reports of rejected records)


class ImportFileError(InvalidInputError):
    """The whole file is refused; the message names the file and what to do.

    ``header`` is the first row as read and ``mapping`` the mapping that was tried (when they got
    that far), so that an import wizard can let the user fix the mapping.
    """

    def __init__(
        self,
        message: str,
        problems: tuple[RowProblem, ...] = (),
        *,
        header: tuple[str, ...] = (),
        mapping: ColumnMapping | None = None,
    ) -> None:
        super().__init__(message)
        self.problems = problems
        self.header = header
        self.mapping = mapping


__all__ = [
    "ComplaintRow",
    "ImportFileError",
    "Mention",
    "ParsedRecord",
    "RowProblem",
    "SourceInfo",
]
