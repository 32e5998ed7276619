"""Complaint exports (CSV, XLSX) -> validated, normalised rows and the problems found.

No database and no Qt: the import service stores what :meth:`ComplaintFile.records` yields.
Typical use::

    file = open_complaint_file(path)            # ImportFileError when it cannot be imported
    for record in file.records(progress=sink, cancel=token):
        if record.row is not None: ...          # import it
        elif record.duplicate_of: ...           # exact duplicate: count it
        else: ...                               # record.problems name the line and the cause
"""

from caseapp.importers.mapping import (
    COMPLAINT_FIELDS,
    REQUIRED_FIELDS,
    ROW_NUMBER,
    ColumnMapping,
    detect_mapping,
    normalise_header,
)
from caseapp.importers.model import (
    ComplaintRow,
    ImportFileError,
    Mention,
    ParsedRecord,
    RowProblem,
    SourceInfo,
)
from caseapp.importers.normalize import CHINA_TZ, parse_amount, parse_received_at
from caseapp.importers.reader import (
    DEFAULT_MAX_FIELD_CHARS,
    ComplaintFile,
    open_complaint_file,
)

__all__ = [
    "CHINA_TZ",
    "COMPLAINT_FIELDS",
    "DEFAULT_MAX_FIELD_CHARS",
    "REQUIRED_FIELDS",
    "ROW_NUMBER",
    "ColumnMapping",
    "ComplaintFile",
    "ComplaintRow",
    "ImportFileError",
    "Mention",
    "ParsedRecord",
    "RowProblem",
    "SourceInfo",
    "detect_mapping",
    "normalise_header",
    "open_complaint_file",
    "parse_amount",
    "parse_received_at",
]
