"""Open a complaint export and stream its records as validated, normalised rows.

Two passes: :func:`open_complaint_file` hashes the file, chooses the encoding, reads the header
and checks the mapping; :meth:`ComplaintFile.records` then streams the records (memory bounded by
the largest record and the table of complaint numbers seen, which finds duplicates).
"""

from __future__ import annotations

import hashlib
import operator
import re
from collections.abc import Generator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Protocol

from caseapp.domain.progress import CancelToken, ProgressSink
from caseapp.i18n import _
from caseapp.importers.encoding import encoding_label, file_error, scan_file
from caseapp.importers.mapping import (
    COMPLAINT_FIELDS,
    REQUIRED_FIELDS,
    ROW_NUMBER,
    ColumnMapping,
    detect_mapping,
    field_display,
    field_for_header,
)
from caseapp.importers.model import (
    ComplaintRow,
    ImportFileError,
    Mention,
    ParsedRecord,
    RowProblem,
    SourceInfo,
)
from caseapp.importers.normalize import (
    FLAG_AMOUNT_UNPARSED,
    FLAG_DATE_UNPARSED,
    FLAG_TEXT_EMPTY,
    agent_name_mentions,
    demands_mentions,
    normalise_agent_phone,
    normalise_customer_phone,
    normalise_id_number,
    parse_amount,
    parse_received_at,
    text_mentions,
)
from caseapp.importers.sources import (
    DECODE_ERROR,
    HARD_FIELD_LIMIT,
    NO_LINE_END,
    OPEN_QUOTE,
    CsvSource,
    RawRecord,
    WorkbookSource,
    sniff_delimiter,
)

DEFAULT_MAX_FIELD_CHARS = 100_000
_CELL_CACHE_LIMIT = 1 << 15
_REPORT_EVERY = 500
_LOW64 = (1 << 64) - 1
_ROW = -1  # resolved position of the ROW_NUMBER pseudo-column

# Signs that a first row is data, not a header: no header holds an ID number, a mobile or a
# date; numbers and long texts count when no cell is a known header name.
_STRONG_DATA_RE = re.compile(
    r"'?(?:\d{17}[\dXx]|\d{15})|(?:\+?86[\s-]?)?1[3-9]\d{9}(?:\.0)?"
    r"|\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}.*|\d\.\d+E\+\d+"
)
_WEAK_DATA_RE = re.compile(r"[A-Za-z]{0,4}\d{4,}(?:[-_]\d+)*|[\d.,¥￥]+元?")


class _Source(Protocol):
    @property
    def done(self) -> int: ...

    @property
    def total(self) -> int: ...

    def raw_records(self) -> Generator[RawRecord, None, None]: ...


def open_complaint_file(
    path: str | Path,
    *,
    encoding: str = "auto",
    mapping: ColumnMapping | None = None,
    max_field_chars: int = DEFAULT_MAX_FIELD_CHARS,
) -> ComplaintFile:
    """Open a complaint export (CSV or XLSX); raises ImportFileError when it cannot be imported.

    Without ``mapping`` the columns are recognised from the header. A file without a header row
    needs ``ColumnMapping(has_header=False, fields={"external_number": 0, ...})``.
    """
    return ComplaintFile(
        Path(path), encoding=encoding, mapping=mapping, max_field_chars=max_field_chars
    )


def where_label(line: int, *, workbook: bool) -> str:
    """``line 17`` in a text file, ``row 17`` in a workbook."""
    if workbook:
        return _("row {line}").format(line=line)
    return _("line {line}").format(line=line)


def _looks_like_data(cells: list[str]) -> bool:
    values = [cell.strip() for cell in cells if cell.strip()]
    if any(_STRONG_DATA_RE.fullmatch(value) for value in values):
        return True
    if not values or any(field_for_header(value) for value in values):
        return False
    return any(len(value) > 60 or _WEAK_DATA_RE.fullmatch(value) for value in values)


class ComplaintFile:
    """An opened complaint export: :attr:`info`, :meth:`preview` and :meth:`records`."""

    info: SourceInfo

    def __init__(
        self,
        path: Path,
        *,
        encoding: str = "auto",
        mapping: ColumnMapping | None = None,
        max_field_chars: int = DEFAULT_MAX_FIELD_CHARS,
        workbook_backend: str = "auto",
    ) -> None:
        if max_field_chars < 1:
            raise ValueError("max_field_chars must be positive")
        self._path = path
        self._max_field_chars = max_field_chars
        self._workbook_backend = workbook_backend
        if not path.is_file():
            raise file_error(path, "unreadable", _("the file does not exist or is not a file."))
        scan = scan_file(path, encoding)
        self._scan = scan
        delimiter = ""
        if scan.file_type == "csv":
            probe = CsvSource(scan, ",", self._hard_limit())
            delimiter = sniff_delimiter(probe.first_line())
        self._delimiter = delimiter
        self._unit_row = scan.file_type != "csv"

        first_records = self._first_records()
        if not first_records:
            raise file_error(path, "no_data_rows", _("the file holds no rows at all."))
        first_line, first_cells = first_records[0]
        has_header = mapping.has_header if mapping is not None else True
        if has_header:
            header = [cell.strip() for cell in first_cells]
            if header:
                header[0] = header[0].lstrip("\ufeff")
            while header and not header[-1]:
                header.pop()
            width = max(len(first_cells), len(header))
        else:
            header = []
            width = len(first_cells)
        if mapping is None:
            mapping = detect_mapping(header)
            missing = [f for f in REQUIRED_FIELDS if f not in mapping.fields]
            if missing and _looks_like_data(first_cells):
                message = _(
                    "{file}: {where} is a data record, not a header row: the header row is "
                    "missing. Map the columns by position (a column mapping without header)."
                ).format(file=path.name, where=self._where(first_line))
                raise ImportFileError(
                    message,
                    (RowProblem(first_line, None, "no_header", message),),
                    header=tuple(first_cells),
                    mapping=mapping,
                )
        self._resolve(mapping, header, first_line, width, first_cells)
        self._header_line = first_line if has_header else None
        labels = self._labels
        # Columns kept as extras; Excel's unnamed trailing columns are not worth listing.
        unknown = tuple(
            label for i, label in self._extra_columns if i < self._named_width
        )
        self.info = SourceInfo(
            path=path,
            size=scan.size,
            sha256=scan.sha256,
            encoding=scan.encoding,
            delimiter=delimiter,
            has_header=has_header,
            header=tuple(header) if has_header else tuple(labels[:width]),
            mapping=mapping,
            unknown_columns=unknown,
            file_type=scan.file_type,
        )
        if has_header and len(first_records) < 2:
            raise file_error(
                path,
                "no_data_rows",
                _("the file has a header but no data rows."),
            )

    # ------------------------------------------------------------------ setup helpers

    def _where(self, line: int) -> str:
        return where_label(line, workbook=self._unit_row)

    def _hard_limit(self) -> int:
        return max(HARD_FIELD_LIMIT, self._max_field_chars + 1)

    def _source(self) -> _Source:
        if self._scan.file_type == "csv":
            return CsvSource(self._scan, self._delimiter, self._hard_limit())
        return WorkbookSource(self._scan, self._workbook_backend)

    def _first_records(self) -> list[tuple[int, list[str]]]:
        """The first two non-blank records (one pass: a workbook is loaded once here)."""
        found: list[tuple[int, list[str]]] = []
        records = self._source().raw_records()
        try:
            for line, cells, _marks in records:
                if any(cells):
                    found.append((line, cells))
                    if len(found) == 2:
                        break
        finally:
            records.close()
        return found

    def _resolve(
        self,
        mapping: ColumnMapping,
        header: list[str],
        first_line: int,
        width: int,
        first_cells: list[str],
    ) -> None:
        path = self._path
        positions: dict[str, int] = {}
        for index, name in enumerate(header):
            if name:
                positions.setdefault(name, index)
        missing_names: list[str] = []
        resolved: dict[str, int] = {}
        for field_name in COMPLAINT_FIELDS:
            source = mapping.fields.get(field_name)
            if source is None:
                continue
            if source == ROW_NUMBER:
                resolved[field_name] = _ROW
            elif isinstance(source, int):
                resolved[field_name] = source
            elif not mapping.has_header:
                raise file_error(
                    path,
                    "column_not_found",
                    _("the mapping names column {column!r}, but a file without a header row can "
                      "only be mapped by column number.").format(column=source),
                )
            elif source in positions:
                resolved[field_name] = positions[source]
            else:
                missing_names.append(source)
        if missing_names:
            message = _(
                "{file}: the column mapping names columns that are not in the header "
                "({where}): {columns}."
            ).format(
                file=path.name, where=self._where(first_line), columns=", ".join(missing_names)
            )
            raise ImportFileError(
                message,
                (RowProblem(first_line, None, "column_not_found", message),),
                header=tuple(header),
                mapping=mapping,
            )
        missing = [f for f in REQUIRED_FIELDS if f not in resolved]
        if missing:
            names = ", ".join(field_display(f) for f in missing)
            if mapping.has_header:
                message = _(
                    "{file}: required columns are missing: {fields}. The header ({where}) has: "
                    "{header}. Choose the columns in a column mapping."
                ).format(
                    file=path.name, fields=names, where=self._where(first_line),
                    header=", ".join(h for h in header if h) or _("(nothing)"),
                )
            else:
                message = _("{file}: the column mapping does not give required fields: {fields}.") \
                    .format(file=path.name, fields=names)
            raise ImportFileError(
                message,
                (RowProblem(first_line, None, "missing_column", message),),
                header=tuple(header if mapping.has_header else first_cells),
                mapping=mapping,
            )
        widest = max((i for i in resolved.values() if i != _ROW), default=-1) + 1
        if mapping.has_header:
            named = len(header)
        else:
            filled = len(first_cells)
            while filled and not first_cells[filled - 1]:
                filled -= 1
            named = filled
        named = max(named, widest)
        width = max(width, named)
        labels = [
            header[i] if i < len(header) and header[i] else f"#{i + 1}" for i in range(width)
        ]
        used = {i for i in resolved.values() if i != _ROW}
        seen_labels: set[str] = set()
        extra_columns: list[tuple[int, str]] = []
        for index in range(width):
            if index in used:
                continue
            label = labels[index]
            if label in seen_labels:
                label = f"{label} (#{index + 1})"
            seen_labels.add(label)
            extra_columns.append((index, label))
        self._resolved = resolved
        self._named_width = named
        self._width = width
        self._labels = labels
        self._extra_columns = extra_columns

    # ------------------------------------------------------------------ public API

    def preview(self, n: int = 20) -> list[list[str]]:
        """The first ``n`` data rows as read (no normalisation), blank rows left out."""
        rows: list[list[str]] = []
        if n <= 0:
            return rows
        records = self._source().raw_records()
        try:
            skip = self._header_line is not None
            for _line, cells, _marks in records:
                if not any(cells):
                    continue
                if skip:
                    skip = False
                    continue
                rows.append(list(cells))
                if len(rows) >= n:
                    break
        finally:
            records.close()
        return rows

    def records(
        self,
        *,
        progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> Iterator[ParsedRecord]:
        """Stream every data record; each call starts again from the beginning of the file.

        Raises ImportFileError when the file changed since it was opened or cannot be read on,
        and Cancelled when ``cancel`` is set (checked every few hundred records).
        """
        scan = self._scan
        if not scan.unchanged():
            raise self._changed()
        source = self._source()
        label = _("Reading {file}").format(file=self._path.name)
        builder = _RowBuilder(self)
        raw = source.raw_records()
        skip_header = self._header_line is not None
        count = 0
        if cancel is not None:
            cancel.raise_if_cancelled()
        try:
            for line, cells, marks in raw:
                if not any(cells):
                    continue
                if skip_header:
                    skip_header = False
                    continue
                count += 1
                if count % _REPORT_EVERY == 0:
                    if cancel is not None:
                        cancel.raise_if_cancelled()
                    if progress is not None:
                        progress.report(source.done, source.total, label)
                record = builder.build(line, cells, marks, count)
                if record is None:
                    count -= 1  # blanks only: not a data record
                else:
                    yield record
        finally:
            raw.close()
        if not scan.unchanged():
            raise self._changed()
        if progress is not None:
            progress.report(source.total, source.total, label)

    def _changed(self) -> ImportFileError:
        return file_error(
            self._path,
            "file_changed",
            _("the file changed after it was opened; open it again."),
        )


class _RowBuilder:
    """Checks and normalises one raw record at a time; remembers complaint numbers seen."""

    def __init__(self, file: ComplaintFile) -> None:
        self.file = file
        self.resolved = file._resolved
        self.labels = file._labels
        self.named_width = file._named_width
        self.width = file._width
        self.extra_columns = file._extra_columns
        self.max_chars = file._max_field_chars
        self.check_nul = file._scan.has_nul
        self.encoding = encoding_label(file._scan.encoding)
        self.unit_row = file._unit_row
        # number -> (first line << 64) | 64 bits of its content hash: compact for big files.
        self.seen: dict[str, int] = {}
        resolved = self.resolved
        columns = [(name, index) for name, index in resolved.items() if index != _ROW]
        self.column_names = tuple(name for name, _index in columns)
        self.min_cells = max((index for _name, index in columns), default=-1) + 1
        self.indices = tuple(index for _name, index in columns)
        # One C-level call picks every mapped cell of a row (a 1-tuple needs the extra 0).
        self.pick = operator.itemgetter(*self.indices, 0)
        self.row_number_fields = tuple(
            name for name, index in resolved.items() if index == _ROW
        )
        self.blank_values = dict.fromkeys(COMPLAINT_FIELDS, "")
        # date cell -> (UTC datetime or None, its text in the content hash)
        self.dates: dict[str, tuple[datetime | None, str]] = {}
        self.number_label = self._label_of("external_number")

    def _label_of(self, field_name: str) -> str:
        index = self.resolved.get(field_name)
        if index is None:
            return field_name
        if index == _ROW:
            return ROW_NUMBER
        return self.labels[index] if index < len(self.labels) else f"#{index + 1}"

    def _column(self, index: int) -> str:
        return self.labels[index] if index < len(self.labels) else f"#{index + 1}"

    def where(self, line: int) -> str:
        return where_label(line, workbook=self.unit_row)

    def problem(
        self, line: int, column: str | None, code: str, message: str, related: int | None = None
    ) -> RowProblem:
        return RowProblem(line, column, code, message, related)

    # ------------------------------------------------------------------ checks

    def _physical_problems(self, line: int, cells: list[str], marks: int) -> list[RowProblem]:
        problems: list[RowProblem] = []
        where = self.where(line)
        count = len(cells)
        if marks & DECODE_ERROR:
            problems.append(self.problem(line, None, "encoding", _(
                "{where}: the record holds bytes that are not valid {encoding}; it was probably "
                "saved in another encoding. Re-export the file or fix this record."
            ).format(where=where, encoding=self.encoding)))
        truncated = bool(marks & OPEN_QUOTE) or (
            bool(marks & NO_LINE_END) and count < self.named_width
        )
        if truncated:
            if marks & OPEN_QUOTE:
                detail = _("a quoted field is never closed")
            else:
                detail = _("it has {count} of {expected} fields").format(
                    count=count, expected=self.named_width
                )
            problems.append(self.problem(line, None, "truncated", _(
                "{where}: the file ends inside this record ({detail}); the file seems cut off."
            ).format(where=where, detail=detail)))
        elif count < self.named_width:
            problems.append(self.problem(line, None, "too_few_fields", _(
                "{where}: the record has {count} fields but the header has {expected}."
            ).format(where=where, count=count, expected=self.named_width)))
        elif count > self.width and any(cells[self.width:]):
            problems.append(self.problem(line, None, "too_many_fields", _(
                "{where}: the record has {count} fields but the header has {expected} (an "
                "unquoted comma or extra values?)."
            ).format(where=where, count=count, expected=self.named_width)))
        if max(map(len, cells)) > self.max_chars:
            for index, cell in enumerate(cells):
                size = len(cell)
                if size > self.max_chars:
                    column = self._column(index)
                    problems.append(self.problem(line, column, "field_too_large", _(
                        "{where}: column {column} holds {size} characters, more than the limit "
                        "of {limit}."
                    ).format(where=where, column=column, size=size, limit=self.max_chars)))
                    cells[index] = ""  # do not keep the huge value
        if self.check_nul:
            for index, cell in enumerate(cells):
                if "\x00" in cell:
                    column = self._column(index)
                    problems.append(self.problem(line, column, "nul_byte", _(
                        "{where}: column {column} contains NUL (0x00) bytes."
                    ).format(where=where, column=column)))
        return problems

    # ------------------------------------------------------------------ the row

    def build(self, line: int, cells: list[str], marks: int, number: int) -> ParsedRecord | None:
        size = len(cells)
        if marks or size != self.width or self.check_nul or max(map(len, cells)) > self.max_chars:
            problems = self._physical_problems(line, cells, marks)
            if problems:
                return ParsedRecord(line, None, tuple(problems), cells=tuple(cells))
        values = self.blank_values.copy()
        if size >= self.min_cells:
            values.update(zip(self.column_names, map(str.strip, self.pick(cells)), strict=False))
        else:
            for name, index in zip(self.column_names, self.indices, strict=True):
                if index < size:
                    values[name] = cells[index].strip()
        for name in self.row_number_fields:
            values[name] = str(number)
        external_number = values["external_number"]
        if not external_number:
            if not any(cell.strip() for cell in cells):
                return None  # a row of blanks
            column = self.number_label
            message = _("{where}: column {column} ({field}) is empty.").format(
                where=self.where(line), column=column, field=field_display("external_number")
            )
            return ParsedRecord(
                line, None, (self.problem(line, column, "missing_value", message),),
                cells=tuple(cells),
            )
        extra = {
            label: value
            for index, label in self.extra_columns
            if index < size and (value := cells[index].strip())
        }
        return self._row(line, values, extra, tuple(cells))

    def _row(
        self, line: int, values: dict[str, str], extra: dict[str, str], cells: tuple[str, ...]
    ) -> ParsedRecord:
        flags: list[str] = []
        date_raw = values["received_at"]
        if date_raw:
            parsed_date = self.dates.get(date_raw)
            if parsed_date is None:
                if len(self.dates) >= _CELL_CACHE_LIMIT:
                    self.dates.clear()
                received = parse_received_at(date_raw)
                parsed_date = self.dates[date_raw] = (
                    received, received.isoformat() if received is not None else "?" + date_raw)
            received_at, date_key = parsed_date
            if received_at is None:
                flags.append(FLAG_DATE_UNPARSED)
        else:
            received_at, date_key = None, "?"
        id_raw = values["customer_id_number"]
        id_value, id_flags, id_mentions = normalise_id_number(id_raw)
        phone_raw = values["customer_phone"]
        phone_value, phone_flags, phone_mentions = normalise_customer_phone(phone_raw)
        agent_phone_raw = values["agent_phone"]
        agent_phone, agent_flags, agent_phone_mentions = normalise_agent_phone(agent_phone_raw)
        amount_raw = values["amount"]
        if amount_raw:
            amount = parse_amount(amount_raw)
            if amount is None:
                flags.append(FLAG_AMOUNT_UNPARSED)
                amount_key = amount_raw
            else:
                amount_key = str(amount)
        else:
            amount, amount_key = None, ""
        text = values["text"]
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if not text:
            flags.append(FLAG_TEXT_EMPTY)
        demands = values["demands"]
        if "\r" in demands:
            demands = demands.replace("\r\n", "\n").replace("\r", "\n")
        if id_flags:
            flags.extend(id_flags)
        if phone_flags:
            flags.extend(phone_flags)
        if agent_flags:
            flags.extend(agent_flags)
        external_number = values["external_number"]
        agent_name = values["agent_name"]
        channel = values["channel"]
        customer_name = values["customer_name"]
        product = values["product"]
        category = values["category"]
        status = values["status"]
        parts = [
            external_number,
            date_key,
            channel,
            customer_name,
            id_value or id_raw,
            phone_value or phone_raw,
            agent_name,
            agent_phone or agent_phone_raw,
            product,
            category,
            text,
            demands,
            amount_key,
            status,
        ]
        if extra:
            parts.extend(f"{key}\x1f{value}" for key, value in sorted(extra.items()))
        content = "\x1e".join(parts).encode("utf-8", "surrogatepass")
        digest = hashlib.sha256(content).hexdigest()

        fingerprint = int(digest[:16], 16)
        seen = self.seen.get(external_number)
        if seen is not None:
            first_line = seen >> 64
            if seen & _LOW64 == fingerprint:
                return ParsedRecord(line, None, (), first_line)
            column = self.number_label
            message = _(
                "{where}: {column} {number} appears again with different contents (first at "
                "{first})."
            ).format(
                where=self.where(line), column=column, number=external_number,
                first=self.where(first_line),
            )
            problem = self.problem(line, column, "duplicate_number", message, first_line)
            return ParsedRecord(line, None, (problem,), cells=cells)
        self.seen[external_number] = (line << 64) | fingerprint

        mentions: tuple[Mention, ...] = (
            text_mentions(text)
            + demands_mentions(demands)
            + agent_name_mentions(agent_name)
            + agent_phone_mentions
            + phone_mentions
            + id_mentions
        )
        row = ComplaintRow(
            line, external_number, received_at, channel, customer_name, id_value, id_raw,
            phone_value, phone_raw, agent_name, agent_phone, agent_phone_raw, product, category,
            text, demands, amount, amount_raw, status, extra, tuple(flags), mentions, digest,
            date_raw,
        )
        return ParsedRecord(line, row, cells=cells)
