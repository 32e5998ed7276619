"""The complaints table over 100,000+ rows: a windowed cache keyed by row.

On a query (filter, search or sort) the model reads the first :attr:`BLOCK` rows at once — the
table shows them straight away — and asks a worker thread for the ordered ids of every matching
complaint. When those arrive (:attr:`ComplaintTableModel.ids_loaded`) the row count becomes
exact and the scroll bar true. Rows are then read by id, in blocks of :attr:`BLOCK`, only when
the view asks for them (what is on screen), and at most :attr:`MAX_BLOCKS` blocks stay cached.
No widget per row, no complaint text beyond an excerpt.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QDeadlineTimer,
    QEventLoop,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from caseapp.i18n import N_, _
from caseapp.services.complaint_queries import (
    ComplaintListRow,
    ComplaintQuery,
    ComplaintQueryService,
)
from caseapp.ui.workers.task import Task

_FLAGGED = QBrush(QColor("#b45309"))
START_DELAY_MS = 30

_Index = QModelIndex | QPersistentModelIndex

# (field, header, sort key or None when the column cannot be sorted)
COLUMNS: tuple[tuple[str, str, str | None], ...] = (
    ("external_number", N_("Number"), "external_number"),
    ("received_at", N_("Received"), "received_at"),
    ("channel", N_("Channel"), "channel"),
    ("customer_name", N_("Customer"), "customer_name"),
    ("agent_name", N_("Agent"), "agent_name"),
    ("category", N_("Category"), "category"),
    ("amount", N_("Amount (yuan)"), "amount"),
    ("group", N_("Group"), "group"),
    ("excerpt", N_("Complaint text"), None),
)


LOCAL_ZONE = datetime.now().astimezone().tzinfo
_DISPLAY = Qt.ItemDataRole.DisplayRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_RIGHT_COLUMNS = frozenset({6, 7})  # amount, group
_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_ROLES = frozenset({_DISPLAY, _ALIGN, _FOREGROUND, _TOOLTIP, _ID_ROLE})


def format_amount(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount:,.2f}"


def display_texts(row: ComplaintListRow) -> tuple[str, ...]:
    """The text of every column of a row, worked out once (a table repaints often)."""
    received = row.received_at.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M") \
        if row.received_at else ""
    return (row.external_number, received, row.channel, row.customer_name, row.agent_name,
            row.category, format_amount(row.amount),
            str(row.group_number) if row.group_number is not None else "", row.excerpt)


class ComplaintTableModel(QAbstractTableModel):
    (COL_NUMBER, COL_RECEIVED, COL_CHANNEL, COL_CUSTOMER, COL_AGENT, COL_CATEGORY, COL_AMOUNT,
     COL_GROUP, COL_TEXT) = range(len(COLUMNS))
    ComplaintIdRole = _ID_ROLE
    BLOCK = 200
    MAX_BLOCKS = 40

    ids_loaded = Signal(int)  # the exact number of rows, once known
    load_failed = Signal(str)

    def __init__(self, service: ComplaintQueryService, parent: Any = None, *,
                 background: bool = True) -> None:
        super().__init__(parent)
        self._service = service
        self._background = background
        self._case_id: int | None = None
        self._query = ComplaintQuery()
        self._head: list[ComplaintListRow] = []
        self._ids: list[int] | None = None
        self._row_of: dict[int, int] | None = None
        self._blocks: OrderedDict[int, list[ComplaintListRow | None]] = OrderedDict()
        self._texts: dict[int, tuple[str, ...]] = {}  # complaint id -> column texts
        self._generation = 0
        self._loader: Task | None = None
        self._headers = [_(header) for _field, header, _key in COLUMNS]
        self.blocks_read = 0  # how many blocks were read by id (tests, benchmark)

    # --- what is shown ----------------------------------------------------------------------

    @property
    def query(self) -> ComplaintQuery:
        return self._query

    @property
    def case_id(self) -> int | None:
        return self._case_id

    @property
    def total(self) -> int | None:
        """The number of rows the query keeps; None while the worker is still counting."""
        return len(self._ids) if self._ids is not None else None

    def set_case(self, case_id: int | None) -> None:
        self._case_id = case_id
        self._query = ComplaintQuery(sort=self._query.sort, descending=self._query.descending)
        self.reload()

    def set_query(self, query: ComplaintQuery) -> None:
        self._query = query
        self.reload()

    def reload(self) -> None:
        """Show the query's first rows now; list the ids of the others in a worker."""
        self._generation += 1
        generation = self._generation
        self.beginResetModel()
        self._blocks.clear()
        self._texts.clear()
        self._row_of = None
        self._ids = None
        self._head = ([] if self._case_id is None
                      else self._service.head(self._case_id, self._query, limit=self.BLOCK))
        if len(self._head) < self.BLOCK:
            self._ids = [r.id for r in self._head]  # that is all there is
        if self._head:
            self._blocks[0] = list(self._head)
        self.endResetModel()
        if self._ids is not None:
            self.ids_loaded.emit(len(self._ids))
            return
        case_id, query = self._case_id, self._query
        assert case_id is not None

        def load(_progress: object, _cancel: object) -> list[int]:
            return self._service.ordered_ids(case_id, query)

        if not self._background or QCoreApplication.instance() is None:
            self._ids_arrived(generation, load(None, None))
            return
        task = Task(load)
        task.succeeded.connect(lambda ids: self._ids_arrived(generation, ids))
        task.failed.connect(lambda message: self._ids_failed(generation, message))
        self._loader = task
        # A head start for painting the first rows: the worker would compete with it.
        QTimer.singleShot(START_DELAY_MS, lambda: self._start(task, generation))

    def _start(self, task: Task, generation: int) -> None:
        if generation == self._generation:
            task.start()
        elif self._loader is task:
            self._loader = None

    def _loading(self) -> bool:
        """Whether the id list is still to come (its worker waiting to start, or running)."""
        task = self._loader
        if task is None or self._ids is not None:
            return False
        finished = task.result is not None or task.error is not None or task.was_cancelled
        return not finished

    def _ids_arrived(self, generation: int, ids: list[int]) -> None:
        if generation != self._generation:
            return  # a newer query is on its way
        head = [r.id for r in self._head]
        if ids[:len(head)] != head:
            # the data changed between the two reads: show the new list from scratch
            self.beginResetModel()
            self._blocks.clear()
            self._ids = ids
            self.endResetModel()
        elif len(ids) > len(head):
            self.beginInsertRows(QModelIndex(), len(head), len(ids) - 1)
            self._ids = ids
            self.endInsertRows()
        else:
            self._ids = ids
        self._row_of = None
        self.ids_loaded.emit(len(ids))

    def _ids_failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.load_failed.emit(message)

    def wait_loaded(self, timeout_ms: int = 60_000) -> None:
        """Process events until the id list is known (selecting by id, tests)."""
        deadline = QDeadlineTimer(timeout_ms)
        loop = QEventLoop()
        while self._ids is None and not deadline.hasExpired():
            if not self._loading():
                loop.processEvents()
                return
            loop.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)

    def _shown_ids(self) -> list[int]:
        return self._ids if self._ids is not None else [r.id for r in self._head]

    def complaint_id(self, row: int) -> int:
        return self._shown_ids()[row]

    def row_of(self, complaint_id: int) -> int | None:
        if self._ids is None:
            self.wait_loaded()
        if self._row_of is None:
            self._row_of = {cid: i for i, cid in enumerate(self._shown_ids())}
        return self._row_of.get(complaint_id)

    def cached_blocks(self) -> int:
        return len(self._blocks)

    def _row(self, row: int) -> ComplaintListRow | None:
        block = row // self.BLOCK
        rows = self._blocks.get(block)
        if rows is None:
            if row >= self.rowCount():
                return None
            if self._case_id is None or self._ids is None:
                return None
            ids = self._ids[block * self.BLOCK:(block + 1) * self.BLOCK]
            found = {r.id: r for r in self._service.rows(self._case_id, ids)}
            self.blocks_read += 1
            rows = [found.get(i) for i in ids]  # None: deleted meanwhile
            self._blocks[block] = rows
            while len(self._blocks) > self.MAX_BLOCKS:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(block)
        index = row - block * self.BLOCK
        return rows[index] if index < len(rows) else None

    def record(self, row: int) -> ComplaintListRow | None:
        return self._row(row) if 0 <= row < self.rowCount() else None

    # --- Qt model interface -----------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return len(self._ids) if self._ids is not None else len(self._head)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every role of every visible cell on each paint: keep it lean.
        if role not in _ROLES or not index.isValid():
            return None
        row, col = index.row(), index.column()
        if role == _DISPLAY:
            record = self._row(row)
            return None if record is None else self._display(record, col)
        if role == _ALIGN:
            return _RIGHT if col in _RIGHT_COLUMNS else None
        if role == self.ComplaintIdRole:
            return self.complaint_id(row) if row < self.rowCount() else None
        record = self._row(row)
        if record is None:
            return None
        if role == _FOREGROUND:
            return _FLAGGED if col == self.COL_NUMBER and record.flags else None
        # tooltip
        if col == self.COL_TEXT:
            return record.excerpt
        if col == self.COL_NUMBER and record.flags:
            return _("Import notes: {flags}").format(flags=", ".join(record.flags))
        return None

    def _display(self, row: ComplaintListRow, col: int) -> str:
        texts = self._texts.get(row.id)
        if texts is None:
            texts = self._texts[row.id] = display_texts(row)
            if len(self._texts) > self.BLOCK * self.MAX_BLOCKS:
                self._texts.clear()
        return texts[col]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][2] if 0 <= column < len(COLUMNS) else None
        if key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if key == self._query.sort and descending == self._query.descending:
            return
        self.set_query(replace(self._query, sort=key, descending=descending))

    def sort_column(self) -> int:
        for i, (_field, _header, key) in enumerate(COLUMNS):
            if key == self._query.sort:
                return i
        return self.COL_RECEIVED
