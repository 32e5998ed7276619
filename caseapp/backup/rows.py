"""Database rows as JSON lines, with each column's kind recorded so that values come back
with their type (times in UTC, exact decimals, bytes, UUIDs), on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import IO, Any

from sqlalchemy import Column, Connection, MetaData, Table, insert, select
from sqlalchemy.types import TypeEngine

CHUNK = 2000


def column_kind(type_: TypeEngine[Any]) -> str:
    try:
        python_type = type_.python_type
    except NotImplementedError:
        return "plain"
    if issubclass(python_type, datetime):
        return "datetime"
    if issubclass(python_type, date):
        return "date"
    if issubclass(python_type, Decimal):
        return "decimal"
    if issubclass(python_type, bytes):
        return "bytes"
    if issubclass(python_type, uuid.UUID):
        return "uuid"
    if issubclass(python_type, dict | list):
        return "json"
    return "plain"


def encode(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        # caseapp stores UTC; SQLite hands it back without an offset.
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if kind == "date":
        return value.isoformat()
    if kind == "decimal":
        return str(value)
    if kind == "bytes":
        return base64.b64encode(bytes(value)).decode("ascii")
    if kind == "uuid":
        return str(uuid.UUID(str(value)))
    return value


def decode(value: Any, kind: str, target: Column[Any]) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        return datetime.fromisoformat(value).astimezone(UTC)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "decimal":
        return Decimal(value)
    if kind == "bytes":
        return base64.b64decode(value)
    if kind == "uuid":
        parsed = uuid.UUID(value)
        # A UUID column reflected from SQLite is CHAR(32) holding the hex digits.
        return parsed if column_kind(target.type) == "uuid" else parsed.hex
    return value


def table_kinds(table: Table) -> dict[str, str]:
    return {c.name: column_kind(c.type) for c in table.columns}


def write_rows(conn: Connection, table: Table, where: Any, out: IO[bytes]) -> int:
    """Write the rows of `table` matching `where` as JSON lines; returns how many."""
    kinds = table_kinds(table)
    plain = [k == "plain" or k == "json" for k in kinds.values()]
    names = list(kinds)
    kind_list = list(kinds.values())
    order = list(table.primary_key.columns) or list(table.columns)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    count = 0
    buffer: list[str] = []
    result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(
        select(table).where(where).order_by(*order))
    for row in result:
        record = {n: v if p or v is None else encode(v, k)
                  for n, v, k, p in zip(names, row, kind_list, plain, strict=True)}
        buffer.append(dumps(record))
        count += 1
        if len(buffer) >= CHUNK:
            out.write(("\n".join(buffer) + "\n").encode())
            buffer = []
    if buffer:
        out.write(("\n".join(buffer) + "\n").encode())
    return count


def read_rows(lines: Iterable[bytes], kinds: dict[str, str], table: Table
              ) -> Iterator[dict[str, Any]]:
    for line in lines:
        if not line.strip():
            continue
        record = json.loads(line)
        yield {name: decode(value, kinds.get(name, "plain"), table.c[name])
               for name, value in record.items() if name in table.c}


def insert_rows(conn: Connection, table: Table, rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            conn.execute(insert(table), chunk)
            count += len(chunk)
            chunk = []
    if chunk:
        conn.execute(insert(table), chunk)
        count += len(chunk)
    return count


def reflect(conn: Connection) -> MetaData:
    from caseapp.backup.scope import is_data_table

    metadata = MetaData()
    metadata.reflect(conn, only=lambda name, _meta: is_data_table(name))
    return metadata
