"""Physical readers: CSV text and workbooks -> raw records ``(line, cells, marks)``.

``line`` is the 1-based physical line where the record starts (a workbook's row number);
``marks`` is a bit set of ``DECODE_ERROR``, ``NO_LINE_END`` (the last record has no line end)
and ``OPEN_QUOTE`` (the file ends inside a quoted field of the last record). Checks that need
the header (field counts, sizes, NUL bytes) are made by the caller.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Generator, Iterable, Iterator

from caseapp.i18n import _
from caseapp.importers.encoding import FileScan, encoding_label, file_error
from caseapp.importers.normalize import excel_cell_text

DECODE_ERROR = 1
NO_LINE_END = 2
OPEN_QUOTE = 4

RawRecord = tuple[int, list[str], int]

# A record larger than this cannot be read at all (bounded memory); smaller fields over the
# caller's ``max_field_chars`` are reported per record.
HARD_FIELD_LIMIT = 64 * 1024 * 1024
# The lines of the record being read are kept for the end-of-file quote check up to this size.
_KEEP_CHARS = 1 << 20
_DELIMITERS = (",", "\t", ";")
_WORKBOOK_ERROR_MODULES = frozenset(
    {"python_calamine", "openpyxl", "zipfile", "xml", "pyo3_runtime"}
)


def _raise_csv_limit(limit: int) -> None:
    # The csv module's limit is process-wide: only ever raise it.
    if csv.field_size_limit() < limit:
        csv.field_size_limit(limit)


def sniff_delimiter(first_line: str) -> str:
    """The delimiter among ``,`` ``\\t`` ``;`` used most in the header line (outside quotes)."""
    outside = re.sub(r'"(?:[^"]|"")*"', "", first_line)
    counts = {d: outside.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def ends_inside_quotes(text: str, delimiter: str, quote: str = '"') -> bool:
    """Whether a record's text ends inside a quoted field (csv module semantics, doublequote)."""
    separators = re.compile(f"[{re.escape(delimiter)}\r\n]")
    index, size, field_start = 0, len(text), True
    while index < size:
        if field_start and text[index] == quote:
            index += 1
            while True:
                close = text.find(quote, index)
                if close < 0:
                    return True
                if close + 1 < size and text[close + 1] == quote:
                    index = close + 2
                    continue
                index = close + 1
                break
        found = separators.search(text, index)
        if found is None:
            return False
        index, field_start = found.end(), True
    return False


class _CountingRaw(io.RawIOBase):
    """Counts the bytes read, for progress in bytes."""

    def __init__(self, raw: io.RawIOBase) -> None:
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer):  # type: ignore[no-untyped-def, override]
        read = self._raw.readinto(buffer)
        if read:
            self.count += read
        return read

    def close(self) -> None:
        self._raw.close()
        super().close()


class _LineState:
    __slots__ = ("bad", "kept", "lines", "overflow")

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.kept = 0
        self.overflow = False
        self.bad = False

    def take(self) -> list[str] | None:
        lines = None if self.overflow else self.lines
        self.lines = []
        self.kept = 0
        self.overflow = False
        return lines


class CsvSource:
    def __init__(self, scan: FileScan, delimiter: str, hard_limit: int) -> None:
        self.scan = scan
        self.delimiter = delimiter
        self.hard_limit = hard_limit
        self._counter: _CountingRaw | None = None

    @property
    def done(self) -> int:
        return self._counter.count if self._counter is not None else 0

    @property
    def total(self) -> int:
        return self.scan.size

    def first_line(self) -> str:
        """The first physical line, decoded (for sniffing the delimiter)."""
        with self.scan.path.open("rb") as handle:
            head = handle.read(1 << 16)
        text = head.decode(self.scan.encoding, errors="replace").lstrip("\ufeff")
        return next((line for line in text.splitlines() if line.strip()), "")

    def _text_lines(self, stream: Iterable[str], state: _LineState) -> Iterator[str]:
        limit = _KEEP_CHARS
        for line in stream:
            if not state.overflow:
                state.lines.append(line)
                state.kept += len(line)
                if state.kept > limit:
                    state.overflow = True
                    state.lines = []
            yield line

    def _decoded_lines(
        self, stream: Iterable[bytes], state: _LineState, keep: bool
    ) -> Iterator[str]:
        """Line by line decoding; a line with bad bytes is decoded with replacement and marked."""
        encoding = "utf-8" if self.scan.encoding == "utf-8-sig" else self.scan.encoding
        decode = codecs.getdecoder(encoding)
        first = True
        for raw in stream:
            if first:
                first = False
                if raw.startswith(codecs.BOM_UTF8) and encoding == "utf-8":
                    raw = raw[3:]
            # A lone CR inside the line ends a record too (as csv reads valid text); a line
            # may end in CR LF, or the file's last line in CR and one more byte.
            lone_cr = b"\r" in raw[:-2] or (raw[-2:-1] == b"\r" and raw[-1:] != b"\n")
            pieces = raw.splitlines(keepends=True) if lone_cr else (raw,)
            for piece in pieces:
                try:
                    line = decode(piece, "strict")[0]
                except UnicodeDecodeError:
                    line = decode(piece, "replace")[0]
                    state.bad = True
                if keep and not state.overflow:
                    state.lines.append(line)
                    state.kept += len(line)
                    if state.kept > _KEEP_CHARS:
                        state.overflow = True
                        state.lines = []
                yield line

    def raw_records(self) -> Generator[RawRecord, None, None]:
        _raise_csv_limit(self.hard_limit)
        scan = self.scan
        try:
            counter = _CountingRaw(io.FileIO(scan.path, "r"))
        except OSError as exc:
            raise file_error(
                scan.path,
                "unreadable",
                _("cannot be read: {error}").format(error=exc.strerror or exc),
            ) from exc
        self._counter = counter
        buffered = io.BufferedReader(counter, buffer_size=1 << 20)
        state = _LineState()
        # The lines of each record are kept only when the file's quotes do not pair up: then
        # the last record is checked for an unclosed quote. Else csv reads the file directly.
        keep = scan.quotes_odd
        lines: Iterable[str]
        stream: io.IOBase
        if scan.valid:
            text = io.TextIOWrapper(buffered, encoding=scan.encoding, errors="strict", newline="")
            lines = self._text_lines(text, state) if keep else text
            stream = text
        else:
            lines = self._decoded_lines(buffered, state, keep)
            stream = buffered
        reader = csv.reader(lines, delimiter=self.delimiter, quotechar='"', doublequote=True)
        start = 1
        held: RawRecord | None = None
        held_lines: list[str] | None = None
        try:
            with stream:
                try:
                    for cells in reader:
                        marks = 0
                        if state.bad:
                            marks = DECODE_ERROR
                            state.bad = False
                        if held is not None:
                            yield held
                        held = (start, cells, marks)
                        held_lines = state.take() if keep else None
                        start = reader.line_num + 1
                except csv.Error as exc:
                    raise self._csv_fault(start, exc) from exc
                except UnicodeDecodeError as exc:
                    raise file_error(
                        scan.path,
                        "file_changed",
                        _("the file changed while it was read (it is no longer valid "
                          "{encoding}); open it again.").format(
                            encoding=encoding_label(scan.encoding)
                        ),
                    ) from exc
                except OSError as exc:
                    raise file_error(
                        scan.path,
                        "unreadable",
                        _("cannot be read: {error}").format(error=exc.strerror or exc),
                    ) from exc
        finally:
            counter.close()
        if held is not None:
            line, cells, marks = held
            if any(cells):
                if not scan.ends_with_newline:
                    marks |= NO_LINE_END
                if not scan.quotes_odd:
                    open_quote = False
                elif held_lines is not None:
                    open_quote = ends_inside_quotes("".join(held_lines), self.delimiter)
                else:
                    open_quote = True  # too long to check: the unpaired quote says so
                if open_quote:
                    marks |= OPEN_QUOTE
            yield (line, cells, marks)

    def _csv_fault(self, line: int, exc: csv.Error) -> Exception:
        if "field larger than field limit" in str(exc):
            return file_error(
                self.scan.path,
                "record_too_large",
                _("the record at line {line} has a field larger than {limit} characters; the "
                  "file cannot be read safely.").format(line=line, limit=self.hard_limit),
                line,
            )
        return file_error(
            self.scan.path,
            "malformed",
            _("the CSV data at line {line} cannot be read: {error}").format(line=line, error=exc),
            line,
        )


class WorkbookSource:
    """The first sheet of an .xlsx (or .xls/.ods with python-calamine); line = row number."""

    def __init__(self, scan: FileScan, backend: str = "auto") -> None:
        self.scan = scan
        self.backend = backend
        self._done = 0
        self._total = 0

    @property
    def done(self) -> int:
        return self._done

    @property
    def total(self) -> int:
        return self._total

    def _choose_backend(self) -> str:
        if self.backend != "auto":
            return self.backend
        try:
            import python_calamine  # noqa: F401
        except ImportError:
            return "openpyxl"
        return "calamine"

    def raw_records(self) -> Generator[RawRecord, None, None]:
        backend = self._choose_backend()
        try:
            rows = self._calamine_rows() if backend == "calamine" else self._openpyxl_rows()
            for line, values in rows:
                self._done += 1
                yield (line, [excel_cell_text(value) for value in values], 0)
        except ImportError as exc:
            raise file_error(
                self.scan.path,
                "unsupported_format",
                _("reading Excel workbooks needs python-calamine or openpyxl; save the sheet as "
                  "CSV instead."),
            ) from exc
        except (OSError, ValueError, KeyError, EOFError, RuntimeError) as exc:
            raise self._unreadable(exc) from exc
        except Exception as exc:  # the readers' own error classes vary by version
            if type(exc).__module__.split(".")[0] in _WORKBOOK_ERROR_MODULES:
                raise self._unreadable(exc) from exc
            raise
        except BaseException as exc:
            if type(exc).__name__ == "PanicException":  # a crash inside calamine's Rust code
                raise self._unreadable(exc) from exc
            raise

    def _unreadable(self, exc: BaseException) -> Exception:
        return file_error(
            self.scan.path,
            "unsupported_format",
            _("the workbook cannot be read ({error}); save its first sheet as .xlsx or CSV "
              "and try again.").format(error=exc),
        )

    def _calamine_rows(self) -> Iterator[tuple[int, list[object]]]:
        from python_calamine import CalamineWorkbook

        with CalamineWorkbook.from_path(str(self.scan.path)) as workbook:
            if not workbook.sheet_names:
                return
            sheet = workbook.get_sheet_by_index(0)
            start = sheet.start
            if start is None:
                return
            first_row, first_column = start
            self._total = sheet.height
            # Versions of calamine differ in whether iter_rows() starts at the sheet's first
            # cell or at A1: anchor on the first non-empty row (it is sheet.start's row) and on
            # the width of the rows.
            anchor: int | None = None
            pad: list[object] = []
            for offset, values in enumerate(sheet.iter_rows()):
                if anchor is None:
                    if not any(value not in ("", None) for value in values):
                        continue
                    anchor = offset
                    if first_column and len(values) == sheet.width:
                        pad = [""] * first_column
                cells: list[object] = list(values)
                yield first_row + 1 + offset - anchor, (pad + cells if pad else cells)

    def _openpyxl_rows(self) -> Iterator[tuple[int, list[object]]]:
        from openpyxl import load_workbook  # type: ignore[import-untyped]

        workbook = load_workbook(self.scan.path, read_only=True, data_only=True)
        try:
            if not workbook.worksheets:
                return
            sheet = workbook.worksheets[0]
            self._total = sheet.max_row or 0
            for cells in sheet.iter_rows(min_col=1):
                line = next((c.row for c in cells if getattr(c, "row", None)), None)
                if line is None:
                    continue
                yield line, [cell.value for cell in cells]
        finally:
            workbook.close()
