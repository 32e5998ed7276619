"""The complaints table over 100,000+ rows: a windowed cache keyed by row.

On a query (filter, search or sort) the model asks the service for the ordered ids of every
matching complaint — a list of integers, cheap even for 100,000 complaints — so that
``rowCount`` is exact and the scroll bar true. Row contents are read in blocks of
:attr:`BLOCK` rows only when the view asks for them (what is on screen), and at most
:attr:`MAX_BLOCKS` blocks stay cached. No widget per row, no complaint text beyond an excerpt.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from caseapp.i18n import N_, _
from caseapp.services.complaint_queries import (
    ComplaintListRow,
    ComplaintQuery,
    ComplaintQueryService,
)

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


def format_amount(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount:,.2f}"


class ComplaintTableModel(QAbstractTableModel):
    (COL_NUMBER, COL_RECEIVED, COL_CHANNEL, COL_CUSTOMER, COL_AGENT, COL_CATEGORY, COL_AMOUNT,
     COL_GROUP, COL_TEXT) = range(len(COLUMNS))
    ComplaintIdRole = Qt.ItemDataRole.UserRole + 1
    BLOCK = 200
    MAX_BLOCKS = 40

    def __init__(self, service: ComplaintQueryService, parent: Any = None) -> None:
        super().__init__(parent)
        self._service = service
        self._case_id: int | None = None
        self._query = ComplaintQuery()
        self._ids: list[int] = []
        self._row_of: dict[int, int] | None = None
        self._blocks: OrderedDict[int, list[ComplaintListRow]] = OrderedDict()
        self._headers = [_(header) for _field, header, _key in COLUMNS]
        self.blocks_read = 0  # how many blocks were read from the service (tests, benchmark)

    # --- what is shown ----------------------------------------------------------------------

    @property
    def query(self) -> ComplaintQuery:
        return self._query

    @property
    def case_id(self) -> int | None:
        return self._case_id

    def set_case(self, case_id: int | None) -> None:
        self._case_id = case_id
        self._query = ComplaintQuery(sort=self._query.sort, descending=self._query.descending)
        self.reload()

    def set_query(self, query: ComplaintQuery) -> None:
        self._query = query
        self.reload()

    def reload(self) -> None:
        """Read the ordered ids again (after a filter change, a sort or new data)."""
        self.beginResetModel()
        self._blocks.clear()
        self._row_of = None
        self._ids = ([] if self._case_id is None
                     else self._service.ordered_ids(self._case_id, self._query))
        self.endResetModel()

    def complaint_id(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, complaint_id: int) -> int | None:
        if self._row_of is None:
            self._row_of = {cid: i for i, cid in enumerate(self._ids)}
        return self._row_of.get(complaint_id)

    def cached_blocks(self) -> int:
        return len(self._blocks)

    def _row(self, row: int) -> ComplaintListRow | None:
        block = row // self.BLOCK
        rows = self._blocks.get(block)
        if rows is None:
            if self._case_id is None:
                return None
            ids = self._ids[block * self.BLOCK:(block + 1) * self.BLOCK]
            rows = self._service.rows(self._case_id, ids)
            self.blocks_read += 1
            if len(rows) != len(ids):  # deleted meanwhile: keep the positions
                found = {r.id: r for r in rows}
                rows = [found.get(i) for i in ids]  # type: ignore[misc]
            self._blocks[block] = rows
            while len(self._blocks) > self.MAX_BLOCKS:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(block)
        return rows[row - block * self.BLOCK]

    def record(self, row: int) -> ComplaintListRow | None:
        return self._row(row) if 0 <= row < len(self._ids) else None

    # --- Qt model interface -----------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._ids):
            return None
        if role == self.ComplaintIdRole:
            return self._ids[index.row()]
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                        Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.ForegroundRole):
            return None
        col = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col in (self.COL_AMOUNT, self.COL_GROUP):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        row = self._row(index.row())
        if row is None:
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == self.COL_NUMBER and row.flags:
                return QBrush(QColor("#b45309"))
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.COL_TEXT:
                return row.excerpt
            if col == self.COL_NUMBER and row.flags:
                return _("Import notes: {flags}").format(flags=", ".join(row.flags))
            return None
        return self._display(row, col)

    def _display(self, row: ComplaintListRow, col: int) -> str:
        if col == self.COL_NUMBER:
            return row.external_number
        if col == self.COL_RECEIVED:
            return row.received_at.astimezone().strftime("%Y-%m-%d %H:%M") \
                if row.received_at else ""
        if col == self.COL_CHANNEL:
            return row.channel
        if col == self.COL_CUSTOMER:
            return row.customer_name
        if col == self.COL_AGENT:
            return row.agent_name
        if col == self.COL_CATEGORY:
            return row.category
        if col == self.COL_AMOUNT:
            return format_amount(row.amount)
        if col == self.COL_GROUP:
            return str(row.group_number) if row.group_number is not None else ""
        return row.excerpt

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
