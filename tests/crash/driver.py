"""Runs one caseapp operation in its own process, with pause points the tests control.

    python driver.py [--at SPEC ...] [--at-chunk SPEC] -- cli ARG ...
    python driver.py [--at SPEC ...] -- party-update WORKSPACE DB_URL PARTY_ID VERSION NAME

SPEC is ``PATTERN|COUNT|MARKER|GO``: after the COUNT-th executed SQL statement matching the
regular expression PATTERN, the driver writes the file MARKER and then waits: until the file GO
exists (GO a path), forever (GO ``forever``: the test kills the process there), or not at all
(GO empty). ``--at-chunk COUNT|MARKER|GO`` does the same after the evidence store has read
COUNT chunks of a file it is copying; ``--at-call MODULE:CLASS.METHOD|COUNT|MARKER|GO`` after
the COUNT-th call of that method returned. This lets a test kill the process at an exact point of
its work (inside an open transaction, half-way through a copy) instead of after a guessed delay.
The caseapp code that runs is the real one; only these observation points are added.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def _touch(path: str) -> None:
    temp = Path(path + ".tmp")
    temp.write_text("1")
    temp.replace(path)


def _wait(go: str) -> None:
    if not go:
        return
    while go == "forever" or not Path(go).exists():
        time.sleep(0.02)


class _Point:
    def __init__(self, spec: str, *, with_pattern: bool) -> None:
        parts = spec.split("|")
        if with_pattern:
            pattern, parts = parts[0], parts[1:]
            self.pattern: re.Pattern[str] | None = re.compile(pattern, re.IGNORECASE)
        else:
            self.pattern = None
        count, self.marker, self.go = parts
        self.count = int(count)
        self.seen = 0

    def hit(self, text: str = "") -> None:
        if self.pattern is not None and not self.pattern.search(text):
            return
        self.seen += 1
        if self.seen == self.count:
            _touch(self.marker)
            _wait(self.go)


def _install_sql_points(points: list[_Point]) -> None:
    from sqlalchemy import Engine, event

    from caseapp.db.repositories import complaints

    def hit(statement: str) -> None:
        for point in points:
            point.hit(statement)

    @event.listens_for(Engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        hit(statement)

    # The complaint import writes its rows through the driver's own connection (executemany
    # on SQLite, COPY on PostgreSQL), below SQLAlchemy's events: observe that connection too.
    original_init = complaints.ComplaintBulkWriter.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self._raw = _TappedConnection(self._raw, hit)

    complaints.ComplaintBulkWriter.__init__ = init  # type: ignore[method-assign]


class _Tapped:
    """Calls `hit(statement)` after each statement the wrapped connection or cursor ran."""

    def __init__(self, inner: Any, hit: Any) -> None:
        self._inner, self._hit = inner, hit

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def execute(self, statement: str, *args: Any, **kwargs: Any) -> Any:
        result = self._inner.execute(statement, *args, **kwargs)
        self._hit(statement)
        return result

    def executemany(self, statement: str, *args: Any, **kwargs: Any) -> Any:
        result = self._inner.executemany(statement, *args, **kwargs)
        self._hit(statement)
        return result


class _TappedConnection(_Tapped):
    def cursor(self, *args: Any, **kwargs: Any) -> _TappedCursor:
        return _TappedCursor(self._inner.cursor(*args, **kwargs), self._hit)


class _TappedCursor(_Tapped):
    def __enter__(self) -> _TappedCursor:
        self._inner.__enter__()
        return self

    def __exit__(self, *exc: Any) -> Any:
        return self._inner.__exit__(*exc)

    @contextlib.contextmanager
    def copy(self, statement: str, *args: Any, **kwargs: Any) -> Iterator[Any]:
        with self._inner.copy(statement, *args, **kwargs) as copy:
            yield copy
        self._hit(statement)


def _install_call_point(spec: str) -> None:
    import importlib

    target, rest = spec.split("|", 1)
    module_name, qualified = target.split(":")
    class_name, method_name = qualified.split(".")
    cls = getattr(importlib.import_module(module_name), class_name)
    original = getattr(cls, method_name)
    point = _Point(rest, with_pattern=False)

    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        point.hit()
        return result

    setattr(cls, method_name, wrapper)


def _install_chunk_point(point: _Point) -> None:
    from caseapp.storage import evidence_store

    original = evidence_store.EvidenceStore.put_stream

    class _Counting:
        def __init__(self, stream: Any) -> None:
            self._stream = stream

        def read(self, size: int = -1) -> bytes:
            data = self._stream.read(size)
            if data:
                point.hit()
            return bytes(data)

    def put_stream(self: Any, stream: Any, **kwargs: Any) -> Any:
        return original(self, _Counting(stream), **kwargs)

    evidence_store.EvidenceStore.put_stream = put_stream  # type: ignore[method-assign]


def _party_update(workspace: str, db_url: str, party_id: str, version: str, name: str) -> int:
    from caseapp.app import open_app
    from caseapp.domain.errors import CaseappError, EditConflictError

    with open_app(workspace, db_url) as app:
        try:
            party = app.parties.update(int(party_id), expected_version=int(version), name=name)
        except EditConflictError as exc:
            print(json.dumps({"ok": False, "conflict": True, "message": str(exc),
                              "changed_by": exc.changed_by,
                              "current_version": exc.current_version}, ensure_ascii=False))
            return exc.exit_code
        except CaseappError as exc:
            print(json.dumps({"ok": False, "conflict": False, "message": str(exc)},
                             ensure_ascii=False))
            return exc.exit_code
        print(json.dumps({"ok": True, "version": party.version, "name": party.name,
                          "updated_by": party.updated_by}, ensure_ascii=False))
        return 0


def main(argv: list[str]) -> int:
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1:]
    sql_points: list[_Point] = []
    i = 0
    while i < len(options):
        if options[i] == "--at":
            sql_points.append(_Point(options[i + 1], with_pattern=True))
        elif options[i] == "--at-call":
            _install_call_point(options[i + 1])
        elif options[i] == "--at-chunk":
            _install_chunk_point(_Point(options[i + 1], with_pattern=False))
        else:
            raise SystemExit(f"unknown option {options[i]}")
        i += 2
    if sql_points:
        _install_sql_points(sql_points)
    if command[0] == "cli":
        from caseapp.cli.main import main as cli_main

        return cli_main(command[1:])
    if command[0] == "party-update":
        return _party_update(*command[1:])
    raise SystemExit(f"unknown command {command[0]}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
